//! File names: long (VFAT, UTF-16) and short (8.3) names and the directory entries that
//! carry them.
//!
//! A name that is already a valid 8.3 name gets no long-name entries, like Windows does;
//! all-lowercase parts are kept through the NT case bits (`bootmgr`, `setup.exe`). Other
//! names get a Windows-style short alias `BASIS~N.EXT`, unique in its folder, plus the
//! long-name entries with the alias's checksum.

use std::collections::{HashMap, HashSet};

pub(crate) const ENTRY_SIZE: usize = 32;
pub(crate) const ATTR_LONG_NAME: u8 = 0x0F;
/// NT case bits in byte 12 of a short entry: base name / extension shown in lowercase.
pub(crate) const CASE_LOWER_BASE: u8 = 0x08;
pub(crate) const CASE_LOWER_EXT: u8 = 0x10;
const LAST_LONG_ENTRY: u8 = 0x40;
const UNITS_PER_ENTRY: usize = 13;
/// Where the 13 UTF-16 units of a long-name entry sit: 5 + 6 + 2.
const UNIT_OFFSETS: [usize; UNITS_PER_ENTRY] = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30];

/// An 8.3 name as stored (space padded, upper case) with its NT case bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ShortName {
    pub(crate) bytes: [u8; 11],
    pub(crate) case: u8,
}

/// How one name is stored: its short name and whether long-name entries precede it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StoredName {
    pub(crate) short: ShortName,
    pub(crate) long: bool,
}

/// Why `name` cannot be a FAT long name, if it cannot.
pub(crate) fn check_long_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("empty path component");
    }
    if name == "." || name == ".." {
        return Err("'.' and '..' are not allowed in image paths");
    }
    if name.ends_with('.') || name.ends_with(' ') {
        return Err("a name cannot end with a dot or a space (Windows drops them)");
    }
    if name.encode_utf16().count() > 255 {
        return Err("longer than 255 UTF-16 units");
    }
    if name.chars().any(|c| c < ' ' || "\"*/:<>?\\|".contains(c)) {
        return Err("contains a character FAT forbids: \" * / : < > ? \\ | or a control character");
    }
    Ok(())
}

/// Characters a short name may hold besides A-Z and 0-9. Anything else (lowercase aside)
/// makes the short name lossy and calls for an alias.
fn is_short_char(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit() || b"!#$%&'()-@^_`{}~".contains(&b)
}

/// The name's exact 8.3 form, if it has one, and whether its case needs a long name.
fn exact_short(name: &str) -> Option<StoredName> {
    let (base, ext) = match name.rfind('.') {
        Some(dot) => (&name[..dot], &name[dot + 1..]),
        None => (name, ""),
    };
    if base.is_empty() || base.len() > 8 || ext.len() > 3 {
        return None;
    }
    let valid = |part: &str| part.bytes().all(|b| is_short_char(b.to_ascii_uppercase()));
    if !valid(base) || !valid(ext) {
        return None;
    }
    let mut bytes = [b' '; 11];
    bytes[..base.len()].copy_from_slice(base.to_ascii_uppercase().as_bytes());
    bytes[8..8 + ext.len()].copy_from_slice(ext.to_ascii_uppercase().as_bytes());
    let lower = |part: &str| part.bytes().any(|b| b.is_ascii_lowercase());
    let upper = |part: &str| part.bytes().any(|b| b.is_ascii_uppercase());
    let mixed = (lower(base) && upper(base)) || (lower(ext) && upper(ext));
    let mut case = 0;
    if !mixed {
        if lower(base) {
            case |= CASE_LOWER_BASE;
        }
        if lower(ext) {
            case |= CASE_LOWER_EXT;
        }
    }
    Some(StoredName {
        short: ShortName { bytes, case },
        long: mixed,
    })
}

/// Windows' basis name: upper case, spaces and leading dots dropped, characters a short
/// name cannot hold (every non-ASCII one, as we cannot know the reader's OEM code page)
/// become '_', base cut to 8 and extension to 3.
fn basis(name: &str) -> (String, String) {
    let squeezed: String = name.chars().filter(|&c| c != ' ').collect();
    let trimmed = squeezed.trim_start_matches('.');
    let (base, ext) = match trimmed.rfind('.') {
        Some(dot) => (&trimmed[..dot], &trimmed[dot + 1..]),
        None => (trimmed, ""),
    };
    let map = |part: &str, max: usize| -> String {
        part.chars()
            .filter(|&c| c != '.')
            .map(|c| {
                let up = c.to_ascii_uppercase();
                if up.is_ascii() && is_short_char(up as u8) {
                    up
                } else {
                    '_'
                }
            })
            .take(max)
            .collect()
    };
    let base = map(base, 8);
    (if base.is_empty() { "_".into() } else { base }, map(ext, 3))
}

fn with_tail(base: &str, ext: &str, n: u32) -> [u8; 11] {
    let tail = format!("~{n}");
    let keep = base.len().min(8 - tail.len());
    let mut bytes = [b' '; 11];
    bytes[..keep].copy_from_slice(&base.as_bytes()[..keep]);
    bytes[keep..keep + tail.len()].copy_from_slice(tail.as_bytes());
    bytes[8..8 + ext.len()].copy_from_slice(ext.as_bytes());
    bytes
}

/// Short names for all names of one folder, in order. Names must already be unique
/// ignoring case. Exact 8.3 names are placed first so an alias never takes the short
/// name a later sibling owns outright (`LONGNA~1.TXT` next to a file of that name).
pub(crate) fn assign(names: &[&str]) -> Vec<StoredName> {
    let exact: Vec<Option<StoredName>> = names.iter().map(|n| exact_short(n)).collect();
    let mut taken: HashSet<[u8; 11]> = exact.iter().flatten().map(|s| s.short.bytes).collect();
    let mut next_tail: HashMap<(String, String), u32> = HashMap::new();
    names
        .iter()
        .zip(exact)
        .map(|(name, exact)| {
            exact.unwrap_or_else(|| {
                let (base, ext) = basis(name);
                let n = next_tail.entry((base.clone(), ext.clone())).or_insert(1);
                let bytes = loop {
                    let candidate = with_tail(&base, &ext, *n);
                    *n += 1;
                    if taken.insert(candidate) {
                        break candidate;
                    }
                };
                StoredName {
                    short: ShortName { bytes, case: 0 },
                    long: true,
                }
            })
        })
        .collect()
}

/// The checksum of a short name that ties its long-name entries to it.
pub(crate) fn checksum(short: &[u8; 11]) -> u8 {
    short
        .iter()
        .fold(0u8, |sum, &b| sum.rotate_right(1).wrapping_add(b))
}

/// How many 32-byte entries `name` takes when stored as `stored`.
pub(crate) fn entry_count(name: &str, stored: &StoredName) -> usize {
    1 + if stored.long {
        name.encode_utf16().count().div_ceil(UNITS_PER_ENTRY)
    } else {
        0
    }
}

/// The long-name entries for `name`, in on-disk order (last part first).
pub(crate) fn long_entries(name: &str, short: &[u8; 11]) -> Vec<[u8; ENTRY_SIZE]> {
    let mut units: Vec<u16> = name.encode_utf16().collect();
    let count = units.len().div_ceil(UNITS_PER_ENTRY);
    if units.len() % UNITS_PER_ENTRY != 0 {
        units.push(0);
        units.resize(count * UNITS_PER_ENTRY, 0xFFFF);
    }
    let sum = checksum(short);
    (0..count)
        .rev()
        .map(|i| {
            let mut entry = [0u8; ENTRY_SIZE];
            entry[0] = (i + 1) as u8 | if i + 1 == count { LAST_LONG_ENTRY } else { 0 };
            entry[11] = ATTR_LONG_NAME;
            entry[13] = sum;
            for (unit, &at) in units[i * UNITS_PER_ENTRY..][..UNITS_PER_ENTRY]
                .iter()
                .zip(&UNIT_OFFSETS)
            {
                entry[at..at + 2].copy_from_slice(&unit.to_le_bytes());
            }
            entry
        })
        .collect()
}

/// Collects long-name entries while a folder is read, and yields the long name when the
/// short entry that follows matches them (right order, right checksum).
#[derive(Default)]
pub(crate) struct LongNameReader {
    units: Vec<u16>,
    expect: u8,
    sum: u8,
}

impl LongNameReader {
    pub(crate) fn push(&mut self, entry: &[u8]) {
        let ord = entry[0] & 0x3F;
        if entry[0] & LAST_LONG_ENTRY != 0 {
            self.units = vec![0; usize::from(ord) * UNITS_PER_ENTRY];
            self.sum = entry[13];
        } else if ord != self.expect || entry[13] != self.sum {
            self.reset();
            return;
        }
        if ord == 0 {
            self.reset();
            return;
        }
        let start = usize::from(ord - 1) * UNITS_PER_ENTRY;
        for (k, &at) in UNIT_OFFSETS.iter().enumerate() {
            self.units[start + k] = u16::from_le_bytes([entry[at], entry[at + 1]]);
        }
        self.expect = ord - 1;
    }

    /// The long name for the short entry `short`, if the collected entries belong to it.
    pub(crate) fn finish(&mut self, short: &[u8; 11]) -> Option<String> {
        let complete = !self.units.is_empty() && self.expect == 0 && self.sum == checksum(short);
        let units = std::mem::take(&mut self.units);
        self.reset();
        if !complete {
            return None;
        }
        let end = units.iter().position(|&u| u == 0).unwrap_or(units.len());
        String::from_utf16(&units[..end]).ok()
    }

    pub(crate) fn reset(&mut self) {
        self.units.clear();
        self.expect = 0;
    }
}

/// A short entry's name as shown to users, NT case bits applied.
pub(crate) fn display_short(bytes: &[u8; 11], case: u8) -> String {
    let part = |raw: &[u8], lower: bool| -> String {
        let text = String::from_utf8_lossy(raw).trim_end().to_string();
        if lower {
            text.to_ascii_lowercase()
        } else {
            text
        }
    };
    let mut first = bytes[..8].to_vec();
    if first[0] == 0x05 {
        first[0] = 0xE5; // 0xE5 is "deleted", so a real leading 0xE5 is stored as 0x05
    }
    let base = part(&first, case & CASE_LOWER_BASE != 0);
    let ext = part(&bytes[8..], case & CASE_LOWER_EXT != 0);
    if ext.is_empty() {
        base
    } else {
        format!("{base}.{ext}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn short(name: &str) -> String {
        let stored = assign(&[name])[0];
        display_short(&stored.short.bytes, 0)
    }

    #[test]
    fn exact_names_need_no_long_entries() {
        let s = assign(&["README.TXT", "bootmgr", "setup.exe", "Readme.md", "EFI"]);
        assert!(!s[0].long && s[0].short.case == 0);
        assert!(!s[1].long && s[1].short.case == CASE_LOWER_BASE);
        assert_eq!(&s[1].short.bytes, b"BOOTMGR    ");
        assert!(!s[2].long && s[2].short.case == CASE_LOWER_BASE | CASE_LOWER_EXT);
        // Mixed case inside one part cannot be told by the case bits: long name kept,
        // but the short name needs no ~1 tail.
        assert!(s[3].long);
        assert_eq!(&s[3].short.bytes, b"README  MD ");
        assert_eq!(
            display_short(&s[2].short.bytes, s[2].short.case),
            "setup.exe"
        );
    }

    #[test]
    fn windows_style_aliases() {
        assert_eq!(short("install.wim.bak"), "INSTAL~1.BAK");
        assert_eq!(short("Program Files"), "PROGRA~1");
        assert_eq!(short(".bashrc"), "BASHRC~1");
        assert_eq!(short("a+b.txt"), "A_B~1.TXT");
        assert_eq!(short("設定手順.txt"), "____~1.TXT");
        assert_eq!(short("verylongname.jpeg"), "VERYLO~1.JPE");
        assert_eq!(short("my.file.name.html"), "MYFILE~1.HTM");
    }

    #[test]
    fn aliases_are_unique_and_avoid_exact_names() {
        let names: Vec<String> = (0..120)
            .map(|i| format!("long file name {i}.txt"))
            .collect();
        let mut refs: Vec<&str> = names.iter().map(String::as_str).collect();
        refs.push("LONGFI~1.TXT");
        let stored = assign(&refs);
        let set: HashSet<[u8; 11]> = stored.iter().map(|s| s.short.bytes).collect();
        assert_eq!(set.len(), refs.len());
        assert_eq!(&stored[120].short.bytes, b"LONGFI~1TXT");
        assert!(!stored[120].long);
        assert_eq!(&stored[0].short.bytes, b"LONGFI~2TXT");
        assert_eq!(&stored[8].short.bytes, b"LONGF~10TXT");
        assert_eq!(&stored[99].short.bytes, b"LONG~101TXT");
    }

    #[test]
    fn checksum_matches_reference() {
        // Reference values from the FAT specification's algorithm, computed independently.
        assert_eq!(checksum(b"README  TXT"), 0x73);
        assert_eq!(checksum(b"           "), 0xF7);
        let manual = |s: &[u8; 11]| {
            let mut sum: u8 = 0;
            for &b in s {
                sum = (if sum & 1 != 0 { 0x80u8 } else { 0 })
                    .wrapping_add(sum >> 1)
                    .wrapping_add(b);
            }
            sum
        };
        for s in [b"INSTAL~1WIM", b"____~1  TXT", b"A          "] {
            assert_eq!(checksum(s), manual(s));
        }
    }

    #[test]
    fn long_entries_round_trip() {
        for name in [
            "オンライン資格確認",
            "設定手順.txt",
            "exactly13char",
            "Readme.md",
            "😀 emoji.txt",
        ] {
            let stored = assign(&[name])[0];
            let entries = long_entries(name, &stored.short.bytes);
            assert_eq!(entries.len() + 1, entry_count(name, &stored));
            assert_eq!(entries[0][0] & LAST_LONG_ENTRY, LAST_LONG_ENTRY);
            let mut reader = LongNameReader::default();
            for e in &entries {
                reader.push(e);
            }
            assert_eq!(reader.finish(&stored.short.bytes).as_deref(), Some(name));
        }
    }

    #[test]
    fn long_name_padding() {
        let e = long_entries("ab", b"AB~1       ");
        assert_eq!(e.len(), 1);
        assert_eq!(&e[0][1..7], &[b'a', 0, b'b', 0, 0, 0]);
        assert_eq!(&e[0][7..9], &[0xFF, 0xFF]);
        let e = long_entries("exactly13char", b"EXACTL~1   ");
        assert!(e[0][1..11].iter().all(|&b| b != 0xFF));
    }

    #[test]
    fn mismatched_checksum_drops_long_name() {
        let entries = long_entries("Readme.md", b"README  MD ");
        let mut reader = LongNameReader::default();
        entries.iter().for_each(|e| reader.push(e));
        assert_eq!(reader.finish(b"OTHER   MD "), None);
    }

    #[test]
    fn invalid_long_names() {
        for bad in [
            "",
            ".",
            "..",
            "a.",
            "a ",
            "a:b",
            "a*b",
            "a\u{1}b",
            &"x".repeat(256),
        ] {
            assert!(check_long_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_long_name("オンライン資格確認").is_ok());
        assert!(check_long_name(".hidden").is_ok());
    }
}
