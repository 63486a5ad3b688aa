//! Resuming after a restart in the middle of `apply` (an installer's 1641, a power
//! cut, Windows Update): while a run is unfinished, the machine-wide RunOnce key
//! starts firstboot's local copy (`local-copy`) again at the next logon, and the
//! journal lets it carry on where it stopped. The answer file gives the set-up
//! administrator enough automatic logons for that; the `autologon` step ends them.
//! Windows deletes a RunOnce value before running it, so every run arms it again,
//! and a finished run removes it.

use crate::host::{Host, RegKey, RegValue};
use crate::paths;

pub const RUN_ONCE: &str = r"SOFTWARE\Microsoft\Windows\CurrentVersion\RunOnce";
pub const VALUE: &str = "oqs-firstboot";

pub fn arm(host: &mut dyn Host, terminal: &str) -> anyhow::Result<()> {
    let exe = paths::local_exe(&paths::state_dir(host)?);
    let command = format!(r#""{exe}" apply --terminal {terminal}"#);
    host.reg_set(&RegKey::hklm(RUN_ONCE), VALUE, &RegValue::Sz(command))?;
    Ok(())
}

pub fn disarm(host: &mut dyn Host) -> anyhow::Result<()> {
    host.reg_delete(&RegKey::hklm(RUN_ONCE), VALUE)?;
    Ok(())
}
