//! Test and demo PFX files, made by `openssl` (as a CA's tooling would make them)
//! rather than by our own code, so the builder's certificate checks are tested
//! against an independent implementation. Each maker also returns what OpenSSL
//! says about the certificate, to compare our reading with.
//!
//! Passwords reach openssl through the environment (`-passout env:`), never its
//! command line.

use crate::tools::run_ok;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The OpenSSL 3 defaults (PBES2, PBKDF2, AES-256-CBC, SHA-256 MAC) or the
/// legacy PBE-SHA1-3DES with a SHA-1 MAC that older Windows tools write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encryption {
    Aes256,
    TripleDes,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    Rsa2048,
    EcP256,
}

/// What OpenSSL reports about a certificate it made.
#[derive(Clone, Debug)]
pub struct Made {
    pub path: PathBuf,
    /// Upper-case hex, no separators, leading zero bytes stripped (OpenSSL's form).
    pub serial: String,
    /// SHA-1 of the DER certificate, upper-case hex without separators.
    pub sha1_thumbprint: String,
    /// `-subj` as given, e.g. `/C=JP/O=oqs-stick test/CN=OQS-A`.
    pub subject: String,
}

/// A PFX with an RSA key and its self-signed certificate, valid from now for
/// `days_valid` days. `aes` picks AES-256 (OpenSSL 3's default) over 3DES.
/// Used by the tests and to make the demo clinic's certificates.
pub fn make_pfx(
    path: &Path,
    common_name: &str,
    password: &str,
    days_valid: u32,
    aes: bool,
) -> Made {
    let encryption = if aes {
        Encryption::Aes256
    } else {
        Encryption::TripleDes
    };
    make(
        path,
        common_name,
        password,
        days_valid,
        encryption,
        KeyType::Rsa2048,
        true,
    )
}

/// Like [`make_pfx`], with every choice open, including `with_key: false` for a
/// PFX holding only the certificate (what an export without the private key gives).
pub fn make(
    path: &Path,
    common_name: &str,
    password: &str,
    days_valid: u32,
    encryption: Encryption,
    key: KeyType,
    with_key: bool,
) -> Made {
    let work = tempfile::tempdir().expect("temp dir");
    let (key_pem, cert_pem) = key_and_cert(work.path(), common_name, days_valid, key);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
    }
    let temp = path.with_extension("pfx.partial");
    let mut cmd = Command::new("openssl");
    cmd.args(["pkcs12", "-export", "-in"])
        .arg(&cert_pem)
        .args([
            "-name",
            common_name,
            "-passout",
            "env:OQS_TEST_PFX_PASSWORD",
            "-out",
        ])
        .arg(&temp)
        .env("OQS_TEST_PFX_PASSWORD", password);
    if with_key {
        cmd.arg("-inkey").arg(&key_pem);
    } else {
        cmd.arg("-nokeys");
    }
    if encryption == Encryption::TripleDes {
        cmd.args([
            "-certpbe",
            "PBE-SHA1-3DES",
            "-keypbe",
            "PBE-SHA1-3DES",
            "-macalg",
            "sha1",
        ]);
    }
    run_ok(&mut cmd);
    std::fs::rename(&temp, path).unwrap_or_else(|e| panic!("rename to {}: {e}", path.display()));
    let mut made = describe(&cert_pem);
    made.path = path.to_owned();
    made.subject = subject(common_name);
    made
}

/// A private key (PKCS#8 DER) and a self-signed certificate (DER) for it.
pub fn key_and_cert_der(common_name: &str, days_valid: u32, key: KeyType) -> (Vec<u8>, Vec<u8>) {
    let work = tempfile::tempdir().expect("temp dir");
    let (key_pem, cert_pem) = key_and_cert(work.path(), common_name, days_valid, key);
    let to_der = |args: &[&str], input: &Path| {
        let out = work.path().join(format!("{}.der", args[0]));
        run_ok(
            Command::new("openssl")
                .args(args)
                .args(["-outform", "DER", "-in"])
                .arg(input)
                .arg("-out")
                .arg(&out),
        );
        std::fs::read(&out).expect("openssl wrote the DER file")
    };
    // `pkey -outform DER` would write RSA keys as PKCS#1; a PFX holds PKCS#8.
    (
        to_der(&["pkcs8", "-topk8", "-nocrypt"], &key_pem),
        to_der(&["x509"], &cert_pem),
    )
}

fn subject(common_name: &str) -> String {
    format!("/C=JP/O=oqs-stick test/CN={common_name}")
}

fn key_and_cert(
    dir: &Path,
    common_name: &str,
    days_valid: u32,
    key: KeyType,
) -> (PathBuf, PathBuf) {
    let key_pem = dir.join("key.pem");
    let cert_pem = dir.join("cert.pem");
    let newkey: &[&str] = match key {
        KeyType::Rsa2048 => &["-newkey", "rsa:2048"],
        KeyType::EcP256 => &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
    };
    run_ok(
        Command::new("openssl")
            .args(["req", "-x509", "-nodes"])
            .args(newkey)
            .args([
                "-subj",
                &subject(common_name),
                "-days",
                &days_valid.to_string(),
                "-keyout",
            ])
            .arg(&key_pem)
            .arg("-out")
            .arg(&cert_pem),
    );
    (key_pem, cert_pem)
}

fn describe(cert_pem: &Path) -> Made {
    let out = run_ok(
        Command::new("openssl")
            .args(["x509", "-noout", "-serial", "-fingerprint", "-sha1", "-in"])
            .arg(cert_pem),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |prefix: &str| {
        // OpenSSL 3.0 writes "sha1 Fingerprint=", 1.1 "SHA1 Fingerprint=".
        text.lines()
            .find(|l| l.to_ascii_lowercase().starts_with(prefix))
            .map(|l| &l[prefix.len()..])
            .unwrap_or_else(|| panic!("openssl x509 printed no {prefix}: {text}"))
            .replace(':', "")
            .to_ascii_uppercase()
    };
    Made {
        path: PathBuf::new(),
        serial: field("serial="),
        sha1_thumbprint: field("sha1 fingerprint="),
        subject: String::new(),
    }
}
