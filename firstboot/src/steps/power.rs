//! Power: display and sleep timeouts on AC and battery, hibernation, and fast
//! start-up (a "restart" with fast start-up on keeps a stale kernel and drivers).

use super::registry::{Settings, Wanted};
use crate::host::{Capability, Host, PowerSource, PowerTimeout, RegKey, RegValue};
use crate::step::{Changes, State, Step};
use payload::Text;
use payload::site::Power;

pub struct Timeouts {
    /// (what, on which power, seconds; 0 = never).
    pub values: Vec<(PowerTimeout, PowerSource, u32)>,
}

impl Timeouts {
    pub fn from_site(power: &Power) -> Timeouts {
        let min = |m: u32| m.saturating_mul(60);
        Timeouts {
            values: vec![
                (
                    PowerTimeout::Monitor,
                    PowerSource::Ac,
                    min(power.monitor_ac_minutes),
                ),
                (
                    PowerTimeout::Monitor,
                    PowerSource::Dc,
                    min(power.monitor_dc_minutes),
                ),
                (
                    PowerTimeout::Standby,
                    PowerSource::Ac,
                    min(power.standby_ac_minutes),
                ),
                (
                    PowerTimeout::Standby,
                    PowerSource::Dc,
                    min(power.standby_dc_minutes),
                ),
            ],
        }
    }
}

fn seconds(s: u32) -> String {
    if s == 0 {
        "never".into()
    } else {
        format!("{s} s")
    }
}

impl Step for Timeouts {
    fn id(&self) -> String {
        "power.timeouts".into()
    }

    fn title(&self) -> Text {
        Text::new(
            "電源: ディスプレイとスリープ (AC/バッテリー)",
            "Power: display and sleep (AC/DC)",
        )
    }

    fn requires(&self) -> Vec<Capability> {
        vec![Capability::Power]
    }

    fn check(&self, host: &dyn Host) -> anyhow::Result<State> {
        let mut changes = Changes::default();
        for &(timeout, source, want) in &self.values {
            let now = host.power_timeout(timeout, source)?;
            changes.compare(
                format!("{timeout:?} timeout {source:?}"),
                Some(seconds(now)),
                Some(seconds(want)),
            );
        }
        Ok(changes.into_state())
    }

    fn apply(&self, host: &mut dyn Host) -> anyhow::Result<()> {
        for &(timeout, source, want) in &self.values {
            if host.power_timeout(timeout, source)? != want {
                host.set_power_timeout(timeout, source, want)?;
            }
        }
        Ok(())
    }
}

pub struct Hibernate {
    pub enabled: bool,
}

impl Step for Hibernate {
    fn id(&self) -> String {
        "power.hibernate".into()
    }

    fn title(&self) -> Text {
        let (ja, en) = if self.enabled {
            ("オン", "on")
        } else {
            ("オフ", "off")
        };
        Text::new(
            format!("電源: 休止状態{ja}"),
            format!("Power: hibernation {en}"),
        )
    }

    fn requires(&self) -> Vec<Capability> {
        vec![Capability::Power]
    }

    fn needs_reboot(&self) -> bool {
        true
    }

    fn check(&self, host: &dyn Host) -> anyhow::Result<State> {
        let mut changes = Changes::default();
        changes.compare(
            "hibernation",
            Some(host.hibernate_enabled()?),
            Some(self.enabled),
        );
        Ok(changes.into_state())
    }

    fn apply(&self, host: &mut dyn Host) -> anyhow::Result<()> {
        host.set_hibernate(self.enabled)?;
        Ok(())
    }
}

/// 高速スタートアップ: `HiberbootEnabled`.
pub fn fast_startup(enabled: bool) -> Settings {
    let key = RegKey::hklm(r"SYSTEM\CurrentControlSet\Control\Session Manager\Power");
    let (ja, en) = if enabled {
        ("オン", "on")
    } else {
        ("オフ", "off")
    };
    Settings {
        id: "power.fast-startup".into(),
        title: Text::new(
            format!("高速スタートアップ{ja}"),
            format!("Fast start-up {en}"),
        ),
        wanted: vec![Wanted::set(
            &key,
            "HiberbootEnabled",
            RegValue::Dword(u32::from(enabled)),
        )],
        needs_reboot: true,
        restart_service: None,
    }
}
