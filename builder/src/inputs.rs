//! The files a site names (installers, certificates, task XML, extra packages):
//! where each one goes on the stick, and every check that can be made before
//! anyone drives to the clinic.

use payload::layout;
use payload::site::{InstallerKind, KeyPath, Loaded, Problem};
use std::fs::File;
use std::io::Read;
use std::path::PathBuf;

/// FAT32 cannot hold a file of 4 GiB or more.
pub const FAT32_MAX_FILE: u64 = 4 * 1024 * 1024 * 1024 - 1;

/// One input file and its place on the stick.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Input {
    /// The site key that names it, e.g. `installers[0].file`.
    pub key: String,
    pub source: PathBuf,
    pub stick_path: String,
    pub size: u64,
}

/// Every input of the site, plus every problem found in them (located in site.toml).
pub fn collect(loaded: &Loaded) -> (Vec<Input>, Vec<Problem>) {
    let site = &loaded.site;
    let mut found = Collector {
        loaded,
        inputs: Vec::new(),
        problems: Vec::new(),
    };
    let root = KeyPath::root();
    for (i, inst) in site.installers.iter().enumerate() {
        let key = root.key("installers").index(i).key("file");
        let name = file_name(&inst.file);
        if let Some(path) = found.add(&key, &inst.file, layout::installer(&name)) {
            let problem = match inst.kind {
                InstallerKind::Zip => check_zip(&path, inst.run.as_deref().unwrap_or_default()),
                InstallerKind::Msi => check_magic(&path, &MSI_MAGIC, "MSI"),
                InstallerKind::Exe => check_magic(&path, b"MZ", "EXE"),
            };
            if let Some((ja, en)) = problem {
                found.error(&key, ja, en);
            }
            if let (Some(version), Some(named)) = (&inst.version, version_in_name(&name))
                && *version != named
            {
                found.warning(
                    &root.key("installers").index(i).key("version"),
                    format!("version = \"{version}\" ですが、ファイル名は v{named} です。どちらが正しいか確認してください"),
                    format!("version = \"{version}\" but the file name says v{named}: check which is right"),
                );
            }
        }
    }
    for (i, t) in site.terminals.iter().enumerate() {
        let key = root.key("terminals").index(i).key("certificate");
        found.add(&key, &t.certificate, layout::certificate(&t.name));
    }
    for (i, task) in site.tasks.extra.iter().enumerate() {
        let key = root.key("tasks").key("extra").index(i).key("xml");
        found.add(&key, &task.xml, layout::task_xml(&file_name(&task.xml)));
    }
    if let Some(pkg) = &site.options.online_claims_package {
        let key = root.key("options").key("online_claims_package");
        found.add(&key, pkg, layout::extra(&file_name(pkg)));
    }
    (found.inputs, found.problems)
}

struct Collector<'a> {
    loaded: &'a Loaded,
    inputs: Vec<Input>,
    problems: Vec<Problem>,
}

impl Collector<'_> {
    /// Records an input if it is a readable file that fits FAT32; returns its path then.
    fn add(&mut self, key: &KeyPath, relative: &str, stick_path: String) -> Option<PathBuf> {
        let source = self.loaded.resolve(relative);
        let meta = match std::fs::metadata(&source) {
            Ok(m) if m.is_file() => m,
            Ok(_) => {
                self.error(
                    key,
                    format!("{} はファイルではありません", source.display()),
                    format!("{} is not a file", source.display()),
                );
                return None;
            }
            Err(e) => {
                self.error(
                    key,
                    format!("{} を開けません ({e})。パスは site.toml のあるフォルダーからの相対パスです", source.display()),
                    format!("cannot open {} ({e}); paths are relative to the folder holding site.toml", source.display()),
                );
                return None;
            }
        };
        if meta.len() > FAT32_MAX_FILE {
            self.error(
                key,
                format!("{} は 4 GiB 以上で FAT32 に入りません", source.display()),
                format!(
                    "{} is 4 GiB or more and cannot go on FAT32",
                    source.display()
                ),
            );
            return None;
        }
        if let Some(other) = self
            .inputs
            .iter()
            .find(|i| i.stick_path.eq_ignore_ascii_case(&stick_path))
        {
            self.error(
                key,
                format!(
                    "{} と同じ名前でスティックに置かれます。ファイル名を変えてください",
                    other.key
                ),
                format!(
                    "lands on the stick under the same name as {}: rename one of the files",
                    other.key
                ),
            );
            return None;
        }
        self.inputs.push(Input {
            key: key.to_string(),
            source: source.clone(),
            stick_path,
            size: meta.len(),
        });
        Some(source)
    }

    fn error(&mut self, key: &KeyPath, ja: String, en: String) {
        let mut p = Problem::error(key.clone(), ja, en);
        self.loaded.locate(&mut p);
        self.problems.push(p);
    }

    fn warning(&mut self, key: &KeyPath, ja: String, en: String) {
        let mut p = Problem::warning(key.clone(), ja, en);
        self.loaded.locate(&mut p);
        self.problems.push(p);
    }
}

fn file_name(relative: &str) -> String {
    relative
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(relative)
        .to_owned()
}

/// `OQSFaceApp_v4.0.3.zip` -> `4.0.3`.
fn version_in_name(name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    let start = lower.rfind("_v").or_else(|| lower.rfind("-v"))? + 2;
    let version: String = lower[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let version = version.trim_end_matches('.');
    (version.contains('.') && version.split('.').all(|p| !p.is_empty())).then(|| version.to_owned())
}

/// OLE compound file signature: every MSI starts with it.
const MSI_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

type Complaint = Option<(String, String)>;

fn check_magic(path: &std::path::Path, magic: &[u8], kind: &str) -> Complaint {
    let mut head = vec![0u8; magic.len()];
    let ok = File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && head == magic;
    (!ok).then(|| {
        (
            format!(
                "{} は {kind} ファイルではありません。ダウンロードし直してください",
                path.display()
            ),
            format!(
                "{} is not a valid {kind} file: download it again",
                path.display()
            ),
        )
    })
}

/// The zip opens, is intact, and holds the installer `run` names.
fn check_zip(path: &std::path::Path, run: &str) -> Complaint {
    let broken = |e: &dyn std::fmt::Display| {
        Some((
            format!(
                "{} は壊れた zip です ({e})。ダウンロードし直してください",
                path.display()
            ),
            format!(
                "{} is not a readable zip ({e}): download it again",
                path.display()
            ),
        ))
    };
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => return broken(&e),
    };
    let mut archive = match zip::ZipArchive::new(file) {
        Ok(a) => a,
        Err(e) => return broken(&e),
    };
    let wanted = run.replace('\\', "/").to_ascii_lowercase();
    let mut names = Vec::new();
    for i in 0..archive.len() {
        let mut entry = match archive.by_index(i) {
            Ok(e) => e,
            Err(e) => return broken(&e),
        };
        // Reading every entry checks its CRC: a truncated download fails here, not at the clinic.
        if let Err(e) = std::io::copy(&mut entry, &mut std::io::sink()) {
            return broken(&format!("{}: {e}", entry.name()));
        }
        names.push(entry.name().to_owned());
    }
    if names.iter().any(|n| n.to_ascii_lowercase() == wanted) {
        return None;
    }
    let shown: Vec<&String> = names
        .iter()
        .filter(|n| !n.ends_with('/'))
        .take(10)
        .collect();
    Some((
        format!(
            "{} の中に run = \"{run}\" がありません。中身: {shown:?}",
            path.display()
        ),
        format!(
            "{} has no \"{run}\" (the run key); it holds: {shown:?}",
            path.display()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_in_file_names() {
        assert_eq!(
            version_in_name("OQSFaceApp_v4.0.3.zip").as_deref(),
            Some("4.0.3")
        );
        assert_eq!(
            version_in_name("OQSDistroApp-v2.0.4.msi").as_deref(),
            Some("2.0.4")
        );
        assert_eq!(version_in_name("FaceAuthenticatorApp.zip"), None);
        assert_eq!(version_in_name("x_v4.zip"), None);
    }
}
