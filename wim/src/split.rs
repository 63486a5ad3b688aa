//! Planning a split into .swm parts and writing each part.
//!
//! Layout of every part, like wimlib's: header, resources (copied verbatim,
//! in source order), lookup table of the resources in this part, the source's
//! XML data unchanged (wimlib keeps TOTALBYTES as well), and, when the source
//! had one, a recomputed integrity table. All image metadata goes into part 1,
//! where Windows Setup and wimlib look for it. Every size and offset is fixed
//! by the plan, so the builder knows each file's size before writing a byte.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::{Result, WimError};
use crate::header::{
    FLAG_COMPRESS_LZMS, FLAG_COMPRESS_LZX, FLAG_COMPRESS_RESERVED, FLAG_COMPRESS_XPRESS,
    FLAG_COMPRESSION, FLAG_READONLY, FLAG_RP_FIX, FLAG_SPANNED, HEADER_LEN, Header,
};
use crate::integrity::{self, ChunkHasher};
use crate::lookup::{ENTRY_LEN, LookupEntry};
use crate::reader::Wim;
use crate::reshdr::{FLAG_METADATA, ResourceHeader};

/// Part size the builder uses unless told otherwise: below FAT32's 4 GiB
/// file limit with room to spare.
pub const DEFAULT_PART_MIB: u64 = 3800;
/// Name Windows Setup looks for.
pub const DEFAULT_SWM_NAME: &str = "install.swm";

/// Header flags that describe the content and so carry over to the parts.
const KEPT_FLAGS: u32 = FLAG_COMPRESSION
    | FLAG_READONLY
    | FLAG_RP_FIX
    | FLAG_COMPRESS_RESERVED
    | FLAG_COMPRESS_XPRESS
    | FLAG_COMPRESS_LZX
    | FLAG_COMPRESS_LZMS;

/// Large sequential reads keep the copy at disk speed.
const COPY_BUF_LEN: u64 = 4 * 1024 * 1024;

/// One output file of a split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartPlan {
    /// `install.swm`, `install2.swm`, ...
    pub file_name: String,
    /// Exact number of bytes `SplitPlan::write_part` writes for this part.
    pub size: u64,
}

/// How a WIM will be split; `write_part` produces the bytes.
#[derive(Debug, Clone)]
pub struct SplitPlan {
    /// The parts in order; informational (writing does not read it back).
    pub parts: Vec<PartPlan>,
    source: PathBuf,
    source_len: u64,
    xml: Vec<u8>,
    integrity_chunk_size: Option<u32>,
    layouts: Vec<PartLayout>,
}

#[derive(Debug, Clone)]
struct PartLayout {
    file_name: String,
    header: Header,
    /// Source byte ranges (offset, length) to copy, in output order;
    /// adjacent resources are merged so the copy needs no seeks.
    runs: Vec<(u64, u64)>,
    lookup_table: Vec<u8>,
}

/// Resources headed for one part, as indices into the lookup table.
struct Bin {
    entries: Vec<usize>,
    bytes: u64,
}

impl Wim {
    /// Plans parts of at most `max_part_bytes` named `install.swm`,
    /// `install2.swm`, ...
    pub fn plan_split(&self, max_part_bytes: u64) -> Result<SplitPlan> {
        self.plan_split_named(max_part_bytes, DEFAULT_SWM_NAME)
    }

    /// Like `plan_split`, with another name for the first part (the others
    /// insert the part number before the extension, as DISM and wimlib do).
    pub fn plan_split_named(&self, max_part_bytes: u64, base_name: &str) -> Result<SplitPlan> {
        let names = PartNames::new(base_name)?;
        if self.is_solid() {
            return Err(WimError::Solid {
                path: self.path.clone(),
            });
        }
        if self.header.image_count == 0 {
            return Err(WimError::NoImages {
                path: self.path.clone(),
            });
        }
        let bins = self.fill_bins(max_part_bytes)?;
        let total_parts = u16::try_from(bins.len()).expect("fill_bins caps the part count");
        let layouts: Vec<PartLayout> = bins
            .iter()
            .zip(1..=total_parts)
            .map(|(bin, number)| self.layout(bin, names.name(number), number, total_parts))
            .collect();
        let parts = layouts
            .iter()
            .map(|l| PartPlan {
                file_name: l.file_name.clone(),
                size: l.size(),
            })
            .collect();
        Ok(SplitPlan {
            parts,
            source: self.path.clone(),
            source_len: self.file_len,
            xml: self.xml_raw.clone(),
            integrity_chunk_size: self.integrity_chunk_size,
            layouts,
        })
    }

    /// Bytes a part takes with `count` resources of `bytes` bytes in total.
    fn part_size(&self, count: usize, bytes: u64) -> u64 {
        let covered = bytes + (count * ENTRY_LEN) as u64;
        let integrity = self
            .integrity_chunk_size
            .map_or(0, |chunk| integrity::table_len(covered, chunk));
        HEADER_LEN as u64 + covered + self.xml_raw.len() as u64 + integrity
    }

    /// Greedy, in source order as wimlib does: consecutive resources stay
    /// together, so each part is one sequential read of the source.
    fn fill_bins(&self, max_part_bytes: u64) -> Result<Vec<Bin>> {
        let too_small = |what: String, needed| WimError::PartTooSmall {
            path: self.path.clone(),
            max_part_bytes,
            what,
            needed,
        };
        let size_of = |i: usize| self.entries[i].reshdr.size_in_wim;
        let (metadata, mut data): (Vec<usize>, Vec<usize>) =
            (0..self.entries.len()).partition(|&i| self.entries[i].is_metadata());
        data.sort_by_key(|&i| (self.entries[i].reshdr.offset, size_of(i)));

        let first = Bin {
            bytes: metadata.iter().map(|&i| size_of(i)).sum(),
            entries: metadata,
        };
        let needed = self.part_size(first.entries.len(), first.bytes);
        if needed > max_part_bytes {
            return Err(too_small(
                format!("the image metadata ({} images)", self.header.image_count),
                needed,
            ));
        }
        let mut bins = vec![first];
        for i in data {
            let size = size_of(i);
            let current = bins.last_mut().expect("the first part always exists");
            if self.part_size(current.entries.len() + 1, current.bytes + size) <= max_part_bytes {
                current.entries.push(i);
                current.bytes += size;
                continue;
            }
            let needed = self.part_size(1, size);
            if needed > max_part_bytes {
                return Err(too_small(
                    format!(
                        "a resource of {size} bytes (at offset {:#x})",
                        self.entries[i].reshdr.offset
                    ),
                    needed,
                ));
            }
            if bins.len() == usize::from(u16::MAX) {
                return Err(WimError::TooManyParts {
                    path: self.path.clone(),
                    max_part_bytes,
                });
            }
            bins.push(Bin {
                entries: vec![i],
                bytes: size,
            });
        }
        Ok(bins)
    }

    fn layout(
        &self,
        bin: &Bin,
        file_name: String,
        part_number: u16,
        total_parts: u16,
    ) -> PartLayout {
        let mut order = bin.entries.clone();
        order.sort_by_key(|&i| {
            (
                self.entries[i].reshdr.offset,
                self.entries[i].reshdr.size_in_wim,
            )
        });

        let mut runs: Vec<(u64, u64)> = Vec::new();
        let mut moved: Vec<(usize, LookupEntry)> = Vec::with_capacity(order.len());
        let mut out_offset = HEADER_LEN as u64;
        for i in order {
            let entry = &self.entries[i];
            let (src, len) = (entry.reshdr.offset, entry.reshdr.size_in_wim);
            match runs.last_mut() {
                Some((run_src, run_len)) if *run_src + *run_len == src => *run_len += len,
                _ if len > 0 => runs.push((src, len)),
                _ => {}
            }
            let reshdr = ResourceHeader {
                offset: out_offset,
                ..entry.reshdr
            };
            moved.push((
                i,
                LookupEntry {
                    reshdr,
                    part_number,
                    ..entry.clone()
                },
            ));
            out_offset += len;
        }
        // Readers map metadata resources to images by their order in the
        // table, so those entries go first, in their original order; the
        // stable sort keeps the rest in file order.
        moved.sort_by_key(|(i, e)| if e.is_metadata() { (0, *i) } else { (1, 0) });
        let lookup_table: Vec<u8> = moved.iter().flat_map(|(_, e)| e.encode()).collect();

        let lookup = ResourceHeader::raw(out_offset, lookup_table.len() as u64, FLAG_METADATA);
        let xml = ResourceHeader {
            offset: out_offset + lookup.size_in_wim,
            ..self.header.xml_data
        };
        let integrity = match self.integrity_chunk_size {
            Some(chunk) => {
                let covered = lookup.end().expect("fits") - HEADER_LEN as u64;
                let len = integrity::table_len(covered, chunk);
                ResourceHeader::raw(xml.end().expect("fits"), len, 0)
            }
            None => ResourceHeader::default(),
        };
        let mut flags = self.header.flags & KEPT_FLAGS;
        if total_parts > 1 {
            flags |= FLAG_SPANNED;
        }
        PartLayout {
            file_name,
            header: Header {
                flags,
                part_number,
                total_parts,
                lookup_table: lookup,
                xml_data: xml,
                // As wimlib: split sets carry no boot image (install.wim
                // never has one; boot.wim is never split).
                boot_metadata: ResourceHeader::default(),
                boot_index: 0,
                integrity_table: integrity,
                ..self.header.clone()
            },
            runs,
            lookup_table,
        }
    }
}

impl PartLayout {
    fn size(&self) -> u64 {
        let h = &self.header;
        let ends = [h.xml_data.end(), h.integrity_table.end()];
        ends.into_iter()
            .flatten()
            .max()
            .expect("the XML end is known")
    }
}

impl SplitPlan {
    /// Sum of all part sizes.
    pub fn total_size(&self) -> u64 {
        self.parts.iter().map(|p| p.size).sum()
    }

    /// The WIM the plan reads from.
    pub fn source(&self) -> &Path {
        &self.source
    }

    /// Writes part `index` (0-based) to `out`: exactly `parts[index].size`
    /// bytes, in one pass, never seeking `out`. Each part reads its own
    /// stretch of the source, so writing all parts reads the source once.
    pub fn write_part(&self, index: usize, out: &mut dyn Write) -> Result<()> {
        let layout = self.layouts.get(index).ok_or(WimError::NoSuchPart {
            index,
            count: self.layouts.len(),
        })?;
        let read_err = |source| WimError::Io {
            path: self.source.clone(),
            action: "read",
            source,
        };
        let mut src = File::open(&self.source).map_err(|source| WimError::Io {
            path: self.source.clone(),
            action: "open the WIM",
            source,
        })?;
        let len = src.metadata().map_err(read_err)?.len();
        if len != self.source_len {
            return Err(WimError::SourceChanged {
                path: self.source.clone(),
                detail: format!("{} bytes, now {len}", self.source_len),
            });
        }

        let mut sink = Sink {
            out,
            hasher: self.integrity_chunk_size.map(ChunkHasher::new),
            written: 0,
        };
        let write_err = |source| WimError::Write {
            file_name: layout.file_name.clone(),
            source,
        };
        sink.write(&layout.header.encode(), false)
            .map_err(write_err)?;

        let largest = layout.runs.iter().map(|r| r.1).max().unwrap_or(0);
        let mut buf = vec![0u8; largest.min(COPY_BUF_LEN) as usize];
        let mut pos = None;
        for &(offset, len) in &layout.runs {
            if pos != Some(offset) {
                src.seek(SeekFrom::Start(offset)).map_err(read_err)?;
            }
            let mut left = len;
            while left > 0 {
                let n = left.min(buf.len() as u64) as usize;
                src.read_exact(&mut buf[..n]).map_err(read_err)?;
                sink.write(&buf[..n], true).map_err(write_err)?;
                left -= n as u64;
            }
            pos = Some(offset + len);
        }

        sink.write(&layout.lookup_table, true).map_err(write_err)?;
        sink.write(&self.xml, false).map_err(write_err)?;
        if let Some(hasher) = sink.hasher.take() {
            sink.write(&hasher.finish(), false).map_err(write_err)?;
        }
        debug_assert_eq!(sink.written, layout.size());
        Ok(())
    }
}

/// The output of one part, feeding the integrity table on the way.
struct Sink<'a> {
    out: &'a mut dyn Write,
    hasher: Option<ChunkHasher>,
    written: u64,
}

impl Sink<'_> {
    /// `covered`: the bytes belong to the range the integrity table checks.
    fn write(&mut self, data: &[u8], covered: bool) -> std::io::Result<()> {
        self.out.write_all(data)?;
        if covered && let Some(h) = self.hasher.as_mut() {
            h.update(data);
        }
        self.written += data.len() as u64;
        Ok(())
    }
}

/// `install.swm` -> `install.swm`, `install2.swm`, `install3.swm`, ...
struct PartNames {
    stem: String,
    ext: String,
}

impl PartNames {
    fn new(base_name: &str) -> Result<PartNames> {
        let bad = |why| {
            Err(WimError::BadBaseName {
                name: base_name.to_string(),
                why,
            })
        };
        if base_name.is_empty() {
            return bad("it is empty");
        }
        if base_name.contains(['/', '\\', ':']) || base_name == "." || base_name == ".." {
            return bad("give a file name, not a path");
        }
        let (stem, ext) = match base_name.rfind('.') {
            Some(dot) if dot > 0 => base_name.split_at(dot),
            _ => (base_name, ""),
        };
        Ok(PartNames {
            stem: stem.to_string(),
            ext: ext.to_string(),
        })
    }

    fn name(&self, part_number: u16) -> String {
        if part_number == 1 {
            format!("{}{}", self.stem, self.ext)
        } else {
            format!("{}{part_number}{}", self.stem, self.ext)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mib;
    use crate::testutil::{Synth, parse};
    use sha1::{Digest, Sha1};

    fn synth(integrity: Option<u32>) -> Synth {
        Synth {
            data: vec![5000, 12000, 7000, 100, 9000, 30000, 2000, 0, 4000],
            images: vec!["Windows 11 Home", "Windows 11 Pro", "Windows 11 Education"],
            integrity_chunk: integrity,
        }
    }

    fn split_all(plan: &SplitPlan) -> Vec<Vec<u8>> {
        (0..plan.parts.len())
            .map(|i| {
                let mut out = Vec::new();
                plan.write_part(i, &mut out).unwrap();
                out
            })
            .collect()
    }

    /// Every property a reader of the split set relies on.
    fn check_split(source: &[u8], plan: &SplitPlan, parts: &[Vec<u8>], max: u64) {
        let (src_header, src_entries) = parse(source);
        let total = parts.len() as u16;
        let mut seen = 0;
        for (i, (part, planned)) in parts.iter().zip(&plan.parts).enumerate() {
            assert_eq!(part.len() as u64, planned.size, "part {i} size as planned");
            assert!(planned.size <= max, "part {i} within the limit");
            let (h, entries) = parse(part);
            assert_eq!(h.part_number as usize, i + 1);
            assert_eq!(h.total_parts, total);
            assert_eq!(h.guid, src_header.guid);
            assert_eq!(h.image_count, src_header.image_count);
            assert_eq!(h.chunk_size, src_header.chunk_size);
            assert_eq!(h.flags & FLAG_SPANNED != 0, total > 1);
            assert_eq!(h.flags & !FLAG_SPANNED, src_header.flags);
            let xml = &part[h.xml_data.offset as usize..h.xml_data.end().unwrap() as usize];
            let src_xml = &source[src_header.xml_data.offset as usize..]
                [..src_header.xml_data.size_in_wim as usize];
            assert_eq!(xml, src_xml, "XML copied unchanged");

            let metadata: Vec<_> = entries.iter().filter(|e| e.is_metadata()).collect();
            if i == 0 {
                let src_meta: Vec<_> = src_entries.iter().filter(|e| e.is_metadata()).collect();
                assert_eq!(metadata.len(), src_meta.len());
                for (m, s) in entries.iter().zip(&src_meta) {
                    assert_eq!(m.hash, s.hash, "metadata first, in image order");
                }
            } else {
                assert!(metadata.is_empty(), "metadata only in part 1");
            }
            for e in &entries {
                assert_eq!(e.part_number as usize, i + 1);
                let s = src_entries.iter().find(|s| s.hash == e.hash).unwrap();
                assert_eq!(e.reshdr.size_in_wim, s.reshdr.size_in_wim);
                assert_eq!(e.reshdr.flags, s.reshdr.flags);
                assert_eq!(e.reshdr.original_size, s.reshdr.original_size);
                assert_eq!(e.ref_count, s.ref_count);
                let got = &part[e.reshdr.offset as usize..e.reshdr.end().unwrap() as usize];
                let want = &source[s.reshdr.offset as usize..s.reshdr.end().unwrap() as usize];
                assert_eq!(got, want, "resource copied verbatim");
                seen += 1;
            }

            let it = h.integrity_table;
            assert_eq!(it.is_absent(), src_header.integrity_table.is_absent());
            if !it.is_absent() {
                assert_eq!(it.end().unwrap(), part.len() as u64);
                let table = &part[it.offset as usize..];
                let chunk = u32::from_le_bytes(table[8..12].try_into().unwrap()) as usize;
                let covered = &part[HEADER_LEN..h.lookup_table.end().unwrap() as usize];
                let digests: Vec<&[u8]> = table[12..].chunks(20).collect();
                assert_eq!(digests.len(), covered.len().div_ceil(chunk));
                for (c, d) in covered.chunks(chunk).zip(digests) {
                    assert_eq!(Sha1::digest(c).as_slice(), d);
                }
            }
        }
        assert_eq!(
            seen,
            src_entries.len(),
            "every resource in exactly one part"
        );
    }

    #[test]
    fn splits_into_parts_that_hold_every_resource_once() {
        for integrity in [None, Some(4096)] {
            let dir = tempfile::tempdir().unwrap();
            let s = synth(integrity);
            let path = s.write_to(dir.path());
            let source = std::fs::read(&path).unwrap();
            let wim = Wim::open(&path).unwrap();
            let max = 32_000;
            let plan = wim.plan_split(max).unwrap();
            assert!(plan.parts.len() >= 3, "{:?}", plan.parts);
            let names: Vec<_> = plan.parts.iter().map(|p| p.file_name.as_str()).collect();
            assert_eq!(names[..3], ["install.swm", "install2.swm", "install3.swm"]);
            check_split(&source, &plan, &split_all(&plan), max);
        }
    }

    #[test]
    fn one_big_part_is_a_plain_unspanned_set_of_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = synth(Some(4096)).write_to(dir.path());
        let source = std::fs::read(&path).unwrap();
        let plan = Wim::open(&path).unwrap().plan_split(mib(1)).unwrap();
        assert_eq!(plan.parts.len(), 1);
        assert_eq!(plan.total_size(), source.len() as u64);
        check_split(&source, &plan, &split_all(&plan), mib(1));
    }

    #[test]
    fn parts_use_the_space_they_are_given() {
        let dir = tempfile::tempdir().unwrap();
        let path = synth(None).write_to(dir.path());
        let wim = Wim::open(&path).unwrap();
        let plan = wim.plan_split(40_000).unwrap();
        for pair in plan.layouts.windows(2) {
            // The first resource of the next part would not have fitted.
            let first = &pair[1].lookup_table[..ENTRY_LEN];
            let first_next = LookupEntry::parse(first.try_into().unwrap())
                .reshdr
                .size_in_wim;
            let count = pair[0].lookup_table.len() / ENTRY_LEN;
            let bytes = pair[0].header.lookup_table.offset - HEADER_LEN as u64;
            assert!(wim.part_size(count + 1, bytes + first_next) > 40_000);
        }
    }

    #[test]
    fn too_small_parts_are_refused_with_the_needed_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = synth(None).write_to(dir.path());
        let wim = Wim::open(&path).unwrap();
        let err = wim.plan_split(20_000).unwrap_err();
        let WimError::PartTooSmall { needed, .. } = &err else {
            panic!("{err}")
        };
        assert!(*needed > 30_000, "the 30000-byte resource decides: {err}");
        assert!(err.to_string().contains("install.wim"), "{err}");
        assert!(wim.plan_split(*needed).is_ok());

        let err = wim.plan_split(500).unwrap_err();
        assert!(err.to_string().contains("image metadata"), "{err}");
    }

    #[test]
    fn base_names_get_the_part_number_before_the_extension() {
        let n = PartNames::new("boot.x.swm").unwrap();
        assert_eq!(n.name(1), "boot.x.swm");
        assert_eq!(n.name(12), "boot.x12.swm");
        let n = PartNames::new("noext").unwrap();
        assert_eq!(n.name(2), "noext2");
        let n = PartNames::new(".hidden").unwrap();
        assert_eq!(n.name(2), ".hidden2");
        assert!(PartNames::new("").is_err());
        assert!(PartNames::new("a/b.swm").is_err());
        assert!(PartNames::new("a\\b.swm").is_err());
    }

    #[test]
    fn refuses_bad_part_index_and_a_changed_source() {
        let dir = tempfile::tempdir().unwrap();
        let path = synth(None).write_to(dir.path());
        let plan = Wim::open(&path).unwrap().plan_split(mib(1)).unwrap();
        let err = plan.write_part(1, &mut Vec::new()).unwrap_err();
        assert!(matches!(err, WimError::NoSuchPart { index: 1, count: 1 }));
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"more").unwrap();
        let err = plan.write_part(0, &mut Vec::new()).unwrap_err();
        assert!(matches!(err, WimError::SourceChanged { .. }), "{err}");
    }

    #[test]
    fn solid_images_are_refused_with_export_advice() {
        let dir = tempfile::tempdir().unwrap();
        let path = synth(None).write_to(dir.path());
        let mut bytes = std::fs::read(&path).unwrap();
        let (mut h, _) = parse(&bytes);
        h.version = crate::header::VERSION_SOLID;
        bytes[..HEADER_LEN].copy_from_slice(&h.encode());
        // Mark the first data entry as a whole solid resource.
        let flags_at = h.lookup_table.offset as usize + 7;
        bytes[flags_at] |= crate::reshdr::FLAG_SOLID;
        std::fs::write(&path, &bytes).unwrap();
        let wim = Wim::open(&path).unwrap();
        assert!(wim.is_solid());
        let err = wim.plan_split(mib(1)).unwrap_err();
        assert!(matches!(err, WimError::Solid { .. }));
        let msg = err.to_string();
        assert!(
            msg.contains("/Export-Image") && msg.contains("--compress=LZX"),
            "{msg}"
        );
    }

    #[test]
    fn refuses_a_wim_without_images() {
        let dir = tempfile::tempdir().unwrap();
        let s = Synth {
            data: vec![10],
            images: vec![],
            integrity_chunk: None,
        };
        let wim = Wim::open(s.write_to(dir.path())).unwrap();
        assert!(matches!(
            wim.plan_split(mib(1)),
            Err(WimError::NoImages { .. })
        ));
    }
}
