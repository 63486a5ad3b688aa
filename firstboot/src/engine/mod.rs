//! The engine: runs the steps in order for `plan`, `apply` and `verify`, owns the
//! journal, the log, the progress lines and the report. Steps only check and apply.

pub mod journal;
pub mod log;
mod report;
pub mod resume;

pub use journal::Journal;
pub use report::{Report, StepReport};

use crate::host::Host;
use crate::step::{Change, State, Step};
use log::Log;
use payload::Text;
use serde::{Deserialize, Serialize};
use std::io::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Already as the site wants it.
    Ok,
    /// plan/verify: would change / is not as the site wants it.
    Differs,
    /// apply: changed, and the check afterwards agrees.
    Changed,
    /// The check cannot tell (verify) or apply could not make it right.
    Unknown,
    Failed,
    /// Not run: filtered out, or the host cannot do it.
    Skipped,
    /// apply stopped at an earlier failure.
    NotRun,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    Plan,
    Apply { reboot: bool },
    Verify,
}

impl Command {
    fn name(self) -> &'static str {
        match self {
            Command::Plan => "plan",
            Command::Apply { .. } => "apply",
            Command::Verify => "verify",
        }
    }
}

/// Which steps to run: `--only`/`--skip` take step ids or their first part (`task`).
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub only: Vec<String>,
    pub skip: Vec<String>,
}

fn matches(pattern: &str, id: &str) -> bool {
    id.eq_ignore_ascii_case(pattern)
        || id
            .to_ascii_lowercase()
            .starts_with(&format!("{}.", pattern.to_ascii_lowercase()))
}

impl Filter {
    /// Fails on a pattern that names no step, listing the ids there are.
    pub fn validate(&self, steps: &[Box<dyn Step>]) -> anyhow::Result<()> {
        for pattern in self.only.iter().chain(&self.skip) {
            if !steps.iter().any(|s| matches(pattern, &s.id())) {
                let ids: Vec<String> = steps.iter().map(|s| s.id()).collect();
                anyhow::bail!(
                    "{}",
                    Text::new(
                        format!(
                            "\"{pattern}\" という手順はありません。手順: {}",
                            ids.join(", ")
                        ),
                        format!("no step \"{pattern}\"; the steps are: {}", ids.join(", ")),
                    )
                );
            }
        }
        Ok(())
    }

    fn excludes(&self, id: &str) -> bool {
        (!self.only.is_empty() && !self.only.iter().any(|p| matches(p, id)))
            || self.skip.iter().any(|p| matches(p, id))
    }
}

pub struct Engine<'a> {
    pub host: &'a mut dyn Host,
    pub steps: &'a [Box<dyn Step>],
    pub filter: &'a Filter,
    /// Progress lines (a sink when the report goes out as JSON).
    pub console: &'a mut dyn Write,
    pub terminal: &'a str,
}

impl Engine<'_> {
    pub fn run(&mut self, command: Command) -> anyhow::Result<Report> {
        let log = Log::open(self.host)?;
        let mut journal = match command {
            Command::Apply { .. } => Some(self.start_journal(&log)?),
            _ => None,
        };
        let mut report = Report::new(command.name(), self.terminal);
        let total = self.steps.len() + usize::from(journal.is_some());
        let mut stopped = false;
        for (index, step) in self.steps.iter().enumerate() {
            let mut entry = StepReport::new(step.as_ref());
            if stopped {
                entry.outcome = Outcome::NotRun;
            } else if let Some(reason) = self.skip_reason(step.as_ref()) {
                entry.outcome = Outcome::Skipped;
                entry.detail = Some(reason);
            } else {
                match command {
                    Command::Apply { .. } => self.apply_one(step.as_ref(), &mut entry),
                    Command::Plan | Command::Verify => self.check_one(step.as_ref(), &mut entry),
                }
            }
            let line = report::progress_line(index + 1, total, &entry, command);
            self.say(&log, &line)?;
            if let Some(journal) = journal.as_mut() {
                if entry.outcome == Outcome::Changed && step.needs_reboot() {
                    journal.reboot_owed = true;
                }
                journal.record(&entry.id, entry.outcome, self.host.now_unix());
                journal.save(self.host)?;
            }
            stopped |= matches!(entry.outcome, Outcome::Failed | Outcome::Unknown)
                && matches!(command, Command::Apply { .. });
            report.steps.push(entry);
        }
        if let (Some(journal), Command::Apply { reboot }) = (journal.as_mut(), command) {
            self.finish(journal, &log, &mut report, reboot, !stopped, total)?;
        }
        let summary = report.summary_line();
        self.say(&log, &summary)?;
        Ok(report)
    }

    fn start_journal(&mut self, log: &Log) -> anyhow::Result<Journal> {
        let mut journal = Journal::load(self.host)?.unwrap_or_default();
        if journal.runs > 0 && !journal.finished {
            let done = journal
                .steps
                .iter()
                .filter(|e| matches!(e.outcome, Outcome::Ok | Outcome::Changed))
                .count();
            let line = Text::new(
                format!(
                    "前回の実行は途中で止まりました ({done} 手順まで完了)。続きから確認します。"
                ),
                format!(
                    "The last run stopped part-way ({done} steps done); checking again from the start and resuming."
                ),
            );
            self.say(log, &line.to_string())?;
        }
        journal.runs += 1;
        journal.finished = false;
        journal.terminal = self.terminal.to_owned();
        journal.steps.clear();
        journal.save(self.host)?;
        resume::arm(self.host, self.terminal)?;
        Ok(journal)
    }

    fn finish(
        &mut self,
        journal: &mut Journal,
        log: &Log,
        report: &mut Report,
        reboot_allowed: bool,
        all_done: bool,
        total: usize,
    ) -> anyhow::Result<()> {
        let (outcome, detail) = if !all_done {
            (Outcome::NotRun, None)
        } else if !journal.reboot_owed {
            journal.finished = true;
            (
                Outcome::Ok,
                Some(Text::new("再起動は不要です", "no restart needed")),
            )
        } else if !reboot_allowed {
            (
                Outcome::Skipped,
                Some(Text::new(
                    "--no-reboot: 設定を有効にするには Windows を再起動してください",
                    "--no-reboot: restart Windows for the changes to take effect",
                )),
            )
        } else if let Some(why) = self.host.unsupported(crate::host::Capability::Reboot) {
            (Outcome::Skipped, Some(why))
        } else {
            journal.reboot_owed = false;
            journal.finished = true;
            (
                Outcome::Changed,
                Some(Text::new("再起動します", "restarting Windows")),
            )
        };
        let mut entry = StepReport {
            id: "reboot".into(),
            title: Text::new("再起動", "Restart"),
            outcome,
            changes: Vec::new(),
            detail: detail.map(|t| t.to_string()),
        };
        journal.record(&entry.id, outcome, self.host.now_unix());
        journal.save(self.host)?;
        let line = report::progress_line(
            total,
            total,
            &entry,
            Command::Apply {
                reboot: reboot_allowed,
            },
        );
        self.say(log, &line)?;
        if journal.finished {
            resume::disarm(self.host)?;
        }
        report.reboot = outcome == Outcome::Changed;
        if report.reboot
            && let Err(e) = self.host.reboot()
        {
            // Still owed: the next run restarts.
            journal.reboot_owed = true;
            journal.finished = false;
            journal.save(self.host)?;
            resume::arm(self.host, self.terminal)?;
            entry.outcome = Outcome::Failed;
            entry.detail = Some(e.to_string());
            report.reboot = false;
        }
        report.steps.push(entry);
        Ok(())
    }

    fn skip_reason(&self, step: &dyn Step) -> Option<String> {
        if self.filter.excludes(&step.id()) {
            return Some(
                Text::new("--only/--skip で除外", "excluded by --only/--skip").to_string(),
            );
        }
        step.requires().into_iter().find_map(|cap| {
            self.host.unsupported(cap).map(|why| {
                Text::new(
                    format!("このホストでは実行できません: {why}"),
                    format!("not supported on this host: {why}"),
                )
                .to_string()
            })
        })
    }

    fn check_one(&mut self, step: &dyn Step, entry: &mut StepReport) {
        match step.check(self.host) {
            Ok(State::Ok) => entry.outcome = Outcome::Ok,
            Ok(State::Differs(changes)) => {
                entry.outcome = Outcome::Differs;
                entry.changes = changes;
            }
            Ok(State::Unknown(why)) => {
                entry.outcome = Outcome::Unknown;
                entry.detail = Some(why.to_string());
            }
            Err(e) => {
                entry.outcome = Outcome::Failed;
                entry.detail = Some(format!("{e:#}"));
            }
        }
    }

    /// check -> apply -> check again: a step is `changed` only when the second check agrees.
    fn apply_one(&mut self, step: &dyn Step, entry: &mut StepReport) {
        self.check_one(step, entry);
        if entry.outcome != Outcome::Differs {
            return;
        }
        if let Err(e) = step.apply(self.host) {
            entry.outcome = Outcome::Failed;
            entry.detail = Some(format!("{e:#}"));
            return;
        }
        match step.check(self.host) {
            Ok(State::Ok) => entry.outcome = Outcome::Changed,
            Ok(State::Differs(still)) => {
                entry.outcome = Outcome::Failed;
                let list: Vec<String> = still.iter().map(Change::to_string).collect();
                entry.detail = Some(
                    Text::new(
                        format!("適用後も違いが残っています: {}", list.join("; ")),
                        format!("still differs after apply: {}", list.join("; ")),
                    )
                    .to_string(),
                );
            }
            Ok(State::Unknown(why)) => {
                entry.outcome = Outcome::Unknown;
                entry.detail = Some(why.to_string());
            }
            Err(e) => {
                entry.outcome = Outcome::Failed;
                entry.detail = Some(format!("{e:#}"));
            }
        }
    }

    fn say(&mut self, log: &Log, line: &str) -> anyhow::Result<()> {
        writeln!(self.console, "{line}")?;
        log.write(self.host, line)
    }
}
