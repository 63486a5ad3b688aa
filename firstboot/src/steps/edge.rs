//! OQSFaceApp's Edge extensions (`delegate.crx`, `nopinauth.crx`, `pinauth.crx`
//! in `C:\Program Files\OQS-Auth\ext`), installed by Edge policy instead of the
//! seed's drag-and-drop onto edge://extensions in developer mode.
//!
//! What Edge needs (Microsoft's policy reference, "ExtensionInstallForcelist";
//! "Automatically update extensions" for the manifest):
//! - `HKLM\SOFTWARE\Policies\Microsoft\Edge\ExtensionInstallForcelist`: REG_SZ
//!   values `1`, `2`, … each `<extension id>;<update URL>`; the URL may be http,
//!   https or file. Chromium takes every numbered value, gaps allowed
//!   (`ConvertRegistryValue` in `registry_dict.cc`), so ours go into free numbers
//!   and a value that does not name our update URL (a vendor's) is never touched.
//! - The update manifest at that URL (gupdate, protocol 2.0): per extension
//!   `<app appid=ID><updatecheck codebase=CRX URL version=V/></app>`. We write it
//!   to `C:\ProgramData\oqs-stick\edge\updates.xml`, pointing at the CRX files
//!   where OQSFaceApp left them. The policy's URL serves the first install; later
//!   updates follow the `update_url` inside the extension, if any.
//! - Not needed: `ExtensionInstallSources` (it only lets users start installs from
//!   web pages) or developer mode.
//!
//! The limit. Edge's reference says: "For Windows instances not joined to a
//! Microsoft Active Directory domain, forced installation is limited to apps and
//! extensions listed in the Microsoft Edge Add-ons website" (the newer
//! ExtensionSettings text adds Microsoft Entra / Azure AD join). Chromium does it
//! in `FilterSensitivePolicies` (`components/policy/core/common/policy_loader_common.cc`):
//! unless Windows is domain joined, Entra joined or MDM enrolled (not on a Home
//! edition), every forcelist entry whose update URL is not the store's becomes
//! `[BLOCKED]…` and edge://policy shows it so. A stand-alone clinic terminal is
//! none of these: there this step leaves correct policy that Edge ignores, and the
//! seed's developer-mode drag-and-drop remains the way in. This step cannot tell
//! the two cases apart (the host has no domain/MDM query yet).

mod crx;

use crx::Crx;

use super::file_url::file_url;
use super::registry::{self, Wanted};
use crate::host::{Host, HostResult, RegKey, RegValue};
use crate::paths;
use crate::step::{Change, Changes, Shown, State, Step};
use payload::Text;
use std::collections::BTreeMap;

/// Where the OQSFaceApp installer puts the extensions (seed, option 1).
pub const EXT_DIR: &str = r"C:\Program Files\OQS-Auth\ext";
pub const EXT_FILES: [&str; 3] = ["delegate.crx", "nopinauth.crx", "pinauth.crx"];
pub const FORCELIST_KEY: &str = r"SOFTWARE\Policies\Microsoft\Edge\ExtensionInstallForcelist";

/// Numbers probed past the last forcelist value found: vendors number from 1
/// without big holes, and ours always take the lowest free numbers.
const SCAN_PAST_LAST: u32 = 16;

pub struct EdgeExtensions {
    pub dir: String,
    pub files: Vec<String>,
}

/// The seed's three extensions from OQSFaceApp's folder.
pub fn edge_extensions() -> EdgeExtensions {
    EdgeExtensions {
        dir: EXT_DIR.into(),
        files: EXT_FILES.iter().map(|f| (*f).to_owned()).collect(),
    }
}

/// One package found on the terminal.
struct Package {
    path: String,
    crx: Crx,
}

/// `<ProgramData>\oqs-stick\edge\updates.xml`.
pub fn update_manifest_path(host: &dyn Host) -> HostResult<String> {
    Ok(format!(r"{}\edge\updates.xml", paths::state_dir(host)?))
}

impl EdgeExtensions {
    /// The packages, or why they are not there yet. A file that is there but is
    /// not a usable CRX3 is an error naming it.
    fn packages(&self, host: &dyn Host) -> anyhow::Result<Result<Vec<Package>, Text>> {
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for file in &self.files {
            let path = format!(r"{}\{file}", self.dir);
            match host.read_file(&path)? {
                Some(bytes) => found.push(Package {
                    crx: crx::read(&bytes, &path)?,
                    path,
                }),
                None => missing.push(file.as_str()),
            }
        }
        if missing.is_empty() {
            return Ok(Ok(found));
        }
        let missing = missing.join(", ");
        let dir = &self.dir;
        Ok(Err(Text::new(
            format!(
                "{dir} に {missing} がありません。先に OQSFaceApp(顔認証アプリ)をインストールしてください(そのインストーラーが置きます)"
            ),
            format!(
                "{missing} not found in {dir}; install OQSFaceApp (the face authentication app) first, its installer puts them there"
            ),
        )))
    }

    /// The forcelist values to write and to delete, given what is there now.
    fn forcelist(&self, host: &dyn Host, packages: &[Package]) -> anyhow::Result<Vec<Wanted>> {
        let url = file_url(&update_manifest_path(host)?);
        let wanted: Vec<String> = packages
            .iter()
            .map(|p| format!("{};{url}", p.crx.id))
            .collect();
        Ok(forcelist_plan(&current_forcelist(host)?, &wanted, &url))
    }
}

/// The gupdate document Edge fetches from the update URL. Every value in it is
/// plain: ids are `a`..`p`, versions digits and dots (checked by the reader),
/// URLs percent-encoded.
fn update_manifest(packages: &[Package]) -> String {
    let mut xml = String::from(
        "<?xml version='1.0' encoding='UTF-8'?>\r\n\
         <gupdate xmlns='http://www.google.com/update2/response' protocol='2.0'>\r\n",
    );
    for p in packages {
        xml.push_str(&format!(
            "  <app appid='{}'>\r\n    <updatecheck codebase='{}' version='{}' />\r\n  </app>\r\n",
            p.crx.id,
            file_url(&p.path),
            p.crx.version
        ));
    }
    xml.push_str("</gupdate>\r\n");
    xml
}

fn forcelist_key() -> RegKey {
    RegKey::hklm(FORCELIST_KEY)
}

/// The numbered forcelist values present now (the host cannot list values, so
/// numbers are probed until `SCAN_PAST_LAST` in a row are free).
fn current_forcelist(host: &dyn Host) -> HostResult<BTreeMap<u32, RegValue>> {
    let key = forcelist_key();
    let mut found = BTreeMap::new();
    let mut n = 1;
    let mut last = 0;
    while n <= last + SCAN_PAST_LAST {
        if let Some(value) = host.reg_get(&key, &n.to_string())? {
            found.insert(n, value);
            last = n;
        }
        n += 1;
    }
    Ok(found)
}

/// Keeps our entries that are still wanted, puts missing ones into our stale
/// numbers (an extension whose key changed) or else the lowest free ones, and
/// deletes ours left over. "Ours" means the value names our update URL; anything else
/// belongs to someone else and stays as it is.
fn forcelist_plan(current: &BTreeMap<u32, RegValue>, wanted: &[String], url: &str) -> Vec<Wanted> {
    let key = forcelist_key();
    let id_of = |entry: &str| entry.split(';').next().unwrap_or("").to_ascii_lowercase();
    let mut ours: BTreeMap<u32, String> = current
        .iter()
        .filter_map(|(n, value)| match value {
            RegValue::Sz(entry)
                if entry
                    .split_once(';')
                    .is_some_and(|(_, u)| u.trim().eq_ignore_ascii_case(url)) =>
            {
                Some((*n, id_of(entry)))
            }
            _ => None,
        })
        .collect();
    let mut plan = Vec::new();
    let mut unplaced = Vec::new();
    for entry in wanted {
        let id = id_of(entry);
        match ours.iter().find(|(_, i)| **i == id).map(|(n, _)| *n) {
            Some(n) => {
                ours.remove(&n);
                plan.push(Wanted::set(
                    &key,
                    &n.to_string(),
                    RegValue::Sz(entry.clone()),
                ));
            }
            None => unplaced.push(entry),
        }
    }
    // Our stale numbers first (a re-keyed extension keeps its place), then free ones.
    let mut stale = ours.into_keys();
    let mut free = (1..).filter(|n| !current.contains_key(n));
    for entry in unplaced {
        let n = stale
            .next()
            .or_else(|| free.next())
            .expect("an unbounded range");
        plan.push(Wanted::set(
            &key,
            &n.to_string(),
            RegValue::Sz(entry.clone()),
        ));
    }
    for n in stale {
        plan.push(Wanted::absent(&key, &n.to_string()));
    }
    plan
}

impl Step for EdgeExtensions {
    fn id(&self) -> String {
        "edge.extensions".into()
    }

    fn title(&self) -> Text {
        let names = self
            .files
            .iter()
            .map(|f| f.trim_end_matches(".crx"))
            .collect::<Vec<_>>()
            .join(", ");
        Text::new(
            format!("Edge 拡張機能をポリシーで導入 ({names})"),
            format!("Edge extensions by policy ({names})"),
        )
    }

    fn check(&self, host: &dyn Host) -> anyhow::Result<State> {
        let packages = match self.packages(host)? {
            Ok(packages) => packages,
            // Before OQSFaceApp is installed (plan on a fresh terminal): the policy
            // will be set; apply refuses while the packages are still missing.
            Err(why) => {
                return Ok(State::Differs(vec![Change {
                    what: self.dir.clone(),
                    before: Shown::Absent,
                    after: Shown::Value(why.to_string()),
                }]));
            }
        };
        let mut changes = Changes::default();
        let path = update_manifest_path(host)?;
        let now = host.read_file(&path)?;
        if now.as_deref() != Some(update_manifest(&packages).as_bytes()) {
            let listed = packages
                .iter()
                .map(|p| format!("{} {}", p.crx.id, p.crx.version))
                .collect::<Vec<_>>()
                .join(", ");
            changes.push(Change {
                what: path,
                before: now.map_or(Shown::Absent, |_| {
                    Shown::Value(Text::new("別の内容", "other contents").to_string())
                }),
                after: Shown::Value(listed),
            });
        }
        changes.extend(registry::check(host, &self.forcelist(host, &packages)?)?);
        Ok(changes.into_state())
    }

    fn apply(&self, host: &mut dyn Host) -> anyhow::Result<()> {
        let packages = self
            .packages(host)?
            .map_err(|why| anyhow::anyhow!("{why}"))?;
        let path = update_manifest_path(host)?;
        let xml = update_manifest(&packages);
        if host.read_file(&path)?.as_deref() != Some(xml.as_bytes()) {
            // Before the policy: Edge reads the manifest as soon as it sees the policy.
            super::write_creating_folder(host, &path, xml.as_bytes())?;
        }
        let plan = self.forcelist(host, &packages)?;
        registry::apply(host, &plan)
    }
}

#[cfg(test)]
mod tests {
    use super::crx::CrxError;
    use super::*;
    use crate::host::sim::{Fault, SimHost};
    use oqs_e2e::fixtures::{crx_id, tiny_crx};

    const URL: &str = "file:///C:/ProgramData/oqs-stick/edge/updates.xml";

    fn host_with_extensions() -> SimHost {
        let mut host = SimHost::blank("OQS-01");
        host.create_dir_all(EXT_DIR).unwrap();
        for (file, version) in [
            ("delegate.crx", "1.0.2"),
            ("nopinauth.crx", "1.1"),
            ("pinauth.crx", "4.0.3.0"),
        ] {
            let name = file.trim_end_matches(".crx");
            host.write_file(&format!(r"{EXT_DIR}\{file}"), &tiny_crx(name, version))
                .unwrap();
        }
        host
    }

    fn forcelist(host: &SimHost) -> BTreeMap<u32, RegValue> {
        current_forcelist(host).unwrap()
    }

    fn sz(s: &str) -> RegValue {
        RegValue::Sz(s.into())
    }

    #[test]
    fn plan_shows_manifest_and_policy_then_apply_is_complete() {
        let mut host = host_with_extensions();
        let step = edge_extensions();
        let State::Differs(changes) = step.check(&host).unwrap() else {
            panic!("a fresh terminal differs");
        };
        let whats: Vec<&str> = changes.iter().map(|c| c.what.as_str()).collect();
        assert_eq!(
            whats,
            [
                r"C:\ProgramData\oqs-stick\edge\updates.xml",
                r"HKLM\SOFTWARE\Policies\Microsoft\Edge\ExtensionInstallForcelist\1",
                r"HKLM\SOFTWARE\Policies\Microsoft\Edge\ExtensionInstallForcelist\2",
                r"HKLM\SOFTWARE\Policies\Microsoft\Edge\ExtensionInstallForcelist\3",
            ]
        );
        assert_eq!(
            changes[0].after,
            Shown::Value(format!(
                "{} 1.0.2, {} 1.1, {} 4.0.3.0",
                crx_id("delegate"),
                crx_id("nopinauth"),
                crx_id("pinauth")
            ))
        );
        assert!(changes.iter().all(|c| c.before == Shown::Absent));

        step.apply(&mut host).unwrap();
        assert_eq!(step.check(&host).unwrap(), State::Ok);
        let values = forcelist(&host);
        assert_eq!(
            values.get(&3),
            Some(&sz(&format!("{};{URL}", crx_id("pinauth"))))
        );
        let xml = String::from_utf8(
            host.read_file(&update_manifest_path(&host).unwrap())
                .unwrap()
                .unwrap(),
        )
        .unwrap();
        assert!(xml.contains(&format!(
            "<app appid='{}'>\r\n    <updatecheck codebase='file:///C:/Program%20Files/OQS-Auth/ext/pinauth.crx' version='4.0.3.0' />",
            crx_id("pinauth")
        )), "{xml}");
        assert!(xml.starts_with("<?xml") && xml.contains("protocol='2.0'"));
    }

    #[test]
    fn a_second_apply_writes_nothing() {
        let mut host = host_with_extensions();
        let step = edge_extensions();
        step.apply(&mut host).unwrap();
        // Any write would trip one of these and fail the apply.
        for (op, object) in [("write_file", "updates.xml"), ("reg_set", "Forcelist")] {
            host.fault = Some(Fault {
                op: op.into(),
                object: object.into(),
            });
            step.apply(&mut host).unwrap();
            assert!(host.fault.is_some(), "{op} was called again");
        }
    }

    #[test]
    fn vendor_entries_survive_and_ours_take_free_numbers() {
        let mut host = host_with_extensions();
        let key = forcelist_key();
        let vendor1 = "abcdefghijklmnopabcdefghijklmnop;https://edge.microsoft.com/extensionwebstorebase/v1/crx";
        let vendor3 = "ponmlkjihgfedcbaponmlkjihgfedcba;https://vendor.example/updates.xml";
        host.reg_set(&key, "1", &sz(vendor1)).unwrap();
        host.reg_set(&key, "3", &sz(vendor3)).unwrap();
        let step = edge_extensions();
        step.apply(&mut host).unwrap();
        assert_eq!(step.check(&host).unwrap(), State::Ok);
        let values = forcelist(&host);
        assert_eq!(values.get(&1), Some(&sz(vendor1)));
        assert_eq!(values.get(&3), Some(&sz(vendor3)));
        let ours: Vec<u32> = values
            .iter()
            .filter(|(_, v)| matches!(v, RegValue::Sz(s) if s.ends_with(URL)))
            .map(|(n, _)| *n)
            .collect();
        assert_eq!(ours, [2, 4, 5]);
    }

    #[test]
    fn a_changed_package_replaces_only_its_own_entry() {
        let mut host = host_with_extensions();
        let step = edge_extensions();
        step.apply(&mut host).unwrap();
        // OQSFaceApp ships pinauth re-signed with a new key, and a new version.
        host.write_file(
            &format!(r"{EXT_DIR}\pinauth.crx"),
            &tiny_crx("pinauth v5", "5.0"),
        )
        .unwrap();
        let State::Differs(changes) = step.check(&host).unwrap() else {
            panic!("a new package differs");
        };
        let old = format!("{};{URL}", crx_id("pinauth"));
        let new = format!("{};{URL}", crx_id("pinauth v5"));
        assert_eq!(
            changes[1..],
            [Change {
                what: format!(r"HKLM\{FORCELIST_KEY}\3"),
                before: Shown::Value(sz(&old).to_string()),
                after: Shown::Value(sz(&new).to_string()),
            }],
            "the re-keyed extension keeps its number; the others are untouched"
        );
        step.apply(&mut host).unwrap();
        assert_eq!(step.check(&host).unwrap(), State::Ok);
        let values = forcelist(&host);
        assert_eq!(values.len(), 3);
        assert_eq!(values.get(&3), Some(&sz(&new)));
    }

    #[test]
    fn without_oqs_face_app_it_differs_and_apply_refuses() {
        let missing = |host: &SimHost| {
            let State::Differs(changes) = edge_extensions().check(host).unwrap() else {
                panic!("no packages: the policy is still to be set");
            };
            assert_eq!(changes[0].what, EXT_DIR);
            changes[0].after.to_string()
        };
        let host = SimHost::blank("OQS-01");
        let why = missing(&host);
        assert!(
            why.contains("OQSFaceApp") && why.contains("pinauth.crx"),
            "{why}"
        );
        let mut host = host_with_extensions();
        host.remove_file(&format!(r"{EXT_DIR}\nopinauth.crx"))
            .unwrap();
        let why = missing(&host);
        assert!(
            why.contains("nopinauth.crx") && !why.contains("delegate"),
            "{why}"
        );
        let err = edge_extensions().apply(&mut host).unwrap_err().to_string();
        assert!(err.contains("nopinauth.crx"), "{err}");
        assert!(forcelist(&host).is_empty(), "nothing written");
    }

    #[test]
    fn a_bad_package_is_an_error_naming_it() {
        let mut host = host_with_extensions();
        host.write_file(&format!(r"{EXT_DIR}\delegate.crx"), b"MZ not a crx")
            .unwrap();
        let err = edge_extensions().check(&host).unwrap_err();
        let err = err.downcast_ref::<CrxError>().expect("a CRX error");
        assert!(
            err.text()
                .en
                .contains(r"C:\Program Files\OQS-Auth\ext\delegate.crx")
        );
        assert!(edge_extensions().apply(&mut host).is_err());
        assert!(forcelist(&host).is_empty(), "nothing written");
    }

    #[test]
    fn plan_keeps_ours_reuses_stale_ours_then_fills_holes() {
        let mut current = BTreeMap::new();
        current.insert(1, sz(&format!("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA;{URL}")));
        current.insert(2, sz("vendor;https://vendor.example/u.xml"));
        current.insert(4, sz(&format!("stale;{URL}")));
        current.insert(5, RegValue::Dword(1));
        current.insert(6, sz(&format!("stale too;{URL}")));
        let wanted = [
            format!("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;{URL}"),
            format!("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb;{URL}"),
            format!("cccccccccccccccccccccccccccccccc;{URL}"),
            format!("dddddddddddddddddddddddddddddddd;{URL}"),
        ];
        let plan: Vec<(String, Option<RegValue>)> = forcelist_plan(&current, &wanted, URL)
            .into_iter()
            .map(|w| (w.name, w.value))
            .collect();
        assert_eq!(
            plan,
            [
                ("1".to_owned(), Some(sz(&wanted[0]))),
                ("4".to_owned(), Some(sz(&wanted[1]))),
                ("6".to_owned(), Some(sz(&wanted[2]))),
                ("3".to_owned(), Some(sz(&wanted[3]))),
            ]
        );
        let fewer: Vec<(String, Option<RegValue>)> = forcelist_plan(&current, &wanted[..1], URL)
            .into_iter()
            .map(|w| (w.name, w.value))
            .collect();
        assert_eq!(
            fewer,
            [
                ("1".to_owned(), Some(sz(&wanted[0]))),
                ("4".to_owned(), None),
                ("6".to_owned(), None),
            ],
            "ours no longer wanted go; the vendor's 2 and the DWORD 5 stay"
        );
    }
}
