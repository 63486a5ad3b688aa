//! site.toml as the operator writes it: the demo loads, mistakes are all reported.

use payload::site::{self, LoadError, Severity};
use std::path::Path;

fn demo_source() -> String {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/demo-clinic/site.toml");
    std::fs::read_to_string(file).unwrap()
}

#[test]
fn demo_site_loads_with_defaults_filled_in() {
    let loaded = site::parse(&demo_source(), Path::new("site.toml")).unwrap();
    let (site, warnings) = (&loaded.site, &loaded.warnings);
    assert!(warnings.iter().all(|w| w.severity == Severity::Warning));
    assert_eq!(site.terminals.len(), 3);
    assert_eq!(site.primary().unwrap().name, "OQS-UKETSUKE1");
    assert_eq!(
        site.dns_servers()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["2001:a7ff:f014:d00::53:1", "2001:a7ff:f014:d00::53:2"]
    );
    assert_eq!(site.network.proxy.bypass.len(), 9);
    assert_eq!(site.karte_link.keys.len(), 6);
    assert_eq!(site.tasks.daily_restart.as_deref(), Some("05:00"));
}

#[test]
fn six_mistakes_give_six_located_errors() {
    let src = demo_source()
        .replace("\"2312345678\"", "\"231234567\"")
        .replace("name = \"OQS-SHINSATSU\"", "name = \"OQS-SHINSATSU-ROOM2\"")
        .replace(
            "role = \"standby\"\ncertificate = \"generated/certs/OQS-UKETSUKE2.pfx\"",
            "role = \"primary\"\ncertificate = \"generated/certs/OQS-UKETSUKE2.pfx\"",
        )
        .replace(
            "daily_restart = \"05:00\"",
            "daily_restart = \"5am\"\nweekly_restart = \"Sun\"",
        )
        .replace(
            "url = \"https://hweb.oqs.onshikaku.org/web/\"",
            "url = \"hweb.oqs.onshikaku.org/web/\"",
        );
    let err = site::parse(&src, Path::new("site.toml")).unwrap_err();
    let LoadError::Invalid { problems, .. } = &err else {
        panic!("expected validation errors, got {err}");
    };
    let errors: Vec<String> = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| format!("{}@{}", p.path, p.position.map_or(0, |p| p.line)))
        .collect();
    assert_eq!(
        errors,
        [
            "clinic.medical_institution_code@9",
            "terminals@15",
            "terminals[2].name@28",
            "tasks.daily_restart@79",
            "tasks.weekly_restart@80",
            "shortcuts[0].url@84",
        ]
    );
    let text = err.to_string();
    assert!(text.contains("site.toml:80:1"), "{text}");
}

#[test]
fn toml_syntax_errors_name_line_and_column() {
    let src = demo_source().replace("line = \"west\"", "line = west");
    let err = site::parse(&src, Path::new("site.toml")).unwrap_err();
    let LoadError::Syntax { position, .. } = &err else {
        panic!("expected a syntax error, got {err}");
    };
    assert_eq!(position.unwrap().line, 10);
}

#[test]
fn wrong_enum_value_is_located() {
    let src = demo_source().replace("line = \"west\"", "line = \"north\"");
    let err = site::parse(&src, Path::new("site.toml")).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("site.toml:10:8"), "{text}");
    assert!(text.contains("east") && text.contains("west"), "{text}");
}
