//! Planning: short names, sizes, the volume geometry, a contiguous cluster run for every
//! folder and file, and the bytes of every folder. After this every byte of metadata is
//! known, so the writer can go front to back.

use crate::bpb::{Geometry, MIB, SECTOR};
use crate::builder::{ImageBuilder, NodeKind, PartitionStyle, ROOT};
use crate::error::{Error, Result};
use crate::gpt;
use crate::names::{self, ENTRY_SIZE, StoredName};
use crate::source::Source;
use crate::time::dos_date_time;

/// Free space an automatically sized image keeps: room for a log or a fixed file later.
const SLACK: u64 = 16 * MIB;
/// The partition starts at 1 MiB, like every partitioning tool since Windows Vista.
pub(crate) const PARTITION_LBA: u64 = MIB / SECTOR;
/// FAT's limit on entries in one folder (offsets within a folder are 16-bit).
const MAX_DIR_ENTRIES: usize = 65_536;

const ATTR_VOLUME_ID: u8 = 0x08;
const ATTR_DIRECTORY: u8 = 0x10;
const ATTR_ARCHIVE: u8 = 0x20;

/// The finished layout of an image; [`Plan::write`] writes it.
pub struct Plan {
    pub(crate) style: PartitionStyle,
    pub(crate) seed: u64,
    pub(crate) serial: u32,
    pub(crate) label: [u8; 11],
    pub(crate) geometry: Geometry,
    pub(crate) disk_sectors: u64,
    /// All folders' clusters, from cluster 2 on.
    pub(crate) dir_region: Vec<u8>,
    /// Cluster runs in allocation order (folders, then non-empty files).
    pub(crate) runs: Vec<u64>,
    pub(crate) files: Vec<PlanFile>,
}

pub(crate) struct PlanFile {
    pub(crate) path: String,
    pub(crate) size: u64,
    pub(crate) first_cluster: u64,
    pub(crate) source: Box<dyn Source>,
}

/// Where one file lands in the image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedFile<'a> {
    pub path: &'a str,
    pub size: u64,
    /// Byte offset of the file's first byte in the image; its bytes follow contiguously
    /// (0 for an empty file, which has no clusters).
    pub offset: u64,
}

struct Folder {
    node: usize,
    names: Vec<StoredName>,
    entries: usize,
}

impl ImageBuilder {
    /// Fixes the layout: names, image size, cluster size, where everything goes.
    pub fn plan(self) -> Result<Plan> {
        let folders = self.folders()?;
        let file_nodes: Vec<usize> = (0..self.nodes.len())
            .filter(|&n| matches!(self.nodes[n].kind, NodeKind::File { .. }))
            .collect();
        let file_size = |n: usize| match self.nodes[n].kind {
            NodeKind::File { size, .. } => size,
            NodeKind::Dir { .. } => 0,
        };
        let needed = |cluster: u64| -> u64 {
            folders.iter().map(|f| f.clusters(cluster)).sum::<u64>()
                + file_nodes
                    .iter()
                    .map(|&n| file_size(n).div_ceil(cluster))
                    .sum::<u64>()
        };
        let style = self.options.partition;
        let geometry = match self.options.size {
            None => fit(needed, SLACK)?,
            Some(forced) => {
                let part = partition_sectors(style, forced / SECTOR);
                check_size(part)?;
                match Geometry::new(part, PARTITION_LBA) {
                    Some(g) if g.clusters >= needed(g.cluster_bytes()) => g,
                    _ => {
                        let min = fit(needed, 0)?;
                        return Err(Error::DoesNotFit {
                            needed: disk_sectors(style, min.total_sectors) * SECTOR,
                            forced,
                        });
                    }
                }
            }
        };
        let cluster = geometry.cluster_bytes();

        // Clusters: folders first (root at 2), then files, each in the order added.
        let mut first = vec![0u64; self.nodes.len()];
        let mut runs = Vec::new();
        let mut next = 2;
        for folder in &folders {
            let len = folder.clusters(cluster);
            first[folder.node] = next;
            runs.push(len);
            next += len;
        }
        for &n in &file_nodes {
            let len = file_size(n).div_ceil(cluster);
            if len > 0 {
                first[n] = next;
                runs.push(len);
                next += len;
            }
        }

        let stamp = dos_date_time(self.options.timestamp);
        let mut dir_region = Vec::new();
        for folder in &folders {
            self.encode_folder(folder, &first, stamp, &mut dir_region);
            let end = first[folder.node] - 2 + folder.clusters(cluster);
            dir_region.resize((end * cluster) as usize, 0);
        }

        let paths: Vec<String> = file_nodes.iter().map(|&n| self.path_of(n)).collect();
        let ImageBuilder {
            options,
            label,
            nodes,
            ..
        } = self;
        let files = nodes
            .into_iter()
            .enumerate()
            .filter_map(|(n, node)| match node.kind {
                NodeKind::File { size, source } => Some((n, size, source)),
                NodeKind::Dir { .. } => None,
            })
            .zip(paths)
            .map(|((n, size, source), path)| PlanFile {
                path,
                size,
                first_cluster: first[n],
                source,
            })
            .collect();
        Ok(Plan {
            style,
            seed: options.seed,
            serial: options.volume_serial,
            label,
            geometry,
            disk_sectors: disk_sectors(style, geometry.total_sectors)
                .max(options.size.unwrap_or(0) / SECTOR),
            dir_region,
            runs,
            files,
        })
    }

    /// Every folder (root first) with its children's stored names and entry count.
    fn folders(&self) -> Result<Vec<Folder>> {
        let mut folders = Vec::new();
        for (node, entry) in self.nodes.iter().enumerate() {
            let NodeKind::Dir { children } = &entry.kind else {
                continue;
            };
            let child_names: Vec<&str> = children
                .iter()
                .map(|&c| self.nodes[c].name.as_str())
                .collect();
            let names = names::assign(&child_names);
            // Root: the volume label entry; others: "." and "..".
            let own = if node == ROOT { 1 } else { 2 };
            let entries = own
                + child_names
                    .iter()
                    .zip(&names)
                    .map(|(n, s)| names::entry_count(n, s))
                    .sum::<usize>();
            if entries > MAX_DIR_ENTRIES {
                return Err(Error::TooManyEntries {
                    path: self.path_of(node),
                    entries,
                });
            }
            folders.push(Folder {
                node,
                names,
                entries,
            });
        }
        Ok(folders)
    }

    fn encode_folder(&self, folder: &Folder, first: &[u64], stamp: (u16, u16), out: &mut Vec<u8>) {
        let NodeKind::Dir { children } = &self.nodes[folder.node].kind else {
            unreachable!("folders are dirs")
        };
        if folder.node == ROOT {
            out.extend_from_slice(&short_entry(&self.label, ATTR_VOLUME_ID, 0, 0, 0, stamp));
        } else {
            let parent = self.nodes[folder.node].parent;
            // ".." of a first-level folder points at cluster 0, meaning the root.
            let parent_cluster = if parent == ROOT { 0 } else { first[parent] };
            out.extend_from_slice(&short_entry(
                b".          ",
                ATTR_DIRECTORY,
                0,
                first[folder.node],
                0,
                stamp,
            ));
            out.extend_from_slice(&short_entry(
                b"..         ",
                ATTR_DIRECTORY,
                0,
                parent_cluster,
                0,
                stamp,
            ));
        }
        for (&child, stored) in children.iter().zip(&folder.names) {
            let node = &self.nodes[child];
            if stored.long {
                names::long_entries(&node.name, &stored.short.bytes)
                    .iter()
                    .for_each(|e| out.extend_from_slice(e));
            }
            let (attr, size) = match node.kind {
                NodeKind::Dir { .. } => (ATTR_DIRECTORY, 0),
                NodeKind::File { size, .. } => (ATTR_ARCHIVE, size as u32),
            };
            out.extend_from_slice(&short_entry(
                &stored.short.bytes,
                attr,
                stored.short.case,
                first[child],
                size,
                stamp,
            ));
        }
    }
}

impl Folder {
    /// A folder takes at least one cluster, even when empty.
    fn clusters(&self, cluster: u64) -> u64 {
        ((self.entries * ENTRY_SIZE) as u64)
            .div_ceil(cluster)
            .max(1)
    }
}

fn short_entry(
    name: &[u8; 11],
    attr: u8,
    case: u8,
    cluster: u64,
    size: u32,
    (date, time): (u16, u16),
) -> [u8; 32] {
    let mut e = [0u8; 32];
    e[..11].copy_from_slice(name);
    e[11] = attr;
    e[12] = case;
    e[14..16].copy_from_slice(&time.to_le_bytes());
    e[16..18].copy_from_slice(&date.to_le_bytes());
    e[18..20].copy_from_slice(&date.to_le_bytes());
    e[20..22].copy_from_slice(&((cluster >> 16) as u16).to_le_bytes());
    e[22..24].copy_from_slice(&time.to_le_bytes());
    e[24..26].copy_from_slice(&date.to_le_bytes());
    e[26..28].copy_from_slice(&(cluster as u16).to_le_bytes());
    e[28..32].copy_from_slice(&size.to_le_bytes());
    e
}

/// The smallest MiB-multiple volume holding `needed(cluster size)` clusters plus `slack`
/// bytes. Cluster size grows with the volume, so this walks up until it fits.
fn fit(needed: impl Fn(u64) -> u64, slack: u64) -> Result<Geometry> {
    let step = MIB / SECTOR;
    let mut part = 32 * step;
    loop {
        check_size(part)?;
        match Geometry::new(part, PARTITION_LBA) {
            None => part += step,
            Some(g) => {
                let want = needed(g.cluster_bytes()) + slack.div_ceil(g.cluster_bytes());
                if g.clusters >= want {
                    return Ok(g);
                }
                part += ((want - g.clusters) * g.cluster_bytes()).div_ceil(MIB) * step;
            }
        }
    }
}

fn check_size(part_sectors: u64) -> Result<()> {
    if part_sectors > u64::from(u32::MAX) {
        return Err(Error::TooLarge {
            size: part_sectors * SECTOR,
        });
    }
    Ok(())
}

/// Disk sectors for a partition of `part` sectors: 1 MiB in front; GPT also keeps its
/// backup table in a last MiB, so the disk stays a whole number of MiB.
fn disk_sectors(style: PartitionStyle, part: u64) -> u64 {
    match style {
        PartitionStyle::Mbr => PARTITION_LBA + part,
        PartitionStyle::Gpt(_) => PARTITION_LBA + part + MIB / SECTOR,
    }
}

/// The largest MiB-multiple partition a disk of `disk` sectors holds.
fn partition_sectors(style: PartitionStyle, disk: u64) -> u64 {
    let tail = match style {
        PartitionStyle::Mbr => 0,
        PartitionStyle::Gpt(_) => 1 + gpt::ENTRY_SECTORS,
    };
    let step = MIB / SECTOR;
    disk.saturating_sub(PARTITION_LBA + tail) / step * step
}

impl Plan {
    /// Total image size in bytes.
    pub fn image_size(&self) -> u64 {
        self.disk_sectors * SECTOR
    }

    /// Byte offset of the FAT32 partition in the image.
    pub fn partition_offset(&self) -> u64 {
        self.geometry.hidden_sectors * SECTOR
    }

    /// Size of the FAT32 partition in bytes.
    pub fn partition_size(&self) -> u64 {
        self.geometry.total_sectors * SECTOR
    }

    /// Cluster size in bytes.
    pub fn cluster_size(&self) -> u64 {
        self.geometry.cluster_bytes()
    }

    /// Bytes left free in the volume after the content.
    pub fn free_bytes(&self) -> u64 {
        (self.geometry.clusters - self.used_clusters()) * self.cluster_size()
    }

    /// Total bytes of file content (what progress counts up to).
    pub fn content_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }

    /// The files in the order they will be written, with where they land.
    pub fn files(&self) -> impl Iterator<Item = PlannedFile<'_>> {
        self.files.iter().map(|f| PlannedFile {
            path: &f.path,
            size: f.size,
            offset: if f.size == 0 {
                0
            } else {
                self.cluster_offset(f.first_cluster)
            },
        })
    }

    pub(crate) fn used_clusters(&self) -> u64 {
        self.runs.iter().sum()
    }

    /// Byte offset of `cluster` in the image.
    pub(crate) fn cluster_offset(&self, cluster: u64) -> u64 {
        self.partition_offset() + self.geometry.data_offset() + (cluster - 2) * self.cluster_size()
    }
}
