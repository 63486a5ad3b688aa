//! What an installer's exit code means, told to clinic staff with the log to read.
//! MSI and most EXE bootstrappers share Windows Installer's codes.

use payload::Text;
use std::time::Duration;

/// How an installer run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// 0.
    Installed,
    /// 1641: installed, and the installer itself started a reboot.
    RebootInitiated,
    /// 3010: installed; the change takes effect after a reboot.
    RebootRequired,
    /// 1602: the user cancelled.
    Cancelled,
    /// 1603: fatal error during installation.
    Fatal,
    /// 1618: another installation is in progress.
    AnotherInstallRunning,
    /// Any other code.
    Failed(i32),
    /// Killed after the site's timeout.
    TimedOut(Duration),
}

impl Outcome {
    /// Reads a process exit code (Windows codes are 32-bit; `ExitStatus::code` gives them as `i32`).
    pub fn from_exit_code(code: i32) -> Outcome {
        match code {
            0 => Outcome::Installed,
            1641 => Outcome::RebootInitiated,
            3010 => Outcome::RebootRequired,
            1602 => Outcome::Cancelled,
            1603 => Outcome::Fatal,
            1618 => Outcome::AnotherInstallRunning,
            other => Outcome::Failed(other),
        }
    }

    pub fn succeeded(self) -> bool {
        matches!(
            self,
            Outcome::Installed | Outcome::RebootInitiated | Outcome::RebootRequired
        )
    }

    /// The journal must stop here and resume after a reboot.
    pub fn needs_reboot(self) -> bool {
        matches!(self, Outcome::RebootInitiated | Outcome::RebootRequired)
    }

    /// What happened to installer `id`, and which log to read.
    pub fn explain(self, id: &str, log: &str) -> Text {
        match self {
            Outcome::Installed => Text::new(
                format!("{id}: インストールしました"),
                format!("{id}: installed"),
            ),
            Outcome::RebootInitiated => Text::new(
                format!(
                    "{id}: インストールしました。インストーラーが再起動を始めました(1641)。再起動後に続きから再開します"
                ),
                format!(
                    "{id}: installed; the installer started a reboot (1641); setup resumes after it"
                ),
            ),
            Outcome::RebootRequired => Text::new(
                format!(
                    "{id}: インストールしました。再起動が必要です(3010)。再起動後に続きから再開します"
                ),
                format!("{id}: installed; a reboot is needed (3010); setup resumes after it"),
            ),
            Outcome::Cancelled => Text::new(
                format!("{id}: インストールが取り消されました(1602)。ログ: {log}"),
                format!("{id}: the installation was cancelled (1602); log: {log}"),
            ),
            Outcome::Fatal => Text::new(
                format!(
                    "{id}: インストール中に重大なエラーが起きました(1603)。ログ {log} の \"Return value 3\" の行の直前に原因があります"
                ),
                format!(
                    "{id}: fatal error during installation (1603); in {log} the cause is just before the line \"Return value 3\""
                ),
            ),
            Outcome::AnotherInstallRunning => Text::new(
                format!(
                    "{id}: 別のインストール(Windows Update など)が実行中です(1618)。終わってからやり直してください。ログ: {log}"
                ),
                format!(
                    "{id}: another installation (e.g. Windows Update) is running (1618); try again when it has finished; log: {log}"
                ),
            ),
            Outcome::Failed(code) => Text::new(
                format!(
                    "{id}: インストーラーが失敗しました(終了コード {})。ログ: {log}",
                    show_code(code)
                ),
                format!(
                    "{id}: the installer failed (exit code {}); log: {log}",
                    show_code(code)
                ),
            ),
            Outcome::TimedOut(after) => {
                let minutes = after.as_secs().div_ceil(60);
                Text::new(
                    format!(
                        "{id}: {minutes} 分たっても終わらないため止めました。画面に確認が出ていないか、ログ {log} を確認してください(site.toml の timeout_minutes で延ばせます)"
                    ),
                    format!(
                        "{id}: stopped after {minutes} minutes without finishing; check {log} for a prompt it waited on (site.toml timeout_minutes extends the limit)"
                    ),
                )
            }
        }
    }
}

/// NTSTATUS-style codes (a crash is 0xC0000005) read better in hex.
fn show_code(code: i32) -> String {
    if code < 0 {
        format!("{code} = 0x{:08X}", code as u32)
    } else {
        code.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_installer_codes() {
        assert_eq!(Outcome::from_exit_code(0), Outcome::Installed);
        for (code, reboot) in [(0, false), (1641, true), (3010, true)] {
            let o = Outcome::from_exit_code(code);
            assert!(o.succeeded(), "{code}");
            assert_eq!(o.needs_reboot(), reboot, "{code}");
        }
        for code in [1602, 1603, 1618, 1, -1073741819] {
            let o = Outcome::from_exit_code(code);
            assert!(!o.succeeded() && !o.needs_reboot(), "{code}");
        }
    }

    #[test]
    fn explanations_name_the_log_in_both_languages() {
        let log = r"C:\ProgramData\oqs-stick\logs\face-app.msi.log";
        let text = Outcome::Fatal.explain("face-app", log);
        for s in [&text.ja, &text.en] {
            assert!(
                s.contains("face-app")
                    && s.contains(r"logs\face-app.msi.log")
                    && s.contains("1603"),
                "{s}"
            );
        }
        let crash = Outcome::from_exit_code(-1073741819).explain("x", log);
        assert!(crash.en.contains("0xC0000005"), "{}", crash.en);
        let slow = Outcome::TimedOut(Duration::from_secs(1800)).explain("x", log);
        assert!(slow.ja.contains("30 分") && slow.en.contains("30 minutes"));
    }
}
