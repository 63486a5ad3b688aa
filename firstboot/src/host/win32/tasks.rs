//! Scheduled tasks through the Task Scheduler COM API. The XML we registered is
//! kept under HKLM\SOFTWARE\oqs-stick\Tasks: Windows gives back a normalized XML,
//! so comparing against that would never agree.

use super::registry;
use super::util::os;
use crate::host::{HostError, HostResult, RegValue};
use payload::Secret;
use windows::Win32::System::Com::{
    CLSCTX_INPROC_SERVER, COINIT_MULTITHREADED, CoCreateInstance, CoInitializeEx,
};
use windows::Win32::System::Registry::HKEY_LOCAL_MACHINE;
use windows::Win32::System::TaskScheduler::*;
use windows::Win32::System::Variant::VARIANT;
use windows::core::BSTR;

const KEPT: &str = r"SOFTWARE\oqs-stick\Tasks";

fn root_folder() -> HostResult<ITaskFolder> {
    // SAFETY: COM set-up on this thread; S_FALSE (already initialized) is fine.
    unsafe {
        let _ = CoInitializeEx(None, COINIT_MULTITHREADED);
        let service: ITaskService = CoCreateInstance(&TaskScheduler, None, CLSCTX_INPROC_SERVER)
            .map_err(|e| os("CoCreateInstance", "TaskScheduler", e))?;
        let empty = VARIANT::default();
        service
            .Connect(&empty, &empty, &empty, &empty)
            .map_err(|e| os("ITaskService::Connect", "Task Scheduler", e))?;
        service
            .GetFolder(&BSTR::from("\\"))
            .map_err(|e| os("GetFolder", "\\", e))
    }
}

pub fn xml(name: &str) -> HostResult<Option<String>> {
    let folder = root_folder()?;
    // SAFETY: a COM call on a live folder.
    let Ok(task) = (unsafe { folder.GetTask(&BSTR::from(name)) }) else {
        return Ok(None);
    };
    match registry::get(HKEY_LOCAL_MACHINE, KEPT, name)? {
        Some(RegValue::Sz(kept)) => Ok(Some(kept)),
        // Registered by someone else: report Windows' XML, which differs from ours.
        // SAFETY: a COM call on a live task.
        _ => Ok(Some(
            unsafe { task.Xml() }
                .map_err(|e| os("IRegisteredTask::Xml", name, e))?
                .to_string(),
        )),
    }
}

pub fn register(name: &str, xml: &str, run_as: &str, password: Option<&Secret>) -> HostResult<()> {
    let password = password.ok_or_else(|| {
        HostError::failed(
            "RegisterTask",
            name,
            format!("no password for {run_as} in the secrets"),
        )
    })?;
    let folder = root_folder()?;
    // SAFETY: COM calls with owned BSTR/VARIANT arguments.
    unsafe {
        folder.RegisterTask(
            &BSTR::from(name),
            &BSTR::from(xml),
            TASK_CREATE_OR_UPDATE.0,
            &VARIANT::from(run_as),
            &VARIANT::from(password.expose()),
            TASK_LOGON_PASSWORD,
            &VARIANT::default(),
        )
    }
    .map_err(|e| os("RegisterTask", name, e))?;
    registry::set(
        HKEY_LOCAL_MACHINE,
        KEPT,
        name,
        &RegValue::Sz(xml.to_owned()),
    )
}
