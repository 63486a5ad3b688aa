//! The local accounts OQS needs: OqsComApp and ONSRenkei, administrators whose
//! password never expires, not in Users (the seed's `net user` + `net localgroup`).

use crate::host::{Capability, Group, Host, UserFlags};
use crate::step::{Changes, State, Step};
use payload::{Secret, Text};

pub struct LocalAdmin {
    pub name: String,
    pub password: Secret,
    pub flags: UserFlags,
}

impl Step for LocalAdmin {
    fn id(&self) -> String {
        format!("user.{}", self.name.to_ascii_lowercase())
    }

    fn title(&self) -> Text {
        Text::new(
            format!("ユーザー {} (管理者・パスワード無期限)", self.name),
            format!("User {} (administrator, password never expires)", self.name),
        )
    }

    fn requires(&self) -> Vec<Capability> {
        vec![Capability::Users]
    }

    fn check(&self, host: &dyn Host) -> anyhow::Result<State> {
        let mut changes = Changes::default();
        let user = host.user(&self.name)?;
        let (flags, groups) = match &user {
            Some(u) => (u.flags, u.groups.clone()),
            None => (UserFlags::default(), Vec::new()),
        };
        changes.compare("exists", Some(user.is_some()), Some(true));
        let password_ok = user.is_some() && host.password_matches(&self.name, &self.password)?;
        changes.secret("password", user.is_some(), password_ok);
        changes.compare(
            "password never expires",
            Some(flags.password_never_expires),
            Some(self.flags.password_never_expires),
        );
        changes.compare(
            "cannot change password",
            Some(flags.cannot_change_password),
            Some(self.flags.cannot_change_password),
        );
        changes.compare(
            "member of Administrators (S-1-5-32-544)",
            Some(groups.contains(&Group::Administrators)),
            Some(true),
        );
        changes.compare(
            "member of Users (S-1-5-32-545)",
            Some(groups.contains(&Group::Users)),
            Some(false),
        );
        Ok(changes.into_state())
    }

    fn apply(&self, host: &mut dyn Host) -> anyhow::Result<()> {
        match host.user(&self.name)? {
            None => host.create_user(&self.name, &self.password)?,
            Some(_) if !host.password_matches(&self.name, &self.password)? => {
                host.set_password(&self.name, &self.password)?
            }
            Some(_) => {}
        }
        let user = host
            .user(&self.name)?
            .ok_or_else(|| anyhow::anyhow!("user {} vanished after creation", self.name))?;
        if user.flags != self.flags {
            host.set_user_flags(&self.name, self.flags)?;
        }
        if !user.groups.contains(&Group::Administrators) {
            host.add_to_group(&self.name, Group::Administrators)?;
        }
        if user.groups.contains(&Group::Users) {
            host.remove_from_group(&self.name, Group::Users)?;
        }
        Ok(())
    }
}
