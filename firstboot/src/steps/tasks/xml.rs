//! Task Scheduler XML (schema 1.2) for the tasks firstboot defines itself. The
//! text is exact and deterministic so tests compare it byte for byte.

/// When a task starts.
pub enum Trigger {
    /// At start-up, after `delay` (ISO 8601 duration), repeating every `every` if given.
    Boot {
        delay: String,
        every: Option<String>,
    },
    /// Every day at `hh:mm` local time.
    Daily { hour: u8, minute: u8 },
}

pub struct TaskDef {
    pub name: String,
    pub description: String,
    pub trigger: Trigger,
    pub command: String,
    pub arguments: Option<String>,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn trigger_xml(trigger: &Trigger) -> String {
    match trigger {
        Trigger::Boot { delay, every } => {
            let repetition = every.as_ref().map_or(String::new(), |every| {
                format!(
                    "      <Repetition>\r\n        <Interval>{every}</Interval>\r\n        <StopAtDurationEnd>false</StopAtDurationEnd>\r\n      </Repetition>\r\n"
                )
            });
            format!(
                "    <BootTrigger>\r\n{repetition}      <Enabled>true</Enabled>\r\n      <Delay>{delay}</Delay>\r\n    </BootTrigger>\r\n"
            )
        }
        Trigger::Daily { hour, minute } => format!(
            "    <CalendarTrigger>\r\n      <StartBoundary>2000-01-01T{hour:02}:{minute:02}:00</StartBoundary>\r\n      <Enabled>true</Enabled>\r\n      <ScheduleByDay>\r\n        <DaysInterval>1</DaysInterval>\r\n      </ScheduleByDay>\r\n    </CalendarTrigger>\r\n"
        ),
    }
}

/// The task's XML, running as `run_as` whether logged on or not, with highest privileges.
pub fn render(task: &TaskDef, run_as: &str) -> String {
    let arguments = task.arguments.as_ref().map_or(String::new(), |a| {
        format!("      <Arguments>{}</Arguments>\r\n", escape(a))
    });
    format!(
        concat!(
            "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\r\n",
            "<Task version=\"1.2\" xmlns=\"http://schemas.microsoft.com/windows/2004/02/mit/task\">\r\n",
            "  <RegistrationInfo>\r\n",
            "    <Author>oqs-stick</Author>\r\n",
            "    <Description>{description}</Description>\r\n",
            "    <URI>\\{name}</URI>\r\n",
            "  </RegistrationInfo>\r\n",
            "  <Triggers>\r\n",
            "{trigger}",
            "  </Triggers>\r\n",
            "  <Principals>\r\n",
            "    <Principal id=\"Author\">\r\n",
            "      <UserId>{user}</UserId>\r\n",
            "      <LogonType>Password</LogonType>\r\n",
            "      <RunLevel>HighestAvailable</RunLevel>\r\n",
            "    </Principal>\r\n",
            "  </Principals>\r\n",
            "  <Settings>\r\n",
            "    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>\r\n",
            "    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>\r\n",
            "    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>\r\n",
            "    <StartWhenAvailable>true</StartWhenAvailable>\r\n",
            "    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>\r\n",
            "    <Enabled>true</Enabled>\r\n",
            "  </Settings>\r\n",
            "  <Actions Context=\"Author\">\r\n",
            "    <Exec>\r\n",
            "      <Command>{command}</Command>\r\n",
            "{arguments}",
            "    </Exec>\r\n",
            "  </Actions>\r\n",
            "</Task>\r\n",
        ),
        description = escape(&task.description),
        name = escape(&task.name),
        trigger = trigger_xml(&task.trigger),
        user = escape(run_as),
        command = escape(&task.command),
        arguments = arguments,
    )
}
