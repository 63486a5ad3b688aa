//! Where the builder gets a site's secrets, in this order, later ones winning:
//!
//! 1. `--secrets FILE`, by default `secrets.toml` beside site.toml (never
//!    site.toml itself: that file goes onto the stick as the site plan);
//! 2. environment variables, one per key: `OQS_SECRET_` + the secrets.toml key
//!    in capitals with `.` and `-` as `_`. An empty variable counts as unset.
//!
//!    | secrets.toml key           | variable                                  |
//!    | -------------------------- | ----------------------------------------- |
//!    | `accounts.setup_admin`     | `OQS_SECRET_ACCOUNTS_SETUP_ADMIN`         |
//!    | `accounts.oqs_com_app`     | `OQS_SECRET_ACCOUNTS_OQS_COM_APP`         |
//!    | `accounts.ons_renkei`      | `OQS_SECRET_ACCOUNTS_ONS_RENKEI`          |
//!    | `certificates.<TERMINAL>`  | `OQS_SECRET_CERTIFICATES_<TERMINAL>`, e.g. `OQS_SECRET_CERTIFICATES_OQS_UKETSUKE1` |
//!    | `credentials.login_key`    | `OQS_SECRET_CREDENTIALS_LOGIN_KEY`        |
//!    | `credentials.crypt_pass`   | `OQS_SECRET_CREDENTIALS_CRYPT_PASS`       |
//!    | `credentials.nas_login_key`| `OQS_SECRET_CREDENTIALS_NAS_LOGIN_KEY`    |
//!
//! 3. a no-echo prompt for whatever is still missing, only when stdin is a
//!    terminal. Without one, missing secrets are an error that lists their keys.
//!
//! The vault passphrase comes from `--vault-passphrase-file`, else
//! `OQS_VAULT_PASSPHRASE`, else a prompt asked twice.

use payload::secrets::Secrets;
use payload::site::{KeyPath, Loaded, Problem, Site, Unlock};
use payload::{Secret, Text, vault};
use std::fmt;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "secrets.toml";
pub const PASSPHRASE_ENV: &str = "OQS_VAULT_PASSPHRASE";
/// A lost stick can be attacked offline: scrypt slows guessing, length stops it.
pub const MIN_PASSPHRASE_CHARS: usize = 12;

/// The keys that are not per terminal.
const FIXED_KEYS: [&str; 6] = [
    "accounts.setup_admin",
    "accounts.oqs_com_app",
    "accounts.ons_renkei",
    "credentials.login_key",
    "credentials.crypt_pass",
    "credentials.nas_login_key",
];

/// How a variable is looked up: the process environment, or a map in tests.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Reads a secret without echo, asking twice when `confirm`.
pub trait Ask {
    fn secret(&mut self, label: &Text, confirm: bool) -> Result<Secret, SecretsInputError>;
}

/// The real terminal (rpassword reads the console, not a redirected stdin).
pub struct Terminal;

impl Terminal {
    /// `Some` only when stdin is a terminal a person can type into.
    pub fn if_interactive() -> Option<Terminal> {
        std::io::stdin().is_terminal().then_some(Terminal)
    }
}

impl Ask for Terminal {
    fn secret(&mut self, label: &Text, confirm: bool) -> Result<Secret, SecretsInputError> {
        for _ in 0..3 {
            let first = Secret::new(
                rpassword::prompt_password(format!("{label}: "))
                    .map_err(SecretsInputError::Prompt)?,
            );
            if !confirm {
                return Ok(first);
            }
            let again = Text::new("もう一度入力してください", "again to confirm");
            let second = Secret::new(
                rpassword::prompt_password(format!("{again}: "))
                    .map_err(SecretsInputError::Prompt)?,
            );
            if first == second {
                return Ok(first);
            }
            eprintln!(
                "{}",
                Text::new("一致しません。やり直してください", "they differ: try again")
            );
        }
        Err(SecretsInputError::NoMatch)
    }
}

#[derive(Debug)]
pub enum SecretsInputError {
    Io {
        file: PathBuf,
        source: std::io::Error,
    },
    File(vault::SecretsFileError),
    Missing {
        file: PathBuf,
        keys: Vec<String>,
    },
    Prompt(std::io::Error),
    NoMatch,
    NoPassphrase,
    ShortPassphrase {
        chars: usize,
    },
    Seal(vault::VaultError),
}

impl SecretsInputError {
    pub fn text(&self) -> Text {
        match self {
            SecretsInputError::Io { file, source } => Text::new(
                format!("{} を読めません: {source}", file.display()),
                format!("cannot read {}: {source}", file.display()),
            ),
            SecretsInputError::File(e) => e.text(),
            SecretsInputError::Missing { file, keys } => {
                let list: Vec<String> = keys
                    .iter()
                    .map(|k| format!("{k} ({})", env_name(k)))
                    .collect();
                let list = list.join(", ");
                Text::new(
                    format!(
                        "秘密情報が足りません: {list}。{} に書くか、( ) 内の環境変数を設定するか、端末から実行して入力してください",
                        file.display()
                    ),
                    format!(
                        "secrets missing: {list}; add them to {}, set the environment variables in brackets, or run in a terminal to be asked",
                        file.display()
                    ),
                )
            }
            SecretsInputError::Prompt(e) => Text::new(
                format!("入力を読めません: {e}"),
                format!("cannot read the answer: {e}"),
            ),
            SecretsInputError::NoMatch => Text::new(
                "3 回とも一致しませんでした",
                "the two entries differed three times",
            ),
            SecretsInputError::NoPassphrase => Text::new(
                format!(
                    "保管庫のパスフレーズがありません。--vault-passphrase-file を指定するか、{PASSPHRASE_ENV} を設定するか、端末から実行してください"
                ),
                format!(
                    "no vault passphrase: pass --vault-passphrase-file, set {PASSPHRASE_ENV}, or run in a terminal to be asked"
                ),
            ),
            SecretsInputError::ShortPassphrase { chars } => Text::new(
                format!(
                    "保管庫のパスフレーズが短すぎます ({chars} 文字)。{MIN_PASSPHRASE_CHARS} 文字以上にしてください (例: 単語を4つ並べる)"
                ),
                format!(
                    "the vault passphrase is too short ({chars} characters): use at least {MIN_PASSPHRASE_CHARS}, e.g. four words"
                ),
            ),
            SecretsInputError::Seal(e) => e.text(),
        }
    }
}

impl std::error::Error for SecretsInputError {}

impl fmt::Display for SecretsInputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.text())
    }
}

/// Secrets from the file and the environment, before any prompt.
#[derive(Debug)]
pub struct Resolved {
    pub secrets: Secrets,
    /// The secrets.toml looked at (it may not exist).
    pub file: PathBuf,
}

/// The `OQS_SECRET_...` variable for a secrets.toml key.
pub fn env_name(key: &str) -> String {
    format!(
        "OQS_SECRET_{}",
        key.replace(['.', '-'], "_").to_ascii_uppercase()
    )
}

/// `secrets.toml` beside site.toml.
pub fn default_file(loaded: &Loaded) -> PathBuf {
    loaded.resolve(FILE_NAME)
}

/// The file (`file`, else the default one, which may be absent), then `env` on top.
pub fn resolve(
    loaded: &Loaded,
    file: Option<&Path>,
    env: Env<'_>,
) -> Result<Resolved, SecretsInputError> {
    let path = file.map_or_else(|| default_file(loaded), Path::to_owned);
    let mut secrets = match std::fs::read_to_string(&path) {
        Ok(text) => vault::load_secrets(&text, &path).map_err(SecretsInputError::File)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && file.is_none() => Secrets::default(),
        Err(source) => return Err(SecretsInputError::Io { file: path, source }),
    };
    for key in all_keys(&loaded.site) {
        if let Some(value) = env(&env_name(&key)).filter(|v| !v.is_empty()) {
            set(&mut secrets, &key, Secret::new(value));
        }
    }
    Ok(Resolved {
        secrets,
        file: path,
    })
}

impl Resolved {
    /// Prompts for every missing key `ask_for` accepts.
    pub fn ask_missing(
        &mut self,
        site: &Site,
        ask: &mut dyn Ask,
        ask_for: &dyn Fn(&str) -> bool,
    ) -> Result<(), SecretsInputError> {
        for key in self.secrets.missing(site) {
            if ask_for(&key) {
                let value = ask.secret(&label(&key), !key.starts_with("certificates."))?;
                set(&mut self.secrets, &key, value);
            }
        }
        Ok(())
    }

    /// `check`'s problems for the keys still missing (keys only, never values).
    pub fn missing_problems(&self, site: &Site) -> Vec<Problem> {
        self.secrets
            .missing(site)
            .into_iter()
            .map(|key| {
                let file = self.file.display();
                let var = env_name(&key);
                Problem::error(
                    problem_key(),
                    format!(
                        "{key} がありません。{file} に書くか、環境変数 {var} を設定してください"
                    ),
                    format!("{key} is missing: add it to {file} or set {var}"),
                )
            })
            .collect()
    }
}

/// Where secrets problems point: secrets.toml, not a key of site.toml.
pub fn problem_key() -> KeyPath {
    KeyPath::root().key(FILE_NAME)
}

/// Everything `build` needs: file, environment, then a prompt when a person is
/// there; an error listing the keys still missing otherwise.
pub fn for_build(loaded: &Loaded, file: Option<&Path>) -> Result<Secrets, SecretsInputError> {
    let mut resolved = resolve(loaded, file, &process_env)?;
    if let Some(mut terminal) = Terminal::if_interactive() {
        resolved.ask_missing(&loaded.site, &mut terminal, &|_| true)?;
    }
    let keys = resolved.secrets.missing(&loaded.site);
    if !keys.is_empty() {
        return Err(SecretsInputError::Missing {
            file: resolved.file,
            keys,
        });
    }
    Ok(resolved.secrets)
}

/// The vault passphrase: `file` (its first line), else `env`'s
/// [`PASSPHRASE_ENV`], else `ask` (twice). At least [`MIN_PASSPHRASE_CHARS`].
pub fn vault_passphrase(
    file: Option<&Path>,
    env: Env<'_>,
    ask: Option<&mut dyn Ask>,
) -> Result<Secret, SecretsInputError> {
    let passphrase = if let Some(path) = file {
        let text = std::fs::read_to_string(path).map_err(|source| SecretsInputError::Io {
            file: path.to_owned(),
            source,
        })?;
        Secret::new(text.lines().next().unwrap_or_default())
    } else if let Some(value) = env(PASSPHRASE_ENV).filter(|v| !v.is_empty()) {
        Secret::new(value)
    } else if let Some(ask) = ask {
        ask.secret(
            &Text::new(
                "保管庫のパスフレーズ (初回起動時に入力します)",
                "vault passphrase (typed in at the terminal's first start)",
            ),
            true,
        )?
    } else {
        return Err(SecretsInputError::NoPassphrase);
    };
    let chars = passphrase.expose().chars().count();
    if chars < MIN_PASSPHRASE_CHARS {
        return Err(SecretsInputError::ShortPassphrase { chars });
    }
    Ok(passphrase)
}

/// The vault and, for a zero-touch site, its key file: the two files that
/// carry secrets onto the stick (`layout::VAULT`, `layout::VAULT_KEY`).
#[derive(Debug)]
pub struct SealedVault {
    pub vault: Vec<u8>,
    pub key_file: Option<Secret>,
}

/// Seals `secrets` as the site's policy says. `passphrase` is called only for
/// a site that unlocks with a passphrase.
pub fn seal_vault(
    site: &Site,
    secrets: &Secrets,
    passphrase: impl FnOnce() -> Result<Secret, SecretsInputError>,
) -> Result<SealedVault, SecretsInputError> {
    let plaintext = vault::render(secrets);
    match site.secrets.unlock {
        Unlock::Prompt => Ok(SealedVault {
            vault: vault::seal(plaintext.expose(), &passphrase()?)
                .map_err(SecretsInputError::Seal)?,
            key_file: None,
        }),
        Unlock::KeyFileOnStick => {
            let (key_file, key) = vault::new_key_file();
            Ok(SealedVault {
                vault: vault::seal_with_key(plaintext.expose(), &key)
                    .map_err(SecretsInputError::Seal)?,
                key_file: Some(key_file),
            })
        }
    }
}

/// What `build` prints, loudly, for a zero-touch site.
pub fn zero_touch_warning() -> Text {
    Text::new(
        format!(
            "警告: site.toml の secrets.unlock = \"key-file-on-stick\" のため、保管庫のキー ({}) をスティックに置きます。\
             このスティックを持つ人は誰でもすべてのパスワードと証明書を使えます。施錠して保管し、設定後は消去してください",
            payload::layout::VAULT_KEY
        ),
        format!(
            "WARNING: secrets.unlock = \"key-file-on-stick\" in site.toml, so the vault key ({}) goes onto the stick: \
             whoever holds this stick can use every password and certificate on it. Keep it locked away and wipe it after set-up",
            payload::layout::VAULT_KEY
        ),
    )
}

/// Every key a site can use: the fixed ones and one certificate per terminal.
fn all_keys(site: &Site) -> Vec<String> {
    FIXED_KEYS
        .iter()
        .map(|k| (*k).to_owned())
        .chain(
            site.terminals
                .iter()
                .map(|t| format!("certificates.{}", t.name)),
        )
        .collect()
}

fn set(secrets: &mut Secrets, key: &str, value: Secret) {
    let (a, c) = (&mut secrets.accounts, &mut secrets.credentials);
    let slot = match key {
        "accounts.setup_admin" => &mut a.setup_admin,
        "accounts.oqs_com_app" => &mut a.oqs_com_app,
        "accounts.ons_renkei" => &mut a.ons_renkei,
        "credentials.login_key" => &mut c.login_key,
        "credentials.crypt_pass" => &mut c.crypt_pass,
        "credentials.nas_login_key" => &mut c.nas_login_key,
        _ => {
            if let Some(terminal) = key.strip_prefix("certificates.") {
                secrets
                    .certificates
                    .retain(|k, _| !k.eq_ignore_ascii_case(terminal));
                secrets.certificates.insert(terminal.to_owned(), value);
            }
            return;
        }
    };
    *slot = Some(value);
}

/// The prompt for a key: what it is, in words, and the key itself.
fn label(key: &str) -> Text {
    let (ja, en) = match key {
        "accounts.setup_admin" => (
            "セットアップ用管理者のパスワード".to_owned(),
            "set-up administrator's password".to_owned(),
        ),
        "accounts.oqs_com_app" => (
            "OqsComApp ユーザーのパスワード".to_owned(),
            "OqsComApp user's password".to_owned(),
        ),
        "accounts.ons_renkei" => (
            "ONSRenkei ユーザーのパスワード".to_owned(),
            "ONSRenkei user's password".to_owned(),
        ),
        "credentials.login_key" => (
            "OQS_LOGIN_KEY (連携アプリのログインキー)".to_owned(),
            "OQS_LOGIN_KEY (the link app's login key)".to_owned(),
        ),
        "credentials.crypt_pass" => (
            "OQS_CRYPT_PASS (レセコンの暗号化パスワード)".to_owned(),
            "OQS_CRYPT_PASS (the claims system's encryption password)".to_owned(),
        ),
        "credentials.nas_login_key" => (
            "OQS_NAS_LOGIN_KEY (共有フォルダーのパスワード)".to_owned(),
            "OQS_NAS_LOGIN_KEY (the share's password)".to_owned(),
        ),
        _ => {
            let terminal = key.strip_prefix("certificates.").unwrap_or(key);
            (
                format!("端末 {terminal} の証明書 (PFX) のパスワード"),
                format!("password of terminal {terminal}'s certificate (PFX)"),
            )
        }
    };
    Text::new(format!("{ja} [{key}]"), format!("{en} [{key}]"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const SITE: &str = "[clinic]\nname = \"c\"\nmedical_institution_code = \"2312345678\"\nline = \"east\"\n\n\
                        [[terminals]]\nname = \"OQS-A\"\nrole = \"primary\"\ncertificate = \"a.pfx\"\n";

    fn site_in(dir: &Path) -> Loaded {
        payload::site::parse(SITE, &dir.join("site.toml")).unwrap()
    }

    struct Scripted(Vec<&'static str>, Vec<String>);

    impl Ask for Scripted {
        fn secret(&mut self, label: &Text, _confirm: bool) -> Result<Secret, SecretsInputError> {
            self.1.push(label.en.clone());
            Ok(Secret::new(self.0.remove(0)))
        }
    }

    #[test]
    fn env_names_follow_the_keys() {
        assert_eq!(
            env_name("accounts.oqs_com_app"),
            "OQS_SECRET_ACCOUNTS_OQS_COM_APP"
        );
        assert_eq!(
            env_name("certificates.OQS-Uketsuke1"),
            "OQS_SECRET_CERTIFICATES_OQS_UKETSUKE1"
        );
    }

    #[test]
    fn file_then_env_then_prompt() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("secrets.toml"),
            "[accounts]\nsetup_admin = \"from-file\"\noqs_com_app = \"file-oqs\"\n",
        )
        .unwrap();
        let loaded = site_in(dir.path());
        let vars: HashMap<String, String> = [
            ("OQS_SECRET_ACCOUNTS_SETUP_ADMIN", "from-env"),
            ("OQS_SECRET_CERTIFICATES_OQS_A", "pfx-env"),
            ("OQS_SECRET_CREDENTIALS_CRYPT_PASS", ""),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let env = |name: &str| vars.get(name).cloned();
        let mut resolved = resolve(&loaded, None, &env).unwrap();
        let s = &resolved.secrets;
        assert_eq!(
            s.accounts.setup_admin.as_ref().unwrap().expose(),
            "from-env"
        );
        assert_eq!(
            s.accounts.oqs_com_app.as_ref().unwrap().expose(),
            "file-oqs"
        );
        assert_eq!(s.certificate_password("oqs-a").unwrap().expose(), "pfx-env");
        assert!(
            s.credentials.crypt_pass.is_none(),
            "an empty variable is unset"
        );
        assert_eq!(s.missing(&loaded.site), ["credentials.login_key"]);

        let problems = resolved.missing_problems(&loaded.site);
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0]
                .message
                .en
                .contains("OQS_SECRET_CREDENTIALS_LOGIN_KEY")
        );

        let mut ask = Scripted(vec!["typed-login-key"], Vec::new());
        resolved
            .ask_missing(&loaded.site, &mut ask, &|_| true)
            .unwrap();
        assert_eq!(
            ask.1,
            ["OQS_LOGIN_KEY (the link app's login key) [credentials.login_key]"]
        );
        assert!(resolved.secrets.missing(&loaded.site).is_empty());
    }

    #[test]
    fn errors_name_keys_and_files_never_values() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = site_in(dir.path());
        let none = |_: &str| None;
        let explicit = dir.path().join("nowhere.toml");
        let err = resolve(&loaded, Some(&explicit), &none).unwrap_err();
        assert!(err.text().en.contains("nowhere.toml"), "{err}");

        std::fs::write(
            dir.path().join("secrets.toml"),
            "[accounts]\nsetup_admin = 'oops\n",
        )
        .unwrap();
        let err = resolve(&loaded, None, &none).unwrap_err();
        assert!(
            err.text().en.contains("secrets.toml:2:"),
            "{}",
            err.text().en
        );
        assert!(!err.text().en.contains("oops"));

        let missing = SecretsInputError::Missing {
            file: "s.toml".into(),
            keys: vec!["certificates.OQS-A".into()],
        };
        assert!(
            missing
                .text()
                .en
                .contains("certificates.OQS-A (OQS_SECRET_CERTIFICATES_OQS_A)")
        );
    }

    #[test]
    fn passphrase_sources_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pass.txt");
        std::fs::write(&file, "from the file, long enough\n").unwrap();
        let env = |name: &str| (name == PASSPHRASE_ENV).then(|| "from the environment".to_owned());
        let none = |_: &str| None;
        assert_eq!(
            vault_passphrase(Some(&file), &env, None).unwrap().expose(),
            "from the file, long enough"
        );
        assert_eq!(
            vault_passphrase(None, &env, None).unwrap().expose(),
            "from the environment"
        );
        let mut ask = Scripted(vec!["typed passphrase here"], Vec::new());
        assert_eq!(
            vault_passphrase(None, &none, Some(&mut ask))
                .unwrap()
                .expose(),
            "typed passphrase here"
        );
        assert!(matches!(
            vault_passphrase(None, &none, None),
            Err(SecretsInputError::NoPassphrase)
        ));
        let short = |_: &str| Some("short".to_owned());
        assert!(matches!(
            vault_passphrase(None, &short, None),
            Err(SecretsInputError::ShortPassphrase { chars: 5 })
        ));
    }

    #[test]
    fn zero_touch_seals_to_a_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut loaded = site_in(dir.path());
        loaded.site.secrets.unlock = Unlock::KeyFileOnStick;
        let mut secrets = Secrets::default();
        secrets.accounts.setup_admin = Some(Secret::new("zero-touch-admin"));
        let sealed = seal_vault(&loaded.site, &secrets, || {
            panic!("no passphrase for zero-touch")
        })
        .unwrap();
        let key = vault::parse_key_file(sealed.key_file.as_ref().unwrap().expose()).unwrap();
        let opened = vault::open_with_key(&sealed.vault, &key).unwrap();
        assert_eq!(
            opened.accounts.setup_admin.unwrap().expose(),
            "zero-touch-admin"
        );
    }
}
