//! Output for people and scripts: problems as `file:line:col: error: key: message`,
//! JSON on stdout with `--json`, and the final error line.

use payload::site::{Problem, Severity};
use std::path::Path;

/// Prints problems to stderr, errors first. Returns how many are errors.
pub fn problems(file: &Path, problems: &[Problem]) -> usize {
    let mut sorted: Vec<&Problem> = problems.iter().collect();
    sorted.sort_by_key(|p| (p.severity, p.position.map(|p| (p.line, p.column))));
    for p in &sorted {
        eprintln!("{}", p.display_in(file));
    }
    sorted
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count()
}

/// Prints a value as pretty JSON on stdout.
pub fn json(value: &impl serde::Serialize) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("report values always serialize")
    );
}

/// The last line of a failed run.
pub fn error(err: &anyhow::Error) {
    let prefix = match payload::text::lang() {
        payload::Lang::Ja => "エラー",
        payload::Lang::En => "error",
    };
    eprintln!("{prefix}: {err:#}");
}
