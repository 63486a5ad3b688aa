//! The optional integrity table: SHA-1 digests of fixed-size chunks of the
//! file from the end of the header to the end of the lookup table.
//! On disk: u32 table size, u32 entry count, u32 chunk size, then the digests.

use std::path::Path;

use sha1::{Digest, Sha1};

use crate::error::{Result, WimError};

const TABLE_HEADER_LEN: u64 = 12;
const DIGEST_LEN: u64 = 20;
/// wimlib's and DISM's chunk size.
pub const DEFAULT_CHUNK_SIZE: u32 = 10 * 1024 * 1024;
/// Chunk sizes outside this range are replaced by the default, as wimlib does.
const MIN_CHUNK_SIZE: u32 = 4096;
const MAX_CHUNK_SIZE: u32 = 128 * 1024 * 1024;

/// Checks an existing table and returns the chunk size new tables should
/// keep, so a split set looks like its source.
pub fn chunk_size_of(table: &[u8], path: &Path) -> Result<u32> {
    let corrupt = |detail: String| WimError::Corrupt {
        path: path.to_path_buf(),
        detail,
    };
    if table.len() < TABLE_HEADER_LEN as usize {
        return Err(corrupt(format!(
            "integrity table is only {} bytes",
            table.len()
        )));
    }
    let field = |at: usize| u32::from_le_bytes(table[at..at + 4].try_into().expect("4 bytes"));
    let (size, entries, chunk) = (field(0), field(4), field(8));
    let expected = TABLE_HEADER_LEN + u64::from(entries) * DIGEST_LEN;
    if u64::from(size) != table.len() as u64 || expected != table.len() as u64 {
        return Err(corrupt(format!(
            "integrity table sizes disagree ({} bytes stored, header says {size}, \
             {entries} entries need {expected})",
            table.len()
        )));
    }
    Ok(if (MIN_CHUNK_SIZE..=MAX_CHUNK_SIZE).contains(&chunk) {
        chunk
    } else {
        DEFAULT_CHUNK_SIZE
    })
}

/// Size of the table that covers `covered` bytes in chunks of `chunk_size`.
pub fn table_len(covered: u64, chunk_size: u32) -> u64 {
    TABLE_HEADER_LEN + covered.div_ceil(u64::from(chunk_size)) * DIGEST_LEN
}

/// Builds a table from bytes fed in file order, so it can be computed while
/// the part is being written instead of reading the part back.
pub struct ChunkHasher {
    chunk_size: u64,
    filled: u64,
    current: Sha1,
    digests: Vec<[u8; 20]>,
}

impl ChunkHasher {
    pub fn new(chunk_size: u32) -> Self {
        ChunkHasher {
            chunk_size: u64::from(chunk_size),
            filled: 0,
            current: Sha1::new(),
            digests: Vec::new(),
        }
    }

    pub fn update(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            let room = (self.chunk_size - self.filled).min(data.len() as u64) as usize;
            self.current.update(&data[..room]);
            self.filled += room as u64;
            data = &data[room..];
            if self.filled == self.chunk_size {
                self.digests.push(self.current.finalize_reset().into());
                self.filled = 0;
            }
        }
    }

    /// The encoded table.
    pub fn finish(mut self) -> Vec<u8> {
        if self.filled > 0 {
            self.digests.push(self.current.finalize().into());
        }
        let len = TABLE_HEADER_LEN + self.digests.len() as u64 * DIGEST_LEN;
        let mut out = Vec::with_capacity(len as usize);
        out.extend_from_slice(&(len as u32).to_le_bytes());
        out.extend_from_slice(&(self.digests.len() as u32).to_le_bytes());
        out.extend_from_slice(&(self.chunk_size as u32).to_le_bytes());
        for d in &self.digests {
            out.extend_from_slice(d);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_whole_and_partial_chunks_regardless_of_feeding() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut one = ChunkHasher::new(4096);
        one.update(&data);
        let mut many = ChunkHasher::new(4096);
        for piece in data.chunks(1000) {
            many.update(piece);
        }
        let table = one.finish();
        assert_eq!(table, many.finish());
        assert_eq!(table.len() as u64, table_len(10_000, 4096));
        assert_eq!(&table[4..8], &3u32.to_le_bytes());
        assert_eq!(&table[12..32], Sha1::digest(&data[..4096]).as_slice());
        assert_eq!(&table[52..72], Sha1::digest(&data[8192..]).as_slice());
        assert_eq!(chunk_size_of(&table, Path::new("a.wim")).unwrap(), 4096);
    }

    #[test]
    fn empty_input_gives_an_empty_table() {
        let table = ChunkHasher::new(4096).finish();
        assert_eq!(table.len(), 12);
        assert_eq!(table_len(0, 4096), 12);
    }

    #[test]
    fn rejects_inconsistent_tables_and_replaces_odd_chunk_sizes() {
        let p = Path::new("a.wim");
        assert!(chunk_size_of(&[0; 8], p).is_err());
        let mut t = ChunkHasher::new(4096).finish();
        t[4] = 1; // one entry claimed, none stored
        assert!(chunk_size_of(&t, p).is_err());
        let mut t = ChunkHasher::new(4096).finish();
        t[8..12].copy_from_slice(&16u32.to_le_bytes());
        assert_eq!(chunk_size_of(&t, p).unwrap(), DEFAULT_CHUNK_SIZE);
    }
}
