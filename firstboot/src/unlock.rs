//! Opening the secrets vault on the stick: with the key file beside it where the
//! site chose zero-touch, else with the passphrase, asked for once (three tries)
//! in Japanese and English. `OQS_VAULT_PASSPHRASE` answers instead of a person
//! for unattended tests.

use crate::stick::Stick;
use payload::secrets::Secrets;
use payload::site::Unlock;
use payload::vault::{self, VaultError};
use payload::{Secret, Text, layout};
use std::fmt;

pub const PASSPHRASE_ENV: &str = "OQS_VAULT_PASSPHRASE";
pub const TRIES: usize = 3;

/// Where the passphrase comes from and where notes go; injected so tests can
/// type wrong passphrases.
pub trait Console {
    /// Reads a passphrase without echo; `None` when no one can answer (no console, end of input).
    fn passphrase(&mut self, prompt: &Text) -> std::io::Result<Option<Secret>>;
    fn note(&mut self, text: &Text);
}

/// The real console: no-echo input through rpassword, notes on stderr.
pub struct Terminal;

impl Console for Terminal {
    fn passphrase(&mut self, prompt: &Text) -> std::io::Result<Option<Secret>> {
        match rpassword::prompt_password(format!("{}\n{}\n> ", prompt.ja, prompt.en)) {
            Ok(s) => Ok(Some(Secret::new(s))),
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn note(&mut self, text: &Text) {
        eprintln!("{}\n{}", text.ja, text.en);
    }
}

#[derive(Debug)]
pub enum UnlockError {
    /// A file on the stick could not be read.
    Read {
        path: String,
        detail: String,
    },
    /// Zero-touch site, but the key file is not on the stick.
    NoKeyFile,
    Vault(VaultError),
    /// Three wrong passphrases.
    TooManyTries,
    /// No one to ask (no console) and no `OQS_VAULT_PASSPHRASE`.
    NoAnswer,
    Console(std::io::Error),
}

impl UnlockError {
    pub fn text(&self) -> Text {
        match self {
            UnlockError::Read { path, detail } => Text::new(
                format!(
                    "スティックの {path} を読めません ({detail})。スティックを差し直してください"
                ),
                format!("cannot read {path} on the stick ({detail}): plug the stick in again"),
            ),
            UnlockError::NoKeyFile => Text::new(
                format!(
                    "site.toml はキーファイルで開く設定ですが、{} がスティックにありません。スティックを作り直してください",
                    layout::VAULT_KEY
                ),
                format!(
                    "site.toml says the vault opens with a key file, but {} is not on the stick: build the stick again",
                    layout::VAULT_KEY
                ),
            ),
            UnlockError::Vault(e) => e.text(),
            UnlockError::TooManyTries => Text::new(
                format!(
                    "パスフレーズが {TRIES} 回違いました。スティックを作成した人に確認してから、もう一度 oqs-firstboot を実行してください"
                ),
                format!(
                    "wrong passphrase {TRIES} times: ask whoever built the stick, then run oqs-firstboot again"
                ),
            ),
            UnlockError::NoAnswer => Text::new(
                format!(
                    "パスフレーズを入力できません (コンソールがありません)。{PASSPHRASE_ENV} を設定するか、ログオンしてから実行してください"
                ),
                format!(
                    "no one can type the passphrase (no console): set {PASSPHRASE_ENV} or run it from a logged-on session"
                ),
            ),
            UnlockError::Console(e) => Text::new(
                format!("入力を読めません: {e}"),
                format!("cannot read the answer: {e}"),
            ),
        }
    }
}

impl std::error::Error for UnlockError {}

impl fmt::Display for UnlockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.text())
    }
}

/// Opens the stick's vault as `unlock` says, asking `console` when a passphrase is needed.
pub fn open_vault(
    stick: &Stick,
    unlock: Unlock,
    console: &mut dyn Console,
) -> Result<Secrets, UnlockError> {
    let read = |path: &str| {
        stick.read(path).map_err(|e| UnlockError::Read {
            path: path.to_owned(),
            detail: format!("{e:#}"),
        })
    };
    let ciphertext = read(layout::VAULT)?;
    let key_file = match unlock {
        Unlock::KeyFileOnStick if stick.path(layout::VAULT_KEY).is_file() => {
            Some(read(layout::VAULT_KEY)?)
        }
        Unlock::KeyFileOnStick => return Err(UnlockError::NoKeyFile),
        Unlock::Prompt => None,
    };
    let env = std::env::var(PASSPHRASE_ENV)
        .ok()
        .filter(|v| !v.is_empty())
        .map(Secret::new);
    open(&ciphertext, key_file.as_deref(), env, console)
}

/// [`open_vault`] on bytes already read: with `key_file` when given, else with
/// `env_passphrase` (one try), else up to [`TRIES`] passphrases from `console`.
pub fn open(
    ciphertext: &[u8],
    key_file: Option<&[u8]>,
    env_passphrase: Option<Secret>,
    console: &mut dyn Console,
) -> Result<Secrets, UnlockError> {
    if let Some(key_file) = key_file {
        let key = vault::parse_key_file(&String::from_utf8_lossy(key_file))
            .map_err(UnlockError::Vault)?;
        return vault::open_with_key(ciphertext, &key).map_err(UnlockError::Vault);
    }
    if let Some(passphrase) = env_passphrase {
        return vault::open(ciphertext, &passphrase).map_err(UnlockError::Vault);
    }
    let prompt = Text::new(
        "秘密情報の保管庫のパスフレーズを入力してください (入力した文字は表示されません)",
        "Type the passphrase of the secrets vault (it is not shown as you type)",
    );
    for attempt in 1..=TRIES {
        let passphrase = console
            .passphrase(&prompt)
            .map_err(UnlockError::Console)?
            .ok_or(UnlockError::NoAnswer)?;
        match vault::open(ciphertext, &passphrase) {
            Err(VaultError::WrongPassphrase) if attempt < TRIES => {
                let left = TRIES - attempt;
                console.note(&Text::new(
                    format!("パスフレーズが違います。あと {left} 回入力できます"),
                    format!("wrong passphrase: {left} more tries"),
                ));
            }
            Err(VaultError::WrongPassphrase) => return Err(UnlockError::TooManyTries),
            other => return other.map_err(UnlockError::Vault),
        }
    }
    Err(UnlockError::TooManyTries)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRETS: &str = "[accounts]\nsetup_admin = \"unlock-test-admin\"\n";

    /// Types the given answers in order and records every note.
    struct Typist {
        answers: Vec<&'static str>,
        notes: Vec<String>,
        asked: usize,
    }

    impl Typist {
        fn new(answers: &[&'static str]) -> Typist {
            Typist {
                answers: answers.to_vec(),
                notes: Vec::new(),
                asked: 0,
            }
        }
    }

    impl Console for Typist {
        fn passphrase(&mut self, prompt: &Text) -> std::io::Result<Option<Secret>> {
            assert!(prompt.ja.contains("パスフレーズ") && prompt.en.contains("passphrase"));
            self.asked += 1;
            Ok((!self.answers.is_empty()).then(|| Secret::new(self.answers.remove(0))))
        }

        fn note(&mut self, text: &Text) {
            self.notes.push(text.en.clone());
        }
    }

    fn sealed() -> Vec<u8> {
        vault::seal_with_work_factor(SECRETS, &Secret::new("right passphrase"), 4).unwrap()
    }

    fn admin(s: &Secrets) -> &str {
        s.accounts.setup_admin.as_ref().unwrap().expose()
    }

    #[test]
    fn third_try_is_enough() {
        let mut typist = Typist::new(&["wrong one", "wrong two", "right passphrase"]);
        let secrets = open(&sealed(), None, None, &mut typist).unwrap();
        assert_eq!(admin(&secrets), "unlock-test-admin");
        assert_eq!(
            typist.notes,
            [
                "wrong passphrase: 2 more tries",
                "wrong passphrase: 1 more tries"
            ]
        );
    }

    #[test]
    fn three_wrong_tries_stop_with_a_clear_error() {
        let mut typist = Typist::new(&["a", "b", "c", "right passphrase"]);
        let err = open(&sealed(), None, None, &mut typist).unwrap_err();
        assert!(matches!(err, UnlockError::TooManyTries), "{err:?}");
        assert_eq!(typist.asked, TRIES);
        assert!(err.text().en.contains("3 times") && !err.text().en.contains("right"));
    }

    #[test]
    fn no_console_and_damaged_vault_end_at_once() {
        let mut typist = Typist::new(&[]);
        assert!(matches!(
            open(&sealed(), None, None, &mut typist),
            Err(UnlockError::NoAnswer)
        ));
        let mut typist = Typist::new(&["right passphrase", "x", "y"]);
        let mut damaged = sealed();
        let last = damaged.len() - 1;
        damaged[last] ^= 0x55;
        let err = open(&damaged, None, None, &mut typist).unwrap_err();
        assert!(
            matches!(err, UnlockError::Vault(VaultError::Corrupt { .. })),
            "{err:?}"
        );
        assert_eq!(typist.asked, 1);
    }

    #[test]
    fn environment_answers_once() {
        let mut typist = Typist::new(&[]);
        let ok = open(
            &sealed(),
            None,
            Some(Secret::new("right passphrase")),
            &mut typist,
        )
        .unwrap();
        assert_eq!(admin(&ok), "unlock-test-admin");
        let err = open(&sealed(), None, Some(Secret::new("wrong")), &mut typist).unwrap_err();
        assert!(matches!(
            err,
            UnlockError::Vault(VaultError::WrongPassphrase)
        ));
        assert_eq!(typist.asked, 0);
    }

    #[test]
    fn zero_touch_uses_the_key_file_from_the_stick() {
        let (key_text, key) = vault::new_key_file();
        let ciphertext = vault::seal_with_key(SECRETS, &key).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let oqs = dir.path().join("oqs");
        std::fs::create_dir_all(&oqs).unwrap();
        std::fs::write(dir.path().join(layout::VAULT), &ciphertext).unwrap();
        let stick = Stick::at(dir.path());
        let mut typist = Typist::new(&[]);
        let err = open_vault(&stick, Unlock::KeyFileOnStick, &mut typist).unwrap_err();
        assert!(matches!(err, UnlockError::NoKeyFile), "{err:?}");

        std::fs::write(dir.path().join(layout::VAULT_KEY), key_text.expose()).unwrap();
        let secrets = open_vault(&stick, Unlock::KeyFileOnStick, &mut typist).unwrap();
        assert_eq!(admin(&secrets), "unlock-test-admin");
        assert_eq!(typist.asked, 0);
    }
}
