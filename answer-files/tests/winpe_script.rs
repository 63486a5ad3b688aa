//! select-disk.cmd cannot run here (no WinPE, no diskpart), so these tests hold it to
//! the rules that keep it safe: every jump has its label, every refusal ends in the
//! halt loop, nothing is left unfilled, and the stick is never a candidate.

mod common;

use answer_files::winpe_files;
use common::demo_site;
use std::collections::HashSet;

fn script() -> String {
    winpe_files(&demo_site()).unwrap().remove(0).1
}

fn labels(script: &str) -> HashSet<String> {
    script
        .lines()
        .filter_map(|l| l.strip_prefix(':'))
        .map(|l| l.trim().to_ascii_lowercase())
        .collect()
}

#[test]
fn every_goto_and_call_has_its_label() {
    let script = script();
    let labels = labels(&script);
    for line in script.lines() {
        for (keyword, skip) in [("goto ", 5), ("call :", 6)] {
            if let Some(at) = line.find(keyword) {
                let target: String = line[at + skip..]
                    .trim_start_matches(':')
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                assert!(
                    labels.contains(&target.to_ascii_lowercase()),
                    "no label for {line:?}"
                );
            }
        }
    }
}

#[test]
fn every_refusal_reason_goes_to_the_halt_loop() {
    let script = script();
    let reasons: Vec<&str> = script
        .lines()
        .filter_map(|l| l.strip_prefix(":no_"))
        .collect();
    assert!(reasons.len() >= 8, "{reasons:?}");
    for reason in reasons {
        let label = format!(":no_{reason}");
        let after = &script[script.find(&label).unwrap()..];
        let block: Vec<&str> = after
            .lines()
            .take_while(|l| !l.is_empty())
            .take(5)
            .collect();
        assert!(
            block.contains(&"goto refuse"),
            "{label} does not refuse: {block:?}"
        );
    }
    let tail = &script[script.find(":halt").unwrap()..];
    assert_eq!(
        tail,
        ":halt\r\npause >nul\r\nwpeutil shutdown\r\ngoto halt\r\n"
    );
}

#[test]
fn filled_in_and_crlf() {
    let script = script();
    for placeholder in [
        "@LABEL@",
        "@MODEL@",
        "@MIN_GB@",
        "@MARKER@",
        "@LAYOUT_UEFI@",
        "@LAYOUT_BIOS@",
    ] {
        assert!(!script.contains(placeholder), "{placeholder}");
    }
    assert!(script.contains("set \"LABEL=OQS-STICK\"\r\n"));
    assert!(
        script.contains("set \"MODEL=\"\r\n"),
        "the demo sets no model filter"
    );
    assert!(script.contains("set \"MIN_GB=32\"\r\n"));
    assert!(script.contains("set \"MARKER=X:\\oqs-disk.ok\"\r\n"));
    assert!(script.contains("%~dp0layout-uefi.txt") && script.contains("%~dp0layout-bios.txt"));
    assert!(!script.replace("\r\n", "").contains('\n'), "LF without CR");
    // Delayed expansion is off: a '!' would be literal, but keep it out to stay obvious.
    assert!(!script.contains("EnableDelayedExpansion"));
}

#[test]
fn the_stick_is_matched_before_anything_can_qualify() {
    let script = script();
    let stick = script.find("findstr /l /c:\"%LABEL%\"").unwrap();
    let usb = script.find("/c:\"USB\"").unwrap();
    let candidate = script.find(":is_candidate").unwrap();
    assert!(stick < usb && usb < candidate);
    // Other disks go offline before the one disk is cleaned, in separate diskpart runs.
    let offline = script.find("echo offline disk").unwrap();
    let clean = script
        .find("(echo select disk %TARGET%& type \"%LAYOUT%\")")
        .unwrap();
    assert!(offline < clean);
    assert!(script.contains("if not \"%STICKS%\"==\"1\" goto no_stick"));
    assert!(script.contains("if %COUNT% GTR 1 goto many_disks"));
}

#[test]
fn layouts_clean_only_after_select() {
    for (path, layout) in winpe_files(&demo_site()).unwrap().into_iter().skip(1) {
        let commands: Vec<&str> = layout.lines().filter(|l| !l.starts_with("rem ")).collect();
        assert_eq!(
            commands[0], "clean",
            "{path}: select-disk.cmd puts `select disk N` first"
        );
        assert!(
            !commands
                .iter()
                .any(|c| c.to_ascii_lowercase().starts_with("select")),
            "{path}: a layout must not pick its own disk"
        );
    }
    let files = winpe_files(&demo_site()).unwrap();
    let uefi = &files[1].1;
    assert!(
        uefi.contains("create partition efi size=300")
            && uefi.contains("create partition msr size=16")
    );
    assert!(uefi.contains("de94bba4-06d1-4d40-a16a-bfd50179d6ac"));
    let bios = &files[2].1;
    assert!(bios.contains("active") && bios.contains("set id=27"));
}
