//! The demo site's answer files and WinPE scripts, compared byte for byte with the
//! reviewed copies in tests/golden/. `UPDATE_GOLDEN=1 cargo test -p answer-files`
//! rewrites them; review the diff before committing.

mod common;

use answer_files::{render, validate, winpe_files};
use base64::Engine;
use common::{ONE_TIME_PASSWORD, demo_site, options};
use payload::{Secret, Site};
use std::path::Path;

fn check_golden(name: &str, actual: &str) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&file, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&file).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create it)",
            file.display()
        )
    });
    assert!(
        expected == actual,
        "{name} differs from the golden file; run with UPDATE_GOLDEN=1 and review the diff"
    );
}

/// The file is checked, carries no password in plain text, and every password value
/// decodes to the one-time password followed by its element's name.
fn check_answer_file(name: &str, xml: &str) {
    validate(xml).unwrap_or_else(|issues| panic!("{name}: {issues:#?}"));
    assert!(
        !xml.contains(ONE_TIME_PASSWORD),
        "{name} holds the password in plain text"
    );
    assert!(!xml.contains("<PlainText>true"), "{name}");
    let values: Vec<&str> = xml
        .split("<Value>")
        .skip(1)
        .filter_map(|rest| rest.split("</Value>").next())
        .filter(|v| v.ends_with('='))
        .collect();
    assert_eq!(
        values.len(),
        2,
        "{name}: AutoLogon and LocalAccount passwords"
    );
    for value in values {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(value)
            .unwrap();
        let units: Vec<u16> = bytes
            .chunks(2)
            .map(|p| u16::from_le_bytes([p[0], p[1]]))
            .collect();
        assert_eq!(
            String::from_utf16(&units).unwrap(),
            format!("{ONE_TIME_PASSWORD}Password")
        );
    }
    check_golden(name, xml);
}

#[test]
fn demo_site_for_any_terminal() {
    let password = Secret::new(ONE_TIME_PASSWORD);
    let xml = render(&demo_site(), &options(&password, None)).unwrap();
    assert!(xml.contains("identify --set-computer-name"));
    assert!(!xml.contains("<ComputerName>"));
    assert!(
        !xml.contains("LabConfig"),
        "the demo does not opt in to the Windows 11 bypass"
    );
    check_answer_file("demo.autounattend.xml", &xml);
}

#[test]
fn demo_site_pre_staged_for_one_terminal() {
    let password = Secret::new(ONE_TIME_PASSWORD);
    // Any case finds the terminal; the site's spelling is written.
    let xml = render(&demo_site(), &options(&password, Some("oqs-uketsuke2"))).unwrap();
    assert!(xml.contains("<ComputerName>OQS-UKETSUKE2</ComputerName>"));
    assert!(!xml.contains("identify"));
    check_answer_file("demo-OQS-UKETSUKE2.autounattend.xml", &xml);
}

fn variant_site() -> Site {
    let mut site = demo_site();
    site.options.bypass_win11_checks = true;
    site.windows.product_key = Some("VK7JG-NPHTM-C97JM-9MPGT-3V66T".into());
    site.windows.target_disk.model = Some("MZVL2512".into());
    site.windows.target_disk.min_size_gb = Some(200);
    site
}

#[test]
fn bypass_product_key_and_disk_filters() {
    let password = Secret::new(ONE_TIME_PASSWORD);
    let xml = render(&variant_site(), &options(&password, None)).unwrap();
    for value in ["BypassTPMCheck", "BypassSecureBootCheck", "BypassRAMCheck"] {
        assert!(xml.contains(value), "{value}");
    }
    assert!(xml.contains("<Key>VK7JG-NPHTM-C97JM-9MPGT-3V66T</Key>"));
    check_answer_file("variant.autounattend.xml", &xml);
    let script = winpe_files(&variant_site()).unwrap().remove(0).1;
    assert!(script.contains("set \"MODEL=MZVL2512\"\r\n"));
    assert!(script.contains("set \"MIN_GB=200\"\r\n"));
}

#[test]
fn demo_winpe_files() {
    let files = winpe_files(&demo_site()).unwrap();
    let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            payload::layout::WINPE_SELECT_DISK,
            payload::layout::WINPE_LAYOUT_UEFI,
            payload::layout::WINPE_LAYOUT_BIOS
        ]
    );
    for (path, contents) in &files {
        let name = format!("demo.{}", path.rsplit('/').next().unwrap());
        check_golden(&name, contents);
    }
}
