//! The real binary, end to end on Linux, against a simulated Windows kept in a
//! JSON file (`--sim-state`).

mod common;

use common::*;
use oqs_firstboot::host::Host;
use oqs_firstboot::host::sim::SimHost;
use std::path::Path;
use std::process::{Command, Output};

fn firstboot(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_oqs-firstboot"))
        .args(args)
        .output()
        .expect("run oqs-firstboot")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn save(host: &SimHost, path: &Path) {
    std::fs::write(path, serde_json::to_string(host).unwrap()).unwrap();
}

fn load(path: &Path) -> SimHost {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

struct Setup {
    stick: DemoStick,
    state: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let setup = Setup {
            stick: DemoStick::new(),
            state: tempfile::tempdir().unwrap(),
        };
        save(&fresh_terminal(), &setup.state_file());
        setup
    }

    fn state_file(&self) -> std::path::PathBuf {
        self.state.path().join("windows.json")
    }

    /// `command` with the stick, the simulated machine and the demo secrets.
    fn run(&self, command: &str, extra: &[&str]) -> Output {
        let stick = self.stick.root().to_str().unwrap().to_owned();
        let state = self.state_file().to_str().unwrap().to_owned();
        let secrets = demo_secrets_file().to_str().unwrap().to_owned();
        let mut args = vec![
            "--lang",
            "en",
            command,
            "--stick",
            &stick,
            "--sim-state",
            &state,
            "--secrets",
            &secrets,
        ];
        args.extend_from_slice(extra);
        firstboot(&args)
    }
}

#[test]
fn apply_twice_then_verify_json() {
    let s = Setup::new();
    let first = s.run("apply", &[]);
    let out = text(&first);
    assert!(first.status.success(), "{out}");
    assert!(
        out.contains("... changed") && out.contains("restarting Windows"),
        "{out}"
    );
    assert!(
        out.contains("PLAIN-TEXT"),
        "the plain secrets file is warned about: {out}"
    );
    assert_eq!(load(&s.state_file()).reboots, 1);

    let second = s.run("apply", &[]);
    let out = String::from_utf8_lossy(&second.stdout).into_owned();
    assert!(second.status.success(), "{out}");
    let step_lines: Vec<&str> = out.lines().filter(|l| l.starts_with('[')).collect();
    assert!(step_lines.len() > 20, "{out}");
    let (reboot, steps) = step_lines.split_last().unwrap();
    for line in steps {
        assert!(
            line.ends_with("... unchanged"),
            "second run changed something: {line}"
        );
    }
    assert!(reboot.contains("(reboot) ... unchanged"), "{reboot}");
    assert_eq!(load(&s.state_file()).reboots, 1);

    let verify = s.run("verify", &["--json"]);
    assert!(verify.status.success(), "{}", text(&verify));
    let report: serde_json::Value =
        serde_json::from_slice(&verify.stdout).expect("verify --json is JSON only");
    assert_eq!(report["command"], "verify");
    assert_eq!(report["terminal"], TERMINAL);
    for step in report["steps"].as_array().unwrap() {
        assert_eq!(step["outcome"], "ok", "{step}");
    }
}

#[test]
fn verify_exits_1_and_names_what_differs() {
    let s = Setup::new();
    assert!(s.run("apply", &[]).status.success());
    let mut host = load(&s.state_file());
    host.set_hibernate(true).unwrap();
    save(&host, &s.state_file());
    let verify = s.run("verify", &[]);
    let out = text(&verify);
    assert_eq!(verify.status.code(), Some(1), "{out}");
    assert!(
        out.contains("(power.hibernate) ... differs\n    ~ hibernation: true -> false"),
        "{out}"
    );
}

#[test]
fn plan_json_lists_changes_with_secrets_redacted() {
    let s = Setup::new();
    let plan = s.run("plan", &["--json"]);
    assert!(plan.status.success(), "{}", text(&plan));
    let report: serde_json::Value = serde_json::from_slice(&plan.stdout).unwrap();
    let steps = report["steps"].as_array().unwrap();
    let cred = steps
        .iter()
        .find(|s| s["id"] == "credential.OQS_LOGIN_KEY")
        .unwrap();
    assert_eq!(cred["outcome"], "differs");
    assert_eq!(cred["changes"][1]["before"], serde_json::Value::Null);
    assert_eq!(cred["changes"][1]["after"], "REDACTED");
    assert_eq!(load(&s.state_file()).reboots, 0);
    assert!(
        load(&s.state_file()).user("OqsComApp").unwrap().is_none(),
        "plan changes nothing"
    );
}

#[test]
fn secrets_never_in_output_or_log() {
    let s = Setup::new();
    let mut all = String::new();
    for (cmd, extra) in [
        ("plan", vec![]),
        ("plan", vec!["--json"]),
        ("apply", vec![]),
        ("verify", vec![]),
        ("verify", vec!["--json"]),
    ] {
        all.push_str(&text(&s.run(cmd, &extra)));
    }
    let host = load(&s.state_file());
    let log = host
        .read_file(r"C:\ProgramData\oqs-stick\firstboot.log")
        .unwrap()
        .unwrap();
    let log = String::from_utf8(log).unwrap();
    assert!(
        log.contains("[1/") && log.contains("2026-01-01T00:00:00Z"),
        "{log}"
    );
    all.push_str(&log);
    all.push_str(&std::fs::read_to_string(s.state_file()).unwrap());
    for secret in secret_values() {
        assert!(
            !all.contains(&secret),
            "a secret leaked into output, log or saved state"
        );
    }
}

#[test]
fn refuses_a_stick_that_does_not_match_its_manifest() {
    let s = Setup::new();
    std::fs::write(
        s.stick.root().join("oqs/certs/OQS-UKETSUKE2.pfx"),
        b"tampered",
    )
    .unwrap();
    std::fs::write(s.stick.root().join("oqs/extra.txt"), b"new").unwrap();
    let before = std::fs::read(s.state_file()).unwrap();
    let out = s.run("apply", &[]);
    let msg = text(&out);
    assert_eq!(out.status.code(), Some(1), "{msg}");
    assert!(msg.contains("does not match its manifest"), "{msg}");
    assert!(
        msg.contains("changed (SHA-256 differs): oqs/certs/OQS-UKETSUKE2.pfx"),
        "{msg}"
    );
    assert!(msg.contains("not in the manifest: oqs/extra.txt"), "{msg}");
    assert_eq!(
        std::fs::read(s.state_file()).unwrap(),
        before,
        "nothing touched"
    );
}

#[test]
fn identify_sets_the_computer_name_by_hardware() {
    let s = Setup::new();
    let mut host = fresh_terminal();
    host.computer_name = "DESKTOP-7Q2K9".into();
    host.hardware.smbios_uuid = None;
    host.hardware.macs = vec!["00:1b:21:3a:4f:03".into()];
    save(&host, &s.state_file());
    let stick = s.stick.root().to_str().unwrap();
    let state = s.state_file();
    let state = state.to_str().unwrap();
    let identify = || {
        firstboot(&[
            "--lang",
            "en",
            "identify",
            "--stick",
            stick,
            "--sim-state",
            state,
            "--set-computer-name",
        ])
    };
    let out = identify();
    let msg = text(&out);
    assert!(out.status.success(), "{msg}");
    assert!(
        msg.contains("this machine is OQS-SHINSATSU (matched by MAC 00-1B-21-3A-4F-03)"),
        "{msg}"
    );
    assert_eq!(
        load(&s.state_file()).pending_computer_name.as_deref(),
        Some("OQS-SHINSATSU")
    );

    // No match: says so, changes nothing.
    let mut host = load(&s.state_file());
    host.pending_computer_name = None;
    host.hardware.macs = vec!["02-00-00-00-00-01".into()];
    save(&host, &s.state_file());
    let out = identify();
    assert!(out.status.success());
    assert!(text(&out).contains("no terminal matches this machine; nothing changed"));
    assert_eq!(load(&s.state_file()).pending_computer_name, None);
}

#[test]
fn unknown_terminal_and_bad_filter_are_explained() {
    let s = Setup::new();
    let mut host = fresh_terminal();
    host.hardware = Default::default();
    host.computer_name = "DESKTOP-7Q2K9".into();
    save(&host, &s.state_file());
    let out = s.run("plan", &[]);
    let msg = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        msg.contains("give --terminal, one of: OQS-UKETSUKE1, OQS-UKETSUKE2, OQS-SHINSATSU"),
        "{msg}"
    );

    let out = s.run(
        "plan",
        &["--terminal", "OQS-UKETSUKE2", "--only", "nonsense"],
    );
    let msg = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        msg.contains(
            "no step \"nonsense\"; the steps are: local-copy, user.oqscomapp, user.onsrenkei,"
        ),
        "{msg}"
    );
}

#[test]
fn japanese_progress_lines() {
    let s = Setup::new();
    assert!(s.run("apply", &["--no-reboot"]).status.success());
    let stick = s.stick.root().to_str().unwrap();
    let state = s.state_file();
    let secrets = demo_secrets_file();
    let out = firstboot(&[
        "--lang",
        "ja",
        "verify",
        "--stick",
        stick,
        "--sim-state",
        state.to_str().unwrap(),
        "--secrets",
        secrets.to_str().unwrap(),
    ]);
    let msg = text(&out);
    assert!(
        msg.contains("プロキシ設定 (OqsComApp のインターネット設定) (proxy.user) ... OK"),
        "{msg}"
    );
    assert!(msg.contains("テスト専用"), "{msg}");
}

#[test]
fn no_reboot_leaves_the_restart_owed() {
    let s = Setup::new();
    let out = s.run("apply", &["--no-reboot"]);
    assert!(
        text(&out).contains("--no-reboot: restart Windows"),
        "{}",
        text(&out)
    );
    assert_eq!(load(&s.state_file()).reboots, 0);
    let out = s.run("apply", &[]);
    assert!(
        text(&out).contains("restarting Windows"),
        "the owed restart happens on the next run"
    );
    assert_eq!(load(&s.state_file()).reboots, 1);
}

#[test]
fn every_command_has_help() {
    for cmd in [
        vec!["--help"],
        vec!["plan", "--help"],
        vec!["apply", "--help"],
        vec!["verify", "--help"],
        vec!["identify", "--help"],
    ] {
        let out = firstboot(&cmd);
        assert!(out.status.success(), "{cmd:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage:"),
            "{cmd:?}"
        );
    }
}

#[cfg(not(windows))]
#[test]
fn off_windows_only_a_simulated_windows_will_do() {
    let s = Setup::new();
    let stick = s.stick.root().to_str().unwrap();
    let secrets = demo_secrets_file();
    let out = firstboot(&[
        "--lang",
        "en",
        "plan",
        "--stick",
        stick,
        "--secrets",
        secrets.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains(
        "this is not Windows; to try it out, give a simulated Windows with --sim-state FILE"
    ));
}

#[test]
fn secrets_come_from_the_vault_on_the_stick() {
    let s = Setup::new();
    let plain = std::fs::read_to_string(demo_secrets_file()).unwrap();
    let vault = payload::vault::seal_with_work_factor(
        &plain,
        &payload::Secret::new("correct horse battery"),
        4,
    )
    .unwrap();
    std::fs::write(s.stick.root().join(payload::layout::VAULT), vault).unwrap();
    s.stick.write_manifest();
    let stick = s.stick.root().to_str().unwrap();
    let state = s.state_file();
    let args = [
        "--lang",
        "en",
        "apply",
        "--stick",
        stick,
        "--sim-state",
        state.to_str().unwrap(),
    ];

    let wrong = Command::new(env!("CARGO_BIN_EXE_oqs-firstboot"))
        .args(args)
        .env("OQS_VAULT_PASSPHRASE", "wrong horse")
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(1), "{}", text(&wrong));
    assert_eq!(load(&s.state_file()).reboots, 0);

    let right = Command::new(env!("CARGO_BIN_EXE_oqs-firstboot"))
        .args(args)
        .env("OQS_VAULT_PASSPHRASE", "correct horse battery")
        .output()
        .unwrap();
    let out = text(&right);
    assert!(right.status.success(), "{out}");
    assert!(!out.contains("PLAIN-TEXT"), "{out}");
    assert_eq!(load(&s.state_file()).reboots, 1);
}
