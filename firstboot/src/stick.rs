//! The stick firstboot runs from: found by its volume label, checked against its
//! manifest before anything else, and the source of the site plan and files.

use anyhow::Context as _;
use payload::layout;
use payload::manifest::{self, Manifest, Mismatch};
use payload::site::Loaded;
use std::cell::OnceCell;
use std::path::{Path, PathBuf};

pub struct Stick {
    pub root: PathBuf,
    /// Read once: `verify` and every step's `sha256` use the same.
    manifest: OnceCell<Manifest>,
}

impl Stick {
    pub fn at(root: &Path) -> Stick {
        Stick {
            root: root.to_owned(),
            manifest: OnceCell::new(),
        }
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    pub fn read(&self, relative: &str) -> anyhow::Result<Vec<u8>> {
        let path = self.path(relative);
        std::fs::read(&path)
            .with_context(|| format!("cannot read {} from the stick", path.display()))
    }

    /// Every difference between the payload (`oqs\`) and the manifest. Only the
    /// payload is hashed: the Windows set-up files are Setup's business, and
    /// hashing a 5 GB install image at every first logon would cost minutes.
    pub fn verify(&self) -> anyhow::Result<Vec<Mismatch>> {
        let manifest = self.manifest()?;
        let prefix = format!("{}/", layout::PAYLOAD_DIR);
        let expected = Manifest::from_entries(
            manifest
                .files
                .iter()
                .filter(|e| e.path.starts_with(&prefix))
                .cloned(),
        );
        let payload_dir = self.path(layout::PAYLOAD_DIR);
        let scanned = manifest::scan_dir(&payload_dir)
            .with_context(|| format!("cannot read {}", payload_dir.display()))?;
        let actual = Manifest::from_entries(
            scanned
                .files
                .into_iter()
                .map(|mut e| {
                    e.path = format!("{prefix}{}", e.path);
                    e
                })
                .filter(|e| !layout::outside_manifest(&e.path)),
        );
        Ok(expected.compare(&actual))
    }

    fn manifest(&self) -> anyhow::Result<&Manifest> {
        if let Some(manifest) = self.manifest.get() {
            return Ok(manifest);
        }
        let sums_path = self.path(layout::MANIFEST_SUMS);
        let text = std::fs::read_to_string(&sums_path)
            .with_context(|| format!("cannot read the manifest {}", sums_path.display()))?;
        let manifest = Manifest::parse_sums(&text, layout::MANIFEST_SUMS)?;
        Ok(self.manifest.get_or_init(|| manifest))
    }

    /// A payload file's SHA-256 as the manifest records it (the stick was checked
    /// against the manifest when it was opened), without reading the file again.
    pub fn sha256(&self, relative: &str) -> anyhow::Result<String> {
        let manifest = self.manifest()?;
        let entry = manifest.get(relative).with_context(|| {
            format!("{relative} is not in the stick's manifest; rebuild the stick")
        })?;
        Ok(entry.sha256.clone())
    }

    pub fn site(&self) -> anyhow::Result<Loaded> {
        let path = self.path(layout::SITE_PLAN);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read the site plan {}", path.display()))?;
        Ok(payload::site::parse(&text, &path)?)
    }
}

/// The stick on a Windows machine: the volume labelled `layout::VOLUME_LABEL`.
#[cfg(windows)]
pub fn find() -> anyhow::Result<Stick> {
    crate::host::win32::volume::find_by_label(layout::VOLUME_LABEL)
        .map(|root| Stick::at(&root))
        .with_context(|| {
            payload::Text::new(
                format!("ラベル {} の USB メモリが見つかりません。挿してから再実行するか、--stick で場所を指定してください", layout::VOLUME_LABEL),
                format!("no drive labelled {} is present; insert the stick or give --stick", layout::VOLUME_LABEL),
            )
            .to_string()
        })
}
