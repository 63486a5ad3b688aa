//! Reading images back: partition table (MBR, GPT, or none), the FAT32 volume, its tree
//! with long names, and file contents following the FAT. Used to verify and inspect
//! sticks, including ones not written by us.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::fat::{FIRST_END, MASK};
use crate::gpt::{self, Guid};
use crate::mbr;
use crate::names::{ATTR_LONG_NAME, ENTRY_SIZE, LongNameReader, display_short};
use crate::source::CHUNK;
use crate::writer::FileDigest;

const SECTOR: u64 = 512;

/// How the image is partitioned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableKind {
    Mbr,
    Gpt,
    /// The image is one volume, no partition table ("superfloppy").
    None,
}

/// What the partition table says about a partition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartitionKind {
    Mbr {
        type_id: u8,
        active: bool,
    },
    Gpt {
        type_guid: Guid,
        guid: Guid,
        name: String,
    },
    /// The whole image, when it has no partition table.
    Whole,
}

/// One partition: where it is and what the table says about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partition {
    /// Byte offset in the image.
    pub offset: u64,
    pub size: u64,
    pub kind: PartitionKind,
}

/// A disk image opened for reading.
pub struct Image<R> {
    disk: R,
    name: String,
    table: TableKind,
    partitions: Vec<Partition>,
}

impl Image<File> {
    /// Opens an image file and reads its partition table.
    pub fn open(path: &Path) -> Result<Image<File>> {
        let name = path.display().to_string();
        let file = File::open(path).map_err(Error::io(format!("opening {name}")))?;
        Image::with_name(file, name)
    }
}

impl<R: Read + Seek> Image<R> {
    /// Reads the partition table of a disk image in `disk`.
    pub fn new(disk: R) -> Result<Image<R>> {
        Image::with_name(disk, "the image".into())
    }

    fn with_name(mut disk: R, name: String) -> Result<Image<R>> {
        let len = disk
            .seek(SeekFrom::End(0))
            .map_err(Error::io(format!("reading {name}")))?;
        let first = read_at(&mut disk, &name, 0, SECTOR as usize)?;
        let (table, partitions) = if is_fat_boot_sector(&first) {
            (
                TableKind::None,
                vec![Partition {
                    offset: 0,
                    size: len,
                    kind: PartitionKind::Whole,
                }],
            )
        } else if first[510..] != [0x55, 0xAA] {
            return Err(Error::corrupt(
                &name,
                "no partition table and no FAT32 boot sector in sector 0",
            ));
        } else if (0..4)
            .any(|i| first[mbr::ENTRIES_OFFSET + 16 * i + 4] == mbr::TYPE_GPT_PROTECTIVE)
        {
            (TableKind::Gpt, read_gpt(&mut disk, &name, len)?)
        } else {
            (TableKind::Mbr, read_mbr(&first))
        };
        if let Some(p) = partitions.iter().find(|p| p.offset + p.size > len) {
            return Err(Error::corrupt(
                &name,
                format!(
                    "a partition ends at byte {} but the image has {len}",
                    p.offset + p.size
                ),
            ));
        }
        Ok(Image {
            disk,
            name,
            table,
            partitions,
        })
    }

    pub fn table(&self) -> TableKind {
        self.table
    }

    /// The partitions in table order.
    pub fn partitions(&self) -> &[Partition] {
        &self.partitions
    }

    /// The FAT32 volume in partition `index` (0-based, in table order).
    pub fn volume(&mut self, index: usize) -> Result<Volume<&mut R>> {
        let count = self.partitions.len();
        let p = self
            .partitions
            .get(index)
            .ok_or(Error::NoPartition { index, count })?;
        let name = format!("{} partition {}", self.name, index + 1);
        Volume::new(&mut self.disk, p.offset, name)
    }
}

fn is_fat_boot_sector(s: &[u8]) -> bool {
    matches!(s[0], 0xEB | 0xE9) && &s[82..90] == b"FAT32   " && s[510..] == [0x55, 0xAA]
}

fn read_mbr(s: &[u8]) -> Vec<Partition> {
    (0..4)
        .map(|i| &s[mbr::ENTRIES_OFFSET + 16 * i..][..16])
        .filter(|e| e[4] != 0)
        .map(|e| Partition {
            offset: u64::from(u32::from_le_bytes(e[8..12].try_into().expect("4 bytes"))) * SECTOR,
            size: u64::from(u32::from_le_bytes(e[12..16].try_into().expect("4 bytes"))) * SECTOR,
            kind: PartitionKind::Mbr {
                type_id: e[4],
                active: e[0] == 0x80,
            },
        })
        .collect()
}

/// Reads the primary GPT, checking both headers' and the entries' CRCs.
fn read_gpt<R: Read + Seek>(disk: &mut R, name: &str, len: u64) -> Result<Vec<Partition>> {
    let header = read_at(disk, name, SECTOR, SECTOR as usize)?;
    let (entries_lba, count, size, crc) =
        gpt::parse_header(&header).map_err(|e| Error::corrupt(format!("{name} GPT header"), e))?;
    let entries = read_at(disk, name, entries_lba * SECTOR, count * size)?;
    if crate::crc32::crc32(&entries) != crc {
        return Err(Error::corrupt(
            format!("{name} GPT"),
            "partition entries CRC32 does not match",
        ));
    }
    let alternate = u64::from_le_bytes(header[32..40].try_into().expect("8 bytes"));
    if alternate
        .checked_mul(SECTOR)
        .is_none_or(|at| at + SECTOR > len)
    {
        return Err(Error::corrupt(
            format!("{name} GPT"),
            "the backup header lies beyond the image end",
        ));
    }
    let backup = read_at(disk, name, alternate * SECTOR, SECTOR as usize)?;
    gpt::parse_header(&backup)
        .map_err(|e| Error::corrupt(format!("{name} backup GPT header"), e))?;
    Ok(entries
        .chunks(size)
        .filter(|e| e[..16].iter().any(|&b| b != 0))
        .map(|e| {
            let guid = |at: usize| Guid(e[at..at + 16].try_into().expect("16 bytes"));
            let lba = |at: usize| u64::from_le_bytes(e[at..at + 8].try_into().expect("8 bytes"));
            let units: Vec<u16> = e[56..128]
                .chunks(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .take_while(|&u| u != 0)
                .collect();
            Partition {
                offset: lba(32) * SECTOR,
                size: (lba(40) + 1).saturating_sub(lba(32)) * SECTOR,
                kind: PartitionKind::Gpt {
                    type_guid: guid(0),
                    guid: guid(16),
                    name: String::from_utf16_lossy(&units),
                },
            }
        })
        .collect())
}

fn read_at<R: Read + Seek>(disk: &mut R, name: &str, offset: u64, len: usize) -> Result<Vec<u8>> {
    let mut buf = vec![0u8; len];
    disk.seek(SeekFrom::Start(offset))
        .and_then(|_| disk.read_exact(&mut buf))
        .map_err(Error::io(format!("reading {name} at byte {offset}")))?;
    Ok(buf)
}

/// Facts about a FAT32 volume, for `inspect`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VolumeInfo {
    /// From the root folder's label entry (what Windows shows), else the boot sector.
    pub label: String,
    pub serial: u32,
    pub cluster_size: u64,
    pub clusters: u64,
    pub free_clusters: u64,
}

/// One folder or file in a volume.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    /// '/'-separated path from the root, long names.
    pub path: String,
    pub is_dir: bool,
    pub size: u64,
    /// The 8.3 name as stored (upper case).
    pub short_name: String,
    cluster: u32,
}

/// A FAT32 volume in an image.
pub struct Volume<R> {
    disk: R,
    name: String,
    /// Byte offsets in the image.
    data_offset: u64,
    cluster_size: u64,
    root: u32,
    fat: Vec<u32>,
    info: VolumeInfo,
}

impl<R: Read + Seek> Volume<R> {
    /// Reads the boot sector at byte `offset` of `disk` and the first FAT.
    fn new(mut disk: R, offset: u64, name: String) -> Result<Volume<R>> {
        let s = read_at(&mut disk, &name, offset, SECTOR as usize)?;
        let u16_at = |o: usize| u64::from(u16::from_le_bytes([s[o], s[o + 1]]));
        let u32_at =
            |o: usize| u64::from(u32::from_le_bytes(s[o..o + 4].try_into().expect("4 bytes")));
        let corrupt = |detail: &str| Error::corrupt(&name, detail);
        if s[510..] != [0x55, 0xAA] {
            return Err(corrupt("no boot sector signature"));
        }
        let (bytes_per_sector, per_cluster, reserved, fats) =
            (u16_at(11), u64::from(s[13]), u16_at(14), u64::from(s[16]));
        if !(512..=4096).contains(&bytes_per_sector) || !bytes_per_sector.is_power_of_two() {
            return Err(corrupt("bytes per sector is not 512..4096"));
        }
        if !per_cluster.is_power_of_two() || reserved == 0 || fats == 0 {
            return Err(corrupt(
                "sectors per cluster, reserved sectors or FAT count is invalid",
            ));
        }
        let (fat_sectors, root_entries, fat16_sectors) = (u32_at(36), u16_at(17), u16_at(22));
        if fat_sectors == 0 || root_entries != 0 || fat16_sectors != 0 {
            return Err(corrupt(
                "not FAT32 (FAT12, FAT16, exFAT and NTFS volumes are not read)",
            ));
        }
        let total = if u16_at(19) != 0 {
            u16_at(19)
        } else {
            u32_at(32)
        };
        let data_start = reserved + fats * fat_sectors;
        let clusters = total
            .checked_sub(data_start)
            .ok_or_else(|| corrupt("FATs are larger than the volume"))?
            / per_cluster;
        let fat_bytes = read_at(
            &mut disk,
            &name,
            offset + reserved * bytes_per_sector,
            (fat_sectors * bytes_per_sector) as usize,
        )?;
        let fat: Vec<u32> = fat_bytes
            .chunks_exact(4)
            .take((clusters + 2) as usize)
            .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")) & MASK)
            .collect();
        if (fat.len() as u64) < clusters + 2 {
            return Err(corrupt("the FAT is too small for the cluster count"));
        }
        let free_clusters = fat[2..].iter().filter(|&&e| e == 0).count() as u64;
        let bpb_label = if s[66] == 0x29 {
            String::from_utf8_lossy(&s[71..82]).trim_end().to_string()
        } else {
            String::new()
        };
        let mut volume = Volume {
            disk,
            name,
            data_offset: offset + data_start * bytes_per_sector,
            cluster_size: per_cluster * bytes_per_sector,
            root: u32_at(44) as u32,
            fat,
            info: VolumeInfo {
                label: bpb_label,
                serial: u32_at(67) as u32,
                cluster_size: per_cluster * bytes_per_sector,
                clusters,
                free_clusters,
            },
        };
        let root = volume.root;
        if let Some(label) = volume.read_folder(root, "", true)?.1 {
            volume.info.label = label;
        }
        Ok(volume)
    }

    pub fn info(&self) -> &VolumeInfo {
        &self.info
    }

    /// The entries of the folder at `path` ("" or "/" for the root).
    pub fn read_dir(&mut self, path: &str) -> Result<Vec<DirEntry>> {
        let dir = self.find(path)?;
        if !dir.is_dir {
            return Err(Error::NotFound {
                path: format!("{path} (a file, not a folder)"),
            });
        }
        Ok(self
            .read_folder(dir.cluster, &dir.path, dir.cluster == self.root)?
            .0)
    }

    /// Every folder and file, each folder right before its content, in on-disk order.
    pub fn walk(&mut self) -> Result<Vec<DirEntry>> {
        let mut all = Vec::new();
        let mut seen = HashSet::from([self.root]);
        let root = self.root;
        let mut stack: Vec<DirEntry> = self.read_folder(root, "", true)?.0;
        stack.reverse();
        while let Some(e) = stack.pop() {
            if e.is_dir {
                if !seen.insert(e.cluster) {
                    return Err(Error::corrupt(
                        &self.name,
                        format!("folder {} loops back on itself", e.path),
                    ));
                }
                let mut children = self.read_folder(e.cluster, &e.path, false)?.0;
                children.reverse();
                stack.extend(children);
            }
            all.push(e);
        }
        Ok(all)
    }

    /// A reader for the file at `path` (names match ignoring case, like Windows).
    pub fn open_file(&mut self, path: &str) -> Result<FileReader<'_, R>> {
        let entry = self.find(path)?;
        if entry.is_dir {
            return Err(Error::NotFound {
                path: format!("{path} (a folder, not a file)"),
            });
        }
        Ok(FileReader {
            cluster: entry.cluster,
            offset_in_cluster: 0,
            remaining: entry.size,
            volume: self,
        })
    }

    /// Size and SHA-256 of the file at `path`, read in large chunks.
    pub fn digest(&mut self, path: &str) -> Result<FileDigest> {
        let name = self.name.clone();
        let mut reader = self.open_file(path)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; CHUNK];
        let mut size = 0;
        loop {
            let n = reader
                .read(&mut buf)
                .map_err(Error::io(format!("reading {path} in {name}")))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            size += n as u64;
        }
        Ok(FileDigest {
            size,
            sha256: hasher.finalize().into(),
        })
    }

    fn find(&mut self, path: &str) -> Result<DirEntry> {
        let mut current = DirEntry {
            path: String::new(),
            is_dir: true,
            size: 0,
            short_name: String::new(),
            cluster: self.root,
        };
        for part in path.split('/').filter(|p| !p.is_empty()) {
            if !current.is_dir {
                return Err(Error::NotFound { path: path.into() });
            }
            let entries = self
                .read_folder(current.cluster, &current.path, current.cluster == self.root)?
                .0;
            let wanted = part.to_lowercase();
            current = entries
                .into_iter()
                .find(|e| {
                    let name = e.path.rsplit('/').next().unwrap_or_default();
                    name.to_lowercase() == wanted || e.short_name.eq_ignore_ascii_case(part)
                })
                .ok_or_else(|| Error::NotFound { path: path.into() })?;
        }
        Ok(current)
    }

    /// A folder's entries (without "." and ".."), and its volume label if it has one.
    fn read_folder(
        &mut self,
        first: u32,
        path: &str,
        is_root: bool,
    ) -> Result<(Vec<DirEntry>, Option<String>)> {
        let mut bytes = Vec::new();
        for cluster in self.chain(first)? {
            let offset = self.cluster_offset(cluster);
            bytes.extend(read_at(
                &mut self.disk,
                &self.name,
                offset,
                self.cluster_size as usize,
            )?);
        }
        let mut entries = Vec::new();
        let mut label = None;
        let mut long = LongNameReader::default();
        for e in bytes.chunks_exact(ENTRY_SIZE) {
            let attr = e[11];
            match e[0] {
                0 => break,
                0xE5 => long.reset(),
                _ if attr & 0x3F == ATTR_LONG_NAME => long.push(e),
                _ if attr & 0x08 != 0 => {
                    long.reset();
                    if is_root {
                        label = Some(String::from_utf8_lossy(&e[..11]).trim_end().to_string());
                    }
                }
                b'.' => long.reset(),
                _ => {
                    let short: [u8; 11] = e[..11].try_into().expect("11 bytes");
                    let name = long
                        .finish(&short)
                        .unwrap_or_else(|| display_short(&short, e[12]));
                    let cluster = (u32::from(u16::from_le_bytes([e[20], e[21]])) << 16)
                        | u32::from(u16::from_le_bytes([e[26], e[27]]));
                    let is_dir = attr & 0x10 != 0;
                    entries.push(DirEntry {
                        path: if path.is_empty() {
                            name
                        } else {
                            format!("{path}/{name}")
                        },
                        is_dir,
                        size: if is_dir {
                            0
                        } else {
                            u64::from(u32::from_le_bytes(e[28..32].try_into().expect("4 bytes")))
                        },
                        short_name: display_short(&short, 0),
                        cluster,
                    });
                }
            }
        }
        Ok((entries, label))
    }

    /// The clusters of the chain starting at `first`, checked to stay inside the volume
    /// and not to loop.
    fn chain(&self, first: u32) -> Result<Vec<u32>> {
        let mut clusters = Vec::new();
        let mut at = first;
        while at < FIRST_END {
            if !self.valid_cluster(at) || clusters.len() as u64 > self.info.clusters {
                return Err(Error::corrupt(
                    &self.name,
                    format!("a cluster chain from cluster {first} is broken"),
                ));
            }
            clusters.push(at);
            at = self.fat[at as usize];
        }
        Ok(clusters)
    }

    fn valid_cluster(&self, cluster: u32) -> bool {
        (2..self.fat.len() as u64).contains(&u64::from(cluster))
    }

    fn cluster_offset(&self, cluster: u32) -> u64 {
        self.data_offset + u64::from(cluster - 2) * self.cluster_size
    }
}

/// Reads one file's bytes, following its cluster chain; contiguous clusters are read in
/// one go.
pub struct FileReader<'v, R> {
    volume: &'v mut Volume<R>,
    cluster: u32,
    offset_in_cluster: u64,
    remaining: u64,
}

impl<R: Read + Seek> Read for FileReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 || buf.is_empty() {
            return Ok(0);
        }
        let vol = &mut *self.volume;
        let size = vol.cluster_size;
        let broken = || {
            io::Error::new(
                io::ErrorKind::InvalidData,
                "the file's cluster chain is broken",
            )
        };
        if self.offset_in_cluster == size {
            self.cluster = vol.fat[self.cluster as usize];
            self.offset_in_cluster = 0;
        }
        if !vol.valid_cluster(self.cluster) {
            return Err(broken());
        }
        let want = (buf.len() as u64).min(self.remaining);
        let mut run = size - self.offset_in_cluster;
        let mut last = self.cluster;
        while run < want && vol.fat[last as usize] == last + 1 && vol.valid_cluster(last + 1) {
            last += 1;
            run += size;
        }
        let n = want.min(run);
        vol.disk.seek(SeekFrom::Start(
            vol.cluster_offset(self.cluster) + self.offset_in_cluster,
        ))?;
        vol.disk.read_exact(&mut buf[..n as usize])?;
        let advanced = self.offset_in_cluster + n;
        let whole = (advanced - 1) / size;
        self.cluster += whole as u32;
        self.offset_in_cluster = advanced - whole * size;
        self.remaining -= n;
        Ok(n as usize)
    }
}
