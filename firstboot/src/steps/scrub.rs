//! After set-up, nothing secret may stay on the disk: Windows caches the answer
//! file (with the set-up passwords) in Panther, and the answer file may have
//! staged the vault or a PFX in firstboot's folder.

use crate::host::{Host, KnownFolder};
use crate::paths;
use crate::step::{Change, Shown, State, Step};
use payload::Text;

/// Files under `staged_dir` the answer file may leave (the vault, its key, PFX copies).
pub const STAGED_NAMES: &[&str] = &["secrets.age", "secrets.key"];

pub struct Scrub {
    /// Terminal PFX file names that may be staged (e.g. `OQS-UKETSUKE1.pfx`).
    pub staged_pfx: Vec<String>,
}

impl Scrub {
    fn targets(&self, host: &dyn Host) -> anyhow::Result<Vec<String>> {
        let panther = format!(r"{}\Panther", host.known_folder(KnownFolder::Windows)?);
        let staged = paths::staged_dir(host)?;
        let mut out = vec![
            format!(r"{panther}\unattend.xml"),
            format!(r"{panther}\unattend-original.xml"),
        ];
        out.extend(STAGED_NAMES.iter().map(|n| format!(r"{staged}\{n}")));
        out.extend(self.staged_pfx.iter().map(|n| format!(r"{staged}\{n}")));
        Ok(out)
    }
}

impl Step for Scrub {
    fn id(&self) -> String {
        "scrub.secrets".into()
    }

    fn title(&self) -> Text {
        Text::new(
            "応答ファイルのキャッシュと一時コピー (秘密を含む) を削除",
            "Delete the cached answer file and staged copies (they hold secrets)",
        )
    }

    fn check(&self, host: &dyn Host) -> anyhow::Result<State> {
        let mut changes = Vec::new();
        for path in self.targets(host)? {
            if host.read_file(&path)?.is_some() {
                changes.push(Change {
                    what: path,
                    before: Shown::Value("file".into()),
                    after: Shown::Absent,
                });
            }
        }
        Ok(if changes.is_empty() {
            State::Ok
        } else {
            State::Differs(changes)
        })
    }

    fn apply(&self, host: &mut dyn Host) -> anyhow::Result<()> {
        for path in self.targets(host)? {
            host.remove_file(&path)?;
        }
        Ok(())
    }
}
