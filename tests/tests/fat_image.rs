//! `fatimg` images checked by the tools everyone else trusts: `fsck.fat` on the
//! partition, `fdisk`/`sgdisk` on the table, mtools reading back every file, our own
//! reader, and OVMF booting a UEFI app from the stick under QEMU.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use fatimg::{GptType, Image, ImageBuilder, ImageOptions, NoProgress, PartitionStyle, Source};
use oqs_e2e::image_check::{
    self, Expected, fsck_partition, hex, mtools_read_back, path_str as s, stdout,
};
use oqs_e2e::tools;
use sha2::{Digest, Sha256};

const MIB: u64 = 1 << 20;

/// Incompressible bytes (xorshift) made while the image is written: the 100 MB file is
/// never on disk, and this is how the builder streams generated .swm parts.
#[derive(Clone, Copy)]
struct Noise {
    seed: u64,
    len: u64,
}

impl Source for Noise {
    fn len(&self) -> u64 {
        self.len
    }

    fn write_to(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        oqs_e2e::media::write_noise(out, self.len, self.seed)
    }
}

enum Content {
    Bytes(Vec<u8>),
    Noise(Noise),
}

impl Content {
    fn sha256(&self) -> String {
        let mut hasher = Sha256::new();
        match self {
            Content::Bytes(b) => hasher.update(b),
            Content::Noise(n) => n.clone().write_to(&mut HashWriter(&mut hasher)).unwrap(),
        }
        hex(&hasher.finalize())
    }

    fn source(&self) -> Box<dyn Source> {
        match self {
            Content::Bytes(b) => Box::new(b.clone()),
            Content::Noise(n) => Box::new(*n),
        }
    }
}

struct HashWriter<'a>(&'a mut Sha256);

impl Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Folders mdir must show, beyond those holding files: empty ones and deep ones.
const FOLDERS: &[&str] = &["empty folder/", "a/b/c/d/e/", "オンライン資格確認/証明書/"];

/// Nested folders, Japanese names, 400 long names in one folder (dozens of directory
/// clusters), an empty file and an empty folder; `big` adds a generated 100 MB file.
fn tree(big: bool) -> (Vec<(String, Content)>, Vec<&'static str>) {
    let mut files = vec![
        (
            "bootmgr".to_string(),
            Content::Bytes(b"boot manager stand-in".to_vec()),
        ),
        (
            "autounattend.xml".into(),
            Content::Bytes(b"<unattend/>\r\n".to_vec()),
        ),
        (
            "オンライン資格確認/設定手順.txt".into(),
            Content::Bytes("設定手順: 端末を起動する\r\n".as_bytes().to_vec()),
        ),
        (
            "オンライン資格確認/証明書/端末1.pfx".into(),
            Content::Bytes(vec![0x30; 3000]),
        ),
        (
            "sources/boot.wim".into(),
            Content::Noise(Noise {
                seed: 1,
                len: 3 * MIB + 17,
            }),
        ),
        (
            "sources/$OEM$/$$/Setup/Scripts/SetupComplete.cmd".into(),
            Content::Bytes(b"@echo off\r\n".to_vec()),
        ),
        ("ReadMe.Txt".into(), Content::Bytes(b"mixed case".to_vec())),
        ("oqs/empty.log".into(), Content::Bytes(Vec::new())),
        (
            "a/b/c/d/e/deep file.txt".into(),
            Content::Bytes(b"deep".to_vec()),
        ),
    ];
    for i in 0..400 {
        files.push((
            format!("oqs/logs/terminal log {i:03} 端末.txt"),
            Content::Bytes(format!("log {i}\n").into_bytes()),
        ));
    }
    if big {
        files.push((
            "sources/install.swm".into(),
            Content::Noise(Noise {
                seed: 7,
                len: 100_000_000,
            }),
        ));
    }
    (files, vec!["empty folder", "a/b/c/d/e"])
}

/// Writes the image; returns its path and each file's expected SHA-256 (hex), computed
/// once from the content, independently of the writer.
fn build(dir: &Path, name: &str, partition: PartitionStyle, big: bool) -> (PathBuf, Expected) {
    let (files, dirs) = tree(big);
    let options = ImageOptions {
        label: "OQS-STICK".into(),
        volume_serial: 0x1234_ABCD,
        partition,
        size: None,
        seed: 2025,
        timestamp: 1_735_689_600,
    };
    let mut builder = ImageBuilder::new(options).unwrap();
    for d in dirs {
        builder.add_dir(d).unwrap();
    }
    for (path, content) in &files {
        builder.add_file(path, content.source()).unwrap();
    }
    let image = dir.join(name);
    let digests = builder
        .plan()
        .unwrap()
        .write_image(&image, &mut NoProgress)
        .unwrap();
    let expected: Expected = files
        .iter()
        .map(|(path, content)| (path.clone(), content.sha256()))
        .collect();
    for (path, sha) in &expected {
        assert_eq!(&hex(&digests[path].sha256), sha, "writer digest of {path}");
    }
    (image, expected)
}

/// Our reader sees the same tree and bytes.
fn reader_read_back(image: &Path, files: &Expected) {
    let mut img = Image::open(image).unwrap();
    let mut vol = img.volume(0).unwrap();
    assert_eq!(vol.info().label, "OQS-STICK");
    assert_eq!(vol.info().serial, 0x1234_ABCD);
    let walked: BTreeSet<String> = vol
        .walk()
        .unwrap()
        .into_iter()
        .filter(|e| !e.is_dir)
        .map(|e| e.path)
        .collect();
    assert_eq!(walked, files.iter().map(|(p, _)| p.clone()).collect());
    for (path, sha) in files {
        assert_eq!(
            &hex(&vol.digest(path).unwrap().sha256),
            sha,
            "reader read back {path}"
        );
    }
}

#[test]
fn mbr_image_passes_fsck_fdisk_and_mtools() {
    if !tools::require(
        "mbr_image_passes_fsck_fdisk_and_mtools",
        &["fsck.fat", "fdisk", "mdir", "mcopy", "dd"],
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (image, files) = build(dir.path(), "mbr.img", PartitionStyle::Mbr, true);

    let table = stdout(Command::new("fdisk").args(["-l", s(&image)]));
    let row = table
        .lines()
        .find(|l| l.starts_with(s(&image)) && l.contains("W95 FAT32 (LBA)"));
    let row = row.unwrap_or_else(|| panic!("no FAT32 LBA partition in:\n{table}"));
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        &cols[1..3],
        ["*", "2048"],
        "active, starting at 1 MiB: {row}"
    );

    fsck_partition(&image, dir.path());
    mtools_read_back(&image, dir.path(), &files, FOLDERS);
    reader_read_back(&image, &files);
}

#[test]
fn gpt_image_passes_sgdisk_fsck_and_mtools() {
    if !tools::require(
        "gpt_image_passes_sgdisk_fsck_and_mtools",
        &["sgdisk", "fsck.fat", "mdir", "mcopy", "dd"],
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (image, files) = build(
        dir.path(),
        "gpt.img",
        PartitionStyle::Gpt(GptType::BasicData),
        false,
    );

    let verify = stdout(Command::new("sgdisk").args(["-v", s(&image)]));
    assert!(verify.contains("No problems found"), "sgdisk -v:\n{verify}");
    let info = stdout(Command::new("sgdisk").args(["-i", "1", s(&image)]));
    assert!(
        info.contains("EBD0A0A2-B9E5-4433-87C0-68B6B72699C7"),
        "sgdisk -i 1:\n{info}"
    );
    assert!(info.contains("First sector: 2048 "), "sgdisk -i 1:\n{info}");

    fsck_partition(&image, dir.path());
    mtools_read_back(&image, dir.path(), &files, FOLDERS);
    reader_read_back(&image, &files);
}

/// Builds an image holding the marker app as EFI/BOOT/BOOTX64.EFI and boots it under OVMF.
fn boots(test: &str, partition: PartitionStyle) {
    if !image_check::can_boot(test) {
        return;
    }
    let Some(efi) = image_check::marker_efi() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut builder = ImageBuilder::new(ImageOptions {
        label: "OQS-STICK".into(),
        partition,
        ..Default::default()
    })
    .unwrap();
    builder
        .add_file(
            "EFI/BOOT/BOOTX64.EFI",
            Box::new(fatimg::FileSource::new(efi).unwrap()),
        )
        .unwrap();
    builder
        .add_file("オンライン資格確認/設定手順.txt", Box::new(b"x".to_vec()))
        .unwrap();
    let image = dir.path().join("boot.img");
    builder
        .plan()
        .unwrap()
        .write_image(&image, &mut NoProgress)
        .unwrap();
    image_check::assert_boots(test, &image, dir.path());
}

#[test]
fn mbr_image_boots_under_ovmf() {
    boots("mbr_image_boots_under_ovmf", PartitionStyle::Mbr);
}

#[test]
fn gpt_basic_data_image_boots_under_ovmf() {
    boots(
        "gpt_basic_data_image_boots_under_ovmf",
        PartitionStyle::Gpt(GptType::BasicData),
    );
}

#[test]
fn gpt_esp_image_boots_under_ovmf() {
    boots(
        "gpt_esp_image_boots_under_ovmf",
        PartitionStyle::Gpt(GptType::EfiSystem),
    );
}
