//! Errors of the WIM reader and splitter.
//!
//! Every message names the file it is about and, where the user can do
//! something, what to do: these texts end up in front of whoever builds the
//! recovery stick, not in front of a developer.

use std::io;
use std::path::PathBuf;

/// Result type of this crate.
pub type Result<T, E = WimError> = std::result::Result<T, E>;

/// What went wrong while reading or splitting a WIM.
#[derive(Debug, thiserror::Error)]
pub enum WimError {
    #[error("{}: cannot {action}: {source}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: io::Error,
    },

    #[error("cannot write split part {file_name}: {source}")]
    Write {
        file_name: String,
        #[source]
        source: io::Error,
    },

    #[error(
        "{}: not a WIM file (it does not start with \"MSWIM\"); \
         give the install.wim from the sources folder of the Windows media",
        path.display()
    )]
    BadMagic { path: PathBuf },

    #[error(
        "{}: this is a wimlib \"pipable\" WIM, which Windows Setup cannot read; \
         convert it first: `wimlib-imagex export {} all install.wim --not-pipable`",
        path.display(), path.display()
    )]
    Pipable { path: PathBuf },

    #[error(
        "{}: unsupported WIM header size {size} (expected 208); the file is damaged \
         or comes from a pre-release Windows",
        path.display()
    )]
    BadHeaderSize { path: PathBuf, size: u32 },

    #[error(
        "{}: unsupported WIM version {version:#x} (known: 0x10d00, and 0xe00 for \
         solid/ESD images); re-export the image with DISM or wimlib-imagex",
        path.display()
    )]
    UnsupportedVersion { path: PathBuf, version: u32 },

    #[error(
        "{}: the file is truncated: {what} ends at byte {end} but the file has only \
         {len} bytes; copy the image from the Windows media again",
        path.display()
    )]
    Truncated {
        path: PathBuf,
        what: String,
        end: u64,
        len: u64,
    },

    #[error(
        "{}: damaged WIM: {detail}; copy the image from the Windows media again",
        path.display()
    )]
    Corrupt { path: PathBuf, detail: String },

    #[error("{}: unsupported WIM: {detail}", path.display())]
    Unsupported { path: PathBuf, detail: String },

    #[error(
        "{}: this is already part {part} of a {total}-part split WIM; split the \
         original install.wim instead, or copy the .swm files as they are",
        path.display()
    )]
    AlreadySplit {
        path: PathBuf,
        part: u16,
        total: u16,
    },

    #[error(
        "{}: this is a solid/ESD image; export it first: \
         `dism /Export-Image /SourceImageFile:install.esd /SourceIndex:N \
         /DestinationImageFile:install.wim /Compress:max` or \
         `wimlib-imagex export install.esd all install.wim --compress=LZX`",
        path.display()
    )]
    Solid { path: PathBuf },

    #[error("{}: the WIM holds no images, so there is nothing to split", path.display())]
    NoImages { path: PathBuf },

    #[error(
        "{}: no image matches {query:?}; available images: {available}",
        path.display()
    )]
    NoSuchImage {
        path: PathBuf,
        query: String,
        available: String,
    },

    #[error(
        "{}: {query:?} matches several images ({matches}); give the full image name \
         or its index",
        path.display()
    )]
    AmbiguousImage {
        path: PathBuf,
        query: String,
        matches: String,
    },

    #[error(
        "{}: a part size of {max_part_bytes} bytes is too small: {what} needs \
         {needed} bytes in one part (with header and tables); use at least {} MiB",
        path.display(), needed.div_ceil(1024 * 1024)
    )]
    PartTooSmall {
        path: PathBuf,
        max_part_bytes: u64,
        what: String,
        needed: u64,
    },

    #[error(
        "{}: parts of {max_part_bytes} bytes would make more than 65535 parts; \
         use a larger part size",
        path.display()
    )]
    TooManyParts { path: PathBuf, max_part_bytes: u64 },

    #[error(
        "{}: the file changed after the split was planned ({detail}); plan it again",
        path.display()
    )]
    SourceChanged { path: PathBuf, detail: String },

    #[error("there is no part {index}: the split has {count} parts")]
    NoSuchPart { index: usize, count: usize },

    #[error("invalid .swm base name {name:?}: {why}")]
    BadBaseName { name: String, why: &'static str },
}
