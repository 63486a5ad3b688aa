//! `oqs-firstboot role ...`, the real binary on Linux: the demo clinic's three
//! terminals, each with its own UserDefinition.property and restart command, share
//! one lease folder standing in for the NAS. The restart stand-ins are shell
//! scripts, so this runs on Unix only (Windows runs the real .bat).
#![cfg(unix)]

mod common;

use common::DemoStick;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PRIMARY: &str = "OQS-UKETSUKE1";
const STANDBY: &str = "OQS-UKETSUKE2";
const OTHER: &str = "OQS-SHINSATSU";
const SHARED_REQ: &str = r"\\\\192.168.10.20\\oqs\\req";
const LOCAL_REQ: &str = r"C:\\OQS\\req";

struct Clinic {
    stick: DemoStick,
    dir: tempfile::TempDir,
}

impl Clinic {
    fn new() -> Clinic {
        let clinic = Clinic {
            stick: DemoStick::new(),
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir(clinic.lease_dir()).unwrap();
        let keys = clinic.stick.site().karte_link.keys;
        for name in [PRIMARY, STANDBY, OTHER] {
            let mut file = b"ResponseFileStayTime=60\r\n".to_vec();
            for key in &keys {
                let dir = if key.contains("Request") {
                    LOCAL_REQ
                } else {
                    r"C:\\OQS\\res"
                };
                file.extend_from_slice(format!("{key}={dir}\r\n").as_bytes());
            }
            std::fs::write(clinic.property_file(name), file).unwrap();
            let script = clinic.dir.path().join(format!("restart-{name}.sh"));
            let log = clinic.restart_log(name);
            std::fs::write(
                &script,
                format!("#!/bin/sh\necho restarted >> '{}'\n", log.display()),
            )
            .unwrap();
            make_executable(&script);
        }
        clinic
    }

    fn lease_dir(&self) -> PathBuf {
        self.dir.path().join("share")
    }

    fn property_file(&self, name: &str) -> PathBuf {
        self.dir.path().join(format!("{name}.property"))
    }

    fn restart_log(&self, name: &str) -> PathBuf {
        self.dir.path().join(format!("restarts-{name}.log"))
    }

    fn restarts(&self, name: &str) -> usize {
        std::fs::read_to_string(self.restart_log(name))
            .map(|s| s.lines().count())
            .unwrap_or(0)
    }

    fn request_dir(&self, name: &str) -> String {
        let text = std::fs::read_to_string(self.property_file(name)).unwrap();
        let line = text
            .lines()
            .find(|l| l.starts_with("RequestDataDir="))
            .expect("RequestDataDir line");
        line["RequestDataDir=".len()..].to_owned()
    }

    fn role(&self, name: &str, args: &[&str]) -> Output {
        let script = self.dir.path().join(format!("restart-{name}.sh"));
        Command::new(env!("CARGO_BIN_EXE_oqs-firstboot"))
            .args(["--lang", "en", "role"])
            .args(args)
            .arg("--stick")
            .arg(self.stick.root())
            .args(["--terminal", name])
            .arg("--property-file")
            .arg(self.property_file(name))
            .arg("--lease-dir")
            .arg(self.lease_dir())
            .arg("--restart-cmd")
            .arg(script)
            .output()
            .expect("run oqs-firstboot")
    }
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(out)))
}

#[test]
fn takeover_refused_while_the_primary_lives_then_forced_and_the_old_primary_steps_back() {
    let c = Clinic::new();
    let out = c.role(PRIMARY, &["activate"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(c.request_dir(PRIMARY), SHARED_REQ);
    assert_eq!(c.restarts(PRIMARY), 1);

    // The standby may not take over from a primary with a fresh heartbeat.
    let refused = c.role(STANDBY, &["activate"]);
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    let message = text(&refused);
    assert!(
        message.contains(&format!("terminal {PRIMARY} is active")) && message.contains("--force"),
        "{message}"
    );
    assert_eq!(c.request_dir(STANDBY), LOCAL_REQ, "nothing changed");
    assert_eq!(c.restarts(STANDBY), 0);

    let forced = c.role(STANDBY, &["activate", "--force", "--json"]);
    assert!(forced.status.success(), "{}", text(&forced));
    let report = json(&forced);
    assert_eq!(report["lease"]["terminal"], STANDBY);
    assert_eq!(report["replaced"]["terminal"], PRIMARY);
    assert_eq!(report["restarted"], true);
    assert_eq!(report["changes"].as_array().unwrap().len(), 6, "{report}");
    assert_eq!(c.request_dir(STANDBY), SHARED_REQ);

    // Until its scheduled check, the old primary still points at the share...
    assert_eq!(c.request_dir(PRIMARY), SHARED_REQ);
    let status = json(&c.role(OTHER, &["status", "--json"]));
    assert_eq!(status["lease"]["terminal"], STANDBY);
    assert_eq!(status["holds_lease"], false);
    assert_eq!(status["pointing"], "local");

    // ...which sees the lease gone and points it back local.
    let checked = c.role(PRIMARY, &["check", "--json"]);
    assert!(checked.status.success(), "{}", text(&checked));
    let checked = json(&checked);
    assert_eq!(checked["result"], "demoted", "{checked}");
    assert_eq!(checked["holder"], STANDBY);
    assert_eq!(c.request_dir(PRIMARY), LOCAL_REQ);
    assert_eq!(c.restarts(PRIMARY), 2);

    let status = json(&c.role(STANDBY, &["status", "--json"]));
    assert_eq!(status["terminal"], STANDBY);
    assert_eq!(status["holds_lease"], true);
    assert_eq!(status["pointing"], "shared");
    assert_eq!(status["lease_stale"], false);

    // Checks after that change nothing.
    let again = json(&c.role(PRIMARY, &["check", "--json"]));
    assert_eq!(again["result"], "standby");
    let active = json(&c.role(STANDBY, &["check", "--json"]));
    assert_eq!(active["result"], "active");
    assert_eq!((c.restarts(PRIMARY), c.restarts(STANDBY)), (2, 1));
}

#[test]
fn standby_gives_the_lease_back() {
    let c = Clinic::new();
    assert!(c.role(OTHER, &["activate"]).status.success());
    let out = c.role(OTHER, &["standby"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("OQS-SHINSATSU is now standby"),
        "{}",
        text(&out)
    );
    assert_eq!(c.request_dir(OTHER), LOCAL_REQ);
    let status = json(&c.role(PRIMARY, &["status", "--json"]));
    assert_eq!(status["lease"], Value::Null, "{status}");
    // Free lease: no --force needed.
    assert!(c.role(PRIMARY, &["activate"]).status.success());
}

#[test]
fn refusal_in_json_names_the_holder_and_japanese_messages() {
    let c = Clinic::new();
    assert!(c.role(PRIMARY, &["activate"]).status.success());
    let out = c.role(STANDBY, &["activate", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let error = json(&out)["error"].as_str().unwrap().to_owned();
    assert!(error.contains(PRIMARY), "{error}");

    let mut ja = Command::new(env!("CARGO_BIN_EXE_oqs-firstboot"));
    ja.args(["--lang", "ja", "role", "status", "--stick"])
        .arg(c.stick.root())
        .args(["--terminal", PRIMARY, "--property-file"])
        .arg(c.property_file(PRIMARY))
        .arg("--lease-dir")
        .arg(c.lease_dir())
        .args(["--restart-cmd", "true"]);
    let out = ja.output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("共有フォルダー") && text(&out).contains("担当は OQS-UKETSUKE1"),
        "{}",
        text(&out)
    );
}

#[test]
fn bad_invocations_are_explained() {
    let c = Clinic::new();
    let out = Command::new(env!("CARGO_BIN_EXE_oqs-firstboot"))
        .args([
            "--lang",
            "en",
            "role",
            "status",
            "--terminal",
            PRIMARY,
            "--stick",
        ])
        .arg(c.stick.root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("off Windows, give stand-in files"),
        "{}",
        text(&out)
    );

    let out = c.role("OQS-NOPE", &["status"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("OQS-NOPE\" is not in site.toml"),
        "{}",
        text(&out)
    );

    std::fs::remove_file(c.property_file(PRIMARY)).unwrap();
    let out = c.role(PRIMARY, &["activate"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("cannot read UserDefinition.property"),
        "{}",
        text(&out)
    );
    // Nothing was taken: the lease is still free.
    let status = json(&c.role(STANDBY, &["status", "--json"]));
    assert_eq!(status["lease"], Value::Null, "{status}");

    for action in ["status", "activate", "standby", "check"] {
        let out = Command::new(env!("CARGO_BIN_EXE_oqs-firstboot"))
            .args(["role", action, "--help"])
            .output()
            .unwrap();
        assert!(out.status.success());
        assert!(text(&out).contains("--json"), "{action}: {}", text(&out));
    }
}
