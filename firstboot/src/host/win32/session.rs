//! Acting as another local user: LogonUser + LoadUserProfile gives that user's
//! HKEY_CURRENT_USER (loading its hive when it is not logged on, creating the
//! profile on first use); impersonating it reaches its credential vault and its
//! certificate store.

use super::util::{Wide, os};
use crate::host::{HostError, HostResult};
use payload::Secret;
use windows::Win32::Foundation::{CloseHandle, HANDLE};
use windows::Win32::Security::{
    ImpersonateLoggedOnUser, LOGON32_LOGON_INTERACTIVE, LOGON32_PROVIDER_DEFAULT, LogonUserW,
    RevertToSelf,
};
use windows::Win32::System::Registry::HKEY;
use windows::Win32::UI::Shell::{LoadUserProfileW, PROFILEINFOW, UnloadUserProfile};

/// PROFILEINFO flag: no UI if the profile cannot be loaded (userenv.h).
const PI_NOUI: u32 = 1;
use windows::core::w;

pub struct Session {
    token: HANDLE,
    profile: HANDLE,
    /// False under Wine: it has one user, its LogonUser returns a placeholder
    /// token that cannot be impersonated and its LoadUserProfile hands back
    /// HKEY_CURRENT_USER. Acting as another user there is acting as Wine's user.
    impersonate: bool,
}

/// Logs `user` on with `password`; `Ok(None)` when Windows refuses the logon
/// (no such user, or another password).
pub fn logon(user: &str, password: &Secret) -> HostResult<Option<HANDLE>> {
    let name = Wide::new(user);
    let pw = Wide::new(password.expose());
    let mut token = HANDLE::default();
    // SAFETY: the strings outlive the call; `token` receives a handle we close.
    match unsafe {
        LogonUserW(
            name.pcwstr(),
            w!("."),
            pw.pcwstr(),
            LOGON32_LOGON_INTERACTIVE,
            LOGON32_PROVIDER_DEFAULT,
            &mut token,
        )
    } {
        Ok(()) => Ok(Some(token)),
        Err(e) if is_logon_refusal(&e) => Ok(None),
        Err(e) => Err(os("LogonUser", user, e)),
    }
}

fn is_logon_refusal(e: &windows::core::Error) -> bool {
    // ERROR_LOGON_FAILURE (1326), ERROR_NO_SUCH_USER (1317), ERROR_ACCOUNT_DISABLED (1331).
    [1326u32, 1317, 1331]
        .iter()
        .any(|c| e.code() == windows::core::HRESULT::from_win32(*c))
}

pub fn close(token: HANDLE) {
    // SAFETY: a handle LogonUser returned, closed once.
    let _ = unsafe { CloseHandle(token) };
}

impl Session {
    /// `Ok(None)` when the user cannot be logged on (see `logon`).
    pub fn open(user: &str, password: &Secret, impersonate: bool) -> HostResult<Option<Session>> {
        let Some(token) = logon(user, password)? else {
            return Ok(None);
        };
        let mut name = Wide::new(user);
        let mut info = PROFILEINFOW {
            dwSize: std::mem::size_of::<PROFILEINFOW>() as u32,
            dwFlags: PI_NOUI,
            lpUserName: name.pwstr(),
            ..Default::default()
        };
        // SAFETY: `info` is sized and `name` outlives the call.
        if let Err(e) = unsafe { LoadUserProfileW(token, &mut info) } {
            close(token);
            return Err(os("LoadUserProfile", user, e));
        }
        Ok(Some(Session {
            token,
            profile: info.hProfile,
            impersonate,
        }))
    }

    /// The user's HKEY_CURRENT_USER.
    pub fn hkcu(&self) -> HKEY {
        HKEY(self.profile.0)
    }

    /// Runs `f` on this thread as the user, then reverts.
    pub fn as_user<T>(&self, user: &str, f: impl FnOnce() -> HostResult<T>) -> HostResult<T> {
        if !self.impersonate {
            return f();
        }
        // SAFETY: our own logon token.
        unsafe { ImpersonateLoggedOnUser(self.token) }
            .map_err(|e| os("ImpersonateLoggedOnUser", user, e))?;
        let result = f();
        // SAFETY: ends the impersonation begun above. If it failed the thread would
        // keep the user's identity: nothing may go on then.
        if let Err(e) = unsafe { RevertToSelf() } {
            return Err(HostError::failed("RevertToSelf", user, e));
        }
        result
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // Wine's placeholder token is no handle: nothing to release there.
        if self.impersonate {
            // SAFETY: the token and profile this session loaded, released once.
            unsafe {
                let _ = UnloadUserProfile(self.token, self.profile);
            }
            close(self.token);
        }
    }
}
