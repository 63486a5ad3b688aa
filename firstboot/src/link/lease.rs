//! The failover lease: which terminal may point OQSComApp at the shared req/res.
//!
//! The lease lives in a folder on the share as a chain of generations,
//! `oqs-active.0000000007.lease`, each a small JSON record (terminal, token, time
//! taken, last heartbeat, released or not). The newest generation is the lease.
//! Every change, whether taking, renewing or releasing, is "create generation g+1
//! if it does not exist yet", where g is the generation the change was decided
//! on. That one atomic primitive is a compare-and-swap: two terminals that both
//! decided on g race to create g+1 and exactly one succeeds; the loser re-reads
//! and decides again. A plain rename-over of one lease file cannot be made
//! conditional on what it replaces (over SMB there is no compare-and-rename), so
//! a single file would let two takers both believe they won.
//!
//! A generation is published atomically: the record is written and flushed under
//! a temporary name nobody reads (`*.tmp`), then moved to its final name without
//! replacing. On Windows that is `MoveFileExW` without `MOVEFILE_REPLACE_EXISTING`,
//! which SMB servers carry out as one rename that fails if the name exists (it
//! works on any NAS file system, unlike hard links). On Unix `rename` always
//! replaces, so a hard link to the final name (fails with `EEXIST`) plus removing
//! the temporary name does the same. Readers never see a half-written record.
//!
//! Clocks are passed in. A lease whose heartbeat is older than `stale_after` by the
//! reader's clock belongs to a dead terminal and may be taken over; terminals keep
//! their clocks in step through the site's NTP, so `stale_after` should be minutes.

use payload::Text;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const PREFIX: &str = "oqs-active.";
const SUFFIX: &str = ".lease";
/// Older generations kept for the record (who held the lease before).
const KEEP_GENERATIONS: u64 = 4;
/// Races lost in a row before giving up; each loss means another terminal changed
/// the lease in between, so this only trips under a storm of changes.
const MAX_ATTEMPTS: usize = 16;

/// The lease as the newest generation records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Lease {
    pub generation: u64,
    pub terminal: String,
    /// Random per acquisition: tells two acquisitions by the same terminal apart in logs.
    pub token: String,
    #[serde(rename = "taken_at_unix_ms", serialize_with = "serialize_unix_ms")]
    pub taken_at: SystemTime,
    #[serde(rename = "heartbeat_at_unix_ms", serialize_with = "serialize_unix_ms")]
    pub heartbeat_at: SystemTime,
}

impl Lease {
    /// True when the holder's last heartbeat is older than `stale_after` at `now`.
    pub fn is_stale(&self, now: SystemTime, stale_after: Duration) -> bool {
        now.duration_since(self.heartbeat_at)
            .is_ok_and(|age| age > stale_after)
    }

    pub fn file_name(&self) -> String {
        file_name(self.generation)
    }
}

/// What `acquire` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acquired {
    pub lease: Lease,
    /// The live or stale lease of another terminal that this one replaced.
    pub replaced: Option<Lease>,
    /// This terminal held the lease already: only its heartbeat moved.
    pub renewed: bool,
}

#[derive(Debug)]
pub enum LeaseError {
    /// Another terminal holds a live lease.
    HeldBy {
        terminal: String,
        since: SystemTime,
        heartbeat: SystemTime,
    },
    /// This terminal no longer holds the lease (another took it, or it was released).
    Lost {
        holder: Option<String>,
    },
    /// The newest generation cannot be read as a lease.
    Corrupt {
        file: PathBuf,
        reason: String,
    },
    /// Other terminals kept changing the lease while this one tried.
    Contended {
        dir: PathBuf,
    },
    Io {
        path: PathBuf,
        source: io::Error,
    },
}

impl LeaseError {
    pub fn text(&self) -> Text {
        match self {
            LeaseError::HeldBy {
                terminal,
                since,
                heartbeat,
            } => Text::new(
                format!(
                    "端末 {terminal} が稼働中(担当)です({} から、最終応答 {})。その端末が止まっているのが確かなら --force を付けてください",
                    describe_time(*since),
                    describe_time(*heartbeat)
                ),
                format!(
                    "terminal {terminal} is active (since {}, last heartbeat {}); if you are sure it is down, add --force",
                    describe_time(*since),
                    describe_time(*heartbeat)
                ),
            ),
            LeaseError::Lost { holder } => {
                let who = holder.as_deref().unwrap_or("-");
                Text::new(
                    format!("この端末はもう担当ではありません(現在の担当: {who})"),
                    format!("this terminal no longer holds the lease (holder now: {who})"),
                )
            }
            LeaseError::Corrupt { file, reason } => Text::new(
                format!(
                    "{} を読めません({reason})。どの端末も稼働中でないことを確かめてから --force で取り直してください",
                    file.display()
                ),
                format!(
                    "{} is not a valid lease ({reason}); check that no terminal is active, then take it with --force",
                    file.display()
                ),
            ),
            LeaseError::Contended { dir } => Text::new(
                format!(
                    "{} の担当情報が他の端末により変更され続けています。少し待ってやり直してください",
                    dir.display()
                ),
                format!(
                    "other terminals kept changing the lease in {}; wait a moment and try again",
                    dir.display()
                ),
            ),
            LeaseError::Io { path, source } => Text::new(
                format!(
                    "{} にアクセスできません: {source}(共有フォルダー・NAS とネットワークを確認してください)",
                    path.display()
                ),
                format!(
                    "cannot access {}: {source} (check the shared folder / NAS and the network)",
                    path.display()
                ),
            ),
        }
    }
}

impl fmt::Display for LeaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.text())
    }
}

impl std::error::Error for LeaseError {}

/// Seconds since the Unix epoch, for messages (the clinic's terminals share NTP time).
fn describe_time(t: SystemTime) -> String {
    let ms = unix_ms(t);
    format!("unix {}.{:03}", ms / 1000, ms % 1000)
}

/// The current lease, or `None` when nobody holds one (none taken yet, or released).
pub fn status(dir: &Path) -> Result<Option<Lease>, LeaseError> {
    retry(dir, |current| match current {
        Current::Held(lease) => Step::Done(Ok(Some(lease))),
        Current::Free { .. } => Step::Done(Ok(None)),
        Current::Corrupt { file, reason, .. } => {
            Step::Done(Err(LeaseError::Corrupt { file, reason }))
        }
    })
}

/// True when `me` holds the lease: the scheduled check on a demoted terminal uses it.
pub fn holds(dir: &Path, me: &str) -> Result<bool, LeaseError> {
    Ok(status(dir)?.is_some_and(|lease| lease.terminal == me))
}

/// Takes the lease for `me`. A live lease of another terminal is refused unless
/// `force`; a stale one (heartbeat older than `stale_after`) is taken over. Holding
/// it already counts as a renewal.
pub fn acquire(
    dir: &Path,
    me: &str,
    now: SystemTime,
    stale_after: Duration,
    force: bool,
) -> Result<Acquired, LeaseError> {
    let token = random_token();
    retry(dir, |current| {
        let fresh = |next, replaced| {
            let lease = Lease {
                generation: next,
                terminal: me.into(),
                token: token.clone(),
                taken_at: now,
                heartbeat_at: now,
            };
            let record = Record::of(&lease, false);
            Step::Publish(
                record,
                Acquired {
                    lease,
                    replaced,
                    renewed: false,
                },
            )
        };
        match current {
            Current::Free { next } => fresh(next, None),
            Current::Held(lease) if lease.terminal == me => {
                let lease = Lease {
                    generation: lease.generation + 1,
                    heartbeat_at: now,
                    ..lease
                };
                let record = Record::of(&lease, false);
                Step::Publish(
                    record,
                    Acquired {
                        lease,
                        replaced: None,
                        renewed: true,
                    },
                )
            }
            Current::Held(lease) if force || lease.is_stale(now, stale_after) => {
                fresh(lease.generation + 1, Some(lease))
            }
            Current::Held(lease) => Step::Done(Err(LeaseError::HeldBy {
                terminal: lease.terminal,
                since: lease.taken_at,
                heartbeat: lease.heartbeat_at,
            })),
            Current::Corrupt { next, .. } if force => fresh(next, None),
            Current::Corrupt { file, reason, .. } => {
                Step::Done(Err(LeaseError::Corrupt { file, reason }))
            }
        }
    })
}

/// Records a heartbeat for `me`; `Lost` when another terminal holds the lease now.
pub fn renew(dir: &Path, me: &str, now: SystemTime) -> Result<Lease, LeaseError> {
    retry(dir, |current| match current {
        Current::Held(lease) if lease.terminal == me => {
            let renewed = Lease {
                generation: lease.generation + 1,
                heartbeat_at: now,
                ..lease
            };
            Step::Publish(Record::of(&renewed, false), renewed)
        }
        Current::Held(lease) => Step::Done(Err(LeaseError::Lost {
            holder: Some(lease.terminal),
        })),
        Current::Free { .. } => Step::Done(Err(LeaseError::Lost { holder: None })),
        Current::Corrupt { file, reason, .. } => {
            Step::Done(Err(LeaseError::Corrupt { file, reason }))
        }
    })
}

/// Gives the lease up if `me` holds it; returns whether it did.
pub fn release(dir: &Path, me: &str, now: SystemTime) -> Result<bool, LeaseError> {
    retry(dir, |current| match current {
        Current::Held(lease) if lease.terminal == me => {
            let released = Lease {
                generation: lease.generation + 1,
                heartbeat_at: now,
                ..lease
            };
            Step::Publish(Record::of(&released, true), true)
        }
        _ => Step::Done(Ok(false)),
    })
}

/// The newest generation, read.
enum Current {
    Free {
        next: u64,
    },
    Held(Lease),
    Corrupt {
        next: u64,
        file: PathBuf,
        reason: String,
    },
}

/// A decision taken on one reading of the lease.
enum Step<T> {
    Done(Result<T, LeaseError>),
    /// Create the record's generation; if that succeeds, the result is `T`.
    Publish(PublishRecord, T),
}

struct PublishRecord {
    generation: u64,
    record: Record,
}

/// Reads the newest generation, lets `decide` choose, and publishes its choice;
/// when another terminal published first, reads again and decides again.
fn retry<T>(dir: &Path, mut decide: impl FnMut(Current) -> Step<T>) -> Result<T, LeaseError> {
    for _ in 0..MAX_ATTEMPTS {
        let Some(current) = read_current(dir)? else {
            continue; // the newest generation vanished while being read: look again
        };
        match decide(current) {
            Step::Done(result) => return result,
            Step::Publish(PublishRecord { generation, record }, value) => {
                if publish(dir, generation, &record)? {
                    prune(dir, generation);
                    return Ok(value);
                }
            }
        }
    }
    Err(LeaseError::Contended { dir: dir.into() })
}

fn file_name(generation: u64) -> String {
    format!("{PREFIX}{generation:010}{SUFFIX}")
}

fn parse_generation(name: &str) -> Option<u64> {
    let digits = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> LeaseError + '_ {
    move |source| LeaseError::Io {
        path: path.into(),
        source,
    }
}

fn generations(dir: &Path) -> Result<Vec<u64>, LeaseError> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_error(dir))? {
        let entry = entry.map_err(io_error(dir))?;
        if let Some(g) = entry.file_name().to_str().and_then(parse_generation) {
            found.push(g);
        }
    }
    found.sort_unstable();
    Ok(found)
}

/// `None` when the newest file disappeared between listing and reading (pruned by a
/// terminal that had already published newer generations).
fn read_current(dir: &Path) -> Result<Option<Current>, LeaseError> {
    let Some(&generation) = generations(dir)?.last() else {
        return Ok(Some(Current::Free { next: 1 }));
    };
    let file = dir.join(file_name(generation));
    let bytes = match std::fs::read(&file) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(&file)(e)),
    };
    let next = generation + 1;
    Ok(Some(match serde_json::from_slice::<Record>(&bytes) {
        Ok(record) if record.released => Current::Free { next },
        Ok(record) => Current::Held(record.into_lease(generation)),
        Err(e) => Current::Corrupt {
            next,
            file,
            reason: e.to_string(),
        },
    }))
}

/// Creates generation `generation` unless it exists; `false` when another terminal
/// created it first.
fn publish(dir: &Path, generation: u64, record: &Record) -> Result<bool, LeaseError> {
    let target = dir.join(file_name(generation));
    let tmp = dir.join(format!("{}.{}.tmp", file_name(generation), random_token()));
    let json = serde_json::to_vec_pretty(record).expect("a lease record always serializes");
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| {
            f.write_all(&json)?;
            f.sync_all()
        });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io_error(&tmp)(e));
    }
    let moved = move_no_replace(&tmp, &target);
    let _ = std::fs::remove_file(&tmp);
    match moved {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(io_error(&target)(e)),
    }
}

#[cfg(unix)]
fn move_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::hard_link(from, to)
}

#[cfg(windows)]
fn move_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    use windows::Win32::Storage::FileSystem::{MOVEFILE_WRITE_THROUGH, MoveFileExW};
    use windows::core::HSTRING;
    let (from, to) = (
        HSTRING::from(from.as_os_str()),
        HSTRING::from(to.as_os_str()),
    );
    // SAFETY: both arguments are valid NUL-terminated wide strings for the call's duration.
    unsafe { MoveFileExW(&from, &to, MOVEFILE_WRITE_THROUGH) }.map_err(|e| {
        // HRESULT_FROM_WIN32 wraps the Win32 code in the low 16 bits; io::Error knows
        // ERROR_ALREADY_EXISTS / ERROR_FILE_EXISTS as AlreadyExists.
        io::Error::from_raw_os_error(e.code().0 & 0xFFFF)
    })
}

/// Drops generations older than the few kept for the record; best effort.
fn prune(dir: &Path, newest: u64) {
    let Ok(all) = generations(dir) else { return };
    for g in all.into_iter().filter(|&g| g + KEEP_GENERATIONS <= newest) {
        let _ = std::fs::remove_file(dir.join(file_name(g)));
    }
}

/// 128 bits from the OS-seeded hasher keys std uses against HashDoS: unique enough
/// to tell acquisitions and temporary files apart, without another dependency.
fn random_token() -> String {
    let mut out = String::with_capacity(32);
    for _ in 0..2 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos(),
        );
        h.write_u32(std::process::id());
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}

fn serialize_unix_ms<S: serde::Serializer>(t: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(unix_ms(*t))
}

fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// The JSON in a generation file; the generation itself is the file's name.
#[derive(Debug, Serialize, Deserialize)]
struct Record {
    terminal: String,
    token: String,
    taken_at_unix_ms: u64,
    heartbeat_at_unix_ms: u64,
    released: bool,
}

impl Record {
    fn of(lease: &Lease, released: bool) -> PublishRecord {
        PublishRecord {
            generation: lease.generation,
            record: Record {
                terminal: lease.terminal.clone(),
                token: lease.token.clone(),
                taken_at_unix_ms: unix_ms(lease.taken_at),
                heartbeat_at_unix_ms: unix_ms(lease.heartbeat_at),
                released,
            },
        }
    }

    fn into_lease(self, generation: u64) -> Lease {
        Lease {
            generation,
            terminal: self.terminal,
            token: self.token,
            taken_at: UNIX_EPOCH + Duration::from_millis(self.taken_at_unix_ms),
            heartbeat_at: UNIX_EPOCH + Duration::from_millis(self.heartbeat_at_unix_ms),
        }
    }
}

#[cfg(test)]
mod tests;
