//! The secrets a site needs, kept apart from site.toml: in `secrets.toml` beside
//! it on the operator's PC, and encrypted in the vault on the stick.

use crate::Secret;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Everything secret about a site. Every field is optional here; which ones a
/// given site needs is decided by [`Secrets::missing`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Secrets {
    #[serde(default)]
    pub accounts: AccountPasswords,
    /// PFX password per terminal name.
    #[serde(default)]
    pub certificates: BTreeMap<String, Secret>,
    #[serde(default)]
    pub credentials: Credentials,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountPasswords {
    pub setup_admin: Option<Secret>,
    pub oqs_com_app: Option<Secret>,
    pub ons_renkei: Option<Secret>,
}

/// The generic credentials OQSComApp reads from its user's credential vault.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    /// `OQS_LOGIN_KEY`, user `R0`: the 連携アプリ account's password.
    pub login_key: Option<Secret>,
    /// `OQS_CRYPT_PASS`, user `OQS_Admin`: depends on the レセコン vendor.
    pub crypt_pass: Option<Secret>,
    /// `OQS_NAS_LOGIN_KEY`, user `ONSRenkei`: the share's password.
    pub nas_login_key: Option<Secret>,
}

impl Secrets {
    /// The keys (as in secrets.toml) that `site` needs and that are not given.
    pub fn missing(&self, site: &crate::Site) -> Vec<String> {
        let mut out = Vec::new();
        let mut need = |present: bool, key: String| {
            if !present {
                out.push(key);
            }
        };
        need(
            self.accounts.setup_admin.is_some(),
            "accounts.setup_admin".into(),
        );
        need(
            self.accounts.oqs_com_app.is_some(),
            "accounts.oqs_com_app".into(),
        );
        if site.accounts.ons_renkei.is_some() {
            need(
                self.accounts.ons_renkei.is_some(),
                "accounts.ons_renkei".into(),
            );
        }
        for t in &site.terminals {
            let known = self
                .certificates
                .keys()
                .any(|k| k.eq_ignore_ascii_case(&t.name));
            need(known, format!("certificates.{}", t.name));
        }
        need(
            self.credentials.login_key.is_some(),
            "credentials.login_key".into(),
        );
        if site.karte_link.enabled && site.accounts.ons_renkei.is_some() {
            need(
                self.credentials.nas_login_key.is_some(),
                "credentials.nas_login_key".into(),
            );
        }
        out
    }

    /// The PFX password of a terminal.
    pub fn certificate_password(&self, terminal: &str) -> Option<&Secret> {
        self.certificates
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(terminal))
            .map(|(_, v)| v)
    }

    /// Every secret value, for scanning outputs and images for leaks.
    pub fn all_values(&self) -> Vec<&Secret> {
        let a = &self.accounts;
        let c = &self.credentials;
        [
            &a.setup_admin,
            &a.oqs_com_app,
            &a.ons_renkei,
            &c.login_key,
            &c.crypt_pass,
            &c.nas_login_key,
        ]
        .into_iter()
        .flatten()
        .chain(self.certificates.values())
        .collect()
    }
}
