//! The installers and the 電子カルテ link against SimHost: staged and run in the
//! site's order, not run again once installed, a failing installer stopping the run
//! with its log named, a restart owed after 3010, and the DataDir keys pointed at
//! the local folders with OQSComApp restarted only when they change.

mod common;

use common::*;
use oqs_firstboot::engine::{Command, Filter, Journal, Outcome, Report};
use oqs_firstboot::host::sim::SimHost;
use oqs_firstboot::host::{Exit, Host};
use oqs_firstboot::link::role::{self, PROPERTY_FILE, Pointing, Target};

fn outcome(report: &Report, id: &str) -> Outcome {
    report
        .steps
        .iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("no step {id}"))
        .outcome
}

fn detail(report: &Report, id: &str) -> String {
    let step = report.steps.iter().find(|s| s.id == id).unwrap();
    step.detail.clone().unwrap_or_default()
}

fn text_file(host: &SimHost, path: &str) -> String {
    String::from_utf8(host.read_file(path).unwrap().unwrap_or_default()).unwrap()
}

const INSTALLS: [&str; 4] = [
    "install.face-app",
    "install.com-app",
    "install.distro-app",
    "install.hi-cara",
];

#[test]
fn installers_run_once_in_the_sites_order() {
    let stick = DemoStick::new();
    let mut host = fresh_terminal();
    let (first, text) = run(&stick, &mut host, APPLY);
    for id in INSTALLS {
        assert_eq!(outcome(&first, id), Outcome::Changed, "{id}\n{text}");
    }
    let stage = r"C:\ProgramData\oqs-stick\packages";
    assert_eq!(
        host.runs[..4],
        [
            format!(
                r"msiexec.exe /i {stage}\face-app\OQSFaceApp_Setup.msi /qn /l*v C:\ProgramData\oqs-stick\face-app.msi.log REBOOT=ReallySuppress"
            ),
            format!(r#""{stage}\com-app\setup.exe" /S"#),
            format!(
                r"msiexec.exe /i {stage}\distro-app\OQSDistroApp_v2.0.4.msi /qn /l*v C:\ProgramData\oqs-stick\distro-app.msi.log REBOOT=ReallySuppress"
            ),
            format!(r#""{stage}\hi-cara\FaceAuthenticatorApp_Setup.exe" /quiet /norestart"#),
        ],
        "{text}"
    );
    // Installed versions are what the next check reads; Hi-CARA has none: a receipt.
    assert_eq!(
        text_file(&host, r"C:\Program Files\OQS-Auth\Version.info"),
        "Version=4.0.3\r\n"
    );
    let receipt = text_file(&host, r"C:\ProgramData\oqs-stick\installed\hi-cara.sha256");
    assert_eq!(receipt.trim().len(), 64, "{receipt}");

    let runs = host.runs.len();
    let (second, text) = run(&stick, &mut host, APPLY);
    for id in INSTALLS {
        assert_eq!(outcome(&second, id), Outcome::Ok, "{id}\n{text}");
    }
    assert_eq!(host.runs.len(), runs, "nothing runs twice: {:?}", host.runs);
}

#[test]
fn a_refreshed_package_without_a_version_is_installed_again() {
    let stick = DemoStick::new();
    let mut host = fresh_terminal();
    run(&stick, &mut host, APPLY);
    // The yearly refresh: a new Hi-CARA package on the stick.
    let site = stick.site();
    let hicara = site.installers.iter().find(|i| i.id == "hi-cara").unwrap();
    let name = std::path::Path::new(&hicara.file).file_name().unwrap();
    let zip = stick.root().join("oqs/installers").join(name);
    oqs_e2e::fixtures::zip_of(
        zip.parent().unwrap(),
        name.to_str().unwrap(),
        &[("FaceAuthenticatorApp_Setup.exe", b"version 2")],
    );
    stick.write_manifest();
    let (report, text) = run(&stick, &mut host, APPLY);
    assert_eq!(
        outcome(&report, "install.hi-cara"),
        Outcome::Changed,
        "{text}"
    );
    assert_eq!(outcome(&report, "install.face-app"), Outcome::Ok, "{text}");
}

#[test]
fn a_failing_installer_stops_the_run_names_its_log_and_resumes_when_fixed() {
    let stick = DemoStick::new();
    let mut host = fresh_terminal();
    host.programs.get_mut("setup.exe").unwrap().exit = Exit::Code(1603);
    let (report, text) = run(&stick, &mut host, APPLY);
    assert_eq!(outcome(&report, "install.face-app"), Outcome::Changed);
    assert_eq!(
        outcome(&report, "install.com-app"),
        Outcome::Failed,
        "{text}"
    );
    let why = detail(&report, "install.com-app");
    assert!(
        why.contains(r"C:\ProgramData\oqs-stick\com-app.log") && why.contains("1603"),
        "{why}"
    );
    assert_eq!(outcome(&report, "install.distro-app"), Outcome::NotRun);
    assert!(!report.healthy() && host.reboots == 0);
    assert!(text_file(&host, r"C:\ProgramData\oqs-stick\com-app.log").contains("setup.exe"));

    // The vendor fixes it; the next run does not reinstall OQSFaceApp.
    host.programs.get_mut("setup.exe").unwrap().exit = Exit::Code(0);
    let runs = host.runs.len();
    let (report, text) = run(&stick, &mut host, APPLY);
    assert_eq!(outcome(&report, "install.face-app"), Outcome::Ok, "{text}");
    assert_eq!(
        outcome(&report, "install.com-app"),
        Outcome::Changed,
        "{text}"
    );
    assert!(report.healthy(), "{text}");
    assert!(host.runs[runs].contains("setup.exe"), "{:?}", host.runs);
}

#[test]
fn a_timeout_is_reported_with_the_setting_that_extends_it() {
    let stick = DemoStick::new();
    let mut host = fresh_terminal();
    host.programs
        .get_mut("oqsdistroapp_v2.0.4.msi")
        .unwrap()
        .exit = Exit::TimedOut;
    let (report, text) = run(&stick, &mut host, APPLY);
    assert_eq!(
        outcome(&report, "install.distro-app"),
        Outcome::Failed,
        "{text}"
    );
    let why = detail(&report, "install.distro-app");
    assert!(
        why.contains("timeout_minutes") && why.contains("distro-app.msi.log"),
        "{why}"
    );
}

#[test]
fn exit_3010_owes_a_restart_and_the_run_goes_on() {
    let stick = DemoStick::new();
    let mut host = fresh_terminal();
    host.programs.get_mut("setup.exe").unwrap().exit = Exit::Code(3010);
    let filter = Filter {
        only: vec!["install".into()],
        skip: vec![],
    };
    let (report, text) = run_filtered(&stick, &mut host, Command::Apply { reboot: false }, &filter);
    assert_eq!(
        outcome(&report, "install.com-app"),
        Outcome::Changed,
        "{text}"
    );
    assert_eq!(
        outcome(&report, "install.hi-cara"),
        Outcome::Changed,
        "{text}"
    );
    assert_eq!(outcome(&report, "reboot"), Outcome::Skipped, "{text}");
    let journal = Journal::load(&host).unwrap().unwrap();
    assert!(journal.reboot_owed, "3010 leaves a restart owed");
}

#[test]
fn an_installed_newer_version_is_left_alone() {
    let stick = DemoStick::new();
    let mut host = fresh_terminal();
    host.create_dir_all(r"C:\Program Files\OQS-Auth").unwrap();
    host.write_file(
        r"C:\Program Files\OQS-Auth\Version.info",
        b"Version=4.1.0\r\n",
    )
    .unwrap();
    let filter = Filter {
        only: vec!["install.face-app".into()],
        skip: vec![],
    };
    let (report, text) = run_filtered(&stick, &mut host, APPLY, &filter);
    assert_eq!(outcome(&report, "install.face-app"), Outcome::Ok, "{text}");
    assert!(host.runs.is_empty(), "{:?}", host.runs);
}

#[test]
fn karte_link_points_a_fresh_terminal_local_and_restarts_once() {
    let stick = DemoStick::new();
    let mut host = fresh_terminal();
    let (report, text) = run(&stick, &mut host, APPLY);
    assert_eq!(outcome(&report, "karte-link"), Outcome::Changed, "{text}");
    let link = stick.site().karte_link;
    let bytes = host.read_file(PROPERTY_FILE).unwrap().unwrap();
    assert_eq!(role::pointing(&link, &bytes).unwrap(), Pointing::Local);
    let file = String::from_utf8(bytes).unwrap();
    // The seed's doubled backslashes, CRLF, and the keys OQSComApp had kept.
    assert!(
        file.starts_with("ResponseFileStayTime=10\r\nRequestDataDir=C:\\\\OQS\\\\req\r\n"),
        "{file}"
    );
    assert!(
        file.contains("ClinicalInfoSharingResponseDataDir=C:\\\\OQS\\\\res\r\n"),
        "{file}"
    );
    let restarts = |h: &SimHost| {
        h.runs
            .iter()
            .filter(|r| r.contains("OQSComAppRestart.bat"))
            .count()
    };
    assert_eq!(restarts(&host), 1, "{:?}", host.runs);
    assert_eq!(
        host.runs.last().unwrap(),
        r#"cmd.exe /d /c "C:\Program Files\OQS\OQSComApp\tools\OQSComAppRestart.bat""#
    );

    let (again, text) = run(&stick, &mut host, APPLY);
    assert_eq!(outcome(&again, "karte-link"), Outcome::Ok, "{text}");
    assert_eq!(restarts(&host), 1, "no restart without a change");
}

#[test]
fn karte_link_leaves_the_active_terminal_on_the_share() {
    let stick = DemoStick::new();
    let mut host = fresh_terminal();
    run(&stick, &mut host, APPLY);
    // `role activate` pointed this terminal at the share; a later firstboot run
    // (the yearly refresh) must not take the 電子カルテ link away from it.
    let link = stick.site().karte_link;
    let current = host.read_file(PROPERTY_FILE).unwrap().unwrap();
    let shared = role::plan(&link, &current, Target::Shared).unwrap();
    host.write_file(PROPERTY_FILE, &shared.bytes).unwrap();
    let runs = host.runs.len();
    let (report, text) = run(&stick, &mut host, APPLY);
    assert_eq!(outcome(&report, "karte-link"), Outcome::Ok, "{text}");
    assert_eq!(host.runs.len(), runs);
    assert_eq!(
        host.read_file(PROPERTY_FILE).unwrap().unwrap(),
        shared.bytes
    );
}

#[test]
fn the_role_check_task_runs_the_local_copy_with_the_local_site() {
    let stick = DemoStick::new();
    let mut host = fresh_terminal();
    run(&stick, &mut host, APPLY);
    let (xml, user) = host.task("OQS_stick_role_check").expect("task registered");
    assert_eq!(user, "OqsComApp");
    assert!(
        xml.contains(r"<Command>C:\ProgramData\oqs-stick\oqs-firstboot.exe</Command>"),
        "{xml}"
    );
    assert!(
        xml.contains(
            r#"<Arguments>role check --terminal OQS-UKETSUKE1 --site &quot;C:\ProgramData\oqs-stick\site.toml&quot;</Arguments>"#
        ),
        "{xml}"
    );
    assert!(xml.contains("<Interval>PT1M</Interval>"), "{xml}");
    let site = std::fs::read(stick.root().join(payload::layout::SITE_PLAN)).unwrap();
    assert_eq!(
        host.read_file(r"C:\ProgramData\oqs-stick\site.toml")
            .unwrap()
            .unwrap(),
        site
    );
    assert!(
        host.read_file(r"C:\ProgramData\oqs-stick\oqs-firstboot.exe")
            .unwrap()
            .is_some()
    );
}

#[test]
fn an_unfinished_run_resumes_from_run_once_and_a_finished_one_removes_it() {
    use oqs_firstboot::engine::resume::{RUN_ONCE, VALUE};
    use oqs_firstboot::host::{RegKey, RegValue};
    let stick = DemoStick::new();
    let mut host = fresh_terminal();
    let run_once = |h: &SimHost| h.reg_get(&RegKey::hklm(RUN_ONCE), VALUE).unwrap();
    host.programs.get_mut("setup.exe").unwrap().exit = Exit::Code(1603);
    run(&stick, &mut host, APPLY);
    assert_eq!(
        run_once(&host),
        Some(RegValue::Sz(
            r#""C:\ProgramData\oqs-stick\oqs-firstboot.exe" apply --terminal OQS-UKETSUKE1"#.into()
        ))
    );
    host.programs.get_mut("setup.exe").unwrap().exit = Exit::Code(0);
    let (report, text) = run(&stick, &mut host, APPLY);
    assert!(report.healthy(), "{text}");
    assert_eq!(
        run_once(&host),
        None,
        "a finished set-up starts nothing at logon"
    );
}
