//! The installers' logic that needs no Windows: unpacking the ONS zips, the command
//! to run (MSI property string or EXE command line), what an exit code means, and
//! whether the installed version is already the one wanted. Running the process,
//! `MsiInstallProduct` and reading the installed version are the host's part.

pub mod cmdline;
pub mod exit;
pub mod unpack;
pub mod version;

use payload::Text;
use payload::site::{Installer, InstallerKind};
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

pub use exit::Outcome;
pub use unpack::{ZipFile, read_zip};
pub use version::{Decision, Version, decide, from_version_info};

#[derive(Debug)]
pub enum InstallerError {
    /// Not a zip, or a damaged one.
    Zip { zip: PathBuf, reason: String },
    /// An entry that would be written outside the folder (zip-slip) or is a link.
    UnsafeEntry { zip: PathBuf, name: String },
    /// An MSI argument that is not a `NAME=value` property.
    MsiArgument { id: String, arg: String },
    /// A zip installer without `run`, or a `run` that is not in the zip.
    RunMissing { id: String, run: Option<String> },
    /// `run` (or `file`) is neither an `.msi` nor an `.exe`.
    UnknownKind { id: String, file: String },
}

impl InstallerError {
    pub fn text(&self) -> Text {
        match self {
            InstallerError::Zip { zip, reason } => Text::new(
                format!(
                    "{} は壊れているか zip ではありません({reason})。ONS からダウンロードし直してください",
                    zip.display()
                ),
                format!(
                    "{} is damaged or not a zip ({reason}); download it from ONS again",
                    zip.display()
                ),
            ),
            InstallerError::UnsafeEntry { zip, name } => Text::new(
                format!(
                    "{} の中の {name:?} は展開先の外を指すため展開しません。正規の ONS のファイルか確かめてください",
                    zip.display()
                ),
                format!(
                    "{} holds {name:?}, which points outside the folder it unpacks into; not unpacked: check that it is the genuine ONS file",
                    zip.display()
                ),
            ),
            InstallerError::MsiArgument { id, arg } => Text::new(
                format!(
                    "site.toml の installers({id})の args {arg:?} は MSI のプロパティ(NAME=value)ではありません。/qn などは firstboot が付けるので書かないでください"
                ),
                format!(
                    "args {arg:?} of installer {id} in site.toml is not an MSI property (NAME=value); leave out /qn and the like, firstboot adds them"
                ),
            ),
            InstallerError::RunMissing { id, run: None } => Text::new(
                format!(
                    "site.toml の installers({id})は zip なので、中で実行するファイルを run に書いてください"
                ),
                format!(
                    "installer {id} in site.toml is a zip: name the file inside it to run with `run`"
                ),
            ),
            InstallerError::RunMissing { id, run: Some(run) } => Text::new(
                format!(
                    "installers({id})の run = {run:?} が zip の中にありません。zip の中身と site.toml を確かめてください"
                ),
                format!(
                    "run = {run:?} of installer {id} is not in the zip; compare the zip's contents with site.toml"
                ),
            ),
            InstallerError::UnknownKind { id, file } => Text::new(
                format!("installers({id})の {file:?} は .msi でも .exe でもありません"),
                format!("{file:?} of installer {id} is neither an .msi nor an .exe"),
            ),
        }
    }
}

impl fmt::Display for InstallerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.text())
    }
}

impl std::error::Error for InstallerError {}

/// What to start for one installer, fully decided. Paths are Windows paths.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Launch {
    /// `MsiInstallProduct(package, properties)` with a verbose log (`MsiEnableLog`).
    Msi {
        package: String,
        properties: String,
        log: String,
        timeout: Duration,
    },
    /// `CreateProcess(program, command_line)`, output kept in `log`.
    Exe {
        program: String,
        command_line: String,
        log: String,
        timeout: Duration,
    },
}

impl Launch {
    /// The log the report points staff at.
    pub fn log(&self) -> &str {
        match self {
            Launch::Msi { log, .. } | Launch::Exe { log, .. } => log,
        }
    }

    pub fn timeout(&self) -> Duration {
        match self {
            Launch::Msi { timeout, .. } | Launch::Exe { timeout, .. } => *timeout,
        }
    }

    /// The command a person would type to do the same by hand (for the log).
    pub fn equivalent_command(&self) -> String {
        match self {
            Launch::Msi {
                package,
                properties,
                log,
                ..
            } => format!(
                "msiexec.exe /i {} /qn /l*v {} {properties}",
                cmdline::quote_arg(package),
                cmdline::quote_arg(log)
            ),
            Launch::Exe { command_line, .. } => command_line.clone(),
        }
    }
}

/// A zip installer as staged on the terminal: its folder and the files in it.
#[derive(Clone, Copy, Debug)]
pub struct Staged<'a> {
    pub dir: &'a str,
    pub files: &'a [ZipFile],
}

/// Decides how to run `installer`. `package` is its staged file (for an MSI or
/// EXE); a zip's `run` is looked up in `staged`. Logs go to `log_dir` (next to
/// firstboot's own log): `<id>.msi.log` for MSI, `<id>.log` for an EXE's output.
pub fn launch(
    installer: &Installer,
    package: &str,
    staged: Option<Staged>,
    log_dir: &str,
) -> Result<Launch, InstallerError> {
    let id = installer.id.as_str();
    let program = match installer.kind {
        InstallerKind::Zip => {
            let missing = || InstallerError::RunMissing {
                id: id.into(),
                run: installer.run.clone(),
            };
            let run = installer.run.as_deref().ok_or_else(missing)?;
            let wanted = unpack::safe_relative(run).ok_or_else(missing)?;
            let staged = staged.ok_or_else(missing)?;
            // Windows names compare without case.
            let same = |f: &&ZipFile| {
                f.relative().to_string_lossy().to_lowercase()
                    == wanted.to_string_lossy().to_lowercase()
            };
            let file = staged.files.iter().find(same).ok_or_else(missing)?;
            file.windows_path(staged.dir)
        }
        InstallerKind::Msi | InstallerKind::Exe => package.to_owned(),
    };
    let timeout = Duration::from_secs(u64::from(installer.timeout_minutes) * 60);
    let name = program.to_lowercase();
    let is_msi = match installer.kind {
        InstallerKind::Msi => true,
        InstallerKind::Exe => false,
        InstallerKind::Zip if name.ends_with(".msi") => true,
        InstallerKind::Zip if name.ends_with(".exe") => false,
        InstallerKind::Zip => {
            return Err(InstallerError::UnknownKind {
                id: id.into(),
                file: installer.run.clone().unwrap_or_default(),
            });
        }
    };
    let log_dir = log_dir.trim_end_matches('\\');
    Ok(if is_msi {
        Launch::Msi {
            properties: cmdline::msi_properties(&installer.args)
                .map_err(|arg| InstallerError::MsiArgument { id: id.into(), arg })?,
            package: program,
            log: format!(r"{log_dir}\{id}.msi.log"),
            timeout,
        }
    } else {
        Launch::Exe {
            command_line: cmdline::command_line(&program, &installer.args),
            program,
            log: format!(r"{log_dir}\{id}.log"),
            timeout,
        }
    })
}

#[cfg(test)]
mod tests;
