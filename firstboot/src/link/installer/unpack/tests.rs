use super::*;

/// A stored (uncompressed) zip with the names' bytes exactly as given, so the
/// tests can make what the zip crate's writer will not: CP932 names without the
/// UTF-8 flag, and hostile names.
fn raw_zip(entries: &[(&[u8], bool, &[u8])]) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for &(name, utf8, data) in entries {
        let flags: u16 = if utf8 { 1 << 11 } else { 0 };
        let (crc, size, offset) = (crc32(data), data.len() as u32, out.len() as u32);
        let common = |buf: &mut Vec<u8>| {
            for v in [20u16, flags, 0, 0, 0] {
                buf.extend(v.to_le_bytes()); // version, flags, stored, time, date
            }
            buf.extend(crc.to_le_bytes());
            buf.extend(size.to_le_bytes());
            buf.extend(size.to_le_bytes());
            buf.extend((name.len() as u16).to_le_bytes());
            buf.extend(0u16.to_le_bytes()); // extra length
        };
        out.extend(0x0403_4b50u32.to_le_bytes());
        common(&mut out);
        out.extend_from_slice(name);
        out.extend_from_slice(data);
        central.extend(0x0201_4b50u32.to_le_bytes());
        central.extend(20u16.to_le_bytes()); // made by
        common(&mut central);
        for v in [0u16, 0, 0, 0] {
            central.extend(v.to_le_bytes()); // comment, disk, internal attrs, (external low)
        }
        central.extend(0u16.to_le_bytes()); // external attrs high
        central.extend(offset.to_le_bytes());
        central.extend_from_slice(name);
    }
    let (cd_offset, cd_size) = (out.len() as u32, central.len() as u32);
    out.extend(central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    for v in [0u16, 0, entries.len() as u16, entries.len() as u16] {
        out.extend(v.to_le_bytes());
    }
    out.extend(cd_size.to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

fn names(files: &[ZipFile]) -> Vec<String> {
    files.iter().map(|f| f.parts.join("/")).collect()
}

#[test]
fn reads_utf8_and_cp932_japanese_names() {
    let cp932 = encoding_rs::SHIFT_JIS
        .encode("顔認証アプリ/説明書.txt")
        .0
        .into_owned();
    let zip = raw_zip(&[
        ("OQSFaceApp_Setup.msi".as_bytes(), false, b"msi"),
        ("連携アプリ/設定.txt".as_bytes(), true, b"utf8"),
        (&cp932, false, b"cp932"),
        (b"docs/", false, b""),
    ]);
    let files = read_zip(&zip, Path::new("face.zip")).unwrap();
    assert_eq!(
        names(&files),
        [
            "OQSFaceApp_Setup.msi",
            "連携アプリ/設定.txt",
            "顔認証アプリ/説明書.txt"
        ]
    );
    assert_eq!(files[1].bytes, b"utf8");
    assert_eq!(files[2].bytes, b"cp932");
    assert_eq!(
        files[2].windows_path(r"C:\stage\face-app\"),
        r"C:\stage\face-app\顔認証アプリ\説明書.txt"
    );
    assert_eq!(
        files[2].relative(),
        Path::new("顔認証アプリ").join("説明書.txt")
    );
}

#[test]
fn refuses_entries_that_leave_the_folder() {
    for hostile in [
        &b"../evil.txt"[..],
        b"a/../../evil.txt",
        b"/etc/evil",
        b"\\evil.txt",
        b"C:\\evil.txt",
        b"..\\evil.txt",
        b"ok.txt:stream",
    ] {
        let zip = raw_zip(&[(b"fine.txt", false, b"x"), (hostile, false, b"evil")]);
        match read_zip(&zip, Path::new("a.zip")) {
            Err(InstallerError::UnsafeEntry { name, .. }) => assert_eq!(name.as_bytes(), hostile),
            other => panic!("{:?}: {other:?}", String::from_utf8_lossy(hostile)),
        }
    }
}

#[test]
fn damaged_zips_are_reported_with_their_path() {
    let err = read_zip(b"PK not really", Path::new("broken.zip")).unwrap_err();
    assert!(matches!(err, InstallerError::Zip { .. }), "{err:?}");
    assert!(err.text().en.contains("broken.zip"));

    // A flipped byte in the data fails the entry's CRC check.
    let mut bytes = raw_zip(&[(b"a.txt", false, b"hello")]);
    let at = bytes.windows(5).position(|w| w == b"hello").unwrap();
    bytes[at] = b'j';
    let err = read_zip(&bytes, Path::new("a.zip")).unwrap_err();
    assert!(matches!(err, InstallerError::Zip { .. }), "{err:?}");
    assert!(err.text().en.contains("a.txt"), "{err}");
}
