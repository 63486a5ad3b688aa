//! The PFX fixtures are what they claim: OpenSSL itself reads each one back with
//! its password, and reports the encryption the builder's tests rely on.

use oqs_e2e::pfx::{self, Encryption, KeyType};
use oqs_e2e::tools::{require, run_ok};
use std::process::Command;

fn openssl_info(path: &std::path::Path, password: &str) -> String {
    let out = run_ok(
        Command::new("openssl")
            .args([
                "pkcs12",
                "-info",
                "-noout",
                "-passin",
                "env:PFX_PASS",
                "-in",
            ])
            .arg(path)
            .env("PFX_PASS", password),
    );
    String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout)
}

#[test]
fn aes_and_3des_fixtures_use_the_named_encryption() {
    if !require("aes_and_3des_fixtures", &["openssl"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let aes = pfx::make_pfx(
        &dir.path().join("aes.pfx"),
        "OQS-AES",
        "pw-aes-123",
        30,
        true,
    );
    let info = openssl_info(&aes.path, "pw-aes-123");
    assert!(
        info.contains("AES-256-CBC") && info.contains("PBES2"),
        "{info}"
    );
    assert!(!info.contains("3-KeyTripleDES"), "{info}");

    let des = pfx::make_pfx(
        &dir.path().join("3des.pfx"),
        "OQS-3DES",
        "pw-3des-123",
        30,
        false,
    );
    let info = openssl_info(&des.path, "pw-3des-123");
    assert!(info.contains("pbeWithSHA1And3-KeyTripleDES-CBC"), "{info}");
    assert!(info.contains("MAC: sha1"), "{info}");
    assert_eq!(des.sha1_thumbprint.len(), 40);
}

#[test]
fn wrong_password_is_refused_by_openssl_too() {
    if !require("wrong_password_is_refused", &["openssl"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let made = pfx::make(
        &dir.path().join("k.pfx"),
        "OQS-K",
        "right-pw-1",
        10,
        Encryption::Aes256,
        KeyType::EcP256,
        true,
    );
    let out = Command::new("openssl")
        .args([
            "pkcs12",
            "-info",
            "-noout",
            "-passin",
            "pass:wrong-pw",
            "-in",
        ])
        .arg(&made.path)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        !dir.path().join("k.pfx.partial").exists(),
        "the temp name is gone"
    );
}
