//! Reading site.toml: TOML errors with line and column, then every unknown key and
//! every invalid value at once, each located in the file.

use super::Site;
use super::locate::{Locator, Position};
use super::path::KeyPath;
use super::validate::{Problem, Severity, validate};
use crate::text::Text;
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub enum LoadError {
    Io {
        file: PathBuf,
        source: std::io::Error,
    },
    /// The file is not valid TOML or a value has the wrong type: one error, located.
    Syntax {
        file: PathBuf,
        position: Option<Position>,
        message: String,
    },
    /// Every problem found (errors first), each with its key path and position.
    /// `loaded` is the site as read despite them, so a caller can check its
    /// inputs too and report everything in one go.
    Invalid {
        file: PathBuf,
        problems: Vec<Problem>,
        loaded: Box<Loaded>,
    },
}

impl std::error::Error for LoadError {}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io { file, source } => {
                let text = Text::new(
                    format!("{} を読めません: {source}", file.display()),
                    format!("cannot read {}: {source}", file.display()),
                );
                write!(f, "{text}")
            }
            LoadError::Syntax {
                file,
                position,
                message,
            } => {
                let at = position.map_or(String::new(), |p| format!(":{}:{}", p.line, p.column));
                let text = Text::new(
                    format!(
                        "{}{at}: TOML の書き方が正しくありません: {message}",
                        file.display()
                    ),
                    format!("{}{at}: not valid for site.toml: {message}", file.display()),
                );
                write!(f, "{text}")
            }
            LoadError::Invalid { file, problems, .. } => {
                let errors = problems
                    .iter()
                    .filter(|p| p.severity == Severity::Error)
                    .count();
                let text = Text::new(
                    format!("{}: {errors} 件の誤りがあります", file.display()),
                    format!("{}: {errors} error(s)", file.display()),
                );
                writeln!(f, "{text}")?;
                for problem in problems {
                    writeln!(f, "  {}", problem.display_in(file))?;
                }
                Ok(())
            }
        }
    }
}

/// A site read from its file, with its warnings, able to point at its own lines.
#[derive(Debug)]
pub struct Loaded {
    pub site: Site,
    pub file: PathBuf,
    pub warnings: Vec<Problem>,
    source: String,
}

impl Loaded {
    /// Fills in where `problem.path` is in the file.
    pub fn locate(&self, problem: &mut Problem) {
        problem.position = Locator::new(&self.source).find(&problem.path);
    }

    /// A path the site names, relative to the folder holding site.toml.
    pub fn resolve(&self, relative: &str) -> PathBuf {
        let dir = self.file.parent().unwrap_or(Path::new("."));
        dir.join(relative)
    }

    /// The file's text, exactly as read (the stick carries it as the site plan).
    pub fn source(&self) -> &str {
        &self.source
    }
}

/// Reads and checks `file`. On success also returns the warnings.
pub fn load_file(file: &Path) -> Result<Loaded, LoadError> {
    let source = std::fs::read_to_string(file).map_err(|source| LoadError::Io {
        file: file.to_owned(),
        source,
    })?;
    parse(&source, file)
}

/// Parses and checks site.toml text; `file` names it in messages and anchors relative paths.
pub fn parse(source: &str, file: &Path) -> Result<Loaded, LoadError> {
    let locator = Locator::new(source);
    let syntax = |e: toml::de::Error| LoadError::Syntax {
        file: file.to_owned(),
        position: e.span().map(|s| locator.position(s.start)),
        message: e.message().trim().to_owned(),
    };
    let deserializer = toml::Deserializer::parse(source).map_err(syntax)?;
    let mut unknown = Vec::new();
    let site: Site = serde_ignored::deserialize(deserializer, |path| {
        unknown.push(KeyPath::from_ignored(&path));
    })
    .map_err(syntax)?;

    let mut problems: Vec<Problem> = unknown.into_iter().map(Problem::unknown_key).collect();
    problems.extend(validate(&site));
    for problem in &mut problems {
        problem.position = locator.find(&problem.path);
    }
    problems.sort_by_key(|p| (p.severity, p.position.map(|p| (p.line, p.column))));

    let has_errors = problems.iter().any(|p| p.severity == Severity::Error);
    let loaded = Loaded {
        site,
        file: file.to_owned(),
        warnings: Vec::new(),
        source: source.to_owned(),
    };
    if has_errors {
        return Err(LoadError::Invalid {
            file: file.to_owned(),
            problems,
            loaded: Box::new(loaded),
        });
    }
    Ok(Loaded {
        warnings: problems,
        ..loaded
    })
}
