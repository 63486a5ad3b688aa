//! `oqs-builder certs`: every terminal's certificate, opened with its password:
//! subject, serial, expiry, days left, status. Exits 1 when any has an error.

use crate::certs::{self, SiteCert, Status};
use crate::cli::{CertsArgs, Global};
use crate::report;
use crate::secrets_input::{self, Terminal};
use payload::Text;
use payload::site::{self, Role};
use std::process::ExitCode;
use std::time::SystemTime;

#[derive(serde::Serialize)]
struct CertsReport<'a> {
    ok: bool,
    site: &'a std::path::Path,
    certificates: &'a [SiteCert],
}

pub fn run(args: &CertsArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let loaded = site::load_file(&args.site)?;
    let mut resolved = secrets_input::resolve(
        &loaded,
        args.secrets.as_deref(),
        &secrets_input::process_env,
    )?;
    if let Some(mut terminal) = Terminal::if_interactive() {
        resolved.ask_missing(&loaded.site, &mut terminal, &|key| {
            key.starts_with("certificates.")
        })?;
    }
    let rows = certs::check_site(&loaded, &resolved.secrets, SystemTime::now());
    let ok = rows.iter().all(|r| r.status != Status::Error);
    if global.json {
        report::json(&CertsReport {
            ok,
            site: &loaded.file,
            certificates: &rows,
        });
    } else {
        print_table(&rows);
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn print_table(rows: &[SiteCert]) {
    let t = |ja: &str, en: &str| Text::new(ja, en).to_string();
    println!(
        "{:<15} {:<8} {:<40} {:<20} {:<10} {:>6}  {}",
        t("端末", "terminal"),
        t("役割", "role"),
        t("サブジェクト", "subject"),
        t("シリアル", "serial"),
        t("有効期限", "expires"),
        t("残日数", "days"),
        t("状態", "status"),
    );
    for row in rows {
        let role = match row.role {
            Role::Primary => t("本番", "primary"),
            Role::Standby => t("待機", "standby"),
        };
        let status = match row.status {
            Status::Ok => "OK".to_owned(),
            Status::Warning => t("警告", "WARNING"),
            Status::Error => t("エラー", "ERROR"),
        };
        let (subject, serial, expires, days) = match &row.check.info {
            Some(i) => (
                i.subject.as_str(),
                i.serial.as_str(),
                i.not_after.as_str(),
                i.days_left.to_string(),
            ),
            None => ("-", "-", "-", "-".to_owned()),
        };
        println!(
            "{:<15} {role:<8} {subject:<40} {serial:<20} {expires:<10} {days:>6}  {status}",
            row.terminal
        );
        if let Some(info) = &row.check.info {
            println!(
                "{:<15} {}: {}",
                "",
                t("拇印 (SHA-1)", "thumbprint (SHA-1)"),
                info.thumbprint
            );
        }
        for finding in &row.check.findings {
            println!("{:<15} - {}", "", finding.message(&row.terminal, &row.file));
        }
    }
}
