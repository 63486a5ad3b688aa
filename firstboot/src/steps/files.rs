//! Files and folders: `.url` shortcuts on the public desktop, the OQS work folders.

use crate::host::{Host, KnownFolder};
use crate::step::{Changes, State, Step};
use payload::Text;

pub struct UrlShortcut {
    /// File name without `.url`; may be Japanese.
    pub name: String,
    pub url: String,
}

impl UrlShortcut {
    fn path(&self, host: &dyn Host) -> anyhow::Result<String> {
        Ok(format!(
            r"{}\{}.url",
            host.known_folder(KnownFolder::PublicDesktop)?,
            self.name
        ))
    }

    /// The Internet Shortcut format Explorer writes (INI, CRLF).
    fn contents(&self) -> String {
        format!("[InternetShortcut]\r\nURL={}\r\n", self.url)
    }
}

impl Step for UrlShortcut {
    fn id(&self) -> String {
        format!("shortcut.{}", self.name)
    }

    fn title(&self) -> Text {
        Text::new(
            format!("デスクトップのショートカット「{}」", self.name),
            format!("Desktop shortcut \"{}\"", self.name),
        )
    }

    fn check(&self, host: &dyn Host) -> anyhow::Result<State> {
        let path = self.path(host)?;
        let now = host
            .read_file(&path)?
            .map(|b| String::from_utf8_lossy(&b).into_owned());
        let mut changes = Changes::default();
        changes.compare(
            path,
            now.map(|c| c.trim_end().replace("\r\n", " | ")),
            Some(self.contents().trim_end().replace("\r\n", " | ")),
        );
        Ok(changes.into_state())
    }

    fn apply(&self, host: &mut dyn Host) -> anyhow::Result<()> {
        let path = self.path(host)?;
        host.write_file(&path, self.contents().as_bytes())?;
        Ok(())
    }
}

/// Folders that must exist (C:\OQS\req, res, face).
pub struct Folders {
    pub paths: Vec<String>,
}

impl Step for Folders {
    fn id(&self) -> String {
        "folders".into()
    }

    fn title(&self) -> Text {
        Text::new(
            format!("フォルダー {}", self.paths.join(", ")),
            format!("Folders {}", self.paths.join(", ")),
        )
    }

    fn check(&self, host: &dyn Host) -> anyhow::Result<State> {
        let mut changes = Changes::default();
        for path in &self.paths {
            let exists = host.is_dir(path)?;
            changes.compare(
                path.clone(),
                Some(if exists { "folder" } else { "(none)" }),
                Some("folder"),
            );
        }
        Ok(changes.into_state())
    }

    fn apply(&self, host: &mut dyn Host) -> anyhow::Result<()> {
        for path in &self.paths {
            host.create_dir_all(path)?;
        }
        Ok(())
    }
}
