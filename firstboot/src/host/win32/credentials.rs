//! Generic credentials (what `cmdkey /generic` writes), in the calling thread's
//! user's vault: call them while impersonating the vault's owner.

use super::util::{Wide, from_wide, os};
use crate::host::{Fingerprint, HostResult, StoredCredential};
use payload::Secret;
use windows::Win32::Security::Credentials::*;

pub fn read(target: &str) -> HostResult<Option<StoredCredential>> {
    let name = Wide::new(target);
    let mut found: *mut CREDENTIALW = std::ptr::null_mut();
    // SAFETY: `found` receives a buffer freed with CredFree below.
    if let Err(e) = unsafe { CredReadW(name.pcwstr(), CRED_TYPE_GENERIC, None, &mut found) } {
        // ERROR_NOT_FOUND
        if e.code() == windows::core::HRESULT::from_win32(1168) {
            return Ok(None);
        }
        return Err(os("CredRead", target, e));
    }
    // SAFETY: CredRead succeeded, so `found` points to a credential until CredFree.
    let credential = unsafe {
        let c = &*found;
        let blob = std::slice::from_raw_parts(c.CredentialBlob, c.CredentialBlobSize as usize);
        // cmdkey stores the password as UTF-16LE without a NUL.
        let units: Vec<u16> = blob
            .chunks_exact(2)
            .map(|p| u16::from_le_bytes([p[0], p[1]]))
            .collect();
        let value = String::from_utf16_lossy(&units);
        let stored = StoredCredential {
            user_name: from_wide(c.UserName.0),
            secret: Fingerprint::of_str(&value),
        };
        CredFree(found as *const _);
        stored
    };
    Ok(Some(credential))
}

pub fn write(target: &str, user_name: &str, secret: &Secret) -> HostResult<()> {
    let mut name = Wide::new(target);
    let mut user = Wide::new(user_name);
    let mut blob: Vec<u8> = secret
        .expose()
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let credential = CREDENTIALW {
        Type: CRED_TYPE_GENERIC,
        TargetName: name.pwstr(),
        CredentialBlobSize: blob.len() as u32,
        CredentialBlob: blob.as_mut_ptr(),
        Persist: CRED_PERSIST_LOCAL_MACHINE,
        UserName: user.pwstr(),
        ..Default::default()
    };
    // SAFETY: every pointer in `credential` outlives the call.
    let result = unsafe { CredWriteW(&credential, 0) };
    blob.iter_mut().for_each(|b| *b = 0);
    result.map_err(|e| os("CredWrite", target, e))
}
