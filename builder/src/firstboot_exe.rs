//! Finding `oqs-firstboot.exe`, the program the stick runs at first logon.

use payload::Text;
use std::path::{Path, PathBuf};

const EXE: &str = "oqs-firstboot.exe";

/// The explicit path, else next to this program (a release zip), else the
/// cross-compiled build in this workspace.
pub fn locate(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(path) = explicit {
        if path.is_file() {
            return Ok(path.to_owned());
        }
        anyhow::bail!(
            "{}",
            Text::new(
                format!("--firstboot {} が見つかりません", path.display()),
                format!("--firstboot {} does not exist", path.display()),
            )
        );
    }
    let beside_me = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(EXE)));
    let target_dir =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from);
    let built = ["release", "debug"].map(|profile| {
        target_dir
            .join("x86_64-pc-windows-gnu")
            .join(profile)
            .join(EXE)
    });
    let candidates: Vec<PathBuf> = beside_me.into_iter().chain(built).collect();
    if let Some(found) = candidates.iter().find(|p| p.is_file()) {
        return Ok(found.clone());
    }
    anyhow::bail!(
        "{}",
        Text::new(
            format!(
                "{EXE} が見つかりません。`cargo build --release --target x86_64-pc-windows-gnu -p oqs-firstboot` でビルドするか --firstboot で指定してください (探した場所: {candidates:?})"
            ),
            format!(
                "{EXE} not found: build it with `cargo build --release --target x86_64-pc-windows-gnu -p oqs-firstboot` or pass --firstboot PATH (looked in {candidates:?})"
            ),
        )
    )
}
