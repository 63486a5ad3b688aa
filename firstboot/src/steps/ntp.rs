//! NTP: W32Time asks the site's server (the seed's `NtpServer` + `Type=NTP`), then restarts.

use super::registry::{Settings, Wanted};
use crate::host::{RegKey, RegValue};
use payload::Text;

pub fn ntp(server: &str) -> Settings {
    let key = RegKey::hklm(r"SYSTEM\CurrentControlSet\Services\W32Time\Parameters");
    Settings {
        id: "ntp".into(),
        title: Text::new(
            format!("時刻同期 (NTP: {server})"),
            format!("Time sync (NTP: {server})"),
        ),
        wanted: vec![
            Wanted::set(&key, "NtpServer", RegValue::Sz(server.to_owned())),
            Wanted::set(&key, "Type", RegValue::Sz("NTP".into())),
        ],
        needs_reboot: false,
        restart_service: Some("W32Time".into()),
    }
}
