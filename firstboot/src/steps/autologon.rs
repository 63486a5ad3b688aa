//! Autologon after set-up: the set-up administrator's ends; OqsComApp's is kept
//! when the site asks for it (OQSComApp needs a session). The password lives as
//! the LSA secret `DefaultPassword`, as Sysinternals Autologon keeps it, never as
//! the plain-text registry value of the same name.

use crate::host::{Capability, Fingerprint, Host, RegKey, RegValue};
use crate::step::{Changes, State, Step};
use payload::{Secret, Text};

use super::registry::{self, Wanted};

const WINLOGON: &str = r"SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon";
const LSA_NAME: &str = "DefaultPassword";

pub struct Autologon {
    /// The user to log on automatically, with its password; `None` turns autologon off.
    pub user: Option<(String, Secret)>,
}

impl Autologon {
    fn wanted(&self) -> Vec<Wanted> {
        let key = RegKey::hklm(WINLOGON);
        let mut wanted = vec![
            // Plain text in the registry: must never be there.
            Wanted::absent(&key, "DefaultPassword"),
            // Setup's count would end autologon after N logons.
            Wanted::absent(&key, "AutoLogonCount"),
        ];
        match &self.user {
            Some((name, _)) => {
                wanted.push(Wanted::set(
                    &key,
                    "AutoAdminLogon",
                    RegValue::Sz("1".into()),
                ));
                wanted.push(Wanted::set(
                    &key,
                    "DefaultUserName",
                    RegValue::Sz(name.clone()),
                ));
            }
            None => wanted.push(Wanted::set(
                &key,
                "AutoAdminLogon",
                RegValue::Sz("0".into()),
            )),
        }
        wanted
    }
}

impl Step for Autologon {
    fn id(&self) -> String {
        "autologon".into()
    }

    fn title(&self) -> Text {
        match &self.user {
            Some((name, _)) => Text::new(
                format!("自動ログオンを {name} に (セットアップ用管理者は終了)"),
                format!("Autologon as {name} (set-up administrator's ends)"),
            ),
            None => Text::new("自動ログオンをオフ", "Autologon off"),
        }
    }

    fn requires(&self) -> Vec<Capability> {
        vec![Capability::Lsa]
    }

    fn needs_reboot(&self) -> bool {
        true
    }

    fn check(&self, host: &dyn Host) -> anyhow::Result<State> {
        let mut changes: Changes = registry::check(host, &self.wanted())?;
        let stored = host.lsa_secret(LSA_NAME)?;
        match &self.user {
            Some((_, password)) => changes.secret(
                "LSA secret DefaultPassword",
                stored.is_some(),
                stored == Some(Fingerprint::of(password)),
            ),
            None => changes.compare(
                "LSA secret DefaultPassword",
                stored.map(|_| "REDACTED"),
                None,
            ),
        }
        Ok(changes.into_state())
    }

    fn apply(&self, host: &mut dyn Host) -> anyhow::Result<()> {
        // The secret first: autologon must never point at a user without its password.
        host.set_lsa_secret(LSA_NAME, self.user.as_ref().map(|(_, p)| p))?;
        registry::apply(host, &self.wanted())
    }
}
