//! Registry values under an open root key (HKLM or a user's HKCU).

use super::util::{Wide, win32};
use crate::host::{HostResult, RegValue};
use windows::Win32::Foundation::{ERROR_FILE_NOT_FOUND, WIN32_ERROR};
use windows::Win32::System::Registry::*;

struct Key(HKEY);

impl Drop for Key {
    fn drop(&mut self) {
        // SAFETY: a key this module opened, closed once.
        let _ = unsafe { RegCloseKey(self.0) };
    }
}

fn open(root: HKEY, path: &str, access: REG_SAM_FLAGS) -> Result<Key, WIN32_ERROR> {
    let sub = Wide::new(path);
    let mut key = HKEY::default();
    // SAFETY: `sub` outlives the call; `key` is closed by `Key`.
    let code =
        unsafe { RegOpenKeyExW(root, sub.pcwstr(), None, access | KEY_WOW64_64KEY, &mut key) };
    if code.is_ok() {
        Ok(Key(key))
    } else {
        Err(code)
    }
}

pub fn get(root: HKEY, path: &str, name: &str) -> HostResult<Option<RegValue>> {
    let object = format!(r"{path}\{name}");
    let key = match open(root, path, KEY_QUERY_VALUE) {
        Ok(k) => k,
        Err(ERROR_FILE_NOT_FOUND) => return Ok(None),
        Err(code) => return win32("RegOpenKeyEx", &object, code).map(|()| None),
    };
    let value = Wide::new(name);
    let mut kind = REG_VALUE_TYPE::default();
    let mut size = 0u32;
    // SAFETY: size query with no buffer.
    let code = unsafe {
        RegQueryValueExW(
            key.0,
            value.pcwstr(),
            None,
            Some(&mut kind),
            None,
            Some(&mut size),
        )
    };
    if code == ERROR_FILE_NOT_FOUND {
        return Ok(None);
    }
    win32("RegQueryValueEx", &object, code)?;
    let mut data = vec![0u8; size as usize];
    // SAFETY: `data` holds `size` bytes.
    let code = unsafe {
        RegQueryValueExW(
            key.0,
            value.pcwstr(),
            None,
            Some(&mut kind),
            Some(data.as_mut_ptr()),
            Some(&mut size),
        )
    };
    win32("RegQueryValueEx", &object, code)?;
    data.truncate(size as usize);
    Ok(Some(decode(kind, data)))
}

fn utf16(data: &[u8]) -> Vec<u16> {
    data.chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect()
}

fn decode(kind: REG_VALUE_TYPE, data: Vec<u8>) -> RegValue {
    let text = |d: &[u8]| {
        let units = utf16(d);
        let end = units.iter().position(|&u| u == 0).unwrap_or(units.len());
        String::from_utf16_lossy(&units[..end])
    };
    match kind {
        REG_DWORD if data.len() >= 4 => {
            RegValue::Dword(u32::from_le_bytes([data[0], data[1], data[2], data[3]]))
        }
        REG_SZ => RegValue::Sz(text(&data)),
        REG_EXPAND_SZ => RegValue::ExpandSz(text(&data)),
        REG_MULTI_SZ => RegValue::MultiSz(
            String::from_utf16_lossy(&utf16(&data))
                .split('\0')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        _ => RegValue::Binary(data),
    }
}

fn encode(value: &RegValue) -> (REG_VALUE_TYPE, Vec<u8>) {
    let sz = |s: &str| -> Vec<u8> {
        s.encode_utf16()
            .chain([0])
            .flat_map(u16::to_le_bytes)
            .collect()
    };
    match value {
        RegValue::Dword(v) => (REG_DWORD, v.to_le_bytes().to_vec()),
        RegValue::Sz(s) => (REG_SZ, sz(s)),
        RegValue::ExpandSz(s) => (REG_EXPAND_SZ, sz(s)),
        RegValue::MultiSz(v) => {
            let mut bytes: Vec<u8> = v.iter().flat_map(|s| sz(s)).collect();
            bytes.extend([0, 0]);
            (REG_MULTI_SZ, bytes)
        }
        RegValue::Binary(b) => (REG_BINARY, b.clone()),
    }
}

pub fn set(root: HKEY, path: &str, name: &str, value: &RegValue) -> HostResult<()> {
    let object = format!(r"{path}\{name}");
    let sub = Wide::new(path);
    let mut key = HKEY::default();
    // SAFETY: `sub` outlives the call; the key is closed by `Key`.
    let code = unsafe {
        RegCreateKeyExW(
            root,
            sub.pcwstr(),
            None,
            None,
            REG_OPTION_NON_VOLATILE,
            KEY_SET_VALUE | KEY_WOW64_64KEY,
            None,
            &mut key,
            None,
        )
    };
    win32("RegCreateKeyEx", &object, code)?;
    let key = Key(key);
    let (kind, data) = encode(value);
    let value_name = Wide::new(name);
    // SAFETY: `data` is the encoded value.
    let code = unsafe { RegSetValueExW(key.0, value_name.pcwstr(), None, kind, Some(&data)) };
    win32("RegSetValueEx", &object, code)
}

pub fn delete(root: HKEY, path: &str, name: &str) -> HostResult<()> {
    let object = format!(r"{path}\{name}");
    let key = match open(root, path, KEY_SET_VALUE) {
        Ok(k) => k,
        Err(ERROR_FILE_NOT_FOUND) => return Ok(()),
        Err(code) => return win32("RegOpenKeyEx", &object, code),
    };
    let value_name = Wide::new(name);
    // SAFETY: an open key and a NUL-terminated name.
    let code = unsafe { RegDeleteValueW(key.0, value_name.pcwstr()) };
    if code == ERROR_FILE_NOT_FOUND {
        return Ok(());
    }
    win32("RegDeleteValue", &object, code)
}
