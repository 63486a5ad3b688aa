//! Checks of a stick image by the tools everyone else trusts: `fsck.fat` on the
//! partition, mtools reading back every file, and OVMF booting a UEFI app from it
//! under QEMU. Shared by the fatimg tests and the builder's demo-stick tests.

use crate::tools;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

const MIB: u64 = 1 << 20;

/// (path in the image, lowercase hex SHA-256) of every file a test expects.
pub type Expected = Vec<(String, String)>;

pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("test paths are UTF-8")
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs a command that must succeed; its stdout.
pub fn stdout(cmd: &mut Command) -> String {
    String::from_utf8_lossy(&tools::run_ok(cmd).stdout).into_owned()
}

/// mtools with a UTF-8 locale (for the Japanese names) and without its floppy geometry
/// check, which does not apply to disk images.
pub fn mtools(tool: &str) -> Command {
    let mut cmd = Command::new(tool);
    cmd.env("LC_ALL", "C.UTF-8").env("MTOOLS_SKIP_CHECK", "1");
    cmd
}

/// Cuts the FAT partition out (fsck.fat has no offset option) and checks it.
pub fn fsck_partition(image: &Path, scratch: &Path) {
    let part = fatimg::Image::open(image).unwrap().partitions()[0].clone();
    let cut = scratch.join("partition.img");
    tools::run_ok(Command::new("dd").args([
        &format!("if={}", path_str(image)),
        &format!("of={}", path_str(&cut)),
        "bs=1M",
        &format!("skip={}", part.offset / MIB),
        &format!("count={}", part.size / MIB),
        "status=none",
    ]));
    let report = stdout(Command::new("fsck.fat").args(["-n", "-v", path_str(&cut)]));
    for bad in [
        "differ",
        "Dirty",
        "dirty",
        "lost",
        "Free cluster summary wrong",
        "FIXED",
        "invalid",
        "Bad ",
    ] {
        assert!(!report.contains(bad), "fsck.fat reports {bad:?}:\n{report}");
    }
    fs::remove_file(cut).unwrap();
}

/// mtools sees exactly `files` (plus `folders`, each given with a trailing '/') and
/// reads every file back with the expected SHA-256.
pub fn mtools_read_back(image: &Path, scratch: &Path, files: &Expected, folders: &[&str]) {
    let spec = format!("{}@@1M", path_str(image));
    let listing = stdout(mtools("mdir").args(["-i", &spec, "-/", "-b", "::"]));
    let listed: BTreeSet<String> = listing
        .lines()
        .filter(|l| !l.ends_with('/'))
        .map(|l| l.trim_start_matches("::/").to_string())
        .collect();
    let expected: BTreeSet<String> = files.iter().map(|(p, _)| p.clone()).collect();
    assert_eq!(listed, expected, "mdir listing");
    for folder in folders {
        assert!(
            listing.contains(&format!("::/{folder}")),
            "mdir lacks {folder}:\n{listing}"
        );
    }

    let out = scratch.join("mcopy-out");
    fs::create_dir(&out).unwrap();
    tools::run_ok(mtools("mcopy").args([
        "-s",
        "-n",
        "-i",
        &spec,
        "::/*",
        &format!("{}/", path_str(&out)),
    ]));
    for (path, sha) in files {
        let bytes =
            fs::read(out.join(path)).unwrap_or_else(|e| panic!("mcopy did not copy {path}: {e}"));
        assert_eq!(&hex(&Sha256::digest(&bytes)), sha, "mcopy read back {path}");
    }
    fs::remove_dir_all(out).unwrap();
}

/// Builds tests/uefi-marker once per test run; its path, or `None` to skip.
pub fn marker_efi() -> Option<&'static Path> {
    static EFI: OnceLock<Option<PathBuf>> = OnceLock::new();
    EFI.get_or_init(|| {
        let root = tools::workspace_root();
        let target = root.join("target/uefi-marker");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let out = Command::new(cargo)
            .args(["build", "--release", "--target", "x86_64-unknown-uefi", "--manifest-path"])
            .arg(root.join("tests/uefi-marker/Cargo.toml"))
            .arg("--target-dir")
            .arg(&target)
            .env_remove("RUSTFLAGS")
            .output()
            .expect("cargo runs");
        if !out.status.success() {
            let why = String::from_utf8_lossy(&out.stderr);
            assert!(!tools::tools_required(), "building tests/uefi-marker failed:\n{why}");
            eprintln!("SKIP boot test: cannot build tests/uefi-marker (rustup target add x86_64-unknown-uefi):\n{why}");
            return None;
        }
        Some(target.join("x86_64-unknown-uefi/release/uefi-marker.efi"))
    })
    .as_deref()
}

const OVMF_CODE: &str = "/usr/share/OVMF/OVMF_CODE.fd";
const OVMF_VARS: &str = "/usr/share/OVMF/OVMF_VARS.fd";
/// What tests/uefi-marker prints on the serial console.
pub const MARKER: &str = "OQS-STICK-BOOT-OK";

/// Whether QEMU, `timeout` and OVMF are there (else skip, or fail under OQS_REQUIRE_TOOLS=1).
pub fn can_boot(test: &str) -> bool {
    if !tools::require(test, &["qemu-system-x86_64", "timeout"]) {
        return false;
    }
    if !Path::new(OVMF_CODE).exists() {
        assert!(
            !tools::tools_required(),
            "{test}: {OVMF_CODE} missing (apt-get install ovmf)"
        );
        eprintln!("SKIP {test}: {OVMF_CODE} missing (apt-get install ovmf)");
        return false;
    }
    true
}

/// One QEMU at a time: TCG is CPU bound, and three at once on a busy machine could each
/// run into the timeout.
static QEMU: Mutex<()> = Mutex::new(());

/// Boots `image` (holding the marker app as EFI/BOOT/BOOTX64.EFI) under OVMF and
/// asserts the marker reaches the serial console. TCG, as KVM hangs on this machine;
/// `timeout` ends a firmware that never gets there (a boot takes ~5 s on an idle
/// machine, the limit leaves room for a loaded one).
pub fn assert_boots(test: &str, image: &Path, scratch: &Path) {
    let vars = scratch.join("OVMF_VARS.fd");
    fs::copy(OVMF_VARS, &vars).unwrap();
    let _one_at_a_time = QEMU.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let out = Command::new("timeout")
        .args([
            "120",
            "qemu-system-x86_64",
            "-machine",
            "q35",
            "-accel",
            "tcg",
            "-m",
            "256",
        ])
        .args([
            "-display", "none", "-monitor", "none", "-serial", "stdio", "-net", "none",
        ])
        .arg("-drive")
        .arg(format!("if=pflash,format=raw,readonly=on,file={OVMF_CODE}"))
        .arg("-drive")
        .arg(format!("if=pflash,format=raw,file={}", path_str(&vars)))
        .arg("-drive")
        .arg(format!("format=raw,file={}", path_str(image)))
        .stdin(std::process::Stdio::null())
        .output()
        .expect("qemu starts");
    let serial = String::from_utf8_lossy(&out.stdout);
    assert!(
        serial.contains(MARKER),
        "{test}: no {MARKER} on the serial console (exit {}):\n{serial}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}
