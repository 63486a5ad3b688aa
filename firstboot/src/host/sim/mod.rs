//! `SimHost`: an in-memory Windows with Windows' semantics (case-insensitive
//! registry and paths, a user cannot be created twice, another user's hive or
//! vault needs that user to exist, task XML kept as registered). It serializes to
//! JSON so the CLI itself can run against it (`--sim-state`), and a fault can be
//! armed to make one chosen operation fail once.

mod files;
mod registry;

pub use files::SimFiles;
pub use registry::SimRegistry;

use super::*;
use crate::link::installer::Launch;
use payload::{Secret, Text};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// Makes the next operation `op` (a `Host` method name, e.g. `reg_set`) whose
/// object contains `object` (case-insensitive) fail once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    pub op: String,
    pub object: String,
}

/// What a program does when the simulated Windows runs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimProgram {
    pub exit: Exit,
    /// Files it writes (Windows path -> contents), e.g. an installer's `Version.info`;
    /// only when it succeeds (0, 3010, 1641): a failed installation rolls back.
    #[serde(default)]
    pub writes: BTreeMap<String, Vec<u8>>,
}

impl Default for SimProgram {
    fn default() -> Self {
        SimProgram {
            exit: Exit::Code(0),
            writes: BTreeMap::new(),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct SimUser {
    name: String,
    password: Fingerprint,
    flags: UserFlags,
    groups: BTreeSet<Group>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct SimTask {
    name: String,
    xml: String,
    run_as: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SimHost {
    pub clock_unix: u64,
    pub computer_name: String,
    /// Set by `set_computer_name`; becomes the name at the next reboot.
    pub pending_computer_name: Option<String>,
    pub hardware: HardwareIds,
    pub adapters: Vec<Adapter>,
    pub registry: SimRegistry,
    pub files: SimFiles,
    users: BTreeMap<String, SimUser>,
    /// Owner (lowercase) -> target (lowercase) -> credential.
    vaults: BTreeMap<String, BTreeMap<String, (String, StoredCredential)>>,
    /// Store (as displayed) -> thumbprints.
    cert_stores: BTreeMap<String, BTreeSet<String>>,
    tasks: BTreeMap<String, SimTask>,
    power: Vec<(PowerTimeout, PowerSource, u32)>,
    winhttp_proxy: Option<WinHttpProxy>,
    lsa: BTreeMap<String, Fingerprint>,
    pub service_restarts: Vec<String>,
    /// What programs do, by lowercase file name (`setup.exe`); others exit 0 and do nothing.
    #[serde(default)]
    pub programs: BTreeMap<String, SimProgram>,
    /// Every program run, as the command a person would type.
    #[serde(default)]
    pub runs: Vec<String>,
    pub reboots: u32,
    /// Capabilities to pretend this host lacks (to test skipping).
    pub unsupported: BTreeSet<Capability>,
    pub fault: Option<Fault>,
}

const CMD_EXE: &str = r"C:\Windows\System32\cmd.exe";
const POWER_KEY: &str = r"SYSTEM\CurrentControlSet\Control\Power";
const WINLOGON: &str = r"SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon";

impl SimHost {
    /// A blank Windows with nothing but its own defaults.
    pub fn blank(computer_name: &str) -> SimHost {
        let mut host = SimHost {
            clock_unix: 1_767_225_600, // 2026-01-01T00:00:00Z: fixed, so logs are reproducible.
            computer_name: computer_name.to_owned(),
            pending_computer_name: None,
            hardware: HardwareIds::default(),
            adapters: Vec::new(),
            registry: SimRegistry::default(),
            files: SimFiles::default(),
            users: BTreeMap::new(),
            vaults: BTreeMap::new(),
            cert_stores: BTreeMap::new(),
            tasks: BTreeMap::new(),
            // Windows 11's Balanced plan.
            power: vec![
                (PowerTimeout::Monitor, PowerSource::Ac, 600),
                (PowerTimeout::Monitor, PowerSource::Dc, 300),
                (PowerTimeout::Standby, PowerSource::Ac, 1800),
                (PowerTimeout::Standby, PowerSource::Dc, 900),
            ],
            winhttp_proxy: None,
            lsa: BTreeMap::new(),
            service_restarts: Vec::new(),
            programs: BTreeMap::new(),
            runs: Vec::new(),
            reboots: 0,
            unsupported: BTreeSet::new(),
            fault: None,
        };
        for dir in [
            r"C:\Windows\System32",
            r"C:\Windows\Panther",
            r"C:\ProgramData",
            r"C:\Users\Public\Desktop",
        ] {
            host.files.create_dir_all(dir).expect("fresh folders");
        }
        host.files
            .write(CMD_EXE, b"MZ (SimHost)".to_vec())
            .expect("System32 exists");
        host.registry.set(
            &RegKey::hklm(POWER_KEY),
            "HibernateEnabled",
            &RegValue::Dword(1),
        );
        let session_power = RegKey::hklm(r"SYSTEM\CurrentControlSet\Control\Session Manager\Power");
        host.registry
            .set(&session_power, "HiberbootEnabled", &RegValue::Dword(1));
        host
    }

    /// What Windows Setup leaves after our answer file: the set-up administrator
    /// logged on automatically, and the answer file cached in Panther.
    pub fn after_windows_setup(
        computer_name: &str,
        setup_admin: &str,
        password: &Secret,
    ) -> SimHost {
        let mut host = SimHost::blank(computer_name);
        host.create_user(setup_admin, password).expect("blank host");
        host.add_to_group(setup_admin, Group::Administrators)
            .expect("user exists");
        let winlogon = RegKey::hklm(WINLOGON);
        host.registry
            .set(&winlogon, "AutoAdminLogon", &RegValue::Sz("1".into()));
        host.registry.set(
            &winlogon,
            "DefaultUserName",
            &RegValue::Sz(setup_admin.into()),
        );
        host.registry
            .set(&winlogon, "AutoLogonCount", &RegValue::Dword(1));
        host.lsa
            .insert("DefaultPassword".into(), Fingerprint::of(password));
        for name in ["unattend.xml", "unattend-original.xml"] {
            let path = format!(r"C:\Windows\Panther\{name}");
            host.files
                .write(&path, b"<unattend>...</unattend>".to_vec())
                .expect("Panther exists");
        }
        host
    }

    /// The exact XML a task was registered with, and its user.
    pub fn task(&self, name: &str) -> Option<(&str, &str)> {
        self.tasks
            .get(&name.to_lowercase())
            .map(|t| (t.xml.as_str(), t.run_as.as_str()))
    }

    pub fn task_names(&self) -> Vec<&str> {
        self.tasks.values().map(|t| t.name.as_str()).collect()
    }

    pub fn certificates(&self, store: &CertLocation) -> Vec<&str> {
        self.cert_stores
            .get(&store.to_string())
            .map(|s| s.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }

    fn trip(&mut self, op: &str, object: &str) -> HostResult<()> {
        let hit = self.fault.as_ref().is_some_and(|f| {
            f.op == op && object.to_lowercase().contains(&f.object.to_lowercase())
        });
        if hit {
            self.fault = None;
            return Err(HostError::failed(op, object, "injected fault (SimHost)"));
        }
        Ok(())
    }

    fn user_mut(&mut self, name: &str) -> HostResult<&mut SimUser> {
        self.users
            .get_mut(&name.to_lowercase())
            .ok_or_else(|| HostError::NotFound(format!("user {name}")))
    }

    /// Another user's hive or vault can only be opened by logging that user on.
    fn require_user(&self, name: &str) -> HostResult<()> {
        if self.users.contains_key(&name.to_lowercase()) {
            Ok(())
        } else {
            Err(HostError::NotFound(format!("user {name}")))
        }
    }

    fn require_hive(&self, key: &RegKey) -> HostResult<()> {
        match &key.hive {
            Hive::LocalMachine => Ok(()),
            Hive::User(user) => self.require_user(user),
        }
    }

    fn require_store(&self, store: &CertLocation) -> HostResult<()> {
        match store {
            CertLocation::LocalMachineMy => Ok(()),
            CertLocation::UserMy(user) => self.require_user(user),
        }
    }
}

fn sim_thumbprint(pfx: &[u8]) -> String {
    // SimHost does not decode PKCS#12: a PFX stands for one certificate named by its bytes.
    hex::encode_upper(&Sha256::digest(pfx)[..20])
}

impl Host for SimHost {
    fn unsupported(&self, capability: Capability) -> Option<Text> {
        self.unsupported.contains(&capability).then(|| {
            Text::new(
                format!(
                    "このホストでは{}を扱えません (SimHost の設定)",
                    capability.text().ja
                ),
                format!(
                    "{} not supported on this host (SimHost setting)",
                    capability.text().en
                ),
            )
        })
    }

    fn now_unix(&self) -> u64 {
        self.clock_unix
    }

    fn hardware(&self) -> HostResult<HardwareIds> {
        Ok(self.hardware.clone())
    }

    fn computer_name(&self) -> HostResult<String> {
        Ok(self.computer_name.clone())
    }

    fn set_computer_name(&mut self, name: &str) -> HostResult<()> {
        self.trip("set_computer_name", name)?;
        self.pending_computer_name = Some(name.to_owned());
        Ok(())
    }

    fn reg_get(&self, key: &RegKey, name: &str) -> HostResult<Option<RegValue>> {
        if self.require_hive(key).is_err() {
            return Ok(None);
        }
        Ok(self.registry.get(key, name))
    }

    fn reg_set(&mut self, key: &RegKey, name: &str, value: &RegValue) -> HostResult<()> {
        self.require_hive(key)?;
        self.trip("reg_set", &format!(r"{key}\{name}"))?;
        self.registry.set(key, name, value);
        Ok(())
    }

    fn reg_delete(&mut self, key: &RegKey, name: &str) -> HostResult<()> {
        self.require_hive(key)?;
        self.trip("reg_delete", &format!(r"{key}\{name}"))?;
        self.registry.delete(key, name);
        Ok(())
    }

    fn user(&self, name: &str) -> HostResult<Option<UserInfo>> {
        Ok(self.users.get(&name.to_lowercase()).map(|u| UserInfo {
            name: u.name.clone(),
            flags: u.flags,
            groups: u.groups.iter().copied().collect(),
        }))
    }

    fn create_user(&mut self, name: &str, password: &Secret) -> HostResult<()> {
        self.trip("create_user", name)?;
        if self.users.contains_key(&name.to_lowercase()) {
            return Err(HostError::AlreadyExists(format!("user {name}")));
        }
        let user = SimUser {
            name: name.to_owned(),
            password: Fingerprint::of(password),
            flags: UserFlags::default(),
            // NetUserAdd puts every new local user in Users.
            groups: BTreeSet::from([Group::Users]),
        };
        self.users.insert(name.to_lowercase(), user);
        Ok(())
    }

    fn set_password(&mut self, name: &str, password: &Secret) -> HostResult<()> {
        self.trip("set_password", name)?;
        self.user_mut(name)?.password = Fingerprint::of(password);
        Ok(())
    }

    fn password_matches(&self, name: &str, password: &Secret) -> HostResult<bool> {
        Ok(self
            .users
            .get(&name.to_lowercase())
            .is_some_and(|u| u.password == Fingerprint::of(password)))
    }

    fn set_user_flags(&mut self, name: &str, flags: UserFlags) -> HostResult<()> {
        self.trip("set_user_flags", name)?;
        self.user_mut(name)?.flags = flags;
        Ok(())
    }

    fn add_to_group(&mut self, name: &str, group: Group) -> HostResult<()> {
        self.trip("add_to_group", name)?;
        self.user_mut(name)?.groups.insert(group);
        Ok(())
    }

    fn remove_from_group(&mut self, name: &str, group: Group) -> HostResult<()> {
        self.trip("remove_from_group", name)?;
        self.user_mut(name)?.groups.remove(&group);
        Ok(())
    }

    fn credential(&self, owner: &str, target: &str) -> HostResult<Option<StoredCredential>> {
        Ok(self
            .vaults
            .get(&owner.to_lowercase())
            .and_then(|v| v.get(&target.to_lowercase()))
            .map(|(_, c)| c.clone()))
    }

    fn write_credential(
        &mut self,
        owner: &str,
        target: &str,
        user_name: &str,
        secret: &Secret,
    ) -> HostResult<()> {
        self.require_user(owner)?;
        self.trip("write_credential", target)?;
        let credential = StoredCredential {
            user_name: user_name.to_owned(),
            secret: Fingerprint::of(secret),
        };
        self.vaults
            .entry(owner.to_lowercase())
            .or_default()
            .insert(target.to_lowercase(), (target.to_owned(), credential));
        Ok(())
    }

    fn pfx_thumbprint(&self, pfx: &[u8], _password: &Secret) -> HostResult<String> {
        Ok(sim_thumbprint(pfx))
    }

    fn has_certificate(&self, store: &CertLocation, thumbprint: &str) -> HostResult<bool> {
        Ok(self
            .cert_stores
            .get(&store.to_string())
            .is_some_and(|s| s.contains(&thumbprint.to_ascii_uppercase())))
    }

    fn import_pfx(
        &mut self,
        store: &CertLocation,
        pfx: &[u8],
        _password: &Secret,
    ) -> HostResult<()> {
        self.require_store(store)?;
        self.trip("import_pfx", &store.to_string())?;
        self.cert_stores
            .entry(store.to_string())
            .or_default()
            .insert(sim_thumbprint(pfx));
        Ok(())
    }

    fn task_xml(&self, name: &str) -> HostResult<Option<String>> {
        Ok(self.task(name).map(|(xml, _)| xml.to_owned()))
    }

    fn register_task(&mut self, name: &str, xml: &str, run_as: &str) -> HostResult<()> {
        self.require_user(run_as)?;
        self.trip("register_task", name)?;
        let task = SimTask {
            name: name.to_owned(),
            xml: xml.to_owned(),
            run_as: run_as.to_owned(),
        };
        self.tasks.insert(name.to_lowercase(), task);
        Ok(())
    }

    fn power_timeout(&self, timeout: PowerTimeout, source: PowerSource) -> HostResult<u32> {
        Ok(self
            .power
            .iter()
            .find(|(t, s, _)| *t == timeout && *s == source)
            .map_or(0, |(_, _, v)| *v))
    }

    fn set_power_timeout(
        &mut self,
        timeout: PowerTimeout,
        source: PowerSource,
        seconds: u32,
    ) -> HostResult<()> {
        self.trip("set_power_timeout", &format!("{timeout:?} {source:?}"))?;
        self.power
            .retain(|(t, s, _)| !(*t == timeout && *s == source));
        self.power.push((timeout, source, seconds));
        self.power.sort();
        Ok(())
    }

    fn hibernate_enabled(&self) -> HostResult<bool> {
        let value = self
            .registry
            .get(&RegKey::hklm(POWER_KEY), "HibernateEnabled");
        Ok(value != Some(RegValue::Dword(0)))
    }

    fn set_hibernate(&mut self, enabled: bool) -> HostResult<()> {
        self.trip("set_hibernate", "HibernateEnabled")?;
        let value = RegValue::Dword(u32::from(enabled));
        self.registry
            .set(&RegKey::hklm(POWER_KEY), "HibernateEnabled", &value);
        Ok(())
    }

    fn winhttp_proxy(&self) -> HostResult<Option<WinHttpProxy>> {
        Ok(self.winhttp_proxy.clone())
    }

    fn set_winhttp_proxy(&mut self, proxy: Option<&WinHttpProxy>) -> HostResult<()> {
        self.trip("set_winhttp_proxy", "WinHttpSettings")?;
        self.winhttp_proxy = proxy.cloned();
        Ok(())
    }

    fn adapters(&self) -> HostResult<Vec<Adapter>> {
        Ok(self.adapters.clone())
    }

    fn restart_service(&mut self, name: &str) -> HostResult<()> {
        self.trip("restart_service", name)?;
        self.service_restarts.push(name.to_owned());
        Ok(())
    }

    fn lsa_secret(&self, name: &str) -> HostResult<Option<Fingerprint>> {
        Ok(self.lsa.get(name).cloned())
    }

    fn set_lsa_secret(&mut self, name: &str, value: Option<&Secret>) -> HostResult<()> {
        self.trip("set_lsa_secret", name)?;
        match value {
            Some(v) => self.lsa.insert(name.to_owned(), Fingerprint::of(v)),
            None => self.lsa.remove(name),
        };
        Ok(())
    }

    fn known_folder(&self, folder: KnownFolder) -> HostResult<String> {
        Ok(match folder {
            KnownFolder::PublicDesktop => r"C:\Users\Public\Desktop",
            KnownFolder::ProgramData => r"C:\ProgramData",
            KnownFolder::Windows => r"C:\Windows",
        }
        .to_owned())
    }

    fn read_file(&self, path: &str) -> HostResult<Option<Vec<u8>>> {
        Ok(self.files.read(path))
    }

    fn write_file(&mut self, path: &str, bytes: &[u8]) -> HostResult<()> {
        self.trip("write_file", path)?;
        self.files.write(path, bytes.to_vec())
    }

    fn append_file(&mut self, path: &str, bytes: &[u8]) -> HostResult<()> {
        self.trip("append_file", path)?;
        let mut all = self.files.read(path).unwrap_or_default();
        all.extend_from_slice(bytes);
        self.files.write(path, all)
    }

    fn remove_file(&mut self, path: &str) -> HostResult<bool> {
        self.trip("remove_file", path)?;
        Ok(self.files.remove(path))
    }

    fn is_dir(&self, path: &str) -> HostResult<bool> {
        Ok(self.files.is_dir(path))
    }

    fn create_dir_all(&mut self, path: &str) -> HostResult<()> {
        self.trip("create_dir_all", path)?;
        self.files.create_dir_all(path)
    }

    fn run(&mut self, launch: &Launch) -> HostResult<Exit> {
        let program = match launch {
            Launch::Msi { package, .. } => package,
            Launch::Exe { program, .. } => program,
        };
        self.trip("run", program)?;
        if self.files.read(program).is_none() {
            return Err(HostError::NotFound(program.clone()));
        }
        let name = program
            .rsplit('\\')
            .next()
            .unwrap_or(program)
            .to_lowercase();
        let behaviour = self.programs.get(&name).cloned().unwrap_or_default();
        let succeeded = matches!(behaviour.exit, Exit::Code(0 | 1641 | 3010));
        for (path, bytes) in behaviour.writes.iter().filter(|_| succeeded) {
            self.files.write_creating_folder(path, bytes.clone())?;
        }
        let command = launch.equivalent_command();
        let line = format!("{command} -> {:?} (SimHost)\r\n", behaviour.exit);
        let mut log = self.files.read(launch.log()).unwrap_or_default();
        log.extend_from_slice(line.as_bytes());
        self.files.write_creating_folder(launch.log(), log)?;
        self.runs.push(command);
        Ok(behaviour.exit)
    }

    fn reboot(&mut self) -> HostResult<()> {
        self.trip("reboot", "")?;
        self.reboots += 1;
        if let Some(name) = self.pending_computer_name.take() {
            self.computer_name = name;
        }
        Ok(())
    }
}
