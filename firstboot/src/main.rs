use clap::Parser;
use oqs_firstboot::{app, cli::Cli};
use std::process::ExitCode;

fn main() -> ExitCode {
    payload::text::init_console();
    let cli = Cli::parse();
    match app::run(cli) {
        Ok(code) => code,
        Err(e) => {
            let label = payload::Text::new("エラー", "error");
            eprintln!("{label}: {e:#}");
            ExitCode::from(1)
        }
    }
}
