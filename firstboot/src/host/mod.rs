//! `Host`: the only place that touches Windows. Steps ask it questions and give it
//! orders in Windows' own terms (registry keys, well-known groups, certificate
//! stores, task XML); `Win32Host` carries them out through Win32 APIs, `SimHost`
//! keeps an in-memory Windows for tests.

mod error;
mod fingerprint;
pub mod sim;
pub mod smbios;
mod types;
#[cfg(windows)]
pub mod win32;

pub use error::{HostError, HostResult};
pub use fingerprint::Fingerprint;
pub use types::*;

use crate::link::installer::Launch;
use payload::{Secret, Text};

/// Everything firstboot needs from Windows. Paths are Windows paths (`C:\...`).
/// User names are local accounts; `owner` arguments name the user whose own
/// registry hive, credential vault or certificate store is meant. Reading from a
/// user that does not exist (yet) finds nothing; writing to it is an error.
pub trait Host {
    /// Why this host cannot do `capability`, or `None` when it can.
    /// A step needing it is reported as skipped, never as done.
    fn unsupported(&self, capability: Capability) -> Option<Text>;
    /// Seconds since the Unix epoch (for the journal and the log).
    fn now_unix(&self) -> u64;

    // Identity
    fn hardware(&self) -> HostResult<HardwareIds>;
    fn computer_name(&self) -> HostResult<String>;
    /// Takes effect at the next restart, as on Windows.
    fn set_computer_name(&mut self, name: &str) -> HostResult<()>;

    // Registry
    fn reg_get(&self, key: &RegKey, name: &str) -> HostResult<Option<RegValue>>;
    /// Creates the key when missing.
    fn reg_set(&mut self, key: &RegKey, name: &str, value: &RegValue) -> HostResult<()>;
    /// Deleting a value that is not there is not an error.
    fn reg_delete(&mut self, key: &RegKey, name: &str) -> HostResult<()>;

    // Local users and groups (groups by well-known SID: names are localized)
    fn user(&self, name: &str) -> HostResult<Option<UserInfo>>;
    /// Fails when the user exists.
    fn create_user(&mut self, name: &str, password: &Secret) -> HostResult<()>;
    fn set_password(&mut self, name: &str, password: &Secret) -> HostResult<()>;
    /// Whether `password` logs `name` on (LogonUser).
    fn password_matches(&self, name: &str, password: &Secret) -> HostResult<bool>;
    fn set_user_flags(&mut self, name: &str, flags: UserFlags) -> HostResult<()>;
    fn add_to_group(&mut self, name: &str, group: Group) -> HostResult<()>;
    fn remove_from_group(&mut self, name: &str, group: Group) -> HostResult<()>;

    // Credential manager, in `owner`'s own vault
    fn credential(&self, owner: &str, target: &str) -> HostResult<Option<StoredCredential>>;
    fn write_credential(
        &mut self,
        owner: &str,
        target: &str,
        user_name: &str,
        secret: &Secret,
    ) -> HostResult<()>;

    // Certificates
    /// The SHA-1 thumbprint (uppercase hex) of the certificate with a private key in `pfx`.
    fn pfx_thumbprint(&self, pfx: &[u8], password: &Secret) -> HostResult<String>;
    /// Whether `store` holds the certificate with its private key.
    fn has_certificate(&self, store: &CertLocation, thumbprint: &str) -> HostResult<bool>;
    fn import_pfx(&mut self, store: &CertLocation, pfx: &[u8], password: &Secret)
    -> HostResult<()>;

    // Scheduled tasks (root folder)
    /// The XML the task was registered from, or `None` when there is no such task.
    fn task_xml(&self, name: &str) -> HostResult<Option<String>>;
    /// Registers (or replaces) a task that runs as `run_as` whether logged on or not.
    fn register_task(&mut self, name: &str, xml: &str, run_as: &str) -> HostResult<()>;

    // Power (active scheme)
    fn power_timeout(&self, timeout: PowerTimeout, source: PowerSource) -> HostResult<u32>;
    fn set_power_timeout(
        &mut self,
        timeout: PowerTimeout,
        source: PowerSource,
        seconds: u32,
    ) -> HostResult<()>;
    fn hibernate_enabled(&self) -> HostResult<bool>;
    fn set_hibernate(&mut self, enabled: bool) -> HostResult<()>;

    // WinHTTP's machine-wide proxy
    fn winhttp_proxy(&self) -> HostResult<Option<WinHttpProxy>>;
    fn set_winhttp_proxy(&mut self, proxy: Option<&WinHttpProxy>) -> HostResult<()>;

    // Network adapters and services
    fn adapters(&self) -> HostResult<Vec<Adapter>>;
    fn restart_service(&mut self, name: &str) -> HostResult<()>;

    // LSA private data (where Autologon keeps DefaultPassword)
    fn lsa_secret(&self, name: &str) -> HostResult<Option<Fingerprint>>;
    fn set_lsa_secret(&mut self, name: &str, value: Option<&Secret>) -> HostResult<()>;

    // Files
    fn known_folder(&self, folder: KnownFolder) -> HostResult<String>;
    fn read_file(&self, path: &str) -> HostResult<Option<Vec<u8>>>;
    /// Atomic: written to a temporary name beside `path`, then renamed over it.
    fn write_file(&mut self, path: &str, bytes: &[u8]) -> HostResult<()>;
    fn append_file(&mut self, path: &str, bytes: &[u8]) -> HostResult<()>;
    /// Returns whether there was a file to remove.
    fn remove_file(&mut self, path: &str) -> HostResult<bool>;
    fn is_dir(&self, path: &str) -> HostResult<bool>;
    fn create_dir_all(&mut self, path: &str) -> HostResult<()>;

    // Programs
    /// Runs `launch` and waits for it up to its timeout: an MSI through the Windows
    /// Installer API (no UI, verbose log), an EXE by CreateProcess with no console
    /// input and its output appended to its log.
    fn run(&mut self, launch: &Launch) -> HostResult<Exit>;

    /// Restarts Windows (after the caller has saved everything).
    fn reboot(&mut self) -> HostResult<()>;
}
