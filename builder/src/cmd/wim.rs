//! `oqs-builder wim info|split`: look into a Windows image and split it by hand
//! (the build splits install.wim by itself when FAT32 needs it).

use crate::cli::{Global, WimArgs, WimCommand};
use crate::report;
use payload::Text;
use std::process::ExitCode;

#[derive(serde::Serialize)]
struct ImageRow<'a> {
    index: u32,
    name: Option<&'a str>,
    display_name: Option<&'a str>,
    edition_id: Option<&'a str>,
    default_language: Option<&'a str>,
    total_bytes: Option<u64>,
}

#[derive(serde::Serialize)]
struct Info<'a> {
    file: &'a std::path::Path,
    size: u64,
    compression: String,
    part: (u16, u16),
    solid: bool,
    integrity_table: bool,
    images: Vec<ImageRow<'a>>,
}

pub fn run(args: &WimArgs, global: &Global) -> anyhow::Result<ExitCode> {
    match &args.command {
        WimCommand::Info { file } => {
            let wim = wim::Wim::open(file)?;
            let info = Info {
                file,
                size: wim.file_len(),
                compression: format!("{:?}", wim.compression()),
                part: wim.part(),
                solid: wim.is_solid(),
                integrity_table: wim.has_integrity_table(),
                images: wim
                    .images()
                    .iter()
                    .map(|i| ImageRow {
                        index: i.index,
                        name: i.name.as_deref(),
                        display_name: i.display_name.as_deref(),
                        edition_id: i.edition_id.as_deref(),
                        default_language: i.default_language.as_deref(),
                        total_bytes: i.total_bytes,
                    })
                    .collect(),
            };
            if global.json {
                report::json(&info);
            } else {
                println!(
                    "{}: {} MB, {}, part {}/{}{}",
                    file.display(),
                    info.size / 1_000_000,
                    info.compression,
                    info.part.0,
                    info.part.1,
                    if info.solid { ", solid (ESD)" } else { "" }
                );
                for i in &info.images {
                    println!(
                        "  {:>2}  {:<32} {:<14} {:<6} {} MB",
                        i.index,
                        i.display_name.or(i.name).unwrap_or("-"),
                        i.edition_id.unwrap_or("-"),
                        i.default_language.unwrap_or("-"),
                        i.total_bytes.unwrap_or(0) / 1_000_000
                    );
                }
            }
        }
        WimCommand::Split {
            file,
            out_dir,
            size,
        } => {
            std::fs::create_dir_all(out_dir)?;
            let parts = wim::split_to_dir(file, out_dir, wim::DEFAULT_SWM_NAME, wim::mib(*size))?;
            if global.json {
                report::json(&parts);
            } else {
                for part in &parts {
                    println!("{}", part.display());
                }
                println!(
                    "{}",
                    Text::new(
                        format!(
                            "{} 個に分割しました。sources\\ に install.wim の代わりに置いてください",
                            parts.len()
                        ),
                        format!(
                            "split into {} parts: put them in sources\\ instead of install.wim",
                            parts.len()
                        ),
                    )
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
