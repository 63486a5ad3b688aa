//! The 208-byte WIM file header.

use std::path::Path;

use crate::error::{Result, WimError};
use crate::reshdr::{RESHDR_LEN, ResourceHeader};

pub const HEADER_LEN: usize = 208;
pub const MAGIC: [u8; 8] = *b"MSWIM\0\0\0";
/// wimlib's pipable WIMs: same layout, other magic, unreadable for Windows.
const PIPABLE_MAGIC: [u8; 8] = *b"WLPWM\0\0\0";

pub const VERSION_DEFAULT: u32 = 0x10d00;
/// Version that allows solid resources (and LZMS); used by ESD files.
pub const VERSION_SOLID: u32 = 0xe00;

pub const FLAG_COMPRESSION: u32 = 0x0000_0002;
pub const FLAG_READONLY: u32 = 0x0000_0004;
pub const FLAG_SPANNED: u32 = 0x0000_0008;
pub const FLAG_RP_FIX: u32 = 0x0000_0080;
pub const FLAG_COMPRESS_RESERVED: u32 = 0x0001_0000;
pub const FLAG_COMPRESS_XPRESS: u32 = 0x0002_0000;
pub const FLAG_COMPRESS_LZX: u32 = 0x0004_0000;
pub const FLAG_COMPRESS_LZMS: u32 = 0x0008_0000;

/// Compression of the resources in a WIM, from the header flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Xpress,
    Lzx,
    Lzms,
    /// The compression flag is set without a known type.
    Unknown,
}

impl std::fmt::Display for Compression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Compression::None => "none",
            Compression::Xpress => "XPRESS",
            Compression::Lzx => "LZX",
            Compression::Lzms => "LZMS",
            Compression::Unknown => "unknown",
        })
    }
}

/// The decoded file header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub version: u32,
    pub flags: u32,
    pub chunk_size: u32,
    pub guid: [u8; 16],
    pub part_number: u16,
    pub total_parts: u16,
    pub image_count: u32,
    pub lookup_table: ResourceHeader,
    pub xml_data: ResourceHeader,
    pub boot_metadata: ResourceHeader,
    pub boot_index: u32,
    pub integrity_table: ResourceHeader,
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(b[at..at + 2].try_into().expect("2 bytes"))
}

fn reshdr_at(b: &[u8], at: usize) -> ResourceHeader {
    ResourceHeader::parse(b[at..at + RESHDR_LEN].try_into().expect("24 bytes"))
}

impl Header {
    /// Decodes and checks a header; `path` only names the file in errors.
    pub fn parse(b: &[u8; HEADER_LEN], path: &Path) -> Result<Header> {
        let path = || path.to_path_buf();
        if b[..8] == PIPABLE_MAGIC {
            return Err(WimError::Pipable { path: path() });
        }
        if b[..8] != MAGIC {
            return Err(WimError::BadMagic { path: path() });
        }
        let size = u32_at(b, 0x08);
        if size as usize != HEADER_LEN {
            return Err(WimError::BadHeaderSize { path: path(), size });
        }
        let version = u32_at(b, 0x0c);
        if version != VERSION_DEFAULT && version != VERSION_SOLID {
            return Err(WimError::UnsupportedVersion {
                path: path(),
                version,
            });
        }
        let header = Header {
            version,
            flags: u32_at(b, 0x10),
            chunk_size: u32_at(b, 0x14),
            guid: b[0x18..0x28].try_into().expect("16 bytes"),
            part_number: u16_at(b, 0x28),
            total_parts: u16_at(b, 0x2a),
            image_count: u32_at(b, 0x2c),
            lookup_table: reshdr_at(b, 0x30),
            xml_data: reshdr_at(b, 0x48),
            boot_metadata: reshdr_at(b, 0x60),
            boot_index: u32_at(b, 0x78),
            integrity_table: reshdr_at(b, 0x7c),
        };
        if header.part_number == 0 || header.part_number > header.total_parts {
            return Err(WimError::Corrupt {
                path: path(),
                detail: format!(
                    "header says part {} of {}",
                    header.part_number, header.total_parts
                ),
            });
        }
        Ok(header)
    }

    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        b[..8].copy_from_slice(&MAGIC);
        b[0x08..0x0c].copy_from_slice(&(HEADER_LEN as u32).to_le_bytes());
        b[0x0c..0x10].copy_from_slice(&self.version.to_le_bytes());
        b[0x10..0x14].copy_from_slice(&self.flags.to_le_bytes());
        b[0x14..0x18].copy_from_slice(&self.chunk_size.to_le_bytes());
        b[0x18..0x28].copy_from_slice(&self.guid);
        b[0x28..0x2a].copy_from_slice(&self.part_number.to_le_bytes());
        b[0x2a..0x2c].copy_from_slice(&self.total_parts.to_le_bytes());
        b[0x2c..0x30].copy_from_slice(&self.image_count.to_le_bytes());
        b[0x30..0x48].copy_from_slice(&self.lookup_table.encode());
        b[0x48..0x60].copy_from_slice(&self.xml_data.encode());
        b[0x60..0x78].copy_from_slice(&self.boot_metadata.encode());
        b[0x78..0x7c].copy_from_slice(&self.boot_index.to_le_bytes());
        b[0x7c..0x94].copy_from_slice(&self.integrity_table.encode());
        b
    }

    pub fn compression(&self) -> Compression {
        if self.flags & FLAG_COMPRESSION == 0 {
            Compression::None
        } else if self.flags & FLAG_COMPRESS_LZX != 0 {
            Compression::Lzx
        } else if self.flags & FLAG_COMPRESS_XPRESS != 0 {
            Compression::Xpress
        } else if self.flags & FLAG_COMPRESS_LZMS != 0 {
            Compression::Lzms
        } else {
            Compression::Unknown
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> Header {
        Header {
            version: VERSION_DEFAULT,
            flags: FLAG_COMPRESSION | FLAG_COMPRESS_LZX | FLAG_RP_FIX,
            chunk_size: 32768,
            guid: [7; 16],
            part_number: 1,
            total_parts: 1,
            image_count: 3,
            lookup_table: ResourceHeader::raw(5000, 150, 2),
            xml_data: ResourceHeader::raw(5150, 600, 2),
            boot_metadata: ResourceHeader::default(),
            boot_index: 0,
            integrity_table: ResourceHeader::raw(5750, 32, 0),
        }
    }

    fn p() -> &'static Path {
        Path::new("install.wim")
    }

    #[test]
    fn encodes_at_the_documented_offsets() {
        let b = sample().encode();
        assert_eq!(&b[..8], b"MSWIM\0\0\0");
        assert_eq!(u32_at(&b, 0x08), 208);
        assert_eq!(u32_at(&b, 0x0c), 0x10d00);
        assert_eq!(u32_at(&b, 0x14), 32768);
        assert_eq!(u16_at(&b, 0x28), 1);
        assert_eq!(u32_at(&b, 0x2c), 3);
        // The integrity reshdr sits unaligned at 0x7c; its offset field at 0x84.
        assert_eq!(u64::from_le_bytes(b[0x84..0x8c].try_into().unwrap()), 5750);
        assert!(b[0x94..].iter().all(|&x| x == 0));
        assert_eq!(Header::parse(&b, p()).unwrap(), sample());
    }

    #[test]
    fn rejects_bad_magic_pipable_size_and_version() {
        let good = sample().encode();

        let mut b = good;
        b[0] = b'X';
        assert!(matches!(
            Header::parse(&b, p()),
            Err(WimError::BadMagic { .. })
        ));

        let mut b = good;
        b[..8].copy_from_slice(b"WLPWM\0\0\0");
        assert!(matches!(
            Header::parse(&b, p()),
            Err(WimError::Pipable { .. })
        ));

        let mut b = good;
        b[0x08] = 200;
        assert!(matches!(
            Header::parse(&b, p()),
            Err(WimError::BadHeaderSize { size: 200, .. })
        ));

        let mut b = good;
        b[0x0c..0x10].copy_from_slice(&0x10b00u32.to_le_bytes());
        let err = Header::parse(&b, p()).unwrap_err();
        assert!(matches!(
            err,
            WimError::UnsupportedVersion {
                version: 0x10b00,
                ..
            }
        ));
        assert!(err.to_string().contains("install.wim"), "{err}");

        let mut b = good;
        b[0x28] = 3; // part 3 of 1
        assert!(matches!(
            Header::parse(&b, p()),
            Err(WimError::Corrupt { .. })
        ));
    }

    #[test]
    fn accepts_solid_version_and_reads_compression() {
        let mut h = sample();
        h.version = VERSION_SOLID;
        h.flags = FLAG_COMPRESSION | FLAG_COMPRESS_LZMS;
        let parsed = Header::parse(&h.encode(), p()).unwrap();
        assert_eq!(parsed.compression(), Compression::Lzms);
        h.flags = 0;
        assert_eq!(h.compression(), Compression::None);
        h.flags = FLAG_COMPRESSION | FLAG_COMPRESS_XPRESS;
        assert_eq!(h.compression(), Compression::Xpress);
        h.flags = FLAG_COMPRESSION;
        assert_eq!(h.compression(), Compression::Unknown);
    }
}
