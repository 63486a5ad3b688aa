use super::*;
use std::sync::{Arc, Barrier};

const STALE: Duration = Duration::from_secs(180);

fn t(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs)
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn first_taker_wins_and_status_names_it() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(status(dir.path()).unwrap(), None);
    let got = acquire(dir.path(), "OQS-01", t(0), STALE, false).unwrap();
    assert_eq!(
        (got.lease.generation, got.replaced, got.renewed),
        (1, None, false)
    );
    let lease = status(dir.path()).unwrap().unwrap();
    assert_eq!(lease.terminal, "OQS-01");
    assert_eq!((lease.taken_at, lease.heartbeat_at), (t(0), t(0)));
    assert!(holds(dir.path(), "OQS-01").unwrap());
    assert!(!holds(dir.path(), "OQS-02").unwrap());
    // Nothing but the published generation is left behind.
    assert_eq!(files(dir.path()), ["oqs-active.0000000001.lease"]);
    let json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("oqs-active.0000000001.lease")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["terminal"], "OQS-01");
    assert_eq!(json["heartbeat_at_unix_ms"], 1_700_000_000_000u64);
}

#[test]
fn a_live_lease_is_refused_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    acquire(dir.path(), "OQS-01", t(0), STALE, false).unwrap();
    match acquire(dir.path(), "OQS-02", t(60), STALE, false) {
        Err(LeaseError::HeldBy {
            terminal,
            since,
            heartbeat,
        }) => {
            assert_eq!(
                (terminal.as_str(), since, heartbeat),
                ("OQS-01", t(0), t(0))
            );
        }
        other => panic!("{other:?}"),
    }
    let forced = acquire(dir.path(), "OQS-02", t(60), STALE, true).unwrap();
    assert_eq!(forced.replaced.unwrap().terminal, "OQS-01");
    assert!(holds(dir.path(), "OQS-02").unwrap());
    assert!(!holds(dir.path(), "OQS-01").unwrap());
}

#[test]
fn a_stale_lease_is_taken_over_and_its_holder_learns_it_lost() {
    let dir = tempfile::tempdir().unwrap();
    acquire(dir.path(), "OQS-01", t(0), STALE, false).unwrap();
    renew(dir.path(), "OQS-01", t(60)).unwrap();
    // 180 s after the last heartbeat is still alive; one second more is dead.
    assert!(matches!(
        acquire(dir.path(), "OQS-02", t(240), STALE, false),
        Err(LeaseError::HeldBy { .. })
    ));
    let took = acquire(dir.path(), "OQS-02", t(241), STALE, false).unwrap();
    assert_eq!(took.replaced.as_ref().map(|l| l.heartbeat_at), Some(t(60)));
    match renew(dir.path(), "OQS-01", t(242)) {
        Err(LeaseError::Lost { holder }) => assert_eq!(holder.as_deref(), Some("OQS-02")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn renewing_keeps_the_token_and_time_taken() {
    let dir = tempfile::tempdir().unwrap();
    let first = acquire(dir.path(), "OQS-01", t(0), STALE, false)
        .unwrap()
        .lease;
    let renewed = renew(dir.path(), "OQS-01", t(60)).unwrap();
    assert_eq!(
        (
            renewed.token.as_str(),
            renewed.taken_at,
            renewed.heartbeat_at
        ),
        (first.token.as_str(), t(0), t(60))
    );
    let again = acquire(dir.path(), "OQS-01", t(90), STALE, false).unwrap();
    assert!(again.renewed);
    assert_eq!(
        (again.lease.taken_at, again.lease.token),
        (t(0), first.token)
    );
}

#[test]
fn release_frees_the_lease_for_anyone() {
    let dir = tempfile::tempdir().unwrap();
    acquire(dir.path(), "OQS-01", t(0), STALE, false).unwrap();
    assert!(!release(dir.path(), "OQS-02", t(1)).unwrap());
    assert!(release(dir.path(), "OQS-01", t(1)).unwrap());
    assert_eq!(status(dir.path()).unwrap(), None);
    assert!(matches!(
        renew(dir.path(), "OQS-01", t(2)),
        Err(LeaseError::Lost { holder: None })
    ));
    let next = acquire(dir.path(), "OQS-02", t(2), STALE, false).unwrap();
    assert_eq!((next.lease.generation, next.replaced), (3, None));
}

#[test]
fn old_generations_are_pruned() {
    let dir = tempfile::tempdir().unwrap();
    acquire(dir.path(), "OQS-01", t(0), STALE, false).unwrap();
    for i in 1..20 {
        renew(dir.path(), "OQS-01", t(i)).unwrap();
    }
    assert_eq!(
        files(dir.path()),
        [17, 18, 19, 20].map(file_name).to_vec(),
        "the newest and the three before it are kept"
    );
}

#[test]
fn a_corrupt_lease_is_reported_and_only_force_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(file_name(7)), b"{ not json").unwrap();
    match acquire(dir.path(), "OQS-01", t(0), STALE, false) {
        Err(e @ LeaseError::Corrupt { .. }) => {
            assert!(e.text().en.contains("oqs-active.0000000007.lease"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        acquire(dir.path(), "OQS-01", t(0), STALE, true)
            .unwrap()
            .lease
            .generation,
        8
    );
    // Temporary and foreign files are ignored.
    std::fs::write(
        dir.path().join("oqs-active.0000000099.lease.abc.tmp"),
        b"junk",
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), b"junk").unwrap();
    assert_eq!(status(dir.path()).unwrap().unwrap().generation, 8);
}

#[test]
fn a_missing_share_is_an_error_naming_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let gone = dir.path().join("nas-offline");
    let err = acquire(&gone, "OQS-01", t(0), STALE, false).unwrap_err();
    assert!(matches!(err, LeaseError::Io { .. }));
    assert!(err.text().ja.contains("nas-offline"), "{err}");
}

/// Runs `take(i)` on `n` threads released at the same instant.
fn race<T: Send + 'static>(n: usize, take: impl Fn(usize) -> T + Send + Sync + 'static) -> Vec<T> {
    let barrier = Arc::new(Barrier::new(n));
    let take = Arc::new(take);
    let threads: Vec<_> = (0..n)
        .map(|i| {
            let (barrier, take) = (barrier.clone(), take.clone());
            std::thread::spawn(move || {
                barrier.wait();
                take(i)
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

#[test]
fn racing_takers_on_a_free_lease_never_both_win() {
    for round in 0..30 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_path_buf();
        let results = race(6, move |i| {
            acquire(&path, &format!("T{i}"), t(0), STALE, false)
        });
        let winners: Vec<&Acquired> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(winners.len(), 1, "round {round}: {results:?}");
        let holder = status(dir.path()).unwrap().unwrap();
        assert_eq!(holder.terminal, winners[0].lease.terminal);
        for r in &results {
            if let Err(e) = r {
                assert!(
                    matches!(e, LeaseError::HeldBy { terminal, .. } if *terminal == holder.terminal),
                    "{e:?}"
                );
            }
        }
    }
}

#[test]
fn racing_takers_of_a_dead_primarys_lease_never_both_win() {
    for round in 0..30 {
        let dir = tempfile::tempdir().unwrap();
        acquire(dir.path(), "primary", t(0), STALE, false).unwrap();
        let path = dir.path().to_path_buf();
        let results = race(6, move |i| {
            acquire(&path, &format!("T{i}"), t(1000), STALE, false)
        });
        let winners: Vec<&Acquired> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(winners.len(), 1, "round {round}: {results:?}");
        assert_eq!(winners[0].replaced.as_ref().unwrap().terminal, "primary");
        assert_eq!(
            status(dir.path()).unwrap().unwrap().terminal,
            winners[0].lease.terminal
        );
    }
}

#[test]
fn a_renewal_racing_a_takeover_leaves_exactly_one_holder() {
    for round in 0..30 {
        let dir = tempfile::tempdir().unwrap();
        acquire(dir.path(), "primary", t(0), STALE, false).unwrap();
        let path = dir.path().to_path_buf();
        // The standby's clock says the primary is dead; the primary wakes up and renews.
        let results = race(2, move |i| {
            if i == 0 {
                renew(&path, "primary", t(1000)).map(|_| "primary")
            } else {
                acquire(&path, "standby", t(1000), STALE, false).map(|_| "standby")
            }
        });
        let holder = status(dir.path()).unwrap().unwrap().terminal;
        let winners: Vec<&str> = results
            .iter()
            .filter_map(|r| r.as_ref().ok().copied())
            .collect();
        assert_eq!(winners, [holder.as_str()], "round {round}: {results:?}");
    }
}
