//! Why an answer file could not be rendered, in Japanese and English.

use crate::validate::StructureIssue;
use payload::Text;
use std::fmt;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// `--terminal` names no terminal of the site.
    #[error("{}", unknown_terminal(.name, .known))]
    UnknownTerminal { name: String, known: Vec<String> },
    /// The WIM image index must count from 1.
    #[error("{}", Text::new(
        format!("イメージ番号 {index} は使えません。1 から数えます (wimlib-imagex info install.wim で確認できます)"),
        format!("image index {index} is not valid: indexes count from 1 (see wimlib-imagex info install.wim)"),
    ))]
    ImageIndex { index: u32 },
    /// The one-time set-up password is empty.
    #[error(
        "{}",
        Text::new(
            "セットアップ用の一時パスワードが空です",
            "the one-time set-up password is empty",
        )
    )]
    EmptyPassword,
    /// A site value the answer file or the WinPE script cannot carry safely.
    #[error("{}", Text::new(
        format!("site.toml の {key} = \"{value}\" は使えません。使える値: {allowed}"),
        format!("site.toml {key} = \"{value}\" cannot be used: allowed are {allowed}"),
    ))]
    Unsupported {
        key: &'static str,
        value: String,
        allowed: &'static str,
    },
    /// A text has a control character, which Windows Setup and XML 1.0 both refuse.
    #[error("{}", Text::new(
        format!("site.toml の {key} に制御文字 (U+{:04X}) があります。削除してください", *.bad as u32),
        format!("site.toml {key} contains a control character (U+{:04X}): remove it", *.bad as u32),
    ))]
    ControlCharacter { key: &'static str, bad: char },
    /// A command line over Windows Setup's limit; a bug in this crate if it ever shows.
    #[error("{}", Text::new(
        format!("コマンドが {len} 文字あり、上限 {max} 文字を超えています: {command}"),
        format!("command line of {len} characters exceeds the limit of {max}: {command}"),
    ))]
    CommandTooLong {
        command: String,
        len: usize,
        max: usize,
    },
    /// The rendered document failed its own structural check; a bug in this crate.
    #[error("{}", structure(.0))]
    Structure(Vec<StructureIssue>),
}

fn unknown_terminal(name: &str, known: &[String]) -> Text {
    let list = known.join(", ");
    Text::new(
        format!("端末 \"{name}\" は site.toml にありません。次のどれかを指定してください: {list}"),
        format!("terminal \"{name}\" is not in site.toml: use one of {list}"),
    )
}

fn structure(issues: &[StructureIssue]) -> impl fmt::Display + '_ {
    Lines(issues)
}

struct Lines<'a>(&'a [StructureIssue]);

impl fmt::Display for Lines<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}",
            Text::new(
                "生成した autounattend.xml が構造チェックに通りません (oqs-stick の不具合です):",
                "the rendered autounattend.xml fails its structural check (a bug in oqs-stick):",
            )
        )?;
        for issue in self.0 {
            writeln!(f, "  {issue}")?;
        }
        Ok(())
    }
}
