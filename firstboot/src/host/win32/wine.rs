//! Wine detection: Wine implements the registry, credentials, certificates and
//! files for real, but not users, the Task Scheduler, power, DNS, services, LSA
//! secrets or a restart (oqs-facts: "Tooling facts"). Under Wine those steps are
//! skipped and say so instead of claiming a success Wine only pretends.

use windows::Win32::System::LibraryLoader::{GetModuleHandleW, GetProcAddress};
use windows::core::{s, w};

/// Wine's version when running under Wine.
pub fn version() -> Option<String> {
    // SAFETY: ntdll is always loaded; `wine_get_version` (Wine only) returns a static C string.
    unsafe {
        let ntdll = GetModuleHandleW(w!("ntdll.dll")).ok()?;
        let f = GetProcAddress(ntdll, s!("wine_get_version"))?;
        let f: extern "C" fn() -> *const std::ffi::c_char = std::mem::transmute(f);
        Some(std::ffi::CStr::from_ptr(f()).to_string_lossy().into_owned())
    }
}
