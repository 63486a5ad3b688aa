//! Element text for an ASCII-only answer file: markup characters as entities, every
//! other non-ASCII character as a character reference (`&#x30AF;`), so the file is the
//! same bytes whatever code page a tool reading it assumes.

/// The first character XML 1.0 cannot carry even as a reference (C0 controls other than
/// tab/LF/CR, U+FFFE, U+FFFF); `None` when all can be written.
pub(crate) fn unwritable(text: &str) -> Option<char> {
    text.chars().find(|&c| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{FFFE}' || c == '\u{FFFF}'
    })
}

/// Escaped text; characters [`unwritable`] finds must be refused before calling this.
pub(crate) fn text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            ' '..='~' | '\t' | '\n' => out.push(c),
            // Everything else, CR included (a raw CR would be read back as LF).
            _ => out.push_str(&format!("&#x{:X};", c as u32)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_becomes_references() {
        assert_eq!(text("受付 <1> & 2"), "&#x53D7;&#x4ED8; &lt;1&gt; &amp; 2");
        assert_eq!(text("a\rb\u{7F}😀"), "a&#xD;b&#x7F;&#x1F600;");
    }

    #[test]
    fn controls_are_found() {
        assert_eq!(unwritable("ok\ttab\nline"), None);
        assert_eq!(unwritable("bell\u{7}"), Some('\u{7}'));
        assert_eq!(unwritable("x\u{FFFF}"), Some('\u{FFFF}'));
    }
}
