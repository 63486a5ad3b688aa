//! The demo clinic's inputs, made on the spot: a test certificate per terminal,
//! tiny real installers packed like ONS ships them, and a stand-in Windows media
//! tree. Nothing is downloaded and nothing binary is checked in.

use crate::fixtures::{tiny_crx, tiny_exe_installer, tiny_msi, zip_of};
use crate::media::write_media;
use crate::pfx::make_pfx;
use payload::secrets::Secrets;
use std::fs;
use std::path::{Path, PathBuf};

/// The demo site folder in this repository.
pub fn demo_dir() -> PathBuf {
    crate::tools::workspace_root().join("examples/demo-clinic")
}

/// Incompressible bytes per edition in the demo install.wim: enough to be a real
/// WIM with real resources, small enough to build in seconds.
const DEMO_EDITION_BYTES: u64 = 8 << 20;

/// Writes the inputs `examples/demo-clinic/site.toml` names into `generated`
/// (replacing what was there). `edition_bytes` sizes the install.wim images.
pub fn generate(generated: &Path, edition_bytes: Option<u64>) -> std::io::Result<()> {
    let demo = demo_dir();
    let loaded =
        payload::site::load_file(&demo.join("site.toml")).map_err(std::io::Error::other)?;
    let secrets_text = fs::read_to_string(demo.join("secrets.toml"))?;
    let secrets: Secrets = toml::from_str(&secrets_text).map_err(std::io::Error::other)?;

    if generated.exists() {
        fs::remove_dir_all(generated)?;
    }
    let certs = generated.join("certs");
    let installers = generated.join("installers");
    fs::create_dir_all(&certs)?;
    fs::create_dir_all(&installers)?;

    for (i, terminal) in loaded.site.terminals.iter().enumerate() {
        let password = secrets
            .certificate_password(&terminal.name)
            .ok_or_else(|| {
                std::io::Error::other(format!(
                    "demo secrets.toml has no certificates.{}",
                    terminal.name
                ))
            })?;
        // The first terminal gets the legacy 3DES PFX older Windows 10 needs, the others AES.
        make_pfx(
            &certs.join(format!("{}.pfx", terminal.name)),
            &terminal.name,
            password.expose(),
            1000,
            i != 0,
        );
    }

    write_installers(&installers)?;

    write_media(
        &generated.join("media"),
        edition_bytes.unwrap_or(DEMO_EDITION_BYTES),
    )
}

/// The `UserDefinition.property` the demo OQSComApp installs: CRLF, the seed's
/// doubled backslashes, and only two of the six DataDir keys (the other four came
/// with later OQSComApp versions), so firstboot's `karte-link` step has keys to add.
pub const DEMO_USER_DEFINITION: &[u8] =
    b"ResponseFileStayTime=10\r\nRequestDataDir=C:\\\\OQS\\\\req\r\nResponseDataDir=C:\\\\OQS\\\\res\r\n";

/// The Edge extensions OQSFaceApp puts in `C:\Program Files\OQS-Auth\ext`.
pub const DEMO_EXTENSIONS: [&str; 3] = ["delegate", "nopinauth", "pinauth"];

/// The four demo installers, named as `site.toml` names them, into `installers`:
/// OQSFaceApp (a zipped MSI into `C:\Program Files\OQS-Auth`, with the three Edge
/// extensions), OQSComApp (a zipped EXE writing its `Version.info`, the
/// `UserDefinition.property` and `OQSComAppRestart.bat`), OQSDistroApp (a bare
/// MSI) and Hi-CARA (a zipped EXE).
pub fn write_installers(installers: &Path) -> std::io::Result<()> {
    fs::create_dir_all(installers)?;
    let scratch = tempfile::tempdir()?;
    let crx: Vec<(String, Vec<u8>)> = DEMO_EXTENSIONS
        .iter()
        .map(|name| (format!(r"ext\{name}.crx"), tiny_crx(name, "1.0.0")))
        .collect();
    let crx_files: Vec<(&str, &[u8])> = crx
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let face_msi = tiny_msi(
        scratch.path(),
        "OQSFaceApp",
        "OQS-Auth",
        "4.0.3",
        &crx_files,
    );
    zip_of(
        installers,
        "OQSFaceApp_v4.0.3.zip",
        &[("OQSFaceApp_Setup.msi", &fs::read(face_msi)?)],
    );
    let com_exe = tiny_exe_installer(
        scratch.path(),
        "setup",
        0,
        &[
            (
                r"C:\Program Files\OQS\OQSComApp\Version.info",
                b"Version=3.0.2\r\n",
            ),
            (
                r"C:\ProgramData\OQS\OQSComApp\config\UserDefinition.property",
                DEMO_USER_DEFINITION,
            ),
            (
                r"C:\Program Files\OQS\OQSComApp\tools\OQSComAppRestart.bat",
                b"@echo OQSComApp restarted (demo)\r\n",
            ),
        ],
    );
    zip_of(
        installers,
        "OQSComApp_v3.0.2.zip",
        &[("setup.exe", &fs::read(com_exe)?)],
    );
    let distro = tiny_msi(
        scratch.path(),
        "OQSDistroApp",
        r"OQS\OQSDistroApp",
        "2.0.4",
        &[],
    );
    fs::copy(distro, installers.join("OQSDistroApp_v2.0.4.msi"))?;
    let hicara = tiny_exe_installer(
        scratch.path(),
        "FaceAuthenticatorApp_Setup",
        0,
        &[(
            r"C:\Program Files\FaceAuthenticatorApp\Version.info",
            b"Version=1.0.0\r\n",
        )],
    );
    zip_of(
        installers,
        "FaceAuthenticatorApp.zip",
        &[("FaceAuthenticatorApp_Setup.exe", &fs::read(hicara)?)],
    );
    Ok(())
}
