//! Writing a [`Plan`]: the image front to back, every file streamed once, its SHA-256
//! taken on a second thread.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::bpb::{BACKUP_BOOT_SECTOR, FSINFO_SECTOR, SECTOR, fsinfo_sector};
use crate::builder::{GptType, PartitionStyle};
use crate::error::{Error, Result};
use crate::fat;
use crate::gpt::{self, Gpt, Guid};
use crate::hashing::{Feed, with_hashing};
use crate::layout::{PARTITION_LBA, Plan, PlanFile};
use crate::mbr;
use crate::source::CHUNK;

/// Size and SHA-256 of one written file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileDigest {
    pub size: u64,
    pub sha256: [u8; 32],
}

/// Every written file's digest, keyed by its path in the image as it was added.
pub type Digests = BTreeMap<String, FileDigest>;

/// Told how far the writer got, to drive a progress bar. `done` and `total` count file
/// content bytes; `current` is the file being written.
pub trait Progress {
    fn update(&mut self, done: u64, total: u64, current: &str);
}

impl<F: FnMut(u64, u64, &str)> Progress for F {
    fn update(&mut self, done: u64, total: u64, current: &str) {
        self(done, total, current)
    }
}

/// Progress that goes nowhere.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn update(&mut self, _: u64, _: u64, _: &str) {}
}

impl Plan {
    /// Writes the image to `out` from offset 0, front to back. Free clusters are skipped
    /// with a seek (a hole in a new file), so `out` should be empty: whatever it held
    /// there stays. Returns each file's size and SHA-256.
    pub fn write<W: Write + Seek>(
        self,
        out: &mut W,
        progress: &mut dyn Progress,
    ) -> Result<Digests> {
        self.write_named(out, progress, "the image")
    }

    /// Writes the image to `path` through `path.partial`, renamed over `path` only once
    /// complete and synced; on any error the partial file is removed.
    pub fn write_image(self, path: &Path, progress: &mut dyn Progress) -> Result<Digests> {
        let mut partial = path.as_os_str().to_owned();
        partial.push(".partial");
        let partial = PathBuf::from(partial);
        let name = partial.display().to_string();
        let result = File::create(&partial)
            .map_err(Error::io(format!("creating {name}")))
            .and_then(|mut file| {
                let digests = self.write_named(&mut file, progress, &name)?;
                file.sync_all()
                    .map_err(Error::io(format!("syncing {name}")))?;
                drop(file);
                fs::rename(&partial, path)
                    .map_err(Error::io(format!("renaming {name} to {}", path.display())))?;
                Ok(digests)
            });
        if result.is_err() {
            // Best effort: the error being returned matters more than a failed cleanup.
            let _ = fs::remove_file(&partial);
        }
        result
    }

    fn write_named<W: Write + Seek>(
        self,
        out: &mut W,
        progress: &mut dyn Progress,
        name: &str,
    ) -> Result<Digests> {
        let context = || format!("writing {name}");
        out.seek(SeekFrom::Start(0)).map_err(Error::io(context()))?;
        let mut out = Out {
            w: BufWriter::with_capacity(CHUNK, out),
            pos: 0,
        };
        let gpt = self.gpt();
        self.write_metadata(&mut out, gpt.as_ref())
            .map_err(Error::io(context()))?;

        let total = self.content_bytes();
        let cluster = self.cluster_size();
        let starts: Vec<Option<u64>> = self
            .files
            .iter()
            .map(|f| (f.size > 0).then(|| self.cluster_offset(f.first_cluster)))
            .collect();
        let (written, hashes) = with_hashing(|feed| {
            let mut done = 0;
            let mut written = Vec::with_capacity(self.files.len());
            for (file, start) in self.files.into_iter().zip(starts) {
                if let Some(start) = start {
                    out.zeros(start - out.pos).map_err(Error::io(context()))?;
                }
                let (path, size) = stream(file, &mut out, feed, progress, done, total, name)?;
                done += size;
                // The data region starts on a MiB boundary of the disk, so cluster
                // boundaries are multiples of the cluster size in the image too.
                out.zeros(out.pos.next_multiple_of(cluster) - out.pos)
                    .map_err(Error::io(context()))?;
                written.push((path, size));
            }
            Ok(written)
        });
        let written: Vec<(String, u64)> = written?;
        debug_assert_eq!(written.len(), hashes.len(), "one digest per written file");
        let digests: Digests = written
            .into_iter()
            .zip(hashes)
            .map(|((path, size), sha256)| (path, FileDigest { size, sha256 }))
            .collect();

        let end = self.disk_sectors * SECTOR;
        match &gpt {
            Some(gpt) => {
                let entries = gpt.entries();
                out.skip_to(end - (1 + gpt::ENTRY_SECTORS) * SECTOR)
                    .map_err(Error::io(context()))?;
                out.put(&entries).map_err(Error::io(context()))?;
                out.put(&gpt.header(false, &entries))
                    .map_err(Error::io(context()))?;
            }
            // A seek alone does not make a file longer: write the last sector.
            None if out.pos < end => {
                out.skip_to((end - SECTOR).max(out.pos))
                    .map_err(Error::io(context()))?;
                out.zeros(end - out.pos).map_err(Error::io(context()))?;
            }
            None => {}
        }
        out.w.flush().map_err(Error::io(context()))?;
        Ok(digests)
    }

    fn gpt(&self) -> Option<Gpt> {
        let PartitionStyle::Gpt(kind) = self.style else {
            return None;
        };
        Some(Gpt {
            disk_sectors: self.disk_sectors,
            disk_guid: Guid::derived(self.seed, "disk"),
            type_guid: match kind {
                GptType::BasicData => Guid::BASIC_DATA,
                GptType::EfiSystem => Guid::EFI_SYSTEM,
            },
            partition_guid: Guid::derived(self.seed, "partition"),
            first_lba: PARTITION_LBA,
            last_lba: PARTITION_LBA + self.geometry.total_sectors - 1,
            name: String::from_utf8_lossy(&self.label).trim_end().to_string(),
        })
    }

    /// Partition table, reserved sectors, both FATs and all folders.
    fn write_metadata<W: Write + Seek>(
        &self,
        out: &mut Out<'_, W>,
        gpt: Option<&Gpt>,
    ) -> io::Result<()> {
        let g = &self.geometry;
        match gpt {
            Some(gpt) => {
                let entries = gpt.entries();
                out.put(&mbr::protective(self.disk_sectors))?;
                out.put(&gpt.header(true, &entries))?;
                out.put(&entries)?;
            }
            None => {
                let signature = u32::from_le_bytes(
                    Guid::derived(self.seed, "mbr").0[..4]
                        .try_into()
                        .expect("4 bytes"),
                );
                let entry = mbr::Entry {
                    active: true,
                    kind: mbr::TYPE_FAT32_LBA,
                    start_lba: PARTITION_LBA,
                    sectors: g.total_sectors,
                };
                out.put(&mbr::mbr(signature, &entry))?;
            }
        }
        out.zeros(self.partition_offset() - out.pos)?;

        let mut reserved = vec![0u8; (g.reserved_sectors * SECTOR) as usize];
        let boot = g.boot_sector(self.serial, &self.label);
        let used = self.used_clusters();
        let next_free = if used < g.clusters {
            2 + used
        } else {
            u64::from(u32::MAX)
        };
        let fsinfo = fsinfo_sector(g.clusters - used, next_free);
        for (sector, bytes) in [
            (0, &boot),
            (FSINFO_SECTOR, &fsinfo),
            (BACKUP_BOOT_SECTOR, &boot),
            (BACKUP_BOOT_SECTOR + 1, &fsinfo),
        ] {
            reserved[sector * 512..(sector + 1) * 512].copy_from_slice(bytes);
        }
        out.put(&reserved)?;

        for _copy in 0..2 {
            let mut chunk = Vec::with_capacity(CHUNK);
            let mut written = 0;
            for entry in fat::entries(&self.runs) {
                chunk.extend_from_slice(&entry.to_le_bytes());
                if chunk.len() == CHUNK {
                    out.put(&chunk)?;
                    written += chunk.len() as u64;
                    chunk.clear();
                }
            }
            out.put(&chunk)?;
            written += chunk.len() as u64;
            out.zeros(g.fat_bytes() - written)?;
        }
        out.put(&self.dir_region)
    }
}

/// Streams one file through a [`Sink`] and tells apart what failed: the source, the
/// image, or the length promise. Returns the file's path and size; its digest comes
/// from the hashing thread.
fn stream<W: Write + Seek>(
    mut file: PlanFile,
    out: &mut Out<'_, W>,
    hash: &mut Feed,
    progress: &mut dyn Progress,
    done: u64,
    total: u64,
    name: &str,
) -> Result<(String, u64)> {
    progress.update(done, total, &file.path);
    let mut sink = Sink {
        out,
        hash,
        expected: file.size,
        written: 0,
        overflow: false,
        out_error: None,
        progress,
        done,
        total,
        path: &file.path,
    };
    let result = file.source.write_to(&mut sink);
    let (written, overflow, out_error) = (sink.written, sink.overflow, sink.out_error);
    if let Some(source) = out_error {
        return Err(Error::Io {
            context: format!("writing {name}"),
            source,
        });
    }
    if overflow || (result.is_ok() && written != file.size) {
        return Err(Error::SourceLength {
            path: file.path,
            expected: file.size,
            written,
        });
    }
    if let Err(source) = result {
        return Err(Error::Source {
            path: file.path,
            source,
        });
    }
    hash.end_file();
    Ok((file.path, written))
}

/// The image output with its position, so every region is written at the offset the
/// plan gave it.
struct Out<'w, W: Write + Seek> {
    w: BufWriter<&'w mut W>,
    pos: u64,
}

impl<W: Write + Seek> Out<'_, W> {
    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.w.write_all(bytes)?;
        self.pos += bytes.len() as u64;
        Ok(())
    }

    fn zeros(&mut self, mut n: u64) -> io::Result<()> {
        static ZEROS: [u8; 64 << 10] = [0; 64 << 10];
        while n > 0 {
            let now = n.min(ZEROS.len() as u64);
            self.put(&ZEROS[..now as usize])?;
            n -= now;
        }
        Ok(())
    }

    fn skip_to(&mut self, pos: u64) -> io::Result<()> {
        if pos != self.pos {
            self.w.seek(SeekFrom::Start(pos))?;
            self.pos = pos;
        }
        Ok(())
    }
}

/// What a [`crate::Source`] writes into: passes the bytes on to the image and to the
/// hashing thread, counts and reports progress, refusing any byte beyond the declared
/// length (it would overwrite the next file's clusters).
struct Sink<'a, 'w, W: Write + Seek> {
    out: &'a mut Out<'w, W>,
    hash: &'a mut Feed,
    expected: u64,
    written: u64,
    overflow: bool,
    out_error: Option<io::Error>,
    progress: &'a mut dyn Progress,
    done: u64,
    total: u64,
    path: &'a str,
}

impl<W: Write + Seek> Write for Sink<'_, '_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let len = buf.len() as u64;
        if self.written + len > self.expected {
            self.overflow = true;
            self.written += len;
            return Err(io::Error::other(
                "the source wrote more bytes than it declared",
            ));
        }
        self.hash.update(buf);
        let result = self.out.put(buf);
        if let Err(e) = result {
            self.out_error = Some(e);
            return Err(io::Error::other("writing the image failed"));
        }
        self.written += len;
        self.progress
            .update(self.done + self.written, self.total, self.path);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
