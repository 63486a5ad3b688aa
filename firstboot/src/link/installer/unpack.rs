//! Unpacking an ONS installer zip into a folder, safely.
//!
//! Entry names are checked before anything is written: an absolute name, a drive
//! letter, a `..` component or a symbolic link (zip-slip) refuses the whole zip.
//! Japanese names survive both ways zips carry them: UTF-8 with the zip's UTF-8
//! flag, or CP932 bytes without it (Windows' own "compressed folder" on Japanese
//! Windows). The zip is unpacked into `<dest>.partial` and renamed into place only
//! when complete, so a power cut never leaves a half-unpacked installer behind.

use super::InstallerError;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// Unpacks `zip` into `dest` (replacing an earlier copy); returns the files written,
/// relative to `dest`.
pub fn unpack_zip(zip: &Path, dest: &Path) -> Result<Vec<PathBuf>, InstallerError> {
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| InstallerError::Io { path, source }
    };
    let bad_zip = |e: zip::result::ZipError| InstallerError::Zip {
        zip: zip.into(),
        reason: e.to_string(),
    };
    let mut archive =
        zip::ZipArchive::new(File::open(zip).map_err(io_err(zip))?).map_err(bad_zip)?;

    let mut partial = dest.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    if partial.exists() {
        std::fs::remove_dir_all(&partial).map_err(io_err(&partial))?;
    }

    let mut entries = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(bad_zip)?;
        let unsafe_entry = |name: String| InstallerError::UnsafeEntry {
            zip: zip.into(),
            name,
        };
        let name = entry_name(entry.name_raw(), entry.name());
        if entry.is_symlink() {
            return Err(unsafe_entry(name));
        }
        let relative = safe_relative(&name).ok_or_else(|| unsafe_entry(name.clone()))?;
        entries.push((i, relative, entry.is_dir()));
    }

    std::fs::create_dir_all(&partial).map_err(io_err(&partial))?;
    let mut written = Vec::new();
    for (i, relative, is_dir) in entries {
        let target = partial.join(&relative);
        if is_dir {
            std::fs::create_dir_all(&target).map_err(io_err(&target))?;
            continue;
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        let mut entry = archive.by_index(i).map_err(bad_zip)?;
        let mut out = File::create(&target).map_err(io_err(&target))?;
        // The zip crate checks each entry's CRC-32 as the copy reaches its end.
        io::copy(&mut entry, &mut out).map_err(|e| match e.kind() {
            io::ErrorKind::InvalidData => InstallerError::Zip {
                zip: zip.into(),
                reason: format!("{}: {e}", relative.display()),
            },
            _ => io_err(&target)(e),
        })?;
        out.sync_all().map_err(io_err(&target))?;
        written.push(relative);
    }

    if dest.exists() {
        std::fs::remove_dir_all(dest).map_err(io_err(dest))?;
    }
    std::fs::rename(&partial, dest).map_err(io_err(dest))?;
    Ok(written)
}

/// The entry's name as text. The zip crate decodes flagged names as UTF-8 and
/// others as CP437, so `decoded` equals the raw bytes exactly when the flag is set
/// (or the name is ASCII). Unflagged names are UTF-8 when they are valid UTF-8
/// (some tools omit the flag), else CP932.
fn entry_name(raw: &[u8], decoded: &str) -> String {
    if decoded.as_bytes() == raw {
        return decoded.to_owned();
    }
    match std::str::from_utf8(raw) {
        Ok(utf8) => utf8.to_owned(),
        Err(_) => encoding_rs::SHIFT_JIS
            .decode_without_bom_handling(raw)
            .0
            .into_owned(),
    }
}

/// The entry's path below the destination, or `None` when it would land outside it
/// (absolute, drive letter or alternate data stream, `..`) or is not a usable name.
pub(super) fn safe_relative(name: &str) -> Option<PathBuf> {
    if name.starts_with(['/', '\\']) {
        return None;
    }
    let mut path = PathBuf::new();
    for part in name.split(['/', '\\']) {
        match part {
            "" | "." => continue,
            ".." => return None,
            _ if part.contains(':') || part.chars().any(char::is_control) => return None,
            _ => path.push(part),
        }
    }
    (!path.as_os_str().is_empty()).then_some(path)
}

#[cfg(test)]
mod tests;
