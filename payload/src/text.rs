//! Words for clinic staff: every message exists in Japanese and English, and the
//! language is picked once per process (locale, or `--lang` to force).

use std::fmt;
use std::sync::atomic::{AtomicU8, Ordering};

/// The language messages are shown in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Ja,
    En,
}

impl Lang {
    /// Japanese for a Japanese locale (`ja`, `ja-JP`, `ja_JP.UTF-8`), English otherwise.
    pub fn from_locale(locale: &str) -> Lang {
        if locale.to_ascii_lowercase().starts_with("ja") {
            Lang::Ja
        } else {
            Lang::En
        }
    }

    /// The language of the user's locale (Windows: the UI language; Unix: LC_ALL/LC_MESSAGES/LANG).
    pub fn detect() -> Lang {
        sys_locale::get_locale().map_or(Lang::En, |l| Lang::from_locale(&l))
    }

    /// Parses a `--lang` value.
    pub fn parse(value: &str) -> Option<Lang> {
        match value.to_ascii_lowercase().as_str() {
            "ja" | "jp" | "japanese" | "日本語" => Some(Lang::Ja),
            "en" | "english" => Some(Lang::En),
            _ => None,
        }
    }
}

// 0 = not chosen yet (detect on first use), 1 = ja, 2 = en.
static CURRENT: AtomicU8 = AtomicU8::new(0);

/// Forces the language for the rest of the process (from `--lang`).
pub fn set_lang(lang: Lang) {
    CURRENT.store(if lang == Lang::Ja { 1 } else { 2 }, Ordering::Relaxed);
}

/// The language in force: the forced one, else the locale's.
pub fn lang() -> Lang {
    match CURRENT.load(Ordering::Relaxed) {
        1 => Lang::Ja,
        2 => Lang::En,
        _ => {
            let detected = Lang::detect();
            set_lang(detected);
            detected
        }
    }
}

/// A message in both languages. `Display` shows the one in force.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Text {
    pub ja: String,
    pub en: String,
}

impl Text {
    pub fn new(ja: impl Into<String>, en: impl Into<String>) -> Text {
        Text {
            ja: ja.into(),
            en: en.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ja => &self.ja,
            Lang::En => &self.en,
        }
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.get(lang()))
    }
}

/// Makes the console show UTF-8 (Japanese) correctly. On Windows the console's
/// code page is CP932 or 437 by default, which turns UTF-8 output into mojibake.
pub fn init_console() {
    #[cfg(windows)]
    {
        use windows::Win32::System::Console::{SetConsoleCP, SetConsoleOutputCP};
        // SAFETY: plain Win32 calls with a constant argument. Failure (no console,
        // e.g. output redirected) is harmless: the bytes are UTF-8 either way.
        unsafe {
            let _ = SetConsoleOutputCP(65001);
            let _ = SetConsoleCP(65001);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_picks_japanese_only_for_ja() {
        assert_eq!(Lang::from_locale("ja_JP.UTF-8"), Lang::Ja);
        assert_eq!(Lang::from_locale("ja-JP"), Lang::Ja);
        assert_eq!(Lang::from_locale("en-US"), Lang::En);
        assert_eq!(Lang::from_locale("C"), Lang::En);
    }

    #[test]
    fn lang_flag_values() {
        assert_eq!(Lang::parse("JA"), Some(Lang::Ja));
        assert_eq!(Lang::parse("en"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
    }
}
