//! The journal: what the last `apply` did, step by step, written atomically after
//! every step so a power cut or restart resumes where it stopped, and a restart
//! that a change needs is not forgotten.

use super::Outcome;
use crate::host::Host;
use crate::paths;
use anyhow::Context as _;
use serde::{Deserialize, Serialize};

const VERSION: u32 = 1;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal {
    pub version: u32,
    pub terminal: String,
    /// How many `apply` runs this terminal has seen.
    pub runs: u32,
    /// The last run went through every step (and restarted if it had to).
    pub finished: bool,
    /// A change that needs a restart was made and Windows has not restarted since.
    pub reboot_owed: bool,
    /// The current (or last) run's steps, in order.
    pub steps: Vec<Entry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub id: String,
    pub outcome: Outcome,
    pub at_unix: u64,
}

impl Journal {
    /// The journal on this host, or `None` before the first `apply`.
    pub fn load(host: &dyn Host) -> anyhow::Result<Option<Journal>> {
        let path = paths::journal(host)?;
        let Some(bytes) = host.read_file(&path)? else {
            return Ok(None);
        };
        let journal: Journal = serde_json::from_slice(&bytes).with_context(|| {
            format!("{path}: not a journal this version understands; move it away to start afresh")
        })?;
        anyhow::ensure!(
            journal.version == VERSION,
            "{path}: journal version {} (this build writes {VERSION}); move it away to start afresh",
            journal.version
        );
        Ok(Some(journal))
    }

    pub fn save(&mut self, host: &mut dyn Host) -> anyhow::Result<()> {
        self.version = VERSION;
        let path = paths::journal(host)?;
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        host.write_file(&path, text.as_bytes())
            .with_context(|| format!("cannot write the journal {path}"))
    }

    pub fn record(&mut self, id: &str, outcome: Outcome, at_unix: u64) {
        self.steps.retain(|e| e.id != id);
        self.steps.push(Entry {
            id: id.to_owned(),
            outcome,
            at_unix,
        });
    }
}
