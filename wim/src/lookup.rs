//! The lookup table: one 50-byte entry per resource (file data or image
//! metadata), giving its location, part number, reference count and SHA-1.

use std::path::Path;

use crate::error::{Result, WimError};
use crate::reshdr::{FLAG_METADATA, FLAG_SOLID, RESHDR_LEN, ResourceHeader};

pub const ENTRY_LEN: usize = 50;

/// Uncompressed-size value that marks the entry describing a whole solid
/// resource (the other solid entries describe blobs inside it).
const SOLID_RESOURCE_MAGIC: u64 = 0x1_0000_0000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupEntry {
    pub reshdr: ResourceHeader,
    pub part_number: u16,
    pub ref_count: u32,
    pub hash: [u8; 20],
}

impl LookupEntry {
    pub fn parse(b: &[u8; ENTRY_LEN]) -> LookupEntry {
        LookupEntry {
            reshdr: ResourceHeader::parse(b[..RESHDR_LEN].try_into().expect("24 bytes")),
            part_number: u16::from_le_bytes([b[24], b[25]]),
            ref_count: u32::from_le_bytes(b[26..30].try_into().expect("4 bytes")),
            hash: b[30..50].try_into().expect("20 bytes"),
        }
    }

    pub fn encode(&self) -> [u8; ENTRY_LEN] {
        let mut b = [0u8; ENTRY_LEN];
        b[..RESHDR_LEN].copy_from_slice(&self.reshdr.encode());
        b[24..26].copy_from_slice(&self.part_number.to_le_bytes());
        b[26..30].copy_from_slice(&self.ref_count.to_le_bytes());
        b[30..50].copy_from_slice(&self.hash);
        b
    }

    pub fn is_metadata(&self) -> bool {
        self.reshdr.flags & FLAG_METADATA != 0
    }

    pub fn is_solid(&self) -> bool {
        self.reshdr.flags & FLAG_SOLID != 0
    }

    /// For solid entries only the one describing the whole resource has a
    /// real file range; blob entries give offsets inside the decompressed data.
    fn has_file_range(&self) -> bool {
        !self.is_solid() || self.reshdr.original_size == SOLID_RESOURCE_MAGIC
    }
}

/// Decodes a lookup table and checks that every resource lies inside a file
/// of `file_len` bytes. `solid_allowed` mirrors wimlib: the solid flag means
/// nothing in a version-0x10d00 WIM.
pub fn parse_table(
    bytes: &[u8],
    file_len: u64,
    solid_allowed: bool,
    path: &Path,
) -> Result<Vec<LookupEntry>> {
    if !bytes.len().is_multiple_of(ENTRY_LEN) {
        return Err(WimError::Corrupt {
            path: path.to_path_buf(),
            detail: format!(
                "lookup table is {} bytes, not a multiple of {ENTRY_LEN}",
                bytes.len()
            ),
        });
    }
    bytes
        .chunks_exact(ENTRY_LEN)
        .enumerate()
        .map(|(i, raw)| {
            let mut entry = LookupEntry::parse(raw.try_into().expect("chunk of 50"));
            if !solid_allowed {
                entry.reshdr.flags &= !FLAG_SOLID;
            }
            if entry.has_file_range() {
                check_range(&entry.reshdr, file_len, &format!("resource #{i}"), path)?;
            }
            Ok(entry)
        })
        .collect()
}

/// Fails unless `reshdr` lies inside a file of `file_len` bytes.
pub fn check_range(reshdr: &ResourceHeader, file_len: u64, what: &str, path: &Path) -> Result<()> {
    match reshdr.end() {
        Some(end) if end <= file_len => Ok(()),
        Some(end) => Err(WimError::Truncated {
            path: path.to_path_buf(),
            what: what.to_string(),
            end,
            len: file_len,
        }),
        None => Err(WimError::Corrupt {
            path: path.to_path_buf(),
            detail: format!("{what} has an impossible offset {:#x}", reshdr.offset),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(offset: u64, size: u64, flags: u8) -> LookupEntry {
        LookupEntry {
            reshdr: ResourceHeader::raw(offset, size, flags),
            part_number: 1,
            ref_count: 2,
            hash: [0xAB; 20],
        }
    }

    fn table(entries: &[LookupEntry]) -> Vec<u8> {
        entries.iter().flat_map(|e| e.encode()).collect()
    }

    #[test]
    fn entry_layout_matches_the_format() {
        let e = entry(0x1000, 77, FLAG_METADATA);
        let b = e.encode();
        assert_eq!(b[7], FLAG_METADATA);
        assert_eq!(&b[24..26], &[1, 0]);
        assert_eq!(&b[26..30], &[2, 0, 0, 0]);
        assert_eq!(&b[30..], &[0xAB; 20]);
        assert_eq!(LookupEntry::parse(&b), e);
        assert!(e.is_metadata());
    }

    #[test]
    fn parses_a_table_and_checks_ranges() {
        let p = Path::new("x.wim");
        let bytes = table(&[entry(208, 10, 0), entry(218, 5, FLAG_METADATA)]);
        let parsed = parse_table(&bytes, 223, false, p).unwrap();
        assert_eq!(parsed.len(), 2);
        assert!(parsed[1].is_metadata());

        let err = parse_table(&bytes, 222, false, p).unwrap_err();
        assert!(
            matches!(
                &err,
                WimError::Truncated {
                    end: 223,
                    len: 222,
                    ..
                }
            ),
            "{err}"
        );
        assert!(parse_table(&bytes[..60], 1000, false, p).is_err());
        assert!(parse_table(&[], 0, false, p).unwrap().is_empty());
    }

    #[test]
    fn solid_flag_only_counts_in_solid_version() {
        let p = Path::new("x.esd");
        // A blob inside a solid resource: its offset is not a file offset.
        let blob = LookupEntry {
            reshdr: ResourceHeader {
                size_in_wim: 1 << 40,
                flags: FLAG_SOLID,
                offset: 1 << 40,
                original_size: 99,
            },
            ..entry(0, 0, 0)
        };
        let bytes = table(&[blob]);
        assert!(parse_table(&bytes, 1000, true, p).unwrap()[0].is_solid());
        let plain = parse_table(&bytes, 1000, false, p);
        assert!(matches!(plain, Err(WimError::Truncated { .. })));
    }

    #[test]
    fn overflowing_offset_is_corrupt() {
        let e = entry(u64::MAX - 1, 10, 0);
        let err = parse_table(&table(&[e]), 1000, false, Path::new("x.wim")).unwrap_err();
        assert!(matches!(err, WimError::Corrupt { .. }));
    }
}
