//! Time of `role activate` excluding OQSComApp's own restart (target: under 200 ms).
//!
//! Three terminals share one lease folder; each round one of them takes over from
//! the previous holder (`--force`, as after a dead primary), rewriting its
//! `UserDefinition.property` on disk and the lease on the "share". The restart is a
//! no-op command, and `switch_time` leaves it out anyway. The folder is a local
//! temp dir: on a clinic LAN add the SMB round trips (a few ms each; a switch makes
//! about ten of them: list, read, create+rename of the lease, read the property
//! file, list+read to confirm).
//!
//! Run: `cargo bench -p oqs-firstboot --bench role_activate`

use oqs_firstboot::link::fs_host::FsLinkHost;
use oqs_firstboot::link::role::{self, DEFAULT_STALE_AFTER, Terminal};
use payload::site::KarteLink;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

const ROUNDS: usize = 300;

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let share = dir.path().join("share");
    std::fs::create_dir(&share).expect("share dir");
    let link = KarteLink {
        enabled: true,
        request_dir: r"\\192.168.10.20\oqs\req".into(),
        response_dir: r"\\192.168.10.20\oqs\res".into(),
        ..KarteLink::default()
    };
    let names = ["OQS-01", "OQS-02", "OQS-03"];
    let mut hosts: Vec<FsLinkHost> = names
        .iter()
        .map(|name| {
            let file = dir.path().join(format!("{name}.property"));
            std::fs::write(&file, seed_file(&link)).expect("property file");
            let noop = if cfg!(windows) {
                vec!["cmd".into(), "/c".into(), "rem".into()]
            } else {
                vec!["true".into()]
            };
            FsLinkHost::new(file, noop, Arc::new(SystemTime::now))
        })
        .collect();

    let mut times = Vec::with_capacity(ROUNDS);
    let mut restarts = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let i = round % names.len();
        let terminal = Terminal {
            name: names[i],
            link: &link,
            lease_dir: &share,
            stale_after: DEFAULT_STALE_AFTER,
        };
        let done = role::activate(&mut hosts[i], &terminal, true).expect("activate");
        times.push(done.switched.switch_time);
        restarts.extend(done.switched.restart_time);
        // Point the previous holder back local, as its scheduled check would.
        let prev = (i + names.len() - 1) % names.len();
        let demoted = Terminal {
            name: names[prev],
            ..terminal
        };
        role::check(&mut hosts[prev], &demoted, false).expect("check");
    }
    report("role activate (excluding restart)", &mut times);
    report("no-op restart command (excluded above)", &mut restarts);
}

fn seed_file(link: &KarteLink) -> Vec<u8> {
    let mut file = b"ResponseFileStayTime=60\r\n".to_vec();
    for key in &link.keys {
        let dir = if key.contains("Request") {
            r"C:\\OQS\\req"
        } else {
            r"C:\\OQS\\res"
        };
        file.extend_from_slice(format!("{key}={dir}\r\n").as_bytes());
    }
    file
}

fn report(what: &str, times: &mut [Duration]) {
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    println!(
        "{what}: n={} min {:.3} ms, median {:.3} ms, p95 {:.3} ms, max {:.3} ms",
        times.len(),
        ms(times[0]),
        ms(at(0.5)),
        ms(at(0.95)),
        ms(times[times.len() - 1])
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
