//! Reading an ONS installer zip, safely, into the files to stage.
//!
//! Entry names are checked before anything is returned: an absolute name, a drive
//! letter, a `..` component or a symbolic link (zip-slip) refuses the whole zip.
//! Japanese names survive both ways zips carry them: UTF-8 with the zip's UTF-8
//! flag, or CP932 bytes without it (Windows' own "compressed folder" on Japanese
//! Windows). The whole zip is read (and every entry's CRC-32 checked) before the
//! caller writes anything, so a damaged zip never leaves a half-staged installer.

use super::InstallerError;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

/// One file of the zip, with its checked place below the folder it unpacks into.
#[derive(Clone, PartialEq, Eq)]
pub struct ZipFile {
    /// Path components below the destination folder.
    pub parts: Vec<String>,
    pub bytes: Vec<u8>,
}

impl ZipFile {
    pub fn relative(&self) -> PathBuf {
        self.parts.iter().collect()
    }

    /// The file's Windows path below `dir`.
    pub fn windows_path(&self, dir: &str) -> String {
        format!(r"{}\{}", dir.trim_end_matches('\\'), self.parts.join("\\"))
    }
}

impl std::fmt::Debug for ZipFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({} bytes)", self.parts.join("/"), self.bytes.len())
    }
}

/// The files of the zip `bytes` (read from `zip`, named in errors), in zip order;
/// folders are implied by the files' paths.
pub fn read_zip(bytes: &[u8], zip: &Path) -> Result<Vec<ZipFile>, InstallerError> {
    let bad_zip = |reason: String| InstallerError::Zip {
        zip: zip.into(),
        reason,
    };
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| bad_zip(e.to_string()))?;

    let mut entries = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| bad_zip(e.to_string()))?;
        let unsafe_entry = |name: String| InstallerError::UnsafeEntry {
            zip: zip.into(),
            name,
        };
        let name = entry_name(entry.name_raw(), entry.name());
        if entry.is_symlink() {
            return Err(unsafe_entry(name));
        }
        let parts = safe_parts(&name).ok_or_else(|| unsafe_entry(name.clone()))?;
        if !entry.is_dir() {
            entries.push((i, parts));
        }
    }

    let mut files = Vec::with_capacity(entries.len());
    for (i, parts) in entries {
        let mut entry = archive.by_index(i).map_err(|e| bad_zip(e.to_string()))?;
        let mut bytes = Vec::with_capacity(entry.size().try_into().unwrap_or(0));
        // The zip crate checks each entry's CRC-32 as the read reaches its end.
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| bad_zip(format!("{}: {e}", parts.join("/"))))?;
        files.push(ZipFile { parts, bytes });
    }
    Ok(files)
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

/// The entry's path components below the destination, or `None` when it would land
/// outside it (absolute, drive letter or alternate data stream, `..`) or is not a
/// usable name.
fn safe_parts(name: &str) -> Option<Vec<String>> {
    if name.starts_with(['/', '\\']) {
        return None;
    }
    let mut parts = Vec::new();
    for part in name.split(['/', '\\']) {
        match part {
            "" | "." => continue,
            ".." => return None,
            _ if part.contains(':') || part.chars().any(char::is_control) => return None,
            _ => parts.push(part.to_owned()),
        }
    }
    (!parts.is_empty()).then_some(parts)
}

/// `safe_parts` as a relative path (for names the site gives, like `run`).
pub(super) fn safe_relative(name: &str) -> Option<PathBuf> {
    safe_parts(name).map(|parts| parts.iter().collect())
}

#[cfg(test)]
mod tests;
