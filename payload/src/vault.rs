//! The secrets vault on the stick (`oqs/secrets.age`): the text of secrets.toml,
//! encrypted with age either to a passphrase (scrypt) that firstboot asks for, or,
//! where the site chooses zero-touch, to an X25519 key kept beside it
//! (`oqs/secrets.key`).
//!
//! Also reads secrets.toml text (from the operator's PC or out of the vault) with
//! errors that point at the line and key but never show a value: a mistyped
//! password is still a password.

use crate::layout;
use crate::secrets::Secrets;
use crate::site::Position;
use crate::{Secret, Text};
use age::secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// scrypt work factor (N = 2^18, 256 MiB): about a second on the builder's PC and
/// a few on an old clinic terminal, once per set-up. That makes guessing a
/// passphrase from a lost stick slow without making firstboot wait long.
pub const WORK_FACTOR: u8 = 18;

/// The most work firstboot accepts from a vault (2^22 = 4 GiB of memory). A
/// vault asking for more is damaged or not ours.
const MAX_WORK_FACTOR: u8 = 22;

#[derive(Debug)]
pub enum VaultError {
    /// The passphrase does not open the vault.
    WrongPassphrase,
    /// The key file does not open the vault.
    WrongKey,
    /// The vault was sealed to the other kind of key (passphrase vs key file).
    OtherUnlock { sealed_to_passphrase: bool },
    /// Not a vault, truncated, or altered.
    Corrupt { detail: String },
    /// The vault demands more scrypt work than we allow.
    TooMuchWork { required: u8 },
    /// The key file is not an age X25519 identity.
    BadKeyFile,
    /// Encryption itself failed (only an I/O failure into memory could cause it).
    Seal { detail: String },
    /// The vault opened but its content is not a valid secrets.toml.
    Contents(SecretsFileError),
}

impl std::error::Error for VaultError {}

impl VaultError {
    /// The message in both languages: what happened and what to do.
    pub fn text(&self) -> Text {
        let vault = layout::VAULT;
        match self {
            VaultError::WrongPassphrase => Text::new(
                "パスフレーズが違います。スティックを作成した人に正しいパスフレーズを確認してください",
                "wrong passphrase for the secrets vault: ask whoever built the stick for the right one",
            ),
            VaultError::WrongKey => Text::new(
                format!(
                    "{} では {vault} を開けません。別のスティックのキーです。スティックを作り直してください",
                    layout::VAULT_KEY
                ),
                format!(
                    "{} does not open {vault}: it belongs to another stick; build the stick again",
                    layout::VAULT_KEY
                ),
            ),
            VaultError::OtherUnlock {
                sealed_to_passphrase: true,
            } => Text::new(
                format!("{vault} はパスフレーズで暗号化されています。キーファイルでは開けません"),
                format!("{vault} is sealed with a passphrase, not a key file"),
            ),
            VaultError::OtherUnlock {
                sealed_to_passphrase: false,
            } => Text::new(
                format!(
                    "{vault} はキーファイルで暗号化されています。{} がスティックにあるか確認してください",
                    layout::VAULT_KEY
                ),
                format!(
                    "{vault} is sealed to a key file: check that {} is on the stick",
                    layout::VAULT_KEY
                ),
            ),
            VaultError::Corrupt { detail } => Text::new(
                format!("{vault} が壊れています ({detail})。スティックを作り直してください"),
                format!("{vault} is damaged ({detail}): build the stick again"),
            ),
            VaultError::TooMuchWork { required } => Text::new(
                format!(
                    "{vault} の scrypt 作業量 2^{required} が上限 2^{MAX_WORK_FACTOR} を超えています。oqs-builder でスティックを作り直してください"
                ),
                format!(
                    "{vault} asks for scrypt work 2^{required}, above the limit 2^{MAX_WORK_FACTOR}: build the stick again with oqs-builder"
                ),
            ),
            VaultError::BadKeyFile => Text::new(
                format!(
                    "{} はキーファイルではありません (AGE-SECRET-KEY-1... の行がありません)。スティックを作り直してください",
                    layout::VAULT_KEY
                ),
                format!(
                    "{} is not a vault key file (no AGE-SECRET-KEY-1... line): build the stick again",
                    layout::VAULT_KEY
                ),
            ),
            VaultError::Seal { detail } => Text::new(
                format!("秘密情報を暗号化できません: {detail}"),
                format!("cannot encrypt the secrets: {detail}"),
            ),
            VaultError::Contents(e) => e.text(),
        }
    }
}

impl fmt::Display for VaultError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.text())
    }
}

/// secrets.toml that could not be read. Names the file, line, column and key; the
/// message has every quoted value taken out.
#[derive(Clone, Debug)]
pub struct SecretsFileError {
    pub file: PathBuf,
    pub position: Option<Position>,
    /// Dotted key, e.g. `accounts.setup_admin`, when the error is at one.
    pub key: Option<String>,
    pub message: String,
}

impl std::error::Error for SecretsFileError {}

impl SecretsFileError {
    pub fn text(&self) -> Text {
        let at = self
            .position
            .map_or(String::new(), |p| format!(":{}:{}", p.line, p.column));
        let key = self
            .key
            .as_ref()
            .map_or(String::new(), |k| format!(" {k}:"));
        Text::new(
            format!(
                "{}{at}:{key} secrets.toml の書き方が正しくありません: {}。値は \"...\" で囲んだ文字列にしてください",
                self.file.display(),
                self.message
            ),
            format!(
                "{}{at}:{key} not a valid secrets.toml: {}; each value must be a string in \"quotes\"",
                self.file.display(),
                self.message
            ),
        )
    }
}

impl fmt::Display for SecretsFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.text())
    }
}

/// Encrypts secrets.toml text to `passphrase`, with the default [`WORK_FACTOR`].
pub fn seal(plaintext_secrets_toml: &str, passphrase: &Secret) -> Result<Vec<u8>, VaultError> {
    seal_with_work_factor(plaintext_secrets_toml, passphrase, WORK_FACTOR)
}

/// [`seal`] with scrypt's N = 2^`log_n` (1..=[`MAX_WORK_FACTOR`]). Tests use a
/// small one; a stick should not.
pub fn seal_with_work_factor(
    plaintext_secrets_toml: &str,
    passphrase: &Secret,
    log_n: u8,
) -> Result<Vec<u8>, VaultError> {
    let log_n = log_n.clamp(1, MAX_WORK_FACTOR);
    let mut recipient = age::scrypt::Recipient::new(secret_string(passphrase));
    recipient.set_work_factor(log_n);
    encrypt(plaintext_secrets_toml, &recipient)
}

/// Decrypts a passphrase vault and reads the secrets in it.
pub fn open(ciphertext: &[u8], passphrase: &Secret) -> Result<Secrets, VaultError> {
    let mut identity = age::scrypt::Identity::new(secret_string(passphrase));
    identity.set_max_work_factor(MAX_WORK_FACTOR);
    decrypt(ciphertext, &identity, true)
}

/// The zero-touch key: an age X25519 identity. Never printed.
pub struct VaultKey(age::x25519::Identity);

impl fmt::Debug for VaultKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VaultKey(REDACTED)")
    }
}

/// A fresh key and the text of its key file (an age identity file, so `age -d -i`
/// opens the vault too). The text is the key: it goes only onto the stick.
pub fn new_key_file() -> (Secret, VaultKey) {
    let identity = age::x25519::Identity::generate();
    let text = format!(
        "# oqs-stick vault key (zero-touch). Whoever holds this stick can read every secret on it.\n\
         # oqs-stick 保管庫キー (ゼロタッチ)。このスティックを持つ人は誰でもすべての秘密情報を読めます。\n\
         # public key: {}\n\
         {}\n",
        identity.to_public(),
        identity.to_string().expose_secret()
    );
    (Secret::new(text), VaultKey(identity))
}

/// Reads a key file written by [`new_key_file`] (comment lines are skipped).
pub fn parse_key_file(text: &str) -> Result<VaultKey, VaultError> {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .and_then(|l| l.parse::<age::x25519::Identity>().ok())
        .map(VaultKey)
        .ok_or(VaultError::BadKeyFile)
}

pub fn seal_with_key(plaintext_secrets_toml: &str, key: &VaultKey) -> Result<Vec<u8>, VaultError> {
    encrypt(plaintext_secrets_toml, &key.0.to_public())
}

pub fn open_with_key(ciphertext: &[u8], key: &VaultKey) -> Result<Secrets, VaultError> {
    decrypt(ciphertext, &key.0, false)
}

fn secret_string(s: &Secret) -> SecretString {
    SecretString::from(s.expose().to_owned())
}

fn encrypt(plaintext: &str, recipient: &dyn age::Recipient) -> Result<Vec<u8>, VaultError> {
    let seal_error = |e: &dyn fmt::Display| VaultError::Seal {
        detail: e.to_string(),
    };
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(recipient)).map_err(|e| seal_error(&e))?;
    let mut out = Vec::new();
    let mut writer = encryptor
        .wrap_output(&mut out)
        .map_err(|e| seal_error(&e))?;
    std::io::Write::write_all(&mut writer, plaintext.as_bytes()).map_err(|e| seal_error(&e))?;
    writer.finish().map_err(|e| seal_error(&e))?;
    Ok(out)
}

fn decrypt(
    ciphertext: &[u8],
    identity: &dyn age::Identity,
    passphrase: bool,
) -> Result<Secrets, VaultError> {
    let corrupt = |e: &dyn fmt::Display| VaultError::Corrupt {
        detail: e.to_string(),
    };
    let decryptor = age::Decryptor::new_buffered(ciphertext).map_err(|e| corrupt(&e))?;
    if decryptor.is_scrypt() != passphrase {
        return Err(VaultError::OtherUnlock {
            sealed_to_passphrase: decryptor.is_scrypt(),
        });
    }
    let mut reader = decryptor
        .decrypt(std::iter::once(identity))
        .map_err(|e| match e {
            age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys
                if passphrase =>
            {
                VaultError::WrongPassphrase
            }
            age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys => {
                VaultError::WrongKey
            }
            age::DecryptError::ExcessiveWork { required, .. } => {
                VaultError::TooMuchWork { required }
            }
            other => corrupt(&other),
        })?;
    let mut plain = Zeroizing::new(Vec::new());
    reader.read_to_end(&mut plain).map_err(|e| corrupt(&e))?;
    let text = std::str::from_utf8(&plain).map_err(|_| VaultError::Corrupt {
        detail: "not UTF-8 text".into(),
    })?;
    load_secrets(text, Path::new(layout::VAULT)).map_err(VaultError::Contents)
}

/// Parses secrets.toml text; `file` names it in errors.
pub fn load_secrets(text: &str, file: &Path) -> Result<Secrets, SecretsFileError> {
    toml::from_str::<Secrets>(text).map_err(|e| {
        let offset = e.span().map(|s| s.start);
        SecretsFileError {
            file: file.to_owned(),
            position: offset.map(|o| position(text, o)),
            key: offset.and_then(|o| key_at(text, o)),
            message: without_quoted_values(e.message().trim()),
        }
    })
}

/// secrets.toml text for `secrets`, as [`load_secrets`] reads it: what goes into the vault.
pub fn render(secrets: &Secrets) -> Secret {
    let mut out = String::new();
    let mut section = |name: &str, entries: &[(&str, Option<&Secret>)]| {
        out.push_str(&format!("[{name}]\n"));
        for (key, value) in entries {
            if let Some(value) = value {
                out.push_str(&format!(
                    "{} = {}\n",
                    toml_key(key),
                    toml_string(value.expose())
                ));
            }
        }
    };
    let a = &secrets.accounts;
    section(
        "accounts",
        &[
            ("setup_admin", a.setup_admin.as_ref()),
            ("oqs_com_app", a.oqs_com_app.as_ref()),
            ("ons_renkei", a.ons_renkei.as_ref()),
        ],
    );
    let certs: Vec<(&str, Option<&Secret>)> = secrets
        .certificates
        .iter()
        .map(|(k, v)| (k.as_str(), Some(v)))
        .collect();
    section("certificates", &certs);
    let c = &secrets.credentials;
    section(
        "credentials",
        &[
            ("login_key", c.login_key.as_ref()),
            ("crypt_pass", c.crypt_pass.as_ref()),
            ("nas_login_key", c.nas_login_key.as_ref()),
        ],
    );
    Secret::new(out)
}

fn toml_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if bare {
        key.to_owned()
    } else {
        toml_string(key)
    }
}

/// A TOML basic string: every character a basic string cannot hold is escaped.
fn toml_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// 1-based line and column (in characters) of a byte offset.
fn position(text: &str, offset: usize) -> Position {
    let before = &text[..text.floor_char_boundary(offset.min(text.len()))];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Position {
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
    }
}

/// The dotted key whose key or value covers `offset`, e.g. `certificates.OQS-A`.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let doc = toml_edit::Document::parse(text).ok()?;
    key_in(doc.as_table(), offset, "")
}

fn key_in(table: &dyn toml_edit::TableLike, offset: usize, prefix: &str) -> Option<String> {
    let covers = |span: Option<std::ops::Range<usize>>| span.is_some_and(|s| s.contains(&offset));
    for (key, item) in table.iter() {
        let path = if prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{prefix}.{key}")
        };
        if let Some(inner) = item.as_table_like()
            && let Some(found) = key_in(inner, offset, &path)
        {
            return Some(found);
        }
        let key_span = table.key(key).and_then(|k| k.span());
        if covers(key_span) || covers(item.span()) {
            return Some(path);
        }
    }
    None
}

/// The schema's own names may stay in a message; any other quoted text might be
/// (part of) a secret and is replaced by `…`.
fn without_quoted_values(message: &str) -> String {
    const NAMES: [&str; 9] = [
        "accounts",
        "certificates",
        "credentials",
        "setup_admin",
        "oqs_com_app",
        "ons_renkei",
        "login_key",
        "crypt_pass",
        "nas_login_key",
    ];
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find(['`', '"']) {
        let quote = rest[start..].chars().next().unwrap_or('"');
        let Some(len) = rest[start + 1..].find(quote) else {
            break;
        };
        let inner = &rest[start + 1..start + 1 + len];
        out.push_str(&rest[..=start]);
        let harmless = NAMES.contains(&inner) || !inner.chars().any(char::is_alphanumeric);
        out.push_str(if harmless { inner } else { "…" });
        out.push(quote);
        rest = &rest[start + 2 + len..];
    }
    if rest.contains(['`', '"']) {
        // An unpaired quote: whatever follows it could be a value.
        let cut = rest.find(['`', '"']).unwrap_or(rest.len());
        out.push_str(&rest[..cut]);
        out.push('…');
    } else {
        out.push_str(rest);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: &str = "[accounts]\nsetup_admin = \"Adm!n-Pass\"\noqs_com_app = \"Oqs\\\"Quote\"\n\n\
                        [certificates]\nOQS-A = \"pfx-a\"\n\n[credentials]\nlogin_key = \"LK-1\"\n";

    fn pass(s: &str) -> Secret {
        Secret::new(s)
    }

    #[test]
    fn passphrase_round_trip() {
        let sealed = seal_with_work_factor(DEMO, &pass("correct horse"), 4).unwrap();
        assert!(sealed.starts_with(b"age-encryption.org/v1\n"));
        assert!(!sealed.windows(10).any(|w| w == b"Adm!n-Pass"));
        let s = open(&sealed, &pass("correct horse")).unwrap();
        assert_eq!(
            s.accounts.setup_admin.as_ref().unwrap().expose(),
            "Adm!n-Pass"
        );
        assert_eq!(
            s.accounts.oqs_com_app.as_ref().unwrap().expose(),
            "Oqs\"Quote"
        );
        assert_eq!(s.certificate_password("oqs-a").unwrap().expose(), "pfx-a");
    }

    #[test]
    fn wrong_passphrase_is_named_without_secrets() {
        let sealed = seal_with_work_factor(DEMO, &pass("correct horse"), 4).unwrap();
        let err = open(&sealed, &pass("battery staple")).unwrap_err();
        assert!(matches!(err, VaultError::WrongPassphrase), "{err:?}");
        let shown = format!("{err} {err:?}");
        for secret in ["correct horse", "battery staple", "Adm!n-Pass", "pfx-a"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        crate::text::set_lang(crate::Lang::En);
        assert!(err.to_string().contains("wrong passphrase"));
    }

    #[test]
    fn default_work_factor_is_what_the_header_says() {
        let sealed = seal(DEMO, &pass("p")).unwrap();
        let header = String::from_utf8_lossy(&sealed[..80]);
        assert!(header.contains(&format!(" {WORK_FACTOR}\n")), "{header}");
    }

    #[test]
    fn damage_and_truncation_are_corrupt() {
        let sealed = seal_with_work_factor(DEMO, &pass("p"), 4).unwrap();
        let mut flipped = sealed.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert!(matches!(
            open(&flipped, &pass("p")),
            Err(VaultError::Corrupt { .. })
        ));
        assert!(matches!(
            open(&sealed[..sealed.len() - 20], &pass("p")),
            Err(VaultError::Corrupt { .. })
        ));
        assert!(matches!(
            open(b"hello", &pass("p")),
            Err(VaultError::Corrupt { .. })
        ));
    }

    #[test]
    fn key_file_round_trip_and_mismatches() {
        let (text, key) = new_key_file();
        assert!(text.expose().contains("AGE-SECRET-KEY-1"));
        assert_eq!(format!("{key:?}"), "VaultKey(REDACTED)");
        let sealed = seal_with_key(DEMO, &parse_key_file(text.expose()).unwrap()).unwrap();
        let s = open_with_key(&sealed, &key).unwrap();
        assert_eq!(s.credentials.login_key.unwrap().expose(), "LK-1");

        let (_, other) = new_key_file();
        assert!(matches!(
            open_with_key(&sealed, &other),
            Err(VaultError::WrongKey)
        ));
        assert!(matches!(
            open(&sealed, &pass("p")),
            Err(VaultError::OtherUnlock {
                sealed_to_passphrase: false
            })
        ));
        assert!(matches!(
            parse_key_file("# nothing\nhello\n"),
            Err(VaultError::BadKeyFile)
        ));
    }

    #[test]
    fn render_reads_back_the_same() {
        let original = load_secrets(DEMO, Path::new("secrets.toml")).unwrap();
        let mut odd = original.clone();
        odd.certificates
            .insert("odd key".into(), Secret::new("tab\there\\ and \u{1}"));
        let again = load_secrets(render(&odd).expose(), Path::new("x")).unwrap();
        assert_eq!(
            again.accounts.oqs_com_app.as_ref().unwrap().expose(),
            "Oqs\"Quote"
        );
        assert_eq!(
            again.certificate_password("odd key").unwrap().expose(),
            "tab\there\\ and \u{1}"
        );
        assert_eq!(again.all_values().len(), odd.all_values().len());
    }

    #[test]
    fn load_errors_locate_the_key_and_hide_the_value() {
        let text = "[accounts]\nsetup_admin = 12345678\n";
        let err = load_secrets(text, Path::new("site/secrets.toml")).unwrap_err();
        assert_eq!(err.key.as_deref(), Some("accounts.setup_admin"));
        assert_eq!(err.position.map(|p| p.line), Some(2));
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("12345678"), "{shown}");
        assert!(shown.contains("site/secrets.toml:2:"), "{shown}");

        let text = "[certificates]\nOQS-A = true\n[credentials]\nlogin_key = [\"hunter22\"]\n";
        let err = load_secrets(text, Path::new("s.toml")).unwrap_err();
        assert_eq!(err.key.as_deref(), Some("certificates.OQS-A"));

        let text = "[credentials]\nlogin_key = [\"hunter22\"]\n";
        let err = load_secrets(text, Path::new("s.toml")).unwrap_err();
        assert_eq!(err.key.as_deref(), Some("credentials.login_key"));
        assert!(!format!("{err}").contains("hunter22"), "{err}");

        let err =
            load_secrets("[accounts]\nsetup_admn = \"x\"\n", Path::new("s.toml")).unwrap_err();
        assert_eq!(err.key.as_deref(), Some("accounts.setup_admn"));
        assert!(err.message.contains("setup_admin"), "{}", err.message);

        let err = load_secrets(
            "[accounts]\nsetup_admin = \"unterminated\n",
            Path::new("s.toml"),
        )
        .unwrap_err();
        assert_eq!(err.position.map(|p| p.line), Some(2));
        assert!(!format!("{err}").contains("unterminated"), "{err}");
    }

    #[test]
    fn quoted_values_are_taken_out_of_messages() {
        assert_eq!(
            without_quoted_values("invalid type: string \"s3cret\", expected `setup_admin` or `=`"),
            "invalid type: string \"…\", expected `setup_admin` or `=`"
        );
        assert_eq!(without_quoted_values("bad `half open"), "bad …");
    }
}
