//! The vocabulary of `Host`, in Windows' terms.

use super::Fingerprint;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a host may be unable to do. Registry, credentials, certificates and files
/// are always needed and so have no capability of their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Capability {
    Users,
    Tasks,
    Power,
    Network,
    Services,
    Lsa,
    Reboot,
}

impl Capability {
    pub fn text(self) -> payload::Text {
        let (ja, en) = match self {
            Capability::Users => ("ローカルユーザー", "local users"),
            Capability::Tasks => ("タスク スケジューラ", "Task Scheduler"),
            Capability::Power => ("電源設定", "power settings"),
            Capability::Network => ("ネットワーク アダプター", "network adapters"),
            Capability::Services => ("サービス", "services"),
            Capability::Lsa => ("LSA シークレット", "LSA secrets"),
            Capability::Reboot => ("再起動", "restart"),
        };
        payload::Text::new(ja, en)
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.text())
    }
}

/// What identifies this machine against `site.terminals[].hardware`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HardwareIds {
    pub smbios_uuid: Option<String>,
    pub serial: Option<String>,
    /// `AA-BB-CC-DD-EE-FF`.
    pub macs: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Hive {
    LocalMachine,
    /// That user's HKEY_CURRENT_USER (its hive is loaded when the user is not logged on).
    User(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegKey {
    pub hive: Hive,
    /// Below the hive, `\`-separated, no leading `\`.
    pub path: String,
}

impl RegKey {
    pub fn hklm(path: &str) -> RegKey {
        RegKey {
            hive: Hive::LocalMachine,
            path: path.to_owned(),
        }
    }

    pub fn user(user: &str, path: &str) -> RegKey {
        RegKey {
            hive: Hive::User(user.to_owned()),
            path: path.to_owned(),
        }
    }
}

impl fmt::Display for RegKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.hive {
            Hive::LocalMachine => write!(f, r"HKLM\{}", self.path),
            Hive::User(user) => write!(f, r"HKCU({user})\{}", self.path),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RegValue {
    #[serde(rename = "REG_DWORD")]
    Dword(u32),
    #[serde(rename = "REG_SZ")]
    Sz(String),
    #[serde(rename = "REG_EXPAND_SZ")]
    ExpandSz(String),
    #[serde(rename = "REG_MULTI_SZ")]
    MultiSz(Vec<String>),
    #[serde(rename = "REG_BINARY")]
    Binary(Vec<u8>),
}

impl fmt::Display for RegValue {
    /// The form `reg export` uses, so a diff reads like a .reg file.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegValue::Dword(v) => write!(f, "dword:{v:08x}"),
            RegValue::Sz(s) => write!(f, "\"{s}\""),
            RegValue::ExpandSz(s) => write!(f, "expand:\"{s}\""),
            RegValue::MultiSz(v) => write!(f, "multi:{v:?}"),
            RegValue::Binary(b) => write!(f, "hex:{}", hex::encode(b)),
        }
    }
}

/// Built-in local groups by well-known SID: on Japanese Windows "Administrators"
/// is displayed in Japanese, so a name would not find it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Group {
    Administrators,
    Users,
}

impl Group {
    pub fn sid(self) -> &'static str {
        match self {
            Group::Administrators => "S-1-5-32-544",
            Group::Users => "S-1-5-32-545",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserFlags {
    pub password_never_expires: bool,
    pub cannot_change_password: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub name: String,
    pub flags: UserFlags,
    pub groups: Vec<Group>,
}

/// A generic credential as a vault holds it; the secret only as a fingerprint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCredential {
    pub user_name: String,
    pub secret: Fingerprint,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CertLocation {
    LocalMachineMy,
    /// That user's personal store (CurrentUser\My as the user sees it).
    UserMy(String),
}

impl fmt::Display for CertLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CertLocation::LocalMachineMy => f.write_str(r"LocalMachine\My"),
            CertLocation::UserMy(user) => write!(f, r"CurrentUser\My ({user})"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PowerTimeout {
    /// Turn off the display after (GUID_VIDEO_POWERDOWN_TIMEOUT).
    Monitor,
    /// Sleep after (GUID_STANDBY_TIMEOUT).
    Standby,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PowerSource {
    Ac,
    Dc,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WinHttpProxy {
    /// `host:port`.
    pub server: String,
    /// `;`-separated, as Internet Settings' ProxyOverride.
    pub bypass: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adapter {
    /// `{GUID}`: names the adapter's keys under Tcpip6\Parameters\Interfaces.
    pub guid: String,
    /// Hardware description, e.g. "Intel(R) Ethernet Connection I219-LM" (not localized).
    pub description: String,
    /// `AA-BB-CC-DD-EE-FF`.
    pub mac: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KnownFolder {
    /// `C:\Users\Public\Desktop`.
    PublicDesktop,
    /// `C:\ProgramData`.
    ProgramData,
    /// `C:\Windows`.
    Windows,
}

/// How a program or an MSI installation run by the host ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Exit {
    /// The exit code (Windows' 32-bit codes, as `i32`), or the Windows Installer's result.
    Code(i32),
    /// Still running at the timeout: an EXE and its children were ended.
    TimedOut,
}
