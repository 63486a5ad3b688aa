//! A configuration item: like a PowerShell DSC resource, `check` says honestly
//! what differs and `apply` changes only that. A step never prints, never
//! retries and never touches the journal: the engine owns all of that.

use crate::host::{Capability, Host};
use payload::Text;
use serde::Serialize;
use std::fmt;

pub trait Step {
    /// Stable and unique in a run, e.g. `proxy.user`; used by the journal and `--only`/`--skip`.
    fn id(&self) -> String;
    fn title(&self) -> Text;
    /// What the host must be able to do; without it the step is skipped and says so.
    fn requires(&self) -> Vec<Capability> {
        Vec::new()
    }
    /// Whether a change made by this step takes effect only after a restart.
    fn needs_reboot(&self) -> bool {
        false
    }
    fn check(&self, host: &dyn Host) -> anyhow::Result<State>;
    fn apply(&self, host: &mut dyn Host) -> anyhow::Result<()>;
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    Ok,
    Differs(Vec<Change>),
    /// The check cannot tell (e.g. no network adapter matches the site): not healthy.
    Unknown(Text),
}

/// One difference, shown like `ansible --check --diff`: what, before, after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    pub what: String,
    pub before: Shown,
    pub after: Shown,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shown {
    Absent,
    Value(String),
    /// A secret: present, but never shown.
    Redacted,
}

impl Serialize for Shown {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Shown::Absent => s.serialize_none(),
            Shown::Value(v) => s.serialize_str(v),
            Shown::Redacted => s.serialize_str("REDACTED"),
        }
    }
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shown::Absent => write!(f, "{}", Text::new("(なし)", "(none)")),
            Shown::Value(v) => f.write_str(v),
            Shown::Redacted => f.write_str("REDACTED"),
        }
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} -> {}", self.what, self.before, self.after)
    }
}

/// A SHA-256 (hex) as a change shows it: `sha256:` and its first 12 digits.
pub fn short_sha256(sha256: &str) -> String {
    format!("sha256:{}", &sha256[..sha256.len().min(12)])
}

/// Collects the differences a check finds.
#[derive(Default)]
pub struct Changes(Vec<Change>);

impl Changes {
    /// Records `what` when `before` and `after` differ.
    pub fn compare<T: PartialEq + fmt::Display>(
        &mut self,
        what: impl Into<String>,
        before: Option<T>,
        after: Option<T>,
    ) {
        if before != after {
            let shown = |v: Option<T>| v.map_or(Shown::Absent, |v| Shown::Value(v.to_string()));
            self.0.push(Change {
                what: what.into(),
                before: shown(before),
                after: shown(after),
            });
        }
    }

    /// Records a secret that is absent or different, without showing either value.
    pub fn secret(&mut self, what: impl Into<String>, present: bool, matches: bool) {
        if !matches {
            self.0.push(Change {
                what: what.into(),
                before: if present {
                    Shown::Redacted
                } else {
                    Shown::Absent
                },
                after: Shown::Redacted,
            });
        }
    }

    pub fn push(&mut self, change: Change) {
        self.0.push(change);
    }

    pub fn extend(&mut self, other: Changes) {
        self.0.extend(other.0);
    }

    pub fn into_state(self) -> State {
        if self.0.is_empty() {
            State::Ok
        } else {
            State::Differs(self.0)
        }
    }
}
