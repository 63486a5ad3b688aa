//! `local-copy`: firstboot's own exe and the site plan (which holds no secrets)
//! copied from the stick to `C:\ProgramData\oqs-stick`, for what runs once the
//! stick is gone: the every-minute `role check` task, and `verify` by staff.

use crate::host::Host;
use crate::step::{Changes, State, Step, short_sha256};
use payload::Text;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

pub struct CopiedFile {
    /// Where it goes on the terminal.
    pub target: String,
    /// The file on the stick, and its SHA-256 from the stick's manifest.
    pub source: PathBuf,
    pub sha256: String,
}

pub struct LocalCopy {
    pub files: Vec<CopiedFile>,
}

impl Step for LocalCopy {
    fn id(&self) -> String {
        "local-copy".into()
    }

    fn title(&self) -> Text {
        Text::new(
            "oqs-firstboot.exe と site.toml を端末に保存 (定期確認用)",
            "Keep oqs-firstboot.exe and site.toml on the terminal (for the scheduled check)",
        )
    }

    fn check(&self, host: &dyn Host) -> anyhow::Result<State> {
        let mut changes = Changes::default();
        for file in &self.files {
            let now = host
                .read_file(&file.target)?
                .map(|bytes| hex::encode(Sha256::digest(bytes)));
            changes.compare(
                file.target.clone(),
                now.as_deref().map(short_sha256),
                Some(short_sha256(&file.sha256)),
            );
        }
        Ok(changes.into_state())
    }

    fn apply(&self, host: &mut dyn Host) -> anyhow::Result<()> {
        for file in &self.files {
            let bytes = std::fs::read(&file.source).map_err(|e| {
                anyhow::anyhow!("cannot read {} from the stick: {e}", file.source.display())
            })?;
            super::write_creating_folder(host, &file.target, &bytes)?;
        }
        Ok(())
    }
}
