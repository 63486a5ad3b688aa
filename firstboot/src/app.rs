//! What each command does, in order: stick and manifest first, then the site,
//! the secrets, the host, the terminal, and only then the steps.

use crate::cli::{Cli, Command, Common, StickArgs};
use crate::engine::{self, Engine, Filter, Report};
use crate::host::Host;
use crate::host::sim::SimHost;
use crate::identify::{self, Match};
use crate::secrets_source;
use crate::steps::{self, Inputs};
use crate::stick::Stick;
use anyhow::Context as _;
use payload::Text;
use payload::secrets::Secrets;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Runs a parsed command line; `Ok` carries the exit code (1: not healthy / failed).
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    if let Some(lang) = cli.lang {
        payload::text::set_lang(lang);
    }
    match cli.command {
        Command::Plan { common, json } => configure(&common, engine::Command::Plan, json),
        Command::Apply { common, no_reboot } => configure(
            &common,
            engine::Command::Apply { reboot: !no_reboot },
            false,
        ),
        Command::Verify { common, json } => configure(&common, engine::Command::Verify, json),
        Command::Identify {
            stick,
            set_computer_name,
        } => identify_command(&stick, set_computer_name),
        Command::Role { action } => crate::role_command::run(action),
    }
}

/// The stick, checked against its manifest: refuses to go on at any mismatch.
pub(crate) fn open_stick(args: &StickArgs) -> anyhow::Result<Stick> {
    let stick = match &args.stick {
        Some(dir) => Stick::at(dir),
        None => default_stick()?,
    };
    let mismatches = stick.verify()?;
    if !mismatches.is_empty() {
        let list: Vec<String> = mismatches.iter().map(|m| format!("  {m}")).collect();
        anyhow::bail!(
            "{}\n{}",
            Text::new(
                format!(
                    "USB メモリ {} の内容がマニフェストと一致しません。壊れたか書き換えられたため、何も変更せずに終了します。スティックを作り直してください:",
                    stick.root.display()
                ),
                format!(
                    "the stick at {} does not match its manifest; refusing to change anything. Rebuild the stick:",
                    stick.root.display()
                ),
            ),
            list.join("\n")
        );
    }
    Ok(stick)
}

#[cfg(windows)]
fn default_stick() -> anyhow::Result<Stick> {
    crate::stick::find()
}

#[cfg(not(windows))]
fn default_stick() -> anyhow::Result<Stick> {
    anyhow::bail!(
        "{}",
        Text::new(
            "Windows 以外では --stick でスティックの場所を指定してください",
            "off Windows, give the stick's folder with --stick",
        )
    )
}

/// This machine, or the simulated one in `--sim-state`.
pub(crate) enum HostChoice {
    Sim {
        file: PathBuf,
        host: Box<SimHost>,
    },
    #[cfg(windows)]
    Win32(Box<crate::host::win32::Win32Host>),
}

impl HostChoice {
    pub(crate) fn open(
        args: &StickArgs,
        secrets: Option<(&payload::Site, &Secrets)>,
    ) -> anyhow::Result<HostChoice> {
        if let Some(file) = &args.sim_state {
            return Ok(HostChoice::Sim {
                file: file.clone(),
                host: Box::new(load_sim(file)?),
            });
        }
        native_host(secrets)
    }

    pub(crate) fn host(&mut self) -> &mut dyn Host {
        match self {
            HostChoice::Sim { host, .. } => host.as_mut(),
            #[cfg(windows)]
            HostChoice::Win32(host) => host.as_mut(),
        }
    }

    /// Saves the simulated machine; nothing to do for a real one.
    pub(crate) fn close(self) -> anyhow::Result<()> {
        match self {
            HostChoice::Sim { file, host } => save_sim(&file, &host),
            #[cfg(windows)]
            HostChoice::Win32(_) => Ok(()),
        }
    }
}

#[cfg(windows)]
fn native_host(secrets: Option<(&payload::Site, &Secrets)>) -> anyhow::Result<HostChoice> {
    let mut logons = Vec::new();
    if let Some((site, secrets)) = secrets {
        if let Some(p) = &secrets.accounts.oqs_com_app {
            logons.push((site.accounts.oqs_com_app.name.clone(), p.clone()));
        }
        if let (Some(a), Some(p)) = (&site.accounts.ons_renkei, &secrets.accounts.ons_renkei) {
            logons.push((a.name.clone(), p.clone()));
        }
    }
    Ok(HostChoice::Win32(Box::new(
        crate::host::win32::Win32Host::new(logons)?,
    )))
}

#[cfg(not(windows))]
fn native_host(_: Option<(&payload::Site, &Secrets)>) -> anyhow::Result<HostChoice> {
    anyhow::bail!(
        "{}",
        Text::new(
            "この PC は Windows ではありません。試すには --sim-state FILE で模擬 Windows を指定してください",
            "this is not Windows; to try it out, give a simulated Windows with --sim-state FILE",
        )
    )
}

fn load_sim(file: &Path) -> anyhow::Result<SimHost> {
    match std::fs::read(file) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .with_context(|| format!("{}: not a SimHost state file", file.display())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(SimHost::blank("DESKTOP-OQS")),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", file.display())),
    }
}

fn save_sim(file: &Path, host: &SimHost) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(host)? + "\n";
    let tmp = file.with_extension("tmp");
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, file).with_context(|| format!("cannot replace {}", file.display()))
}

fn configure(common: &Common, command: engine::Command, json: bool) -> anyhow::Result<ExitCode> {
    let stick = open_stick(&common.stick)?;
    let loaded = stick.site()?;
    let site = &loaded.site;
    let secrets = secrets_source::load(&stick, common.secrets.as_deref(), site.secrets.unlock)?;
    let missing = secrets.missing(site);
    anyhow::ensure!(
        missing.is_empty(),
        "{}",
        Text::new(
            format!("秘密情報が足りません: {}", missing.join(", ")),
            format!("secrets missing: {}", missing.join(", ")),
        )
    );
    let mut choice = HostChoice::open(&common.stick, Some((site, &secrets)))?;
    let report = {
        let host = choice.host();
        let terminal = identify::resolve(host, site, common.terminal.as_deref())?;
        let state_dir = crate::paths::state_dir(host)?;
        let steps = steps::build(&Inputs {
            site,
            terminal,
            secrets: &secrets,
            stick: &stick,
            state_dir: &state_dir,
        })?;
        let filter = Filter {
            only: common.only.clone(),
            skip: common.skip.clone(),
        };
        filter.validate(&steps)?;
        let mut stdout = io::stdout();
        let mut sink = io::sink();
        let console: &mut dyn Write = if json { &mut sink } else { &mut stdout };
        Engine {
            host,
            steps: &steps,
            filter: &filter,
            console,
            terminal: &terminal.name,
        }
        .run(command)
    };
    // The simulated machine is saved even after a failed step: that is the state a power cut leaves.
    choice.close()?;
    let report: Report = report?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    }
    Ok(if report.healthy() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn identify_command(args: &StickArgs, set_computer_name: bool) -> anyhow::Result<ExitCode> {
    let stick = open_stick(args)?;
    let loaded = stick.site()?;
    let mut choice = HostChoice::open(args, None)?;
    let host = choice.host();
    let found = identify::identify(host, &loaded.site)?;
    let current = host.computer_name()?;
    let message = match &found {
        Match::Hardware { terminal, by } => Text::new(
            format!("この PC は {terminal} です ({by} で一致)"),
            format!("this machine is {terminal} (matched by {by})"),
        ),
        Match::ComputerName { terminal } => Text::new(
            format!("この PC は {terminal} です (コンピューター名で一致)"),
            format!("this machine is {terminal} (matched by computer name)"),
        ),
        Match::None => Text::new(
            "この PC に一致する端末はありません。何も変更しません",
            "no terminal matches this machine; nothing changed",
        ),
    };
    println!("{message}");
    if let (true, Match::Hardware { terminal, .. }) = (set_computer_name, &found)
        && !terminal.eq_ignore_ascii_case(&current)
    {
        host.set_computer_name(terminal)?;
        println!(
            "{}",
            Text::new(
                format!(
                    "コンピューター名を {current} から {terminal} に変更しました (再起動後に有効)"
                ),
                format!("computer name set from {current} to {terminal} (effective after restart)"),
            )
        );
    }
    choice.close()?;
    Ok(ExitCode::SUCCESS)
}
