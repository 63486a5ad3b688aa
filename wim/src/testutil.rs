//! Hand-built WIM files for the unit tests, so they need no external tool.

use std::path::{Path, PathBuf};

use sha1::{Digest, Sha1};

use crate::header::{
    FLAG_COMPRESS_LZX, FLAG_COMPRESSION, FLAG_RP_FIX, HEADER_LEN, Header, VERSION_DEFAULT,
};
use crate::integrity::ChunkHasher;
use crate::lookup::{self, LookupEntry};
use crate::reshdr::{FLAG_COMPRESSED, FLAG_METADATA, ResourceHeader};

pub struct Synth {
    /// Sizes of the file-data resources, in file order.
    pub data: Vec<usize>,
    pub images: Vec<&'static str>,
    pub integrity_chunk: Option<u32>,
}

/// Deterministic filler that differs per resource.
fn filler(seed: usize, len: usize) -> Vec<u8> {
    let mut x = (seed as u32).wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

pub fn xml_for(images: &[&str]) -> Vec<u8> {
    let mut text = String::from("<WIM><TOTALBYTES>12345</TOTALBYTES>");
    for (i, name) in images.iter().enumerate() {
        text += &format!(
            "<IMAGE INDEX=\"{}\"><NAME>{name}</NAME><WINDOWS><EDITIONID>Ed{}</EDITIONID>\
             </WINDOWS><DISPLAYNAME>Display {name}</DISPLAYNAME></IMAGE>",
            i + 1,
            i + 1
        );
    }
    text += "</WIM>";
    let mut out = vec![0xFF, 0xFE];
    out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    out
}

impl Synth {
    /// Layout: header, data resources with the metadata resources after the
    /// first data resource (so part 1 must gather them from the middle),
    /// lookup table with metadata entries mixed in, XML, integrity table.
    pub fn build(&self) -> Vec<u8> {
        let mut file = vec![0u8; HEADER_LEN];
        let mut entries = Vec::new();
        let push = |file: &mut Vec<u8>, bytes: Vec<u8>, flags| {
            let e = LookupEntry {
                reshdr: ResourceHeader {
                    size_in_wim: bytes.len() as u64,
                    flags,
                    offset: file.len() as u64,
                    original_size: bytes.len() as u64 * 2,
                },
                part_number: 1,
                ref_count: 1,
                hash: Sha1::digest(&bytes).into(),
            };
            file.extend(bytes);
            e
        };
        let mut meta = Vec::new();
        for (i, &len) in self.data.iter().enumerate() {
            entries.push(push(&mut file, filler(i, len), FLAG_COMPRESSED));
            if i == 0 {
                for m in 0..self.images.len() {
                    let bytes = filler(1000 + m, 300 + m);
                    meta.push(push(&mut file, bytes, FLAG_METADATA | FLAG_COMPRESSED));
                }
            }
        }
        // Metadata entries in image order, but interleaved with data entries.
        let mid = entries.len() / 2;
        let mut table = entries[..mid].to_vec();
        table.extend(meta);
        table.extend_from_slice(&entries[mid..]);
        let table: Vec<u8> = table.iter().flat_map(LookupEntry::encode).collect();

        let lookup = ResourceHeader::raw(file.len() as u64, table.len() as u64, FLAG_METADATA);
        file.extend(&table);
        let xml_bytes = xml_for(&self.images);
        let xml = ResourceHeader::raw(file.len() as u64, xml_bytes.len() as u64, FLAG_METADATA);
        file.extend(&xml_bytes);
        let integrity = match self.integrity_chunk {
            Some(chunk) => {
                let mut h = ChunkHasher::new(chunk);
                h.update(&file[HEADER_LEN..xml.offset as usize]);
                let t = h.finish();
                let r = ResourceHeader::raw(file.len() as u64, t.len() as u64, 0);
                file.extend(t);
                r
            }
            None => ResourceHeader::default(),
        };
        let header = Header {
            version: VERSION_DEFAULT,
            flags: FLAG_COMPRESSION | FLAG_COMPRESS_LZX | FLAG_RP_FIX,
            chunk_size: 32768,
            guid: *b"0123456789abcdef",
            part_number: 1,
            total_parts: 1,
            image_count: self.images.len() as u32,
            lookup_table: lookup,
            xml_data: xml,
            boot_metadata: ResourceHeader::default(),
            boot_index: 0,
            integrity_table: integrity,
        };
        file[..HEADER_LEN].copy_from_slice(&header.encode());
        file
    }

    pub fn write_to(&self, dir: &Path) -> PathBuf {
        let path = dir.join("install.wim");
        std::fs::write(&path, self.build()).unwrap();
        path
    }
}

/// Header and lookup table of a WIM (or part) held in memory.
pub fn parse(bytes: &[u8]) -> (Header, Vec<LookupEntry>) {
    let p = Path::new("part");
    let header = Header::parse(bytes[..HEADER_LEN].try_into().unwrap(), p).unwrap();
    let lt = header.lookup_table;
    let table = &bytes[lt.offset as usize..lt.end().unwrap() as usize];
    let entries = lookup::parse_table(table, bytes.len() as u64, false, p).unwrap();
    (header, entries)
}
