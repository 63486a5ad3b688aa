//! One module per subcommand.

mod answer_file;
mod build;
mod certs;
mod check;
mod diff;
mod inspect;
mod verify;
mod wim;

use crate::cli::{Cli, Command};
use std::process::ExitCode;

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Check(args) => check::run(&args, &cli.global),
        Command::Build(args) => build::run(&args, &cli.global),
        Command::Verify(args) => verify::run(&args, &cli.global),
        Command::Inspect(args) => inspect::run(&args, &cli.global),
        Command::AnswerFile(args) => answer_file::run(&args, &cli.global),
        Command::Wim(args) => wim::run(&args, &cli.global),
        Command::Certs(args) => certs::run(&args, &cli.global),
        Command::Diff(args) => diff::run(&args, &cli.global),
    }
}
