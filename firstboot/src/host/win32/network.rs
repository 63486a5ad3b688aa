//! Network adapters (GetAdaptersAddresses) and the SMBIOS ids of the machine.

use super::util::{from_wide, win32};
use crate::host::{Adapter, HardwareIds, HostResult, smbios};
use windows::Win32::Foundation::{ERROR_BUFFER_OVERFLOW, WIN32_ERROR};
use windows::Win32::NetworkManagement::IpHelper::*;
use windows::Win32::System::SystemInformation::{FIRMWARE_TABLE_PROVIDER, GetSystemFirmwareTable};

const IF_TYPE_SOFTWARE_LOOPBACK: u32 = 24;
const IF_TYPE_TUNNEL: u32 = 131;

pub fn adapters() -> HostResult<Vec<Adapter>> {
    let mut size = 16 * 1024u32;
    let mut buf: Vec<u64> = Vec::new(); // u64 keeps the structures aligned
    loop {
        buf.resize((size as usize).div_ceil(8), 0);
        // SAFETY: `buf` holds at least `size` bytes.
        let code = unsafe {
            GetAdaptersAddresses(
                0,
                GAA_FLAG_SKIP_DNS_SERVER | GAA_FLAG_SKIP_MULTICAST,
                None,
                Some(buf.as_mut_ptr().cast()),
                &mut size,
            )
        };
        if code == ERROR_BUFFER_OVERFLOW.0 {
            continue;
        }
        win32("GetAdaptersAddresses", "adapters", WIN32_ERROR(code))?;
        break;
    }
    let mut out = Vec::new();
    let mut p = buf.as_ptr() as *const IP_ADAPTER_ADDRESSES_LH;
    while !p.is_null() {
        // SAFETY: a linked list inside `buf`, filled by the call above.
        let a = unsafe { &*p };
        if a.IfType != IF_TYPE_SOFTWARE_LOOPBACK
            && a.IfType != IF_TYPE_TUNNEL
            && a.PhysicalAddressLength == 6
        {
            let mac = a.PhysicalAddress[..6]
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect::<Vec<_>>()
                .join("-");
            // SAFETY: AdapterName is an ANSI GUID string, Description a wide string.
            let (guid, description) = unsafe {
                (
                    a.AdapterName.to_string().unwrap_or_default(),
                    from_wide(a.Description.0),
                )
            };
            out.push(Adapter {
                guid,
                description,
                mac,
            });
        }
        p = a.Next;
    }
    Ok(out)
}

pub fn hardware() -> HostResult<HardwareIds> {
    let rsmb = FIRMWARE_TABLE_PROVIDER(u32::from_be_bytes(*b"RSMB"));
    // SAFETY: a size query, then a buffer of that size.
    let raw = unsafe {
        let size = GetSystemFirmwareTable(rsmb, 0, None);
        let mut raw = vec![0u8; size as usize];
        let got = GetSystemFirmwareTable(rsmb, 0, Some(&mut raw));
        raw.truncate(got as usize);
        raw
    };
    let (smbios_uuid, serial) = smbios::system_ids(&raw);
    let macs = adapters()?.into_iter().map(|a| a.mac).collect();
    Ok(HardwareIds {
        smbios_uuid,
        serial,
        macs,
    })
}
