//! What a run found, for people (progress lines, summary) and for scripts (`--json`).

use super::{Command, Outcome};
use crate::step::{Change, Step};
use payload::Text;
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub command: &'static str,
    pub terminal: String,
    pub steps: Vec<StepReport>,
    /// apply: Windows is restarting now.
    pub reboot: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct StepReport {
    pub id: String,
    pub title: Text,
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Change>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl StepReport {
    pub fn new(step: &dyn Step) -> StepReport {
        StepReport {
            id: step.id(),
            title: step.title(),
            outcome: Outcome::NotRun,
            changes: Vec::new(),
            detail: None,
        }
    }
}

impl Report {
    pub fn new(command: &'static str, terminal: &str) -> Report {
        Report {
            command,
            terminal: terminal.to_owned(),
            steps: Vec::new(),
            reboot: false,
        }
    }

    pub fn count(&self, outcome: Outcome) -> usize {
        self.steps.iter().filter(|s| s.outcome == outcome).count()
    }

    /// Whether the terminal is as the site wants it (verify) / the run worked (apply).
    pub fn healthy(&self) -> bool {
        let bad = [
            Outcome::Differs,
            Outcome::Unknown,
            Outcome::Failed,
            Outcome::NotRun,
        ];
        !self.steps.iter().any(|s| match self.command {
            // plan exists to show differences; only errors make it fail.
            "plan" => matches!(s.outcome, Outcome::Failed | Outcome::Unknown),
            _ => bad.contains(&s.outcome),
        })
    }

    pub fn summary_line(&self) -> String {
        let n = |o| self.count(o);
        let text = Text::new(
            format!(
                "{}: 端末 {} — 正常 {} / 違いあり {} / 変更 {} / 失敗 {} / 不明 {} / 省略 {} / 未実行 {}",
                self.command,
                self.terminal,
                n(Outcome::Ok),
                n(Outcome::Differs),
                n(Outcome::Changed),
                n(Outcome::Failed),
                n(Outcome::Unknown),
                n(Outcome::Skipped),
                n(Outcome::NotRun)
            ),
            format!(
                "{}: terminal {} — ok {}, differs {}, changed {}, failed {}, unknown {}, skipped {}, not run {}",
                self.command,
                self.terminal,
                n(Outcome::Ok),
                n(Outcome::Differs),
                n(Outcome::Changed),
                n(Outcome::Failed),
                n(Outcome::Unknown),
                n(Outcome::Skipped),
                n(Outcome::NotRun)
            ),
        );
        text.to_string()
    }
}

fn outcome_word(outcome: Outcome, command: Command) -> Text {
    match (outcome, command) {
        (Outcome::Ok, Command::Apply { .. }) => Text::new("変更なし", "unchanged"),
        (Outcome::Ok, _) => Text::new("OK", "ok"),
        (Outcome::Differs, Command::Plan) => Text::new("変更します", "will change"),
        (Outcome::Differs, _) => Text::new("違いあり", "differs"),
        (Outcome::Changed, _) => Text::new("変更しました", "changed"),
        (Outcome::Unknown, _) => Text::new("確認できません", "unknown"),
        (Outcome::Failed, _) => Text::new("失敗", "FAILED"),
        (Outcome::Skipped, _) => Text::new("省略", "skipped"),
        (Outcome::NotRun, _) => Text::new("未実行 (前の手順で停止)", "not run (stopped earlier)"),
    }
}

/// `[7/24] プロキシ設定 (proxy.user) ... 変更しました`, then the differences and the reason.
pub fn progress_line(index: usize, total: usize, entry: &StepReport, command: Command) -> String {
    let mut out = format!(
        "[{index}/{total}] {} ({}) ... {}",
        entry.title,
        entry.id,
        outcome_word(entry.outcome, command)
    );
    for change in &entry.changes {
        out.push_str(&format!("\n    ~ {change}"));
    }
    if let Some(detail) = &entry.detail {
        out.push_str(&format!("\n    {detail}"));
    }
    out
}
