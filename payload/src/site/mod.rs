//! `site.toml`: everything about one clinic that the builder and firstboot need,
//! except secrets (those live in `secrets.toml` and the vault).
//!
//! Every value the OQS facts know has a default here, so a minimal site names only
//! the clinic and its terminals. Values that are unsure in the field (proxy, DNS,
//! NTP, task times) are settings with the known value as default, never constants.

mod defaults;
mod load;
mod locate;
mod path;
mod validate;

pub use load::{LoadError, Loaded, load_file, parse};
pub use locate::Position;
pub use path::KeyPath;
pub use validate::{Problem, Severity};
pub use validate::{computer_name_problem, normalize_mac, parse_hh_mm, user_name_problem};

use serde::{Deserialize, Serialize};
use std::net::Ipv6Addr;

/// The schema version this build understands.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Site {
    #[serde(default = "defaults::schema")]
    pub schema: u32,
    pub clinic: Clinic,
    #[serde(default)]
    pub windows: WindowsSetup,
    #[serde(default)]
    pub terminals: Vec<Terminal>,
    #[serde(default)]
    pub accounts: Accounts,
    #[serde(default)]
    pub network: Network,
    #[serde(default)]
    pub installers: Vec<Installer>,
    #[serde(default)]
    pub tasks: Tasks,
    #[serde(default = "defaults::shortcuts")]
    pub shortcuts: Vec<Shortcut>,
    #[serde(default)]
    pub power: Power,
    #[serde(default)]
    pub display: Display,
    #[serde(default)]
    pub karte_link: KarteLink,
    #[serde(default)]
    pub options: Options,
    #[serde(default)]
    pub secrets: SecretsPolicy,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Clinic {
    /// Shown on summaries and the stick's label file; may be Japanese.
    pub name: String,
    /// 医療機関コード: 10 digits (2 prefecture, 1 kind, 7 institution).
    pub medical_institution_code: String,
    /// Which NTT's closed network the OQS line runs on; picks the IPv6 DNS defaults.
    pub line: Line,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Line {
    East,
    West,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WindowsSetup {
    /// The edition to install, matched against the WIM's image names.
    #[serde(default = "defaults::edition")]
    pub edition: String,
    /// Forces the WIM image index instead of matching `edition`.
    #[serde(default)]
    pub image_index: Option<u32>,
    #[serde(default = "defaults::ui_language")]
    pub language: String,
    /// Windows' English time zone id, not a localized name.
    #[serde(default = "defaults::time_zone")]
    pub time_zone: String,
    /// A generic (KMS/installation) key; not a secret. Empty lets Setup use the firmware key.
    #[serde(default)]
    pub product_key: Option<String>,
    /// Which internal disk to install to when a terminal has more than one.
    #[serde(default)]
    pub target_disk: TargetDisk,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct TargetDisk {
    /// Only disks whose model contains this text (case-insensitive) qualify.
    #[serde(default)]
    pub model: Option<String>,
    /// Only disks at least this large (GB, 10^9 bytes) qualify.
    #[serde(default)]
    pub min_size_gb: Option<u32>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Terminal {
    /// The Windows computer name: at most 15 characters, letters, digits and hyphens.
    pub name: String,
    pub role: Role,
    /// How firstboot recognizes this machine; any one match identifies it.
    #[serde(default)]
    pub hardware: Hardware,
    /// The terminal's own OQS client certificate (PFX), relative to site.toml.
    pub certificate: String,
    #[serde(default = "defaults::cert_stores")]
    pub cert_stores: Vec<CertStore>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Primary,
    Standby,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Hardware {
    #[serde(default)]
    pub smbios_uuid: Option<String>,
    #[serde(default)]
    pub serial: Option<String>,
    #[serde(default)]
    pub mac: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CertStore {
    /// The OqsComApp user's personal store: where OQSComApp looks by default.
    #[serde(rename = "CurrentUser\\My")]
    CurrentUserMy,
    #[serde(rename = "LocalMachine\\My")]
    LocalMachineMy,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Accounts {
    /// The set-up administrator Windows Setup creates; its autologon ends after set-up.
    #[serde(default = "defaults::setup_admin")]
    pub setup_admin: Account,
    #[serde(default = "defaults::oqs_com_app")]
    pub oqs_com_app: Account,
    /// The account the レセコン/電子カルテ uses over SMB; absent when there is no link.
    #[serde(default)]
    pub ons_renkei: Option<Account>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Account {
    pub name: String,
    /// Log this user on automatically after each restart (OQSComApp needs a session).
    #[serde(default)]
    pub autologon: bool,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Network {
    #[serde(default)]
    pub proxy: Proxy,
    #[serde(default)]
    pub dns: Dns,
    #[serde(default)]
    pub ntp: Ntp,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Proxy {
    #[serde(default = "defaults::yes")]
    pub enabled: bool,
    /// `host:port`.
    #[serde(default = "defaults::proxy_server")]
    pub server: String,
    /// Hosts that bypass the proxy (joined with `;` in the registry).
    #[serde(default = "defaults::proxy_override")]
    pub bypass: Vec<String>,
    /// Give WinHTTP the same proxy (`netsh winhttp import proxy source=ie`).
    #[serde(default = "defaults::yes")]
    pub winhttp: bool,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Dns {
    /// Which network adapter is on the OQS line (never by its localized name).
    #[serde(default)]
    pub nic: NicSelector,
    /// IPv6 DNS servers; defaults to the NTT line's pair.
    #[serde(default)]
    pub servers: Option<Vec<Ipv6Addr>>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct NicSelector {
    #[serde(default)]
    pub mac: Option<String>,
    /// A part of the adapter's hardware description, e.g. "Intel(R) Ethernet".
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Ntp {
    /// W32Time `NtpServer` value, flags included.
    #[serde(default = "defaults::ntp_server")]
    pub server: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Installer {
    /// Short id used in logs and the journal, e.g. `face-app`.
    pub id: String,
    pub kind: InstallerKind,
    /// The package as downloaded from ONS, relative to site.toml.
    pub file: String,
    /// For a zip: the installer inside it to run (relative to the zip root).
    #[serde(default)]
    pub run: Option<String>,
    /// Silent-install arguments (EXE) or extra MSI properties (`NAME=value`).
    #[serde(default)]
    pub args: Vec<String>,
    /// Expected version; an installed copy of this version is not reinstalled.
    #[serde(default)]
    pub version: Option<String>,
    /// Where the installed version is recorded (e.g. a `Version.info`).
    #[serde(default)]
    pub version_file: Option<String>,
    #[serde(default = "defaults::installer_timeout")]
    pub timeout_minutes: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InstallerKind {
    Zip,
    Msi,
    Exe,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Tasks {
    /// Daily restart time `HH:MM` (the seed's 定刻に再起動); none to leave it out.
    #[serde(default = "defaults::daily_restart")]
    pub daily_restart: Option<String>,
    /// `OQS_exec_distroappstart`: at start-up, 1 minute delay, hourly.
    #[serde(default = "defaults::yes")]
    pub distroapp_start: bool,
    /// `OQS_exec_comappdelfile_running`: at start-up, 30 s delay.
    #[serde(default = "defaults::yes")]
    pub comapp_delete_files: bool,
    /// More tasks as Task Scheduler XML files, relative to site.toml.
    #[serde(default)]
    pub extra: Vec<ExtraTask>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ExtraTask {
    pub name: String,
    pub xml: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Shortcut {
    /// File name on the public desktop, without `.url`.
    pub name: String,
    pub url: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Power {
    /// Minutes; 0 = never.
    #[serde(default)]
    pub monitor_ac_minutes: u32,
    #[serde(default)]
    pub monitor_dc_minutes: u32,
    #[serde(default)]
    pub standby_ac_minutes: u32,
    #[serde(default)]
    pub standby_dc_minutes: u32,
    #[serde(default)]
    pub hibernate: bool,
    /// 高速スタートアップ: off, or a "restart" keeps a stale kernel and drivers.
    #[serde(default)]
    pub fast_startup: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Display {
    #[serde(default = "defaults::scale")]
    pub scale_percent: u32,
}

/// The 電子カルテ link: where OQSComApp reads requests and writes answers.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KarteLink {
    #[serde(default)]
    pub enabled: bool,
    /// The shared request folder, e.g. `\\192.168.1.10\oqs\req`.
    #[serde(default)]
    pub request_dir: String,
    #[serde(default)]
    pub response_dir: String,
    /// The local folders a standby uses.
    #[serde(default = "defaults::local_req")]
    pub local_request_dir: String,
    #[serde(default = "defaults::local_res")]
    pub local_response_dir: String,
    /// The `UserDefinition.property` keys that follow the request/response folders.
    #[serde(default = "defaults::datadir_keys")]
    pub keys: Vec<String>,
    /// How backslashes are written: `keep` what the file uses, else `doubled` (the seed's) or `plain`.
    #[serde(default)]
    pub escaping: Escaping,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Escaping {
    #[default]
    Keep,
    Doubled,
    Plain,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Options {
    /// Install delegate.crx / nopinauth.crx / pinauth.crx into Edge by policy.
    #[serde(default)]
    pub edge_extensions: bool,
    /// 支払基金 online claims set-up package (zip), relative to site.toml.
    #[serde(default)]
    pub online_claims_package: Option<String>,
    /// Skip Windows 11's TPM / Secure Boot / RAM checks (LabConfig). Old terminals only.
    #[serde(default)]
    pub bypass_win11_checks: bool,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SecretsPolicy {
    #[serde(default)]
    pub unlock: Unlock,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unlock {
    /// firstboot asks for the vault passphrase once.
    #[default]
    Prompt,
    /// Zero-touch: the key file sits on the stick; whoever holds the stick holds every secret.
    KeyFileOnStick,
}

impl Site {
    /// The IPv6 DNS servers in force: the site's, else the NTT line's defaults.
    pub fn dns_servers(&self) -> Vec<Ipv6Addr> {
        self.network
            .dns
            .servers
            .clone()
            .unwrap_or_else(|| defaults::dns_for(self.clinic.line))
    }

    pub fn primary(&self) -> Option<&Terminal> {
        self.terminals.iter().find(|t| t.role == Role::Primary)
    }

    pub fn terminal(&self, name: &str) -> Option<&Terminal> {
        self.terminals
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(name))
    }
}

impl Default for WindowsSetup {
    fn default() -> Self {
        WindowsSetup {
            edition: defaults::edition(),
            image_index: None,
            language: defaults::ui_language(),
            time_zone: defaults::time_zone(),
            product_key: None,
            target_disk: TargetDisk::default(),
        }
    }
}

impl Default for Accounts {
    fn default() -> Self {
        Accounts {
            setup_admin: defaults::setup_admin(),
            oqs_com_app: defaults::oqs_com_app(),
            ons_renkei: None,
        }
    }
}

impl Default for Proxy {
    fn default() -> Self {
        Proxy {
            enabled: true,
            server: defaults::proxy_server(),
            bypass: defaults::proxy_override(),
            winhttp: true,
        }
    }
}

impl Default for Ntp {
    fn default() -> Self {
        Ntp {
            server: defaults::ntp_server(),
        }
    }
}

impl Default for Tasks {
    fn default() -> Self {
        Tasks {
            daily_restart: defaults::daily_restart(),
            distroapp_start: true,
            comapp_delete_files: true,
            extra: Vec::new(),
        }
    }
}

impl Default for Display {
    fn default() -> Self {
        Display {
            scale_percent: defaults::scale(),
        }
    }
}

impl Default for KarteLink {
    fn default() -> Self {
        KarteLink {
            enabled: false,
            request_dir: String::new(),
            response_dir: String::new(),
            local_request_dir: defaults::local_req(),
            local_response_dir: defaults::local_res(),
            keys: defaults::datadir_keys(),
            escaping: Escaping::Keep,
        }
    }
}
