//! `oqs-builder check`: the site and its inputs, every problem at once, then a summary.

use crate::cli::{CheckArgs, Global};
use crate::inputs::Input;
use crate::report;
use payload::Text;
use payload::site::{self, Problem, Role, Site};
use std::process::ExitCode;

#[derive(serde::Serialize)]
struct CheckReport<'a> {
    ok: bool,
    site: &'a std::path::Path,
    problems: &'a [Problem],
    summary: Option<Summary<'a>>,
}

#[derive(serde::Serialize)]
struct Summary<'a> {
    clinic: &'a str,
    medical_institution_code: &'a str,
    line: site::Line,
    edition: &'a str,
    terminals: Vec<TerminalRow<'a>>,
    installers: Vec<InstallerRow<'a>>,
    proxy: Option<&'a str>,
    dns: Vec<String>,
    ntp: &'a str,
    daily_restart: Option<&'a str>,
    karte_link: Option<(&'a str, &'a str)>,
    inputs: &'a [Input],
}

#[derive(serde::Serialize)]
struct TerminalRow<'a> {
    name: &'a str,
    role: Role,
    certificate: &'a str,
    identified_by: Vec<String>,
}

#[derive(serde::Serialize)]
struct InstallerRow<'a> {
    id: &'a str,
    kind: site::InstallerKind,
    file: &'a str,
    version: Option<&'a str>,
}

pub fn run(args: &CheckArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let checked = crate::checks::run(&args.site, args.secrets.as_deref())?;
    if checked.has_errors() {
        return Ok(fail(global, &checked.loaded.file, &checked.problems));
    }
    let (loaded, inputs, problems) = (&checked.loaded, &checked.inputs, &checked.problems);
    let summary = summarize(&loaded.site, inputs);
    if global.json {
        report::json(&CheckReport {
            ok: true,
            site: &loaded.file,
            problems,
            summary: Some(summary),
        });
    } else {
        report::problems(&loaded.file, problems);
        print_summary(&summary);
    }
    Ok(ExitCode::SUCCESS)
}

fn fail(global: &Global, file: &std::path::Path, problems: &[Problem]) -> ExitCode {
    let errors = report::problems(file, problems);
    if global.json {
        report::json(&CheckReport {
            ok: false,
            site: file,
            problems,
            summary: None,
        });
    }
    eprintln!(
        "{}",
        Text::new(
            format!("{errors} 件の誤りがあります。直してからもう一度 check してください"),
            format!("{errors} error(s): fix them and run check again"),
        )
    );
    ExitCode::FAILURE
}

fn summarize<'a>(site: &'a Site, inputs: &'a [Input]) -> Summary<'a> {
    Summary {
        clinic: &site.clinic.name,
        medical_institution_code: &site.clinic.medical_institution_code,
        line: site.clinic.line,
        edition: &site.windows.edition,
        terminals: site
            .terminals
            .iter()
            .map(|t| TerminalRow {
                name: &t.name,
                role: t.role,
                certificate: &t.certificate,
                identified_by: identified_by(t),
            })
            .collect(),
        installers: site
            .installers
            .iter()
            .map(|i| InstallerRow {
                id: &i.id,
                kind: i.kind,
                file: &i.file,
                version: i.version.as_deref(),
            })
            .collect(),
        proxy: site
            .network
            .proxy
            .enabled
            .then_some(site.network.proxy.server.as_str()),
        dns: site.dns_servers().iter().map(ToString::to_string).collect(),
        ntp: &site.network.ntp.server,
        daily_restart: site.tasks.daily_restart.as_deref(),
        karte_link: site.karte_link.enabled.then_some((
            site.karte_link.request_dir.as_str(),
            site.karte_link.response_dir.as_str(),
        )),
        inputs,
    }
}

fn identified_by(t: &site::Terminal) -> Vec<String> {
    let hw = &t.hardware;
    let mut ids: Vec<String> = Vec::new();
    ids.extend(hw.smbios_uuid.iter().map(|u| format!("UUID {u}")));
    ids.extend(hw.serial.iter().map(|s| format!("serial {s}")));
    ids.extend(hw.mac.iter().map(|m| format!("MAC {m}")));
    ids
}

fn print_summary(s: &Summary<'_>) {
    let t = |ja: &str, en: &str| Text::new(ja, en).to_string();
    let line = match s.line {
        site::Line::East => t("NTT東日本", "NTT East"),
        site::Line::West => t("NTT西日本", "NTT West"),
    };
    println!(
        "{}: {} ({}: {}, {line})",
        t("医療機関", "Clinic"),
        s.clinic,
        t("医療機関コード", "code"),
        s.medical_institution_code
    );
    println!("Windows: {}", s.edition);
    println!("{} ({}):", t("端末", "Terminals"), s.terminals.len());
    for row in &s.terminals {
        let role = match row.role {
            Role::Primary => t("本番", "primary"),
            Role::Standby => t("待機", "standby"),
        };
        let ids = if row.identified_by.is_empty() {
            t(
                "識別情報なし: 初回起動時に選択",
                "no hardware id: chosen at first start",
            )
        } else {
            row.identified_by.join(", ")
        };
        println!("  {:<15} {role:<8} {}  [{ids}]", row.name, row.certificate);
    }
    println!(
        "{} ({}):",
        t("インストーラー", "Installers"),
        s.installers.len()
    );
    for row in &s.installers {
        let kind = format!("{:?}", row.kind).to_ascii_lowercase();
        println!(
            "  {:<12} {kind:<4} {} {}",
            row.id,
            row.file,
            row.version.unwrap_or("-")
        );
    }
    println!("{}: {}", t("プロキシ", "Proxy"), s.proxy.unwrap_or("-"));
    println!("IPv6 DNS: {}", s.dns.join(", "));
    println!("NTP: {}", s.ntp);
    println!(
        "{}: {}",
        t("定時再起動", "Daily restart"),
        s.daily_restart.unwrap_or("-")
    );
    match s.karte_link {
        Some((req, res)) => println!("{}: req={req} res={res}", t("電子カルテ連携", "EMR link")),
        None => println!("{}: -", t("電子カルテ連携", "EMR link")),
    }
    let bytes: u64 = s.inputs.iter().map(|i| i.size).sum();
    println!(
        "{}",
        Text::new(
            format!(
                "入力ファイル {} 個, 合計 {:.1} MB: すべて確認済み",
                s.inputs.len(),
                bytes as f64 / 1e6
            ),
            format!(
                "{} input files, {:.1} MB in all: all checked",
                s.inputs.len(),
                bytes as f64 / 1e6
            ),
        )
    );
}
