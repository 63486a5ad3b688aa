//! Registry values a step wants: shared by every step that is "these values, exactly".

use crate::host::{Capability, Host, RegKey, RegValue};
use crate::step::{Changes, State, Step};
use payload::Text;

/// One value as the site wants it; `None` means the value must not exist.
#[derive(Clone, Debug)]
pub struct Wanted {
    pub key: RegKey,
    pub name: String,
    pub value: Option<RegValue>,
}

impl Wanted {
    pub fn set(key: &RegKey, name: &str, value: RegValue) -> Wanted {
        Wanted {
            key: key.clone(),
            name: name.to_owned(),
            value: Some(value),
        }
    }

    pub fn absent(key: &RegKey, name: &str) -> Wanted {
        Wanted {
            key: key.clone(),
            name: name.to_owned(),
            value: None,
        }
    }
}

pub fn check(host: &dyn Host, wanted: &[Wanted]) -> anyhow::Result<Changes> {
    let mut changes = Changes::default();
    for w in wanted {
        let now = host.reg_get(&w.key, &w.name)?;
        changes.compare(format!(r"{}\{}", w.key, w.name), now, w.value.clone());
    }
    Ok(changes)
}

/// Writes only the values that differ.
pub fn apply(host: &mut dyn Host, wanted: &[Wanted]) -> anyhow::Result<()> {
    for w in wanted {
        if host.reg_get(&w.key, &w.name)? == w.value {
            continue;
        }
        match &w.value {
            Some(v) => host.reg_set(&w.key, &w.name, v)?,
            None => host.reg_delete(&w.key, &w.name)?,
        }
    }
    Ok(())
}

/// A step that is nothing but registry values (and maybe a service to restart
/// so they take effect). Each file that configures one builds it.
pub struct Settings {
    pub id: String,
    pub title: Text,
    pub wanted: Vec<Wanted>,
    pub needs_reboot: bool,
    /// Restarted after a change, e.g. W32Time.
    pub restart_service: Option<String>,
}

impl Step for Settings {
    fn id(&self) -> String {
        self.id.clone()
    }

    fn title(&self) -> Text {
        self.title.clone()
    }

    fn requires(&self) -> Vec<Capability> {
        match self.restart_service {
            Some(_) => vec![Capability::Services],
            None => Vec::new(),
        }
    }

    fn needs_reboot(&self) -> bool {
        self.needs_reboot
    }

    fn check(&self, host: &dyn Host) -> anyhow::Result<State> {
        Ok(check(host, &self.wanted)?.into_state())
    }

    fn apply(&self, host: &mut dyn Host) -> anyhow::Result<()> {
        apply(host, &self.wanted)?;
        if let Some(service) = &self.restart_service {
            host.restart_service(service)?;
        }
        Ok(())
    }
}
