//! `oqs-builder inspect`: what an image holds: partition table, volume, tree.

use crate::cli::{Global, InspectArgs};
use crate::report;
use fatimg::{Image, PartitionKind, TableKind};
use std::process::ExitCode;

#[derive(serde::Serialize)]
struct Inspection {
    table: &'static str,
    partitions: Vec<PartitionRow>,
    volume: Option<VolumeRow>,
    tree: Vec<TreeRow>,
}

#[derive(serde::Serialize)]
struct PartitionRow {
    offset: u64,
    size: u64,
    kind: String,
}

#[derive(serde::Serialize)]
struct VolumeRow {
    label: String,
    serial: String,
    cluster_size: u64,
    clusters: u64,
    free_bytes: u64,
}

#[derive(serde::Serialize)]
struct TreeRow {
    path: String,
    is_dir: bool,
    size: u64,
    short_name: String,
}

pub fn run(args: &InspectArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let mut image = Image::open(&args.image)?;
    let table = match image.table() {
        TableKind::Mbr => "MBR",
        TableKind::Gpt => "GPT",
        TableKind::None => "none (superfloppy)",
    };
    let partitions = image
        .partitions()
        .iter()
        .map(|p| PartitionRow {
            offset: p.offset,
            size: p.size,
            kind: match &p.kind {
                PartitionKind::Mbr { type_id, active } => {
                    format!(
                        "type 0x{type_id:02X}{}",
                        if *active { ", active" } else { "" }
                    )
                }
                PartitionKind::Gpt {
                    type_guid, name, ..
                } => format!("{type_guid} {name:?}"),
                PartitionKind::Whole => "whole image".into(),
            },
        })
        .collect();
    let mut volume = image.volume(0)?;
    let info = volume.info().clone();
    let tree = volume
        .walk()?
        .into_iter()
        .map(|e| TreeRow {
            path: e.path,
            is_dir: e.is_dir,
            size: e.size,
            short_name: e.short_name,
        })
        .collect();
    let inspection = Inspection {
        table,
        partitions,
        volume: Some(VolumeRow {
            label: info.label,
            serial: format!("{:04X}-{:04X}", info.serial >> 16, info.serial & 0xFFFF),
            cluster_size: info.cluster_size,
            clusters: info.clusters,
            free_bytes: info.free_clusters * info.cluster_size,
        }),
        tree,
    };
    if global.json {
        report::json(&inspection);
    } else {
        print(&inspection);
    }
    Ok(ExitCode::SUCCESS)
}

fn print(i: &Inspection) {
    println!("partition table: {}", i.table);
    for (n, p) in i.partitions.iter().enumerate() {
        println!(
            "  #{n}: offset {} MiB, {} MiB, {}",
            p.offset >> 20,
            p.size >> 20,
            p.kind
        );
    }
    if let Some(v) = &i.volume {
        println!(
            "volume: label {:?}, serial {}, cluster {} bytes, {} clusters, {} MiB free",
            v.label,
            v.serial,
            v.cluster_size,
            v.clusters,
            v.free_bytes >> 20
        );
    }
    for row in &i.tree {
        let depth = row.path.matches('/').count();
        let name = row.path.rsplit('/').next().unwrap_or(&row.path);
        if row.is_dir {
            println!("{:indent$}{name}/", "", indent = 2 * depth);
        } else {
            println!(
                "{:indent$}{name}  {} bytes",
                "",
                row.size,
                indent = 2 * depth
            );
        }
    }
}
