//! `LinkHost` on the plain file system: the property file on disk, the restart as
//! a child process. On a terminal that is `UserDefinition.property` and
//! `OQSComAppRestart.bat`; tests point it at a temp folder and a recorder command.

use super::role::{LinkHost, PROPERTY_FILE, RESTART_SCRIPT};
use std::ffi::OsString;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::SystemTime;

pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

pub struct FsLinkHost {
    pub property_file: PathBuf,
    /// Program and arguments that restart OQSComApp.
    pub restart: Vec<OsString>,
    clock: Clock,
}

impl std::fmt::Debug for FsLinkHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FsLinkHost")
            .field("property_file", &self.property_file)
            .field("restart", &self.restart)
            .finish_non_exhaustive()
    }
}

impl FsLinkHost {
    /// The terminal's own file and restart script, on the system clock.
    pub fn terminal() -> FsLinkHost {
        FsLinkHost::new(
            PROPERTY_FILE.into(),
            vec![RESTART_SCRIPT.into()],
            Arc::new(SystemTime::now),
        )
    }

    pub fn new(property_file: PathBuf, restart: Vec<OsString>, clock: Clock) -> FsLinkHost {
        FsLinkHost {
            property_file,
            restart,
            clock,
        }
    }
}

impl LinkHost for FsLinkHost {
    fn read_user_definition(&self) -> io::Result<Vec<u8>> {
        std::fs::read(&self.property_file)
    }

    fn write_user_definition(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut tmp = self.property_file.clone().into_os_string();
        tmp.push(".oqs-new");
        let tmp = PathBuf::from(tmp);
        let written = std::fs::File::create(&tmp).and_then(|mut f| {
            f.write_all(bytes)?;
            f.sync_all()
        });
        match written.and_then(|()| std::fs::rename(&tmp, &self.property_file)) {
            Ok(()) => Ok(()),
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                Err(e)
            }
        }
    }

    fn restart_com_app(&mut self) -> io::Result<()> {
        let (program, args) = self
            .restart
            .split_first()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no restart command"))?;
        // No console input: a `pause` in the batch file must not hang the switch.
        let status = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .status()
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", program.to_string_lossy())))?;
        if status.success() {
            Ok(())
        } else {
            Err(io::Error::other(format!(
                "{} exited with {status}",
                program.to_string_lossy()
            )))
        }
    }

    fn now(&self) -> SystemTime {
        (self.clock)()
    }
}
