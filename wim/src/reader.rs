//! Opening a WIM: header, lookup table, XML data and integrity table are read
//! into memory; resources stay on disk until a part is written.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::error::{Result, WimError};
use crate::header::{Compression, HEADER_LEN, Header, VERSION_SOLID};
use crate::integrity;
use crate::lookup::{self, LookupEntry};
use crate::reshdr::ResourceHeader;
use crate::xml::{self, ImageInfo};

/// Tables bigger than this are a damaged header, not a real WIM (a full
/// Windows 11 install.wim has a lookup table of a few MiB).
const MAX_TABLE_LEN: u64 = 256 * 1024 * 1024;

/// An opened, checked WIM file.
#[derive(Debug, Clone)]
pub struct Wim {
    pub(crate) path: PathBuf,
    pub(crate) file_len: u64,
    pub(crate) header: Header,
    pub(crate) entries: Vec<LookupEntry>,
    pub(crate) xml_raw: Vec<u8>,
    pub(crate) integrity_chunk_size: Option<u32>,
    images: Vec<ImageInfo>,
    xml_total_bytes: Option<u64>,
}

impl Wim {
    /// Reads and checks the header, lookup table, XML data and integrity table.
    pub fn open(path: impl AsRef<Path>) -> Result<Wim> {
        let path = path.as_ref();
        let io_err = |action| {
            move |source| WimError::Io {
                path: path.to_path_buf(),
                action,
                source,
            }
        };
        let mut file = File::open(path).map_err(io_err("open the WIM"))?;
        let file_len = file.metadata().map_err(io_err("read the size of"))?.len();
        if file_len < HEADER_LEN as u64 {
            return Err(WimError::Truncated {
                path: path.to_path_buf(),
                what: "the WIM header".into(),
                end: HEADER_LEN as u64,
                len: file_len,
            });
        }
        let mut raw = [0u8; HEADER_LEN];
        file.read_exact(&mut raw)
            .map_err(io_err("read the header of"))?;
        let header = Header::parse(&raw, path)?;
        if header.total_parts != 1 {
            return Err(WimError::AlreadySplit {
                path: path.to_path_buf(),
                part: header.part_number,
                total: header.total_parts,
            });
        }

        let table = read_resource(
            &mut file,
            path,
            file_len,
            &header.lookup_table,
            "lookup table",
        )?;
        let entries = lookup::parse_table(&table, file_len, header.version == VERSION_SOLID, path)?;

        let xml_raw = read_resource(&mut file, path, file_len, &header.xml_data, "XML data")?;
        let parsed =
            xml::parse(&xml::decode_utf16(&xml_raw)).map_err(|detail| WimError::Corrupt {
                path: path.to_path_buf(),
                detail,
            })?;

        let integrity_chunk_size = if header.integrity_table.is_absent() {
            None
        } else {
            let t = read_resource(
                &mut file,
                path,
                file_len,
                &header.integrity_table,
                "integrity table",
            )?;
            Some(integrity::chunk_size_of(&t, path)?)
        };

        // Trust the header's image count (it decides which metadata resource
        // is which image) and fill in what the XML data lacks.
        let images = (1..=header.image_count)
            .map(|index| {
                parsed
                    .images
                    .iter()
                    .find(|i| i.index == index)
                    .cloned()
                    .unwrap_or(ImageInfo {
                        index,
                        ..ImageInfo::default()
                    })
            })
            .collect();

        Ok(Wim {
            path: path.to_path_buf(),
            file_len,
            header,
            entries,
            xml_raw,
            integrity_chunk_size,
            images,
            xml_total_bytes: parsed.total_bytes,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Size of the WIM file in bytes.
    pub fn file_len(&self) -> u64 {
        self.file_len
    }

    /// The images, in index order (index 1 first).
    pub fn images(&self) -> &[ImageInfo] {
        &self.images
    }

    pub fn compression(&self) -> Compression {
        self.header.compression()
    }

    /// Uncompressed chunk size of compressed resources (0 when uncompressed).
    pub fn chunk_size(&self) -> u32 {
        self.header.chunk_size
    }

    pub fn version(&self) -> u32 {
        self.header.version
    }

    pub fn guid(&self) -> [u8; 16] {
        self.header.guid
    }

    /// (part number, total parts); (1, 1) for a whole WIM.
    pub fn part(&self) -> (u16, u16) {
        (self.header.part_number, self.header.total_parts)
    }

    /// 1-based index of the bootable image, 0 when none is.
    pub fn boot_index(&self) -> u32 {
        self.header.boot_index
    }

    pub fn has_integrity_table(&self) -> bool {
        self.integrity_chunk_size.is_some()
    }

    /// True when resources are packed into solid blocks (ESD files); such a
    /// WIM can be inspected but not split.
    pub fn is_solid(&self) -> bool {
        self.entries.iter().any(LookupEntry::is_solid)
    }

    /// Number of resources (file data plus image metadata) in the lookup table.
    pub fn resource_count(&self) -> usize {
        self.entries.len()
    }

    /// Top-level `TOTALBYTES` of the XML data.
    pub fn xml_total_bytes(&self) -> Option<u64> {
        self.xml_total_bytes
    }
}

/// Reads a small uncompressed resource (table or XML) fully into memory.
fn read_resource(
    file: &mut File,
    path: &Path,
    file_len: u64,
    reshdr: &ResourceHeader,
    what: &str,
) -> Result<Vec<u8>> {
    lookup::check_range(reshdr, file_len, &format!("the {what}"), path)?;
    if reshdr.is_compressed() {
        return Err(WimError::Unsupported {
            path: path.to_path_buf(),
            detail: format!("the {what} is compressed, which Windows never writes"),
        });
    }
    if reshdr.size_in_wim > MAX_TABLE_LEN {
        return Err(WimError::Corrupt {
            path: path.to_path_buf(),
            detail: format!("the {what} claims {} bytes", reshdr.size_in_wim),
        });
    }
    let mut buf = vec![0u8; reshdr.size_in_wim as usize];
    file.seek(SeekFrom::Start(reshdr.offset))
        .and_then(|_| file.read_exact(&mut buf))
        .map_err(|source| WimError::Io {
            path: path.to_path_buf(),
            action: "read",
            source,
        })?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::Synth;

    fn synth() -> Synth {
        Synth {
            data: vec![3000, 4000],
            images: vec!["Windows 11 Home", "Windows 11 Pro"],
            integrity_chunk: Some(4096),
        }
    }

    #[test]
    fn reads_header_tables_and_images() {
        let dir = tempfile::tempdir().unwrap();
        let wim = Wim::open(synth().write_to(dir.path())).unwrap();
        assert_eq!(wim.compression(), Compression::Lzx);
        assert_eq!(wim.chunk_size(), 32768);
        assert_eq!(wim.part(), (1, 1));
        assert_eq!(wim.version(), 0x10d00);
        assert!(wim.has_integrity_table());
        assert!(!wim.is_solid());
        assert_eq!(wim.resource_count(), 4);
        assert_eq!(wim.xml_total_bytes(), Some(12345));
        let names: Vec<_> = wim.images().iter().map(|i| i.name.as_deref()).collect();
        assert_eq!(names, [Some("Windows 11 Home"), Some("Windows 11 Pro")]);
        assert_eq!(wim.images()[1].edition_id.as_deref(), Some("Ed2"));
    }

    #[test]
    fn every_truncation_is_reported_as_such() {
        let dir = tempfile::tempdir().unwrap();
        let full = synth().build();
        let path = dir.path().join("cut.wim");
        for len in [0, 100, 208, 3000, full.len() - 40, full.len() - 1] {
            std::fs::write(&path, &full[..len]).unwrap();
            let err = Wim::open(&path).unwrap_err();
            assert!(
                matches!(err, WimError::Truncated { .. }),
                "length {len}: {err}"
            );
            assert!(err.to_string().contains("cut.wim"), "{err}");
        }
    }

    #[test]
    fn refuses_parts_of_a_split_set() {
        let dir = tempfile::tempdir().unwrap();
        let path = synth().write_to(dir.path());
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[0x28..0x2c].copy_from_slice(&[2, 0, 3, 0]);
        std::fs::write(&path, &bytes).unwrap();
        let err = Wim::open(&path).unwrap_err();
        assert!(
            matches!(
                err,
                WimError::AlreadySplit {
                    part: 2,
                    total: 3,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn missing_file_names_the_path() {
        let err = Wim::open("/nonexistent/install.wim").unwrap_err();
        assert!(
            err.to_string().contains("/nonexistent/install.wim"),
            "{err}"
        );
    }

    #[test]
    fn images_missing_from_the_xml_still_have_an_index() {
        let dir = tempfile::tempdir().unwrap();
        let path = synth().write_to(dir.path());
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[0x2c] = 3; // header claims a third image the XML lacks
        std::fs::write(&path, &bytes).unwrap();
        let wim = Wim::open(&path).unwrap();
        assert_eq!(wim.images().len(), 3);
        assert_eq!(wim.images()[2].index, 3);
        assert_eq!(wim.images()[2].name, None);
    }
}
