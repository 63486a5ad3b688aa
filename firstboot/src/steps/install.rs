//! `install.<id>`: one ONS installer, in the site's order. The package is staged
//! from the stick under `C:\ProgramData\oqs-stick\packages\<id>` (a zip unpacked,
//! every entry checked first), then run silently by the host: an MSI through the
//! Windows Installer API with a verbose log, an EXE with the site's arguments and
//! timeout. Whether it is needed comes from the installed version (`version` +
//! `version_file`) or, for installers without one, from a receipt naming the
//! package's SHA-256, so a re-run installs nothing twice and a refreshed stick
//! (yearly: new installers) installs the new package.

use crate::host::{Exit, Host};
use crate::link::installer::{
    self, Decision, Launch, Outcome, Staged, Version, decide, from_version_info,
};
use crate::paths;
use crate::step::{Changes, State, Step, short_sha256};
use anyhow::Context as _;
use payload::Text;
use payload::site::{Installer, InstallerKind};
use std::cell::Cell;
use std::path::PathBuf;

pub struct Install {
    pub installer: Installer,
    /// The package on the stick.
    pub package: PathBuf,
    /// Its SHA-256 from the stick's manifest.
    pub sha256: String,
    /// The last apply's installer asked for a restart (3010) or started one (1641).
    reboot: Cell<bool>,
}

impl Install {
    pub fn new(installer: Installer, package: PathBuf, sha256: String) -> Install {
        Install {
            installer,
            package,
            sha256,
            reboot: Cell::new(false),
        }
    }

    fn wanted_version(&self) -> anyhow::Result<Option<(Version, &str)>> {
        let (Some(version), Some(file)) = (&self.installer.version, &self.installer.version_file)
        else {
            return Ok(None);
        };
        let wanted = Version::parse(version).with_context(|| {
            format!(
                "site.toml: installers ({}) version {version:?} is not a version like 4.0.3",
                self.installer.id
            )
        })?;
        Ok(Some((wanted, file)))
    }

    fn receipt(&self, host: &dyn Host) -> anyhow::Result<String> {
        Ok(format!(
            r"{}\installed\{}.sha256",
            paths::state_dir(host)?,
            self.installer.id
        ))
    }

    fn staging_dir(&self, host: &dyn Host) -> anyhow::Result<String> {
        Ok(format!(
            r"{}\packages\{}",
            paths::state_dir(host)?,
            self.installer.id
        ))
    }

    /// Copies the package (a zip: its files) to the terminal; returns what to run.
    fn stage(&self, host: &mut dyn Host) -> anyhow::Result<Launch> {
        let bytes = std::fs::read(&self.package)
            .with_context(|| format!("cannot read {} from the stick", self.package.display()))?;
        let dir = self.staging_dir(host)?;
        let log_dir = paths::state_dir(host)?;
        host.create_dir_all(&dir)?;
        let decided = if self.installer.kind == InstallerKind::Zip {
            let files = installer::read_zip(&bytes, &self.package).map_err(text_error)?;
            for file in &files {
                super::write_creating_folder(host, &file.windows_path(&dir), &file.bytes)?;
            }
            let staged = Staged {
                dir: &dir,
                files: &files,
            };
            installer::launch(&self.installer, "", Some(staged), &log_dir)
        } else {
            let name = self
                .package
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| self.installer.id.clone());
            let path = format!(r"{dir}\{name}");
            host.write_file(&path, &bytes)?;
            installer::launch(&self.installer, &path, None, &log_dir)
        };
        decided.map_err(text_error)
    }
}

fn text_error(e: installer::InstallerError) -> anyhow::Error {
    anyhow::anyhow!("{}", e.text())
}

impl Step for Install {
    fn id(&self) -> String {
        format!("install.{}", self.installer.id)
    }

    fn title(&self) -> Text {
        let file = self
            .package
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Text::new(
            format!("インストール {} ({file})", self.installer.id),
            format!("Install {} ({file})", self.installer.id),
        )
    }

    fn needs_reboot(&self) -> bool {
        self.reboot.get()
    }

    fn check(&self, host: &dyn Host) -> anyhow::Result<State> {
        let mut changes = Changes::default();
        if let Some((wanted, file)) = self.wanted_version()? {
            let installed = host
                .read_file(file)?
                .and_then(|bytes| from_version_info(&bytes));
            if let Decision::Install { installed } = decide(installed, &wanted) {
                changes.compare(file, installed, Some(wanted));
            }
        } else {
            let receipt = host.read_file(&self.receipt(host)?)?;
            let installed = receipt.map(|r| String::from_utf8_lossy(&r).trim().to_owned());
            changes.compare(
                format!("{} package", self.installer.id),
                installed.as_deref().map(short_sha256),
                Some(short_sha256(&self.sha256)),
            );
        }
        Ok(changes.into_state())
    }

    fn apply(&self, host: &mut dyn Host) -> anyhow::Result<()> {
        self.reboot.set(false);
        let launch = self.stage(host)?;
        let outcome = match host.run(&launch)? {
            Exit::Code(code) => Outcome::from_exit_code(code),
            Exit::TimedOut => Outcome::TimedOut(launch.timeout()),
        };
        let told = outcome.explain(&self.installer.id, launch.log());
        anyhow::ensure!(outcome.succeeded(), "{told}");
        let receipt = self.receipt(host)?;
        super::write_creating_folder(host, &receipt, format!("{}\r\n", self.sha256).as_bytes())?;
        self.reboot.set(outcome.needs_reboot());
        Ok(())
    }
}
