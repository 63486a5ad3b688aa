//! Where firstboot keeps its own files on the terminal.

use crate::host::{Host, HostResult, KnownFolder};

/// `C:\ProgramData\oqs-stick`.
pub fn state_dir(host: &dyn Host) -> HostResult<String> {
    Ok(format!(
        r"{}\oqs-stick",
        host.known_folder(KnownFolder::ProgramData)?
    ))
}

pub fn journal(host: &dyn Host) -> HostResult<String> {
    Ok(format!(r"{}\journal.json", state_dir(host)?))
}

pub fn log(host: &dyn Host) -> HostResult<String> {
    Ok(format!(r"{}\firstboot.log", state_dir(host)?))
}

/// Where the answer file may stage copies of stick files (vault, PFX) on the disk;
/// everything in it is deleted once set-up is done.
pub fn staged_dir(host: &dyn Host) -> HostResult<String> {
    Ok(format!(r"{}\staged", state_dir(host)?))
}

/// firstboot's own exe, copied from the stick for the scheduled `role check`.
pub fn local_exe(state_dir: &str) -> String {
    format!(r"{state_dir}\oqs-firstboot.exe")
}

/// The site plan, copied from the stick for the scheduled `role check`.
pub fn local_site(state_dir: &str) -> String {
    format!(r"{state_dir}\site.toml")
}
