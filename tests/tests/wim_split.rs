//! The `wim` splitter against wimlib: WIMs captured with `wimlib-imagex`,
//! split by our code, must verify and apply to the same files as the original.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use oqs_e2e::tools;

const WIMLIB: &str = "wimlib-imagex";
const PART: u64 = 2 * 1024 * 1024;

fn wimlib(args: &[&str]) -> String {
    let out = tools::run_ok(Command::new(WIMLIB).args(args));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

/// Incompressible bytes (xorshift), so resources stay large after compression.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Two overlapping trees (shared files are stored once) with random data,
/// text, empty files and nesting. About 9 MiB in all.
fn make_trees(root: &Path) -> (PathBuf, PathBuf) {
    let a = root.join("tree-a");
    let b = root.join("tree-b");
    for (tree, seeds) in [(&a, 0..6u64), (&b, 4..9u64)] {
        let deep = tree.join("Windows/System32/ja-JP");
        fs::create_dir_all(&deep).unwrap();
        fs::create_dir_all(tree.join("empty dir")).unwrap();
        for seed in seeds {
            fs::write(tree.join(format!("blob{seed}.bin")), noise(seed, 700_000)).unwrap();
        }
        let text: String = (0..20_000).map(|i| format!("line {i} テスト\n")).collect();
        fs::write(deep.join("notes.txt"), text).unwrap();
        fs::write(tree.join("empty.txt"), b"").unwrap();
        fs::write(tree.join("Windows/small.ini"), b"[oqs]\nx=1\n").unwrap();
    }
    fs::write(b.join("only-b.bin"), noise(99, 300_000)).unwrap();
    (a, b)
}

/// A two-image WIM as wimlib writes it.
fn capture(root: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let (a, b) = make_trees(root);
    let wim = root.join(name);
    let mut args = vec!["capture", s(&a), s(&wim), "Windows 11 Home"];
    args.extend_from_slice(extra);
    wimlib(&args);
    wimlib(&["append", s(&b), s(&wim), "Windows 11 Pro"]);
    wim
}

/// Every file under `dir`, relative path -> contents (directories as None).
fn snapshot(dir: &Path) -> Vec<(PathBuf, Option<Vec<u8>>)> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(PathBuf, Option<Vec<u8>>)>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(base).unwrap().to_path_buf();
            if path.is_dir() {
                out.push((rel, None));
                walk(base, &path, out);
            } else {
                out.push((rel, Some(fs::read(&path).unwrap())));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort_by(|x, y| x.0.cmp(&y.0));
    out
}

fn dir_names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Splits `wim` with our code and checks the set with wimlib.
fn split_and_check(root: &Path, wim: &Path) {
    let out = root.join("swm");
    fs::create_dir(&out).unwrap();
    let parts = wim::split_to_dir(wim, &out, "install.swm", PART).unwrap();
    assert!(
        parts.len() >= 3,
        "small parts give several files: {parts:?}"
    );
    let expected: Vec<String> = (1..=parts.len())
        .map(|n| match n {
            1 => "install.swm".to_string(),
            n => format!("install{n}.swm"),
        })
        .collect();
    assert_eq!(dir_names(&out), expected, "only the parts, no temp files");
    for p in &parts {
        assert!(
            fs::metadata(p).unwrap().len() <= PART,
            "{} too big",
            p.display()
        );
    }

    let first = out.join("install.swm");
    let glob = format!("--ref={}/install*.swm", s(&out));
    let info = wimlib(&["info", s(&first)]);
    let part_line = format!("Part Number:    1/{}", parts.len());
    assert!(info.contains(&part_line), "{info}");
    assert!(info.contains("Image Count:    2"), "{info}");
    for (n, p) in parts.iter().enumerate().skip(1) {
        let info = wimlib(&["info", s(p), "--header"]);
        assert!(
            info.contains(&format!("Part Number                 = {}", n + 1)),
            "{info}"
        );
    }
    wimlib(&["verify", s(&first), &glob]);

    for image in ["1", "2"] {
        let want = root.join(format!("apply-orig-{image}"));
        let got = root.join(format!("apply-split-{image}"));
        wimlib(&["apply", s(wim), image, s(&want)]);
        wimlib(&["apply", s(&first), image, s(&got), &glob]);
        let (want, got) = (snapshot(&want), snapshot(&got));
        assert!(want.len() > 5, "the image has content");
        assert!(
            want == got,
            "image {image} applies to the same files from the split set"
        );
    }
    let tree_b = snapshot(&root.join("tree-b"));
    assert!(
        tree_b == snapshot(&root.join("apply-split-2")),
        "and to the captured tree"
    );
}

fn check_compression(compress: &str, extra: &[&str]) {
    let test = format!("wim_split_{compress}");
    if !tools::require(&test, &[WIMLIB]) {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let mut args = vec![compress];
    args.extend_from_slice(extra);
    let wim = capture(root.path(), "install.wim", &args);
    split_and_check(root.path(), &wim);
}

#[test]
fn lzx_with_integrity_table() {
    check_compression("--compress=LZX", &["--check"]);
}

#[test]
fn xpress() {
    check_compression("--compress=XPRESS", &[]);
}

#[test]
fn uncompressed() {
    check_compression("--compress=none", &[]);
}

#[test]
fn lzms_non_solid() {
    check_compression("--compress=LZMS", &[]);
}

#[test]
fn info_and_image_selection_read_wimlib_output() {
    if !tools::require("wim_info", &[WIMLIB]) {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let path = capture(root.path(), "install.wim", &["--compress=LZX", "--check"]);
    wimlib(&[
        "info",
        s(&path),
        "2",
        "--image-property",
        "WINDOWS/EDITIONID=Professional",
        "--image-property",
        "DISPLAYNAME=Windows 11 Pro (表示名)",
    ]);
    let w = wim::Wim::open(&path).unwrap();
    assert_eq!(w.compression(), wim::Compression::Lzx);
    assert_eq!(w.part(), (1, 1));
    assert!(w.has_integrity_table());
    assert_eq!(w.images().len(), 2);
    assert_eq!(w.images()[0].name.as_deref(), Some("Windows 11 Home"));
    assert!(w.images()[0].total_bytes.unwrap() > 4_000_000);
    assert_eq!(w.select_image("windows 11 pro").unwrap().index, 2);
    assert_eq!(w.select_image("Professional").unwrap().index, 2);
    assert_eq!(w.select_image("Windows 11 Pro (表示名)").unwrap().index, 2);
    let err = w
        .select_image("Windows 11 Enterprise")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("1: Windows 11 Home, 2: Windows 11 Pro (Professional)"),
        "{err}"
    );
}

/// Runs `split_to_dir` on `src` and checks it fails with `expect` in the
/// message and leaves the output folder empty.
fn split_fails(src: &Path, part: u64, expect: &str) {
    let out = tempfile::tempdir().unwrap();
    let err = wim::split_to_dir(src, out.path(), "install.swm", part)
        .unwrap_err()
        .to_string();
    assert!(err.contains(expect), "expected {expect:?} in: {err}");
    assert!(err.contains(s(src)), "the error names the file: {err}");
    assert!(dir_names(out.path()).is_empty(), "nothing left behind");
}

#[test]
fn bad_inputs_fail_cleanly() {
    if !tools::require("wim_bad_inputs", &[WIMLIB]) {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let wim = capture(root.path(), "install.wim", &["--compress=LZX"]);
    let bytes = fs::read(&wim).unwrap();

    let cut = root.path().join("cut.wim");
    fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    split_fails(&cut, PART, "truncated");
    fs::write(&cut, &bytes[..100]).unwrap();
    split_fails(&cut, PART, "truncated");

    let bad = root.path().join("bad.wim");
    let mut b = bytes.clone();
    b[..5].copy_from_slice(b"NOPE!");
    fs::write(&bad, &b).unwrap();
    split_fails(&bad, PART, "not a WIM file");

    split_fails(&wim, 500 * 1024, "too small");

    let esd = root.path().join("install.esd");
    wimlib(&[
        "capture",
        s(&root.path().join("tree-a")),
        s(&esd),
        "x",
        "--solid",
    ]);
    split_fails(&esd, PART, "wimlib-imagex export");
}
