//! A stand-in for Windows installation media: the same tree shape (boot files,
//! `sources/boot.wim`, `sources/install.wim` with named editions), made from
//! generated data with wimlib-imagex, so builds and splits run on real WIMs.

use crate::tools::run_ok;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::Command;

/// The editions of the demo install.wim, in index order.
pub const EDITIONS: [&str; 2] = ["Windows 11 Home", "Windows 11 Pro"];

/// Writes a media tree into `dir`. `payload_bytes` of incompressible data go into
/// each edition, so a caller can make install.wim as large as a test needs.
pub fn write_media(dir: &Path, payload_bytes: u64) -> std::io::Result<()> {
    let scratch = tempfile::tempdir()?;
    for (path, text) in [
        ("bootmgr", "demo bootmgr (not a real boot manager)\n"),
        ("bootmgr.efi", "demo bootmgr.efi\n"),
        (
            "efi/boot/bootx64.efi",
            "demo bootx64.efi (a real stick carries Windows' own)\n",
        ),
        ("boot/bcd", "demo BCD\n"),
        ("setup.exe", "demo setup.exe\n"),
        (
            "sources/idwbinfo.txt",
            "[BUILDINFO]\r\nBuildBranch=ge_release\r\nBuildNumber=26100\r\n",
        ),
        (
            "sources/lang.ini",
            "[Available UI Languages]\r\nja-JP = 3\r\n",
        ),
        (
            "support/日本語/はじめにお読みください.txt",
            "デモ用のメディアです。\r\n",
        ),
    ] {
        let target = dir.join(path);
        fs::create_dir_all(target.parent().expect("paths have a folder"))?;
        fs::write(target, text)?;
    }
    let boot_tree = scratch.path().join("boot");
    fs::create_dir_all(boot_tree.join("Windows/System32"))?;
    fs::write(
        boot_tree.join("Windows/System32/winpeshl.ini"),
        "[LaunchApps]\r\n",
    )?;
    run_ok(
        Command::new("wimlib-imagex")
            .args(["capture"])
            .arg(&boot_tree)
            .arg(dir.join("sources/boot.wim"))
            .args([
                "Microsoft Windows Setup (amd64)",
                "--boot",
                "--compress=lzx",
            ]),
    );

    let install = dir.join("sources/install.wim");
    for (n, edition) in EDITIONS.iter().enumerate() {
        let tree = scratch.path().join(format!("image{n}"));
        fs::create_dir_all(tree.join("Windows/System32"))?;
        fs::write(tree.join("Windows/System32/edition.txt"), edition)?;
        // Real images hold many files; one huge file would also be one resource
        // that no .swm part could be smaller than.
        let mut left = payload_bytes;
        let mut chunk_no = 0u64;
        while left > 0 {
            let len = left.min(8 << 20);
            let file = format!("Windows/System32/payload{chunk_no:03}.bin");
            write_random(&tree.join(file), len, (n as u64 + 1) * 1000 + chunk_no)?;
            left -= len;
            chunk_no += 1;
        }
        let verb = if n == 0 { "capture" } else { "append" };
        run_ok(
            Command::new("wimlib-imagex")
                .arg(verb)
                .arg(&tree)
                .arg(&install)
                .arg(edition)
                .arg(format!("{edition} (demo)"))
                .arg("--compress=none"),
        );
    }
    Ok(())
}

/// Incompressible, reproducible bytes (xorshift) into a file.
pub fn write_random(path: &Path, len: u64, seed: u64) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 20, fs::File::create(path)?);
    write_noise(&mut out, len, seed)?;
    out.flush()
}

/// `len` incompressible bytes, the same for the same `seed`, written in 1 MiB chunks.
pub fn write_noise(out: &mut dyn Write, len: u64, seed: u64) -> std::io::Result<()> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut chunk = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        for word in chunk.chunks_exact_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            word.copy_from_slice(&state.to_le_bytes());
        }
        let n = left.min(chunk.len() as u64) as usize;
        out.write_all(&chunk[..n])?;
        left -= n as u64;
    }
    Ok(())
}
