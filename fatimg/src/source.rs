//! Where a file's bytes come from: a file on disk, bytes in memory, or anything the
//! builder generates on the fly (WIM .swm parts), streamed once into the image.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The unit of reading, hashing and writing. Small enough to stay in the CPU's L2 cache
/// between the read, SHA-256 and the write (measured: 4 MiB chunks cost 2-4x the kernel
/// copy time of 256 KiB ones), large enough to keep system calls few.
pub(crate) const CHUNK: usize = 256 << 10;

/// The bytes of one file in the image. `len` is asked once, when the file is added; the
/// writer then calls `write_to` exactly once and checks it wrote exactly `len` bytes.
pub trait Source: Send {
    /// The number of bytes `write_to` will write.
    fn len(&self) -> u64;

    /// Writes the whole content to `out`. Writes of 64-256 KiB are fastest; much larger
    /// ones fall out of the CPU cache, tiny ones cost a call each.
    fn write_to(&mut self, out: &mut dyn Write) -> io::Result<()>;

    /// Whether the file is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A file on disk, read when the image is written (not when it is added).
#[derive(Debug)]
pub struct FileSource {
    path: PathBuf,
    len: u64,
}

impl FileSource {
    /// Takes the file's size now; the writer reports an error if it changes before the
    /// image is written.
    pub fn new(path: impl Into<PathBuf>) -> io::Result<FileSource> {
        let path = path.into();
        let len = std::fs::metadata(&path)?.len();
        Ok(FileSource { path, len })
    }

    /// The file this source reads.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Source for FileSource {
    fn len(&self) -> u64 {
        self.len
    }

    fn write_to(&mut self, out: &mut dyn Write) -> io::Result<()> {
        let mut file = File::open(&self.path)?;
        // One byte more than expected, so a file that grew shows as a length mismatch.
        let mut buf = vec![0u8; usize::try_from(self.len + 1).map_or(CHUNK, |n| n.min(CHUNK))];
        loop {
            let mut filled = 0;
            while filled < buf.len() {
                match file.read(&mut buf[filled..]) {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            if filled == 0 {
                return Ok(());
            }
            out.write_all(&buf[..filled])?;
        }
    }
}

/// Bytes already in memory (generated files: answer files, manifests, site plans).
impl Source for Vec<u8> {
    fn len(&self) -> u64 {
        self.as_slice().len() as u64
    }

    fn write_to(&mut self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(self)
    }
}
