//! Odd names and Japanese text still give a well-formed, ASCII-only answer file that
//! reads back to the same text; text Windows cannot take is refused, never written.

mod common;

use answer_files::{RenderError, render, validate};
use base64::Engine;
use common::{ONE_TIME_PASSWORD, demo_site, options};
use payload::Secret;
use proptest::prelude::*;
use quick_xml::events::Event;
use quick_xml::reader::Reader;

/// The text of every `<name>` element, references resolved.
fn texts_of(xml: &str, name: &str) -> Vec<String> {
    let mut reader = Reader::from_str(xml);
    let mut current: Option<String> = None;
    let mut found = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) if e.local_name().as_ref() == name => current = Some(String::new()),
            Event::End(e) if e.local_name().as_ref() == name => found.extend(current.take()),
            Event::Text(t) => {
                if let Some(text) = current.as_mut() {
                    text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(text) = current.as_mut() {
                    text.push(match r.resolve_char_ref().unwrap() {
                        Some(c) => c,
                        None => match &*r {
                            "lt" => '<',
                            "gt" => '>',
                            "amp" => '&',
                            other => panic!("unexpected entity {other}"),
                        },
                    });
                }
            }
            Event::Eof => return found,
            _ => {}
        }
    }
}

fn japanese_and_odd() -> impl Strategy<Value = String> {
    // Kana, kanji, full-width forms, emoji, XML markup characters, quotes and spaces.
    "[ぁ-んァ-ン一-龥０-９Ａ-Ｚ😀-🙏<>&\"' a-zA-Z0-9._-]{1,20}"
}

proptest! {
    #[test]
    fn names_round_trip_through_ascii_xml(admin in japanese_and_odd(), clinic in japanese_and_odd()) {
        let mut site = demo_site();
        site.accounts.setup_admin.name = admin.clone();
        site.clinic.name = clinic.clone();
        let password = Secret::new(ONE_TIME_PASSWORD);
        let xml = render(&site, &options(&password, None)).unwrap();
        prop_assert!(xml.is_ascii());
        prop_assert_eq!(validate(&xml), Ok(()));
        prop_assert_eq!(texts_of(&xml, "Username"), [admin.clone()]);
        prop_assert_eq!(texts_of(&xml, "Name"), [admin]);
        prop_assert_eq!(texts_of(&xml, "RegisteredOrganization"), [clinic]);
    }

    #[test]
    fn any_password_is_encoded_never_written(password in "\\PC{1,40}") {
        let secret = Secret::new(password.clone());
        let xml = render(&demo_site(), &options(&secret, None)).unwrap();
        prop_assert_eq!(validate(&xml), Ok(()));
        let values = texts_of(&xml, "Value");
        // The image index, then the AutoLogon and LocalAccount passwords, encoded.
        prop_assert_eq!(values.len(), 3);
        for value in &values[1..] {
            prop_assert_ne!(value, &password);
            let bytes = base64::engine::general_purpose::STANDARD.decode(value).unwrap();
            let units: Vec<u16> = bytes.chunks(2).map(|p| u16::from_le_bytes([p[0], p[1]])).collect();
            prop_assert_eq!(String::from_utf16(&units).unwrap(), format!("{}Password", password));
        }
    }

    #[test]
    fn control_characters_are_refused(prefix in "[a-z]{0,5}", control in 0u32..0x20, suffix in "[a-z]{0,5}") {
        let control = char::from_u32(control).unwrap();
        let mut site = demo_site();
        site.clinic.name = format!("{prefix}{control}{suffix}");
        let password = Secret::new(ONE_TIME_PASSWORD);
        let refused = matches!(
            render(&site, &options(&password, None)),
            Err(RenderError::ControlCharacter { key: "clinic.name", bad }) if bad == control
        );
        prop_assert!(refused);
    }
}
