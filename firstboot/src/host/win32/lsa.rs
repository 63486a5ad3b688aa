//! LSA private data: where Winlogon reads the autologon password
//! (`DefaultPassword`), encrypted, instead of the plain registry value.

use super::util::Wide;
use crate::host::{Fingerprint, HostError, HostResult};
use payload::Secret;
use windows::Win32::Foundation::NTSTATUS;
use windows::Win32::Security::Authentication::Identity::*;

const STATUS_OBJECT_NAME_NOT_FOUND: NTSTATUS = NTSTATUS(0xC000_0034_u32 as i32);

struct Policy(LSA_HANDLE);

impl Drop for Policy {
    fn drop(&mut self) {
        // SAFETY: a policy handle this module opened.
        let _ = unsafe { LsaClose(self.0) };
    }
}

fn check(op: &str, name: &str, status: NTSTATUS) -> HostResult<()> {
    if status.is_ok() {
        return Ok(());
    }
    // SAFETY: a pure conversion.
    let code = unsafe { LsaNtStatusToWinError(status) };
    Err(HostError::failed(op, name, format!("Win32 error {code}")))
}

fn policy(access: u32) -> HostResult<Policy> {
    let attributes = LSA_OBJECT_ATTRIBUTES::default();
    let mut handle = LSA_HANDLE::default();
    // SAFETY: zeroed attributes, as the API requires.
    check("LsaOpenPolicy", "local", unsafe {
        LsaOpenPolicy(None, &attributes, access, &mut handle)
    })?;
    Ok(Policy(handle))
}

fn unicode(w: &mut Wide) -> LSA_UNICODE_STRING {
    let bytes = (w.len() * 2) as u16;
    LSA_UNICODE_STRING {
        Length: bytes,
        MaximumLength: bytes,
        Buffer: w.pwstr(),
    }
}

pub fn get(name: &str) -> HostResult<Option<Fingerprint>> {
    let policy = policy(POLICY_GET_PRIVATE_INFORMATION as u32)?;
    let mut key = Wide::new(name);
    let key_string = unicode(&mut key);
    let mut data: *mut LSA_UNICODE_STRING = std::ptr::null_mut();
    // SAFETY: `data` is allocated by LSA and freed below.
    let status = unsafe { LsaRetrievePrivateData(policy.0, &key_string, &mut data) };
    if status == STATUS_OBJECT_NAME_NOT_FOUND {
        return Ok(None);
    }
    check("LsaRetrievePrivateData", name, status)?;
    // SAFETY: a valid LSA_UNICODE_STRING until LsaFreeMemory.
    let value = unsafe {
        let s = &*data;
        let units = std::slice::from_raw_parts(s.Buffer.0, usize::from(s.Length / 2));
        let fp = Fingerprint::of_str(&String::from_utf16_lossy(units));
        std::ptr::write_bytes(s.Buffer.0, 0, usize::from(s.Length / 2));
        let _ = LsaFreeMemory(Some(data as *const _));
        fp
    };
    Ok(Some(value))
}

pub fn set(name: &str, value: Option<&Secret>) -> HostResult<()> {
    let policy = policy(POLICY_CREATE_SECRET as u32)?;
    let mut key = Wide::new(name);
    let key_string = unicode(&mut key);
    let mut secret = value.map(|v| Wide::new(v.expose()));
    let data = secret.as_mut().map(unicode);
    // SAFETY: strings outlive the call; no data deletes the secret.
    let status = unsafe {
        LsaStorePrivateData(
            policy.0,
            &key_string,
            data.as_ref().map(|d| d as *const LSA_UNICODE_STRING),
        )
    };
    if value.is_none() && status == STATUS_OBJECT_NAME_NOT_FOUND {
        return Ok(());
    }
    check("LsaStorePrivateData", name, status)
}
