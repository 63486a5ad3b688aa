//! `oqs-builder verify`: re-hash every file of a built stick against its manifest.

use crate::cli::{Global, VerifyArgs};
use crate::progress::Bar;
use crate::report;
use crate::stick_reader::Stick;
use payload::Text;
use payload::manifest::Mismatch;
use std::process::ExitCode;

#[derive(serde::Serialize)]
struct VerifyReport<'a> {
    ok: bool,
    stick: &'a std::path::Path,
    files: usize,
    mismatches: &'a [Mismatch],
}

pub fn run(args: &VerifyArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let mut stick = Stick::open(&args.stick)?;
    let Some(expected) = stick.manifest()? else {
        anyhow::bail!(
            "{}",
            Text::new(
                format!(
                    "{} にマニフェスト (oqs/SHA256SUMS) がありません。作成が途中で止まったスティックです。build し直してください",
                    args.stick.display()
                ),
                format!(
                    "{} has no manifest (oqs/SHA256SUMS): the stick was not finished. Build it again",
                    args.stick.display()
                ),
            )
        );
    };
    let total = expected.files.iter().map(|e| e.size).sum();
    let bar = Bar::new(total, global.json);
    let actual = stick.scan(&bar)?;
    bar.finish();
    let mismatches = expected.compare(&actual);
    if global.json {
        report::json(&VerifyReport {
            ok: mismatches.is_empty(),
            stick: &args.stick,
            files: expected.files.len(),
            mismatches: &mismatches,
        });
    } else {
        for m in &mismatches {
            eprintln!("{m}");
        }
    }
    if mismatches.is_empty() {
        if !global.json {
            println!(
                "{}",
                Text::new(
                    format!(
                        "OK: {} ファイルすべてがマニフェストと一致しました",
                        expected.files.len()
                    ),
                    format!("OK: all {} files match the manifest", expected.files.len()),
                )
            );
        }
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "{}",
            Text::new(
                format!(
                    "{} 件の不一致があります。このスティックは使わず、build し直してください",
                    mismatches.len()
                ),
                format!(
                    "{} mismatch(es): do not use this stick; build it again",
                    mismatches.len()
                ),
            )
        );
        Ok(ExitCode::FAILURE)
    }
}
