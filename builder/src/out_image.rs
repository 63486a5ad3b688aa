//! Writing the stick as a raw disk image (for dd, Rufus, Etcher): one FAT32
//! partition written front to back, every file read once and hashed on the way.
//! The manifest's space is reserved up front and filled in place at the end:
//! its bytes depend on hashes that exist only once the files are written.

use crate::progress::Bar;
use crate::stick::StickPlan;
use anyhow::Context;
use fatimg::{GptType, ImageBuilder, ImageOptions, PartitionStyle};
use payload::layout;
use payload::manifest::{Entry, Manifest};
use std::fs::{self, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

pub struct ImageSettings {
    pub gpt: bool,
    pub size: Option<u64>,
    /// Fixes serials and GUIDs so the same inputs give the same image.
    pub seed: u64,
    /// Every file's timestamp (seconds since 1970), e.g. SOURCE_DATE_EPOCH.
    pub timestamp: u64,
}

pub fn write(
    plan: StickPlan,
    out: &Path,
    settings: &ImageSettings,
    bar: &Bar,
) -> anyhow::Result<Manifest> {
    let placeholder = plan.placeholder_manifest();
    let manifest_files = [
        (layout::MANIFEST_SUMS, placeholder.to_sums().len()),
        (layout::MANIFEST_JSON, placeholder.to_json().len()),
    ];
    let mut builder = ImageBuilder::new(ImageOptions {
        label: layout::VOLUME_LABEL.into(),
        volume_serial: settings.seed as u32 ^ (settings.seed >> 32) as u32,
        partition: if settings.gpt {
            PartitionStyle::Gpt(GptType::BasicData)
        } else {
            PartitionStyle::Mbr
        },
        size: settings.size,
        seed: settings.seed,
        timestamp: settings.timestamp,
    })?;
    for file in plan.into_files() {
        builder.add_file(&file.path, file.source)?;
    }
    for (path, len) in manifest_files {
        builder.add_file(path, Box::new(vec![0u8; len]))?;
    }
    let plan = builder.plan()?;
    let offsets: Vec<(&str, u64)> = manifest_files
        .iter()
        .map(|(path, _)| {
            let planned = plan
                .files()
                .find(|f| f.path == *path)
                .expect("the manifest files were just added");
            (*path, planned.offset)
        })
        .collect();

    let partial = partial_name(out);
    let result = (|| -> anyhow::Result<Manifest> {
        let mut file = fs::File::create(&partial)?;
        let mut progress = bar;
        let digests = plan.write(&mut file, &mut progress)?;
        let manifest = Manifest::from_entries(
            digests
                .into_iter()
                .filter(|(path, _)| !layout::outside_manifest(path))
                .map(|(path, d)| Entry {
                    path,
                    size: d.size,
                    sha256: hex(&d.sha256),
                }),
        );
        let mut file = OpenOptions::new().write(true).open(&partial)?;
        for (path, offset) in &offsets {
            let text = if *path == layout::MANIFEST_SUMS {
                manifest.to_sums()
            } else {
                manifest.to_json()
            };
            let reserved = manifest_files
                .iter()
                .find(|(p, _)| p == path)
                .map(|(_, l)| *l);
            anyhow::ensure!(
                reserved == Some(text.len()),
                "{path}: rendered manifest length differs from the reserved space (a bug: please report)"
            );
            file.seek(SeekFrom::Start(*offset))?;
            file.write_all(text.as_bytes())?;
        }
        file.sync_all()?;
        Ok(manifest)
    })();
    match result {
        Ok(manifest) => {
            fs::rename(&partial, out).with_context(|| format!("{}", out.display()))?;
            Ok(manifest)
        }
        Err(e) => {
            let _ = fs::remove_file(&partial);
            Err(e.context(format!("{}", out.display())))
        }
    }
}

fn partial_name(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
