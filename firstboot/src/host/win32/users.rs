//! Local users and the built-in groups (found by SID: their names are localized).

use super::util::{Wide, from_wide, net, os};
use crate::host::{Group, HostError, HostResult, UserFlags, UserInfo};
use payload::Secret;
use windows::Win32::Foundation::{HLOCAL, LocalFree};
use windows::Win32::NetworkManagement::NetManagement::*;
use windows::Win32::Security::Authorization::ConvertStringSidToSidW;
use windows::Win32::Security::{LookupAccountSidW, PSID, SID_NAME_USE};
use windows::core::PWSTR;

/// The group's name on this Windows (e.g. "Administrators" or its Japanese name).
fn group_name(group: Group) -> HostResult<String> {
    let sid_text = Wide::new(group.sid());
    let mut sid = PSID::default();
    // SAFETY: `sid` is allocated by the call and freed with LocalFree below.
    unsafe { ConvertStringSidToSidW(sid_text.pcwstr(), &mut sid) }
        .map_err(|e| os("ConvertStringSidToSid", group.sid(), e))?;
    let mut name = vec![0u16; 256];
    let mut domain = vec![0u16; 256];
    let (mut n, mut d) = (name.len() as u32, domain.len() as u32);
    let mut usage = SID_NAME_USE::default();
    // SAFETY: buffers sized as passed.
    let result = unsafe {
        LookupAccountSidW(
            None,
            sid,
            Some(PWSTR(name.as_mut_ptr())),
            &mut n,
            Some(PWSTR(domain.as_mut_ptr())),
            &mut d,
            &mut usage,
        )
    };
    // SAFETY: frees what ConvertStringSidToSid allocated.
    unsafe { LocalFree(Some(HLOCAL(sid.0))) };
    result.map_err(|e| os("LookupAccountSid", group.sid(), e))?;
    Ok(String::from_utf16_lossy(&name[..n as usize]))
}

fn members(group: Group) -> HostResult<Vec<String>> {
    let gname = Wide::new(&group_name(group)?);
    let mut buf: *mut u8 = std::ptr::null_mut();
    let (mut read, mut total) = (0u32, 0u32);
    // SAFETY: `buf` is allocated by NetApi and freed below.
    let status = unsafe {
        NetLocalGroupGetMembers(
            None,
            gname.pcwstr(),
            1,
            &mut buf,
            u32::MAX,
            &mut read,
            &mut total,
            None,
        )
    };
    net("NetLocalGroupGetMembers", group.sid(), status)?;
    // SAFETY: `read` LOCALGROUP_MEMBERS_INFO_1 entries at `buf`.
    let names = unsafe {
        let entries =
            std::slice::from_raw_parts(buf as *const LOCALGROUP_MEMBERS_INFO_1, read as usize);
        let names = entries.iter().map(|e| from_wide(e.lgrmi1_name.0)).collect();
        NetApiBufferFree(Some(buf as *const _));
        names
    };
    Ok(names)
}

fn flags_of(name: &str) -> HostResult<Option<USER_ACCOUNT_FLAGS>> {
    let user = Wide::new(name);
    let mut buf: *mut u8 = std::ptr::null_mut();
    // SAFETY: `buf` is allocated by NetApi and freed below.
    let status = unsafe { NetUserGetInfo(None, user.pcwstr(), 1, &mut buf) };
    if status == NERR_UserNotFound {
        return Ok(None);
    }
    net("NetUserGetInfo", name, status)?;
    // SAFETY: level 1 gives a USER_INFO_1.
    let flags = unsafe {
        let f = (*(buf as *const USER_INFO_1)).usri1_flags;
        NetApiBufferFree(Some(buf as *const _));
        f
    };
    Ok(Some(flags))
}

pub fn get(name: &str) -> HostResult<Option<UserInfo>> {
    let Some(flags) = flags_of(name)? else {
        return Ok(None);
    };
    let mut groups = Vec::new();
    for group in [Group::Administrators, Group::Users] {
        if members(group)?.iter().any(|m| m.eq_ignore_ascii_case(name)) {
            groups.push(group);
        }
    }
    Ok(Some(UserInfo {
        name: name.to_owned(),
        flags: UserFlags {
            password_never_expires: flags.0 & UF_DONT_EXPIRE_PASSWD.0 != 0,
            cannot_change_password: flags.0 & UF_PASSWD_CANT_CHANGE.0 != 0,
        },
        groups,
    }))
}

pub fn create(name: &str, password: &Secret) -> HostResult<()> {
    let mut user = Wide::new(name);
    let mut pw = Wide::new(password.expose());
    let info = USER_INFO_1 {
        usri1_name: user.pwstr(),
        usri1_password: pw.pwstr(),
        usri1_priv: USER_PRIV_USER,
        usri1_flags: UF_SCRIPT,
        ..Default::default()
    };
    // SAFETY: `info` and its strings outlive the call.
    let status = unsafe { NetUserAdd(None, 1, (&info as *const USER_INFO_1).cast(), None) };
    if status == NERR_UserExists {
        return Err(HostError::AlreadyExists(format!("user {name}")));
    }
    net("NetUserAdd", name, status)
}

pub fn set_password(name: &str, password: &Secret) -> HostResult<()> {
    let user = Wide::new(name);
    let mut pw = Wide::new(password.expose());
    let info = USER_INFO_1003 {
        usri1003_password: pw.pwstr(),
    };
    // SAFETY: `info` outlives the call.
    let status = unsafe {
        NetUserSetInfo(
            None,
            user.pcwstr(),
            1003,
            (&info as *const USER_INFO_1003).cast(),
            None,
        )
    };
    net("NetUserSetInfo(password)", name, status)
}

pub fn set_flags(name: &str, flags: UserFlags) -> HostResult<()> {
    let current = flags_of(name)?.ok_or_else(|| HostError::NotFound(format!("user {name}")))?;
    let mut bits = current.0 & !(UF_DONT_EXPIRE_PASSWD.0 | UF_PASSWD_CANT_CHANGE.0);
    if flags.password_never_expires {
        bits |= UF_DONT_EXPIRE_PASSWD.0;
    }
    if flags.cannot_change_password {
        bits |= UF_PASSWD_CANT_CHANGE.0;
    }
    let user = Wide::new(name);
    let info = USER_INFO_1008 {
        usri1008_flags: USER_ACCOUNT_FLAGS(bits),
    };
    // SAFETY: `info` outlives the call.
    let status = unsafe {
        NetUserSetInfo(
            None,
            user.pcwstr(),
            1008,
            (&info as *const USER_INFO_1008).cast(),
            None,
        )
    };
    net("NetUserSetInfo(flags)", name, status)
}

pub fn change_group(name: &str, group: Group, add: bool) -> HostResult<()> {
    let gname = Wide::new(&group_name(group)?);
    let mut user = Wide::new(name);
    let info = LOCALGROUP_MEMBERS_INFO_3 {
        lgrmi3_domainandname: user.pwstr(),
    };
    let ptr = (&info as *const LOCALGROUP_MEMBERS_INFO_3).cast();
    // SAFETY: one LOCALGROUP_MEMBERS_INFO_3 that outlives the call.
    let status = unsafe {
        if add {
            NetLocalGroupAddMembers(None, gname.pcwstr(), 3, ptr, 1)
        } else {
            NetLocalGroupDelMembers(None, gname.pcwstr(), 3, ptr, 1)
        }
    };
    // ERROR_MEMBER_IN_ALIAS (1378) / ERROR_MEMBER_NOT_IN_ALIAS (1377): already as wanted.
    if status == 1378 || status == 1377 {
        return Ok(());
    }
    net(
        if add {
            "NetLocalGroupAddMembers"
        } else {
            "NetLocalGroupDelMembers"
        },
        name,
        status,
    )
}
