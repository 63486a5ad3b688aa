//! The WinPE files the answer file runs before Setup touches a disk: `select-disk.cmd`
//! (choose the one install disk, refuse when unclear) and the two diskpart layouts.
//! They are text the builder copies onto the stick at the `payload::layout` paths.

use crate::commands::DISK_READY_MARKER;
use crate::error::RenderError;
use payload::Site;
use payload::layout;

/// Internal disks smaller than this never qualify unless the site sets `min_size_gb`:
/// Windows 10 needs 32 GB, so anything smaller is a card reader or a boot module.
pub const DEFAULT_MIN_DISK_GB: u32 = 32;

const SELECT_DISK: &str = include_str!("winpe/select-disk.cmd");
const LAYOUT_UEFI: &str = include_str!("winpe/layout-uefi.txt");
const LAYOUT_BIOS: &str = include_str!("winpe/layout-bios.txt");

/// `(path on the stick, contents)` for every WinPE file the answer file needs, with CRLF
/// line ends (cmd.exe mis-handles labels in LF-only batch files).
pub fn winpe_files(site: &Site) -> Result<Vec<(String, String)>, RenderError> {
    let target = &site.windows.target_disk;
    let model = match &target.model {
        Some(model) => checked_model(model)?,
        None => "",
    };
    let min_gb = target.min_size_gb.unwrap_or(DEFAULT_MIN_DISK_GB);
    let script = SELECT_DISK
        .replace("@LABEL@", layout::VOLUME_LABEL)
        .replace("@MODEL@", model)
        .replace("@MIN_GB@", &min_gb.to_string())
        .replace("@MARKER@", DISK_READY_MARKER)
        .replace("@LAYOUT_UEFI@", file_name(layout::WINPE_LAYOUT_UEFI))
        .replace("@LAYOUT_BIOS@", file_name(layout::WINPE_LAYOUT_BIOS));
    Ok(vec![
        (layout::WINPE_SELECT_DISK.to_owned(), crlf(&script)),
        (layout::WINPE_LAYOUT_UEFI.to_owned(), crlf(LAYOUT_UEFI)),
        (layout::WINPE_LAYOUT_BIOS.to_owned(), crlf(LAYOUT_BIOS)),
    ])
}

/// The model text goes into `set "MODEL=..."` and `findstr /l /c:"%MODEL%"`: keep to
/// characters that mean nothing to cmd.exe or findstr.
fn checked_model(model: &str) -> Result<&str, RenderError> {
    let ok = |c: char| c.is_ascii_alphanumeric() || " -_.,:/()+#".contains(c);
    if model.trim().is_empty() || model.len() > 64 || !model.chars().all(ok) {
        return Err(RenderError::Unsupported {
            key: "windows.target_disk.model",
            value: model.to_owned(),
            allowed: "1-64 ASCII letters, digits, spaces and - _ . , : / ( ) + #",
        });
    }
    Ok(model)
}

fn file_name(stick_path: &str) -> &str {
    stick_path.rsplit('/').next().unwrap_or(stick_path)
}

fn crlf(text: &str) -> String {
    text.lines().map(|line| format!("{line}\r\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_text_that_cmd_would_interpret_is_refused() {
        for bad in [
            "Samsung\" & format c:",
            "100%",
            "a!b",
            "x^y",
            "a\\b",
            "日本",
            "",
        ] {
            assert!(checked_model(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            checked_model("SAMSUNG MZVL2512HCJQ-00B00").unwrap(),
            "SAMSUNG MZVL2512HCJQ-00B00"
        );
    }

    #[test]
    fn crlf_everywhere() {
        let out = crlf("a\nb\r\nc");
        assert_eq!(out, "a\r\nb\r\nc\r\n");
    }
}
