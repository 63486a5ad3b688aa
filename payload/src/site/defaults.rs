//! The values `oqs-facts.md` knows. Each is a default a site may override.

use super::{Account, CertStore, Line, Shortcut};
use std::net::Ipv6Addr;

pub(super) fn schema() -> u32 {
    super::SCHEMA_VERSION
}

pub(super) fn yes() -> bool {
    true
}

pub(super) fn edition() -> String {
    "Windows 11 Pro".into()
}

pub(super) fn ui_language() -> String {
    "ja-JP".into()
}

pub(super) fn time_zone() -> String {
    "Tokyo Standard Time".into()
}

pub(super) fn cert_stores() -> Vec<CertStore> {
    vec![CertStore::CurrentUserMy]
}

pub(super) fn setup_admin() -> Account {
    Account {
        name: "OqsSetup".into(),
        autologon: true,
    }
}

pub(super) fn oqs_com_app() -> Account {
    Account {
        name: "OqsComApp".into(),
        autologon: true,
    }
}

pub(super) fn proxy_server() -> String {
    "proxy.base.oqs-pdl.org:8080".into()
}

pub(super) fn proxy_override() -> Vec<String> {
    [
        "*.onshikaku.org",
        "*.flets-east.jp",
        "*.flets-west.jp",
        "*.lineauth.mnw",
        "*.obn.managedpki.ne.jp",
        "*.cybertrust.ne.jp",
        "*.secomtrust.net",
        "*.rece",
        "pweb.base.oqs-pdl.org",
    ]
    .map(String::from)
    .to_vec()
}

pub(super) fn dns_for(line: Line) -> Vec<Ipv6Addr> {
    let pair: [&str; 2] = match line {
        Line::East => ["2404:1A8:F583:D00::53:1", "2404:1A8:F583:D00::53:2"],
        Line::West => ["2001:a7ff:f014:d00::53:1", "2001:a7ff:f014:d00::53:2"],
    };
    pair.map(|a| a.parse().expect("built-in DNS address is valid"))
        .to_vec()
}

pub(super) fn ntp_server() -> String {
    "ntp.base.oqs-pdl.org,0x9".into()
}

pub(super) fn installer_timeout() -> u32 {
    30
}

pub(super) fn daily_restart() -> Option<String> {
    Some("05:00".into())
}

pub(super) fn shortcuts() -> Vec<Shortcut> {
    vec![
        Shortcut {
            name: "オンライン資格確認".into(),
            url: "https://hweb.oqs.onshikaku.org/web/".into(),
        },
        Shortcut {
            name: "医療情報閲覧".into(),
            url: "https://hweb.oqs.onshikaku.org/web/?mode=etsuran".into(),
        },
    ]
}

pub(super) fn scale() -> u32 {
    100
}

pub(super) fn local_req() -> String {
    r"C:\OQS\req".into()
}

pub(super) fn local_res() -> String {
    r"C:\OQS\res".into()
}

/// The six keys the seed rewrites, as (request, response) pairs in file order.
pub(super) fn datadir_keys() -> Vec<String> {
    [
        "RequestDataDir",
        "ResponseDataDir",
        "PublicMedicalHubRequestDataDir",
        "PublicMedicalHubResponseDataDir",
        "ClinicalInfoSharingRequestDataDir",
        "ClinicalInfoSharingResponseDataDir",
    ]
    .map(String::from)
    .to_vec()
}
