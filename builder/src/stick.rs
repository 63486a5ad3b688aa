//! The full list of files that go onto the stick, before anything is written:
//! Windows media, the answer file, the `oqs/` payload. Both writers (image and
//! folder) take this one plan, so the two outputs cannot drift apart.

use fatimg::{FileSource, Source};
use payload::Text;
use payload::manifest::{Entry, Manifest};

pub struct StickFile {
    /// Relative to the stick's root, '/'-separated.
    pub path: String,
    pub source: Box<dyn Source>,
}

#[derive(Default)]
pub struct StickPlan {
    files: Vec<StickFile>,
}

impl StickPlan {
    /// Adds a file; a second file under the same name (FAT compares names
    /// case-insensitively) is a mistake in the inputs, not something to overwrite.
    pub fn add(&mut self, path: impl Into<String>, source: Box<dyn Source>) -> anyhow::Result<()> {
        let path = path.into();
        if !payload::manifest::valid_path(&path) {
            anyhow::bail!("{path}: not a valid path on the stick");
        }
        if self
            .files
            .iter()
            .any(|f| f.path.eq_ignore_ascii_case(&path))
        {
            anyhow::bail!(
                "{}",
                Text::new(
                    format!(
                        "{path} が二重に指定されています。メディアと site.toml の入力の名前が重ならないようにしてください"
                    ),
                    format!(
                        "{path} is given twice: the media and the site's inputs must not share a name"
                    ),
                )
            );
        }
        self.files.push(StickFile { path, source });
        Ok(())
    }

    pub fn add_file(
        &mut self,
        path: impl Into<String>,
        source: &std::path::Path,
    ) -> anyhow::Result<()> {
        let file =
            FileSource::new(source).map_err(|e| anyhow::anyhow!("{}: {e}", source.display()))?;
        self.add(path, Box::new(file))
    }

    pub fn add_bytes(&mut self, path: impl Into<String>, bytes: Vec<u8>) -> anyhow::Result<()> {
        self.add(path, Box::new(bytes))
    }

    pub fn files(&self) -> &[StickFile] {
        &self.files
    }

    pub fn into_files(self) -> Vec<StickFile> {
        self.files
    }

    pub fn content_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.source.len()).sum()
    }

    /// A manifest of the right shape with every hash zero: its rendered forms have
    /// the same length as the real ones, so the image can reserve their space
    /// before the hashes exist (they are computed while writing).
    pub fn placeholder_manifest(&self) -> Manifest {
        Manifest::from_entries(self.files.iter().map(|f| Entry {
            path: f.path.clone(),
            size: f.source.len(),
            sha256: "0".repeat(64),
        }))
    }
}
