//! The command line. Every command has `--help`; messages follow `--lang`.

use clap::{Args, Parser, Subcommand};
use payload::Lang;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "oqs-firstboot",
    version,
    about = "Finishes an OQS terminal from the oqs-stick and checks its health / オン資端末の仕上げと健康診断",
    long_about = "Finishes an OQS terminal (オンライン資格確認端末) from the oqs-stick: \
        checks the stick against its manifest, works out which terminal this is, and applies \
        the site's configuration step by step (users, credentials, certificate, proxy, DNS, \
        NTP, power, tasks, shortcuts, ...). Every step checks first and changes only what \
        differs; a journal in C:\\ProgramData\\oqs-stick lets an interrupted run resume, and \
        the log there never holds a secret."
)]
pub struct Cli {
    /// Language of messages: ja or en (default: the system's).
    #[arg(long, global = true, value_parser = parse_lang)]
    pub lang: Option<Lang>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show what `apply` would change, value by value (secrets REDACTED) / 変更内容の確認
    Plan {
        #[command(flatten)]
        common: Common,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Configure this terminal: check, apply, check again, step by step / 設定の適用
    Apply {
        #[command(flatten)]
        common: Common,
        /// Do not restart Windows at the end even when a change needs it.
        #[arg(long)]
        no_reboot: bool,
    },
    /// Health report: is this terminal as the site wants it? Exit 1 if not / 健康診断
    Verify {
        #[command(flatten)]
        common: Common,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Say which terminal of the site this machine is (hardware ids, else computer name) / 端末の判別
    Identify {
        #[command(flatten)]
        stick: StickArgs,
        /// Set the computer name to the matched terminal's (answer file, specialize pass);
        /// nothing happens when no terminal matches.
        #[arg(long)]
        set_computer_name: bool,
    },
    /// Which terminal serves the 電子カルテ link (shared req/res folders) / 電子カルテ連携の担当端末
    Role {
        #[command(subcommand)]
        action: RoleAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum RoleAction {
    /// Where this terminal's OQSComApp reads requests, and who holds the lease / 現在の担当
    Status {
        #[command(flatten)]
        args: RoleArgs,
    },
    /// Make this terminal the active one: take the lease, point OQSComApp at the shared
    /// folders, restart it. Refused while another terminal is alive / この端末を担当にする
    Activate {
        #[command(flatten)]
        args: RoleArgs,
        /// Take the lease even from a terminal whose heartbeat is recent (only when it is
        /// certainly down: two active terminals would read the same requests).
        #[arg(long)]
        force: bool,
    },
    /// Point this terminal at its local folders and give up the lease / この端末を待機にする
    Standby {
        #[command(flatten)]
        args: RoleArgs,
    },
    /// The scheduled heartbeat: the active terminal renews its lease; a terminal that lost
    /// it points itself back at its local folders / 定期確認(毎分)
    Check {
        #[command(flatten)]
        args: RoleArgs,
    },
}

#[derive(Debug, Args)]
pub struct RoleArgs {
    #[command(flatten)]
    pub stick: StickArgs,
    /// Read the site plan from this file instead of the stick (the scheduled check
    /// uses the copy firstboot leaves in C:\ProgramData\oqs-stick: the stick is gone by then).
    #[arg(long, value_name = "FILE", conflicts_with = "stick")]
    pub site: Option<PathBuf>,
    /// Act as this terminal instead of identifying the machine.
    #[arg(long, value_name = "NAME")]
    pub terminal: Option<String>,
    /// Print the result as JSON (on failure: {"error": ...}).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub files: LinkFiles,
}

/// Off Windows (tests, benchmarks) the terminal's files are stand-ins given here; all
/// three or none. On Windows they default to UserDefinition.property, the folder above
/// the shared request folder, and OQSComAppRestart.bat.
#[derive(Debug, Args)]
pub struct LinkFiles {
    /// FOR TESTING: the UserDefinition.property to edit.
    #[arg(long, value_name = "FILE", hide = true)]
    pub property_file: Option<PathBuf>,
    /// FOR TESTING: the folder holding the lease (stands in for the share).
    #[arg(long, value_name = "DIR", hide = true)]
    pub lease_dir: Option<PathBuf>,
    /// FOR TESTING: the program run instead of OQSComAppRestart.bat.
    #[arg(long, value_name = "PROGRAM", hide = true)]
    pub restart_cmd: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct StickArgs {
    /// The stick's root folder (default: the drive labelled OQS-STICK; required off Windows).
    #[arg(long, value_name = "DIR")]
    pub stick: Option<PathBuf>,
    /// Run against a simulated Windows kept in this JSON file instead of this machine
    /// (for tests; the only host off Windows).
    #[arg(long, value_name = "FILE", hide = cfg!(windows))]
    pub sim_state: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct Common {
    #[command(flatten)]
    pub stick: StickArgs,
    /// Configure as this terminal instead of identifying the machine.
    #[arg(long, value_name = "NAME")]
    pub terminal: Option<String>,
    /// FOR TESTING ONLY: read secrets from this plain-text secrets.toml instead of the
    /// encrypted vault on the stick (oqs/secrets.age, opened with its key file or a
    /// passphrase prompt; OQS_VAULT_PASSPHRASE answers the prompt unattended).
    #[arg(long, value_name = "FILE")]
    pub secrets: Option<PathBuf>,
    /// Run only these steps (ids or their first part, e.g. `task`); repeatable.
    #[arg(long, value_name = "ID")]
    pub only: Vec<String>,
    /// Leave these steps out (ids or their first part); repeatable.
    #[arg(long, value_name = "ID")]
    pub skip: Vec<String>,
}

fn parse_lang(value: &str) -> Result<Lang, String> {
    Lang::parse(value).ok_or_else(|| format!("unknown language \"{value}\" (use ja or en)"))
}
