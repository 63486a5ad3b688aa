//! `make-demo-inputs DIR`: writes the demo clinic's generated inputs into DIR
//! (normally examples/demo-clinic/generated, which site.toml points at).

fn main() -> std::process::ExitCode {
    let Some(dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: make-demo-inputs DIR   (normally examples/demo-clinic/generated)");
        return std::process::ExitCode::from(2);
    };
    match oqs_e2e::demo::generate(std::path::Path::new(&dir), None) {
        Ok(()) => {
            eprintln!("demo inputs written to {}", dir.to_string_lossy());
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("make-demo-inputs: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
