//! The installer fixtures are real: the MSI carries its ProductVersion and installs
//! under Wine's Windows Installer, the EXE is a PE that runs under Wine, writes its
//! files and returns its exit code, and the zip holds what it was given.

use oqs_e2e::fixtures::{tiny_exe_installer, tiny_msi, zip_of};
use oqs_e2e::tools;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

fn msi_property(msi: &Path, name: &str) -> Option<String> {
    let out = tools::run_ok(
        Command::new("msiinfo")
            .arg("export")
            .arg(msi)
            .arg("Property"),
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|line| {
            line.strip_prefix(&format!("{name}\t"))
                .map(|v| v.trim_end().to_owned())
        })
}

#[test]
fn tiny_msi_has_the_product_version_and_files() {
    if !tools::require(
        "tiny_msi_has_the_product_version_and_files",
        &["wixl", "msiinfo"],
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let msi = tiny_msi(
        dir.path(),
        "OQSDistroApp",
        r"OQS\OQSDistroApp",
        "2.0.4",
        &[("readme.txt", b"hello"), (r"ext\a.crx", b"crx")],
    );
    assert_eq!(
        msi_property(&msi, "ProductVersion").as_deref(),
        Some("2.0.4")
    );
    assert_eq!(
        msi_property(&msi, "ProductName").as_deref(),
        Some("OQSDistroApp")
    );
    let out = tools::run_ok(Command::new("msiinfo").arg("export").arg(&msi).arg("File"));
    let files = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        files.contains("Version.info") && files.contains("readme.txt") && files.contains("a.crx"),
        "{files}"
    );
}

#[test]
fn tiny_exe_installer_is_a_pe_file() {
    if !tools::require(
        "tiny_exe_installer_is_a_pe_file",
        &["x86_64-w64-mingw32-gcc"],
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let exe = tiny_exe_installer(dir.path(), "setup", 0, &[(r"C:\x.txt", b"x")]);
    let bytes = std::fs::read(&exe).unwrap();
    assert_eq!(&bytes[..2], b"MZ");
    let pe = u32::from_le_bytes(bytes[0x3c..0x40].try_into().unwrap()) as usize;
    assert_eq!(&bytes[pe..pe + 4], b"PE\0\0");
    assert_eq!(
        u16::from_le_bytes([bytes[pe + 4], bytes[pe + 5]]),
        0x8664,
        "x86_64"
    );
}

#[test]
fn zip_of_holds_the_entries() {
    let dir = tempfile::tempdir().unwrap();
    let zip = zip_of(
        dir.path(),
        "OQSComApp_v3.0.2.zip",
        &[("setup.exe", b"MZ..."), ("連携アプリ/readme.txt", b"hi")],
    );
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    assert_eq!(archive.len(), 2);
    let mut text = String::new();
    archive
        .by_name("連携アプリ/readme.txt")
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(text, "hi");
}

/// A fresh Wine prefix (about 12 s to create).
fn wine_prefix(dir: &Path) -> PathBuf {
    let prefix = dir.join("wineprefix");
    let status = wine(&prefix, "wineboot", &["--init"]).status().unwrap();
    assert!(status.success(), "wineboot: {status}");
    prefix
}

fn wine(prefix: &Path, program: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .env("WINEPREFIX", prefix)
        .env("WINEDEBUG", "-all")
        .env("WINEDLLOVERRIDES", "mscoree,mshtml=");
    cmd
}

fn windows_path(path: &Path) -> String {
    format!("Z:{}", path.to_string_lossy().replace('/', "\\"))
}

/// Runs `exe` with `args` under Wine and returns its full 32-bit exit code. The
/// Unix exit status Wine passes out keeps only 8 bits (3010 would read 194), so a
/// Windows parent, cmd.exe, reports %ERRORLEVEL%.
fn run_exit_code(prefix: &Path, exe: &Path, args: &str) -> u32 {
    let bat = exe.with_extension("run.bat");
    let script = format!(
        "@\"{}\" {args}\r\n@echo EXIT=%ERRORLEVEL%\r\n@exit /b 0\r\n",
        windows_path(exe)
    );
    std::fs::write(&bat, script).unwrap();
    let out = tools::run_ok(&mut wine(
        prefix,
        "wine",
        &["cmd", "/c", &windows_path(&bat)],
    ));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let code = stdout.lines().find_map(|l| l.trim().strip_prefix("EXIT="));
    code.and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no exit code in {stdout:?}"))
}

#[test]
fn under_wine_the_exe_writes_and_exits_and_the_msi_installs() {
    let tools_needed = [
        "wine",
        "wineboot",
        "wineserver",
        "wixl",
        "x86_64-w64-mingw32-gcc",
    ];
    if !tools::require(
        "under_wine_the_exe_writes_and_exits_and_the_msi_installs",
        &tools_needed,
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let prefix = wine_prefix(dir.path());
    let drive_c = prefix.join("drive_c");

    let exe = tiny_exe_installer(
        dir.path(),
        "OQSComApp_Setup",
        3010,
        &[(
            r"C:\Program Files\OQS\OQSComApp\Version.info",
            b"Version=3.0.2\r\n",
        )],
    );
    assert_eq!(run_exit_code(&prefix, &exe, r"/S /D=C:\x y"), 3010);
    let written = drive_c.join("Program Files/OQS/OQSComApp/Version.info");
    assert_eq!(std::fs::read(&written).unwrap(), b"Version=3.0.2\r\n");
    let args = std::fs::read_to_string(dir.path().join("OQSComApp_Setup.exe.args.txt")).unwrap();
    assert!(args.ends_with(r"/S /D=C:\x y"), "{args}");

    let failing = tiny_exe_installer(dir.path(), "broken", 1603, &[]);
    assert_eq!(run_exit_code(&prefix, &failing, ""), 1603);

    let msi = tiny_msi(
        dir.path(),
        "OQSDistroApp",
        r"OQS\OQSDistroApp",
        "2.0.4",
        &[(r"ext\a.crx", b"crx")],
    );
    let msiexec = ["msiexec", "/i", &windows_path(&msi), "/qn"];
    let status = wine(&prefix, "wine", &msiexec).status().unwrap();
    assert!(status.success(), "msiexec: {status}");
    let installed = drive_c.join("Program Files/OQS/OQSDistroApp");
    assert_eq!(
        std::fs::read_to_string(installed.join("Version.info")).unwrap(),
        "Version=2.0.4\r\n"
    );
    assert_eq!(std::fs::read(installed.join("ext/a.crx")).unwrap(), b"crx");

    // The prefix's wineserver goes before the temp dir does.
    let _ = wine(&prefix, "wineserver", &["-k"]).status();
}
