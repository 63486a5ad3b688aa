//! `online-claims`: the 支払基金 オンライン請求 set-up package (the seed's option 2,
//! `OnlineSetup_Iryou_Windows.zip`) staged on the terminal. Its set-up asks for
//! the OS, the line type and the prefecture, so it is left for staff to run: the
//! zip is unpacked into `C:\OQS\online-claims` (beside the terminal's other OQS
//! folders, where staff look, and apart from `Program Files (x86)\ReceiptOnline`,
//! which the set-up itself fills) and a public desktop shortcut opens the folder.
//! Files the set-up or staff add to the folder are left alone.

use super::file_url::file_url;
use super::files::UrlShortcut;
use crate::host::Host;
use crate::link::installer::{self, InstallerError, ZipFile};
use crate::step::{Change, Changes, Shown, State, Step, short_sha256};
use crate::stick::Stick;
use payload::{Text, layout};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub const DEST: &str = r"C:\OQS\online-claims";
pub const SHORTCUT_NAME: &str = "支払基金オンライン請求セットアップ";

pub struct OnlineClaims {
    /// The zip on the stick; read again when applying.
    package: PathBuf,
    /// What the zip holds, as the terminal should hold it.
    entries: Vec<Entry>,
    dest: String,
    shortcut: UrlShortcut,
}

/// One file of the package, by its size and SHA-256.
struct Entry {
    path: String,
    size: usize,
    sha256: String,
}

impl Entry {
    fn of(file: &ZipFile, dest: &str) -> Entry {
        Entry {
            path: file.windows_path(dest),
            size: file.bytes.len(),
            sha256: hex::encode(Sha256::digest(&file.bytes)),
        }
    }

    fn matches(&self, bytes: &[u8]) -> bool {
        bytes.len() == self.size && hex::encode(Sha256::digest(bytes)) == self.sha256
    }
}

fn shown(size: usize, sha256: &str) -> Shown {
    Shown::Value(format!("{size} bytes, {}", short_sha256(sha256)))
}

/// The package `package` (as site.toml names it) from the stick, where the builder
/// put it (`layout::extra`); refused here, before any step runs, when it is not a
/// zip or holds a name that would land outside the folder.
pub fn online_claims(stick: &Stick, package: &str) -> anyhow::Result<OnlineClaims> {
    let path = stick.path(&layout::extra(&super::file_name(package)));
    let files = read_package(&path)?;
    let dest = DEST.to_owned();
    Ok(OnlineClaims {
        entries: files.iter().map(|f| Entry::of(f, &dest)).collect(),
        shortcut: UrlShortcut {
            name: SHORTCUT_NAME.into(),
            url: file_url(&format!(r"{dest}\")),
        },
        package: path,
        dest,
    })
}

fn read_package(path: &Path) -> anyhow::Result<Vec<ZipFile>> {
    let bytes = std::fs::read(path)
        .map_err(|e| anyhow::anyhow!("cannot read {} from the stick: {e}", path.display()))?;
    installer::read_zip(&bytes, path).map_err(package_error)
}

/// `read_zip`'s errors, with the fix that fits this package (not an ONS one).
fn package_error(e: InstallerError) -> anyhow::Error {
    let text = match &e {
        InstallerError::Zip { zip, reason } => Text::new(
            format!(
                "{} は壊れているか zip ではありません({reason})。支払基金のサイトから OnlineSetup_Iryou_Windows.zip をダウンロードし直し、USB メモリを作り直してください",
                zip.display()
            ),
            format!(
                "{} is damaged or not a zip ({reason}); download OnlineSetup_Iryou_Windows.zip from the 支払基金 site again and rebuild the stick",
                zip.display()
            ),
        ),
        InstallerError::UnsafeEntry { zip, name } => Text::new(
            format!(
                "{} の中の {name:?} は展開先の外を指すため展開しません。支払基金の正規のファイルか確かめてください",
                zip.display()
            ),
            format!(
                "{} holds {name:?}, which points outside the folder it unpacks into; not unpacked: check that it is the genuine 支払基金 file",
                zip.display()
            ),
        ),
        other => other.text(),
    };
    anyhow::anyhow!("{text}")
}

/// A package file that is missing or different on the terminal, with what is there.
type Differing<'a> = (&'a Entry, Option<Vec<u8>>);

impl OnlineClaims {
    fn differing(&self, host: &dyn Host) -> anyhow::Result<Vec<Differing<'_>>> {
        let mut out = Vec::new();
        for entry in &self.entries {
            let now = host.read_file(&entry.path)?;
            if !now.as_deref().is_some_and(|b| entry.matches(b)) {
                out.push((entry, now));
            }
        }
        Ok(out)
    }
}

impl Step for OnlineClaims {
    fn id(&self) -> String {
        "online-claims".into()
    }

    fn title(&self) -> Text {
        Text::new(
            format!(
                "支払基金オンライン請求のセットアップ一式を {} に置く (セットアップは手作業)",
                self.dest
            ),
            format!(
                "支払基金 online claims set-up package staged in {} (staff run the set-up)",
                self.dest
            ),
        )
    }

    fn check(&self, host: &dyn Host) -> anyhow::Result<State> {
        let mut changes = Changes::default();
        if host.is_dir(&self.dest)? {
            for (entry, now) in self.differing(host)? {
                changes.push(Change {
                    what: entry.path.clone(),
                    before: now.map_or(Shown::Absent, |b| {
                        shown(b.len(), &hex::encode(Sha256::digest(&b)))
                    }),
                    after: shown(entry.size, &entry.sha256),
                });
            }
        } else {
            // One line, not one per file, for a folder that is not there at all.
            changes.push(Change {
                what: self.dest.clone(),
                before: Shown::Absent,
                after: Shown::Value(format!(
                    "{} files from {}",
                    self.entries.len(),
                    self.package.display()
                )),
            });
        }
        match self.shortcut.check(host)? {
            State::Differs(shortcut) => shortcut.into_iter().for_each(|c| changes.push(c)),
            State::Unknown(why) => return Ok(State::Unknown(why)),
            State::Ok => {}
        }
        Ok(changes.into_state())
    }

    fn apply(&self, host: &mut dyn Host) -> anyhow::Result<()> {
        host.create_dir_all(&self.dest)?;
        let differing: Vec<&str> = self
            .differing(host)?
            .into_iter()
            .map(|(e, _)| e.path.as_str())
            .collect();
        if !differing.is_empty() {
            for file in read_package(&self.package)? {
                let path = file.windows_path(&self.dest);
                if !differing.contains(&path.as_str()) {
                    continue;
                }
                super::write_creating_folder(host, &path, &file.bytes)?;
            }
        }
        if self.shortcut.check(host)? != State::Ok {
            self.shortcut.apply(host)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::sim::{Fault, SimHost};
    use std::io::Write;

    const PACKAGE: &str = "OnlineSetup_Iryou_Windows.zip";

    fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in entries {
            zip.start_file(*name, options).unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    /// A stick folder holding `bytes` where the builder stages the package.
    fn stick_with(bytes: &[u8]) -> (tempfile::TempDir, Stick) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(layout::extra(PACKAGE));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
        let stick = Stick::at(dir.path());
        (dir, stick)
    }

    fn package() -> Vec<u8> {
        zip(&[
            ("OnlineSetup/setup.exe", b"MZ setup"),
            (
                "OnlineSetup/conf/prefectures.ini",
                b"[13]\r\nname=Tokyo\r\n",
            ),
            ("手順書.txt", "OS・回線種別・都道府県を選ぶ".as_bytes()),
        ])
    }

    #[test]
    fn plan_apply_then_nothing_left() {
        let (_dir, stick) = stick_with(&package());
        let step = online_claims(&stick, &format!("packages/{PACKAGE}")).unwrap();
        let mut host = SimHost::blank("OQS-01");

        let State::Differs(changes) = step.check(&host).unwrap() else {
            panic!("a fresh terminal differs");
        };
        let shown: Vec<String> = changes.iter().map(|c| c.what.clone()).collect();
        assert_eq!(
            shown,
            [
                DEST.to_owned(),
                format!(r"C:\Users\Public\Desktop\{SHORTCUT_NAME}.url")
            ]
        );
        assert!(matches!(&changes[0].after, Shown::Value(v) if v.starts_with("3 files from")));

        step.apply(&mut host).unwrap();
        assert_eq!(step.check(&host).unwrap(), State::Ok);
        assert_eq!(
            host.read_file(r"C:\OQS\online-claims\OnlineSetup\conf\prefectures.ini")
                .unwrap()
                .unwrap(),
            b"[13]\r\nname=Tokyo\r\n"
        );
        assert_eq!(
            host.read_file(r"C:\OQS\online-claims\手順書.txt")
                .unwrap()
                .unwrap(),
            "OS・回線種別・都道府県を選ぶ".as_bytes()
        );
        let shortcut = host
            .read_file(&format!(r"C:\Users\Public\Desktop\{SHORTCUT_NAME}.url"))
            .unwrap()
            .unwrap();
        assert_eq!(
            shortcut,
            b"[InternetShortcut]\r\nURL=file:///C:/OQS/online-claims/\r\n"
        );

        // A second apply writes nothing: an armed fault on any write stays armed.
        for object in ["online-claims", "Desktop"] {
            host.fault = Some(Fault {
                op: "write_file".into(),
                object: object.into(),
            });
            step.apply(&mut host).unwrap();
            assert!(host.fault.is_some(), "wrote under {object} again");
        }
    }

    #[test]
    fn only_changed_files_are_shown_and_rewritten() {
        let (_dir, stick) = stick_with(&package());
        let step = online_claims(&stick, PACKAGE).unwrap();
        let mut host = SimHost::blank("OQS-01");
        step.apply(&mut host).unwrap();
        let exe = r"C:\OQS\online-claims\OnlineSetup\setup.exe";
        host.write_file(exe, b"MZ tampered").unwrap();
        host.remove_file(r"C:\OQS\online-claims\手順書.txt")
            .unwrap();
        host.write_file(r"C:\OQS\online-claims\setup.log", b"staff's own")
            .unwrap();

        let State::Differs(changes) = step.check(&host).unwrap() else {
            panic!("changed files differ");
        };
        let sha = |b: &[u8]| hex::encode(Sha256::digest(b))[..12].to_owned();
        assert_eq!(
            changes,
            [
                Change {
                    what: exe.into(),
                    before: Shown::Value(format!("11 bytes, sha256:{}", sha(b"MZ tampered"))),
                    after: Shown::Value(format!("8 bytes, sha256:{}", sha(b"MZ setup"))),
                },
                Change {
                    what: r"C:\OQS\online-claims\手順書.txt".into(),
                    before: Shown::Absent,
                    after: shown(
                        "OS・回線種別・都道府県を選ぶ".len(),
                        &hex::encode(Sha256::digest("OS・回線種別・都道府県を選ぶ".as_bytes()))
                    ),
                },
            ]
        );

        // The unchanged file is not written again.
        host.fault = Some(Fault {
            op: "write_file".into(),
            object: "prefectures.ini".into(),
        });
        step.apply(&mut host).unwrap();
        assert!(host.fault.is_some(), "prefectures.ini was rewritten");
        assert_eq!(step.check(&host).unwrap(), State::Ok);
        assert_eq!(
            host.read_file(r"C:\OQS\online-claims\setup.log")
                .unwrap()
                .unwrap(),
            b"staff's own",
            "files that are not the package's stay"
        );
    }

    #[test]
    fn unsafe_names_and_non_zips_are_refused_naming_the_file() {
        for (name, bytes) in [
            ("slip", zip(&[("OnlineSetup/../../Windows/evil.dll", b"x")])),
            ("drive", zip(&[(r"C:\Windows\evil.dll", b"x")])),
            ("not a zip", b"MZ this is an exe".to_vec()),
        ] {
            let (_dir, stick) = stick_with(&bytes);
            let err = online_claims(&stick, PACKAGE)
                .err()
                .expect(name)
                .to_string();
            assert!(err.contains(PACKAGE), "{name}: {err}");
            assert!(
                err.contains("支払基金") && !err.contains("ONS"),
                "{name}: the fix names the right source: {err}"
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let err = online_claims(&Stick::at(dir.path()), PACKAGE)
            .err()
            .expect("no package on the stick")
            .to_string();
        assert!(err.contains(PACKAGE) && err.contains("stick"), "{err}");
    }
}
