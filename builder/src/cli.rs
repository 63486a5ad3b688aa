//! The command line: one subcommand per job, each with a manual in `--help`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "oqs-builder",
    version,
    about = "Builds the recovery USB stick for OQS terminals (オンライン資格確認端末の復旧用USBを作成)",
    long_about = "Builds the recovery USB stick for a clinic's OQS terminals \
(オンライン資格確認端末の復旧用USBを作成).\n\n\
Typical use:\n  \
oqs-builder check --site site.toml\n  \
oqs-builder build --site site.toml --media D:\\ --out stick.img\n  \
oqs-builder verify stick.img\n\n\
Exit status: 0 on success, 1 when a check or verification fails, 2 on bad usage."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args)]
pub struct Global {
    /// Language of messages: ja or en (default: the system locale).
    #[arg(long, global = true, value_enum)]
    pub lang: Option<LangArg>,
    /// Print machine-readable JSON on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum LangArg {
    Ja,
    En,
}

impl From<LangArg> for payload::Lang {
    fn from(l: LangArg) -> Self {
        match l {
            LangArg::Ja => payload::Lang::Ja,
            LangArg::En => payload::Lang::En,
        }
    }
}

#[derive(Subcommand)]
pub enum Command {
    /// Check a site.toml and every input it names; print a summary.
    ///
    /// Reports every problem at once, each with file, line and key, and exits 1
    /// when there is any error. Warnings alone do not fail the check.
    Check(CheckArgs),
}

#[derive(Args)]
pub struct CheckArgs {
    /// The clinic's site.toml.
    #[arg(long, value_name = "FILE")]
    pub site: PathBuf,
}
