//! `oqs-builder`: checks a clinic's site and builds the recovery stick.

mod cli;
mod cmd;
mod inputs;
mod report;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    payload::text::init_console();
    let cli = cli::Cli::parse();
    if let Some(lang) = cli.global.lang {
        payload::text::set_lang(lang.into());
    }
    match cmd::run(cli) {
        Ok(code) => code,
        Err(err) => {
            report::error(&err);
            ExitCode::FAILURE
        }
    }
}
