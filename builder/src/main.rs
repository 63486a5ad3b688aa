//! `oqs-builder`: checks a clinic's site and builds the recovery stick.

mod answer;
mod certs;
mod checks;
mod cli;
mod cmd;
mod firstboot_exe;
mod inputs;
mod install_image;
mod media;
mod out_dir;
mod out_image;
mod progress;
mod report;
mod secrets_input;
mod stick;
mod stick_reader;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    restore_sigpipe();
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

/// `oqs-builder inspect stick.img | head` should end quietly like any Unix tool.
/// Rust ignores SIGPIPE, which turns a closed pipe into a panic in `println!`.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to the default at start-up, before
    // any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
