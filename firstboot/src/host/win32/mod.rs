//! `Win32Host`: the real Windows, through Win32 APIs (never parsed tool output:
//! Japanese Windows prints in CP932 and localizes names).

mod certs;
mod credentials;
mod lsa;
mod network;
mod power;
mod process;
mod registry;
mod session;
mod system;
mod tasks;
mod users;
mod util;
pub mod volume;
mod wine;

use super::*;
use payload::{Secret, Text};
use session::Session;
use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write as _;
use std::rc::Rc;
use windows::Win32::System::Registry::HKEY_LOCAL_MACHINE;

pub struct Win32Host {
    /// Passwords of the accounts firstboot acts as (OqsComApp, ONSRenkei).
    logons: Vec<(String, Secret)>,
    /// Open sessions by lowercase user name; `None` = Windows refused the logon.
    sessions: RefCell<HashMap<String, Option<Rc<Session>>>>,
    wine: Option<String>,
}

impl Win32Host {
    pub fn new(logons: Vec<(String, Secret)>) -> anyhow::Result<Win32Host> {
        Ok(Win32Host {
            logons,
            sessions: RefCell::new(HashMap::new()),
            wine: wine::version(),
        })
    }

    fn password(&self, user: &str) -> Option<&Secret> {
        self.logons
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(user))
            .map(|(_, p)| p)
    }

    /// A session as `user`, or `None` when it cannot be logged on (yet).
    fn session(&self, user: &str) -> HostResult<Option<Rc<Session>>> {
        let key = user.to_lowercase();
        if let Some(s) = self.sessions.borrow().get(&key) {
            return Ok(s.clone());
        }
        let password = self.password(user).ok_or_else(|| {
            HostError::failed(
                "log on",
                user,
                "no password for this account in the secrets",
            )
        })?;
        let session = Session::open(user, password, self.wine.is_none())?.map(Rc::new);
        self.sessions.borrow_mut().insert(key, session.clone());
        Ok(session)
    }

    fn session_for_write(&self, user: &str) -> HostResult<Rc<Session>> {
        self.session(user)?.ok_or_else(|| {
            HostError::failed(
                "LogonUser",
                user,
                "Windows refused the logon (no such user, or another password)",
            )
        })
    }

    /// Accounts changed: logons refused before may work now.
    fn forget_sessions(&self) {
        self.sessions.borrow_mut().clear();
    }

    fn root(
        &self,
        hive: &Hive,
        write: bool,
    ) -> HostResult<Option<(windows::Win32::System::Registry::HKEY, Option<Rc<Session>>)>> {
        Ok(match hive {
            Hive::LocalMachine => Some((HKEY_LOCAL_MACHINE, None)),
            Hive::User(user) if write => {
                let s = self.session_for_write(user)?;
                Some((s.hkcu(), Some(s)))
            }
            Hive::User(user) => self.session(user)?.map(|s| (s.hkcu(), Some(s))),
        })
    }
}

fn fs_err(op: &str, path: &str, e: std::io::Error) -> HostError {
    HostError::failed(op, path, e)
}

impl Host for Win32Host {
    fn unsupported(&self, capability: Capability) -> Option<Text> {
        let version = self.wine.as_ref()?;
        // Every capability names something Wine does not do for real (see wine.rs).
        Some(Text::new(
            format!(
                "Wine {version} は{}を実装していません",
                capability.text().ja
            ),
            format!(
                "Wine {version} does not implement {} for real",
                capability.text().en
            ),
        ))
    }

    fn now_unix(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }

    fn hardware(&self) -> HostResult<HardwareIds> {
        network::hardware()
    }

    fn computer_name(&self) -> HostResult<String> {
        system::computer_name()
    }

    fn set_computer_name(&mut self, name: &str) -> HostResult<()> {
        system::set_computer_name(name)
    }

    fn reg_get(&self, key: &RegKey, name: &str) -> HostResult<Option<RegValue>> {
        match self.root(&key.hive, false)? {
            Some((root, _session)) => registry::get(root, &key.path, name),
            None => Ok(None),
        }
    }

    fn reg_set(&mut self, key: &RegKey, name: &str, value: &RegValue) -> HostResult<()> {
        let (root, _session) = self
            .root(&key.hive, true)?
            .expect("write roots are always open");
        registry::set(root, &key.path, name, value)
    }

    fn reg_delete(&mut self, key: &RegKey, name: &str) -> HostResult<()> {
        let (root, _session) = self
            .root(&key.hive, true)?
            .expect("write roots are always open");
        registry::delete(root, &key.path, name)
    }

    fn user(&self, name: &str) -> HostResult<Option<UserInfo>> {
        users::get(name)
    }

    fn create_user(&mut self, name: &str, password: &Secret) -> HostResult<()> {
        self.forget_sessions();
        users::create(name, password)
    }

    fn set_password(&mut self, name: &str, password: &Secret) -> HostResult<()> {
        self.forget_sessions();
        users::set_password(name, password)
    }

    fn password_matches(&self, name: &str, password: &Secret) -> HostResult<bool> {
        Ok(match session::logon(name, password)? {
            Some(token) => {
                session::close(token);
                true
            }
            None => false,
        })
    }

    fn set_user_flags(&mut self, name: &str, flags: UserFlags) -> HostResult<()> {
        users::set_flags(name, flags)
    }

    fn add_to_group(&mut self, name: &str, group: Group) -> HostResult<()> {
        users::change_group(name, group, true)
    }

    fn remove_from_group(&mut self, name: &str, group: Group) -> HostResult<()> {
        users::change_group(name, group, false)
    }

    fn credential(&self, owner: &str, target: &str) -> HostResult<Option<StoredCredential>> {
        match self.session(owner)? {
            Some(s) => s.as_user(owner, || credentials::read(target)),
            None => Ok(None),
        }
    }

    fn write_credential(
        &mut self,
        owner: &str,
        target: &str,
        user_name: &str,
        secret: &Secret,
    ) -> HostResult<()> {
        self.session_for_write(owner)?
            .as_user(owner, || credentials::write(target, user_name, secret))
    }

    fn pfx_thumbprint(&self, pfx: &[u8], password: &Secret) -> HostResult<String> {
        certs::thumbprint(pfx, password)
    }

    fn has_certificate(&self, store: &CertLocation, thumbprint: &str) -> HostResult<bool> {
        match store {
            CertLocation::LocalMachineMy => certs::has(true, thumbprint),
            CertLocation::UserMy(user) => match self.session(user)? {
                Some(s) => s.as_user(user, || certs::has(false, thumbprint)),
                None => Ok(false),
            },
        }
    }

    fn import_pfx(
        &mut self,
        store: &CertLocation,
        pfx: &[u8],
        password: &Secret,
    ) -> HostResult<()> {
        match store {
            CertLocation::LocalMachineMy => certs::import(true, pfx, password),
            CertLocation::UserMy(user) => self
                .session_for_write(user)?
                .as_user(user, || certs::import(false, pfx, password)),
        }
    }

    fn task_xml(&self, name: &str) -> HostResult<Option<String>> {
        tasks::xml(name)
    }

    fn register_task(&mut self, name: &str, xml: &str, run_as: &str) -> HostResult<()> {
        tasks::register(name, xml, run_as, self.password(run_as))
    }

    fn power_timeout(&self, timeout: PowerTimeout, source: PowerSource) -> HostResult<u32> {
        power::timeout(timeout, source)
    }

    fn set_power_timeout(
        &mut self,
        timeout: PowerTimeout,
        source: PowerSource,
        seconds: u32,
    ) -> HostResult<()> {
        power::set_timeout(timeout, source, seconds)
    }

    fn hibernate_enabled(&self) -> HostResult<bool> {
        power::hibernate_enabled()
    }

    fn set_hibernate(&mut self, enabled: bool) -> HostResult<()> {
        power::set_hibernate(enabled)
    }

    fn winhttp_proxy(&self) -> HostResult<Option<WinHttpProxy>> {
        system::winhttp_proxy()
    }

    fn set_winhttp_proxy(&mut self, proxy: Option<&WinHttpProxy>) -> HostResult<()> {
        system::set_winhttp_proxy(proxy)
    }

    fn adapters(&self) -> HostResult<Vec<Adapter>> {
        network::adapters()
    }

    fn restart_service(&mut self, name: &str) -> HostResult<()> {
        system::restart_service(name)
    }

    fn lsa_secret(&self, name: &str) -> HostResult<Option<Fingerprint>> {
        lsa::get(name)
    }

    fn set_lsa_secret(&mut self, name: &str, value: Option<&Secret>) -> HostResult<()> {
        lsa::set(name, value)
    }

    fn known_folder(&self, folder: KnownFolder) -> HostResult<String> {
        system::known_folder(folder)
    }

    fn read_file(&self, path: &str) -> HostResult<Option<Vec<u8>>> {
        match std::fs::read(path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(fs_err("read", path, e)),
        }
    }

    fn write_file(&mut self, path: &str, bytes: &[u8]) -> HostResult<()> {
        let tmp = format!("{path}.oqs-tmp");
        std::fs::write(&tmp, bytes).map_err(|e| fs_err("write", &tmp, e))?;
        // MoveFileEx with REPLACE_EXISTING: the file is either old or new, never half.
        std::fs::rename(&tmp, path).map_err(|e| fs_err("rename", path, e))
    }

    fn append_file(&mut self, path: &str, bytes: &[u8]) -> HostResult<()> {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| fs_err("open", path, e))?;
        file.write_all(bytes).map_err(|e| fs_err("append", path, e))
    }

    fn remove_file(&mut self, path: &str) -> HostResult<bool> {
        match std::fs::remove_file(path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(fs_err("delete", path, e)),
        }
    }

    fn is_dir(&self, path: &str) -> HostResult<bool> {
        Ok(std::path::Path::new(path).is_dir())
    }

    fn create_dir_all(&mut self, path: &str) -> HostResult<()> {
        std::fs::create_dir_all(path).map_err(|e| fs_err("create folder", path, e))
    }

    fn run(&mut self, launch: &crate::link::installer::Launch) -> HostResult<Exit> {
        process::run(launch)
    }

    fn reboot(&mut self) -> HostResult<()> {
        system::reboot()
    }
}
