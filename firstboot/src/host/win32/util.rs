//! Small helpers shared by the Win32 modules: UTF-16 strings and OS errors.

use crate::host::HostError;
use windows::Win32::Foundation::WIN32_ERROR;
use windows::core::{PCWSTR, PWSTR};

/// A NUL-terminated UTF-16 copy of `s`; keep it alive while the pointer is used.
pub struct Wide(Vec<u16>);

impl Wide {
    pub fn new(s: &str) -> Wide {
        Wide(s.encode_utf16().chain(std::iter::once(0)).collect())
    }

    pub fn pcwstr(&self) -> PCWSTR {
        PCWSTR(self.0.as_ptr())
    }

    /// For the APIs that take a non-const pointer but do not write through it.
    pub fn pwstr(&mut self) -> PWSTR {
        PWSTR(self.0.as_mut_ptr())
    }

    /// Length in UTF-16 units, without the NUL.
    pub fn len(&self) -> usize {
        self.0.len() - 1
    }
}

impl Drop for Wide {
    fn drop(&mut self) {
        // Wide strings also carry passwords: clear them.
        self.0.iter_mut().for_each(|c| *c = 0);
    }
}

/// The text of a NUL-terminated UTF-16 pointer (empty for null).
///
/// # Safety
/// `p` must be null or point to a NUL-terminated UTF-16 string.
pub unsafe fn from_wide(p: *const u16) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: the caller promises a valid NUL-terminated string.
    unsafe { String::from_utf16_lossy(PCWSTR(p).as_wide()) }
}

pub fn os(op: &str, object: &str, e: windows::core::Error) -> HostError {
    HostError::failed(
        op,
        object,
        format!("{} (0x{:08X})", e.message().trim(), e.code().0),
    )
}

pub fn win32(op: &str, object: &str, code: WIN32_ERROR) -> Result<(), HostError> {
    if code.is_ok() {
        Ok(())
    } else {
        Err(os(
            op,
            object,
            windows::core::Error::from(code.to_hresult()),
        ))
    }
}

/// NetApi functions return a NET_API_STATUS (a Win32 error or an NERR_ code).
pub fn net(op: &str, object: &str, status: u32) -> Result<(), HostError> {
    if status == 0 {
        Ok(())
    } else {
        Err(HostError::failed(
            op,
            object,
            format!("NET_API_STATUS {status}"),
        ))
    }
}
