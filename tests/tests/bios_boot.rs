//! The legacy BIOS boot chain of MBR sticks, run under SeaBIOS (QEMU's PC firmware, no
//! OVMF): fatimg's MBR code loads the FAT32 boot sector, whose code loads `BOOTMGR` from
//! the root to 2000:0000. `BOOTMGR` here is tests/bios-marker (NASM): it checks it was
//! loaded whole with the hand-over Windows' bootmgr gets (DL = hard disk, boot sector and
//! BPB at 0000:7C00) and reports on COM1. The boot code's own error messages reach the
//! same serial file through SeaBIOS's serial console.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use fatimg::{ImageBuilder, ImageOptions, NoProgress};
use oqs_e2e::image_check::{fsck_partition, mtools, path_str as s, stdout};
use oqs_e2e::tools;

/// What the marker prints once every check passed, and the QEMU exit status it asks for
/// through isa-debug-exit ((0x10 << 1) | 1).
const MARKER_OK: &str = "OQS-BIOS-BOOT-OK drive=80";
const MARKER_EXIT: i32 = 33;
const MARKER_FAILED: &str = "OQS-BIOS-MARKER-FAILED";
/// A real bootmgr is 400-550 KB; the marker is as large, so a loader that stops early
/// (one cluster, one FAT sector, 64 KiB) fails its checksum.
const MARKER_BYTES: usize = 450 * 1024;
/// Where the marker's code ends and the test's pseudo-random bytes begin (marker.asm).
const MARKER_PAYLOAD: usize = 0x400;
/// Every error of the MBR and boot sector code ends with this, then waits for a key.
const BOOT_CODE_GAVE_UP: &str = "Press a key.";
const BOOT_TIMEOUT: Duration = Duration::from_secs(60);

fn workspace(path: &str) -> PathBuf {
    tools::workspace_root().join(path)
}

fn nasm(source: &Path, out: &Path, defines: &[String]) {
    tools::run_ok(
        Command::new("nasm")
            .args(["-f", "bin", "-o", s(out)])
            .args(defines)
            .arg(source),
    );
}

#[test]
fn committed_boot_code_matches_its_sources() {
    if !tools::require("committed_boot_code_matches_its_sources", &["nasm"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for name in ["mbr", "vbr"] {
        let built = dir.path().join(format!("{name}.bin"));
        nasm(&workspace(&format!("fatimg/boot/{name}.asm")), &built, &[]);
        let committed = workspace(&format!("fatimg/boot/{name}.bin"));
        assert!(
            fs::read(&built).unwrap() == fs::read(&committed).unwrap(),
            "{} differs from what nasm makes of fatimg/boot/{name}.asm: \
             run `nasm -f bin -o {name}.bin {name}.asm` in fatimg/boot and commit both",
            committed.display()
        );
    }
}

/// The marker program, `size` bytes: its code, pseudo-random bytes, and a last dword
/// that makes its checksum (h = h * 31 + dword over all of it) come to zero.
fn marker(scratch: &Path, size: usize, seed: u64) -> Vec<u8> {
    let bin = scratch.join("marker.bin");
    nasm(
        &workspace("tests/bios-marker/marker.asm"),
        &bin,
        &[format!("-DSIZE={size}")],
    );
    let mut bytes = fs::read(&bin).unwrap();
    assert_eq!(bytes.len(), size, "marker.asm pads itself to SIZE");
    let payload = &mut bytes[MARKER_PAYLOAD..size - 4];
    let mut noise = Vec::with_capacity(payload.len());
    oqs_e2e::media::write_noise(&mut noise, payload.len() as u64, seed).unwrap();
    payload.copy_from_slice(&noise);
    let sum = checksum(&bytes[..size - 4]).wrapping_mul(31);
    bytes[size - 4..].copy_from_slice(&sum.wrapping_neg().to_le_bytes());
    assert_eq!(checksum(&bytes), 0);
    bytes
}

fn checksum(bytes: &[u8]) -> u32 {
    bytes.chunks_exact(4).fold(0u32, |h, d| {
        h.wrapping_mul(31)
            .wrapping_add(u32::from_le_bytes(d.try_into().unwrap()))
    })
}

/// Files laid out like install media: folders, then enough long-named files in the root
/// ahead of `bootmgr` that the root folder spans many clusters and the boot code must
/// follow its chain to find the entry.
fn stick_files() -> Vec<(String, Vec<u8>)> {
    let mut files = vec![
        ("efi/boot/bootx64.efi".to_string(), vec![0x4D; 3000]),
        ("sources/boot.wim".into(), vec![0x57; 5000]),
        (
            "オンライン資格確認/設定手順.txt".into(),
            "端末を起動する\r\n".as_bytes().to_vec(),
        ),
    ];
    for i in 0..60 {
        files.push((format!("filler file {i:02}.txt"), vec![b'f'; 700 + i]));
    }
    files
}

/// Writes an MBR image of `files` with fatimg; checks the cluster size stayed small
/// (512 bytes), so chains are long.
fn image(scratch: &Path, name: &str, files: &[(String, Vec<u8>)]) -> PathBuf {
    let mut builder = ImageBuilder::new(ImageOptions {
        label: "OQS-STICK".into(),
        ..Default::default()
    })
    .unwrap();
    for (path, bytes) in files {
        builder.add_file(path, Box::new(bytes.clone())).unwrap();
    }
    let plan = builder.plan().unwrap();
    assert_eq!(plan.cluster_size(), 512);
    let path = scratch.join(name);
    plan.write_image(&path, &mut NoProgress).unwrap();
    path
}

/// The cluster runs of a file or folder as mtools' mshowfat lists them (`<2-13> <20>`).
fn cluster_runs(image: &Path, path: &str) -> Vec<(u32, u32)> {
    let spec = format!("{}@@1M", s(image));
    let out = stdout(mtools("mshowfat").args(["-i", &spec, path]));
    out.split('<')
        .skip(1)
        .map(|run| {
            let run = run.split('>').next().unwrap();
            let (a, b) = run.split_once('-').unwrap_or((run, run));
            (a.trim().parse().unwrap(), b.trim().parse().unwrap())
        })
        .collect()
}

fn clusters(runs: &[(u32, u32)]) -> u32 {
    runs.iter().map(|(a, b)| b - a + 1).sum()
}

struct Boot {
    serial: String,
    /// QEMU's exit status, `None` when the boot code gave up or the time ran out and the
    /// test stopped QEMU.
    exit: Option<i32>,
    stderr: String,
}

impl Boot {
    fn assert_marker_ok(&self, test: &str) {
        assert!(
            self.serial
                .contains(&format!("{MARKER_OK} bytes={MARKER_BYTES}"))
                && self.exit == Some(MARKER_EXIT),
            "{test}: no {MARKER_OK} (exit {:?}), serial:\n{}\nstderr:\n{}",
            self.exit,
            self.serial,
            self.stderr
        );
        assert!(!self.serial.contains(MARKER_FAILED));
    }

    fn assert_gave_up(&self, test: &str, message: &str) {
        assert!(
            self.serial.contains(message) && self.serial.contains(BOOT_CODE_GAVE_UP),
            "{test}: expected {message:?} (exit {:?}), serial:\n{}\nstderr:\n{}",
            self.exit,
            self.serial,
            self.stderr
        );
        assert!(!self.serial.contains(MARKER_OK), "{test}: the marker ran");
    }
}

/// Kills QEMU when the test is done with it, also when an assertion panics.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        // Fails only when QEMU has already exited, which is fine.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One QEMU at a time: TCG is CPU bound, and the machine has two cores.
static QEMU: Mutex<()> = Mutex::new(());

/// Boots `image` on QEMU's PC machine with SeaBIOS until the marker exits QEMU, the boot
/// code gives up, or a minute passes.
fn boot(image: &Path, scratch: &Path) -> Boot {
    let serial = scratch.join("serial.txt");
    let stderr = scratch.join("qemu-stderr.txt");
    let _ = fs::remove_file(&serial);
    // SeaBIOS mirrors the screen (INT 10h) to the port in etc/sercon-port, read as a
    // little-endian integer of the file's size. QEMU warns that the name lacks "opt/";
    // SeaBIOS looks for exactly this one.
    let sercon = scratch.join("sercon-port");
    fs::write(&sercon, 0x3F8u16.to_le_bytes()).unwrap();
    let _one_at_a_time = QEMU.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let child = Command::new("qemu-system-x86_64")
        .args(["-machine", "pc", "-accel", "tcg", "-m", "256"])
        .args(["-display", "none", "-monitor", "none", "-net", "none"])
        .args(["-no-reboot", "-serial"])
        .arg(format!("file:{}", s(&serial)))
        .arg("-drive")
        .arg(format!("file={},format=raw", s(image)))
        .args(["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"])
        .arg("-fw_cfg")
        .arg(format!("name=etc/sercon-port,file={}", s(&sercon)))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(fs::File::create(&stderr).unwrap())
        .spawn()
        .expect("qemu-system-x86_64 starts");
    let mut qemu = Running(child);
    let start = Instant::now();
    let exit = loop {
        if let Some(status) = qemu.0.try_wait().unwrap() {
            break status.code();
        }
        let shown = fs::read_to_string(&serial).unwrap_or_default();
        if shown.contains(BOOT_CODE_GAVE_UP) || start.elapsed() > BOOT_TIMEOUT {
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    drop(qemu);
    Boot {
        serial: String::from_utf8_lossy(&fs::read(&serial).unwrap_or_default()).into_owned(),
        exit,
        stderr: fs::read_to_string(&stderr).unwrap_or_default(),
    }
}

fn can_boot(test: &str, extra: &[&str]) -> bool {
    let mut needed = vec!["nasm", "qemu-system-x86_64", "fsck.fat", "dd"];
    needed.extend_from_slice(extra);
    tools::require(test, &needed)
}

#[test]
fn bootmgr_loads_from_a_long_root_under_seabios() {
    let test = "bootmgr_loads_from_a_long_root_under_seabios";
    if !can_boot(test, &["mshowfat"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut files = stick_files();
    // Lower case, as on Windows media: stored as BOOTMGR with the NT lower-case bit.
    files.push(("bootmgr".into(), marker(dir.path(), MARKER_BYTES, 1)));
    let image = image(dir.path(), "stick.img", &files);

    let root = cluster_runs(&image, "::/");
    assert!(clusters(&root) >= 10, "root folder clusters: {root:?}");
    let bootmgr = cluster_runs(&image, "::/BOOTMGR");
    assert_eq!(clusters(&bootmgr) as usize, MARKER_BYTES / 512);
    fsck_partition(&image, dir.path());

    boot(&image, dir.path()).assert_marker_ok(test);
}

#[test]
fn bootmgr_loads_through_fragmented_chains() {
    let test = "bootmgr_loads_through_fragmented_chains";
    if !can_boot(test, &["mshowfat", "mdel", "mcopy", "mdir"]) {
        return;
    }
    // fatimg writes every file and folder in one run of clusters; a stick changed later
    // (by Windows, or here by mtools) has both the root folder and BOOTMGR in pieces.
    let dir = tempfile::tempdir().unwrap();
    let mut files = stick_files();
    for i in 0..40 {
        files.push((format!("spacer file {i:02}.bin"), vec![b's'; 8 * 512]));
    }
    let image = image(dir.path(), "fragmented.img", &files);
    let spec = format!("{}@@1M", s(&image));
    for i in (0..40).step_by(2) {
        tools::run_ok(mtools("mdel").args(["-i", &spec, &format!("::/spacer file {i:02}.bin")]));
    }
    // FSInfo's next-free hint set to "unknown" (0xFFFFFFFF): mtools then allocates from
    // the start of the volume, into the holes, as a driver without the hint does.
    let fsinfo_next_free = (1 << 20) + 512 + 492;
    let mut bytes = fs::read(&image).unwrap();
    bytes[fsinfo_next_free..fsinfo_next_free + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    fs::write(&image, bytes).unwrap();
    // Names as long as the deleted ones (three entries each) take their slots first, the
    // rest grow the root folder into the holes; BOOTMGR's entry comes after all of them.
    let late: Vec<PathBuf> = (0..60)
        .map(|i| dir.path().join(format!("late file {i:04}.txt")))
        .collect();
    for (i, path) in late.iter().enumerate() {
        fs::write(path, format!("{i}\n")).unwrap();
    }
    tools::run_ok(mtools("mcopy").args(["-i", &spec]).args(&late).arg("::/"));
    let marker_file = dir.path().join("BOOTMGR");
    fs::write(&marker_file, marker(dir.path(), MARKER_BYTES, 2)).unwrap();
    tools::run_ok(mtools("mcopy").args(["-i", &spec, s(&marker_file), "::/"]));

    let root = cluster_runs(&image, "::/");
    let bootmgr = cluster_runs(&image, "::/BOOTMGR");
    assert!(root.len() >= 2, "root folder in one piece: {root:?}");
    assert!(bootmgr.len() >= 10, "BOOTMGR in few pieces: {bootmgr:?}");
    let listing = stdout(mtools("mdir").args(["-i", &spec, "-b", "::/"]));
    assert_eq!(listing.lines().last(), Some("::/BOOTMGR"), "{listing}");
    fsck_partition(&image, dir.path());

    boot(&image, dir.path()).assert_marker_ok(test);
}

#[test]
fn a_partly_loaded_bootmgr_would_be_caught() {
    // The marker's checksum is what proves a whole load: one flipped byte in the image,
    // 300 KB into the file, must make it fail.
    let test = "a_partly_loaded_bootmgr_would_be_caught";
    if !can_boot(test, &[]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let marker = marker(dir.path(), MARKER_BYTES, 3);
    let mut files = stick_files();
    files.push(("bootmgr".into(), marker.clone()));
    let image = image(dir.path(), "damaged.img", &files);
    let mut bytes = fs::read(&image).unwrap();
    let probe = &marker[MARKER_PAYLOAD..MARKER_PAYLOAD + 64];
    let start = bytes
        .windows(probe.len())
        .position(|w| w == probe)
        .expect("the marker is in the image")
        - MARKER_PAYLOAD;
    bytes[start + 300_000] ^= 0x01;
    fs::write(&image, bytes).unwrap();

    let boot = boot(&image, dir.path());
    assert!(
        boot.serial
            .contains("OQS-BIOS-MARKER-FAILED: checksum wrong: not loaded whole"),
        "{test}: serial:\n{}",
        boot.serial
    );
    assert_eq!(boot.exit, Some(3));
}

#[test]
fn stick_without_bootmgr_says_so() {
    let test = "stick_without_bootmgr_says_so";
    if !can_boot(test, &[]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let image = image(dir.path(), "no-bootmgr.img", &stick_files());
    boot(&image, dir.path()).assert_gave_up(test, "No BOOTMGR on this stick");
}

#[test]
fn bootmgr_too_large_for_conventional_memory_is_refused() {
    // Loaded at 2000:0000, a file must end below the EBDA (INT 12h, 639 KiB in QEMU):
    // 600 KB would overwrite it, so the boot code stops before reading that far.
    let test = "bootmgr_too_large_for_conventional_memory_is_refused";
    if !can_boot(test, &[]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut files = stick_files();
    files.push(("BOOTMGR".into(), marker(dir.path(), 600 * 1024, 4)));
    let image = image(dir.path(), "too-big.img", &files);
    boot(&image, dir.path()).assert_gave_up(test, "BOOTMGR too big");
}

#[test]
fn mbr_without_an_active_partition_says_so() {
    let test = "mbr_without_an_active_partition_says_so";
    if !can_boot(test, &[]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut files = stick_files();
    files.push(("bootmgr".into(), marker(dir.path(), MARKER_BYTES, 5)));
    let image = image(dir.path(), "inactive.img", &files);
    let mut bytes = fs::read(&image).unwrap();
    assert_eq!(bytes[446], 0x80, "fatimg marks its partition active");
    bytes[446] = 0;
    fs::write(&image, bytes).unwrap();
    boot(&image, dir.path()).assert_gave_up(test, "No active partition");
}
