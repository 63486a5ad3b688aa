//! Reading Windows Imaging (WIM) files and splitting them into `.swm` parts.
//!
//! Windows 11's `install.wim` is larger than the 4 GiB a FAT32 file can hold;
//! Windows Setup also accepts the image as a split set `install.swm`,
//! `install2.swm`, ... This crate produces such a set the way wimlib's
//! `wimlib-imagex split` does, copying resources verbatim (no decompression):
//!
//! ```no_run
//! let wim = wim::Wim::open("sources/install.wim")?;
//! let pro = wim.select_image("Windows 11 Pro")?;
//! println!("image {}: {:?}", pro.index, pro.name);
//! let plan = wim.plan_split(wim::DEFAULT_PART_MIB * 1024 * 1024)?;
//! for (i, part) in plan.parts.iter().enumerate() {
//!     let mut out = std::fs::File::create(&part.file_name)?;
//!     plan.write_part(i, &mut out)?;
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Solid (ESD) images can be inspected but not split: export them first.

mod dir;
mod error;
mod header;
mod integrity;
mod lookup;
mod reader;
mod reshdr;
mod select;
mod split;
mod xml;

#[cfg(test)]
mod testutil;

pub use dir::split_to_dir;
pub use error::{Result, WimError};
pub use header::Compression;
pub use reader::Wim;
pub use split::{DEFAULT_PART_MIB, DEFAULT_SWM_NAME, PartPlan, SplitPlan};
pub use xml::ImageInfo;

/// `mib` MiB in bytes, for part sizes given in MiB.
pub const fn mib(mib: u64) -> u64 {
    mib * 1024 * 1024
}
