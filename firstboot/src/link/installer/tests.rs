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

#[test]
fn a_zipped_msi_runs_through_the_installer_api_with_a_verbose_log() {
    let dir = tempfile::tempdir().unwrap();
    let unpacked = dir.path().join("face-app");
    std::fs::create_dir_all(&unpacked).unwrap();
    std::fs::write(unpacked.join("OQSFaceApp_Setup.MSI"), b"msi").unwrap();
    let i = installer(
        InstallerKind::Zip,
        "OQSFaceApp_v4.0.3.zip",
        Some("OQSFaceApp_Setup.MSI"),
        &["ALLUSERS=1"],
    );
    let logs = dir.path().join("logs");
    let launch = launch(&i, Path::new("stick/face.zip"), Some(&unpacked), &logs).unwrap();
    assert_eq!(
        launch,
        Launch::Msi {
            package: unpacked.join("OQSFaceApp_Setup.MSI"),
            properties: "REBOOT=ReallySuppress ALLUSERS=1".into(),
            log: logs.join("face-app.msi.log"),
            timeout: Duration::from_secs(1800),
        }
    );
    assert!(launch.equivalent_command().starts_with("msiexec.exe /i "));
    let log = logs.join("face-app.msi.log");
    let tail = format!(
        "/qn /l*v {} REBOOT=ReallySuppress ALLUSERS=1",
        log.display()
    );
    assert!(
        launch.equivalent_command().ends_with(&tail),
        "{}",
        launch.equivalent_command()
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
    let launch = launch(
        &i,
        Path::new(r"C:\stage\setup.exe"),
        None,
        Path::new("logs"),
    )
    .unwrap();
    match &launch {
        Launch::Exe {
            command_line, log, ..
        } => {
            assert_eq!(command_line, r#""C:\stage\setup.exe" /S "/LOG=C:\a b.txt""#);
            assert_eq!(log, &Path::new("logs").join("face-app.log"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(launch.timeout(), Duration::from_secs(1800));
}

#[test]
fn site_mistakes_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let no_run = installer(InstallerKind::Zip, "a.zip", None, &[]);
    assert!(matches!(
        launch(&no_run, Path::new("a.zip"), Some(dir.path()), dir.path()),
        Err(InstallerError::RunMissing { run: None, .. })
    ));
    for run in ["missing.exe", "../outside.exe"] {
        let i = installer(InstallerKind::Zip, "a.zip", Some(run), &[]);
        let err = launch(&i, Path::new("a.zip"), Some(dir.path()), dir.path()).unwrap_err();
        assert!(err.text().en.contains(run), "{err}");
    }
    std::fs::write(dir.path().join("readme.txt"), b"").unwrap();
    let txt = installer(InstallerKind::Zip, "a.zip", Some("readme.txt"), &[]);
    assert!(matches!(
        launch(&txt, Path::new("a.zip"), Some(dir.path()), dir.path()),
        Err(InstallerError::UnknownKind { .. })
    ));
    let msi = installer(InstallerKind::Msi, "a.msi", None, &["/qn"]);
    let err = launch(&msi, Path::new("a.msi"), None, dir.path()).unwrap_err();
    assert!(matches!(&err, InstallerError::MsiArgument { arg, .. } if arg == "/qn"));
    assert!(err.text().ja.contains("/qn"));
}
