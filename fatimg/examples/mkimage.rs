//! Builds an image from a folder: `mkimage SRC_DIR OUT.img [--gpt] [--no-sync]`.
//! Used by `benches/fat-bench.sh`; also handy to look at what the writer produces.
//!
//! By default it writes like the builder does, with `Plan::write_image` (temp name,
//! fsync, rename). `--no-sync` writes straight to OUT.img with `Plan::write` and leaves
//! flushing to the kernel, to measure the writer itself rather than the disk.

use std::path::Path;
use std::time::Instant;

use fatimg::{FileSource, GptType, ImageBuilder, ImageOptions, NoProgress, PartitionStyle};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (src, out) = match args.as_slice() {
        [src, out, ..] => (Path::new(src), Path::new(out)),
        _ => return Err("usage: mkimage SRC_DIR OUT.img [--gpt] [--no-sync]".into()),
    };
    let partition = if args.iter().any(|a| a == "--gpt") {
        PartitionStyle::Gpt(GptType::BasicData)
    } else {
        PartitionStyle::Mbr
    };
    let start = Instant::now();
    let mut builder = ImageBuilder::new(ImageOptions {
        label: "MKIMAGE".into(),
        partition,
        ..Default::default()
    })?;
    add_tree(&mut builder, src, "")?;
    let plan = builder.plan()?;
    let (size, cluster, content) = (plan.image_size(), plan.cluster_size(), plan.content_bytes());
    let digests = if args.iter().any(|a| a == "--no-sync") {
        plan.write(&mut std::fs::File::create(out)?, &mut NoProgress)?
    } else {
        plan.write_image(out, &mut NoProgress)?
    };
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{}: {} files, {content} content bytes, image {size} bytes, {cluster}-byte clusters, {secs:.2} s, {:.0} MB/s",
        out.display(),
        digests.len(),
        content as f64 / secs / 1e6
    );
    Ok(())
}

/// Adds `dir`'s content under `prefix`, sorted by name so runs are reproducible.
fn add_tree(
    builder: &mut ImageBuilder,
    dir: &Path,
    prefix: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry
            .file_name()
            .into_string()
            .map_err(|n| format!("{n:?} is not UTF-8"))?;
        let path = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        if entry.file_type()?.is_dir() {
            builder.add_dir(&path)?;
            add_tree(builder, &entry.path(), &path)?;
        } else {
            builder.add_file(&path, Box::new(FileSource::new(entry.path())?))?;
        }
    }
    Ok(())
}
