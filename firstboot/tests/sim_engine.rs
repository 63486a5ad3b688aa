//! Every step against SimHost: a fresh terminal, a half-configured one, an already
//! configured one, and a run that fails half way and resumes.

mod common;

use common::*;
use oqs_firstboot::engine::{Command, Filter, Journal, Outcome};
use oqs_firstboot::host::sim::Fault;
use oqs_firstboot::host::{Capability, CertLocation, Group, Host, RegKey, RegValue, UserFlags};
use payload::Secret;

fn outcomes(report: &oqs_firstboot::engine::Report) -> Vec<(String, Outcome)> {
    report
        .steps
        .iter()
        .map(|s| (s.id.clone(), s.outcome))
        .collect()
}

#[test]
fn fresh_terminal_plan_apply_then_nothing_left() {
    let stick = DemoStick::new();
    let mut host = fresh_terminal();

    let (plan, plan_text) = run(&stick, &mut host, Command::Plan);
    assert!(
        plan.steps.iter().all(|s| s.outcome == Outcome::Differs),
        "{plan_text}"
    );
    assert!(plan_text.contains("will change") || plan_text.contains("変更します"));
    assert_eq!(host.reboots, 0, "plan changes nothing");
    assert!(
        host.user("OqsComApp").unwrap().is_none(),
        "plan changes nothing"
    );

    let (first, text) = run(&stick, &mut host, APPLY);
    let not_changed: Vec<_> = outcomes(&first)
        .into_iter()
        .filter(|(_, o)| *o != Outcome::Changed)
        .collect();
    assert!(
        not_changed.is_empty(),
        "every step changes a fresh terminal: {not_changed:?}\n{text}"
    );
    assert!(first.reboot && host.reboots == 1, "{text}");
    assert!(
        text.contains(&format!("[1/{}]", first.steps.len())),
        "progress shows step n/total:\n{text}"
    );

    let (second, text) = run(&stick, &mut host, APPLY);
    let last = second.steps.len();
    for (id, outcome) in outcomes(&second) {
        assert_eq!(outcome, Outcome::Ok, "{id} on the second run\n{text}");
    }
    assert_eq!(second.steps[last - 1].id, "reboot");
    assert_eq!(host.reboots, 1, "no second restart");

    let (verify, _) = run(&stick, &mut host, Command::Verify);
    assert!(verify.healthy());
    let journal = Journal::load(&host).unwrap().unwrap();
    assert!(journal.finished && !journal.reboot_owed && journal.runs == 2);
}

#[test]
fn applied_terminal_is_as_oqs_facts_say() {
    let stick = DemoStick::new();
    let mut host = fresh_terminal();
    run(&stick, &mut host, APPLY);
    let secrets = demo_secrets();

    for (name, cannot_change) in [("OqsComApp", false), ("ONSRenkei", true)] {
        let user = host.user(name).unwrap().unwrap();
        assert_eq!(
            user.groups,
            vec![Group::Administrators],
            "{name}: Administrators, not Users"
        );
        assert_eq!(
            user.flags,
            UserFlags {
                password_never_expires: true,
                cannot_change_password: cannot_change
            }
        );
    }
    let oqs_pw = secrets.accounts.oqs_com_app.clone().unwrap();
    assert!(host.password_matches("OqsComApp", &oqs_pw).unwrap());

    let cred = |t: &str| host.credential("OqsComApp", t).unwrap().unwrap();
    assert_eq!(cred("OQS_LOGIN_KEY").user_name, "R0");
    assert_eq!(
        cred("OQS_LOGIN_KEY").secret,
        oqs_firstboot::host::Fingerprint::of(secrets.credentials.login_key.as_ref().unwrap())
    );
    assert_eq!(
        cred("OQS_MEDICAL_INSTITUTION_CODE").secret,
        oqs_firstboot::host::Fingerprint::of_str("2312345678")
    );
    assert_eq!(cred("OQS_CRYPT_PASS").user_name, "OQS_Admin");
    assert_eq!(cred("OQS_NAS_LOGIN_KEY").user_name, "ONSRenkei");
    assert!(
        host.credential("OqsSetup", "OQS_LOGIN_KEY")
            .unwrap()
            .is_none(),
        "not in the set-up admin's vault"
    );

    assert_eq!(
        host.certificates(&CertLocation::UserMy("OqsComApp".into()))
            .len(),
        1
    );
    assert!(
        host.certificates(&CertLocation::LocalMachineMy).is_empty(),
        "UKETSUKE1 names only CurrentUser\\My"
    );

    assert_eq!(
        host.task_names(),
        vec![
            "OQS_daily_restart",
            "OQS_exec_comappdelfile_running",
            "OQS_exec_distroappstart",
            "OQS_stick_role_check"
        ]
    );
    assert!(host.task("OQS_daily_restart").unwrap().1 == "OqsComApp");
    assert_eq!(host.service_restarts, vec!["W32Time"]);
    assert!(
        host.read_file(r"C:\Windows\Panther\unattend.xml")
            .unwrap()
            .is_none()
    );
    assert!(
        host.read_file(r"c:\windows\panther\UNATTEND-ORIGINAL.XML")
            .unwrap()
            .is_none()
    );
    assert!(host.is_dir(r"C:\OQS\face").unwrap());
    assert_eq!(
        host.lsa_secret("DefaultPassword").unwrap(),
        Some(oqs_firstboot::host::Fingerprint::of(&oqs_pw)),
        "autologon as OqsComApp keeps its password as the LSA secret"
    );
    let winlogon = RegKey::hklm(r"SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon");
    assert_eq!(
        host.reg_get(&winlogon, "DefaultPassword").unwrap(),
        None,
        "never in plain text"
    );
    assert_eq!(
        host.reg_get(&winlogon, "DefaultUserName").unwrap(),
        Some(RegValue::Sz("OqsComApp".into()))
    );
}

#[test]
fn golden_registry_and_task_xml() {
    let stick = DemoStick::new();
    let mut host = fresh_terminal();
    run(&stick, &mut host, APPLY);
    assert_golden("registry-after-apply.reg", &host.registry.export());
    for name in host.task_names() {
        let (xml, _) = host.task(name).unwrap();
        assert_golden(&format!("tasks/{name}.xml"), xml);
    }
    let desktop = |n: &str| {
        String::from_utf8(
            host.read_file(&format!(r"C:\Users\Public\Desktop\{n}.url"))
                .unwrap()
                .unwrap(),
        )
        .unwrap()
    };
    assert_eq!(
        desktop("オンライン資格確認"),
        "[InternetShortcut]\r\nURL=https://hweb.oqs.onshikaku.org/web/\r\n"
    );
    assert_eq!(
        desktop("医療情報閲覧"),
        "[InternetShortcut]\r\nURL=https://hweb.oqs.onshikaku.org/web/?mode=etsuran\r\n"
    );
    let winhttp = host.winhttp_proxy().unwrap().unwrap();
    assert_eq!(winhttp.server, "proxy.base.oqs-pdl.org:8080");
    assert!(
        winhttp
            .bypass
            .starts_with("*.onshikaku.org;*.flets-east.jp;")
    );
}

#[test]
fn half_configured_terminal_changes_only_what_differs() {
    let stick = DemoStick::new();
    let mut host = fresh_terminal();
    // Someone began by hand: OqsComApp with another password, still in Users; one proxy value.
    host.create_user("OqsComApp", &Secret::new("Old-Password-1234!"))
        .unwrap();
    let ie = RegKey::user(
        "OqsComApp",
        r"Software\Microsoft\Windows\CurrentVersion\Internet Settings",
    );
    host.reg_set(&ie, "ProxyEnable", &RegValue::Dword(1))
        .unwrap();
    host.reg_set(
        &ie,
        "PROXYSERVER",
        &RegValue::Sz("proxy.base.oqs-pdl.org:8080".into()),
    )
    .unwrap();
    host.create_dir_all(r"C:\OQS\req").unwrap();
    host.create_dir_all(r"C:\OQS\res").unwrap();
    host.create_dir_all(r"C:\OQS\face").unwrap();

    let (plan, _) = run(&stick, &mut host, Command::Plan);
    let user = plan
        .steps
        .iter()
        .find(|s| s.id == "user.oqscomapp")
        .unwrap();
    let whats: Vec<&str> = user.changes.iter().map(|c| c.what.as_str()).collect();
    assert_eq!(
        whats,
        vec![
            "password",
            "password never expires",
            "member of Administrators (S-1-5-32-544)",
            "member of Users (S-1-5-32-545)"
        ]
    );
    assert!(user.changes[0].before == oqs_firstboot::step::Shown::Redacted);
    let proxy = plan.steps.iter().find(|s| s.id == "proxy.user").unwrap();
    assert_eq!(
        proxy.changes.len(),
        1,
        "only ProxyOverride differs: {:?}",
        proxy.changes
    );
    assert!(proxy.changes[0].what.ends_with(r"\ProxyOverride"));
    let folders = plan.steps.iter().find(|s| s.id == "folders").unwrap();
    assert_eq!(folders.outcome, Outcome::Ok);

    let (apply, text) = run(&stick, &mut host, APPLY);
    assert!(apply.healthy(), "{text}");
    assert_eq!(
        apply
            .steps
            .iter()
            .find(|s| s.id == "folders")
            .unwrap()
            .outcome,
        Outcome::Ok
    );
    let pw = demo_secrets().accounts.oqs_com_app.unwrap();
    assert!(host.password_matches("OqsComApp", &pw).unwrap());
    // The hand-typed value name keeps its spelling; its value is right.
    assert!(
        host.registry
            .export()
            .contains("\"PROXYSERVER\"=\"proxy.base.oqs-pdl.org:8080\"")
    );
}

#[test]
fn already_configured_terminal_needs_nothing() {
    let stick = DemoStick::new();
    let mut host = fresh_terminal();
    run(&stick, &mut host, APPLY);
    let before = serde_json::to_string(&host).unwrap();
    let (again, _) = run(&stick, &mut host, APPLY);
    assert!(again.steps.iter().all(|s| s.outcome == Outcome::Ok));
    let after = serde_json::to_string(&host).unwrap();
    // Only the journal and the log may differ.
    let strip = |s: &str| {
        let v: serde_json::Value = serde_json::from_str(s).unwrap();
        let mut v = v;
        v["files"]["files"]
            .as_object_mut()
            .unwrap()
            .retain(|k, _| !k.contains("oqs-stick"));
        v
    };
    assert_eq!(strip(&before), strip(&after));
}

#[test]
fn failure_half_way_stops_keeps_journal_and_resumes() {
    let stick = DemoStick::new();
    let mut host = fresh_terminal();
    host.fault = Some(Fault {
        op: "reg_set".into(),
        object: "ProxyOverride".into(),
    });
    let (first, text) = run(&stick, &mut host, APPLY);
    assert!(!first.healthy());
    let proxy = first
        .steps
        .iter()
        .position(|s| s.id == "proxy.user")
        .unwrap();
    assert_eq!(first.steps[proxy].outcome, Outcome::Failed, "{text}");
    assert!(
        first.steps[proxy]
            .detail
            .as_deref()
            .unwrap()
            .contains("injected fault")
    );
    assert!(
        first.steps[..proxy]
            .iter()
            .all(|s| s.outcome == Outcome::Changed)
    );
    assert!(
        first.steps[proxy + 1..]
            .iter()
            .all(|s| s.outcome == Outcome::NotRun),
        "{text}"
    );
    assert_eq!(host.reboots, 0, "no restart after a failure");
    let journal = Journal::load(&host).unwrap().unwrap();
    assert!(!journal.finished);
    assert!(
        journal.reboot_owed,
        "the DNS change before the failure needs a restart"
    );
    assert_eq!(journal.steps[proxy].outcome, Outcome::Failed);

    // Power comes back: the next run resumes, redoes nothing that was done, and restarts once.
    let (second, text) = run(&stick, &mut host, APPLY);
    assert!(
        text.contains("stopped part-way") || text.contains("途中で止まりました"),
        "{text}"
    );
    assert!(
        second.steps[..proxy]
            .iter()
            .all(|s| s.outcome == Outcome::Ok),
        "{text}"
    );
    assert_eq!(second.steps[proxy].outcome, Outcome::Changed);
    assert!(
        second.healthy() && second.reboot && host.reboots == 1,
        "{text}"
    );
}

#[test]
fn unsupported_capability_is_skipped_and_says_so() {
    let stick = DemoStick::new();
    let mut host = fresh_terminal();
    host.unsupported.insert(Capability::Tasks);
    host.unsupported.insert(Capability::Users);
    // Without Users the accounts must exist already for their hives and vaults.
    for name in ["OqsComApp", "ONSRenkei"] {
        host.create_user(name, &Secret::new("x")).unwrap();
    }
    let (report, text) = run(&stick, &mut host, APPLY);
    for s in report
        .steps
        .iter()
        .filter(|s| s.id.starts_with("task.") || s.id.starts_with("user."))
    {
        assert_eq!(s.outcome, Outcome::Skipped, "{}", s.id);
        assert!(
            s.detail
                .as_deref()
                .unwrap()
                .contains("not supported on this host")
                || s.detail.as_deref().unwrap().contains("実行できません")
        );
    }
    assert!(host.task_names().is_empty());
    assert!(report.healthy(), "{text}");
}

#[test]
fn only_and_skip_filters() {
    let stick = DemoStick::new();
    let mut host = fresh_terminal();
    let filter = Filter {
        only: vec!["proxy".into(), "user".into()],
        skip: vec!["proxy.winhttp".into()],
    };
    let (report, _) = run_filtered(&stick, &mut host, APPLY, &filter);
    let changed: Vec<&str> = report
        .steps
        .iter()
        .filter(|s| s.outcome == Outcome::Changed)
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(
        changed,
        vec!["user.oqscomapp", "user.onsrenkei", "proxy.user"]
    );
    assert!(host.winhttp_proxy().unwrap().is_none());
    // A restart is owed by nothing run here.
    assert_eq!(host.reboots, 0);
}

#[test]
fn dns_with_no_matching_adapter_is_unknown_not_ok() {
    let stick = DemoStick::new();
    let mut host = fresh_terminal();
    host.adapters
        .retain(|a| a.description.starts_with("Realtek"));
    let (report, text) = run(&stick, &mut host, Command::Verify);
    let dns = report.steps.iter().find(|s| s.id == "dns.ipv6").unwrap();
    assert_eq!(dns.outcome, Outcome::Unknown);
    assert!(
        dns.detail
            .as_deref()
            .unwrap()
            .contains("Realtek PCIe GbE Family Controller [00-1B-21-3A-4F-99]"),
        "{text}"
    );
    assert!(!report.healthy());
}

#[test]
fn secrets_never_reach_log_console_or_json() {
    let stick = DemoStick::new();
    let mut host = fresh_terminal();
    // Half-configured so that secret diffs show up with both sides.
    host.create_user("OqsComApp", &Secret::new("Old-Password-1234!"))
        .unwrap();
    let mut everything = String::new();
    for command in [Command::Plan, APPLY, Command::Verify] {
        let (report, text) = run(&stick, &mut host, command);
        everything.push_str(&text);
        everything.push_str(&serde_json::to_string(&report).unwrap());
    }
    let log = host
        .read_file(r"C:\ProgramData\oqs-stick\firstboot.log")
        .unwrap()
        .unwrap();
    let journal = host
        .read_file(r"C:\ProgramData\oqs-stick\journal.json")
        .unwrap()
        .unwrap();
    everything.push_str(&String::from_utf8(log).unwrap());
    everything.push_str(&String::from_utf8(journal).unwrap());
    everything.push_str(&serde_json::to_string(&host).unwrap());
    assert!(
        everything.contains("REDACTED"),
        "secret diffs are shown as REDACTED"
    );
    for secret in secret_values() {
        assert!(
            !everything.contains(&secret),
            "a secret leaked into the output, log or state"
        );
    }
}
