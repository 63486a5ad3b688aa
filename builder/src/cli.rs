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
    /// Build the stick: a raw image file (for dd / Rufus / Etcher) or a mounted stick's folder.
    ///
    /// Runs every check of `check` first and writes nothing when one fails. With an
    /// existing folder as --out (e.g. E:\ on Windows) the files go straight onto the
    /// stick; any other --out is an image file. sources/install.wim over 4 GiB is
    /// split into install.swm parts automatically. Every file is read once, hashed
    /// on the way, and listed in oqs/SHA256SUMS and oqs/manifest.json.
    Build(BuildArgs),
    /// Re-read every file of a built stick (image or folder) and compare it with the manifest.
    ///
    /// Names each missing, extra or changed file; exits 1 on any. Run it after
    /// writing an image to a stick, and before the yearly refresh.
    Verify(VerifyArgs),
    /// Show what an image holds: partition table, FAT32 volume, folder tree with sizes.
    Inspect(InspectArgs),
    /// Print the autounattend.xml a build would put on the stick, for review.
    ///
    /// The set-up administrator's password in it is a fresh one-time value each
    /// time (only Base64-encoded, as Windows requires). With --terminal the computer
    /// name is fixed for that terminal; without, firstboot identifies the terminal.
    AnswerFile(AnswerFileArgs),
    /// Look into a Windows image (install.wim / .esd) or split it into .swm parts.
    Wim(WimArgs),
    /// List every terminal's certificate (PFX): subject, serial, expiry, days left, status.
    ///
    /// Opens each PFX with its password from secrets.toml (or OQS_SECRET_CERTIFICATES_<TERMINAL>,
    /// or a prompt in a terminal). Expired, not yet valid, wrong password, no private key or a
    /// key that is not the certificate's is an error (exit 1); under 90 days left is a warning.
    Certs(CertsArgs),
    /// Show what changed between two sticks: files, installer versions, certificates, site settings, Windows build.
    ///
    /// OLD and NEW are each an image file, a folder (a mounted stick) or a stick's
    /// oqs/manifest.json (then only the file list is compared). With --secrets the
    /// certificates are opened and their new expiry shown.
    Diff(DiffArgs),
}

#[derive(Args)]
pub struct CheckArgs {
    /// The clinic's site.toml.
    #[arg(long, value_name = "FILE")]
    pub site: PathBuf,
    /// The site's secrets (default: secrets.toml beside site.toml); OQS_SECRET_* variables fill in.
    #[arg(long, value_name = "FILE")]
    pub secrets: Option<PathBuf>,
}

#[derive(Args)]
pub struct BuildArgs {
    /// The clinic's site.toml.
    #[arg(long, value_name = "FILE")]
    pub site: PathBuf,
    /// The Windows installation media: a mounted ISO's drive or an extracted folder.
    #[arg(long, value_name = "DIR")]
    pub media: PathBuf,
    /// Where to write: an image file (e.g. stick.img) or an existing folder (a mounted stick).
    #[arg(long, value_name = "IMG|DIR")]
    pub out: PathBuf,
    /// Erase a non-empty --out folder first (never a folder holding a Windows system).
    #[arg(long)]
    pub force: bool,
    /// Image only: GPT instead of MBR (MBR boots both BIOS and UEFI PCs).
    #[arg(long)]
    pub gpt: bool,
    /// Image only: total size in MiB (default: the content plus a margin).
    #[arg(long = "size", value_name = "MiB")]
    pub size_mib: Option<u64>,
    /// Split install.wim into parts of at most this many MiB even when it fits.
    #[arg(long, value_name = "MiB")]
    pub split_wim: Option<u64>,
    /// Fix the answer file's computer name to this terminal (pre-staging one known PC).
    #[arg(long, value_name = "NAME")]
    pub terminal: Option<String>,
    /// The site's secrets (default: secrets.toml beside site.toml); OQS_SECRET_* variables fill in.
    #[arg(long, value_name = "FILE")]
    pub secrets: Option<PathBuf>,
    /// Read the vault passphrase from this file's first line (else OQS_VAULT_PASSPHRASE, else a prompt).
    #[arg(long, value_name = "FILE")]
    pub vault_passphrase_file: Option<PathBuf>,
    /// The oqs-firstboot.exe to put on the stick (default: next to oqs-builder, else target/x86_64-pc-windows-gnu/{release,debug}).
    #[arg(long, value_name = "EXE")]
    pub firstboot: Option<PathBuf>,
}

#[derive(Args)]
pub struct VerifyArgs {
    /// The stick: an image file or a folder (a mounted stick).
    #[arg(value_name = "IMG|DIR")]
    pub stick: PathBuf,
}

#[derive(Args)]
pub struct InspectArgs {
    /// The image file.
    #[arg(value_name = "IMG")]
    pub image: PathBuf,
}

#[derive(Args)]
pub struct CertsArgs {
    /// The clinic's site.toml.
    #[arg(long, value_name = "FILE")]
    pub site: PathBuf,
    /// The site's secrets (default: secrets.toml beside site.toml).
    #[arg(long, value_name = "FILE")]
    pub secrets: Option<PathBuf>,
}

#[derive(Args)]
pub struct DiffArgs {
    /// Last year's stick: image file, folder, or its oqs/manifest.json.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The new stick: image file, folder, or its oqs/manifest.json.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// secrets.toml with the PFX passwords, to show each certificate's new expiry.
    #[arg(long, value_name = "FILE")]
    pub secrets: Option<PathBuf>,
}

#[derive(Args)]
pub struct AnswerFileArgs {
    /// The clinic's site.toml.
    #[arg(long, value_name = "FILE")]
    pub site: PathBuf,
    /// Fix the computer name to this terminal's (pre-staging one known PC).
    #[arg(long, value_name = "NAME")]
    pub terminal: Option<String>,
    /// The install.wim image index to show (build finds it from the media).
    #[arg(long, value_name = "N")]
    pub image_index: Option<u32>,
}

#[derive(Args)]
pub struct WimArgs {
    #[command(subcommand)]
    pub command: WimCommand,
}

#[derive(Subcommand)]
pub enum WimCommand {
    /// Images (index, name, edition), compression and part of a WIM file.
    Info {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Split a WIM into install.swm, install2.swm, ... of at most --size MiB each.
    ///
    /// Resources are copied as they are (no recompression); Windows Setup accepts
    /// the set in sources\ in place of install.wim. Solid (ESD) images cannot be
    /// split: export them to a WIM first.
    Split {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[arg(value_name = "OUTDIR")]
        out_dir: PathBuf,
        /// Largest part in MiB.
        #[arg(long, default_value_t = wim::DEFAULT_PART_MIB)]
        size: u64,
    },
}
