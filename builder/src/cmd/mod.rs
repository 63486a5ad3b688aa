//! One module per subcommand.

mod build;
mod check;
mod inspect;
mod verify;

use crate::cli::{Cli, Command};
use std::process::ExitCode;

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Check(args) => check::run(&args, &cli.global),
        Command::Build(args) => build::run(&args, &cli.global),
        Command::Verify(args) => verify::run(&args, &cli.global),
        Command::Inspect(args) => inspect::run(&args, &cli.global),
    }
}
