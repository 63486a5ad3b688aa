//! Shared by the firstboot tests: the demo clinic as a stick in a temp folder, its
//! secrets, and a simulated terminal as Windows Setup leaves it.
#![allow(dead_code)] // each test binary uses a different part

use oqs_e2e::demo::{DEMO_EXTENSIONS, DEMO_USER_DEFINITION};
use oqs_firstboot::engine::{self, Engine, Filter, Report};
use oqs_firstboot::host::Exit;
use oqs_firstboot::host::sim::SimHost;
use oqs_firstboot::host::sim::SimProgram;
use oqs_firstboot::host::{Adapter, HardwareIds};
use oqs_firstboot::link::role::{PROPERTY_FILE, RESTART_SCRIPT};
use oqs_firstboot::steps::{self, Inputs};
use oqs_firstboot::stick::Stick;
use payload::Secret;
use payload::manifest::{self, Manifest};
use payload::secrets::Secrets;
use payload::site::{InstallerKind, Site};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/demo-clinic")
}

pub fn demo_secrets_file() -> PathBuf {
    demo_dir().join("secrets.toml")
}

pub fn demo_secrets() -> Secrets {
    toml::from_str(&std::fs::read_to_string(demo_secrets_file()).unwrap()).unwrap()
}

/// A stick folder holding the demo site plan, a (fake) PFX per terminal and the manifest.
pub struct DemoStick {
    pub dir: tempfile::TempDir,
}

impl DemoStick {
    pub fn new() -> DemoStick {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("oqs/certs")).unwrap();
        std::fs::copy(
            demo_dir().join("site.toml"),
            root.join(payload::layout::SITE_PLAN),
        )
        .unwrap();
        let site = DemoStick::site_of(root);
        for t in &site.terminals {
            let pfx = format!("fake PFX of {}", t.name);
            std::fs::write(root.join(payload::layout::certificate(&t.name)), pfx).unwrap();
        }
        write_stand_in_installers(root, &site);
        std::fs::write(
            root.join(payload::layout::FIRSTBOOT_EXE),
            b"MZ stand-in for oqs-firstboot.exe",
        )
        .unwrap();
        let stick = DemoStick { dir };
        stick.write_manifest();
        stick
    }

    fn site_of(root: &Path) -> Site {
        Stick::at(root).site().unwrap().site
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn stick(&self) -> Stick {
        Stick::at(self.root())
    }

    pub fn site(&self) -> Site {
        DemoStick::site_of(self.root())
    }

    /// (Re)writes SHA256SUMS for what is on the stick now.
    pub fn write_manifest(&self) {
        let m = manifest::scan_dir(self.root()).unwrap();
        let sums = Manifest::from_entries(m.files).to_sums();
        std::fs::write(self.root().join(payload::layout::MANIFEST_SUMS), sums).unwrap();
    }
}

/// The packages `site.toml` names, packed as ONS ships them (zips are real zips),
/// around stand-in installers that SimHost "runs" by name (`demo_installers`).
fn write_stand_in_installers(root: &Path, site: &Site) {
    let dir = root.join("oqs/installers");
    std::fs::create_dir_all(&dir).unwrap();
    for installer in &site.installers {
        let name = Path::new(&installer.file)
            .file_name()
            .unwrap()
            .to_str()
            .unwrap();
        let stand_in = format!("stand-in installer {}", installer.id);
        match installer.kind {
            InstallerKind::Zip => {
                let run = installer.run.as_deref().unwrap();
                oqs_e2e::fixtures::zip_of(&dir, name, &[(run, stand_in.as_bytes())]);
            }
            InstallerKind::Msi | InstallerKind::Exe => {
                std::fs::write(dir.join(name), stand_in).unwrap()
            }
        }
    }
}

/// What the demo installers do when SimHost runs them: what the real-ish demo
/// installers (oqs_e2e::demo::write_installers) do under Wine.
pub fn demo_installers() -> BTreeMap<String, SimProgram> {
    let writes = |files: Vec<(&str, Vec<u8>)>| SimProgram {
        exit: Exit::Code(0),
        writes: files.into_iter().map(|(p, b)| (p.to_owned(), b)).collect(),
    };
    let mut face = vec![(
        r"C:\Program Files\OQS-Auth\Version.info",
        b"Version=4.0.3\r\n".to_vec(),
    )];
    let ext: Vec<String> = DEMO_EXTENSIONS
        .iter()
        .map(|n| format!(r"C:\Program Files\OQS-Auth\ext\{n}.crx"))
        .collect();
    for (path, name) in ext.iter().zip(DEMO_EXTENSIONS) {
        face.push((path, oqs_e2e::fixtures::tiny_crx(name, "1.0.0")));
    }
    BTreeMap::from([
        ("oqsfaceapp_setup.msi".to_owned(), writes(face)),
        (
            "setup.exe".to_owned(),
            writes(vec![
                (
                    r"C:\Program Files\OQS\OQSComApp\Version.info",
                    b"Version=3.0.2\r\n".to_vec(),
                ),
                (PROPERTY_FILE, DEMO_USER_DEFINITION.to_vec()),
                (RESTART_SCRIPT, b"@echo restarted\r\n".to_vec()),
            ]),
        ),
        (
            "oqsdistroapp_v2.0.4.msi".to_owned(),
            writes(vec![(
                r"C:\Program Files\OQS\OQSDistroApp\Version.info",
                b"Version=2.0.4\r\n".to_vec(),
            )]),
        ),
    ])
}

pub const TERMINAL: &str = "OQS-UKETSUKE1";
pub const OQS_NIC_GUID: &str = "{6D1A2B3C-0000-4000-8000-00000000A001}";

/// OQS-UKETSUKE1 right after Windows Setup: set-up admin autologon, Panther cache,
/// two NICs (OQS line and clinic LAN).
pub fn fresh_terminal() -> SimHost {
    let secrets = demo_secrets();
    let mut host = SimHost::after_windows_setup(
        TERMINAL,
        "OqsSetup",
        secrets.accounts.setup_admin.as_ref().unwrap(),
    );
    host.hardware = HardwareIds {
        smbios_uuid: Some("4C4C4544-0042-3510-8051-B7C04F563432".into()),
        serial: Some("JPX0001".into()),
        macs: vec!["00-1B-21-3A-4F-01".into(), "00-1B-21-3A-4F-99".into()],
    };
    host.programs = demo_installers();
    host.adapters = vec![
        Adapter {
            guid: OQS_NIC_GUID.into(),
            description: "Intel(R) Ethernet Connection I219-LM".into(),
            mac: "00-1B-21-3A-4F-01".into(),
        },
        Adapter {
            guid: "{6D1A2B3C-0000-4000-8000-00000000B002}".into(),
            description: "Realtek PCIe GbE Family Controller".into(),
            mac: "00-1B-21-3A-4F-99".into(),
        },
    ];
    host
}

/// Runs one engine command against `host` for the demo's first terminal.
pub fn run(stick: &DemoStick, host: &mut SimHost, command: engine::Command) -> (Report, String) {
    run_filtered(stick, host, command, &Filter::default())
}

pub fn run_filtered(
    stick: &DemoStick,
    host: &mut SimHost,
    command: engine::Command,
    filter: &Filter,
) -> (Report, String) {
    let site = stick.site();
    let secrets = demo_secrets();
    let s = stick.stick();
    let terminal = site.terminal(TERMINAL).unwrap();
    let state_dir = oqs_firstboot::paths::state_dir(host).unwrap();
    let steps = steps::build(&Inputs {
        site: &site,
        terminal,
        secrets: &secrets,
        stick: &s,
        state_dir: &state_dir,
    })
    .unwrap();
    let mut console = Vec::new();
    let report = Engine {
        host,
        steps: &steps,
        filter,
        console: &mut console,
        terminal: TERMINAL,
    }
    .run(command)
    .unwrap();
    (report, String::from_utf8(console).unwrap())
}

pub const APPLY: engine::Command = engine::Command::Apply { reboot: true };

pub fn secret_values() -> Vec<String> {
    demo_secrets()
        .all_values()
        .into_iter()
        .map(|s: &Secret| s.expose().to_owned())
        .collect()
}

/// Compares with `tests/golden/<name>`; `UPDATE_GOLDEN=1` rewrites the file instead.
pub fn assert_golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create it, then review it)",
            path.display()
        )
    });
    assert_eq!(
        actual,
        expected,
        "{} differs from the golden file",
        path.display()
    );
}
