//! Command-line front end for trying the splitter and benchmarking it.
//!
//!     wimsplit info SRC.wim
//!     wimsplit split SRC.wim OUT_DIR [PART_MIB] [BASE_NAME]

use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["info", src] => info(src),
        ["split", src, out, rest @ ..] if rest.len() <= 2 => split(src, out, rest),
        _ => {
            eprintln!(
                "usage: wimsplit info SRC.wim\n       \
                 wimsplit split SRC.wim OUT_DIR [PART_MIB (default {})] [BASE_NAME (default {})]",
                wim::DEFAULT_PART_MIB,
                wim::DEFAULT_SWM_NAME
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wimsplit: {e}");
            ExitCode::FAILURE
        }
    }
}

fn info(src: &str) -> Result<(), Box<dyn std::error::Error>> {
    let wim = wim::Wim::open(src)?;
    let (part, total) = wim.part();
    println!(
        "{}: {} bytes, version {:#x}, compression {} (chunk {}), part {part}/{total}, \
         {} resources, integrity table: {}, solid: {}",
        wim.path().display(),
        wim.file_len(),
        wim.version(),
        wim.compression(),
        wim.chunk_size(),
        wim.resource_count(),
        wim.has_integrity_table(),
        wim.is_solid()
    );
    for i in wim.images() {
        println!(
            "  {}: {} | edition {} | display {} | {} bytes, {} dirs, {} files",
            i.index,
            i.name.as_deref().unwrap_or("-"),
            i.edition_id.as_deref().unwrap_or("-"),
            i.display_name.as_deref().unwrap_or("-"),
            i.total_bytes.unwrap_or(0),
            i.dir_count.unwrap_or(0),
            i.file_count.unwrap_or(0),
        );
    }
    Ok(())
}

fn split(src: &str, out: &str, rest: &[&str]) -> Result<(), Box<dyn std::error::Error>> {
    let mib = match rest.first() {
        Some(m) => m.parse()?,
        None => wim::DEFAULT_PART_MIB,
    };
    let base = rest.get(1).copied().unwrap_or(wim::DEFAULT_SWM_NAME);
    let start = Instant::now();
    let written = wim::split_to_dir(src, out, base, wim::mib(mib))?;
    let secs = start.elapsed().as_secs_f64();
    for p in &written {
        println!("{} ({} bytes)", p.display(), std::fs::metadata(p)?.len());
    }
    println!("split into {} parts in {secs:.3} s", written.len());
    Ok(())
}
