//! The cross-compiled `oqs-firstboot.exe` under Wine, on a fresh prefix: `apply`
//! writes the registry values (checked with `wine reg query`), the generic
//! credentials and the certificate (checked by `verify`, which reads them back
//! through CredRead and the certificate store), and a second `apply` changes
//! nothing. What Wine does not implement for real (users, tasks, power, DNS,
//! services, LSA, restart) must be reported as skipped, never as done.
//!
//! The exe is `target/x86_64-pc-windows-gnu/debug/oqs-firstboot.exe` under the
//! workspace (or `$CARGO_TARGET_DIR`), brought up to date by the test with
//! `cargo build --target x86_64-pc-windows-gnu -p oqs-firstboot` (a no-op when CI
//! built it first); `OQS_FIRSTBOOT_EXE` runs a given exe instead.

#[path = "../wine/prefix.rs"]
mod prefix;

use oqs_e2e::tools;
use payload::manifest::{self, Manifest};
use payload::secrets::Secrets;
use prefix::Prefix;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const TERMINAL: &str = "OQS-UKETSUKE1";

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| {
            if p.is_relative() {
                tools::workspace_root().join(p)
            } else {
                p
            }
        })
        .unwrap_or_else(|| tools::workspace_root().join("target"))
}

fn firstboot_exe() -> PathBuf {
    if let Some(exe) = std::env::var_os("OQS_FIRSTBOOT_EXE") {
        return PathBuf::from(exe);
    }
    let exe = target_dir().join("x86_64-pc-windows-gnu/debug/oqs-firstboot.exe");
    if !exe.is_file() {
        tools::run_ok(
            Command::new(env!("CARGO"))
                .args([
                    "build",
                    "--target",
                    "x86_64-pc-windows-gnu",
                    "-p",
                    "oqs-firstboot",
                ])
                .current_dir(tools::workspace_root()),
        );
    }
    exe
}

fn demo(name: &str) -> PathBuf {
    tools::workspace_root()
        .join("examples/demo-clinic")
        .join(name)
}

fn demo_secrets() -> Secrets {
    toml::from_str(&std::fs::read_to_string(demo("secrets.toml")).unwrap()).unwrap()
}

/// A stick folder: the site plan (the demo's, plus `extra_site`), the demo
/// installers (tiny real MSIs and EXEs, oqs_e2e::demo), `exe` as oqs-firstboot.exe,
/// a 3DES PFX per terminal made by openssl (oqs_e2e::pfx) with the demo password,
/// and the manifest.
fn make_stick(root: &Path, exe: &Path, extra_site: &str) {
    let secrets = demo_secrets();
    std::fs::create_dir_all(root.join("oqs/certs")).unwrap();
    let site = std::fs::read_to_string(demo("site.toml")).unwrap() + extra_site;
    std::fs::write(root.join(payload::layout::SITE_PLAN), site).unwrap();
    oqs_e2e::demo::write_installers(&root.join("oqs/installers")).unwrap();
    std::fs::copy(exe, root.join(payload::layout::FIRSTBOOT_EXE)).unwrap();
    for terminal in ["OQS-UKETSUKE1", "OQS-UKETSUKE2", "OQS-SHINSATSU"] {
        let password = secrets.certificate_password(terminal).unwrap();
        let pfx = root.join(payload::layout::certificate(terminal));
        // 3DES: what older Windows 10 (and Wine) import.
        oqs_e2e::pfx::make_pfx(&pfx, terminal, password.expose(), 1190, false);
    }
    let scanned = manifest::scan_dir(root).unwrap();
    std::fs::write(
        root.join(payload::layout::MANIFEST_SUMS),
        Manifest::from_entries(scanned.files).to_sums(),
    )
    .unwrap();
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Step id -> the progress line's last word(s).
fn outcomes(out: &str) -> Vec<(String, String)> {
    out.lines()
        .filter(|l| l.starts_with('['))
        .filter_map(|l| {
            let (head, outcome) = l.rsplit_once(" ... ")?;
            let id = head.rsplit_once(" (")?.1.trim_end_matches(')');
            Some((id.to_owned(), outcome.to_owned()))
        })
        .collect()
}

/// Steps that only the real Windows can do; Wine must skip them.
fn wine_cannot(id: &str) -> bool {
    [
        "user.",
        "task.",
        "power.timeouts",
        "power.hibernate",
        "dns.",
        "ntp",
        "autologon",
    ]
    .iter()
    .any(|p| id.starts_with(p))
}

#[test]
fn firstboot_exe_applies_and_verifies_under_wine() {
    if !tools::require(
        "firstboot_wine",
        &["wine", "wineserver", "x86_64-w64-mingw32-gcc", "openssl"],
    ) {
        return;
    }
    let exe = firstboot_exe();
    let prefix = prefix::shared();
    let _one_at_a_time = prefix.lock.lock().unwrap();
    let stick = tempfile::tempdir().unwrap();
    make_stick(stick.path(), &exe, "");
    // What Windows Setup leaves: the answer file cached in Panther.
    let panther = prefix.drive_c().join("windows/Panther");
    std::fs::create_dir_all(&panther).unwrap();
    std::fs::write(panther.join("unattend.xml"), "<unattend/>").unwrap();

    let exe_w = Prefix::windows_path(&exe);
    let stick_w = Prefix::windows_path(stick.path());
    let secrets_w = Prefix::windows_path(&demo("secrets.toml"));
    let run = |command: &str, extra: &[&str]| {
        let mut args = vec![
            exe_w.as_str(),
            "--lang",
            "en",
            command,
            "--stick",
            &stick_w,
            "--secrets",
            &secrets_w,
            "--terminal",
            TERMINAL,
        ];
        args.extend_from_slice(extra);
        prefix.run(&args)
    };

    let first = run("apply", &[]);
    let out = text(&first);
    assert!(first.status.success(), "apply failed under Wine:\n{out}");
    let steps = outcomes(&out);
    assert!(steps.len() > 20, "{out}");
    for (id, outcome) in &steps {
        if id == "reboot" {
            // Fast start-up and display changes owe a restart, which Wine cannot do.
            assert!(outcome == "skipped", "{id}: {outcome}\n{out}");
        } else if wine_cannot(id) {
            assert_eq!(outcome, "skipped", "{id} must be skipped under Wine\n{out}");
        } else {
            assert_eq!(outcome, "changed", "{id} on a fresh prefix\n{out}");
        }
    }
    assert!(out.contains("not supported on this host: Wine"), "{out}");

    // The registry, as Wine's own `reg` sees it.
    let ie = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings";
    let value = |key: &str, name: &str| {
        prefix
            .reg_value(key, name)
            .unwrap_or_else(|| panic!("{key}\\{name} missing"))
    };
    assert!(
        value(ie, "ProxyEnable").ends_with("REG_DWORD    0x1"),
        "{}",
        value(ie, "ProxyEnable")
    );
    assert!(value(ie, "ProxyServer").ends_with("REG_SZ    proxy.base.oqs-pdl.org:8080"));
    assert!(value(ie, "ProxyOverride").contains("*.onshikaku.org;*.flets-east.jp;"));
    let power = r"HKLM\SYSTEM\CurrentControlSet\Control\Session Manager\Power";
    assert!(value(power, "HiberbootEnabled").ends_with("REG_DWORD    0x0"));
    let desktop = r"HKCU\Control Panel\Desktop";
    assert!(value(desktop, "LogPixels").ends_with("REG_DWORD    0x60"));
    let connections =
        r"HKLM\Software\Microsoft\Windows\CurrentVersion\Internet Settings\Connections";
    let winhttp = value(connections, "WinHttpSettings");
    let proxy_hex: String = "proxy.base.oqs-pdl.org:8080"
        .bytes()
        .map(|b| format!("{b:02X}"))
        .collect();
    assert!(
        winhttp.to_uppercase().contains(&proxy_hex),
        "WinHTTP proxy not in {winhttp}"
    );

    // Files.
    let public_desktop = prefix.drive_c().join("users/Public/Desktop");
    let shortcut = std::fs::read_to_string(public_desktop.join("オンライン資格確認.url")).unwrap();
    assert_eq!(
        shortcut,
        "[InternetShortcut]\r\nURL=https://hweb.oqs.onshikaku.org/web/\r\n"
    );
    assert!(prefix.drive_c().join("OQS/face").is_dir());
    assert!(
        !panther.join("unattend.xml").exists(),
        "the cached answer file is deleted"
    );

    // The installers ran: MSIs through the Windows Installer API with a verbose log,
    // EXEs with their output kept; each left its Version.info.
    let program_files = prefix.drive_c().join("Program Files");
    for (version_info, version) in [
        ("OQS-Auth/Version.info", "4.0.3"),
        ("OQS/OQSComApp/Version.info", "3.0.2"),
        ("OQS/OQSDistroApp/Version.info", "2.0.4"),
        ("FaceAuthenticatorApp/Version.info", "1.0.0"),
    ] {
        let text = std::fs::read_to_string(program_files.join(version_info))
            .unwrap_or_else(|e| panic!("{version_info}: {e}\n{out}"));
        assert_eq!(text, format!("Version={version}\r\n"));
    }
    let state = prefix.drive_c().join("ProgramData/oqs-stick");
    let msi_log = std::fs::read(state.join("face-app.msi.log")).unwrap();
    assert!(msi_log.len() > 1000, "a verbose MSI log");
    let exe_log = std::fs::read_to_string(state.join("com-app.log")).unwrap();
    assert!(
        exe_log.contains("setup.exe\" /S"),
        "the EXE's output: {exe_log}"
    );
    // The 電子カルテ link: every DataDir key on the local folders, OQSComApp restarted.
    let property = prefix
        .drive_c()
        .join("ProgramData/OQS/OQSComApp/config/UserDefinition.property");
    let property = std::fs::read_to_string(property).unwrap();
    let keys = payload::site::KarteLink::default().keys;
    assert_eq!(keys.len(), 6, "the seed's six DataDir keys: {keys:?}");
    for key in &keys {
        let dir = if key.contains("Request") {
            "req"
        } else {
            "res"
        };
        assert!(
            property.contains(&format!("\r\n{key}=C:\\\\OQS\\\\{dir}\r\n")),
            "{key} in {property}"
        );
    }
    let restart_log = std::fs::read_to_string(state.join("comapp-restart.log")).unwrap();
    assert!(
        restart_log.contains("OQSComApp restarted (demo)"),
        "{restart_log}"
    );
    // Edge force-installs the three extensions OQSFaceApp put in its ext folder.
    let forcelist = r"HKLM\SOFTWARE\Policies\Microsoft\Edge\ExtensionInstallForcelist";
    let update_url = "file:///C:/ProgramData/oqs-stick/edge/updates.xml";
    for (n, name) in oqs_e2e::demo::DEMO_EXTENSIONS.iter().enumerate() {
        let entry = value(forcelist, &(n + 1).to_string());
        let wanted = format!("{};{update_url}", oqs_e2e::fixtures::crx_id(name));
        assert!(entry.ends_with(&wanted), "{entry} vs {wanted}");
    }
    let updates = std::fs::read_to_string(state.join("edge/updates.xml")).unwrap();
    assert!(updates.contains("pinauth.crx"), "{updates}");
    // What the scheduled role check runs once the stick is gone.
    assert!(state.join("oqs-firstboot.exe").is_file() && state.join("site.toml").is_file());

    // Credentials and the certificate, read back through CredRead / the store by verify.
    let verify = run("verify", &["--json"]);
    assert!(
        verify.status.success(),
        "verify under Wine:\n{}",
        text(&verify)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&verify.stdout).expect("verify --json prints JSON");
    let by_id = |id: &str| {
        report["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap_or_else(|| panic!("{id}"))
            .clone()
    };
    for id in [
        "credential.OQS_LOGIN_KEY",
        "credential.OQS_MEDICAL_INSTITUTION_CODE",
        "credential.OQS_CRYPT_PASS",
        "credential.OQS_NAS_LOGIN_KEY",
        "certificate.oqscomapp",
    ] {
        assert_eq!(by_id(id)["outcome"], "ok", "{id}: {}", by_id(id));
    }

    // A second apply changes nothing.
    let second = run("apply", &[]);
    let out = text(&second);
    assert!(second.status.success(), "{out}");
    for (id, outcome) in outcomes(&out) {
        let expected = if wine_cannot(&id) || id == "reboot" {
            "skipped"
        } else {
            "unchanged"
        };
        assert_eq!(outcome, expected, "{id} on the second run\n{out}");
    }

    // The log never holds a secret.
    let log = std::fs::read_to_string(prefix.drive_c().join("ProgramData/oqs-stick/firstboot.log"))
        .unwrap();
    assert!(log.contains("credential.OQS_LOGIN_KEY"), "{log}");
    let mut everything = log;
    everything.push_str(&text(&first));
    everything.push_str(&text(&verify));
    for secret in demo_secrets().all_values() {
        assert!(
            !everything.contains(secret.expose()),
            "a secret leaked into the Wine run's output or log"
        );
    }
    drop(_one_at_a_time);
    a_failing_installer_names_its_log(&exe, prefix);
}

/// An installer that exits 1603: the run fails, says so with the code and the log
/// to read, and the log holds what the installer printed.
fn a_failing_installer_names_its_log(exe: &Path, prefix: &Prefix) {
    let _one_at_a_time = prefix.lock.lock().unwrap();
    let stick = tempfile::tempdir().unwrap();
    let extra = "\n[[installers]]\nid = \"broken\"\nkind = \"exe\"\nfile = \"generated/installers/broken.exe\"\nargs = [\"/quiet\"]\n";
    let installers = stick.path().join("oqs/installers");
    std::fs::create_dir_all(&installers).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let broken = oqs_e2e::fixtures::tiny_exe_installer(scratch.path(), "broken", 1603, &[]);
    std::fs::copy(broken, installers.join("broken.exe")).unwrap();
    make_stick(stick.path(), exe, extra);
    let out = prefix.run(&[
        Prefix::windows_path(exe).as_str(),
        "--lang",
        "en",
        "apply",
        "--stick",
        &Prefix::windows_path(stick.path()),
        "--secrets",
        &Prefix::windows_path(&demo("secrets.toml")),
        "--terminal",
        TERMINAL,
        "--only",
        "install.broken",
    ]);
    let text = text(&out);
    assert!(!out.status.success(), "{text}");
    assert!(
        outcomes(&text).contains(&("install.broken".into(), "FAILED".into())),
        "{text}"
    );
    assert!(
        text.contains("1603") && text.contains(r"C:\ProgramData\oqs-stick\broken.log"),
        "{text}"
    );
    let log =
        std::fs::read_to_string(prefix.drive_c().join("ProgramData/oqs-stick/broken.log")).unwrap();
    assert!(log.contains("broken.exe\" /quiet"), "{log}");
}
