//! The command lines the answer file runs. The stick is found by its volume label, never
//! by drive letter: the letter differs between WinPE (often C: on a blank disk) and the
//! installed Windows (D: or later). `vol X:` prints the label in any UI language.

use crate::error::RenderError;
use payload::layout;

/// Windows Setup's limit for one command line, kept for every command list.
pub const MAX_COMMAND_CHARS: usize = 255;

/// `select-disk.cmd` writes this (WinPE's RAM drive) after it partitioned the one
/// checked disk; the next windowsPE command halts Setup when it is missing.
pub(crate) const DISK_READY_MARKER: &str = r"X:\oqs-disk.ok";

/// Where the stick may be in WinPE: X: is WinPE itself, A:/B: would prompt for floppies.
const WINPE_LETTERS: &str = "C D E F G H I J K L M N O P Q R S T U V W Y Z";
/// Where the stick may be once Windows is installed on C:.
const WINDOWS_LETTERS: &str = "D E F G H I J K L M N O P Q R S T U V W X Y Z";

/// `cmd /c` that runs `action` with `%i` bound to the stick's drive letter.
fn on_stick(letters: &str, action: &str) -> String {
    format!(
        "cmd /c \"for %i in ({letters}) do @vol %i: 2>nul | find \"{label}\" >nul && {action}\"",
        label = layout::VOLUME_LABEL
    )
}

/// `%i:\oqs\...` for a stick path.
fn stick_path(path: &str) -> String {
    format!(r"%i:\{}", layout::to_windows(path))
}

/// LabConfig: Setup skips Windows 11's TPM, Secure Boot and RAM checks.
pub(crate) fn labconfig() -> Vec<String> {
    ["BypassTPMCheck", "BypassSecureBootCheck", "BypassRAMCheck"]
        .map(|value| {
            format!(r"reg add HKLM\SYSTEM\Setup\LabConfig /v {value} /t REG_DWORD /d 1 /f")
        })
        .to_vec()
}

/// windowsPE: choose and partition the install disk (or refuse and halt).
pub(crate) fn select_disk() -> String {
    on_stick(
        WINPE_LETTERS,
        &format!("call {}", stick_path(layout::WINPE_SELECT_DISK)),
    )
}

/// windowsPE: halt when the disk was not prepared, whatever the reason (stick not
/// found, script missing, refused): Setup must never go on to pick a partition itself.
pub(crate) fn halt_unless_disk_ready() -> String {
    format!(
        "cmd /c \"if not exist {DISK_READY_MARKER} for /l %i in (0,0,1) do @(echo {ja} / {en}& pause& wpeutil shutdown)\"",
        ja = "インストール先ディスクが未確認のため中止します。電源を切ります",
        en = "install disk not checked: stopping. Shutting down",
    )
}

/// specialize (as SYSTEM): name the computer after the terminal whose hardware matches.
pub(crate) fn identify() -> String {
    on_stick(
        WINDOWS_LETTERS,
        &format!(
            "{} identify --set-computer-name",
            stick_path(layout::FIRSTBOOT_EXE)
        ),
    )
}

/// First logon: run firstboot from the stick; say so when the stick is not there.
pub(crate) fn first_logon() -> String {
    format!(
        "cmd /c \"for %i in ({WINDOWS_LETTERS}) do @(vol %i: 2>nul | find \"{label}\" >nul && ({exe} apply & pause & exit)) & echo {ja} / {en} & pause\"",
        label = layout::VOLUME_LABEL,
        exe = stick_path(layout::FIRSTBOOT_EXE),
        ja = "スティックが見つかりません。挿してから再起動してください",
        en = "stick not found: insert it and restart",
    )
}

/// Refuses a command line over Setup's limit.
pub(crate) fn checked(command: String) -> Result<String, RenderError> {
    let len = command.chars().count();
    if len > MAX_COMMAND_CHARS {
        return Err(RenderError::CommandTooLong {
            command,
            len,
            max: MAX_COMMAND_CHARS,
        });
    }
    Ok(command)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_fits_and_finds_the_stick_by_label() {
        let mut all = labconfig();
        all.extend([
            select_disk(),
            halt_unless_disk_ready(),
            identify(),
            first_logon(),
        ]);
        for command in all {
            let len = command.chars().count();
            assert!(len <= MAX_COMMAND_CHARS, "{len}: {command}");
            assert!(checked(command.clone()).is_ok());
            if command.contains(r"%i:\oqs") {
                assert!(command.contains("find \"OQS-STICK\""), "{command}");
            }
        }
    }

    #[test]
    fn winpe_search_includes_c_but_not_winpe_itself() {
        let command = select_disk();
        assert!(command.contains("(C D E"), "{command}");
        assert!(!command.contains(" X "), "{command}");
        assert!(
            command.ends_with(r#"&& call %i:\oqs\winpe\select-disk.cmd""#),
            "{command}"
        );
    }

    #[test]
    fn over_long_commands_are_refused() {
        assert!(matches!(
            checked("x".repeat(256)),
            Err(RenderError::CommandTooLong { len: 256, .. })
        ));
    }
}
