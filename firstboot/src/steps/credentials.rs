//! Generic credentials in OqsComApp's own vault (the seed's `cmdkey /generic`),
//! written as that user: OQSComApp reads them from its own credential manager.

use crate::host::{Fingerprint, Host};
use crate::step::{Changes, State, Step};
use payload::{Secret, Text};

pub struct GenericCredential {
    /// Whose vault.
    pub owner: String,
    pub target: String,
    pub user_name: String,
    pub secret: Secret,
}

impl Step for GenericCredential {
    fn id(&self) -> String {
        format!("credential.{}", self.target)
    }

    fn title(&self) -> Text {
        Text::new(
            format!(
                "資格情報 {} ({} の資格情報マネージャー)",
                self.target, self.owner
            ),
            format!(
                "Credential {} (in {}'s credential manager)",
                self.target, self.owner
            ),
        )
    }

    fn check(&self, host: &dyn Host) -> anyhow::Result<State> {
        let stored = host.credential(&self.owner, &self.target)?;
        let mut changes = Changes::default();
        changes.compare(
            format!("{} user", self.target),
            stored.as_ref().map(|c| c.user_name.clone()),
            Some(self.user_name.clone()),
        );
        let matches = stored
            .as_ref()
            .is_some_and(|c| c.secret == Fingerprint::of(&self.secret));
        changes.secret(
            format!("{} password", self.target),
            stored.is_some(),
            matches,
        );
        Ok(changes.into_state())
    }

    fn apply(&self, host: &mut dyn Host) -> anyhow::Result<()> {
        host.write_credential(&self.owner, &self.target, &self.user_name, &self.secret)?;
        Ok(())
    }
}
