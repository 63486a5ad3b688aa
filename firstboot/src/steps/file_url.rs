//! `file:` URLs for local Windows paths, as Edge and Explorer read them.

/// `C:\Program Files\OQS-Auth\ext\a.crx` -> `file:///C:/Program%20Files/OQS-Auth/ext/a.crx`.
/// Everything but letters, digits, `-._~`, the drive colon and the separators is
/// percent-encoded (UTF-8 for Japanese names), so the URL is also safe as it is
/// inside an XML attribute or an INI value.
pub fn file_url(windows_path: &str) -> String {
    let mut url = String::from("file:///");
    for byte in windows_path.bytes() {
        match byte {
            b'\\' | b'/' => url.push('/'),
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b':' => {
                url.push(char::from(byte))
            }
            _ => url.push_str(&format!("%{byte:02X}")),
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_paths_become_file_urls() {
        assert_eq!(
            file_url(r"C:\Program Files\OQS-Auth\ext\pinauth.crx"),
            "file:///C:/Program%20Files/OQS-Auth/ext/pinauth.crx"
        );
        assert_eq!(
            file_url(r"C:\Program Files (x86)\ReceiptOnline\top23.html"),
            "file:///C:/Program%20Files%20%28x86%29/ReceiptOnline/top23.html",
        );
        assert_eq!(
            file_url(r"C:\OQS\請求\"),
            "file:///C:/OQS/%E8%AB%8B%E6%B1%82/"
        );
        assert_eq!(
            file_url(r"C:\a&b'c<d>.xml"),
            "file:///C:/a%26b%27c%3Cd%3E.xml"
        );
    }
}
