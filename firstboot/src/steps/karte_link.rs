//! `karte-link`: OQSComApp's DataDir keys in `UserDefinition.property` must point
//! at one coherent pair of folders. firstboot never decides who is active: a fresh
//! or drifted file is pointed at the local folders (standby: safe, never two
//! terminals on the shared req/res), a file already pointing at the share is left
//! alone (it is the active terminal's). Taking the share is `role activate` or the
//! primary's scheduled `role check`. After a change OQSComAppRestart.bat runs.

use crate::host::{Exit, Host, KnownFolder};
use crate::link::installer::Launch;
use crate::link::role::{self, PROPERTY_FILE, Pointing, RESTART_SCRIPT, Target};
use crate::paths;
use crate::step::{Change, Shown, State, Step};
use payload::Text;
use payload::site::KarteLink;
use std::time::Duration;

pub struct KarteLinkSettings {
    pub link: KarteLink,
}

/// `OQSComAppRestart.bat` through cmd.exe, its output kept in a log beside firstboot's.
fn restart_com_app(host: &dyn Host) -> anyhow::Result<Launch> {
    let windows = host.known_folder(KnownFolder::Windows)?;
    Ok(Launch::Exe {
        program: format!(r"{windows}\System32\cmd.exe"),
        command_line: format!(r#"cmd.exe /d /c "{RESTART_SCRIPT}""#),
        log: format!(r"{}\comapp-restart.log", paths::state_dir(host)?),
        timeout: Duration::from_secs(120),
    })
}

impl Step for KarteLinkSettings {
    fn id(&self) -> String {
        "karte-link".into()
    }

    fn title(&self) -> Text {
        Text::new(
            "電子カルテ連携のフォルダー設定 (UserDefinition.property)",
            "電子カルテ link folders (UserDefinition.property)",
        )
    }

    fn check(&self, host: &dyn Host) -> anyhow::Result<State> {
        // Before OQSComApp is installed (plan on a fresh terminal) the file is not
        // there yet: every key will be set; apply insists on the installed file.
        let current = host.read_file(PROPERTY_FILE)?.unwrap_or_default();
        if role::pointing(&self.link, &current)? != Pointing::Mixed {
            return Ok(State::Ok);
        }
        let plan = role::plan(&self.link, &current, Target::Local)?;
        Ok(State::Differs(
            plan.changes
                .into_iter()
                .map(|c| Change {
                    what: c.key,
                    before: c.before.map_or(Shown::Absent, Shown::Value),
                    after: Shown::Value(c.after),
                })
                .collect(),
        ))
    }

    fn apply(&self, host: &mut dyn Host) -> anyhow::Result<()> {
        let Some(current) = host.read_file(PROPERTY_FILE)? else {
            anyhow::bail!(
                "{}",
                Text::new(
                    format!(
                        "{PROPERTY_FILE} がありません。連携アプリ (OQSComApp) が入っているか確かめてください"
                    ),
                    format!("{PROPERTY_FILE} is missing: check that OQSComApp is installed"),
                )
            );
        };
        let plan = role::plan(&self.link, &current, Target::Local)?;
        host.write_file(PROPERTY_FILE, &plan.bytes)?;
        let launch = restart_com_app(host)?;
        match host.run(&launch)? {
            Exit::Code(0) => Ok(()),
            Exit::Code(code) => anyhow::bail!(
                "{}",
                Text::new(
                    format!(
                        "OQSComAppRestart.bat が終了コード {code} で失敗しました。ログ: {}",
                        launch.log()
                    ),
                    format!(
                        "OQSComAppRestart.bat failed with exit code {code}; log: {}",
                        launch.log()
                    ),
                )
            ),
            Exit::TimedOut => anyhow::bail!(
                "{}",
                Text::new(
                    format!(
                        "OQSComAppRestart.bat が 2 分たっても終わりません。ログ: {}",
                        launch.log()
                    ),
                    format!(
                        "OQSComAppRestart.bat did not finish within 2 minutes; log: {}",
                        launch.log()
                    ),
                )
            ),
        }
    }
}
