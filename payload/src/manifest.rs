//! The SHA-256 manifest of every file on the stick, in two forms: `SHA256SUMS`
//! (so `sha256sum -c` checks a stick on Linux) and JSON with sizes.

use crate::layout;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Read, Write};
use std::path::Path;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Relative to the stick's root, '/'-separated.
    pub path: String,
    pub size: u64,
    /// Lowercase hex.
    pub sha256: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Sorted by path, unique.
    pub files: Vec<Entry>,
}

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("{file}:{line}: not a SHA256SUMS line (expected `<64 hex digits>  <path>`)")]
    BadLine { file: String, line: usize },
    #[error(
        "{file}: {path}: a manifest path must be relative, '/'-separated, without `..`, newlines or backslashes"
    )]
    BadPath { file: String, path: String },
    #[error("{file}: not a manifest.json: {source}")]
    Json {
        file: String,
        source: serde_json::Error,
    },
}

/// One way a set of files differs from its manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Mismatch {
    Missing {
        path: String,
    },
    Extra {
        path: String,
    },
    Changed {
        path: String,
        expected: String,
        actual: String,
    },
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Mismatch::Missing { path } => {
                crate::Text::new(format!("ありません: {path}"), format!("missing: {path}"))
            }
            Mismatch::Extra { path } => crate::Text::new(
                format!("マニフェストにないファイル: {path}"),
                format!("not in the manifest: {path}"),
            ),
            Mismatch::Changed { path, .. } => crate::Text::new(
                format!("内容が違います (SHA-256 不一致): {path}"),
                format!("changed (SHA-256 differs): {path}"),
            ),
        };
        write!(f, "{text}")
    }
}

/// Whether `path` may appear in a manifest: `sha256sum` escapes `\` and newlines,
/// and `..` could point outside the stick.
pub fn valid_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains(['\\', '\n', '\r'])
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

impl Manifest {
    /// Builds a manifest from entries in any order; later duplicates replace earlier ones.
    pub fn from_entries(entries: impl IntoIterator<Item = Entry>) -> Manifest {
        let map: BTreeMap<String, Entry> =
            entries.into_iter().map(|e| (e.path.clone(), e)).collect();
        Manifest {
            files: map.into_values().collect(),
        }
    }

    /// `<hex>  <path>` lines, the text-mode format of `sha256sum`.
    pub fn to_sums(&self) -> String {
        self.files
            .iter()
            .map(|e| format!("{}  {}\n", e.sha256, e.path))
            .collect()
    }

    /// Reads `SHA256SUMS`. Sizes are unknown there and left 0.
    pub fn parse_sums(text: &str, file: &str) -> Result<Manifest, ManifestError> {
        let mut entries = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let bad = || ManifestError::BadLine {
                file: file.to_owned(),
                line: i + 1,
            };
            let (hash, rest) = line.split_at_checked(64).ok_or_else(bad)?;
            let path = rest
                .strip_prefix("  ")
                .or_else(|| rest.strip_prefix(" *"))
                .ok_or_else(bad)?;
            if !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(bad());
            }
            if !valid_path(path) {
                return Err(ManifestError::BadPath {
                    file: file.to_owned(),
                    path: path.to_owned(),
                });
            }
            entries.push(Entry {
                path: path.to_owned(),
                size: 0,
                sha256: hash.to_ascii_lowercase(),
            });
        }
        Ok(Manifest::from_entries(entries))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a manifest always serializes") + "\n"
    }

    pub fn parse_json(text: &str, file: &str) -> Result<Manifest, ManifestError> {
        let m: Manifest = serde_json::from_str(text).map_err(|source| ManifestError::Json {
            file: file.to_owned(),
            source,
        })?;
        if let Some(bad) = m.files.iter().find(|e| !valid_path(&e.path)) {
            return Err(ManifestError::BadPath {
                file: file.to_owned(),
                path: bad.path.clone(),
            });
        }
        Ok(Manifest::from_entries(m.files))
    }

    pub fn get(&self, path: &str) -> Option<&Entry> {
        self.files
            .binary_search_by(|e| e.path.as_str().cmp(path))
            .ok()
            .map(|i| &self.files[i])
    }

    /// Every difference between what the manifest promises and `actual`, in path order.
    /// Paths compare case-insensitively, as FAT32 and NTFS do.
    pub fn compare(&self, actual: &Manifest) -> Vec<Mismatch> {
        let key = |p: &str| p.to_lowercase();
        let expected: BTreeMap<String, &Entry> =
            self.files.iter().map(|e| (key(&e.path), e)).collect();
        let found: BTreeMap<String, &Entry> =
            actual.files.iter().map(|e| (key(&e.path), e)).collect();
        let mut out = Vec::new();
        for (k, e) in &expected {
            match found.get(k) {
                None => out.push(Mismatch::Missing {
                    path: e.path.clone(),
                }),
                Some(a) if !a.sha256.eq_ignore_ascii_case(&e.sha256) => {
                    out.push(Mismatch::Changed {
                        path: e.path.clone(),
                        expected: e.sha256.clone(),
                        actual: a.sha256.clone(),
                    })
                }
                Some(_) => {}
            }
        }
        for (k, a) in &found {
            if !expected.contains_key(k) {
                out.push(Mismatch::Extra {
                    path: a.path.clone(),
                });
            }
        }
        out.sort_by(|a, b| mismatch_path(a).cmp(mismatch_path(b)));
        out
    }
}

fn mismatch_path(m: &Mismatch) -> &str {
    match m {
        Mismatch::Missing { path } | Mismatch::Extra { path } | Mismatch::Changed { path, .. } => {
            path
        }
    }
}

/// A writer that hashes everything passing through it, so a file is read once
/// and written once while its manifest entry is computed on the way.
pub struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    len: u64,
}

impl<W: Write> HashingWriter<W> {
    pub fn new(inner: W) -> HashingWriter<W> {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
            len: 0,
        }
    }

    /// (lowercase hex SHA-256, bytes written) and the inner writer.
    pub fn finish(self) -> (String, u64, W) {
        (hex::encode(self.hasher.finalize()), self.len, self.inner)
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Streams `reader` into `writer` once, hashing on the way. Returns (lowercase hex SHA-256, bytes).
pub fn copy_hashing(reader: &mut impl Read, writer: &mut impl Write) -> io::Result<(String, u64)> {
    // Large buffers keep a USB stick or image file near its sequential speed.
    let mut buf = vec![0u8; 1 << 20];
    let mut out = HashingWriter::new(writer);
    loop {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.write_all(&buf[..n])?,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    let (sha, len, _) = out.finish();
    Ok((sha, len))
}

/// Hashes a file.
pub fn hash_file(path: &Path) -> io::Result<(String, u64)> {
    copy_hashing(&mut std::fs::File::open(path)?, &mut io::sink())
}

/// Every file under `root` (but those `layout::outside_manifest` skips) as
/// ('/'-separated relative path, size), in path order.
pub fn list_dir(root: &Path) -> io::Result<Vec<(String, u64)>> {
    let mut files = Vec::new();
    for item in walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
    {
        let item = item.map_err(io::Error::other)?;
        if !item.file_type().is_file() {
            continue;
        }
        let rel = item
            .path()
            .strip_prefix(root)
            .expect("walkdir yields paths under its root");
        let path = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        if !layout::outside_manifest(&path) {
            files.push((path, item.metadata().map_err(io::Error::other)?.len()));
        }
    }
    Ok(files)
}

/// The manifest of what is in `root` now.
pub fn scan_dir(root: &Path) -> io::Result<Manifest> {
    let mut entries = Vec::new();
    for (path, _) in list_dir(root)? {
        let (sha256, size) = hash_file(&root.join(&path))?;
        entries.push(Entry { path, size, sha256 });
    }
    Ok(Manifest::from_entries(entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, sha: &str) -> Entry {
        Entry {
            path: path.into(),
            size: 1,
            sha256: sha.repeat(64),
        }
    }

    #[test]
    fn sums_round_trip() {
        let m = Manifest::from_entries([entry("b/日本語.txt", "a"), entry("a.txt", "b")]);
        let text = m.to_sums();
        assert!(text.starts_with(&format!("{}  a.txt\n", "b".repeat(64))));
        let back = Manifest::parse_sums(&text, "SHA256SUMS").unwrap();
        assert_eq!(back.files.len(), 2);
        assert_eq!(back.get("b/日本語.txt").unwrap().sha256, "a".repeat(64));
    }

    #[test]
    fn bad_lines_and_paths_are_named() {
        let err = Manifest::parse_sums("xyz  a\n", "S").unwrap_err();
        assert_eq!(
            err.to_string(),
            "S:1: not a SHA256SUMS line (expected `<64 hex digits>  <path>`)"
        );
        let err =
            Manifest::parse_sums(&format!("{}  ../etc/passwd\n", "0".repeat(64)), "S").unwrap_err();
        assert!(err.to_string().contains("../etc/passwd"));
    }

    #[test]
    fn compare_names_every_difference() {
        let want = Manifest::from_entries([
            entry("same", "a"),
            entry("changed", "a"),
            entry("gone", "a"),
        ]);
        let have =
            Manifest::from_entries([entry("SAME", "a"), entry("changed", "b"), entry("new", "c")]);
        let diff = want.compare(&have);
        assert_eq!(
            diff,
            vec![
                Mismatch::Changed {
                    path: "changed".into(),
                    expected: "a".repeat(64),
                    actual: "b".repeat(64)
                },
                Mismatch::Missing {
                    path: "gone".into()
                },
                Mismatch::Extra { path: "new".into() },
            ]
        );
    }

    #[test]
    fn scan_dir_hashes_and_skips_manifest() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("oqs/sub")).unwrap();
        std::fs::write(dir.path().join("oqs/sub/x.bin"), b"abc").unwrap();
        std::fs::write(dir.path().join(layout::MANIFEST_SUMS), b"ignored").unwrap();
        let m = scan_dir(dir.path()).unwrap();
        assert_eq!(m.files.len(), 1);
        assert_eq!(m.files[0].path, "oqs/sub/x.bin");
        assert_eq!(m.files[0].size, 3);
        assert_eq!(
            m.files[0].sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
