//! The simulated file system: paths compare case-insensitively, a file needs its
//! folder to exist, as on NTFS.

use crate::host::{HostError, HostResult};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SimFiles {
    /// Lowercased path -> path as created.
    dirs: BTreeMap<String, String>,
    /// Lowercased path -> file.
    files: BTreeMap<String, SimFile>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct SimFile {
    path: String,
    /// UTF-8 text when the bytes are text, else hex; keeps the saved state readable.
    #[serde(flatten)]
    contents: Contents,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Contents {
    Text(String),
    Hex(String),
}

impl Contents {
    fn from_bytes(bytes: Vec<u8>) -> Contents {
        match String::from_utf8(bytes) {
            Ok(text) => Contents::Text(text),
            Err(e) => Contents::Hex(hex::encode(e.into_bytes())),
        }
    }

    fn to_bytes(&self) -> Vec<u8> {
        match self {
            Contents::Text(t) => t.as_bytes().to_vec(),
            Contents::Hex(h) => hex::decode(h).expect("SimHost state holds valid hex"),
        }
    }
}

fn normalize(path: &str) -> String {
    path.trim_end_matches('\\').to_lowercase()
}

fn parent(path: &str) -> Option<&str> {
    path.trim_end_matches('\\')
        .rsplit_once('\\')
        .map(|(p, _)| p)
}

impl SimFiles {
    pub fn is_dir(&self, path: &str) -> bool {
        self.dirs.contains_key(&normalize(path))
    }

    pub fn create_dir_all(&mut self, path: &str) -> HostResult<()> {
        if self.files.contains_key(&normalize(path)) {
            return Err(HostError::AlreadyExists(format!("{path} (a file)")));
        }
        if let Some(p) = parent(path).filter(|p| p.contains('\\')) {
            self.create_dir_all(p)?;
        }
        let trimmed = path.trim_end_matches('\\');
        self.dirs
            .entry(normalize(trimmed))
            .or_insert_with(|| trimmed.to_owned());
        Ok(())
    }

    pub fn read(&self, path: &str) -> Option<Vec<u8>> {
        self.files
            .get(&normalize(path))
            .map(|f| f.contents.to_bytes())
    }

    /// `write` after creating the folder, as an installer or a program does.
    pub fn write_creating_folder(&mut self, path: &str, bytes: Vec<u8>) -> HostResult<()> {
        if let Some(folder) = parent(path) {
            self.create_dir_all(folder)?;
        }
        self.write(path, bytes)
    }

    pub fn write(&mut self, path: &str, bytes: Vec<u8>) -> HostResult<()> {
        let folder = parent(path).unwrap_or("");
        if !self.is_dir(folder) {
            return Err(HostError::NotFound(format!("folder {folder}")));
        }
        if self.is_dir(path) {
            return Err(HostError::AlreadyExists(format!("{path} (a folder)")));
        }
        let path = path.to_owned();
        let file = SimFile {
            path: path.clone(),
            contents: Contents::from_bytes(bytes),
        };
        self.files.insert(normalize(&path), file);
        Ok(())
    }

    pub fn remove(&mut self, path: &str) -> bool {
        self.files.remove(&normalize(path)).is_some()
    }

    /// Every file path, as created.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.values().map(|f| f.path.as_str())
    }
}
