//! Scheduled tasks, registered from XML to run as OqsComApp: the start-up tasks
//! OQS needs, the daily restart, and any the site adds as XML files on the stick.

mod xml;

pub use xml::{TaskDef, Trigger, render};

use crate::host::{Capability, Host};
use crate::step::{Change, Shown, State, Step, short_sha256};
use payload::Text;
use payload::site::{Tasks, parse_hh_mm};
use sha2::{Digest, Sha256};

/// Programs the built-in tasks start. Not confirmed on a terminal: the OQS
/// installers may name them differently; a site can replace a task with its own
/// XML (`tasks.extra`) and turn the built-in one off.
pub const DISTROAPP_EXE: &str = r"C:\Program Files\OQS\OQSDistroApp\OQSDistroApp.exe";
pub const COMAPP_DELFILE_BAT: &str = r"C:\Program Files\OQS\OQSComApp\tools\OQSComAppDelFile.bat";
pub const SHUTDOWN_EXE: &str = r"C:\Windows\System32\shutdown.exe";

/// The tasks firstboot defines itself, from `site.tasks`.
pub fn built_in(tasks: &Tasks) -> Vec<TaskDef> {
    let mut out = Vec::new();
    if tasks.distroapp_start {
        out.push(TaskDef {
            name: "OQS_exec_distroappstart".into(),
            description: "OQSDistroApp: start at boot (1 min delay), then hourly".into(),
            trigger: Trigger::Boot {
                delay: "PT1M".into(),
                every: Some("PT1H".into()),
            },
            command: DISTROAPP_EXE.into(),
            arguments: None,
        });
    }
    if tasks.comapp_delete_files {
        out.push(TaskDef {
            name: "OQS_exec_comappdelfile_running".into(),
            description: "OQSComApp: clear stale request/response files at boot (30 s delay)"
                .into(),
            trigger: Trigger::Boot {
                delay: "PT30S".into(),
                every: None,
            },
            command: COMAPP_DELFILE_BAT.into(),
            arguments: None,
        });
    }
    if let Some((hour, minute)) = tasks.daily_restart.as_deref().and_then(parse_hh_mm) {
        out.push(TaskDef {
            name: "OQS_daily_restart".into(),
            description: format!("定刻に再起動 / daily restart at {hour:02}:{minute:02}"),
            trigger: Trigger::Daily { hour, minute },
            command: SHUTDOWN_EXE.into(),
            arguments: Some("/r /f /t 60".into()),
        });
    }
    out
}

/// The every-minute `role check` (heartbeat of the active terminal, demotion of one
/// that lost the lease, first activation by the primary), run from the copies
/// `local-copy` keeps on the terminal: the stick is gone by then.
pub fn role_check(state_dir: &str, terminal: &str) -> TaskDef {
    TaskDef {
        name: "OQS_stick_role_check".into(),
        description:
            "oqs-stick: 電子カルテ連携の担当確認 / 電子カルテ link role check, every minute".into(),
        trigger: Trigger::Boot {
            delay: "PT1M".into(),
            every: Some("PT1M".into()),
        },
        command: crate::paths::local_exe(state_dir),
        arguments: Some(format!(
            r#"role check --terminal {terminal} --site "{}""#,
            crate::paths::local_site(state_dir)
        )),
    }
}

pub struct ScheduledTask {
    pub name: String,
    pub xml: String,
    pub run_as: String,
}

fn digest(xml: &str) -> String {
    format!(
        "XML {}",
        short_sha256(&hex::encode(Sha256::digest(xml.as_bytes())))
    )
}

impl Step for ScheduledTask {
    fn id(&self) -> String {
        format!("task.{}", self.name)
    }

    fn title(&self) -> Text {
        Text::new(
            format!("タスク {} ({} として実行)", self.name, self.run_as),
            format!("Scheduled task {} (runs as {})", self.name, self.run_as),
        )
    }

    fn requires(&self) -> Vec<Capability> {
        vec![Capability::Tasks]
    }

    fn check(&self, host: &dyn Host) -> anyhow::Result<State> {
        let now = host.task_xml(&self.name)?;
        if now.as_deref() == Some(self.xml.as_str()) {
            return Ok(State::Ok);
        }
        Ok(State::Differs(vec![Change {
            what: format!(r"task \{}", self.name),
            before: now.map_or(Shown::Absent, |x| Shown::Value(digest(&x))),
            after: Shown::Value(digest(&self.xml)),
        }]))
    }

    fn apply(&self, host: &mut dyn Host) -> anyhow::Result<()> {
        host.register_task(&self.name, &self.xml, &self.run_as)?;
        Ok(())
    }
}
