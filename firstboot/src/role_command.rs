//! `oqs-firstboot role ...`: the command-line face of `link::role`. The site (from
//! the stick) gives the 電子カルテ link's folders; the terminal is `--terminal` or
//! identified like `apply` does.

use crate::app::{HostChoice, open_stick};
use crate::cli::{LinkFiles, RoleAction, RoleArgs};
use crate::identify;
use crate::link::fs_host::FsLinkHost;
use crate::link::role::{
    self, Activated, Checked, DEFAULT_STALE_AFTER, Status, Switched, Terminal,
};
use payload::Text;
use payload::site::{KarteLink, Role, Site};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::SystemTime;

pub fn run(action: RoleAction) -> anyhow::Result<ExitCode> {
    let (args, op) = match action {
        RoleAction::Status { args } => (args, Op::Status),
        RoleAction::Activate { args, force } => (args, Op::Activate { force }),
        RoleAction::Standby { args } => (args, Op::Standby),
        RoleAction::Check { args } => (args, Op::Check),
    };
    let site = match &args.site {
        Some(file) => payload::site::load_file(file)?.site,
        None => open_stick(&args.stick)?.site()?.site,
    };
    anyhow::ensure!(
        site.karte_link.enabled,
        "{}",
        Text::new(
            "site.toml の karte_link.enabled が true ではないため、電子カルテ連携の担当切り替えはありません",
            "karte_link.enabled is not true in site.toml: this site has no 電子カルテ link to switch",
        )
    );
    let name = terminal_name(&args, &site)?;
    let primary = site
        .terminal(&name)
        .is_some_and(|t| t.role == Role::Primary);
    let (mut host, lease_dir) = link_host(&args.files, &site.karte_link)?;
    let terminal = Terminal {
        name: &name,
        link: &site.karte_link,
        lease_dir: &lease_dir,
        stale_after: DEFAULT_STALE_AFTER,
    };
    let done = match op {
        Op::Status => role::status(&host, &terminal).map(|s| shown(&s, status_text(&s))),
        Op::Activate { force } => role::activate(&mut host, &terminal, force)
            .map(|a| shown(&a, activated_text(&name, &a))),
        Op::Standby => {
            role::standby(&mut host, &terminal).map(|s| shown(&s, standby_text(&name, &s)))
        }
        Op::Check => {
            role::check(&mut host, &terminal, primary).map(|c| shown(&c, checked_text(&name, &c)))
        }
    };
    match done {
        Ok((json, text)) => {
            if args.json {
                println!("{}", serde_json::to_string_pretty(&json)?);
            } else {
                println!("{text}");
            }
            Ok(ExitCode::SUCCESS)
        }
        // A script reading --json gets the refusal (naming the holder) on stdout too.
        Err(e) if args.json => {
            let message = e.text().to_string();
            println!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({ "error": message }))?
            );
            eprintln!("{}: {message}", Text::new("エラー", "error"));
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e.into()),
    }
}

enum Op {
    Status,
    Activate { force: bool },
    Standby,
    Check,
}

fn shown<T: serde::Serialize>(value: &T, text: Text) -> (serde_json::Value, Text) {
    (
        serde_json::to_value(value).expect("role results serialize"),
        text,
    )
}

fn terminal_name(args: &RoleArgs, site: &Site) -> anyhow::Result<String> {
    if let Some(name) = &args.terminal {
        return Ok(identify::named(site, name)?.name.clone());
    }
    let mut choice = HostChoice::open(&args.stick, None)?;
    let name = identify::resolve(choice.host(), site, None)?.name.clone();
    choice.close()?;
    Ok(name)
}

/// The terminal's own files, or the stand-ins given on the command line.
fn link_host(files: &LinkFiles, link: &KarteLink) -> anyhow::Result<(FsLinkHost, PathBuf)> {
    match (&files.property_file, &files.lease_dir, &files.restart_cmd) {
        (Some(property), Some(lease_dir), Some(restart)) => Ok((
            FsLinkHost::new(
                property.clone(),
                vec![restart.into()],
                Arc::new(SystemTime::now),
            ),
            lease_dir.clone(),
        )),
        (None, None, None) if cfg!(windows) => Ok((FsLinkHost::terminal(), role::lease_dir(link))),
        (None, None, None) => anyhow::bail!(
            "{}",
            Text::new(
                "Windows 以外では --property-file, --lease-dir, --restart-cmd で代わりのファイルを指定してください",
                "off Windows, give stand-in files with --property-file, --lease-dir and --restart-cmd",
            )
        ),
        _ => anyhow::bail!(
            "{}",
            Text::new(
                "--property-file, --lease-dir, --restart-cmd は 3 つとも指定してください",
                "give all three of --property-file, --lease-dir and --restart-cmd, or none",
            )
        ),
    }
}

fn pointing_text(pointing: role::Pointing) -> Text {
    match pointing {
        role::Pointing::Shared => Text::new("共有フォルダー", "the shared folders"),
        role::Pointing::Local => Text::new("この端末のフォルダー", "its local folders"),
        role::Pointing::Mixed => Text::new(
            "共有とローカルが混在(要確認)",
            "a mix of shared and local folders (check it)",
        ),
    }
}

fn status_text(s: &Status) -> Text {
    let pointing = pointing_text(s.pointing);
    let holder = match &s.lease {
        None => Text::new("担当の端末はありません", "no terminal holds the lease"),
        Some(l) if s.lease_stale => Text::new(
            format!("担当は {} ですが、応答が途絶えています", l.terminal),
            format!("{} holds the lease but its heartbeat is stale", l.terminal),
        ),
        Some(l) => Text::new(
            format!("担当は {} です", l.terminal),
            format!("{} is active", l.terminal),
        ),
    };
    Text::new(
        format!(
            "{}: OQSComApp は{}を使っています。{}",
            s.terminal, pointing.ja, holder.ja
        ),
        format!(
            "{}: OQSComApp uses {}; {}",
            s.terminal, pointing.en, holder.en
        ),
    )
}

fn switched_text(s: &Switched) -> Text {
    let ms = s.switch_time.as_secs_f64() * 1000.0;
    let restart = if s.restarted {
        Text::new("OQSComApp を再起動しました", "OQSComApp restarted")
    } else {
        Text::new("再起動は不要でした", "no restart needed")
    };
    Text::new(
        format!(
            "設定 {} 件を変更、切り替え {ms:.0} ms、{}",
            s.changes.len(),
            restart.ja
        ),
        format!(
            "{} setting(s) changed, switched in {ms:.0} ms, {}",
            s.changes.len(),
            restart.en
        ),
    )
}

fn activated_text(name: &str, a: &Activated) -> Text {
    let s = switched_text(&a.switched);
    let taken = match &a.replaced {
        Some(l) => Text::new(
            format!("({} から引き継ぎ)", l.terminal),
            format!(" (taken over from {})", l.terminal),
        ),
        None => Text::new("", ""),
    };
    Text::new(
        format!("{name} が担当になりました{}。{}", taken.ja, s.ja),
        format!("{name} is now active{}; {}", taken.en, s.en),
    )
}

fn standby_text(name: &str, s: &Switched) -> Text {
    let s = switched_text(s);
    Text::new(
        format!("{name} は待機になりました(ローカルのフォルダー)。{}", s.ja),
        format!("{name} is now standby (local folders); {}", s.en),
    )
}

fn checked_text(name: &str, c: &Checked) -> Text {
    match c {
        Checked::Active {
            repointed: None, ..
        } => Text::new(
            format!("{name} は担当です。応答時刻を更新しました"),
            format!("{name} is active; heartbeat renewed"),
        ),
        Checked::Active {
            repointed: Some(s), ..
        } => {
            let s = switched_text(s);
            Text::new(
                format!(
                    "{name} は担当です。共有フォルダーから外れていた設定を戻しました。{}",
                    s.ja
                ),
                format!(
                    "{name} is active; settings that had left the shared folders were put back; {}",
                    s.en
                ),
            )
        }
        Checked::Activated(a) => activated_text(name, a),
        Checked::Standby => Text::new(
            format!("{name} は待機中です(ローカルのフォルダー)"),
            format!("{name} is standby (local folders)"),
        ),
        Checked::Demoted { holder, switched } => {
            let who = holder.as_deref().unwrap_or("-");
            let s = switched_text(switched);
            Text::new(
                format!(
                    "{name} は担当ではなくなりました(現在の担当: {who})。ローカルのフォルダーに戻しました。{}",
                    s.ja
                ),
                format!(
                    "{name} lost the lease (holder now: {who}); pointed back at its local folders; {}",
                    s.en
                ),
            )
        }
    }
}
