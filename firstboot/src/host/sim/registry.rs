//! The simulated registry: keys and value names compare case-insensitively, as on Windows.

use crate::host::{Hive, RegKey, RegValue};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SimRegistry {
    /// Lowercased full key path -> key.
    keys: BTreeMap<String, SimKey>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct SimKey {
    /// As first written.
    path: String,
    /// Lowercased value name -> (name as written, value).
    values: BTreeMap<String, (String, RegValue)>,
}

fn full_path(key: &RegKey) -> String {
    let path = key.path.trim_matches('\\');
    match &key.hive {
        Hive::LocalMachine => format!(r"HKEY_LOCAL_MACHINE\{path}"),
        Hive::User(user) => format!(r"HKEY_USERS\{user}\{path}"),
    }
}

impl SimRegistry {
    pub fn get(&self, key: &RegKey, name: &str) -> Option<RegValue> {
        let k = self.keys.get(&full_path(key).to_lowercase())?;
        k.values.get(&name.to_lowercase()).map(|(_, v)| v.clone())
    }

    pub fn set(&mut self, key: &RegKey, name: &str, value: &RegValue) {
        let path = full_path(key);
        let k = self
            .keys
            .entry(path.to_lowercase())
            .or_insert_with(|| SimKey {
                path,
                values: BTreeMap::new(),
            });
        let entry = k
            .values
            .entry(name.to_lowercase())
            .or_insert_with(|| (name.to_owned(), value.clone()));
        entry.1 = value.clone();
    }

    pub fn delete(&mut self, key: &RegKey, name: &str) {
        if let Some(k) = self.keys.get_mut(&full_path(key).to_lowercase()) {
            k.values.remove(&name.to_lowercase());
        }
    }

    /// The whole registry in `reg export`'s text form (keys and values sorted),
    /// for golden files.
    pub fn export(&self) -> String {
        let mut out = String::new();
        for key in self.keys.values().filter(|k| !k.values.is_empty()) {
            let _ = writeln!(out, "[{}]", key.path);
            for (name, value) in key.values.values() {
                let _ = writeln!(out, "\"{name}\"={value}");
            }
            out.push('\n');
        }
        out
    }
}
