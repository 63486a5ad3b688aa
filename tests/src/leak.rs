//! The lost-stick test's scanner: every form in which a secret could sit in a
//! built image, and a search for all of them at once.
//!
//! Windows answer files hide passwords only by Base64 of UTF-16LE with the
//! element name appended (`<Value>` of `Password` gets `"Password"`,
//! `AdministratorPassword` gets `"AdministratorPassword"`), so those count as
//! plain text here too.

use aho_corasick::AhoCorasick;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::fmt;

/// Secrets shorter than this match by chance in a multi-gigabyte image.
pub const MIN_SECRET_LEN: usize = 6;

/// The encodings [`secret_forms`] produces, in its order.
pub const FORM_NAMES: [&str; 7] = [
    "UTF-8",
    "UTF-16LE",
    "UTF-16BE",
    "Base64(UTF-8)",
    "Base64(UTF-16LE)",
    "Base64(UTF-16LE(secret+\"Password\"))",
    "Base64(UTF-16LE(secret+\"AdministratorPassword\"))",
];

/// Every byte string that would reveal `secret`, in [`FORM_NAMES`] order.
/// Base64 forms leave out the `=` padding, so a secret encoded inside a longer
/// Base64 run that starts with it still matches.
pub fn secret_forms(secret: &str) -> Vec<Vec<u8>> {
    let b64 = |bytes: &[u8]| {
        STANDARD
            .encode(bytes)
            .trim_end_matches('=')
            .as_bytes()
            .to_vec()
    };
    vec![
        secret.as_bytes().to_vec(),
        utf16le(secret),
        secret.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        b64(secret.as_bytes()),
        b64(&utf16le(secret)),
        b64(&utf16le(&format!("{secret}Password"))),
        b64(&utf16le(&format!("{secret}AdministratorPassword"))),
    ]
}

fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// One secret found. Shows which secret by its index, never its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leak {
    /// Index into the `secrets` given to [`find_leaks`].
    pub secret: usize,
    pub form: &'static str,
    /// Byte offset in the haystack.
    pub offset: usize,
}

impl fmt::Display for Leak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "secret #{} as {} at byte {}",
            self.secret, self.form, self.offset
        )
    }
}

/// Every place any form of any secret occurs in `haystack`, by offset (overlaps included).
///
/// # Panics
/// On a secret shorter than [`MIN_SECRET_LEN`]: a scan for it would prove nothing.
pub fn find_leaks<S: AsRef<str>>(haystack: &[u8], secrets: &[S]) -> Vec<Leak> {
    let mut needles = Vec::new();
    let mut owners = Vec::new();
    for (i, secret) in secrets.iter().enumerate() {
        let secret = secret.as_ref();
        assert!(
            secret.chars().count() >= MIN_SECRET_LEN,
            "secret #{i} is shorter than {MIN_SECRET_LEN} characters: too short to scan an image for"
        );
        for (form, bytes) in secret_forms(secret).into_iter().enumerate() {
            needles.push(bytes);
            owners.push((i, FORM_NAMES[form]));
        }
    }
    if needles.is_empty() {
        return Vec::new();
    }
    let matcher = AhoCorasick::new(&needles).expect("a few hundred short needles always build");
    let mut leaks: Vec<Leak> = matcher
        .find_overlapping_iter(haystack)
        .map(|m| {
            let (secret, form) = owners[m.pattern().as_usize()];
            Leak {
                secret,
                form,
                offset: m.start(),
            }
        })
        .collect();
    leaks.sort_by_key(|l| (l.offset, l.secret));
    leaks
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `<AdministratorPassword>` "Passw0rd!" with PlainText false, as computed
    /// apart from this code (Python: `b64encode((pw + "AdministratorPassword").encode("utf-16-le"))`).
    const SIM_ADMIN: &str =
        "UABhAHMAcwB3ADAAcgBkACEAQQBkAG0AaQBuAGkAcwB0AHIAYQB0AG8AcgBQAGEAcwBzAHcAbwByAGQA";

    #[test]
    fn forms_match_known_encodings() {
        let forms = secret_forms("Passw0rd!");
        assert_eq!(forms.len(), FORM_NAMES.len());
        assert_eq!(forms[0], b"Passw0rd!");
        assert_eq!(&forms[1][..4], b"P\0a\0");
        assert_eq!(&forms[2][..4], b"\0P\0a");
        assert_eq!(forms[3], b"UGFzc3cwcmQh");
        assert_eq!(forms[6], SIM_ADMIN.as_bytes());
    }

    #[test]
    fn finds_each_form_where_it_is() {
        let secret = "Demo-OqsComApp-Pass#2026";
        let other = "another-secret-value";
        for (form, bytes) in secret_forms(secret).into_iter().enumerate() {
            let mut image = vec![0xAAu8; 1000];
            image.splice(300..300, bytes.iter().copied());
            let leaks = find_leaks(&image, &[other, secret]);
            assert!(
                leaks.contains(&Leak {
                    secret: 1,
                    form: FORM_NAMES[form],
                    offset: 300
                }),
                "{} not found: {leaks:?}",
                FORM_NAMES[form]
            );
            assert!(leaks.iter().all(|l| l.secret == 1), "{leaks:?}");
        }
    }

    #[test]
    fn answer_file_encoding_is_found_inside_xml() {
        let xml = format!(
            "<AdministratorPassword><Value>{SIM_ADMIN}</Value><PlainText>false</PlainText>"
        );
        let leaks = find_leaks(xml.as_bytes(), &["Passw0rd!"]);
        let at = "<AdministratorPassword><Value>".len();
        // 18 bytes of UTF-16 encode to Base64 without padding, so the plain
        // UTF-16LE form is a prefix of the answer-file form: both are found.
        assert!(leaks.iter().all(|l| l.offset == at), "{leaks:?}");
        assert!(leaks.iter().any(|l| l.form == FORM_NAMES[6]), "{leaks:?}");
    }

    #[test]
    fn clean_data_and_near_misses_are_not_leaks() {
        let secret = "Demo-Setup-Admin-2026!";
        let near = b"Demo-Setup-Admin-2025! demo-setup-admin-2026! Demo-Setup-Admin-202";
        assert!(find_leaks(near, &[secret]).is_empty());
        assert!(find_leaks(b"", &[secret]).is_empty());
        assert!(find_leaks::<&str>(b"anything", &[]).is_empty());
    }

    #[test]
    fn display_never_shows_the_secret() {
        let leaks = find_leaks(b"xx hunter2-long xx", &["hunter2-long"]);
        assert_eq!(leaks[0].to_string(), "secret #0 as UTF-8 at byte 3");
    }

    #[test]
    #[should_panic(expected = "too short")]
    fn short_secrets_are_refused() {
        find_leaks(b"abc", &["abc"]);
    }
}
