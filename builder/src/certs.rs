//! The terminals' client certificates (PFX), checked at build time so nobody
//! drives to the clinic with a certificate that will not import or has expired:
//! each PFX opens with its password (PBES1 3DES and PBES2 AES), holds a private
//! key and the certificate for it, and is valid now; under 90 days left is a
//! warning. OQS certificates are issued for 3 years 3 months.
//!
//! [`check_pfx`] is pure (bytes, password, `now`), so tests are deterministic.

use payload::Secret;
use payload::Text;
use payload::secrets::Secrets;
use payload::site::{KeyPath, Loaded, Problem, Role, Severity};
use sha1::{Digest, Sha1};
use std::path::{Path, PathBuf};
use std::time::SystemTime;
use x509_parser::der_parser::parse_der;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;

/// Fewer days than this left is a warning: time to ask for a renewal.
pub const WARN_DAYS: i64 = 90;

const DAY: i64 = 86_400;
/// Dates are shown as the clinic sees them: Japan Standard Time.
const JST: i64 = 9 * 3600;

/// What the certificate in a PFX says.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    /// Upper-case hex of the serial number's bytes, as Windows shows it.
    pub serial: String,
    /// SHA-1 of the DER certificate, upper-case hex: Windows' thumbprint.
    pub thumbprint: String,
    /// `YYYY-MM-DD` (JST).
    pub not_before: String,
    pub not_after: String,
    pub not_after_unix: i64,
    /// Whole days from `now` to `not_after`; negative once expired.
    pub days_left: i64,
    pub key: KeyMatch,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyMatch {
    Matches,
    Differs,
    /// No key in the PFX, or a key type we do not compare (neither RSA nor EC).
    NotChecked,
}

/// One thing wrong with a terminal's certificate.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Finding {
    /// secrets.toml has no password for it (reported as a missing secret).
    NoPassword,
    /// The file cannot be read (reported by the input checks).
    Unreadable {
        detail: String,
    },
    WrongPassword,
    /// Not a PKCS#12 file, damaged, or encrypted in a way we cannot read.
    NotPfx {
        detail: String,
    },
    NoCertificate,
    NoKey,
    KeyMismatch,
    Expired {
        not_after: String,
    },
    NotYetValid {
        not_before: String,
    },
    ExpiresSoon {
        days_left: i64,
        not_after: String,
    },
}

impl Finding {
    pub fn severity(&self) -> Severity {
        match self {
            Finding::ExpiresSoon { .. } => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// What is wrong and how to fix it, naming the terminal and the file.
    pub fn message(&self, terminal: &str, file: &Path) -> Text {
        let f = file.display();
        let renew_ja = "医療機関等向け総合ポータルサイトで証明書の更新を申請してください";
        let renew_en = "ask for a renewed certificate on the 医療機関等向け総合ポータルサイト (the portal for medical institutions)";
        match self {
            Finding::NoPassword => Text::new(
                format!(
                    "端末 {terminal}: {f} のパスワードがありません。secrets.toml に certificates.{terminal} を書いてください"
                ),
                format!(
                    "terminal {terminal}: no password for {f}: add certificates.{terminal} to secrets.toml"
                ),
            ),
            Finding::Unreadable { detail } => Text::new(
                format!("端末 {terminal}: {f} を読めません ({detail})"),
                format!("terminal {terminal}: cannot read {f} ({detail})"),
            ),
            Finding::WrongPassword => Text::new(
                format!(
                    "端末 {terminal}: {f} をパスワードで開けません。secrets.toml の certificates.{terminal} を確認してください"
                ),
                format!(
                    "terminal {terminal}: {f} does not open with its password: check certificates.{terminal} in secrets.toml"
                ),
            ),
            Finding::NotPfx { detail } => Text::new(
                format!(
                    "端末 {terminal}: {f} を PFX (PKCS#12) として読めません ({detail})。パスワードが違うか、ファイルが壊れています。secrets.toml の certificates.{terminal} を確認し、だめならダウンロードし直してください"
                ),
                format!(
                    "terminal {terminal}: {f} is not a readable PFX (PKCS#12) ({detail}): the password is wrong or the file is damaged; check certificates.{terminal} in secrets.toml, else download it again"
                ),
            ),
            Finding::NoCertificate => Text::new(
                format!(
                    "端末 {terminal}: {f} に証明書が入っていません。証明書を含めてエクスポートし直してください"
                ),
                format!(
                    "terminal {terminal}: {f} holds no certificate: export it again with the certificate"
                ),
            ),
            Finding::NoKey => Text::new(
                format!(
                    "端末 {terminal}: {f} に秘密鍵が入っていません。「秘密キーをエクスポートする」を選んでエクスポートし直してください"
                ),
                format!(
                    "terminal {terminal}: {f} holds no private key: export it again with \"export the private key\""
                ),
            ),
            Finding::KeyMismatch => Text::new(
                format!(
                    "端末 {terminal}: {f} の秘密鍵と証明書が対になっていません。正しい PFX をエクスポートし直してください"
                ),
                format!(
                    "terminal {terminal}: in {f} the private key does not belong to the certificate: export the right PFX again"
                ),
            ),
            Finding::Expired { not_after } => Text::new(
                format!("端末 {terminal}: {f} の証明書は {not_after} に期限切れです。{renew_ja}"),
                format!(
                    "terminal {terminal}: the certificate in {f} expired on {not_after}: {renew_en}"
                ),
            ),
            Finding::NotYetValid { not_before } => Text::new(
                format!(
                    "端末 {terminal}: {f} の証明書は {not_before} からしか使えません。このPCの時計を確認してください"
                ),
                format!(
                    "terminal {terminal}: the certificate in {f} is valid only from {not_before}: check this PC's clock"
                ),
            ),
            Finding::ExpiresSoon {
                days_left,
                not_after,
            } => Text::new(
                format!(
                    "端末 {terminal}: {f} の証明書はあと {days_left} 日 ({not_after}) で期限切れになります。{renew_ja}"
                ),
                format!(
                    "terminal {terminal}: the certificate in {f} expires in {days_left} days ({not_after}): {renew_en}"
                ),
            ),
        }
    }
}

/// The outcome of opening one PFX.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PfxCheck {
    pub info: Option<CertInfo>,
    pub findings: Vec<Finding>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warning,
    Error,
}

impl PfxCheck {
    fn only(finding: Finding) -> PfxCheck {
        PfxCheck {
            info: None,
            findings: vec![finding],
        }
    }

    pub fn status(&self) -> Status {
        match self.findings.iter().map(Finding::severity).min() {
            Some(Severity::Error) => Status::Error,
            Some(Severity::Warning) => Status::Warning,
            None => Status::Ok,
        }
    }
}

/// Opens a PFX with `password` and checks it as of `now`.
pub fn check_pfx(bytes: &[u8], password: &Secret, now: SystemTime) -> PfxCheck {
    let archive = match p12_keystore::Pkcs12Archive::from_pkcs12(bytes, password.expose()) {
        Ok(a) => a,
        Err(p12_keystore::error::Error::MacError(_)) => {
            return PfxCheck::only(Finding::WrongPassword);
        }
        Err(e) => {
            return PfxCheck::only(Finding::NotPfx {
                detail: e.to_string(),
            });
        }
    };
    let key = archive.keys.first();
    // The certificate that goes with the key: same localKeyId (how Windows and
    // OpenSSL pair them), else the first one; a chain's CA certificates follow it.
    let leaf = key
        .and_then(|k| k.local_key_id.as_ref())
        .and_then(|id| {
            archive
                .certs
                .iter()
                .find(|c| c.local_key_id.as_deref() == Some(id.0.as_slice()))
        })
        .or(archive.certs.first());
    let Some(leaf) = leaf else {
        let mut findings = vec![Finding::NoCertificate];
        if key.is_none() {
            findings.push(Finding::NoKey);
        }
        return PfxCheck {
            info: None,
            findings,
        };
    };
    let der = leaf.cert.as_der();
    let cert = match X509Certificate::from_der(der) {
        Ok((_, c)) => c,
        Err(e) => {
            return PfxCheck::only(Finding::NotPfx {
                detail: e.to_string(),
            });
        }
    };
    let key_match = key.map_or(KeyMatch::NotChecked, |k| key_matches(k.key.as_der(), &cert));
    let info = describe(&cert, der, now, key_match);

    let mut findings = Vec::new();
    if key.is_none() {
        findings.push(Finding::NoKey);
    }
    if key_match == KeyMatch::Differs {
        findings.push(Finding::KeyMismatch);
    }
    let now = unix(now);
    if now < cert.validity().not_before.timestamp() {
        findings.push(Finding::NotYetValid {
            not_before: info.not_before.clone(),
        });
    } else if info.days_left < 0 || now > info.not_after_unix {
        findings.push(Finding::Expired {
            not_after: info.not_after.clone(),
        });
    } else if info.days_left < WARN_DAYS {
        findings.push(Finding::ExpiresSoon {
            days_left: info.days_left,
            not_after: info.not_after.clone(),
        });
    }
    PfxCheck {
        info: Some(info),
        findings,
    }
}

fn describe(cert: &X509Certificate<'_>, der: &[u8], now: SystemTime, key: KeyMatch) -> CertInfo {
    let not_after = cert.validity().not_after.timestamp();
    CertInfo {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        serial: hex::encode_upper(cert.raw_serial()),
        thumbprint: hex::encode_upper(Sha1::digest(der)),
        not_before: jst_date(cert.validity().not_before.timestamp()),
        not_after: jst_date(not_after),
        not_after_unix: not_after,
        days_left: (not_after - unix(now)).div_euclid(DAY),
        key,
    }
}

fn unix(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// `YYYY-MM-DD` in Japan Standard Time.
pub fn jst_date(unix: i64) -> String {
    match x509_parser::time::ASN1Time::from_timestamp(unix.saturating_add(JST)) {
        Ok(t) => {
            let d = t.to_datetime().date();
            format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
        }
        Err(_) => format!("@{unix}"),
    }
}

/// Whether the PKCS#8 private key is the one the certificate's public key
/// belongs to: the RSA modulus, or the EC public point the key carries.
fn key_matches(pkcs8: &[u8], cert: &X509Certificate<'_>) -> KeyMatch {
    let Ok(public) = cert.public_key().parsed() else {
        return KeyMatch::NotChecked;
    };
    let from_key = match &public {
        PublicKey::RSA(_) => rsa_modulus(pkcs8),
        PublicKey::EC(_) => ec_point(pkcs8),
        _ => None,
    };
    let from_cert = match &public {
        PublicKey::RSA(rsa) => strip_zeros(rsa.modulus),
        PublicKey::EC(point) => point.data(),
        _ => return KeyMatch::NotChecked,
    };
    match from_key {
        Some(k) if k == from_cert => KeyMatch::Matches,
        Some(_) => KeyMatch::Differs,
        None => KeyMatch::NotChecked,
    }
}

/// PrivateKeyInfo.privateKey: the algorithm's own key structure (RFC 5208).
fn pkcs8_inner(pkcs8: &[u8]) -> Option<&[u8]> {
    let (_, info) = parse_der(pkcs8).ok()?;
    info.as_sequence().ok()?.get(2)?.as_slice().ok()
}

/// RSAPrivateKey.modulus (RFC 8017).
fn rsa_modulus(pkcs8: &[u8]) -> Option<&[u8]> {
    let (_, key) = parse_der(pkcs8_inner(pkcs8)?).ok()?;
    key.as_sequence()
        .ok()?
        .get(1)?
        .as_slice()
        .ok()
        .map(strip_zeros)
}

/// ECPrivateKey.publicKey, the `[1]` field (RFC 5915); OpenSSL and Windows write it.
fn ec_point(pkcs8: &[u8]) -> Option<&[u8]> {
    let (_, key) = parse_der(pkcs8_inner(pkcs8)?).ok()?;
    key.as_sequence().ok()?.iter().skip(2).find_map(|field| {
        let (class, tag, inner) = (field.class(), field.tag(), field.as_slice().ok()?);
        if class != x509_parser::der_parser::ber::Class::ContextSpecific || tag.0 != 1 {
            return None;
        }
        let (_, bits) = parse_der(inner).ok()?;
        bits.as_slice().ok()
    })
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// One terminal's certificate as the site names it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SiteCert {
    pub terminal: String,
    pub role: Role,
    pub file: PathBuf,
    pub status: Status,
    #[serde(flatten)]
    pub check: PfxCheck,
    /// Where site.toml names it, e.g. `terminals[0].certificate`.
    #[serde(skip)]
    key: KeyPath,
}

/// Every terminal's certificate, opened with its password from `secrets`.
pub fn check_site(loaded: &Loaded, secrets: &Secrets, now: SystemTime) -> Vec<SiteCert> {
    let root = KeyPath::root();
    loaded
        .site
        .terminals
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let file = loaded.resolve(&t.certificate);
            let check = match (secrets.certificate_password(&t.name), std::fs::read(&file)) {
                (_, Err(e)) => PfxCheck::only(Finding::Unreadable {
                    detail: e.to_string(),
                }),
                (None, Ok(_)) => PfxCheck::only(Finding::NoPassword),
                (Some(password), Ok(bytes)) => check_pfx(&bytes, password, now),
            };
            SiteCert {
                terminal: t.name.clone(),
                role: t.role,
                file,
                status: check.status(),
                check,
                key: root.key("terminals").index(i).key("certificate"),
            }
        })
        .collect()
}

/// `check`'s view: every certificate problem, located at the terminal's
/// `certificate` key, plus every missing secret. Unreadable files and missing
/// passwords are left out here: the input checks and the missing-secrets list
/// already say so.
pub fn check_problems(
    loaded: &Loaded,
    secrets_file: Option<&Path>,
    now: SystemTime,
) -> Vec<Problem> {
    let resolved = match crate::secrets_input::resolve(
        loaded,
        secrets_file,
        &crate::secrets_input::process_env,
    ) {
        Ok(r) => r,
        Err(e) => {
            let text = e.text();
            return vec![Problem::error(
                crate::secrets_input::problem_key(),
                text.ja,
                text.en,
            )];
        }
    };
    let mut problems = resolved.missing_problems(&loaded.site);
    for cert in check_site(loaded, &resolved.secrets, now) {
        for finding in &cert.check.findings {
            if matches!(finding, Finding::NoPassword | Finding::Unreadable { .. }) {
                continue;
            }
            let text = finding.message(&cert.terminal, &cert.file);
            let mut p = match finding.severity() {
                Severity::Error => Problem::error(cert.key.clone(), text.ja, text.en),
                Severity::Warning => Problem::warning(cert.key.clone(), text.ja, text.en),
            };
            loaded.locate(&mut p);
            problems.push(p);
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use oqs_e2e::pfx::{self, Encryption, KeyType};
    use std::time::Duration;

    fn at_days(days: i64) -> SystemTime {
        let offset = Duration::from_secs(days.unsigned_abs() * DAY as u64);
        if days >= 0 {
            SystemTime::now() + offset
        } else {
            SystemTime::now() - offset
        }
    }

    fn made(dir: &Path, encryption: Encryption, days: u32) -> (Vec<u8>, pfx::Made) {
        let path = dir.join("t.pfx");
        let m = pfx::make(
            &path,
            "OQS-TEST",
            "pfx-pass-1",
            days,
            encryption,
            KeyType::Rsa2048,
            true,
        );
        (std::fs::read(&path).unwrap(), m)
    }

    #[test]
    fn both_encryptions_open_and_match_openssl() {
        if !oqs_e2e::tools::require("certs::both_encryptions", &["openssl"]) {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        for enc in [Encryption::Aes256, Encryption::TripleDes] {
            let (bytes, m) = made(dir.path(), enc, 1200);
            let check = check_pfx(&bytes, &Secret::new("pfx-pass-1"), SystemTime::now());
            assert_eq!(check.findings, [], "{enc:?}");
            let info = check.info.unwrap();
            assert_eq!(info.subject, "C=JP, O=oqs-stick test, CN=OQS-TEST");
            // The same number: we print whole bytes as Windows does ("0C..."),
            // OpenSSL drops a leading zero nibble ("C...").
            assert_eq!(
                info.serial.trim_start_matches('0'),
                m.serial.trim_start_matches('0')
            );
            assert_eq!(info.thumbprint, m.sha1_thumbprint);
            assert_eq!(info.key, KeyMatch::Matches);
            assert!(
                (1198..=1200).contains(&info.days_left),
                "{}",
                info.days_left
            );
        }
    }

    #[test]
    fn wrong_password_expiry_and_warning() {
        if !oqs_e2e::tools::require("certs::wrong_password", &["openssl"]) {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let (bytes, _) = made(dir.path(), Encryption::TripleDes, 100);
        let wrong = check_pfx(&bytes, &Secret::new("not-it"), SystemTime::now());
        assert_eq!(wrong.findings, [Finding::WrongPassword]);
        assert_eq!(wrong.status(), Status::Error);

        let pass = Secret::new("pfx-pass-1");
        let soon = check_pfx(&bytes, &pass, at_days(20));
        assert!(
            matches!(
                soon.findings[..],
                [Finding::ExpiresSoon {
                    days_left: 79 | 80,
                    ..
                }]
            ),
            "{:?}",
            soon.findings
        );
        assert_eq!(soon.status(), Status::Warning);

        let expired = check_pfx(&bytes, &pass, at_days(101));
        assert!(
            matches!(expired.findings[..], [Finding::Expired { .. }]),
            "{:?}",
            expired.findings
        );
        let text = expired.findings[0].message("OQS-A", Path::new("certs/A.pfx"));
        assert!(
            text.en.contains("OQS-A")
                && text.en.contains("certs/A.pfx")
                && text.ja.contains("医療機関等向け総合ポータルサイト")
        );

        let early = check_pfx(&bytes, &pass, at_days(-2));
        assert!(
            matches!(early.findings[..], [Finding::NotYetValid { .. }]),
            "{:?}",
            early.findings
        );
    }

    #[test]
    fn no_key_not_pfx_and_key_mismatch() {
        if !oqs_e2e::tools::require("certs::no_key", &["openssl"]) {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nokey.pfx");
        pfx::make(
            &path,
            "OQS-B",
            "pw-123456",
            400,
            Encryption::Aes256,
            KeyType::Rsa2048,
            false,
        );
        let check = check_pfx(
            &std::fs::read(&path).unwrap(),
            &Secret::new("pw-123456"),
            SystemTime::now(),
        );
        assert_eq!(check.findings, [Finding::NoKey]);

        let junk = check_pfx(b"not a pfx at all", &Secret::new("x"), SystemTime::now());
        assert!(matches!(junk.findings[..], [Finding::NotPfx { .. }]));

        for key in [KeyType::Rsa2048, KeyType::EcP256] {
            let (key_a, cert_a) = pfx::key_and_cert_der("A", 10, key);
            let (key_b, _) = pfx::key_and_cert_der("B", 10, key);
            let (_, cert) = X509Certificate::from_der(&cert_a).unwrap();
            assert_eq!(key_matches(&key_a, &cert), KeyMatch::Matches, "{key:?}");
            assert_eq!(key_matches(&key_b, &cert), KeyMatch::Differs, "{key:?}");
        }
    }

    #[test]
    fn dates_are_japanese_days() {
        // 2026-03-31 15:00 UTC is already 2026-04-01 in Japan.
        assert_eq!(jst_date(1_774_969_200), "2026-04-01");
        assert_eq!(jst_date(1_774_969_199), "2026-03-31");
    }
}
