//! `oqs-builder diff OLD NEW`: what the yearly refresh changed between two sticks
//! (image files, folders, or just their manifest.json): files, installer
//! versions, certificates, site settings and the Windows media build.

use crate::certs;
use crate::cli::{DiffArgs, Global};
use crate::report;
use crate::stick_reader::Stick;
use anyhow::Context;
use payload::manifest::Manifest;
use payload::secrets::Secrets;
use payload::{Text, layout, vault};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::time::SystemTime;

/// One value that differs; `None` where a side does not have it.
#[derive(Debug, PartialEq, Eq, serde::Serialize)]
struct Change {
    key: String,
    old: Option<String>,
    new: Option<String>,
}

#[derive(Default, serde::Serialize)]
struct FileChanges {
    added: Vec<String>,
    removed: Vec<String>,
    changed: Vec<String>,
}

#[derive(serde::Serialize)]
struct DiffReport {
    files: FileChanges,
    /// `None` (JSON `null`) where a part could not be compared; `skipped` says why.
    installers: Option<Vec<Change>>,
    certificates: Vec<Change>,
    site: Option<Vec<Change>>,
    windows: Option<Vec<Change>>,
    /// Parts that could not be compared, and why.
    skipped: Vec<Text>,
}

/// One side: a readable stick, or only its manifest.
enum Side {
    Stick(Stick, Manifest),
    ManifestOnly(Manifest),
}

impl Side {
    fn open(path: &Path) -> anyhow::Result<Side> {
        if path.is_file()
            && path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
            let manifest = Manifest::parse_json(&text, &path.display().to_string())?;
            return Ok(Side::ManifestOnly(manifest));
        }
        let mut stick = Stick::open(path).with_context(|| path.display().to_string())?;
        let manifest = stick.manifest()?.with_context(|| {
            Text::new(
                format!(
                    "{} に {} がありません。oqs-builder で作ったスティックですか",
                    path.display(),
                    layout::MANIFEST_JSON
                ),
                format!(
                    "{} has no {}: is it a stick oqs-builder made?",
                    path.display(),
                    layout::MANIFEST_JSON
                ),
            )
            .to_string()
        })?;
        Ok(Side::Stick(stick, manifest))
    }

    fn manifest(&self) -> &Manifest {
        match self {
            Side::Stick(_, m) | Side::ManifestOnly(m) => m,
        }
    }

    fn read(&mut self, stick_path: &str) -> anyhow::Result<Option<Vec<u8>>> {
        match self {
            Side::Stick(stick, _) => stick.read(stick_path),
            Side::ManifestOnly(_) => Ok(None),
        }
    }

    fn read_text(&mut self, stick_path: &str) -> anyhow::Result<Option<String>> {
        Ok(self
            .read(stick_path)?
            .map(|b| String::from_utf8_lossy(&b).into_owned()))
    }
}

pub fn run(args: &DiffArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let mut old = Side::open(&args.old)?;
    let mut new = Side::open(&args.new)?;
    let secrets = match &args.secrets {
        Some(file) => {
            let text = std::fs::read_to_string(file).with_context(|| file.display().to_string())?;
            Some(vault::load_secrets(&text, file)?)
        }
        None => None,
    };
    let mut skipped = Vec::new();
    let files = file_changes(old.manifest(), new.manifest());

    let old_site = old.read_text(layout::SITE_PLAN)?;
    let new_site = new.read_text(layout::SITE_PLAN)?;
    let (installers, site) = match (
        old_site.as_deref().map(parse_toml),
        new_site.as_deref().map(parse_toml),
    ) {
        (Some(o), Some(n)) => {
            let (o, n) = (o.context(layout::SITE_PLAN)?, n.context(layout::SITE_PLAN)?);
            (
                Some(diff_maps(&installer_versions(&o), &installer_versions(&n))),
                Some(diff_maps(&flatten(&o), &flatten(&n))),
            )
        }
        _ => {
            skipped.push(Text::new(
                format!(
                    "{} を両方から読めないため、インストーラーとサイト設定は比べていません",
                    layout::SITE_PLAN
                ),
                format!(
                    "installers and site settings not compared: {} is not readable on both",
                    layout::SITE_PLAN
                ),
            ));
            (None, None)
        }
    };

    let certificates = certificate_changes(&mut old, &mut new, secrets.as_ref(), &files)?;
    if secrets.is_none() && !certificates.is_empty() {
        skipped.push(Text::new(
            "証明書の有効期限を比べるには --secrets secrets.toml を指定してください",
            "pass --secrets secrets.toml to compare certificate expiry",
        ));
    }

    let windows = match (old.read_text(IDWBINFO)?, new.read_text(IDWBINFO)?) {
        (Some(o), Some(n)) => Some(diff_maps(&build_info(&o), &build_info(&n))),
        _ => {
            skipped.push(Text::new(
                format!("{IDWBINFO} を両方から読めないため、Windows のビルドは比べていません"),
                format!("Windows build not compared: {IDWBINFO} is not readable on both"),
            ));
            None
        }
    };

    let report = DiffReport {
        files,
        installers,
        certificates,
        site,
        windows,
        skipped,
    };
    if global.json {
        report::json(&report);
    } else {
        print(&report);
    }
    Ok(ExitCode::SUCCESS)
}

/// Windows media's build facts (BuildBranch, BuildLabEx, ...).
const IDWBINFO: &str = "sources/idwbinfo.txt";

fn file_changes(old: &Manifest, new: &Manifest) -> FileChanges {
    let mut out = FileChanges::default();
    for e in &new.files {
        match old.get(&e.path) {
            None => out.added.push(e.path.clone()),
            Some(o) if o.sha256 != e.sha256 => out.changed.push(e.path.clone()),
            Some(_) => {}
        }
    }
    out.removed = old
        .files
        .iter()
        .filter(|e| new.get(&e.path).is_none())
        .map(|e| e.path.clone())
        .collect();
    out
}

fn parse_toml(text: &str) -> anyhow::Result<toml::Table> {
    Ok(text.parse::<toml::Table>()?)
}

/// `installers.<id>` -> version (or the file name when no version is given).
fn installer_versions(site: &toml::Table) -> BTreeMap<String, String> {
    let list = site.get("installers").and_then(toml::Value::as_array);
    list.into_iter()
        .flatten()
        .filter_map(|i| {
            let id = i.get("id")?.as_str()?;
            let version = i.get("version").or_else(|| i.get("file"))?.as_str()?;
            Some((format!("installers.{id}"), version.to_owned()))
        })
        .collect()
}

/// Every leaf of a TOML table as `a.b[2].c` -> its TOML text.
fn flatten(table: &toml::Table) -> BTreeMap<String, String> {
    fn walk(prefix: &str, value: &toml::Value, out: &mut BTreeMap<String, String>) {
        match value {
            toml::Value::Table(t) => {
                for (k, v) in t {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&key, v, out);
                }
            }
            toml::Value::Array(items) if items.iter().any(toml::Value::is_table) => {
                for (i, v) in items.iter().enumerate() {
                    walk(&format!("{prefix}[{i}]"), v, out);
                }
            }
            leaf => {
                out.insert(prefix.to_owned(), leaf.to_string());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk("", &toml::Value::Table(table.clone()), &mut out);
    out
}

fn build_info(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| k.trim().starts_with("Build"))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

fn diff_maps(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> Vec<Change> {
    let keys: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    keys.into_iter()
        .filter(|k| old.get(*k) != new.get(*k))
        .map(|k| Change {
            key: k.clone(),
            old: old.get(k).cloned(),
            new: new.get(k).cloned(),
        })
        .collect()
}

/// Each certificate on either stick that was added, removed or changed; with
/// secrets, described by subject, serial and expiry, else by "changed".
fn certificate_changes(
    old: &mut Side,
    new: &mut Side,
    secrets: Option<&Secrets>,
    files: &FileChanges,
) -> anyhow::Result<Vec<Change>> {
    let is_cert =
        |p: &&String| p.starts_with("oqs/certs/") && p.to_ascii_lowercase().ends_with(".pfx");
    let touched = files
        .added
        .iter()
        .chain(&files.removed)
        .chain(&files.changed)
        .filter(is_cert);
    let mut out = Vec::new();
    for path in touched {
        let terminal = path
            .trim_start_matches("oqs/certs/")
            .trim_end_matches(".pfx")
            .trim_end_matches(".PFX");
        let describe = |side: &mut Side| -> anyhow::Result<Option<String>> {
            if side.manifest().get(path).is_none() {
                return Ok(None);
            }
            let password = secrets.and_then(|s| s.certificate_password(terminal));
            let Some((password, bytes)) = password.zip(side.read(path)?) else {
                return Ok(Some(
                    side.manifest()
                        .get(path)
                        .map_or_else(String::new, |e| format!("sha256 {}", &e.sha256[..16])),
                ));
            };
            let check = certs::check_pfx(&bytes, password, SystemTime::now());
            Ok(Some(match check.info {
                Some(i) => format!(
                    "{} serial {} expires {} ({} days)",
                    i.subject, i.serial, i.not_after, i.days_left
                ),
                None => check.findings.first().map_or_else(String::new, |f| {
                    f.message(terminal, Path::new(path)).to_string()
                }),
            }))
        };
        out.push(Change {
            key: format!("certificates.{terminal}"),
            old: describe(old)?,
            new: describe(new)?,
        });
    }
    Ok(out)
}

fn print(r: &DiffReport) {
    let t = |ja: &str, en: &str| Text::new(ja, en).to_string();
    let section = |title: String, changes: Option<&[Change]>| {
        let summary = match changes {
            None => t("比較していません", "not compared"),
            Some([]) => t("変更なし", "no change"),
            Some(_) => String::new(),
        };
        println!("{title}: {summary}");
        for c in changes.unwrap_or_default() {
            let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
            println!("  {}: {} -> {}", c.key, show(&c.old), show(&c.new));
        }
    };
    println!(
        "{}: +{} -{} ~{}",
        t("ファイル", "Files"),
        r.files.added.len(),
        r.files.removed.len(),
        r.files.changed.len()
    );
    for (mark, list) in [
        ("+", &r.files.added),
        ("-", &r.files.removed),
        ("~", &r.files.changed),
    ] {
        for path in list {
            println!("  {mark} {path}");
        }
    }
    section(t("インストーラー", "Installers"), r.installers.as_deref());
    section(t("証明書", "Certificates"), Some(&r.certificates));
    section(t("サイト設定", "Site settings"), r.site.as_deref());
    section(t("Windows メディア", "Windows media"), r.windows.as_deref());
    for s in &r.skipped {
        println!("{}: {s}", t("注意", "note"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use payload::manifest::Entry;

    fn entry(path: &str, sha: &str) -> Entry {
        Entry {
            path: path.into(),
            size: 1,
            sha256: sha.repeat(64),
        }
    }

    #[test]
    fn files_added_removed_changed() {
        let old = Manifest::from_entries([entry("a", "1"), entry("b", "2"), entry("c", "3")]);
        let new = Manifest::from_entries([entry("a", "1"), entry("b", "9"), entry("d", "4")]);
        let d = file_changes(&old, &new);
        assert_eq!(
            (d.added, d.removed, d.changed),
            (vec!["d".into()], vec!["c".into()], vec!["b".into()])
        );
    }

    #[test]
    fn site_settings_and_installers_key_by_key() {
        let old: toml::Table =
            "[clinic]\nname = \"A\"\n[[installers]]\nid = \"face\"\nversion = \"4.0.3\"\n\
                                [[installers]]\nid = \"gone\"\nfile = \"x.zip\"\n"
                .parse()
                .unwrap();
        let new: toml::Table = "[clinic]\nname = \"A\"\nline = \"west\"\n[[installers]]\nid = \"face\"\nversion = \"4.1.0\"\n"
            .parse()
            .unwrap();
        let inst = diff_maps(&installer_versions(&old), &installer_versions(&new));
        assert_eq!(
            inst,
            [
                Change {
                    key: "installers.face".into(),
                    old: Some("4.0.3".into()),
                    new: Some("4.1.0".into())
                },
                Change {
                    key: "installers.gone".into(),
                    old: Some("x.zip".into()),
                    new: None
                },
            ]
        );
        let site: Vec<String> = diff_maps(&flatten(&old), &flatten(&new))
            .into_iter()
            .map(|c| c.key)
            .collect();
        assert_eq!(
            site,
            [
                "clinic.line",
                "installers[0].version",
                "installers[1].file",
                "installers[1].id"
            ]
        );
    }

    #[test]
    fn windows_build_from_idwbinfo() {
        let old = build_info(
            "[BUILDINFO]\r\nBuildArch=amd64\r\nBuildBranch=ge_release\r\nBuildLabEx=26100.1.amd64fre\r\n",
        );
        let new = build_info(
            "[BUILDINFO]\r\nBuildArch=amd64\r\nBuildBranch=ge_release\r\nBuildLabEx=26100.2033.amd64fre\r\n",
        );
        let d = diff_maps(&old, &new);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].new.as_deref(), Some("26100.2033.amd64fre"));
    }
}
