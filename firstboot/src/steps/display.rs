//! Display scale for OqsComApp (the seed's 拡大率 100%): the user's LogPixels,
//! with Win8DpiScaling so Windows uses that one value for every display.

use super::registry::{Settings, Wanted};
use crate::host::{RegKey, RegValue};
use payload::Text;

pub fn scale(user: &str, percent: u32) -> Settings {
    let key = RegKey::user(user, r"Control Panel\Desktop");
    Settings {
        id: "display.scale".into(),
        title: Text::new(
            format!("表示スケール {percent}% ({user})"),
            format!("Display scale {percent}% ({user})"),
        ),
        wanted: vec![
            // 96 DPI is 100%.
            Wanted::set(&key, "LogPixels", RegValue::Dword(percent * 96 / 100)),
            Wanted::set(&key, "Win8DpiScaling", RegValue::Dword(1)),
        ],
        needs_reboot: true,
        restart_service: None,
    }
}
