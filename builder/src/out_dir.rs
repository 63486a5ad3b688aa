//! Writing the stick into a folder: a mounted, already formatted stick (`E:\`),
//! the usual case on Windows. Every file goes through a temporary name and is
//! renamed when complete; the manifest is written last, so a stick interrupted
//! half way has no manifest and `verify` says so.

use crate::progress::{Bar, Counting};
use crate::stick::StickPlan;
use anyhow::Context;
use payload::Text;
use payload::layout;
use payload::manifest::{Entry, HashingWriter, Manifest};
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Folders that mean "this is a Windows system drive": never write there.
const SYSTEM_MARKERS: [&str; 3] = ["Windows", "Program Files", "Users"];

/// Checks that `dir` may receive a stick; with `force`, empties it first.
pub fn prepare(dir: &Path, force: bool) -> anyhow::Result<()> {
    let entries: Vec<fs::DirEntry> = fs::read_dir(dir)
        .with_context(|| format!("{}", dir.display()))?
        .collect::<Result<_, _>>()?;
    let names: Vec<String> = entries
        .iter()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    if let Some(marker) = SYSTEM_MARKERS
        .iter()
        .find(|m| names.iter().any(|n| n.eq_ignore_ascii_case(m)))
    {
        anyhow::bail!(
            "{}",
            Text::new(
                format!(
                    "{} には {marker} フォルダーがあり、システムのドライブです。書き込みません。USB スティックを指定してください",
                    dir.display()
                ),
                format!(
                    "{} holds a {marker} folder: it is a system drive, not a stick. Nothing was written; give the USB stick's drive",
                    dir.display()
                ),
            )
        );
    }
    let contents: Vec<&fs::DirEntry> = entries
        .iter()
        .filter(|e| !layout::outside_manifest(&e.file_name().to_string_lossy()))
        .collect();
    if contents.is_empty() {
        return Ok(());
    }
    if !force {
        anyhow::bail!(
            "{}",
            Text::new(
                format!(
                    "{} は空ではありません ({} 項目)。中身を消して書き直すには --force を付けてください",
                    dir.display(),
                    contents.len()
                ),
                format!(
                    "{} is not empty ({} entries): add --force to erase it and write the stick",
                    dir.display(),
                    contents.len()
                ),
            )
        );
    }
    for entry in contents {
        let path = entry.path();
        let removed = if entry.file_type()?.is_dir() {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        removed.with_context(|| format!("cannot remove {}", path.display()))?;
    }
    Ok(())
}

/// Writes every file of `plan` under `dir`, then the manifest. On error, removes
/// what this run wrote.
pub fn write(plan: StickPlan, dir: &Path, bar: &Bar) -> anyhow::Result<Manifest> {
    let mut written: Vec<PathBuf> = Vec::new();
    let result = write_all(plan, dir, bar, &mut written);
    if result.is_err() {
        for path in written.iter().rev() {
            let _ = fs::remove_file(path);
        }
    }
    result
}

fn write_all(
    plan: StickPlan,
    dir: &Path,
    bar: &Bar,
    written: &mut Vec<PathBuf>,
) -> anyhow::Result<Manifest> {
    let mut entries = Vec::new();
    for mut file in plan.into_files() {
        let target = dir.join(&file.path);
        let expected = file.source.len();
        let (sha256, size) = write_atomically(&target, written, |out| {
            let counting = Counting {
                inner: out,
                bar,
                current: &file.path,
            };
            let mut hashing = HashingWriter::new(counting);
            file.source.write_to(&mut hashing)?;
            let (sha, len, _) = hashing.finish();
            Ok((sha, len))
        })
        .with_context(|| format!("{}", target.display()))?;
        if size != expected {
            anyhow::bail!(
                "{}: expected {expected} bytes, wrote {size}: was it changed while the stick was written?",
                file.path
            );
        }
        entries.push(Entry {
            path: file.path,
            size,
            sha256,
        });
    }
    let manifest = Manifest::from_entries(entries);
    for (path, text) in [
        (layout::MANIFEST_SUMS, manifest.to_sums()),
        (layout::MANIFEST_JSON, manifest.to_json()),
    ] {
        let target = dir.join(path);
        write_atomically(&target, written, |out| out.write_all(text.as_bytes()))
            .with_context(|| format!("{}", target.display()))?;
    }
    Ok(manifest)
}

/// Writes `target` through `target.oqs-partial`, synced, then renamed into place.
fn write_atomically<T>(
    target: &Path,
    written: &mut Vec<PathBuf>,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<T>,
) -> std::io::Result<T> {
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent)?;
    }
    let mut partial = target.as_os_str().to_owned();
    partial.push(".oqs-partial");
    let partial = PathBuf::from(partial);
    written.push(partial.clone());
    let mut out = BufWriter::with_capacity(1 << 20, File::create(&partial)?);
    let value = fill(&mut out)?;
    let file = out.into_inner().map_err(|e| e.into_error())?;
    // A stick pulled out right after "done" must hold what the manifest says.
    file.sync_all()?;
    drop(file);
    fs::rename(&partial, target)?;
    written.pop();
    written.push(target.to_owned());
    Ok(value)
}
