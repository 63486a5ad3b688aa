use super::*;
use proptest::prelude::*;

const SEED: &[u8] = b"# OQSComApp user definition\r\n\
ResponseFileStayTime=60\r\n\
RequestDataDir=\\\\\\\\192.168.1.10\\\\oqs\\\\req\r\n\
ResponseDataDir=\\\\\\\\192.168.1.10\\\\oqs\\\\res\r\n";

fn sjis(s: &str) -> Vec<u8> {
    encoding_rs::SHIFT_JIS.encode(s).0.into_owned()
}

#[test]
fn reads_the_seeds_doubled_unc_paths() {
    assert_eq!(choose_style(SEED, Escaping::Keep, &[]), PathStyle::Doubled);
    assert_eq!(
        get(SEED, "RequestDataDir").as_deref(),
        Some(r"\\192.168.1.10\oqs\req")
    );
    assert_eq!(get(SEED, "ResponseFileStayTime").as_deref(), Some("60"));
    assert_eq!(get(SEED, "Missing"), None);
}

#[test]
fn edits_only_the_value_bytes_of_the_named_keys() {
    let out = edit(
        SEED,
        &[("RequestDataDir", r"C:\OQS\req")],
        PathStyle::Doubled,
    )
    .unwrap();
    let want = b"# OQSComApp user definition\r\n\
ResponseFileStayTime=60\r\n\
RequestDataDir=C:\\\\OQS\\\\req\r\n\
ResponseDataDir=\\\\\\\\192.168.1.10\\\\oqs\\\\res\r\n";
    assert_eq!(out, want);
}

#[test]
fn keeps_the_plain_style_of_a_plain_file() {
    let file = b"FaceDataDir=C:\\OQS\\face\r\nRequestDataDir=C:\\OQS\\req\r\n";
    let style = choose_style(file, Escaping::Keep, &["RequestDataDir"]);
    assert_eq!(style, PathStyle::Plain);
    let out = edit(file, &[("RequestDataDir", r"\\nas\oqs\req")], style).unwrap();
    assert_eq!(
        out,
        b"FaceDataDir=C:\\OQS\\face\r\nRequestDataDir=\\\\nas\\oqs\\req\r\n"
    );
    assert_eq!(
        get(&out, "RequestDataDir").as_deref(),
        Some(r"\\nas\oqs\req")
    );
}

#[test]
fn style_comes_from_the_keys_left_alone_first_then_the_edited_ones_then_the_seed() {
    // Untouched keys are doubled, the edited one plain: the untouched win.
    let file = b"A=C:\\\\x\r\nB=C:\\\\y\r\nRequestDataDir=C:\\OQS\\req\r\n";
    assert_eq!(
        choose_style(file, Escaping::Keep, &["RequestDataDir"]),
        PathStyle::Doubled
    );
    // Only the edited key has a path: its style is kept.
    let file = b"ResponseFileStayTime=60\r\nRequestDataDir=C:\\OQS\\req\r\n";
    assert_eq!(
        choose_style(file, Escaping::Keep, &["RequestDataDir"]),
        PathStyle::Plain
    );
    // No evidence at all: the seed's doubled style.
    assert_eq!(
        choose_style(b"ResponseFileStayTime=60\r\n", Escaping::Keep, &[]),
        PathStyle::Doubled
    );
    // The site's choice overrides the file.
    assert_eq!(choose_style(SEED, Escaping::Plain, &[]), PathStyle::Plain);
    assert_eq!(
        choose_style(file, Escaping::Doubled, &[]),
        PathStyle::Doubled
    );
}

#[test]
fn keeps_spacing_separator_and_line_ending_of_the_edited_line() {
    let file = b"  RequestDataDir \t:  old value  \nX=1\r\n";
    let out = edit(file, &[("RequestDataDir", "new")], PathStyle::Plain).unwrap();
    assert_eq!(out, b"  RequestDataDir \t:  new\nX=1\r\n");
}

#[test]
fn a_key_without_separator_gets_an_equals_sign() {
    for file in [&b"RequestDataDir\r\n"[..], b"RequestDataDir   old\r\n"] {
        let out = edit(file, &[("RequestDataDir", "new")], PathStyle::Plain).unwrap();
        assert_eq!(
            out,
            b"RequestDataDir=new\r\n",
            "{:?}",
            String::from_utf8_lossy(file)
        );
    }
}

#[test]
fn missing_keys_are_appended_with_the_dominant_line_ending() {
    let out = edit(b"A=1\nB=2", &[("C", "3"), ("D", "4")], PathStyle::Plain).unwrap();
    assert_eq!(out, b"A=1\nB=2\nC=3\nD=4\n");
    let out = edit(b"A=1\r\nB=2\r\n", &[("C", "3")], PathStyle::Plain).unwrap();
    assert_eq!(out, b"A=1\r\nB=2\r\nC=3\r\n");
    let out = edit(b"", &[("C", r"\\nas\x")], PathStyle::Doubled).unwrap();
    assert_eq!(out, b"C=\\\\\\\\nas\\\\x\r\n");
}

#[test]
fn every_line_of_a_duplicated_key_is_edited() {
    let file = b"K=a\r\n#K=comment\r\nK=b\r\n";
    let out = edit(file, &[("K", "c")], PathStyle::Plain).unwrap();
    assert_eq!(out, b"K=c\r\n#K=comment\r\nK=c\r\n");
}

#[test]
fn cp932_bytes_elsewhere_are_untouched_and_values_are_written_in_cp932() {
    let mut file = sjis("# 連携アプリ設定(表示)\r\n");
    file.extend_from_slice(SEED);
    let out = edit(
        &file,
        &[("RequestDataDir", r"\\nas\共有\表")],
        PathStyle::Doubled,
    )
    .unwrap();
    assert!(out.starts_with(&sjis("# 連携アプリ設定(表示)\r\n")));
    // 表 is 0x95 0x5C in CP932: its trail byte is not a backslash and is not doubled.
    let mut line = b"RequestDataDir=\\\\\\\\nas\\\\".to_vec();
    line.extend(sjis(r"共有\\表"));
    line.extend_from_slice(b"\r\n");
    assert!(out.windows(line.len()).any(|w| w == line), "{out:x?}");
    assert_eq!(
        get(&out, "RequestDataDir").as_deref(),
        Some(r"\\nas\共有\表")
    );
}

#[test]
fn a_cp932_trail_byte_0x5c_in_a_key_is_no_escape() {
    // 表= : a byte-wise reader would see `\=` and run the key into the value.
    let file = [&sjis("表")[..], b"=v\r\n"].concat();
    let entries = entries(&file);
    assert_eq!(entries[0].key(&file), &sjis("表")[..]);
    assert_eq!(entries[0].value_start, 3);
}

#[test]
fn values_cp932_cannot_hold_are_refused_naming_the_key() {
    for (value, ch) in [
        (r"C:\OQS\¥req", '¥'),
        ("C:\\OQS\\😀", '😀'),
        ("C:\\OQS\\‾", '‾'),
    ] {
        let err = edit(SEED, &[("RequestDataDir", value)], PathStyle::Plain).unwrap_err();
        assert_eq!(
            err,
            UserDefError::NotCp932 {
                key: "RequestDataDir".into(),
                ch
            }
        );
        assert!(
            err.text().en.contains("RequestDataDir") && err.text().ja.contains("RequestDataDir")
        );
    }
}

#[test]
fn bad_keys_and_values_are_refused() {
    for key in ["", "A B", "A=B", "#A", "A\\B", "キー"] {
        assert_eq!(
            edit(SEED, &[(key, "x")], PathStyle::Plain),
            Err(UserDefError::InvalidKey { key: key.into() })
        );
    }
    for value in ["a\r\nEvil=1", " lead", "tab\there"] {
        assert!(matches!(
            edit(SEED, &[("K", value)], PathStyle::Plain),
            Err(UserDefError::InvalidValue { .. })
        ));
    }
    assert_eq!(
        edit(SEED, &[("K", "1"), ("K", "2")], PathStyle::Plain),
        Err(UserDefError::DuplicateKey { key: "K".into() })
    );
}

#[test]
fn java_escapes_are_read_in_the_doubled_style() {
    let file = b"A=a\\tb\\u3042\\:c\\\r\n";
    assert_eq!(
        get_with(file, "A", PathStyle::Doubled).as_deref(),
        Some("a\tbあ:c\\")
    );
    assert_eq!(
        get_with(file, "A", PathStyle::Plain).as_deref(),
        Some("a\\tb\\u3042\\:c\\")
    );
}

// ---- property tests: any file, the output differs only in the edited keys' lines ----

const KEYS: [&str; 4] = ["RequestDataDir", "ResponseDataDir", "Other", "Req"];

fn line_strategy() -> impl Strategy<Value = Vec<u8>> {
    let raw = prop::collection::vec(any::<u8>().prop_filter("no LF", |b| *b != b'\n'), 0..24);
    let key = prop::sample::select(KEYS.to_vec()).prop_map(|k| k.as_bytes().to_vec());
    let sep = prop::sample::select(vec!["=", " = ", ":", " ", "\t=\t", "", "  :"]);
    let lead = prop::sample::select(vec!["", " ", "\t "]);
    prop_oneof![
        raw.clone(),
        (prop::sample::select(vec!["#", "!", " #"]), raw.clone()).prop_map(|(m, r)| [
            m.as_bytes(),
            &r
        ]
        .concat()),
        (lead, key, sep, raw)
            .prop_map(|(l, k, s, r)| [l.as_bytes(), &k, s.as_bytes(), &r].concat()),
    ]
}

fn file_strategy() -> impl Strategy<Value = Vec<u8>> {
    let ending = prop::sample::select(vec![&b"\r\n"[..], b"\n"]);
    (
        prop::collection::vec((line_strategy(), ending), 0..12),
        any::<bool>(),
    )
        .prop_map(|(lines, last_open)| {
            let mut out = Vec::new();
            let n = lines.len();
            for (i, (line, end)) in lines.into_iter().enumerate() {
                out.extend_from_slice(&line);
                if !(last_open && i + 1 == n) {
                    out.extend_from_slice(end);
                }
            }
            out
        })
}

fn edits_strategy() -> impl Strategy<Value = Vec<(&'static str, String)>> {
    let value = "[A-Za-z0-9:.表共有\\\\][A-Za-z0-9 :.表共有\\\\]{0,12}";
    prop::sample::subsequence(KEYS.to_vec(), 0..=KEYS.len())
        .prop_flat_map(move |keys| {
            let n = keys.len();
            (Just(keys), prop::collection::vec(value, n))
        })
        .prop_map(|(keys, values)| keys.into_iter().zip(values).collect())
}

/// Folder paths as a site names them: `C:\a\b` or `\\host\share\dir`.
fn realistic_edits_strategy() -> impl Strategy<Value = Vec<(&'static str, String)>> {
    let path = (
        any::<bool>(),
        "[a-z0-9.]{1,8}",
        prop::collection::vec("[A-Za-z0-9表共有]{1,6}", 1..4),
    )
        .prop_map(|(unc, host, dirs)| {
            let head = if unc {
                format!(r"\\{host}")
            } else {
                "C:".to_owned()
            };
            format!(r"{head}\{}", dirs.join(r"\"))
        });
    prop::sample::subsequence(KEYS.to_vec(), 0..=KEYS.len())
        .prop_flat_map(move |keys| {
            let n = keys.len();
            (Just(keys), prop::collection::vec(path.clone(), n))
        })
        .prop_map(|(keys, values)| keys.into_iter().zip(values).collect())
}

/// An independent reading of "is this line a `key` line": after blanks, the key,
/// then end of line, a blank, `=` or `:`.
fn oracle_key_line(content: &[u8], key: &str) -> Option<usize> {
    let lead = content
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\x0c'))
        .count();
    let rest = content[lead..].strip_prefix(key.as_bytes())?;
    match rest.first() {
        None | Some(b' ' | b'\t' | b'\x0c' | b'=' | b':') => Some(lead + key.len()),
        _ => None,
    }
}

/// Where the value starts in a key line whose key ends at `key_end`.
fn oracle_value_start(content: &[u8], key_end: usize) -> (usize, bool) {
    let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\x0c');
    let mut i = key_end + content[key_end..].iter().take_while(|b| blank(b)).count();
    let sep = matches!(content.get(i), Some(b'=' | b':'));
    if sep {
        i += 1;
        i += content[i..].iter().take_while(|b| blank(b)).count();
    }
    (i, sep)
}

fn split_lines(bytes: &[u8]) -> Vec<(&[u8], &[u8])> {
    bytes
        .split_inclusive(|b| *b == b'\n')
        .map(|line| {
            let ending = if line.ends_with(b"\r\n") {
                2
            } else {
                usize::from(line.ends_with(b"\n"))
            };
            line.split_at(line.len() - ending)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn output_differs_only_in_the_edited_lines(
        file in file_strategy(),
        edits in edits_strategy(),
        doubled in any::<bool>(),
    ) {
        let style = if doubled { PathStyle::Doubled } else { PathStyle::Plain };
        let pairs: Vec<(&str, &str)> = edits.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let out = edit(&file, &pairs, style).unwrap();

        let before = split_lines(&file);
        let after = split_lines(&out);
        prop_assert!(after.len() >= before.len());
        let mut found = Vec::new();
        for (i, ((content, ending), (new_content, new_ending))) in before.iter().zip(&after).enumerate() {
            let last_open = i + 1 == before.len() && ending.is_empty();
            if !(last_open && after.len() > before.len()) {
                prop_assert_eq!(ending, new_ending, "line {} ending", i);
            }
            let edited = pairs.iter().find_map(|&(k, v)| oracle_key_line(content, k).map(|end| (k, v, end)));
            match edited {
                // An open last line followed by appended keys gains a line ending; a
                // trailing CR of its own then reads as part of CRLF, so compare bytes.
                None if last_open && after.len() > before.len() => {
                    let joined = [*new_content, *new_ending].concat();
                    prop_assert!(joined.starts_with(content), "untouched open last line {}", i);
                }
                None => prop_assert_eq!(content, new_content, "untouched line {}", i),
                Some((key, value, key_end)) => {
                    found.push(key);
                    let (value_start, sep) = oracle_value_start(content, key_end);
                    let prefix: Vec<u8> = if sep { content[..value_start].to_vec() } else { [&content[..key_end], b"="].concat() };
                    let written = encode_value(key, value, style).unwrap();
                    prop_assert_eq!(new_content.to_vec(), [prefix, written].concat(), "edited line {}", i);
                }
            }
        }
        let appended: Vec<&(&[u8], &[u8])> = after[before.len()..].iter().collect();
        let missing: Vec<&(&str, &str)> = pairs.iter().filter(|(k, _)| !found.contains(k)).collect();
        prop_assert_eq!(appended.len(), missing.len());
        for ((content, _), (key, value)) in appended.into_iter().zip(missing) {
            prop_assert_eq!(content.to_vec(), [format!("{key}=").as_bytes(), &encode_value(key, value, style).unwrap()].concat());
        }
        for (key, value) in &pairs {
            let read = get_with(&out, key, style);
            prop_assert_eq!(read.as_deref(), Some(*value));
        }
    }

    #[test]
    fn the_same_edit_twice_changes_nothing(
        file in file_strategy(),
        edits in edits_strategy(),
        doubled in any::<bool>(),
    ) {
        let style = if doubled { PathStyle::Doubled } else { PathStyle::Plain };
        let pairs: Vec<(&str, &str)> = edits.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let once = edit(&file, &pairs, style).unwrap();
        prop_assert_eq!(edit(&once, &pairs, style).unwrap(), once);
    }

    #[test]
    fn an_empty_edit_is_the_identity(file in file_strategy()) {
        prop_assert_eq!(edit(&file, &[], PathStyle::Doubled).unwrap(), file);
    }

    #[test]
    fn keep_resolves_to_the_same_style_after_editing_realistic_files(
        doubled in any::<bool>(),
        others in prop::collection::vec("[A-Z][a-z]{1,6}", 0..4),
        edits in realistic_edits_strategy(),
    ) {
        // A realistic file: the six keys and a few others, all paths in one style.
        let write = |p: &str| if doubled { p.replace('\\', "\\\\") } else { p.to_owned() };
        let mut file = String::new();
        for (i, k) in others.iter().enumerate() {
            file.push_str(&format!("{k}Dir={}\r\n", write(&format!(r"C:\OQS\{i}\x"))));
        }
        for k in KEYS {
            file.push_str(&format!("{k}={}\r\n", write(r"\\nas\oqs\req")));
        }
        let file = file.into_bytes();
        let keys: Vec<&str> = edits.iter().map(|(k, _)| *k).collect();
        let pairs: Vec<(&str, &str)> = edits.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let style = choose_style(&file, Escaping::Keep, &keys);
        prop_assert_eq!(style, if doubled { PathStyle::Doubled } else { PathStyle::Plain });
        let once = edit(&file, &pairs, style).unwrap();
        let again = edit(&once, &pairs, choose_style(&once, Escaping::Keep, &keys)).unwrap();
        prop_assert_eq!(again, once);
    }
}
