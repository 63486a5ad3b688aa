//! The writer's output read back by our reader: every file, name and byte.

use std::io::{Cursor, Write};

use fatimg::{
    Error, GptType, Guid, Image, ImageBuilder, ImageOptions, NoProgress, PartitionKind,
    PartitionStyle, Source, TableKind,
};
use sha2::{Digest, Sha256};

/// Deterministic pseudo-random bytes, generated while written (like .swm parts).
struct Noise {
    len: u64,
    seed: u64,
}

impl Noise {
    fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.clone_ref().write_to(&mut out).unwrap();
        out
    }
    fn clone_ref(&self) -> Noise {
        Noise {
            len: self.len,
            seed: self.seed,
        }
    }
}

impl Source for Noise {
    fn len(&self) -> u64 {
        self.len
    }
    fn write_to(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        let mut x = self.seed | 1;
        let mut left = self.len;
        let mut buf = vec![0u8; 1 << 20];
        while left > 0 {
            for chunk in buf.chunks_mut(8) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
            }
            let n = left.min(buf.len() as u64) as usize;
            out.write_all(&buf[..n])?;
            left -= n as u64;
        }
        Ok(())
    }
}

fn options(partition: PartitionStyle) -> ImageOptions {
    ImageOptions {
        label: "OQS-STICK".into(),
        volume_serial: 0x2025_0401,
        partition,
        size: None,
        seed: 42,
        timestamp: 1_735_689_600,
    }
}

/// The content every round-trip test writes: (path, bytes).
fn content() -> Vec<(String, Vec<u8>)> {
    let mut files = vec![
        ("bootmgr".to_string(), b"boot manager".to_vec()),
        (
            "EFI/BOOT/BOOTX64.EFI".into(),
            Noise {
                len: 70_000,
                seed: 1,
            }
            .bytes(),
        ),
        (
            "sources/boot.wim".into(),
            Noise {
                len: 3 << 20,
                seed: 2,
            }
            .bytes(),
        ),
        (
            "オンライン資格確認/設定手順.txt".into(),
            "設定手順\r\n".as_bytes().to_vec(),
        ),
        (
            "オンライン資格確認/証明書/端末1.pfx".into(),
            vec![0x30; 2500],
        ),
        ("ReadMe.md".into(), b"# mixed case".to_vec()),
        ("empty.txt".into(), Vec::new()),
        (".hidden config".into(), b"x".to_vec()),
        ("a/b/c/d/deep.txt".into(), b"deep".to_vec()),
    ];
    for i in 0..300 {
        files.push((
            format!("many/file number {i:03} with a long name.log"),
            format!("{i}").into_bytes(),
        ));
    }
    files
}

fn build(partition: PartitionStyle) -> (Vec<u8>, fatimg::Digests) {
    let mut b = ImageBuilder::new(options(partition)).unwrap();
    b.add_dir("empty folder").unwrap();
    for (path, bytes) in content() {
        b.add_file(&path, Box::new(bytes)).unwrap();
    }
    let plan = b.plan().unwrap();
    let mut out = Cursor::new(Vec::new());
    let digests = plan.write(&mut out, &mut NoProgress).unwrap();
    (out.into_inner(), digests)
}

fn sha(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

#[test]
fn mbr_image_reads_back() {
    let (image, digests) = build(PartitionStyle::Mbr);
    assert_eq!(image.len() % (1 << 20), 0);
    let mut img = Image::new(Cursor::new(image)).unwrap();
    assert_eq!(img.table(), TableKind::Mbr);
    assert_eq!(img.partitions().len(), 1);
    assert_eq!(img.partitions()[0].offset, 1 << 20);
    assert_eq!(
        img.partitions()[0].kind,
        PartitionKind::Mbr {
            type_id: 0x0C,
            active: true
        }
    );
    let mut vol = img.volume(0).unwrap();
    assert_eq!(vol.info().label, "OQS-STICK");
    assert_eq!(vol.info().serial, 0x2025_0401);
    assert!(vol.info().clusters >= 65_525);

    let tree = vol.walk().unwrap();
    let files: Vec<_> = tree.iter().filter(|e| !e.is_dir).collect();
    assert_eq!(files.len(), content().len());
    for (path, bytes) in content() {
        let entry = tree
            .iter()
            .find(|e| e.path == path)
            .unwrap_or_else(|| panic!("{path} missing"));
        assert_eq!(entry.size, bytes.len() as u64, "{path}");
        let d = vol.digest(&path).unwrap();
        assert_eq!(
            (d.size, d.sha256),
            (bytes.len() as u64, sha(&bytes)),
            "{path}"
        );
        assert_eq!(digests[&path], d, "{path}");
    }
    assert!(tree.iter().any(|e| e.is_dir && e.path == "empty folder"));
    assert!(tree.iter().any(|e| e.is_dir && e.path == "a/b/c/d"));
    // Each folder comes right before its content.
    let pos = |p: &str| tree.iter().position(|e| e.path == p).unwrap();
    assert!(pos("a/b") < pos("a/b/c") && pos("a/b/c") < pos("a/b/c/d/deep.txt"));
    // Short names: exact 8.3 names kept, others get Windows-style aliases.
    assert_eq!(tree[pos("bootmgr")].short_name, "BOOTMGR");
    assert_eq!(tree[pos("ReadMe.md")].short_name, "README.MD");
    assert_eq!(
        tree[pos("many/file number 000 with a long name.log")].short_name,
        "FILENU~1.LOG"
    );
    // Lookups ignore case, like Windows.
    assert_eq!(vol.digest("SOURCES/BOOT.WIM").unwrap().size, 3 << 20);
    assert!(matches!(
        vol.open_file("nope.txt"),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn gpt_image_reads_back() {
    for kind in [GptType::BasicData, GptType::EfiSystem] {
        let (image, _) = build(PartitionStyle::Gpt(kind));
        let mut img = Image::new(Cursor::new(image)).unwrap();
        assert_eq!(img.table(), TableKind::Gpt);
        let p = &img.partitions()[0];
        let PartitionKind::Gpt {
            type_guid, name, ..
        } = &p.kind
        else {
            panic!("{p:?}")
        };
        let want = if kind == GptType::BasicData {
            Guid::BASIC_DATA
        } else {
            Guid::EFI_SYSTEM
        };
        assert_eq!((*type_guid, name.as_str()), (want, "OQS-STICK"));
        assert_eq!(p.offset, 1 << 20);
        let mut vol = img.volume(0).unwrap();
        assert_eq!(
            vol.digest("オンライン資格確認/設定手順.txt")
                .unwrap()
                .sha256,
            sha("設定手順\r\n".as_bytes())
        );
    }
}

#[test]
fn same_input_same_bytes() {
    assert!(build(PartitionStyle::Mbr).0 == build(PartitionStyle::Mbr).0);
    assert!(
        build(PartitionStyle::Gpt(GptType::BasicData)).0
            == build(PartitionStyle::Gpt(GptType::BasicData)).0
    );
}

#[test]
fn files_are_contiguous_and_in_order() {
    let mut b = ImageBuilder::new(options(PartitionStyle::Mbr)).unwrap();
    for (path, bytes) in content() {
        b.add_file(&path, Box::new(bytes)).unwrap();
    }
    let plan = b.plan().unwrap();
    let cluster = plan.cluster_size();
    let mut last_end = 0;
    for f in plan.files().filter(|f| f.size > 0) {
        assert!(f.offset >= last_end, "{}", f.path);
        assert_eq!((f.offset - plan.partition_offset()) % cluster, 0);
        last_end = f.offset + f.size.div_ceil(cluster) * cluster;
    }
    assert!(plan.free_bytes() >= 16 << 20);
    assert!(last_end <= plan.partition_offset() + plan.partition_size());
}

#[test]
fn forced_size_must_hold_the_content() {
    let opts = |size| ImageOptions {
        size: Some(size),
        ..options(PartitionStyle::Gpt(GptType::BasicData))
    };
    let mut b = ImageBuilder::new(opts(40 << 20)).unwrap();
    b.add_file(
        "big.bin",
        Box::new(Noise {
            len: 50 << 20,
            seed: 3,
        }),
    )
    .unwrap();
    let Err(Error::DoesNotFit { needed, forced }) = b.plan() else {
        panic!("expected DoesNotFit")
    };
    assert_eq!(forced, 40 << 20);
    assert!(needed > 50 << 20 && needed % (1 << 20) == 0, "{needed}");

    let mut b = ImageBuilder::new(opts(needed)).unwrap();
    b.add_file(
        "big.bin",
        Box::new(Noise {
            len: 50 << 20,
            seed: 3,
        }),
    )
    .unwrap();
    let plan = b.plan().unwrap();
    assert_eq!(plan.image_size(), needed);
    let mut out = Cursor::new(Vec::new());
    plan.write(&mut out, &mut NoProgress).unwrap();
    assert_eq!(out.get_ref().len() as u64, needed);
    Image::new(out)
        .unwrap()
        .volume(0)
        .unwrap()
        .digest("big.bin")
        .unwrap();
}

#[test]
fn small_content_still_gets_a_real_fat32() {
    let mut b = ImageBuilder::new(options(PartitionStyle::Mbr)).unwrap();
    b.add_file("a.txt", Box::new(b"a".to_vec())).unwrap();
    let plan = b.plan().unwrap();
    assert_eq!(plan.cluster_size(), 512);
    assert!(plan.partition_size() >= 32 << 20 && plan.partition_size() <= 40 << 20);
}

struct Liar {
    declared: u64,
    actual: usize,
}

impl Source for Liar {
    fn len(&self) -> u64 {
        self.declared
    }
    fn write_to(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        out.write_all(&vec![7; self.actual])
    }
}

#[test]
fn sources_must_write_what_they_declare() {
    for (declared, actual) in [(10, 5), (10, 11), (0, 1)] {
        let mut b = ImageBuilder::new(options(PartitionStyle::Mbr)).unwrap();
        b.add_file("sources/install.swm", Box::new(Liar { declared, actual }))
            .unwrap();
        let err = b
            .plan()
            .unwrap()
            .write(&mut Cursor::new(Vec::new()), &mut NoProgress)
            .unwrap_err();
        assert!(
            matches!(&err, Error::SourceLength { path, expected, .. } if path == "sources/install.swm" && *expected == declared),
            "{err}"
        );
    }
}

#[test]
fn write_image_leaves_no_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stick.img");
    let mut b = ImageBuilder::new(options(PartitionStyle::Mbr)).unwrap();
    b.add_file(
        "bad.bin",
        Box::new(Liar {
            declared: 10,
            actual: 3,
        }),
    )
    .unwrap();
    assert!(
        b.plan()
            .unwrap()
            .write_image(&path, &mut NoProgress)
            .is_err()
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    let mut b = ImageBuilder::new(options(PartitionStyle::Mbr)).unwrap();
    b.add_file(
        "good.bin",
        Box::new(Noise {
            len: 5 << 20,
            seed: 9,
        }),
    )
    .unwrap();
    let mut calls = Vec::new();
    let digests = b
        .plan()
        .unwrap()
        .write_image(&path, &mut |done: u64, total: u64, current: &str| {
            calls.push((done, total, current.to_string()))
        })
        .unwrap();
    assert_eq!(
        calls.last().unwrap(),
        &(5 << 20, 5 << 20, "good.bin".to_string())
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["stick.img"]);
    let mut img = Image::open(&path).unwrap();
    assert_eq!(
        img.volume(0).unwrap().digest("good.bin").unwrap(),
        digests["good.bin"]
    );
}

#[test]
fn a_partition_cut_out_reads_as_a_whole_volume() {
    let (image, digests) = build(PartitionStyle::Mbr);
    let partition = image[1 << 20..].to_vec();
    let mut img = Image::new(Cursor::new(partition)).unwrap();
    assert_eq!(img.table(), TableKind::None);
    assert_eq!(img.partitions()[0].kind, PartitionKind::Whole);
    let mut vol = img.volume(0).unwrap();
    assert_eq!(
        vol.digest("sources/boot.wim").unwrap(),
        digests["sources/boot.wim"]
    );
}
