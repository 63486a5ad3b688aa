//! FAT32 disk images for the oqs-stick USB stick, written in one streaming pass.
//!
//! The builder describes the tree ([`ImageBuilder`]), gets a [`Plan`] that fixes every
//! byte of metadata (partition table, boot sector, FATs, directories) and where each
//! file goes, then [`Plan::write`] streams each file once: read, SHA-256 and write in one
//! pass, the image written front to back. Every file gets contiguous clusters, so the
//! stick reads fast and the FATs are known before any file byte is read.
//!
//! [`Image`] reads images back (ours or anyone's FAT32): partition table, volume, tree,
//! file contents. `oqs-builder verify` and `inspect` use it.
//!
//! ```no_run
//! use fatimg::{FileSource, ImageBuilder, ImageOptions, NoProgress};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut builder = ImageBuilder::new(ImageOptions { label: "OQS-STICK".into(), ..Default::default() })?;
//! builder.add_file("sources/boot.wim", Box::new(FileSource::new("media/sources/boot.wim")?))?;
//! builder.add_file("oqs/site.toml", Box::new(b"clinic = 1\n".to_vec()))?;
//! let plan = builder.plan()?;
//! let digests = plan.write_image("stick.img".as_ref(), &mut NoProgress)?;
//! # Ok(()) }
//! ```

mod boot_code;
mod bpb;
mod builder;
mod crc32;
mod error;
mod fat;
mod gpt;
mod hashing;
mod layout;
mod mbr;
mod names;
mod reader;
mod source;
mod time;
mod writer;

pub use builder::{GptType, ImageBuilder, ImageOptions, PartitionStyle};
pub use error::{Error, Result};
pub use gpt::Guid;
pub use layout::{Plan, PlannedFile};
pub use reader::{
    DirEntry, FileReader, Image, Partition, PartitionKind, TableKind, Volume, VolumeInfo,
};
pub use source::{FileSource, Source};
pub use writer::{Digests, FileDigest, NoProgress, Progress};

/// The largest file FAT32 can hold: its size field is 32 bits.
pub const MAX_FILE_SIZE: u64 = u32::MAX as u64;
