//! Running installers: an MSI through the Windows Installer API (no UI, a verbose
//! log), an EXE through CreateProcess inside a job object, so that a timeout ends
//! the installer and every process it started.

use super::util::{Wide, os};
use crate::host::{Exit, HostError, HostResult};
use crate::link::installer::Launch;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;
use windows::Win32::Foundation::{CloseHandle, HANDLE, WAIT_OBJECT_0, WAIT_TIMEOUT};
use windows::Win32::Security::SECURITY_ATTRIBUTES;
use windows::Win32::Storage::FileSystem::{
    CreateFileW, FILE_APPEND_DATA, FILE_ATTRIBUTE_NORMAL, FILE_GENERIC_READ, FILE_SHARE_READ,
    FILE_SHARE_WRITE, OPEN_ALWAYS, OPEN_EXISTING,
};
use windows::Win32::System::ApplicationInstallationAndServicing::{
    INSTALLLOGATTRIBUTES_APPEND, INSTALLLOGATTRIBUTES_FLUSHEACHLINE, INSTALLLOGMODE,
    INSTALLLOGMODE_ACTIONDATA, INSTALLLOGMODE_ACTIONSTART, INSTALLLOGMODE_COMMONDATA,
    INSTALLLOGMODE_ERROR, INSTALLLOGMODE_FATALEXIT, INSTALLLOGMODE_INFO,
    INSTALLLOGMODE_OUTOFDISKSPACE, INSTALLLOGMODE_PROPERTYDUMP, INSTALLLOGMODE_RESOLVESOURCE,
    INSTALLLOGMODE_USER, INSTALLLOGMODE_VERBOSE, INSTALLLOGMODE_WARNING, INSTALLUILEVEL_NONE,
    MsiEnableLogW, MsiInstallProductW, MsiSetInternalUI,
};
use windows::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, TerminateJobObject,
};
use windows::Win32::System::Threading::{
    CREATE_NO_WINDOW, CREATE_SUSPENDED, CreateProcessW, GetExitCodeProcess, PROCESS_INFORMATION,
    ResumeThread, STARTF_USESTDHANDLES, STARTUPINFOW, WaitForSingleObject,
};

pub fn run(launch: &Launch) -> HostResult<Exit> {
    match launch {
        Launch::Msi {
            package,
            properties,
            log,
            timeout,
        } => msi(package, properties, log, *timeout),
        Launch::Exe {
            program,
            command_line,
            log,
            timeout,
        } => exe(program, command_line, log, *timeout),
    }
}

/// `msiexec /qn /l*v`'s log mode: everything, verbose.
fn verbose_log_mode() -> INSTALLLOGMODE {
    INSTALLLOGMODE(
        [
            INSTALLLOGMODE_FATALEXIT,
            INSTALLLOGMODE_ERROR,
            INSTALLLOGMODE_WARNING,
            INSTALLLOGMODE_USER,
            INSTALLLOGMODE_INFO,
            INSTALLLOGMODE_RESOLVESOURCE,
            INSTALLLOGMODE_OUTOFDISKSPACE,
            INSTALLLOGMODE_ACTIONSTART,
            INSTALLLOGMODE_ACTIONDATA,
            INSTALLLOGMODE_COMMONDATA,
            INSTALLLOGMODE_PROPERTYDUMP,
            INSTALLLOGMODE_VERBOSE,
        ]
        .iter()
        .fold(0, |mode, m| mode | m.0),
    )
}

fn msi(package: &str, properties: &str, log: &str, timeout: Duration) -> HostResult<Exit> {
    let (package, properties, log) = (package.to_owned(), properties.to_owned(), log.to_owned());
    let (done, result) = mpsc::channel();
    // MsiInstallProduct cannot be cancelled from outside: it runs on its own thread
    // so that a hung installation still lets firstboot report the timeout and stop.
    std::thread::spawn(move || {
        let (package, properties, log) =
            (Wide::new(&package), Wide::new(&properties), Wide::new(&log));
        let attributes =
            (INSTALLLOGATTRIBUTES_APPEND.0 | INSTALLLOGATTRIBUTES_FLUSHEACHLINE.0) as u32;
        // SAFETY: the wide strings outlive the calls; UI level and log are this process's settings.
        let code = unsafe {
            MsiSetInternalUI(INSTALLUILEVEL_NONE, None);
            let logging = MsiEnableLogW(verbose_log_mode(), log.pcwstr(), attributes);
            if logging != 0 {
                logging
            } else {
                MsiInstallProductW(package.pcwstr(), properties.pcwstr())
            }
        };
        let _ = done.send(code);
    });
    match result.recv_timeout(timeout) {
        // Windows Installer results are Win32 error codes, what an exit code carries too.
        Ok(code) => Ok(Exit::Code(code as i32)),
        Err(RecvTimeoutError::Timeout) => Ok(Exit::TimedOut),
        Err(RecvTimeoutError::Disconnected) => Err(HostError::failed(
            "MsiInstallProduct",
            "",
            "the installation thread ended without a result",
        )),
    }
}

/// Closes a handle when dropped.
struct Owned(HANDLE);

impl Drop for Owned {
    fn drop(&mut self) {
        // SAFETY: the handle was opened by this module and is closed once.
        unsafe {
            let _ = CloseHandle(self.0);
        }
    }
}

fn exe(program: &str, command_line: &str, log: &str, timeout: Duration) -> HostResult<Exit> {
    let inheritable = SECURITY_ATTRIBUTES {
        nLength: size_of::<SECURITY_ATTRIBUTES>() as u32,
        lpSecurityDescriptor: std::ptr::null_mut(),
        bInheritHandle: true.into(),
    };
    let share = FILE_SHARE_READ | FILE_SHARE_WRITE;
    let log_w = Wide::new(log);
    // SAFETY: plain CreateFileW calls with valid strings and attributes.
    let (output, input) = unsafe {
        let output = CreateFileW(
            log_w.pcwstr(),
            FILE_APPEND_DATA.0,
            share,
            Some(&inheritable),
            OPEN_ALWAYS,
            FILE_ATTRIBUTE_NORMAL,
            None,
        )
        .map_err(|e| os("CreateFile", log, e))?;
        let output = Owned(output);
        // No console input: a `pause` or a prompt must not wait for ever.
        let input = CreateFileW(
            windows::core::w!("NUL"),
            FILE_GENERIC_READ.0,
            share,
            Some(&inheritable),
            OPEN_EXISTING,
            FILE_ATTRIBUTE_NORMAL,
            None,
        )
        .map_err(|e| os("CreateFile", "NUL", e))?;
        (output, Owned(input))
    };
    let startup = STARTUPINFOW {
        cb: size_of::<STARTUPINFOW>() as u32,
        dwFlags: STARTF_USESTDHANDLES,
        hStdInput: input.0,
        hStdOutput: output.0,
        hStdError: output.0,
        ..Default::default()
    };
    let mut info = PROCESS_INFORMATION::default();
    let program_w = Wide::new(program);
    let mut command_w = Wide::new(command_line);
    // Installers look for their files beside themselves.
    let folder = program.rsplit_once('\\').map_or(".", |(dir, _)| dir);
    let folder_w = Wide::new(folder);
    // SAFETY: every pointer is valid for the call; the command line buffer is writable.
    unsafe {
        CreateProcessW(
            program_w.pcwstr(),
            Some(command_w.pwstr()),
            None,
            None,
            true,
            CREATE_SUSPENDED | CREATE_NO_WINDOW,
            None,
            folder_w.pcwstr(),
            &startup,
            &mut info,
        )
    }
    .map_err(|e| os("CreateProcess", program, e))?;
    let (process, thread) = (Owned(info.hProcess), Owned(info.hThread));
    drop((output, input));
    // SAFETY: handles from CreateProcess and CreateJobObject, used while open.
    unsafe {
        let job =
            Owned(CreateJobObjectW(None, None).map_err(|e| os("CreateJobObject", program, e))?);
        // Without the job a timeout could still end the installer, but not its children.
        let in_job = AssignProcessToJobObject(job.0, process.0).is_ok();
        ResumeThread(thread.0);
        let millis = u32::try_from(timeout.as_millis()).unwrap_or(u32::MAX - 1);
        let waited = WaitForSingleObject(process.0, millis);
        if waited == WAIT_TIMEOUT {
            if in_job {
                let _ = TerminateJobObject(job.0, 1);
            } else {
                let _ = windows::Win32::System::Threading::TerminateProcess(process.0, 1);
            }
            WaitForSingleObject(process.0, 10_000);
            return Ok(Exit::TimedOut);
        }
        if waited != WAIT_OBJECT_0 {
            return Err(HostError::failed(
                "WaitForSingleObject",
                program,
                format!("wait result {}", waited.0),
            ));
        }
        let mut code = 0u32;
        GetExitCodeProcess(process.0, &mut code)
            .map_err(|e| os("GetExitCodeProcess", program, e))?;
        Ok(Exit::Code(code as i32))
    }
}
