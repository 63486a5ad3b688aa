//! Machine-wide odds and ends: computer name, known folders, WinHTTP's proxy,
//! restarting a service, restarting Windows.

use super::util::{Wide, from_wide, os};
use crate::host::{HostError, HostResult, KnownFolder, WinHttpProxy};
use windows::Win32::Foundation::{GlobalFree, HANDLE, HGLOBAL, LUID};
use windows::Win32::Networking::WinHttp::*;
use windows::Win32::Security::{
    AdjustTokenPrivileges, LookupPrivilegeValueW, SE_PRIVILEGE_ENABLED, TOKEN_ADJUST_PRIVILEGES,
    TOKEN_PRIVILEGES, TOKEN_QUERY,
};
use windows::Win32::System::Com::CoTaskMemFree;
use windows::Win32::System::Services::*;
use windows::Win32::System::Shutdown::*;
use windows::Win32::System::SystemInformation::{
    ComputerNamePhysicalDnsHostname, ComputerNamePhysicalNetBIOS, GetComputerNameExW,
    SetComputerNameExW,
};
use windows::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};
use windows::Win32::UI::Shell::{
    FOLDERID_ProgramData, FOLDERID_PublicDesktop, FOLDERID_Windows, KF_FLAG_DEFAULT,
    SHGetKnownFolderPath,
};
use windows::core::{PWSTR, w};

pub fn computer_name() -> HostResult<String> {
    let mut buf = vec![0u16; 64];
    let mut size = buf.len() as u32;
    // SAFETY: `buf` holds `size` units.
    unsafe {
        GetComputerNameExW(
            ComputerNamePhysicalNetBIOS,
            Some(PWSTR(buf.as_mut_ptr())),
            &mut size,
        )
    }
    .map_err(|e| os("GetComputerNameEx", "NetBIOS", e))?;
    Ok(String::from_utf16_lossy(&buf[..size as usize]))
}

pub fn set_computer_name(name: &str) -> HostResult<()> {
    let wide = Wide::new(name);
    // SAFETY: a NUL-terminated name.
    unsafe { SetComputerNameExW(ComputerNamePhysicalDnsHostname, wide.pcwstr()) }
        .map_err(|e| os("SetComputerNameEx", name, e))
}

pub fn known_folder(folder: KnownFolder) -> HostResult<String> {
    let id = match folder {
        KnownFolder::PublicDesktop => FOLDERID_PublicDesktop,
        KnownFolder::ProgramData => FOLDERID_ProgramData,
        KnownFolder::Windows => FOLDERID_Windows,
    };
    // SAFETY: the returned string is freed with CoTaskMemFree.
    unsafe {
        let p = SHGetKnownFolderPath(&id, KF_FLAG_DEFAULT, None)
            .map_err(|e| os("SHGetKnownFolderPath", &format!("{folder:?}"), e))?;
        let path = from_wide(p.0);
        CoTaskMemFree(Some(p.0 as *const _));
        Ok(path)
    }
}

pub fn winhttp_proxy() -> HostResult<Option<WinHttpProxy>> {
    let mut info = WINHTTP_PROXY_INFO::default();
    // SAFETY: the strings in `info` are freed with GlobalFree below.
    unsafe {
        WinHttpGetDefaultProxyConfiguration(&mut info)
            .map_err(|e| os("WinHttpGetDefaultProxyConfiguration", "WinHTTP", e))?;
        let server = from_wide(info.lpszProxy.0);
        let bypass = from_wide(info.lpszProxyBypass.0);
        for p in [info.lpszProxy, info.lpszProxyBypass] {
            if !p.is_null() {
                let _ = GlobalFree(Some(HGLOBAL(p.0.cast())));
            }
        }
        Ok((info.dwAccessType == WINHTTP_ACCESS_TYPE_NAMED_PROXY)
            .then_some(WinHttpProxy { server, bypass }))
    }
}

pub fn set_winhttp_proxy(proxy: Option<&WinHttpProxy>) -> HostResult<()> {
    let mut server = Wide::new(proxy.map_or("", |p| &p.server));
    let mut bypass = Wide::new(proxy.map_or("", |p| &p.bypass));
    let mut info = match proxy {
        Some(_) => WINHTTP_PROXY_INFO {
            dwAccessType: WINHTTP_ACCESS_TYPE_NAMED_PROXY,
            lpszProxy: server.pwstr(),
            lpszProxyBypass: bypass.pwstr(),
        },
        None => WINHTTP_PROXY_INFO {
            dwAccessType: WINHTTP_ACCESS_TYPE_NO_PROXY,
            ..Default::default()
        },
    };
    // SAFETY: the strings outlive the call.
    unsafe { WinHttpSetDefaultProxyConfiguration(&mut info) }
        .map_err(|e| os("WinHttpSetDefaultProxyConfiguration", "WinHTTP", e))
}

struct Service(SC_HANDLE);

impl Drop for Service {
    fn drop(&mut self) {
        // SAFETY: a handle this module opened.
        let _ = unsafe { CloseServiceHandle(self.0) };
    }
}

fn wait_for(service: &Service, name: &str, state: SERVICE_STATUS_CURRENT_STATE) -> HostResult<()> {
    for _ in 0..60 {
        let mut status = SERVICE_STATUS::default();
        // SAFETY: an open service handle.
        unsafe { QueryServiceStatus(service.0, &mut status) }
            .map_err(|e| os("QueryServiceStatus", name, e))?;
        if status.dwCurrentState == state {
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    Err(HostError::failed(
        "restart service",
        name,
        "timed out after 30 s",
    ))
}

pub fn restart_service(name: &str) -> HostResult<()> {
    let wide = Wide::new(name);
    // SAFETY: handles are closed by `Service`.
    unsafe {
        let manager = Service(
            OpenSCManagerW(None, None, SC_MANAGER_CONNECT)
                .map_err(|e| os("OpenSCManager", name, e))?,
        );
        let service = Service(
            OpenServiceW(
                manager.0,
                wide.pcwstr(),
                SERVICE_STOP | SERVICE_START | SERVICE_QUERY_STATUS,
            )
            .map_err(|e| os("OpenService", name, e))?,
        );
        let mut status = SERVICE_STATUS::default();
        // Not running (ERROR_SERVICE_NOT_ACTIVE) is fine: it is started below.
        if ControlService(service.0, SERVICE_CONTROL_STOP, &mut status).is_ok() {
            wait_for(&service, name, SERVICE_STOPPED)?;
        }
        StartServiceW(service.0, None).map_err(|e| os("StartService", name, e))?;
        wait_for(&service, name, SERVICE_RUNNING)
    }
}

fn enable_shutdown_privilege() -> HostResult<()> {
    // SAFETY: our own process token, adjusted and closed.
    unsafe {
        let mut token = HANDLE::default();
        OpenProcessToken(
            GetCurrentProcess(),
            TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY,
            &mut token,
        )
        .map_err(|e| os("OpenProcessToken", "self", e))?;
        let mut luid = LUID::default();
        LookupPrivilegeValueW(None, w!("SeShutdownPrivilege"), &mut luid)
            .map_err(|e| os("LookupPrivilegeValue", "SeShutdownPrivilege", e))?;
        let mut privileges = TOKEN_PRIVILEGES {
            PrivilegeCount: 1,
            ..Default::default()
        };
        privileges.Privileges[0].Luid = luid;
        privileges.Privileges[0].Attributes = SE_PRIVILEGE_ENABLED;
        let result = AdjustTokenPrivileges(token, false, Some(&privileges), 0, None, None);
        super::session::close(token);
        result.map_err(|e| os("AdjustTokenPrivileges", "SeShutdownPrivilege", e))
    }
}

pub fn reboot() -> HostResult<()> {
    enable_shutdown_privilege()?;
    let message = w!("oqs-stick: restarting to finish set-up");
    // SAFETY: constant arguments.
    let code = unsafe {
        InitiateShutdownW(
            None,
            message,
            10,
            SHUTDOWN_RESTART | SHUTDOWN_FORCE_OTHERS,
            SHTDN_REASON_MAJOR_APPLICATION
                | SHTDN_REASON_MINOR_INSTALLATION
                | SHTDN_REASON_FLAG_PLANNED,
        )
    };
    if code == 0 {
        Ok(())
    } else {
        Err(HostError::failed(
            "InitiateShutdown",
            "restart",
            format!("Win32 error {code}"),
        ))
    }
}
