//! Bad values never reach an answer file: payload's validation refuses bad names at
//! `check`, and `render` refuses what the answer file or the WinPE script cannot carry.

mod common;

use answer_files::{RenderError, render, winpe_files};
use common::{ONE_TIME_PASSWORD, demo_file, demo_site, demo_source, options};
use payload::Secret;
use payload::site::{LoadError, Severity};

/// The error key paths payload reports for the demo with `from` replaced by `to`.
fn errors_after(from: &str, to: &str) -> Vec<String> {
    let source = demo_source();
    assert!(source.contains(from), "{from}");
    match payload::site::parse(&source.replacen(from, to, 1), &demo_file()) {
        Err(LoadError::Invalid { problems, .. }) => problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .map(|p| p.path.to_string())
            .collect(),
        Err(other) => panic!("expected validation errors, got {other}"),
        Ok(_) => panic!("{to} was accepted"),
    }
}

#[test]
fn computer_name_of_sixteen_characters() {
    let errors = errors_after("name = \"OQS-UKETSUKE1\"", "name = \"OQS-UKETSUKE12345\"");
    assert_eq!(errors, ["terminals[0].name"]);
}

#[test]
fn computer_name_of_digits_only() {
    assert_eq!(
        errors_after("name = \"OQS-UKETSUKE2\"", "name = \"12345\""),
        ["terminals[1].name"]
    );
}

#[test]
fn reserved_user_names() {
    for reserved in [
        "Administrator",
        "guest",
        "DefaultAccount",
        "WDAGUtilityAccount",
    ] {
        let errors = errors_after(
            "ons_renkei = { name = \"ONSRenkei\" }",
            &format!("ons_renkei = {{ name = \"{reserved}\" }}"),
        );
        assert_eq!(errors, ["accounts.ons_renkei.name"], "{reserved}");
    }
    let errors = errors_after(
        "[accounts]\n",
        "[accounts]\nsetup_admin = { name = \"Administrator\" }\n",
    );
    assert_eq!(errors, ["accounts.setup_admin.name"]);
}

#[test]
fn user_name_over_twenty_characters() {
    let errors = errors_after(
        "name = \"OqsComApp\"",
        "name = \"OqsComAppWithAVeryLongName\"",
    );
    assert_eq!(errors, ["accounts.oqs_com_app.name"]);
}

#[test]
fn unknown_terminal_lists_the_known_ones() {
    let password = Secret::new(ONE_TIME_PASSWORD);
    let err = render(&demo_site(), &options(&password, Some("OQS-NOPE"))).unwrap_err();
    let RenderError::UnknownTerminal { known, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(known, &["OQS-UKETSUKE1", "OQS-UKETSUKE2", "OQS-SHINSATSU"]);
    assert!(err.to_string().contains("OQS-SHINSATSU"));
}

#[test]
fn image_index_zero_and_empty_password() {
    let password = Secret::new(ONE_TIME_PASSWORD);
    let mut opts = options(&password, None);
    opts.image_index = 0;
    assert!(matches!(
        render(&demo_site(), &opts),
        Err(RenderError::ImageIndex { index: 0 })
    ));
    let empty = Secret::new("");
    assert!(matches!(
        render(&demo_site(), &options(&empty, None)),
        Err(RenderError::EmptyPassword)
    ));
}

#[test]
fn values_the_answer_file_cannot_carry() {
    let password = Secret::new(ONE_TIME_PASSWORD);
    let mut site = demo_site();
    site.windows.language = "ja_JP\"".into();
    let err = render(&site, &options(&password, None)).unwrap_err();
    assert!(
        matches!(
            err,
            RenderError::Unsupported {
                key: "windows.language",
                ..
            }
        ),
        "{err}"
    );

    let mut site = demo_site();
    site.windows.time_zone = "Tokyo <Standard> Time".into();
    assert!(matches!(
        render(&site, &options(&password, None)),
        Err(RenderError::Unsupported {
            key: "windows.time_zone",
            ..
        })
    ));

    let mut site = demo_site();
    site.windows.target_disk.model = Some("Samsung\" & format c:".into());
    assert!(matches!(
        winpe_files(&site),
        Err(RenderError::Unsupported {
            key: "windows.target_disk.model",
            ..
        })
    ));
}

#[test]
fn other_languages_use_their_own_input_locale() {
    let password = Secret::new(ONE_TIME_PASSWORD);
    let mut site = demo_site();
    site.windows.language = "en-US".into();
    let xml = render(&site, &options(&password, None)).unwrap();
    assert!(xml.contains("<InputLocale>en-US</InputLocale>"));
    assert!(!xml.contains("0411:"));
}
