//! `PlainText=false` passwords as Windows SIM writes them: Base64 of the UTF-16LE text
//! of the password followed by the name of the element that holds it ("Password" for
//! `LocalAccount/Password` and `AutoLogon/Password`, "AdministratorPassword" for
//! `UserAccounts/AdministratorPassword`). This hides the password from a glance, nothing
//! more: anyone can decode it, which is why the answer file only ever carries a one-time
//! password that firstboot replaces.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use payload::Secret;

pub(crate) fn encode(password: &Secret, element: &str) -> String {
    let bytes: Vec<u8> = password
        .expose()
        .encode_utf16()
        .chain(element.encode_utf16())
        .flat_map(u16::to_le_bytes)
        .collect();
    STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_of_utf16le_password_and_element_name() {
        // PowerShell: [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes('P@ssw0rdPassword')).
        assert_eq!(
            encode(&Secret::new("P@ssw0rd"), "Password"),
            "UABAAHMAcwB3ADAAcgBkAFAAYQBzAHMAdwBvAHIAZAA="
        );
        // The suffix is the element's name, not a constant.
        assert_ne!(
            encode(&Secret::new("x"), "Password"),
            encode(&Secret::new("x"), "AdministratorPassword")
        );
    }
}
