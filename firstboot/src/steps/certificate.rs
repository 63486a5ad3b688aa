//! The terminal's OQS client certificate, imported from its PFX into each store the site names.

use crate::host::{CertLocation, Host};
use crate::step::{Change, Shown, State, Step};
use anyhow::Context as _;
use payload::{Secret, Text};

pub struct PfxImport {
    pub store: CertLocation,
    /// On the stick, for messages.
    pub source: String,
    pub pfx: Vec<u8>,
    pub password: Secret,
}

impl PfxImport {
    fn thumbprint(&self, host: &dyn Host) -> anyhow::Result<String> {
        host.pfx_thumbprint(&self.pfx, &self.password)
            .with_context(|| {
                format!(
                    "{}: cannot open the PFX with its password from the secrets",
                    self.source
                )
            })
    }
}

impl Step for PfxImport {
    fn id(&self) -> String {
        match &self.store {
            CertLocation::LocalMachineMy => "certificate.local-machine".into(),
            CertLocation::UserMy(user) => format!("certificate.{}", user.to_ascii_lowercase()),
        }
    }

    fn title(&self) -> Text {
        Text::new(
            format!("電子証明書を {} に取り込む", self.store),
            format!("Client certificate in {}", self.store),
        )
    }

    fn check(&self, host: &dyn Host) -> anyhow::Result<State> {
        let thumbprint = self.thumbprint(host)?;
        if host.has_certificate(&self.store, &thumbprint)? {
            return Ok(State::Ok);
        }
        Ok(State::Differs(vec![Change {
            what: format!("{} certificate {thumbprint} with private key", self.store),
            before: Shown::Absent,
            after: Shown::Value(self.source.clone()),
        }]))
    }

    fn apply(&self, host: &mut dyn Host) -> anyhow::Result<()> {
        host.import_pfx(&self.store, &self.pfx, &self.password)
            .with_context(|| format!("{} -> {}", self.source, self.store))?;
        Ok(())
    }
}
