//! Errors name the file or path concerned and, where there is one, what to do.

use std::io;

/// Everything that can go wrong planning, writing or reading an image.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// FAT32 stores sizes in 32 bits: the builder must split such files (install.wim -> .swm).
    #[error(
        "{path}: {size} bytes is over the FAT32 limit of 4 GiB - 1 byte per file; split it (e.g. install.wim into install.swm parts)"
    )]
    FileTooLarge { path: String, size: u64 },
    #[error("invalid name {path:?}: {reason}")]
    InvalidName { path: String, reason: &'static str },
    #[error("{path:?} is added twice (FAT names ignore case: rename one of them)")]
    Duplicate { path: String },
    #[error("{path:?} is a file, so nothing can be added under it")]
    NotADirectory { path: String },
    #[error(
        "folder {path:?} needs {entries} directory entries, over FAT's limit of 65536; spread its files over subfolders"
    )]
    TooManyEntries { path: String, entries: usize },
    #[error("invalid volume label {label:?}: {reason}")]
    InvalidLabel { label: String, reason: &'static str },
    #[error(
        "the content needs an image of at least {needed} bytes but the size was forced to {forced} bytes; raise the size or leave it unset"
    )]
    DoesNotFit { needed: u64, forced: u64 },
    #[error(
        "a {size}-byte image is beyond FAT32 with 512-byte sectors (2 TiB per volume); use a smaller size"
    )]
    TooLarge { size: u64 },
    #[error(
        "{path}: its source declared {expected} bytes but wrote {written}; was the file changed while the image was written?"
    )]
    SourceLength {
        path: String,
        expected: u64,
        written: u64,
    },
    #[error("{path}: reading the source failed: {source}")]
    Source { path: String, source: io::Error },
    #[error("{context}: {source}")]
    Io { context: String, source: io::Error },
    #[error("{what} is damaged or not FAT32: {detail}")]
    Corrupt { what: String, detail: String },
    #[error("{path:?} is not in the image")]
    NotFound { path: String },
    #[error("the image has no partition {index} (it has {count})")]
    NoPartition { index: usize, count: usize },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(io::Error) -> Error {
        let context = context.into();
        move |source| Error::Io { context, source }
    }

    pub(crate) fn corrupt(what: impl Into<String>, detail: impl Into<String>) -> Error {
        Error::Corrupt {
            what: what.into(),
            detail: detail.into(),
        }
    }
}
