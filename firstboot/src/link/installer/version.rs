//! Installed versions: `Version.info` files (format not published: `4.0.3`,
//! `Version=4.0.3`, `version: 4.0.3` and the like are accepted) and MSI
//! `ProductVersion` strings, compared so that an installed current version is not
//! installed again.

use std::cmp::Ordering;
use std::fmt;

/// Dotted numeric version; `4.0.3` equals `4.0.3.0`.
#[derive(Clone, Debug)]
pub struct Version(Vec<u32>);

impl Version {
    /// `4.0.3`, `v4.0.3`, `4.0.3.1200`: up to four numeric parts.
    pub fn parse(text: &str) -> Option<Version> {
        let text = text.trim();
        let digits = text.strip_prefix(['v', 'V']).unwrap_or(text);
        if !digits.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return None;
        }
        let parts: Option<Vec<u32>> = digits.split('.').map(|p| p.parse().ok()).collect();
        parts.filter(|p| p.len() <= 4).map(Version)
    }

    fn significant(&self) -> &[u32] {
        let len = self.0.iter().rposition(|&p| p != 0).map_or(0, |i| i + 1);
        &self.0[..len]
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.significant().cmp(other.significant())
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(u32::to_string).collect();
        f.write_str(&parts.join("."))
    }
}

/// The version a `Version.info` records. A line that names the version
/// (`Version=…`, `version: …`, `バージョン …`) wins over a bare `4.0.3` line; a bare
/// line needs at least two parts so that a lone build number or date is not taken.
pub fn from_version_info(bytes: &[u8]) -> Option<Version> {
    let text = decode_text(bytes);
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let named = lines.iter().find_map(|line| {
        let rest = ["version", "ver", "バージョン"].iter().find_map(|k| {
            let head = line.get(..k.len())?;
            head.eq_ignore_ascii_case(k).then(|| &line[k.len()..])
        })?;
        let rest = rest.trim_start_matches([' ', '\t', '=', ':', '：', '　']);
        Version::parse(rest.split_whitespace().next()?)
    });
    named.or_else(|| {
        lines.iter().find_map(|line| {
            let v = Version::parse(line.split_whitespace().next()?)?;
            (v.0.len() >= 2).then_some(v)
        })
    })
}

/// Text in whatever a Windows tool wrote: UTF-8 or UTF-16 with a BOM, UTF-8, else CP932.
fn decode_text(bytes: &[u8]) -> String {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return encoding
            .decode_without_bom_handling(&bytes[bom..])
            .0
            .into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::SHIFT_JIS
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

/// Whether to run an installer, given what is installed and what the site expects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Nothing installed, or an older version.
    Install { installed: Option<Version> },
    /// The expected version is installed.
    Current,
    /// A newer version is installed: left alone (never downgrade a working terminal).
    Newer { installed: Version },
}

pub fn decide(installed: Option<Version>, wanted: &Version) -> Decision {
    match installed {
        Some(v) if v == *wanted => Decision::Current,
        Some(v) if v > *wanted => Decision::Newer { installed: v },
        installed => Decision::Install { installed },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn parses_and_orders_versions() {
        assert_eq!(v("4.0.3"), v("4.0.3.0"));
        assert_eq!(v("v2.0.4"), v("2.0.4"));
        assert!(v("4.0.10") > v("4.0.9"));
        assert!(v("3.0.2") < v("3.1"));
        assert_eq!(v("4.0.3").to_string(), "4.0.3");
        for bad in ["", "4..3", "4.0.x", "1.2.3.4.5", "+1.2", "1.+2", "４.０"] {
            assert!(Version::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn reads_version_info_in_several_shapes() {
        for (text, want) in [
            ("4.0.3\r\n", "4.0.3"),
            ("Version=4.0.3\r\n", "4.0.3"),
            ("version: 3.0.2\n", "3.0.2"),
            (
                "[App]\r\nName=OQSComApp\r\nVERSION = 3.0.2 (build 77)\r\n",
                "3.0.2",
            ),
            ("Build 20240401\r\n2.0.4\r\n", "2.0.4"),
            ("v4.0.3", "4.0.3"),
        ] {
            assert_eq!(
                from_version_info(text.as_bytes()),
                Some(v(want)),
                "{text:?}"
            );
        }
        assert_eq!(from_version_info(b"Build 1234\r\n"), None);
        assert_eq!(from_version_info(b""), None);
    }

    #[test]
    fn reads_version_info_in_windows_encodings() {
        let (cp932, _, _) = encoding_rs::SHIFT_JIS.encode("顔認証アプリ\r\nバージョン：4.0.3\r\n");
        assert_eq!(from_version_info(&cp932), Some(v("4.0.3")));
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(
            "Version=2.0.4\r\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        );
        assert_eq!(from_version_info(&utf16), Some(v("2.0.4")));
        assert_eq!(
            from_version_info(b"\xEF\xBB\xBFversion: 3.0.2"),
            Some(v("3.0.2"))
        );
    }

    #[test]
    fn installs_only_what_is_missing_or_older() {
        let wanted = v("4.0.3");
        assert_eq!(decide(None, &wanted), Decision::Install { installed: None });
        assert_eq!(
            decide(Some(v("4.0.2")), &wanted),
            Decision::Install {
                installed: Some(v("4.0.2"))
            }
        );
        assert_eq!(decide(Some(v("4.0.3.0")), &wanted), Decision::Current);
        assert_eq!(
            decide(Some(v("4.1")), &wanted),
            Decision::Newer {
                installed: v("4.1")
            }
        );
    }
}
