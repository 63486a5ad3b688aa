//! External tools (fsck.fat, mtools, wine, qemu, wimlib-imagex, ...) used by the tests.
//!
//! On a developer machine a missing tool skips the test with a note, so `cargo test`
//! stays useful without the whole Debian tool set. CI sets `OQS_REQUIRE_TOOLS=1`:
//! there a missing tool is a failure, so a green run cannot hide a skipped check.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Where `name` is on PATH, or `None`.
pub fn find(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// True when every tool is present. When one is missing: panics under
/// `OQS_REQUIRE_TOOLS=1`, otherwise prints why the calling test is skipped.
pub fn require(test: &str, names: &[&str]) -> bool {
    let missing: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| find(n).is_none())
        .collect();
    if missing.is_empty() {
        return true;
    }
    if tools_required() {
        panic!(
            "{test}: required tool(s) missing: {missing:?} (install them: see tests/setup-debian.sh)"
        );
    }
    eprintln!("SKIP {test}: tool(s) not installed: {missing:?}");
    false
}

/// Whether CI asked for every tool-based test to run for real.
pub fn tools_required() -> bool {
    std::env::var("OQS_REQUIRE_TOOLS").is_ok_and(|v| v == "1")
}

/// Runs a command and panics with its full output when it fails; returns the output.
pub fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    succeeded(&cmd, out)
}

/// Panics with `what` and the full output unless the run succeeded; returns the output.
pub fn succeeded(what: &dyn std::fmt::Debug, out: Output) -> Output {
    assert!(
        out.status.success(),
        "{what:?} failed with {}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The workspace root (the folder holding the top-level Cargo.toml).
pub fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits inside the workspace")
}
