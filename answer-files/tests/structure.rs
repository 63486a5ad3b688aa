//! The validator finds each kind of mistake, located, in an otherwise good file.

mod common;

use answer_files::{StructureIssue, render, validate};
use common::{ONE_TIME_PASSWORD, demo_site, options};
use payload::Secret;

fn demo_xml() -> String {
    let password = Secret::new(ONE_TIME_PASSWORD);
    render(&demo_site(), &options(&password, None)).unwrap()
}

/// Applies `edit` to the demo file and returns the issues the validator reports.
fn issues_after(edit: impl Fn(&str) -> String) -> Vec<StructureIssue> {
    let good = demo_xml();
    let bad = edit(&good);
    assert_ne!(bad, good, "the edit must change the file");
    validate(&bad).expect_err("the validator must refuse the edited file")
}

fn assert_reports(issues: &[StructureIssue], needle: &str) {
    assert!(
        issues.iter().any(|i| i.to_string().contains(needle)),
        "expected an issue containing {needle:?}, got {issues:#?}"
    );
}

#[test]
fn the_demo_file_is_clean() {
    assert_eq!(validate(&demo_xml()), Ok(()));
}

#[test]
fn bom_and_non_ascii_bytes() {
    assert_reports(&issues_after(|x| format!("\u{FEFF}{x}")), "byte order mark");
    let issues = issues_after(|x| x.replace("&#x30C7;&#x30E2;", "デモ"));
    assert_reports(&issues, "non-ASCII");
    let line = issues
        .iter()
        .find(|i| i.message.contains("non-ASCII"))
        .unwrap()
        .line;
    assert!(
        demo_xml()
            .lines()
            .nth(line - 1)
            .unwrap()
            .contains("RegisteredOrganization")
    );
}

#[test]
fn not_well_formed() {
    assert_reports(
        &issues_after(|x| x.replacen("</UserData>", "", 1)),
        "not well-formed",
    );
    assert_reports(
        &issues_after(|x| x.replacen("ja-JP<", "ja&JP<", 1)),
        "not well-formed",
    );
}

#[test]
fn root_and_namespace() {
    assert_reports(
        &issues_after(|x| x.replace("urn:schemas-microsoft-com:unattend", "urn:example")),
        "the root must be",
    );
}

#[test]
fn passes_and_components() {
    assert_reports(
        &issues_after(|x| x.replace("pass=\"specialize\"", "pass=\"firstLogon\"")),
        "unknown pass",
    );
    assert_reports(
        &issues_after(|x| x.replace("pass=\"specialize\"", "pass=\"oobeSystem\"")),
        "appears twice",
    );
    assert_reports(
        &issues_after(|x| {
            x.replace(
                "name=\"Microsoft-Windows-Deployment\"",
                "name=\"Microsoft-Windows-Deployment-X\"",
            )
        }),
        "unknown component",
    );
    // The Deployment component is not valid in oobeSystem.
    let moved = |x: &str| {
        let start = x
            .find("    <component name=\"Microsoft-Windows-Deployment\"")
            .unwrap();
        let end = start + x[start..].find("</component>\n").unwrap() + "</component>\n".len();
        let block = &x[start..end];
        x.replacen(block, "", 1).replacen(
            "  </settings>\n</unattend>",
            &format!("{block}  </settings>\n</unattend>"),
            1,
        )
    };
    assert_reports(
        &issues_after(moved),
        "settings[oobeSystem]/component[Microsoft-Windows-Deployment]: not valid in the oobeSystem pass",
    );
}

#[test]
fn settings_in_the_wrong_pass_or_unknown() {
    assert_reports(
        &issues_after(|x| {
            x.replace(
                "<TimeZone>Tokyo Standard Time</TimeZone>",
                "<TimeZone>Tokyo Standard Time</TimeZone><FirstLogonCommands/>",
            )
        }),
        "FirstLogonCommands: not valid in the specialize pass",
    );
    assert_reports(
        &issues_after(|x| {
            x.replace(
                "<UserData>",
                "<DiskConfiguration><WillShowUI>Never</WillShowUI></DiskConfiguration><UserData>",
            )
        }),
        "DiskConfiguration: unknown setting",
    );
}

#[test]
fn the_five_component_attributes() {
    assert_reports(
        &issues_after(|x| x.replacen(" versionScope=\"nonSxS\"", "", 1)),
        "missing attribute versionScope",
    );
    assert_reports(
        &issues_after(|x| x.replacen("31bf3856ad364e35", "0000000000000000", 1)),
        "publicKeyToken",
    );
    assert_reports(
        &issues_after(|x| x.replacen("\"amd64\"", "\"x86\"", 1)),
        "processorArchitecture=\"x86\"",
    );
    assert_reports(
        &issues_after(|x| x.replacen("language=\"neutral\"", "language=\"ja-JP\"", 1)),
        "language",
    );
}

#[test]
fn wcm_action_on_list_items() {
    assert_reports(
        &issues_after(|x| x.replacen("<LocalAccount wcm:action=\"add\">", "<LocalAccount>", 1)),
        "needs wcm:action",
    );
    assert_reports(
        &issues_after(|x| {
            x.replacen(
                " xmlns:wcm=\"http://schemas.microsoft.com/WMIConfig/2002/State\"",
                "",
                1,
            )
        }),
        "undeclared namespace prefix",
    );
    assert_reports(
        &issues_after(|x| x.replacen("wcm:action=\"add\"", "wcm:action=\"modify\"", 1)),
        "must be \"add\"",
    );
}

#[test]
fn order_unique_one_based_contiguous() {
    assert_reports(
        &issues_after(|x| x.replacen("<Order>2</Order>", "<Order>1</Order>", 1)),
        "[1, 1]",
    );
    assert_reports(
        &issues_after(|x| x.replacen("<Order>2</Order>", "<Order>3</Order>", 1)),
        "[1, 3]",
    );
    assert_reports(
        &issues_after(|x| {
            x.replacen("<Order>1</Order>", "<Order>0</Order>", 1)
                .replacen("<Order>2</Order>", "<Order>1</Order>", 1)
        }),
        "[0, 1]",
    );
    assert_reports(
        &issues_after(|x| x.replacen("<Order>1</Order>", "", 1)),
        "numeric <Order>",
    );
}

#[test]
fn command_line_length() {
    let long = format!("<Path>cmd /c echo {}</Path>", "x".repeat(250));
    let issues = issues_after(|x| {
        let start = x.find("<Path>").unwrap();
        let end = x.find("</Path>").unwrap() + "</Path>".len();
        format!("{}{long}{}", &x[..start], &x[end..])
    });
    assert_reports(&issues, "command line of 262 characters; the limit is 255");
    assert!(
        validate(&demo_xml().replacen("<Path>cmd", &format!("<Path>{}cmd", " ".repeat(10)), 1))
            .is_ok()
    );
}

#[test]
fn passwords_never_in_plain_text() {
    assert_reports(
        &issues_after(|x| {
            x.replacen(
                "<PlainText>false</PlainText>",
                "<PlainText>true</PlainText>",
                1,
            )
        }),
        "plain text",
    );
    assert_reports(
        &issues_after(|x| x.replacen("<PlainText>false</PlainText>", "", 1)),
        "plain text",
    );
}
