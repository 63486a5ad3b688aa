//! Where the secrets come from: the encrypted vault on the stick (opened with its
//! key file or one passphrase prompt, see `unlock`), or, for tests and manual
//! runs only, the plain-text secrets.toml given by `--secrets`, said loudly.

use crate::stick::Stick;
use crate::unlock;
use anyhow::Context as _;
use payload::secrets::Secrets;
use payload::site::Unlock;
use payload::{Text, layout};
use std::path::Path;

pub fn load(stick: &Stick, plain_file: Option<&Path>, how: Unlock) -> anyhow::Result<Secrets> {
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
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        return Ok(payload::vault::load_secrets(&text, file)?);
    }
    anyhow::ensure!(
        stick.path(layout::VAULT).is_file(),
        "{}",
        Text::new(
            format!(
                "スティックに秘密情報の保管庫 {} がありません。oqs-builder で作り直してください (テストでは --secrets)",
                layout::to_windows(layout::VAULT)
            ),
            format!(
                "the stick has no secrets vault {}; rebuild it with oqs-builder (tests: give --secrets)",
                layout::to_windows(layout::VAULT)
            ),
        )
    );
    Ok(unlock::open_vault(stick, how, &mut unlock::Terminal)?)
}
