//! The demo clinic's stick, built by the real `oqs-builder` binary from generated
//! inputs, then checked by fsck.fat, fdisk/sgdisk, mtools, sha256sum, wimlib-imagex
//! and QEMU+OVMF, and scanned for secrets as a finder of a lost stick would.

use oqs_e2e::image_check::{self, Expected, fsck_partition, mtools_read_back, path_str, stdout};
use oqs_e2e::{demo, leak, tools};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// Bytes per edition of the demo install.wim: two editions make it over 100 MB.
const EDITION_BYTES: u64 = 55 << 20;
const VAULT_PASSPHRASE: &str = "demo vault passphrase for the tests";

/// A folder holding copies of the demo site.toml and secrets.toml with their
/// generated inputs, made once per test run.
struct Demo {
    _dir: tempfile::TempDir,
    site: PathBuf,
    secrets: PathBuf,
    media: PathBuf,
    firstboot: PathBuf,
}

fn needed_tools() -> &'static [&'static str] {
    &["wimlib-imagex", "wixl", "openssl", "x86_64-w64-mingw32-gcc"]
}

fn demo() -> Option<&'static Demo> {
    static DEMO: OnceLock<Option<Demo>> = OnceLock::new();
    DEMO.get_or_init(|| {
        if !tools::require("demo inputs", needed_tools()) {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site.toml");
        let secrets = dir.path().join("secrets.toml");
        fs::copy(demo::demo_dir().join("site.toml"), &site).unwrap();
        fs::copy(demo::demo_dir().join("secrets.toml"), &secrets).unwrap();
        demo::generate(&dir.path().join("generated"), Some(EDITION_BYTES)).unwrap();
        let firstboot = firstboot_exe(dir.path());
        Some(Demo {
            media: dir.path().join("generated/media"),
            _dir: dir,
            site,
            secrets,
            firstboot,
        })
    })
    .as_ref()
}

/// The cross-compiled oqs-firstboot.exe (CI builds it before the tests); a
/// stand-in on a developer machine that has not built it.
fn firstboot_exe(scratch: &Path) -> PathBuf {
    let built =
        tools::workspace_root().join("target/x86_64-pc-windows-gnu/release/oqs-firstboot.exe");
    if built.is_file() {
        return built;
    }
    assert!(
        !tools::tools_required(),
        "{} missing: cargo build --release --target x86_64-pc-windows-gnu -p oqs-firstboot",
        built.display()
    );
    let stand_in = scratch.join("oqs-firstboot.exe");
    fs::write(&stand_in, b"MZ stand-in for tests").unwrap();
    stand_in
}

fn builder() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oqs-builder"));
    cmd.env("OQS_VAULT_PASSPHRASE", VAULT_PASSPHRASE)
        .env("LANG", "C.UTF-8");
    cmd
}

fn build(d: &Demo, out: &Path, extra: &[&str]) -> Output {
    builder()
        .arg("build")
        .arg("--site")
        .arg(&d.site)
        .arg("--media")
        .arg(&d.media)
        .arg("--out")
        .arg(out)
        .arg("--firstboot")
        .arg(&d.firstboot)
        .args(extra)
        .output()
        .unwrap()
}

fn build_ok(d: &Demo, out: &Path, extra: &[&str]) {
    let out = build(d, out, extra);
    assert!(
        out.status.success(),
        "build failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The MBR image every image test reads, built once.
fn mbr_image() -> Option<&'static (tempfile::TempDir, PathBuf)> {
    static IMAGE: OnceLock<Option<(tempfile::TempDir, PathBuf)>> = OnceLock::new();
    IMAGE
        .get_or_init(|| {
            let d = demo()?;
            let dir = tempfile::tempdir().unwrap();
            let image = dir.path().join("stick.img");
            build_ok(d, &image, &[]);
            Some((dir, image))
        })
        .as_ref()
}

/// The manifest the stick carries, read with mtools (not our reader).
fn manifest_via_mtools(image: &Path) -> payload::manifest::Manifest {
    let out = stdout(image_check::mtools("mtype").args([
        "-i",
        &format!("{}@@1M", path_str(image)),
        "::/oqs/manifest.json",
    ]));
    payload::manifest::Manifest::parse_json(&out, "manifest.json").unwrap()
}

fn sha256_file(path: &Path) -> String {
    payload::manifest::hash_file(path).unwrap().0
}

#[test]
fn demo_image_passes_fsck_fdisk_mtools_and_verify() {
    if !tools::require(
        "demo_image_passes_fsck_fdisk_mtools_and_verify",
        &[
            "fsck.fat",
            "fdisk",
            "mdir",
            "mcopy",
            "mtype",
            "dd",
            "sha256sum",
        ],
    ) {
        return;
    }
    let Some((dir, image)) = mbr_image() else {
        return;
    };
    let d = demo().unwrap();
    let scratch = tempfile::tempdir_in(dir.path()).unwrap();

    let table = stdout(Command::new("fdisk").args(["-l", path_str(image)]));
    assert!(
        table
            .lines()
            .any(|l| l.contains("W95 FAT32 (LBA)") && l.contains(" * ")),
        "one active FAT32 LBA partition:\n{table}"
    );
    fsck_partition(image, scratch.path());

    let manifest = manifest_via_mtools(image);
    // Files copied from the inputs carry their source's hash: nothing was changed on the way.
    let install = manifest
        .get("sources/install.wim")
        .expect("install.wim fits FAT32 here");
    assert!(
        install.size > 100_000_000,
        "a file over 100 MB: {}",
        install.size
    );
    assert_eq!(
        install.sha256,
        sha256_file(&d.media.join("sources/install.wim"))
    );
    let japanese = "support/日本語/はじめにお読みください.txt";
    assert_eq!(
        manifest.get(japanese).unwrap().sha256,
        sha256_file(&d.media.join(japanese))
    );
    assert_eq!(
        manifest.get("oqs/certs/OQS-UKETSUKE1.pfx").unwrap().sha256,
        sha256_file(
            &d.site
                .parent()
                .unwrap()
                .join("generated/certs/OQS-UKETSUKE1.pfx")
        )
    );
    assert_eq!(
        manifest.get("oqs/oqs-firstboot.exe").unwrap().sha256,
        sha256_file(&d.firstboot)
    );
    for expected in [
        "autounattend.xml",
        "oqs/site.toml",
        "oqs/winpe/select-disk.cmd",
        "oqs/installers/OQSDistroApp_v2.0.4.msi",
    ] {
        assert!(manifest.get(expected).is_some(), "{expected} on the stick");
    }

    let mut files: Expected = manifest
        .files
        .iter()
        .map(|e| (e.path.clone(), e.sha256.clone()))
        .collect();
    let mcopy_dir = scratch.path().join("all");
    fs::create_dir(&mcopy_dir).unwrap();
    tools::run_ok(image_check::mtools("mcopy").args([
        "-s",
        "-n",
        "-i",
        &format!("{}@@1M", path_str(image)),
        "::/*",
        &format!("{}/", path_str(&mcopy_dir)),
    ]));
    // sha256sum, independent of us, accepts the stick's own SHA256SUMS.
    tools::run_ok(
        Command::new("sha256sum")
            .args(["-c", "--quiet", "--strict", "oqs/SHA256SUMS"])
            .current_dir(&mcopy_dir),
    );
    // The vault opens with the build's passphrase and holds the demo's secrets.
    let vault = fs::read(mcopy_dir.join("oqs/secrets.age")).unwrap();
    let opened = payload::vault::open(&vault, &payload::Secret::new(VAULT_PASSPHRASE)).unwrap();
    let demo_secrets =
        payload::vault::load_secrets(&fs::read_to_string(&d.secrets).unwrap(), &d.secrets).unwrap();
    assert_eq!(
        opened.accounts.oqs_com_app,
        demo_secrets.accounts.oqs_com_app
    );
    assert_eq!(
        opened.certificate_password("OQS-SHINSATSU"),
        demo_secrets.certificate_password("OQS-SHINSATSU")
    );
    assert!(
        manifest.get("oqs/secrets.key").is_none(),
        "no key file unless zero-touch"
    );
    for manifest_file in ["oqs/SHA256SUMS", "oqs/manifest.json"] {
        files.push((
            manifest_file.into(),
            sha256_file(&mcopy_dir.join(manifest_file)),
        ));
    }
    mtools_read_back(
        image,
        scratch.path(),
        &files,
        &["support/日本語/", "oqs/certs/"],
    );

    let verify = builder().arg("verify").arg(image).output().unwrap();
    assert!(
        verify.status.success(),
        "verify: {}",
        String::from_utf8_lossy(&verify.stderr)
    );
}

#[test]
fn verify_names_a_changed_file_in_the_image() {
    let Some((dir, image)) = mbr_image() else {
        return;
    };
    let copy = dir.path().join("tampered.img");
    fs::copy(image, &copy).unwrap();
    // Files sit in contiguous clusters, so site.toml's bytes appear whole in the image.
    let mut bytes = fs::read(&copy).unwrap();
    let site = fs::read(&demo().unwrap().site).unwrap();
    let offset = bytes
        .windows(site.len())
        .position(|w| w == site)
        .expect("site.toml in the image");
    bytes[offset] ^= 0x20;
    fs::write(&copy, bytes).unwrap();
    let out = builder()
        .args(["--json", "verify"])
        .arg(&copy)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], false);
    assert_eq!(report["mismatches"][0]["kind"], "changed");
    assert_eq!(report["mismatches"][0]["path"], "oqs/site.toml");
}

#[test]
fn gpt_image_with_split_wim_passes_sgdisk_and_wimlib_verify() {
    if !tools::require(
        "gpt_image_with_split_wim",
        &["sgdisk", "fsck.fat", "mcopy", "wimlib-imagex"],
    ) {
        return;
    }
    let Some(d) = demo() else { return };
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("gpt.img");
    build_ok(d, &image, &["--gpt", "--split-wim", "40"]);

    let check = stdout(Command::new("sgdisk").args(["-v", path_str(&image)]));
    assert!(check.contains("No problems found"), "sgdisk -v:\n{check}");
    fsck_partition(&image, dir.path());

    let spec = format!("{}@@1M", path_str(&image));
    let sources = dir.path().join("sources");
    fs::create_dir(&sources).unwrap();
    tools::run_ok(image_check::mtools("mcopy").args([
        "-n",
        "-i",
        &spec,
        "::/sources/*.swm",
        &format!("{}/", path_str(&sources)),
    ]));
    let parts = fs::read_dir(&sources).unwrap().count();
    assert!(
        parts >= 3,
        "install.wim of >100 MB in 40 MiB parts gives at least 3, got {parts}"
    );
    assert!(!sources.join("install.wim").exists());
    tools::run_ok(
        Command::new("wimlib-imagex")
            .args(["verify", "install.swm", "--ref=install*.swm"])
            .current_dir(&sources),
    );
    let info = stdout(
        Command::new("wimlib-imagex")
            .args(["info", "install.swm"])
            .current_dir(&sources),
    );
    assert!(
        info.contains(&format!("Part Number:    1/{parts}")),
        "{info}"
    );
}

#[test]
fn demo_stick_boots_under_ovmf() {
    let test = "demo_stick_boots_under_ovmf";
    if !image_check::can_boot(test) {
        return;
    }
    let (Some(d), Some(efi)) = (demo(), image_check::marker_efi()) else {
        return;
    };
    // A small media tree whose boot loader is the marker app: the stick as built boots.
    let dir = tempfile::tempdir().unwrap();
    let media = dir.path().join("media");
    oqs_e2e::media::write_media(&media, 1 << 20).unwrap();
    fs::copy(efi, media.join("efi/boot/bootx64.efi")).unwrap();
    let image = dir.path().join("boot.img");
    let out = builder()
        .arg("build")
        .arg("--site")
        .arg(&d.site)
        .arg("--media")
        .arg(&media)
        .arg("--out")
        .arg(&image)
        .arg("--firstboot")
        .arg(&d.firstboot)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    image_check::assert_boots(test, &image, dir.path());
}

#[test]
fn folder_output_is_checked_by_sha256sum_and_guarded() {
    if !tools::require("folder_output", &["sha256sum"]) {
        return;
    }
    let Some(d) = demo() else { return };
    let dir = tempfile::tempdir().unwrap();
    let stick = dir.path().join("E");
    fs::create_dir(&stick).unwrap();
    build_ok(d, &stick, &[]);
    tools::run_ok(
        Command::new("sha256sum")
            .args(["-c", "--quiet", "--strict", "oqs/SHA256SUMS"])
            .current_dir(&stick),
    );
    assert!(fs::read_dir(stick.join("oqs")).unwrap().all(|e| {
        !e.unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".oqs-partial")
    }));

    let again = build(d, &stick, &[]);
    assert_eq!(
        again.status.code(),
        Some(1),
        "a non-empty folder needs --force"
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    fs::write(stick.join("left-over.txt"), "old").unwrap();
    build_ok(d, &stick, &["--force"]);
    assert!(
        !stick.join("left-over.txt").exists(),
        "--force empties the stick first"
    );

    fs::write(stick.join("bootmgr"), "changed").unwrap();
    let verify = builder().arg("verify").arg(&stick).output().unwrap();
    assert_eq!(verify.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&verify.stderr).contains("bootmgr"));

    let system = dir.path().join("C");
    fs::create_dir_all(system.join("Windows/System32")).unwrap();
    let refused = build(d, &system, &["--force"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("system drive"));
    assert_eq!(
        fs::read_dir(&system).unwrap().count(),
        1,
        "nothing written next to Windows"
    );
}

#[test]
fn lost_stick_holds_no_secret() {
    let Some((_, image)) = mbr_image() else {
        return;
    };
    let d = demo().unwrap();
    let secrets =
        payload::vault::load_secrets(&fs::read_to_string(&d.secrets).unwrap(), &d.secrets).unwrap();
    let mut values: Vec<String> = secrets
        .all_values()
        .iter()
        .map(|s| s.expose().to_owned())
        .collect();
    values.push(VAULT_PASSPHRASE.to_owned());
    assert!(values.len() >= 9, "every demo secret is scanned for");
    let bytes = fs::read(image).unwrap();
    let leaks = leak::find_leaks(&bytes, &values);
    assert!(
        leaks.is_empty(),
        "secrets readable on the stick: {} (first at byte {:?})",
        leaks.len(),
        leaks.first().map(|l| format!("{l:?}"))
    );
}

#[test]
fn check_reports_every_mistake_with_its_line() {
    let Some(d) = demo() else { return };
    let ok = builder()
        .args(["--json", "check", "--site"])
        .arg(&d.site)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(report["summary"]["terminals"].as_array().unwrap().len(), 3);

    let broken = d.site.with_file_name("broken.toml");
    let text = fs::read_to_string(&d.site)
        .unwrap()
        .replace("\"2312345678\"", "\"23123\"")
        .replace(
            "server = \"proxy.base.oqs-pdl.org:8080\"",
            "server = \"proxy.base.oqs-pdl.org\"",
        )
        .replace("daily_restart = \"05:00\"", "daily_restart = \"25:00\"")
        .replace("[options]", "[options]\nwin11_bypass = true")
        .replace(
            "generated/installers/OQSComApp_v3.0.2.zip",
            "generated/installers/missing.zip",
        );
    fs::write(&broken, text).unwrap();
    let out = builder()
        .args(["check", "--site"])
        .arg(&broken)
        .arg("--secrets")
        .arg(&d.secrets)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains(": error: ")).collect();
    assert_eq!(errors.len(), 5, "{stderr}");
    for key in [
        "clinic.medical_institution_code",
        "network.proxy.server",
        "tasks.daily_restart",
        "options.win11_bypass",
        "installers[1].file",
    ] {
        assert!(
            errors
                .iter()
                .any(|l| l.contains(&format!(": error: {key}: "))
                    && l.starts_with(&format!("{}:", broken.display()))),
            "no located error for {key}:\n{stderr}"
        );
    }
}

#[test]
fn wim_info_and_split_commands() {
    if !tools::require("wim_info_and_split_commands", &["wimlib-imagex"]) {
        return;
    }
    let Some(d) = demo() else { return };
    let install = d.media.join("sources/install.wim");
    let info = builder()
        .args(["--json", "wim", "info"])
        .arg(&install)
        .output()
        .unwrap();
    assert!(
        info.status.success(),
        "{}",
        String::from_utf8_lossy(&info.stderr)
    );
    let info: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
    let names: Vec<&str> = info["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, oqs_e2e::media::EDITIONS);

    let out = tempfile::tempdir().unwrap();
    let split = builder()
        .args(["wim", "split"])
        .arg(&install)
        .arg(out.path())
        .args(["--size", "40"])
        .output()
        .unwrap();
    assert!(
        split.status.success(),
        "{}",
        String::from_utf8_lossy(&split.stderr)
    );
    assert!(fs::read_dir(out.path()).unwrap().count() >= 3);
    tools::run_ok(
        Command::new("wimlib-imagex")
            .args(["verify", "install.swm", "--ref=install*.swm"])
            .current_dir(out.path()),
    );
}
