//! `oqs-firstboot role status|activate|standby|check`: which terminal's OQSComApp
//! serves the 電子カルテ link.
//!
//! Only the active terminal points the site's DataDir keys at the shared req/res
//! folders; standbys point them at their local folders, so two OQSComApps never
//! consume the same request folder. The lease on the share (see `lease`) says
//! who is active: `activate` takes it before pointing at the share, `standby`
//! points local before giving it up, and the scheduled `check` renews the active
//! terminal's heartbeat or, on a terminal that lost the lease, points it back local.

use super::lease::{self, Acquired, Lease, LeaseError};
use super::userdef::{self, PathStyle, UserDefError};
use payload::Text;
use payload::site::KarteLink;
use serde::Serialize;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// Where OQSComApp keeps its settings.
pub const PROPERTY_FILE: &str = r"C:\ProgramData\OQS\OQSComApp\config\UserDefinition.property";
/// What OQSComApp needs after any edit of its settings.
pub const RESTART_SCRIPT: &str = r"C:\Program Files\OQS\OQSComApp\tools\OQSComAppRestart.bat";
/// A heartbeat older than this marks the active terminal as dead. The scheduled
/// check renews it every minute, so three missed checks make a takeover possible.
pub const DEFAULT_STALE_AFTER: Duration = Duration::from_secs(180);

/// The side effects `role` needs; `FsLinkHost` is the plain-filesystem backend.
pub trait LinkHost {
    fn read_user_definition(&self) -> io::Result<Vec<u8>>;
    /// Replaces the file atomically (no half-written settings if power fails).
    fn write_user_definition(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Runs `OQSComAppRestart.bat` and waits for it.
    fn restart_com_app(&mut self) -> io::Result<()>;
    fn now(&self) -> SystemTime;
}

/// One terminal's view of the link.
#[derive(Clone, Copy, Debug)]
pub struct Terminal<'a> {
    pub name: &'a str,
    pub link: &'a KarteLink,
    /// The folder on the share holding the lease (see `lease_dir`).
    pub lease_dir: &'a Path,
    pub stale_after: Duration,
}

/// Where the lease lives: the folder that holds the shared request folder
/// (`\\nas\oqs` for `\\nas\oqs\req`), or the request folder itself when that is a
/// share's root. Never inside req/res, where OQSComApp looks for requests.
pub fn lease_dir(link: &KarteLink) -> PathBuf {
    let dir = link.request_dir.trim_end_matches(['\\', '/']);
    let parent = dir.rfind(['\\', '/']).map(|i| &dir[..i]);
    let share_root = |p: &str| match p.strip_prefix(r"\\") {
        Some(unc) => unc.matches(['\\', '/']).count() < 1,
        None => p.is_empty() || p.ends_with(':'),
    };
    match parent {
        Some(p) if !share_root(p) => PathBuf::from(p),
        _ => PathBuf::from(dir),
    }
}

/// Which folders the DataDir keys point at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Pointing {
    Shared,
    Local,
    /// Some keys one way, some the other, some elsewhere or missing.
    Mixed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Shared,
    Local,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyChange {
    pub key: String,
    pub before: Option<String>,
    pub after: String,
}

/// The new file and what differs from the current one.
#[derive(Clone, Debug)]
pub struct Plan {
    pub bytes: Vec<u8>,
    pub changes: Vec<KeyChange>,
}

#[derive(Debug)]
pub enum RoleError {
    NotConfigured {
        key: &'static str,
    },
    /// A key of `karte_link.keys` names neither a request nor a response folder.
    UnclassifiedKey {
        key: String,
    },
    UserDefinition(UserDefError),
    Lease(LeaseError),
    Settings {
        action: &'static str,
        source: io::Error,
    },
    Restart(io::Error),
}

impl RoleError {
    pub fn text(&self) -> Text {
        match self {
            RoleError::NotConfigured { key } => Text::new(
                format!(
                    "site.toml の karte_link.{key} が設定されていません。電子カルテ連携の共有フォルダーを書いてください"
                ),
                format!(
                    "karte_link.{key} is not set in site.toml; write the shared folder of the 電子カルテ link there"
                ),
            ),
            RoleError::UnclassifiedKey { key } => Text::new(
                format!(
                    "site.toml の karte_link.keys の {key} は Request とも Response とも読めません。名前に Request か Response を含むキーだけを書いてください"
                ),
                format!(
                    "{key} in karte_link.keys (site.toml) is neither a Request nor a Response key; list only keys whose name contains Request or Response"
                ),
            ),
            RoleError::UserDefinition(e) => e.text(),
            RoleError::Lease(e) => e.text(),
            RoleError::Settings { action, source } => Text::new(
                format!(
                    "UserDefinition.property を{}できません: {source}",
                    if *action == "read" {
                        "読め"
                    } else {
                        "書け"
                    }
                ),
                format!("cannot {action} UserDefinition.property: {source}"),
            ),
            RoleError::Restart(e) => Text::new(
                format!(
                    "OQSComAppRestart.bat が失敗しました: {e}。連携アプリを手動で再起動してください"
                ),
                format!("OQSComAppRestart.bat failed: {e}; restart OQSComApp by hand"),
            ),
        }
    }
}

impl fmt::Display for RoleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.text())
    }
}

impl std::error::Error for RoleError {}

impl From<UserDefError> for RoleError {
    fn from(e: UserDefError) -> Self {
        RoleError::UserDefinition(e)
    }
}

impl From<LeaseError> for RoleError {
    fn from(e: LeaseError) -> Self {
        RoleError::Lease(e)
    }
}

/// The folder each DataDir key gets for `target`: keys naming a request folder get
/// the request folder, keys naming a response folder the response folder.
fn assignments(link: &KarteLink, target: Target) -> Result<Vec<(&str, &str)>, RoleError> {
    let (req, res) = match target {
        Target::Shared => (&link.request_dir, &link.response_dir),
        Target::Local => (&link.local_request_dir, &link.local_response_dir),
    };
    for (value, key) in [
        (
            req,
            if target == Target::Shared {
                "request_dir"
            } else {
                "local_request_dir"
            },
        ),
        (
            res,
            if target == Target::Shared {
                "response_dir"
            } else {
                "local_response_dir"
            },
        ),
    ] {
        if value.trim().is_empty() {
            return Err(RoleError::NotConfigured { key });
        }
    }
    link.keys
        .iter()
        .map(
            |key| match (key.contains("Request"), key.contains("Response")) {
                (true, false) => Ok((key.as_str(), req.as_str())),
                (false, true) => Ok((key.as_str(), res.as_str())),
                _ => Err(RoleError::UnclassifiedKey { key: key.clone() }),
            },
        )
        .collect()
}

fn style(link: &KarteLink, current: &[u8]) -> PathStyle {
    let keys: Vec<&str> = link.keys.iter().map(String::as_str).collect();
    userdef::choose_style(current, link.escaping, &keys)
}

/// The file as it must be for `target`, and the keys that change.
pub fn plan(link: &KarteLink, current: &[u8], target: Target) -> Result<Plan, RoleError> {
    let wanted = assignments(link, target)?;
    let style = style(link, current);
    let bytes = userdef::edit(current, &wanted, style)?;
    let changes = wanted
        .iter()
        .filter_map(|&(key, after)| {
            let before = userdef::get_with(current, key, style);
            (before.as_deref() != Some(after)).then(|| KeyChange {
                key: key.into(),
                before,
                after: after.into(),
            })
        })
        .collect();
    Ok(Plan { bytes, changes })
}

/// Windows paths compare without case and without a trailing separator.
fn same_path(a: &str, b: &str) -> bool {
    a.trim_end_matches(['\\', '/'])
        .eq_ignore_ascii_case(b.trim_end_matches(['\\', '/']))
}

/// Which folders the file's DataDir keys point at now.
pub fn pointing(link: &KarteLink, current: &[u8]) -> Result<Pointing, RoleError> {
    let style = style(link, current);
    let matches = |target| -> Result<bool, RoleError> {
        Ok(assignments(link, target)?.iter().all(|&(key, dir)| {
            userdef::get_with(current, key, style).is_some_and(|v| same_path(&v, dir))
        }))
    };
    Ok(if matches(Target::Shared)? {
        Pointing::Shared
    } else if matches(Target::Local)? {
        Pointing::Local
    } else {
        Pointing::Mixed
    })
}

/// `role status`.
#[derive(Clone, Debug, Serialize)]
pub struct Status {
    pub terminal: String,
    pub pointing: Pointing,
    pub lease: Option<Lease>,
    pub holds_lease: bool,
    /// The holder's heartbeat is older than `stale_after`: it may be down.
    pub lease_stale: bool,
}

pub fn status(host: &impl LinkHost, t: &Terminal) -> Result<Status, RoleError> {
    let current = read(host)?;
    let lease = lease::status(t.lease_dir)?;
    Ok(Status {
        terminal: t.name.into(),
        pointing: pointing(t.link, &current)?,
        holds_lease: lease.as_ref().is_some_and(|l| l.terminal == t.name),
        lease_stale: lease
            .as_ref()
            .is_some_and(|l| l.is_stale(host.now(), t.stale_after)),
        lease,
    })
}

/// What a switch did and how long it took.
#[derive(Clone, Debug, Serialize)]
pub struct Switched {
    pub changes: Vec<KeyChange>,
    pub restarted: bool,
    /// Lease and settings, excluding OQSComApp's own restart.
    #[serde(serialize_with = "millis")]
    pub switch_time: Duration,
    #[serde(serialize_with = "optional_millis")]
    pub restart_time: Option<Duration>,
}

/// `role activate`.
#[derive(Clone, Debug, Serialize)]
pub struct Activated {
    pub lease: Lease,
    /// The other terminal's lease this one took over (stale, or with `--force`).
    pub replaced: Option<Lease>,
    #[serde(flatten)]
    pub switched: Switched,
}

/// Takes the lease, then points the keys at the shared folders and restarts
/// OQSComApp. The lease comes first so that no moment has two terminals pointing
/// at the share; if another terminal forces its way in before the switch is done,
/// this one points back local and reports the loss.
pub fn activate(
    host: &mut impl LinkHost,
    t: &Terminal,
    force: bool,
) -> Result<Activated, RoleError> {
    let started = Instant::now();
    // The settings are planned first: a site mistake must not leave this terminal
    // holding the lease while still pointing local.
    let current = read(host)?;
    let plan = plan(t.link, &current, Target::Shared)?;
    let Acquired {
        lease,
        replaced,
        renewed,
    } = lease::acquire(t.lease_dir, t.name, host.now(), t.stale_after, force)?;
    if let Err(e) = write_if_changed(host, &current, &plan) {
        if !renewed {
            // Nobody serves the share while we hold it unswitched: let another take it.
            let _ = lease::release(t.lease_dir, t.name, host.now());
        }
        return Err(e);
    }
    if !lease::holds(t.lease_dir, t.name)? {
        let holder = lease::status(t.lease_dir)?.map(|l| l.terminal);
        point_local(host, t)?;
        return Err(LeaseError::Lost { holder }.into());
    }
    let switch_time = started.elapsed();
    // A new holder restarts even with unchanged settings: an earlier activation may
    // have stopped between writing the file and restarting.
    let restart_time = if !plan.changes.is_empty() || !renewed {
        Some(restart(host)?)
    } else {
        None
    };
    Ok(Activated {
        lease,
        replaced,
        switched: Switched {
            restarted: restart_time.is_some(),
            changes: plan.changes,
            switch_time,
            restart_time,
        },
    })
}

/// `role standby`: points the keys at the local folders (OQSComApp stops reading
/// the share), then gives up the lease if this terminal held it.
pub fn standby(host: &mut impl LinkHost, t: &Terminal) -> Result<Switched, RoleError> {
    let started = Instant::now();
    let (changes, restart_time) = point_local(host, t)?;
    lease::release(t.lease_dir, t.name, host.now())?;
    Ok(Switched {
        restarted: restart_time.is_some(),
        changes,
        switch_time: started
            .elapsed()
            .saturating_sub(restart_time.unwrap_or_default()),
        restart_time,
    })
}

/// What the scheduled check found.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Checked {
    /// This terminal holds the lease; its heartbeat is renewed. `repointed` when its
    /// settings had drifted off the shared folders and were put back.
    Active {
        lease: Lease,
        repointed: Option<Switched>,
    },
    /// The site's primary found the lease free (or its holder silent) and took it.
    Activated(Activated),
    /// Another terminal took the lease; this one now points at its local folders.
    Demoted {
        holder: Option<String>,
        switched: Switched,
    },
    /// A standby already pointing local: nothing to do.
    Standby,
}

/// The scheduled check: the active terminal renews its heartbeat (and keeps its
/// settings on the share); a terminal that lost the lease (taken over while it was
/// unreachable) points itself back local. The site's `primary` also takes a lease
/// nobody holds or whose holder went silent, so a new site starts serving without a
/// manual `activate`, while a standby that staff activated keeps the lease as long
/// as it is alive (no flapping back when the primary returns).
pub fn check(host: &mut impl LinkHost, t: &Terminal, primary: bool) -> Result<Checked, RoleError> {
    let holder = match lease::renew(t.lease_dir, t.name, host.now()) {
        Ok(lease) => {
            let current = read(host)?;
            let plan = plan(t.link, &current, Target::Shared)?;
            let started = Instant::now();
            let repointed = if write_if_changed(host, &current, &plan)? {
                let restart_time = restart(host)?;
                Some(Switched {
                    restarted: true,
                    changes: plan.changes,
                    switch_time: started.elapsed().saturating_sub(restart_time),
                    restart_time: Some(restart_time),
                })
            } else {
                None
            };
            return Ok(Checked::Active { lease, repointed });
        }
        Err(LeaseError::Lost { holder }) => holder,
        Err(e) => return Err(e.into()),
    };
    if primary {
        let free = match lease::status(t.lease_dir)? {
            None => true,
            Some(l) => l.is_stale(host.now(), t.stale_after),
        };
        if free {
            return activate(host, t, false).map(Checked::Activated);
        }
    }
    let current = read(host)?;
    if pointing(t.link, &current)? == Pointing::Local {
        return Ok(Checked::Standby);
    }
    let started = Instant::now();
    let (changes, restart_time) = point_local(host, t)?;
    Ok(Checked::Demoted {
        holder,
        switched: Switched {
            restarted: restart_time.is_some(),
            changes,
            switch_time: started
                .elapsed()
                .saturating_sub(restart_time.unwrap_or_default()),
            restart_time,
        },
    })
}

fn point_local(
    host: &mut impl LinkHost,
    t: &Terminal,
) -> Result<(Vec<KeyChange>, Option<Duration>), RoleError> {
    let current = read(host)?;
    let plan = plan(t.link, &current, Target::Local)?;
    if !write_if_changed(host, &current, &plan)? {
        return Ok((plan.changes, None));
    }
    Ok((plan.changes, Some(restart(host)?)))
}

fn read(host: &impl LinkHost) -> Result<Vec<u8>, RoleError> {
    host.read_user_definition()
        .map_err(|source| RoleError::Settings {
            action: "read",
            source,
        })
}

fn write_if_changed(
    host: &mut impl LinkHost,
    current: &[u8],
    plan: &Plan,
) -> Result<bool, RoleError> {
    if plan.bytes == current {
        return Ok(false);
    }
    host.write_user_definition(&plan.bytes)
        .map_err(|source| RoleError::Settings {
            action: "write",
            source,
        })?;
    Ok(true)
}

fn restart(host: &mut impl LinkHost) -> Result<Duration, RoleError> {
    let started = Instant::now();
    host.restart_com_app().map_err(RoleError::Restart)?;
    Ok(started.elapsed())
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1000.0)
}

fn optional_millis<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => millis(d, s),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests;
