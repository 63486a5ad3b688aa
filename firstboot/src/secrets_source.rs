//! Where the secrets come from: the plain-text secrets.toml given by `--secrets`
//! (for tests and manual runs, said loudly), else the encrypted vault on the stick.

use crate::stick::Stick;
use anyhow::Context as _;
use payload::secrets::Secrets;
use payload::{Text, layout};
use std::path::Path;

pub fn load(stick: &Stick, plain_file: Option<&Path>) -> anyhow::Result<Secrets> {
    if let Some(file) = plain_file {
        eprintln!(
            "{}",
            Text::new(
                format!(
                    "警告: 暗号化されていない秘密情報ファイル {} を使います。テスト専用です。本番の端末では使わないでください。",
                    file.display()
                ),
                format!(
                    "WARNING: reading secrets from the PLAIN-TEXT file {}. This is for testing only; never do this on a clinic's terminal.",
                    file.display()
                ),
            )
        );
        return plain(file);
    }
    vault(stick)
}

fn plain(file: &Path) -> anyhow::Result<Secrets> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    // toml's messages quote the offending line, which may hold a secret: give only the position.
    toml::from_str(&text).map_err(|e| {
        let at = e
            .span()
            .map(|s| {
                let line = text[..s.start].matches('\n').count() + 1;
                format!(":{line}")
            })
            .unwrap_or_default();
        anyhow::anyhow!(
            "{}{at}: {}",
            file.display(),
            Text::new(
                "secrets.toml として読めません (キー名と \"値\" の書き方を確認してください)",
                "not a valid secrets.toml (check the key names and that values are \"quoted\")",
            )
        )
    })
}

fn vault(stick: &Stick) -> anyhow::Result<Secrets> {
    let path = stick.path(layout::VAULT);
    anyhow::bail!(
        "{}",
        Text::new(
            format!(
                "このビルドはまだ暗号化された秘密情報 ({}) を開けません。テストでは --secrets を使ってください",
                path.display()
            ),
            format!(
                "this build cannot open the encrypted vault ({}) yet; for tests give --secrets",
                path.display()
            ),
        )
    )
}
