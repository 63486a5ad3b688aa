//! Power settings of the active scheme, and hibernation.

use super::registry;
use super::util::win32;
use crate::host::{HostError, HostResult, PowerSource, PowerTimeout, RegValue};
use windows::Win32::Foundation::{HLOCAL, LocalFree, WIN32_ERROR};
use windows::Win32::System::Power::*;
use windows::Win32::System::Registry::HKEY_LOCAL_MACHINE;
use windows::core::GUID;

const VIDEO_SUBGROUP: GUID = GUID::from_u128(0x7516b95f_f776_4464_8c53_06167f40cc99);
const VIDEO_IDLE: GUID = GUID::from_u128(0x3c0bc021_c8a8_4e07_a973_6b14cbcb2b7e);
const SLEEP_SUBGROUP: GUID = GUID::from_u128(0x238c9fa8_0aad_41ed_83f4_97be242c8f20);
const STANDBY_IDLE: GUID = GUID::from_u128(0x29f6c1db_86da_48c5_9fdb_f2b67b1f44da);
pub const POWER_KEY: &str = r"SYSTEM\CurrentControlSet\Control\Power";

fn guids(timeout: PowerTimeout) -> (GUID, GUID) {
    match timeout {
        PowerTimeout::Monitor => (VIDEO_SUBGROUP, VIDEO_IDLE),
        PowerTimeout::Standby => (SLEEP_SUBGROUP, STANDBY_IDLE),
    }
}

fn active_scheme() -> HostResult<GUID> {
    let mut scheme: *mut GUID = std::ptr::null_mut();
    // SAFETY: the GUID is allocated by the call and freed with LocalFree.
    unsafe {
        win32(
            "PowerGetActiveScheme",
            "active scheme",
            PowerGetActiveScheme(None, &mut scheme),
        )?;
        let guid = *scheme;
        LocalFree(Some(HLOCAL(scheme.cast())));
        Ok(guid)
    }
}

pub fn timeout(timeout: PowerTimeout, source: PowerSource) -> HostResult<u32> {
    let scheme = active_scheme()?;
    let (sub, setting) = guids(timeout);
    let mut value = 0u32;
    // SAFETY: GUIDs on the stack, an out u32.
    let code = unsafe {
        match source {
            PowerSource::Ac => {
                PowerReadACValueIndex(None, Some(&scheme), Some(&sub), Some(&setting), &mut value)
            }
            PowerSource::Dc => WIN32_ERROR(PowerReadDCValueIndex(
                None,
                Some(&scheme),
                Some(&sub),
                Some(&setting),
                &mut value,
            )),
        }
    };
    win32(
        "PowerReadValueIndex",
        &format!("{timeout:?} {source:?}"),
        code,
    )?;
    Ok(value)
}

pub fn set_timeout(timeout: PowerTimeout, source: PowerSource, seconds: u32) -> HostResult<()> {
    let scheme = active_scheme()?;
    let (sub, setting) = guids(timeout);
    let object = format!("{timeout:?} {source:?}");
    // SAFETY: GUIDs on the stack.
    let code = unsafe {
        match source {
            PowerSource::Ac => {
                PowerWriteACValueIndex(None, &scheme, Some(&sub), Some(&setting), seconds)
            }
            PowerSource::Dc => WIN32_ERROR(PowerWriteDCValueIndex(
                None,
                &scheme,
                Some(&sub),
                Some(&setting),
                seconds,
            )),
        }
    };
    win32("PowerWriteValueIndex", &object, code)?;
    // Re-activating the scheme makes the new value take effect now.
    // SAFETY: as above.
    win32("PowerSetActiveScheme", &object, unsafe {
        PowerSetActiveScheme(None, Some(&scheme))
    })
}

pub fn hibernate_enabled() -> HostResult<bool> {
    let value = registry::get(HKEY_LOCAL_MACHINE, POWER_KEY, "HibernateEnabled")?;
    Ok(value != Some(RegValue::Dword(0)))
}

/// What `powercfg /hibernate off` does: release (or reserve) hiberfil.sys.
pub fn set_hibernate(enabled: bool) -> HostResult<()> {
    let reserve: u8 = u8::from(enabled);
    // SAFETY: a BOOLEAN input buffer of its size.
    let status = unsafe {
        CallNtPowerInformation(
            SystemReserveHiberFile,
            Some((&reserve as *const u8).cast()),
            1,
            None,
            0,
        )
    };
    if status.is_err() {
        return Err(HostError::failed(
            "CallNtPowerInformation",
            "SystemReserveHiberFile",
            format!("NTSTATUS 0x{:08X}", status.0),
        ));
    }
    registry::set(
        HKEY_LOCAL_MACHINE,
        POWER_KEY,
        "HibernateEnabled",
        &RegValue::Dword(u32::from(enabled)),
    )
}
