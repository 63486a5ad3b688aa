use super::*;

fn installer(kind: InstallerKind, file: &str, run: Option<&str>, args: &[&str]) -> Installer {
    Installer {
        id: "face-app".into(),
        kind,
        file: file.into(),
        run: run.map(str::to_owned),
        args: args.iter().map(|a| a.to_string()).collect(),
        version: Some("4.0.3".into()),
        version_file: None,
        timeout_minutes: 30,
    }
}

fn zip_files(names: &[&str]) -> Vec<ZipFile> {
    names
        .iter()
        .map(|n| ZipFile {
            parts: n.split('/').map(str::to_owned).collect(),
            bytes: b"x".to_vec(),
        })
        .collect()
}

#[test]
fn a_zipped_msi_runs_through_the_installer_api_with_a_verbose_log() {
    let files = zip_files(&["readme.txt", "OQSFaceApp_Setup.MSI"]);
    let i = installer(
        InstallerKind::Zip,
        "OQSFaceApp_v4.0.3.zip",
        // Windows names compare without case.
        Some("oqsfaceapp_setup.msi"),
        &["ALLUSERS=1"],
    );
    let staged = Staged {
        dir: r"C:\ProgramData\oqs-stick\packages\face-app",
        files: &files,
    };
    let logs = r"C:\ProgramData\oqs-stick\";
    let launch = launch(&i, "unused for a zip", Some(staged), logs).unwrap();
    assert_eq!(
        launch,
        Launch::Msi {
            package: r"C:\ProgramData\oqs-stick\packages\face-app\OQSFaceApp_Setup.MSI".into(),
            properties: "REBOOT=ReallySuppress ALLUSERS=1".into(),
            log: r"C:\ProgramData\oqs-stick\face-app.msi.log".into(),
            timeout: Duration::from_secs(1800),
        }
    );
    assert_eq!(
        launch.equivalent_command(),
        r"msiexec.exe /i C:\ProgramData\oqs-stick\packages\face-app\OQSFaceApp_Setup.MSI /qn /l*v C:\ProgramData\oqs-stick\face-app.msi.log REBOOT=ReallySuppress ALLUSERS=1"
    );
}

#[test]
fn an_exe_gets_the_sites_silent_arguments() {
    let i = installer(
        InstallerKind::Exe,
        "setup.exe",
        None,
        &["/S", "/LOG=C:\\a b.txt"],
    );
    let launch = launch(&i, r"C:\stage\setup.exe", None, r"C:\logs").unwrap();
    match &launch {
        Launch::Exe {
            command_line, log, ..
        } => {
            assert_eq!(command_line, r#""C:\stage\setup.exe" /S "/LOG=C:\a b.txt""#);
            assert_eq!(log, r"C:\logs\face-app.log");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(launch.timeout(), Duration::from_secs(1800));
}

#[test]
fn site_mistakes_are_named() {
    let files = zip_files(&["setup.exe", "readme.txt"]);
    let staged = Some(Staged {
        dir: r"C:\stage",
        files: &files,
    });
    let no_run = installer(InstallerKind::Zip, "a.zip", None, &[]);
    assert!(matches!(
        launch(&no_run, "a.zip", staged, r"C:\logs"),
        Err(InstallerError::RunMissing { run: None, .. })
    ));
    for run in ["missing.exe", "../outside.exe"] {
        let i = installer(InstallerKind::Zip, "a.zip", Some(run), &[]);
        let err = launch(&i, "a.zip", staged, r"C:\logs").unwrap_err();
        assert!(err.text().en.contains(run), "{err}");
    }
    let txt = installer(InstallerKind::Zip, "a.zip", Some("readme.txt"), &[]);
    assert!(matches!(
        launch(&txt, "a.zip", staged, r"C:\logs"),
        Err(InstallerError::UnknownKind { .. })
    ));
    let msi = installer(InstallerKind::Msi, "a.msi", None, &["/qn"]);
    let err = launch(&msi, r"C:\stage\a.msi", None, r"C:\logs").unwrap_err();
    assert!(matches!(&err, InstallerError::MsiArgument { arg, .. } if arg == "/qn"));
    assert!(err.text().ja.contains("/qn"));
}
