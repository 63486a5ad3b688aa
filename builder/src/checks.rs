//! Everything `check` verifies before a stick is written: the site, every input
//! file it names, its secrets and certificates. `build` runs the same checks, so
//! a stick is never written from inputs `check` would refuse.

use crate::inputs::{self, Input};
use payload::site::{self, LoadError, Loaded, Problem, Severity};
use std::path::Path;

pub struct Checked {
    pub loaded: Loaded,
    pub inputs: Vec<Input>,
    /// Errors and warnings, all located in site.toml.
    pub problems: Vec<Problem>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }
}

/// Runs every check. A site with invalid values still has its inputs checked, so
/// one run lists every problem; only unreadable or non-TOML files stop early.
pub fn run(site_file: &Path, secrets_file: Option<&Path>) -> Result<Checked, LoadError> {
    let (loaded, mut problems) = match site::load_file(site_file) {
        Ok(loaded) => {
            let warnings = loaded.warnings.clone();
            (loaded, warnings)
        }
        Err(LoadError::Invalid {
            problems, loaded, ..
        }) => (*loaded, problems),
        Err(e) => return Err(e),
    };
    let (inputs, input_problems) = inputs::collect(&loaded);
    problems.extend(input_problems);
    problems.extend(crate::certs::check_problems(
        &loaded,
        secrets_file,
        std::time::SystemTime::now(),
    ));
    Ok(Checked {
        loaded,
        inputs,
        problems,
    })
}

/// The site alone, for commands that need no inputs; problems are printed and
/// `None` returned when it has errors.
pub fn site_only(site_file: &Path) -> Result<Option<Loaded>, LoadError> {
    match site::load_file(site_file) {
        Ok(loaded) => Ok(Some(loaded)),
        Err(LoadError::Invalid { file, problems, .. }) => {
            crate::report::problems(&file, &problems);
            Ok(None)
        }
        Err(e) => Err(e),
    }
}
