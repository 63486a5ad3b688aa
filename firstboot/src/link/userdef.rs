//! Byte-exact editing of OQSComApp's `UserDefinition.property`.
//!
//! The file is CP932 without a BOM, CRLF, `key=value` lines in the Java
//! `.properties` shape. OQSComApp and the clinic's own scripts read it, so every
//! byte we do not mean to change stays as it was: only the value part of the edited
//! keys' lines is rewritten (key spelling, the spacing around `=` and the line's own
//! ending are kept), and a key that is missing is appended with the file's dominant
//! line ending. Untouched lines are never decoded and re-encoded.
//!
//! Lines are split at `\n` (a `\r` before it belongs to the ending); a lone `\r` is
//! part of the line. Continuation lines (a trailing backslash) are not joined: the
//! files OQSComApp writes have one key per line, and a plain-style path such as
//! `C:\OQS\` legitimately ends in a backslash.
//!
//! Backslashes come in two styles. The seed writes `\\\\server\\oqs\\req` (the
//! properties escape of `\\server\oqs\req`); a sibling file shows plain
//! `C:\OQS\face`. The style is read from the file unless the site fixes it.

use payload::Text;
use payload::site::Escaping;
use std::borrow::Cow;
use std::fmt;

/// How backslashes in values are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathStyle {
    /// Properties escaping: `\` is written `\\` (the seed's style).
    Doubled,
    /// Written as they are: `C:\OQS\face`.
    Plain,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserDefError {
    /// The key is not a plain properties key (empty, whitespace, `=`, `:`, `\`, a comment mark).
    InvalidKey { key: String },
    /// The same key was given twice in one edit.
    DuplicateKey { key: String },
    /// The value has a line break or control character, or starts with whitespace
    /// (a reader would drop it).
    InvalidValue { key: String, value: String },
    /// The value has a character CP932 cannot hold exactly (`¥` is one: CP932 stores it as `\`).
    NotCp932 { key: String, ch: char },
}

impl UserDefError {
    pub fn text(&self) -> Text {
        match self {
            UserDefError::InvalidKey { key } => Text::new(
                format!(
                    "UserDefinition.property: キー {key:?} は使えません(空白・=・:・\\ を含まない半角のキー名にしてください)"
                ),
                format!(
                    "UserDefinition.property: {key:?} is not a usable key (use a plain ASCII name without spaces, =, : or \\)"
                ),
            ),
            UserDefError::DuplicateKey { key } => Text::new(
                format!(
                    "UserDefinition.property: キー {key} が二度指定されています。一つにしてください"
                ),
                format!("UserDefinition.property: key {key} is given twice; give it once"),
            ),
            UserDefError::InvalidValue { key, value } => Text::new(
                format!(
                    "UserDefinition.property: {key} の値 {value:?} に改行・制御文字・先頭の空白があります。取り除いてください"
                ),
                format!(
                    "UserDefinition.property: the value {value:?} for {key} has a line break, a control character or leading whitespace; remove it"
                ),
            ),
            UserDefError::NotCp932 { key, ch } => Text::new(
                format!(
                    "UserDefinition.property: {key} の値の文字 {ch:?} は CP932 (Shift_JIS) で正確に書けません。別の文字にしてください(¥ は \\ と書きます)"
                ),
                format!(
                    "UserDefinition.property: the character {ch:?} in the value for {key} cannot be stored exactly in CP932 (Shift_JIS); replace it (write ¥ as \\)"
                ),
            ),
        }
    }
}

impl fmt::Display for UserDefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.text())
    }
}

impl std::error::Error for UserDefError {}

/// The style to write values in: the site's choice, or for `Keep` the style of the
/// values the edit leaves alone, else of the edited keys' current values, else the
/// seed's doubled style. Judging by the untouched values first keeps a second edit
/// with the same values a no-op. A plain value whose backslashes all come in pairs
/// (`\\server` alone) reads as doubled: where a file holds nothing else, the
/// site's `escaping` setting has to say.
pub fn choose_style(input: &[u8], escaping: Escaping, edited: &[&str]) -> PathStyle {
    match escaping {
        Escaping::Doubled => PathStyle::Doubled,
        Escaping::Plain => PathStyle::Plain,
        Escaping::Keep => {
            let entries = entries(input);
            let untouched = entries
                .iter()
                .filter(|e| !edited.iter().any(|k| e.key(input) == k.as_bytes()));
            let touched = entries
                .iter()
                .filter(|e| edited.iter().any(|k| e.key(input) == k.as_bytes()));
            majority(untouched.filter_map(|e| vote(&e.raw_value(input))))
                .or_else(|| majority(touched.filter_map(|e| vote(&e.raw_value(input)))))
                .unwrap_or(PathStyle::Doubled)
        }
    }
}

/// The value of `key` (the last one, as a properties reader sees it), unescaped in
/// the style the file itself uses.
pub fn get(input: &[u8], key: &str) -> Option<String> {
    get_with(input, key, choose_style(input, Escaping::Keep, &[]))
}

/// The value of `key` unescaped in the given style.
pub fn get_with(input: &[u8], key: &str, style: PathStyle) -> Option<String> {
    entries(input)
        .iter()
        .rev()
        .find(|e| e.key(input) == key.as_bytes())
        .map(|e| unescape(&e.raw_value(input), style))
}

/// `input` with each `(key, value)` set: existing lines get the new value in place
/// (every line of a duplicated key, so first-wins and last-wins readers agree),
/// missing keys are appended. Values are the real paths (`\\server\oqs\req`);
/// `style` says how to write their backslashes.
pub fn edit(
    input: &[u8],
    edits: &[(&str, &str)],
    style: PathStyle,
) -> Result<Vec<u8>, UserDefError> {
    let mut encoded = Vec::with_capacity(edits.len());
    for (i, &(key, value)) in edits.iter().enumerate() {
        check_key(key)?;
        if edits[..i].iter().any(|&(k, _)| k == key) {
            return Err(UserDefError::DuplicateKey { key: key.into() });
        }
        encoded.push((key, encode_value(key, value, style)?));
    }

    let entries = entries(input);
    let mut out = Vec::with_capacity(input.len() + 64);
    let mut copied = 0;
    for entry in &entries {
        let Some((_, value)) = encoded
            .iter()
            .find(|(k, _)| entry.key(input) == k.as_bytes())
        else {
            continue;
        };
        out.extend_from_slice(&input[copied..entry.separator_start]);
        if entry.has_separator_char {
            out.extend_from_slice(&input[entry.separator_start..entry.value_start]);
        } else {
            // `Key` alone or `Key  value`: readers other than Java's need the `=`.
            out.push(b'=');
        }
        out.extend_from_slice(value);
        copied = entry.line.content_end;
    }
    out.extend_from_slice(&input[copied..]);

    let missing: Vec<_> = encoded
        .iter()
        .filter(|(k, _)| !entries.iter().any(|e| e.key(input) == k.as_bytes()))
        .collect();
    if !missing.is_empty() {
        let ending = dominant_ending(input);
        if !out.is_empty() && !out.ends_with(b"\n") {
            out.extend_from_slice(ending);
        }
        for (key, value) in missing {
            out.extend_from_slice(key.as_bytes());
            out.push(b'=');
            out.extend_from_slice(value);
            out.extend_from_slice(ending);
        }
    }
    Ok(out)
}

/// One physical line: `start..content_end` is the text, `content_end..end` its ending.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Line {
    pub start: usize,
    pub content_end: usize,
    pub end: usize,
}

pub(crate) fn lines(input: &[u8]) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    while start < input.len() {
        let (content_end, end) = match input[start..].iter().position(|&b| b == b'\n') {
            Some(nl) => {
                let nl = start + nl;
                let content_end = if nl > start && input[nl - 1] == b'\r' {
                    nl - 1
                } else {
                    nl
                };
                (content_end, nl + 1)
            }
            None => (input.len(), input.len()),
        };
        lines.push(Line {
            start,
            content_end,
            end,
        });
        start = end;
    }
    lines
}

/// A `key=value` line, by byte offsets into the file.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Entry {
    pub line: Line,
    pub key_start: usize,
    pub separator_start: usize,
    pub value_start: usize,
    pub has_separator_char: bool,
}

impl Entry {
    pub fn key<'a>(&self, input: &'a [u8]) -> &'a [u8] {
        &input[self.key_start..self.separator_start]
    }

    fn raw_value<'a>(&self, input: &'a [u8]) -> Cow<'a, str> {
        let bytes = &input[self.value_start..self.line.content_end];
        encoding_rs::SHIFT_JIS.decode_without_bom_handling(bytes).0
    }
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\x0c')
}

/// Every `key=value` line in file order (comments and blank lines left out).
pub(crate) fn entries(input: &[u8]) -> Vec<Entry> {
    lines(input)
        .into_iter()
        .filter_map(|line| parse_entry(input, line))
        .collect()
}

fn parse_entry(input: &[u8], line: Line) -> Option<Entry> {
    // Walk by CP932 characters: a trail byte may be 0x5C (`\`), which must not be
    // taken for an escape. `=`, `:`, blanks and `#`/`!` are never trail bytes.
    let chars = sjis_chars(&input[line.start..line.content_end]);
    let mut i = chars
        .iter()
        .position(|&(at, _)| !is_blank(input[line.start + at]))?;
    let at = |i: usize| line.start + chars[i].0;
    if matches!(input[at(i)], b'#' | b'!') {
        return None;
    }
    let key_start = at(i);
    while i < chars.len() {
        let b = input[at(i)];
        if chars[i].1 == 1 && (b == b'=' || b == b':' || is_blank(b)) {
            break;
        }
        i += if b == b'\\' && chars[i].1 == 1 { 2 } else { 1 };
    }
    let i = i.min(chars.len());
    let offset = |i: usize| {
        if i < chars.len() {
            at(i)
        } else {
            line.content_end
        }
    };
    let separator_start = offset(i);
    let mut j = separator_start;
    while j < line.content_end && is_blank(input[j]) {
        j += 1;
    }
    let has_separator_char = j < line.content_end && matches!(input[j], b'=' | b':');
    if has_separator_char {
        j += 1;
        while j < line.content_end && is_blank(input[j]) {
            j += 1;
        }
    }
    Some(Entry {
        line,
        key_start,
        separator_start,
        value_start: j,
        has_separator_char,
    })
}

/// (offset, length) of each CP932 character; bytes that do not form a valid
/// double-byte character count as one character each.
fn sjis_chars(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let lead = matches!(bytes[i], 0x81..=0x9F | 0xE0..=0xFC);
        let trail = bytes
            .get(i + 1)
            .is_some_and(|&b| matches!(b, 0x40..=0x7E | 0x80..=0xFC));
        let len = if lead && trail { 2 } else { 1 };
        out.push((i, len));
        i += len;
    }
    out
}

fn dominant_ending(input: &[u8]) -> &'static [u8] {
    let (mut crlf, mut lf) = (0usize, 0usize);
    for line in lines(input) {
        match line.end - line.content_end {
            2 => crlf += 1,
            1 => lf += 1,
            _ => {}
        }
    }
    if lf > crlf { b"\n" } else { b"\r\n" }
}

/// A value's vote on the file's style: doubled when every run of backslashes has
/// even length (`\\\\srv\\oqs`), plain when any run is odd (`C:\OQS`, `\\srv\oqs`).
fn vote(raw: &str) -> Option<PathStyle> {
    if !raw.contains('\\') {
        return None;
    }
    let odd_run = raw.split(|c| c != '\\').any(|run| run.len() % 2 == 1);
    Some(if odd_run {
        PathStyle::Plain
    } else {
        PathStyle::Doubled
    })
}

/// The style most values use; a tie goes to the seed's doubled style.
fn majority(votes: impl Iterator<Item = PathStyle>) -> Option<PathStyle> {
    let (mut doubled, mut plain) = (0usize, 0usize);
    for v in votes {
        match v {
            PathStyle::Doubled => doubled += 1,
            PathStyle::Plain => plain += 1,
        }
    }
    match (doubled, plain) {
        (0, 0) => None,
        (d, p) if p > d => Some(PathStyle::Plain),
        _ => Some(PathStyle::Doubled),
    }
}

fn unescape(raw: &str, style: PathStyle) -> String {
    if style == PathStyle::Plain {
        return raw.to_owned();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            None => out.push('\\'),
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\x0c'),
            Some('u') => {
                let hex: String = chars.clone().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) if hex.len() == 4 => {
                        out.push(ch);
                        chars.nth(3);
                    }
                    _ => out.push('u'),
                }
            }
            Some(other) => out.push(other),
        }
    }
    out
}

fn check_key(key: &str) -> Result<(), UserDefError> {
    let usable = !key.is_empty()
        && key.is_ascii()
        && !key.starts_with(['#', '!'])
        && !key
            .bytes()
            .any(|b| b.is_ascii_control() || is_blank(b) || matches!(b, b'=' | b':' | b'\\'));
    if usable {
        Ok(())
    } else {
        Err(UserDefError::InvalidKey { key: key.into() })
    }
}

fn encode_value(key: &str, value: &str, style: PathStyle) -> Result<Vec<u8>, UserDefError> {
    if value.chars().any(char::is_control) || value.starts_with([' ', '\t', '\x0c']) {
        return Err(UserDefError::InvalidValue {
            key: key.into(),
            value: value.into(),
        });
    }
    let written: Cow<str> = match style {
        PathStyle::Doubled => Cow::Owned(value.replace('\\', "\\\\")),
        PathStyle::Plain => Cow::Borrowed(value),
    };
    // The WHATWG Shift_JIS encoder (CP932) maps `¥` and `‾` onto ASCII bytes: they
    // would come back as `\` and `~`, so a value is accepted only if it round-trips.
    for ch in written.chars() {
        let mut buf = [0u8; 4];
        let one = ch.encode_utf8(&mut buf);
        let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(one);
        let (back, _) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(&bytes);
        if unmappable || back != *one {
            return Err(UserDefError::NotCp932 {
                key: key.into(),
                ch,
            });
        }
    }
    Ok(encoding_rs::SHIFT_JIS.encode(&written).0.into_owned())
}

#[cfg(test)]
mod tests;
