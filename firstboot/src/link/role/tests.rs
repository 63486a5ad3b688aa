use super::*;
use crate::link::fs_host::FsLinkHost;
use std::ffi::OsString;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::UNIX_EPOCH;

const SHARED_REQ: &str = r"\\192.168.10.20\oqs\req";
const SHARED_RES: &str = r"\\192.168.10.20\oqs\res";

/// A terminal as installed: the seed's file, pointing at its local folders.
fn installed_file() -> Vec<u8> {
    let mut file = encoding_rs::SHIFT_JIS
        .encode("# 連携アプリ 利用者定義\r\n")
        .0
        .into_owned();
    file.extend_from_slice(b"ResponseFileStayTime=60\r\n");
    for key in payload::site::KarteLink::default().keys {
        let dir = if key.contains("Request") {
            r"C:\\OQS\\req"
        } else {
            r"C:\\OQS\\res"
        };
        file.extend_from_slice(format!("{key}={dir}\r\n").as_bytes());
    }
    file.extend_from_slice(b"FaceDataDir=C:\\\\OQS\\\\face\r\n");
    file
}

fn link() -> KarteLink {
    KarteLink {
        enabled: true,
        request_dir: SHARED_REQ.into(),
        response_dir: SHARED_RES.into(),
        ..KarteLink::default()
    }
}

/// Three terminals with their own property files and one shared lease folder, on a
/// clock the test moves by hand. Each restart appends the terminal's name to a log.
struct Clinic {
    dir: tempfile::TempDir,
    clock: Arc<AtomicU64>,
    link: KarteLink,
}

impl Clinic {
    fn new() -> Clinic {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("share")).unwrap();
        for name in ["OQS-01", "OQS-02", "OQS-03"] {
            std::fs::write(
                dir.path().join(format!("{name}.property")),
                installed_file(),
            )
            .unwrap();
        }
        Clinic {
            dir,
            clock: Arc::new(AtomicU64::new(0)),
            link: link(),
        }
    }

    fn host(&self, name: &str) -> FsLinkHost {
        let clock = self.clock.clone();
        let log = self.dir.path().join("restarts.log");
        FsLinkHost::new(
            self.dir.path().join(format!("{name}.property")),
            recorder(name, &log),
            Arc::new(move || {
                UNIX_EPOCH + Duration::from_secs(1_700_000_000 + clock.load(Ordering::SeqCst))
            }),
        )
    }

    fn terminal<'a>(&'a self, name: &'a str, lease_dir: &'a Path) -> Terminal<'a> {
        Terminal {
            name,
            link: &self.link,
            lease_dir,
            stale_after: DEFAULT_STALE_AFTER,
        }
    }

    fn share(&self) -> PathBuf {
        self.dir.path().join("share")
    }

    fn at(&self, secs: u64) {
        self.clock.store(secs, Ordering::SeqCst);
    }

    fn activate(&self, name: &str, force: bool) -> Result<Activated, RoleError> {
        let share = self.share();
        activate(&mut self.host(name), &self.terminal(name, &share), force)
    }

    /// The scheduled check; OQS-01 is the site's primary.
    fn check(&self, name: &str) -> Checked {
        let share = self.share();
        check(
            &mut self.host(name),
            &self.terminal(name, &share),
            name == "OQS-01",
        )
        .unwrap()
    }

    fn pointing(&self, name: &str) -> Pointing {
        let bytes = self.host(name).read_user_definition().unwrap();
        pointing(&self.link, &bytes).unwrap()
    }

    fn restarts(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("restarts.log"))
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    }

    fn actives(&self) -> Vec<&'static str> {
        ["OQS-01", "OQS-02", "OQS-03"]
            .into_iter()
            .filter(|n| self.pointing(n) == Pointing::Shared)
            .collect()
    }
}

#[cfg(unix)]
fn recorder(name: &str, log: &Path) -> Vec<OsString> {
    let script = format!("echo {name} >> '{}'", log.display());
    vec!["sh".into(), "-c".into(), script.into()]
}

#[cfg(windows)]
fn recorder(name: &str, log: &Path) -> Vec<OsString> {
    vec![
        "cmd".into(),
        "/c".into(),
        format!("echo {name}>>\"{}\"", log.display()).into(),
    ]
}

#[test]
fn lease_dir_is_the_folder_above_the_shared_request_folder() {
    let mut link = link();
    assert_eq!(lease_dir(&link), PathBuf::from(r"\\192.168.10.20\oqs"));
    link.request_dir = r"\\nas\req\".into();
    assert_eq!(lease_dir(&link), PathBuf::from(r"\\nas\req"));
    link.request_dir = r"Z:\oqs\req".into();
    assert_eq!(lease_dir(&link), PathBuf::from(r"Z:\oqs"));
    link.request_dir = r"Z:\req".into();
    assert_eq!(lease_dir(&link), PathBuf::from(r"Z:\req"));
    link.request_dir = "/srv/oqs/req".into();
    assert_eq!(lease_dir(&link), PathBuf::from("/srv/oqs"));
}

#[test]
fn plan_points_request_and_response_keys_at_their_folders() {
    let current = installed_file();
    let plan = plan(&link(), &current, Target::Shared).unwrap();
    assert_eq!(plan.changes.len(), 6);
    assert_eq!(plan.changes[0].key, "RequestDataDir");
    assert_eq!(plan.changes[0].before.as_deref(), Some(r"C:\OQS\req"));
    assert_eq!(plan.changes[0].after, SHARED_REQ);
    assert_eq!(plan.changes[5].after, SHARED_RES);
    // The file's doubled style is kept, and every other byte too.
    let text = String::from_utf8_lossy(&plan.bytes).into_owned();
    assert!(
        text.contains(
            "\r\nPublicMedicalHubResponseDataDir=\\\\\\\\192.168.10.20\\\\oqs\\\\res\r\n"
        ),
        "{text}"
    );
    assert_eq!(pointing(&link(), &plan.bytes).unwrap(), Pointing::Shared);
    assert_eq!(pointing(&link(), &current).unwrap(), Pointing::Local);
    let back = super::plan(&link(), &plan.bytes, Target::Local).unwrap();
    assert_eq!(
        back.bytes, current,
        "activate then standby restores the file byte for byte"
    );
}

#[test]
fn bad_link_settings_are_named() {
    let mut bad = link();
    bad.keys.push("FaceDataDir".into());
    assert!(
        matches!(plan(&bad, b"", Target::Shared), Err(RoleError::UnclassifiedKey { key }) if key == "FaceDataDir")
    );
    let unset = KarteLink::default();
    let err = plan(&unset, b"", Target::Shared).unwrap_err();
    assert!(err.text().en.contains("karte_link.request_dir"), "{err}");
}

#[test]
fn first_activation_points_at_the_share_and_restarts() {
    let clinic = Clinic::new();
    let done = clinic.activate("OQS-01", false).unwrap();
    assert_eq!(done.lease.terminal, "OQS-01");
    assert_eq!(done.switched.changes.len(), 6);
    assert!(done.switched.restarted);
    assert_eq!(clinic.actives(), ["OQS-01"]);
    assert_eq!(clinic.restarts(), ["OQS-01"]);
    // Activating again on the active terminal only renews: no restart.
    clinic.at(30);
    let again = clinic.activate("OQS-01", false).unwrap();
    assert!(again.switched.changes.is_empty() && !again.switched.restarted);
    assert_eq!(clinic.restarts(), ["OQS-01"]);
}

#[test]
fn a_standby_is_refused_while_the_primary_is_alive_unless_forced() {
    let clinic = Clinic::new();
    clinic.activate("OQS-01", false).unwrap();
    clinic.at(60);
    let refused = clinic.activate("OQS-02", false).unwrap_err();
    assert!(
        matches!(&refused, RoleError::Lease(LeaseError::HeldBy { terminal, .. }) if terminal == "OQS-01"),
        "{refused}"
    );
    assert!(refused.text().ja.contains("--force"));
    assert_eq!(
        clinic.actives(),
        ["OQS-01"],
        "a refused activation changes nothing"
    );

    let forced = clinic.activate("OQS-02", true).unwrap();
    assert_eq!(forced.replaced.unwrap().terminal, "OQS-01");
    // Until its scheduled check runs, OQS-01 still points at the share; the check
    // finds the lost lease and points it back to its local folders.
    clinic.at(90);
    match clinic.check("OQS-01") {
        Checked::Demoted { holder, switched } => {
            assert_eq!(holder.as_deref(), Some("OQS-02"));
            assert!(switched.restarted);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(clinic.actives(), ["OQS-02"]);
    assert!(matches!(clinic.check("OQS-01"), Checked::Standby));
    assert!(matches!(clinic.check("OQS-03"), Checked::Standby));
    assert_eq!(clinic.restarts(), ["OQS-01", "OQS-02", "OQS-01"]);
}

#[test]
fn a_dead_primary_is_taken_over_once_its_heartbeat_is_stale() {
    let clinic = Clinic::new();
    clinic.activate("OQS-01", false).unwrap();
    for minute in 1..=3 {
        clinic.at(minute * 60);
        assert!(matches!(clinic.check("OQS-01"), Checked::Active { .. }));
    }
    // OQS-01 dies after its check at 180 s. 360 s is exactly stale_after later: still alive.
    clinic.at(360);
    assert!(clinic.activate("OQS-02", false).is_err());
    clinic.at(361);
    let took = clinic.activate("OQS-02", false).unwrap();
    assert_eq!(
        took.replaced.unwrap().heartbeat_at,
        UNIX_EPOCH + Duration::from_secs(1_700_000_180)
    );
    // OQS-03 cannot take it from the new, live holder.
    assert!(clinic.activate("OQS-03", false).is_err());
    // OQS-01 comes back: its check demotes it.
    clinic.at(400);
    assert!(matches!(clinic.check("OQS-01"), Checked::Demoted { .. }));
    assert_eq!(clinic.actives(), ["OQS-02"]);
}

#[test]
fn standby_points_local_first_then_releases() {
    let clinic = Clinic::new();
    clinic.activate("OQS-01", false).unwrap();
    let share = clinic.share();
    let switched = standby(
        &mut clinic.host("OQS-01"),
        &clinic.terminal("OQS-01", &share),
    )
    .unwrap();
    assert_eq!(switched.changes.len(), 6);
    assert!(clinic.actives().is_empty());
    assert_eq!(lease::status(&share).unwrap(), None);
    // Released: another terminal may take over at once, no --force, no waiting.
    clinic.activate("OQS-03", false).unwrap();
    assert_eq!(clinic.actives(), ["OQS-03"]);
    let st = status(&clinic.host("OQS-03"), &clinic.terminal("OQS-03", &share)).unwrap();
    assert!(st.holds_lease && !st.lease_stale && st.pointing == Pointing::Shared);
    let json = serde_json::to_value(&st).unwrap();
    assert_eq!(json["lease"]["terminal"], "OQS-03");
    assert_eq!(json["pointing"], "shared");
}

#[test]
fn racing_activations_never_make_two_actives() {
    for round in 0..10 {
        let clinic = Arc::new(Clinic::new());
        clinic.at(1000 + round);
        let barrier = Arc::new(std::sync::Barrier::new(3));
        let threads: Vec<_> = ["OQS-01", "OQS-02", "OQS-03"]
            .into_iter()
            .map(|name| {
                let (clinic, barrier) = (clinic.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    clinic.activate(name, false).is_ok()
                })
            })
            .collect();
        let won: usize = threads
            .into_iter()
            .map(|t| usize::from(t.join().unwrap()))
            .sum();
        assert_eq!(won, 1, "round {round}");
        assert_eq!(clinic.actives().len(), 1, "round {round}");
        let holder = lease::status(&clinic.share()).unwrap().unwrap().terminal;
        assert_eq!(clinic.actives(), [holder.as_str()]);
    }
}

#[test]
fn activation_switches_well_under_the_target_excluding_the_restart() {
    let clinic = Clinic::new();
    let mut times = Vec::new();
    for (i, name) in ["OQS-01", "OQS-02", "OQS-03"]
        .iter()
        .cycle()
        .take(30)
        .enumerate()
    {
        clinic.at(i as u64 * 10);
        times.push(clinic.activate(name, true).unwrap().switched.switch_time);
    }
    times.sort();
    let median = times[times.len() / 2];
    eprintln!(
        "role activate (excluding restart): median {median:?}, max {:?}",
        times.last().unwrap()
    );
    assert!(median < Duration::from_millis(200), "median {median:?}");
}

/// A terminal whose settings write does something else first: fails, or lets
/// another terminal force its way in mid-switch.
struct Interrupted<F: FnMut() -> io::Result<()>> {
    inner: FsLinkHost,
    before_write: F,
}

impl<F: FnMut() -> io::Result<()>> LinkHost for Interrupted<F> {
    fn read_user_definition(&self) -> io::Result<Vec<u8>> {
        self.inner.read_user_definition()
    }
    fn write_user_definition(&mut self, bytes: &[u8]) -> io::Result<()> {
        (self.before_write)()?;
        self.inner.write_user_definition(bytes)
    }
    fn restart_com_app(&mut self) -> io::Result<()> {
        self.inner.restart_com_app()
    }
    fn now(&self) -> SystemTime {
        self.inner.now()
    }
}

#[test]
fn a_failed_settings_write_gives_the_lease_back() {
    let clinic = Clinic::new();
    let share = clinic.share();
    let mut host = Interrupted {
        inner: clinic.host("OQS-01"),
        before_write: || Err(io::Error::other("disk full")),
    };
    let err = activate(&mut host, &clinic.terminal("OQS-01", &share), false).unwrap_err();
    assert!(
        matches!(
            err,
            RoleError::Settings {
                action: "write",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(lease::status(&share).unwrap(), None);
    assert!(clinic.actives().is_empty());
    assert!(clinic.restarts().is_empty());
    clinic.activate("OQS-02", false).unwrap();
}

#[test]
fn a_takeover_during_the_switch_points_the_loser_back_local() {
    let clinic = Clinic::new();
    let share = clinic.share();
    let mut forced_in = false;
    let mut host = Interrupted {
        inner: clinic.host("OQS-01"),
        before_write: || {
            if !forced_in {
                forced_in = true;
                clinic.activate("OQS-02", true).unwrap();
            }
            Ok(())
        },
    };
    let err = activate(&mut host, &clinic.terminal("OQS-01", &share), false).unwrap_err();
    assert!(
        matches!(&err, RoleError::Lease(LeaseError::Lost { holder: Some(h) }) if h == "OQS-02"),
        "{err}"
    );
    assert_eq!(clinic.actives(), ["OQS-02"]);
}

#[test]
fn the_primarys_check_takes_a_free_lease_and_standbys_wait() {
    let clinic = Clinic::new();
    assert!(matches!(clinic.check("OQS-02"), Checked::Standby));
    assert!(clinic.actives().is_empty());
    match clinic.check("OQS-01") {
        Checked::Activated(a) => assert!(a.replaced.is_none() && a.switched.restarted),
        other => panic!("{other:?}"),
    }
    assert_eq!(clinic.actives(), ["OQS-01"]);
    assert!(matches!(clinic.check("OQS-02"), Checked::Standby));
}

#[test]
fn the_active_terminals_check_puts_drifted_settings_back_on_the_share() {
    let clinic = Clinic::new();
    clinic.activate("OQS-01", false).unwrap();
    // Someone (firstboot's re-run, a vendor) points it local while it holds the lease.
    let mut host = clinic.host("OQS-01");
    let current = host.read_user_definition().unwrap();
    let local = plan(&clinic.link, &current, Target::Local).unwrap();
    host.write_user_definition(&local.bytes).unwrap();
    clinic.at(60);
    match clinic.check("OQS-01") {
        Checked::Active {
            repointed: Some(s), ..
        } => assert!(s.restarted && !s.changes.is_empty()),
        other => panic!("{other:?}"),
    }
    assert_eq!(clinic.pointing("OQS-01"), Pointing::Shared);
    clinic.at(120);
    assert!(matches!(
        clinic.check("OQS-01"),
        Checked::Active {
            repointed: None,
            ..
        }
    ));
}
