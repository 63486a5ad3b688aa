//! Checks on the values of a parsed site. Every check runs; every problem is kept,
//! so the operator fixes the whole file in one go. Each message says what to do.

use super::locate::Position;
use super::path::KeyPath;
use super::{Account, Hardware, InstallerKind, Role, Site, Unlock};
use crate::text::Text;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Problem {
    pub severity: Severity,
    pub path: KeyPath,
    pub position: Option<Position>,
    pub message: Text,
}

impl Problem {
    pub fn error(path: KeyPath, ja: impl Into<String>, en: impl Into<String>) -> Problem {
        Problem {
            severity: Severity::Error,
            path,
            position: None,
            message: Text::new(ja, en),
        }
    }

    pub fn warning(path: KeyPath, ja: impl Into<String>, en: impl Into<String>) -> Problem {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(path, ja, en)
        }
    }

    pub(crate) fn unknown_key(path: KeyPath) -> Problem {
        Problem::error(
            path,
            "不明なキーです。綴りを確認するか削除してください (README の site.toml リファレンス参照)",
            "unknown key: check its spelling or remove it (see the site.toml reference in the README)",
        )
    }

    /// `file:line:col: key: message`, as compilers print it, so editors can jump there.
    pub fn display_in<'a>(&'a self, file: &'a Path) -> impl fmt::Display + 'a {
        ProblemLine {
            problem: self,
            file,
        }
    }
}

struct ProblemLine<'a> {
    problem: &'a Problem,
    file: &'a Path,
}

impl fmt::Display for ProblemLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.problem;
        write!(f, "{}", self.file.display())?;
        if let Some(pos) = p.position {
            write!(f, ":{}:{}", pos.line, pos.column)?;
        }
        let kind = match (p.severity, crate::text::lang()) {
            (Severity::Error, crate::text::Lang::Ja) => "エラー",
            (Severity::Warning, crate::text::Lang::Ja) => "警告",
            (Severity::Error, _) => "error",
            (Severity::Warning, _) => "warning",
        };
        write!(f, ": {kind}: {}: {}", p.path, p.message)
    }
}

/// Every problem in `site`, errors and warnings.
pub fn validate(site: &Site) -> Vec<Problem> {
    let mut out = Vec::new();
    let root = KeyPath::root();
    if site.schema != super::SCHEMA_VERSION {
        out.push(Problem::error(
            root.key("schema"),
            format!(
                "schema = {} は未対応です。{} にしてください",
                site.schema,
                super::SCHEMA_VERSION
            ),
            format!(
                "schema {} is not supported by this build: use {}",
                site.schema,
                super::SCHEMA_VERSION
            ),
        ));
    }
    clinic(site, &mut out);
    windows(site, &mut out);
    terminals(site, &mut out);
    accounts(site, &mut out);
    network(site, &mut out);
    installers(site, &mut out);
    tasks(site, &mut out);
    shortcuts(site, &mut out);
    display(site, &mut out);
    karte_link(site, &mut out);
    options(site, &mut out);
    out
}

fn clinic(site: &Site, out: &mut Vec<Problem>) {
    let at = KeyPath::root().key("clinic");
    if site.clinic.name.trim().is_empty() {
        out.push(Problem::error(
            at.key("name"),
            "医療機関名を入力してください",
            "give the clinic's name",
        ));
    }
    let code = &site.clinic.medical_institution_code;
    let digits = code.len() == 10 && code.bytes().all(|b| b.is_ascii_digit());
    let prefecture = code.get(..2).and_then(|p| p.parse::<u8>().ok());
    if !digits {
        out.push(Problem::error(
            at.key("medical_institution_code"),
            format!(
                "医療機関コード \"{code}\" は半角数字10桁で書いてください (例: \"1312345678\")"
            ),
            format!(
                "medical institution code \"{code}\" must be 10 ASCII digits (e.g. \"1312345678\")"
            ),
        ));
    } else if !matches!(prefecture, Some(1..=47)) {
        out.push(Problem::error(
            at.key("medical_institution_code"),
            format!("医療機関コード \"{code}\" の先頭2桁 (都道府県番号) は 01〜47 です"),
            format!("medical institution code \"{code}\": the first two digits (prefecture) must be 01-47"),
        ));
    }
}

fn windows(site: &Site, out: &mut Vec<Problem>) {
    let at = KeyPath::root().key("windows");
    let w = &site.windows;
    if w.image_index == Some(0) {
        out.push(Problem::error(
            at.key("image_index"),
            "image_index は 1 から数えます",
            "image_index counts from 1",
        ));
    }
    if w.edition.trim().is_empty() && w.image_index.is_none() {
        out.push(Problem::error(
            at.key("edition"),
            "インストールするエディション (例: \"Windows 11 Pro\") を指定してください",
            "name the edition to install (e.g. \"Windows 11 Pro\") or set image_index",
        ));
    }
    if let Some(key) = &w.product_key {
        let groups: Vec<&str> = key.split('-').collect();
        let ok = groups.len() == 5
            && groups
                .iter()
                .all(|g| g.len() == 5 && g.bytes().all(|b| b.is_ascii_alphanumeric()));
        if !ok {
            out.push(Problem::error(
                at.key("product_key"),
                "プロダクトキーは XXXXX-XXXXX-XXXXX-XXXXX-XXXXX の形です",
                "a product key has the form XXXXX-XXXXX-XXXXX-XXXXX-XXXXX",
            ));
        }
    }
    if w.time_zone.trim().is_empty() {
        out.push(Problem::error(
            at.key("time_zone"),
            "タイムゾーンは英語の ID で書いてください (例: \"Tokyo Standard Time\")",
            "give the time zone's English id (e.g. \"Tokyo Standard Time\")",
        ));
    }
}

/// Windows computer names: NetBIOS-safe letters, digits and hyphens, at most 15.
pub fn computer_name_problem(name: &str) -> Option<Text> {
    let valid_chars = name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if name.is_empty() || name.chars().count() > 15 {
        Some(Text::new(
            format!("コンピューター名 \"{name}\" は1〜15文字にしてください"),
            format!("computer name \"{name}\" must be 1 to 15 characters"),
        ))
    } else if !valid_chars || name.starts_with('-') || name.ends_with('-') {
        Some(Text::new(
            format!(
                "コンピューター名 \"{name}\" には半角英数字とハイフンだけを使い、ハイフンで始め/終えないでください"
            ),
            format!("computer name \"{name}\": use only ASCII letters, digits and inner hyphens"),
        ))
    } else if name.bytes().all(|b| b.is_ascii_digit()) {
        Some(Text::new(
            format!("コンピューター名 \"{name}\" は数字だけにできません"),
            format!("computer name \"{name}\" cannot be all digits"),
        ))
    } else {
        None
    }
}

fn terminals(site: &Site, out: &mut Vec<Problem>) {
    let at = KeyPath::root().key("terminals");
    if site.terminals.is_empty() {
        out.push(Problem::error(
            at.clone(),
            "[[terminals]] を1台以上書いてください",
            "describe at least one terminal with [[terminals]]",
        ));
        return;
    }
    let primaries = site
        .terminals
        .iter()
        .filter(|t| t.role == Role::Primary)
        .count();
    if primaries != 1 {
        out.push(Problem::error(
            at.clone(),
            format!("role = \"primary\" の端末はちょうど1台必要です (現在 {primaries} 台)"),
            format!("exactly one terminal must have role = \"primary\" (found {primaries})"),
        ));
    }
    let mut names = Seen::default();
    let mut certs = Seen::default();
    let mut ids = Seen::default();
    for (i, t) in site.terminals.iter().enumerate() {
        let here = at.index(i);
        if let Some(msg) = computer_name_problem(&t.name) {
            out.push(Problem {
                severity: Severity::Error,
                path: here.key("name"),
                position: None,
                message: msg,
            });
        }
        names.check(&t.name.to_ascii_uppercase(), &here.key("name"), out);
        let cert = t.certificate.to_ascii_lowercase();
        if !(cert.ends_with(".pfx") || cert.ends_with(".p12")) {
            out.push(Problem::error(
                here.key("certificate"),
                format!(
                    "証明書 \"{}\" は PFX ファイル (.pfx / .p12) を指定してください",
                    t.certificate
                ),
                format!(
                    "certificate \"{}\" must be a PFX file (.pfx or .p12)",
                    t.certificate
                ),
            ));
        }
        certs.check(&cert, &here.key("certificate"), out);
        if t.cert_stores.is_empty() {
            out.push(Problem::error(
                here.key("cert_stores"),
                "証明書ストアを1つ以上指定してください (例: [\"CurrentUser\\\\My\"])",
                "name at least one certificate store (e.g. [\"CurrentUser\\\\My\"])",
            ));
        }
        hardware(&t.hardware, &here.key("hardware"), &mut ids, out);
    }
}

fn hardware(hw: &Hardware, at: &KeyPath, ids: &mut Seen, out: &mut Vec<Problem>) {
    if let Some(uuid) = &hw.smbios_uuid {
        if !is_uuid(uuid) {
            out.push(Problem::error(
                at.key("smbios_uuid"),
                format!("SMBIOS UUID \"{uuid}\" は 8-4-4-4-12 桁の16進数です (PowerShell: (Get-CimInstance Win32_ComputerSystemProduct).UUID)"),
                format!("SMBIOS UUID \"{uuid}\" must be 8-4-4-4-12 hex digits (PowerShell: (Get-CimInstance Win32_ComputerSystemProduct).UUID)"),
            ));
        }
        ids.check(
            &format!("uuid:{}", uuid.to_ascii_uppercase()),
            &at.key("smbios_uuid"),
            out,
        );
    }
    if let Some(serial) = &hw.serial {
        ids.check(
            &format!("serial:{}", serial.trim().to_ascii_uppercase()),
            &at.key("serial"),
            out,
        );
    }
    for (i, mac) in hw.mac.iter().enumerate() {
        match normalize_mac(mac) {
            Some(norm) => ids.check(&format!("mac:{norm}"), &at.key("mac").index(i), out),
            None => out.push(mac_problem(mac, at.key("mac").index(i))),
        }
    }
}

fn mac_problem(mac: &str, path: KeyPath) -> Problem {
    Problem::error(
        path,
        format!("MAC アドレス \"{mac}\" は 00-11-22-33-44-55 の形で書いてください"),
        format!("MAC address \"{mac}\" must look like 00-11-22-33-44-55"),
    )
}

/// `AA-BB-CC-DD-EE-FF` for any of the usual spellings, or `None`.
pub fn normalize_mac(mac: &str) -> Option<String> {
    let hex: String = mac.chars().filter(|c| !matches!(c, ':' | '-')).collect();
    let separators_ok = mac.len() == 12 || mac.len() == 17;
    if hex.len() != 12 || !separators_ok || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let upper = hex.to_ascii_uppercase();
    Some(
        upper
            .as_bytes()
            .chunks(2)
            .map(|pair| std::str::from_utf8(pair).expect("ASCII"))
            .collect::<Vec<_>>()
            .join("-"),
    )
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

const RESERVED_USERS: &[&str] = &[
    "administrator",
    "guest",
    "defaultaccount",
    "wdagutilityaccount",
    "defaultuser0",
    "system",
    "administrators",
    "users",
    "everyone",
];

/// Local user names: at most 20 characters, no characters Windows refuses, not reserved.
pub fn user_name_problem(name: &str) -> Option<Text> {
    const BAD: &[char] = &[
        '"', '/', '\\', '[', ']', ':', ';', '|', '=', ',', '+', '*', '?', '<', '>', '@',
    ];
    if name.is_empty() || name.chars().count() > 20 {
        Some(Text::new(
            format!("ユーザー名 \"{name}\" は1〜20文字にしてください"),
            format!("user name \"{name}\" must be 1 to 20 characters"),
        ))
    } else if name.contains(BAD) || name.chars().all(|c| c == '.' || c == ' ') {
        Some(Text::new(
            format!(
                "ユーザー名 \"{name}\" に使えない文字があります (\" / \\ [ ] : ; | = , + * ? < > @)"
            ),
            format!(
                "user name \"{name}\" has a character Windows refuses (\" / \\ [ ] : ; | = , + * ? < > @)"
            ),
        ))
    } else if RESERVED_USERS.contains(&name.to_ascii_lowercase().as_str()) {
        Some(Text::new(
            format!("ユーザー名 \"{name}\" は Windows の予約名です。別の名前にしてください"),
            format!("user name \"{name}\" is reserved by Windows: choose another"),
        ))
    } else {
        None
    }
}

fn accounts(site: &Site, out: &mut Vec<Problem>) {
    let at = KeyPath::root().key("accounts");
    let a = &site.accounts;
    let mut list: Vec<(&str, &Account)> = vec![
        ("setup_admin", &a.setup_admin),
        ("oqs_com_app", &a.oqs_com_app),
    ];
    if let Some(ons) = &a.ons_renkei {
        list.push(("ons_renkei", ons));
    }
    let mut names = Seen::default();
    for (key, account) in &list {
        let path = at.key(key).key("name");
        if let Some(message) = user_name_problem(&account.name) {
            out.push(Problem {
                severity: Severity::Error,
                path: path.clone(),
                position: None,
                message,
            });
        }
        names.check(&account.name.to_lowercase(), &path, out);
    }
    if a.oqs_com_app.autologon && a.ons_renkei.as_ref().is_some_and(|o| o.autologon) {
        out.push(Problem::error(
            at.key("ons_renkei").key("autologon"),
            "自動ログオンできるのは1ユーザーだけです。OqsComApp か ONSRenkei のどちらかにしてください",
            "only one user can log on automatically: keep it on OqsComApp or on ONSRenkei, not both",
        ));
    }
}

fn network(site: &Site, out: &mut Vec<Problem>) {
    let at = KeyPath::root().key("network");
    let proxy = &site.network.proxy;
    if proxy.enabled {
        let port_ok = proxy.server.rsplit_once(':').is_some_and(|(host, port)| {
            !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0)
        });
        if !port_ok {
            out.push(Problem::error(
                at.key("proxy").key("server"),
                format!("プロキシ \"{}\" は ホスト名:ポート の形で書いてください (例: proxy.base.oqs-pdl.org:8080)", proxy.server),
                format!("proxy \"{}\" must be host:port (e.g. proxy.base.oqs-pdl.org:8080)", proxy.server),
            ));
        }
        for (i, host) in proxy.bypass.iter().enumerate() {
            if host.trim().is_empty() || host.contains(';') || host.contains(char::is_whitespace) {
                out.push(Problem::error(
                    at.key("proxy").key("bypass").index(i),
                    format!(
                        "プロキシ除外 \"{host}\" は1項目に1ホストを書いてください (; や空白は不可)"
                    ),
                    format!("proxy bypass entry \"{host}\": one host per entry, no ';' or spaces"),
                ));
            }
        }
    }
    let dns = &site.network.dns;
    if dns.servers.as_ref().is_some_and(Vec::is_empty) {
        out.push(Problem::error(
            at.key("dns").key("servers"),
            "DNS サーバーを1つ以上書くか、キーを削除して回線の既定値を使ってください",
            "list at least one DNS server, or remove the key to use the line's defaults",
        ));
    }
    if let Some(mac) = &dns.nic.mac
        && normalize_mac(mac).is_none()
    {
        out.push(mac_problem(mac, at.key("dns").key("nic").key("mac")));
    }
    if dns.nic.mac.is_none() && dns.nic.description.is_none() {
        out.push(Problem::warning(
            at.key("dns").key("nic"),
            "OQS 回線の NIC が指定されていません。NIC が2枚ある端末では mac か description を指定してください",
            "no NIC named for the OQS line: on terminals with two NICs set mac or description, or firstboot will refuse to guess",
        ));
    }
    if site.network.ntp.server.trim().is_empty() {
        out.push(Problem::error(
            at.key("ntp").key("server"),
            "NTP サーバーを指定してください (例: ntp.base.oqs-pdl.org,0x9)",
            "name the NTP server (e.g. ntp.base.oqs-pdl.org,0x9)",
        ));
    }
}

fn installers(site: &Site, out: &mut Vec<Problem>) {
    let at = KeyPath::root().key("installers");
    let mut ids = Seen::default();
    for (i, inst) in site.installers.iter().enumerate() {
        let here = at.index(i);
        let id_ok = !inst.id.is_empty()
            && inst
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !id_ok {
            out.push(Problem::error(
                here.key("id"),
                format!(
                    "id \"{}\" には半角小文字・数字・ハイフンを使ってください (例: face-app)",
                    inst.id
                ),
                format!(
                    "id \"{}\": use lowercase letters, digits and hyphens (e.g. face-app)",
                    inst.id
                ),
            ));
        }
        ids.check(&inst.id, &here.key("id"), out);
        let ext = match inst.kind {
            InstallerKind::Zip => ".zip",
            InstallerKind::Msi => ".msi",
            InstallerKind::Exe => ".exe",
        };
        if !inst.file.to_ascii_lowercase().ends_with(ext) {
            out.push(Problem::error(
                here.key("file"),
                format!(
                    "kind に合わせて \"{}\" は {ext} ファイルにしてください",
                    inst.file
                ),
                format!("\"{}\" must be a {ext} file to match its kind", inst.file),
            ));
        }
        match (&inst.kind, &inst.run) {
            (InstallerKind::Zip, None) => out.push(Problem::error(
                here.key("run"),
                "zip の中で実行するインストーラーを run に書いてください (例: run = \"setup.exe\")",
                "say which installer inside the zip to run (e.g. run = \"setup.exe\")",
            )),
            (InstallerKind::Zip, Some(run)) => {
                let lower = run.to_ascii_lowercase();
                if !(lower.ends_with(".exe") || lower.ends_with(".msi")) || run.contains("..") {
                    out.push(Problem::error(
                        here.key("run"),
                        format!("run \"{run}\" は zip 内の .exe か .msi を指してください"),
                        format!("run \"{run}\" must name an .exe or .msi inside the zip"),
                    ));
                }
            }
            (_, Some(_)) => out.push(Problem::error(
                here.key("run"),
                "run は kind = \"zip\" のときだけ使えます",
                "run is only for kind = \"zip\"",
            )),
            _ => {}
        }
        if let Some(version) = &inst.version
            && !version
                .split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        {
            out.push(Problem::error(
                here.key("version"),
                format!("バージョン \"{version}\" は 4.0.3 のような数字とドットで書いてください"),
                format!("version \"{version}\" must be digits and dots, like 4.0.3"),
            ));
        }
        if !(1..=240).contains(&inst.timeout_minutes) {
            out.push(Problem::error(
                here.key("timeout_minutes"),
                "timeout_minutes は 1〜240 分にしてください",
                "timeout_minutes must be 1 to 240",
            ));
        }
    }
}

/// `HH:MM`, 24-hour.
pub fn parse_hh_mm(s: &str) -> Option<(u8, u8)> {
    let (h, m) = s.split_once(':')?;
    let (h, m): (u8, u8) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 && s.len() == 5).then_some((h, m))
}

fn tasks(site: &Site, out: &mut Vec<Problem>) {
    let at = KeyPath::root().key("tasks");
    if let Some(t) = &site.tasks.daily_restart
        && parse_hh_mm(t).is_none()
    {
        out.push(Problem::error(
            at.key("daily_restart"),
            format!("再起動時刻 \"{t}\" は 05:00 のように HH:MM で書いてください"),
            format!("restart time \"{t}\" must be HH:MM, like 05:00"),
        ));
    }
    for (i, task) in site.tasks.extra.iter().enumerate() {
        if task.name.trim().is_empty() || task.name.contains(['\\', '/']) {
            out.push(Problem::error(
                at.key("extra").index(i).key("name"),
                "タスク名を入力してください (\\ と / は不可)",
                "give the task a name (no \\ or /)",
            ));
        }
        if !task.xml.to_ascii_lowercase().ends_with(".xml") {
            out.push(Problem::error(
                at.key("extra").index(i).key("xml"),
                "タスクスケジューラからエクスポートした .xml ファイルを指定してください",
                "point to a .xml file exported from Task Scheduler",
            ));
        }
    }
}

fn shortcuts(site: &Site, out: &mut Vec<Problem>) {
    let at = KeyPath::root().key("shortcuts");
    let mut names = Seen::default();
    for (i, s) in site.shortcuts.iter().enumerate() {
        let here = at.index(i);
        if s.name.trim().is_empty()
            || s.name
                .contains(['\\', '/', ':', '*', '?', '"', '<', '>', '|'])
        {
            out.push(Problem::error(
                here.key("name"),
                format!(
                    "ショートカット名 \"{}\" にファイル名に使えない文字があります",
                    s.name
                ),
                format!("shortcut name \"{}\" is not a valid file name", s.name),
            ));
        }
        names.check(&s.name.to_lowercase(), &here.key("name"), out);
        if !(s.url.starts_with("https://") || s.url.starts_with("http://")) {
            out.push(Problem::error(
                here.key("url"),
                format!("URL \"{}\" は https:// で始めてください", s.url),
                format!("URL \"{}\" must start with https://", s.url),
            ));
        }
    }
}

fn display(site: &Site, out: &mut Vec<Problem>) {
    const SCALES: [u32; 9] = [100, 125, 150, 175, 200, 225, 250, 300, 350];
    if !SCALES.contains(&site.display.scale_percent) {
        out.push(Problem::error(
            KeyPath::root().key("display").key("scale_percent"),
            format!("拡大率は {SCALES:?} のいずれかです"),
            format!("scale must be one of {SCALES:?}"),
        ));
    }
}

/// A folder OQSComApp can use: a UNC share path or an absolute drive path.
fn is_windows_folder(path: &str) -> bool {
    let unc = path
        .strip_prefix(r"\\")
        .is_some_and(|rest| rest.split('\\').filter(|p| !p.is_empty()).count() >= 2);
    let bytes = path.as_bytes();
    let drive = bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && &bytes[1..3] == b":\\";
    unc || drive
}

fn karte_link(site: &Site, out: &mut Vec<Problem>) {
    let at = KeyPath::root().key("karte_link");
    let k = &site.karte_link;
    let mut folders = vec![
        ("local_request_dir", &k.local_request_dir),
        ("local_response_dir", &k.local_response_dir),
    ];
    if k.enabled {
        folders.push(("request_dir", &k.request_dir));
        folders.push(("response_dir", &k.response_dir));
        if !k.request_dir.is_empty() && k.request_dir.eq_ignore_ascii_case(&k.response_dir) {
            out.push(Problem::error(
                at.key("response_dir"),
                "req と res は別のフォルダーにしてください",
                "request_dir and response_dir must be different folders",
            ));
        }
    }
    for (key, value) in folders {
        if !is_windows_folder(value) {
            out.push(Problem::error(
                at.key(key),
                format!("\"{value}\" は \\\\192.168.1.10\\oqs\\req か C:\\OQS\\req の形で書いてください (TOML では '...' で囲むと \\ をそのまま書けます)"),
                format!("\"{value}\" must be a share like \\\\192.168.1.10\\oqs\\req or a folder like C:\\OQS\\req (in TOML, '...' quotes keep backslashes as written)"),
            ));
        }
    }
    if k.keys.is_empty()
        || k.keys
            .iter()
            .any(|key| key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        out.push(Problem::error(
            at.key("keys"),
            "keys には UserDefinition.property のキー名 (英数字) を並べてください",
            "keys must list UserDefinition.property key names (letters and digits)",
        ));
    }
}

fn options(site: &Site, out: &mut Vec<Problem>) {
    let at = KeyPath::root().key("options");
    if let Some(pkg) = &site.options.online_claims_package
        && !pkg.to_ascii_lowercase().ends_with(".zip")
    {
        out.push(Problem::error(
            at.key("online_claims_package"),
            "支払基金のセットアップパッケージ (OnlineSetup_Iryou_Windows.zip など) の .zip を指定してください",
            "point to the online claims set-up .zip (e.g. OnlineSetup_Iryou_Windows.zip)",
        ));
    }
    if site.secrets.unlock == Unlock::KeyFileOnStick {
        out.push(Problem::warning(
            KeyPath::root().key("secrets").key("unlock"),
            "鍵ファイルをスティックに置きます。スティックを拾った人は全てのパスワードと証明書を使えます。鍵と同じように保管してください",
            "the key file goes on the stick: whoever holds the stick holds every password and certificate. Keep it like a key",
        ));
    }
}

/// Reports the second and later occurrence of a value that must be unique.
#[derive(Default)]
struct Seen(HashMap<String, KeyPath>);

impl Seen {
    fn check(&mut self, value: &str, path: &KeyPath, out: &mut Vec<Problem>) {
        if let Some(first) = self.0.get(value) {
            out.push(Problem::error(
                path.clone(),
                format!("{first} と同じ値です。重複しないようにしてください"),
                format!("same value as {first}: each must be unique"),
            ));
        } else {
            self.0.insert(value.to_owned(), path.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computer_names() {
        assert!(computer_name_problem("OQS-01").is_none());
        assert!(computer_name_problem("ABCDEFGHIJKLMNOP").is_some());
        assert!(computer_name_problem("12345").is_some());
        assert!(computer_name_problem("受付").is_some());
        assert!(computer_name_problem("-OQS").is_some());
    }

    #[test]
    fn user_names() {
        assert!(user_name_problem("OqsComApp").is_none());
        assert!(user_name_problem("Administrator").is_some());
        assert!(user_name_problem("a@b").is_some());
        assert!(user_name_problem("abcdefghijklmnopqrstu").is_some());
    }

    #[test]
    fn macs() {
        assert_eq!(
            normalize_mac("00:11:22:aa:bb:cc").as_deref(),
            Some("00-11-22-AA-BB-CC")
        );
        assert_eq!(
            normalize_mac("001122AABBCC").as_deref(),
            Some("00-11-22-AA-BB-CC")
        );
        assert_eq!(normalize_mac("00:11:22:aa:bb"), None);
        assert_eq!(normalize_mac("00:11:22:aa:bb:zz"), None);
    }

    #[test]
    fn times() {
        assert_eq!(parse_hh_mm("05:00"), Some((5, 0)));
        assert_eq!(parse_hh_mm("24:00"), None);
        assert_eq!(parse_hh_mm("5:00"), None);
    }

    #[test]
    fn folders() {
        assert!(is_windows_folder(r"\\192.168.1.10\oqs\req"));
        assert!(is_windows_folder(r"C:\OQS\req"));
        assert!(!is_windows_folder(r"\\server"));
        assert!(!is_windows_folder("oqs/req"));
    }
}
