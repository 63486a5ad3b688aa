//! A key path into site.toml, such as `terminals[1].name`, used to point at problems.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize)]
#[serde(into = "String")]
pub struct KeyPath(Vec<Segment>);

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Segment {
    Key(String),
    Index(usize),
}

impl KeyPath {
    pub fn root() -> KeyPath {
        KeyPath(Vec::new())
    }

    pub fn key(&self, key: &str) -> KeyPath {
        let mut next = self.clone();
        next.0.push(Segment::Key(key.to_owned()));
        next
    }

    pub fn index(&self, index: usize) -> KeyPath {
        let mut next = self.clone();
        next.0.push(Segment::Index(index));
        next
    }

    pub(crate) fn segments(&self) -> &[Segment] {
        &self.0
    }

    /// Builds a path from serde_ignored's path, which names unknown keys.
    pub(crate) fn from_ignored(path: &serde_ignored::Path<'_>) -> KeyPath {
        use serde_ignored::Path;
        match path {
            Path::Root => KeyPath::root(),
            Path::Seq { parent, index } => KeyPath::from_ignored(parent).index(*index),
            Path::Map { parent, key } => KeyPath::from_ignored(parent).key(key),
            Path::Some { parent }
            | Path::NewtypeStruct { parent }
            | Path::NewtypeVariant { parent } => KeyPath::from_ignored(parent),
        }
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(k) if i == 0 => write!(f, "{k}")?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

impl From<KeyPath> for String {
    fn from(path: KeyPath) -> String {
        path.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_like_toml_access() {
        let p = KeyPath::root().key("terminals").index(1).key("name");
        assert_eq!(p.to_string(), "terminals[1].name");
    }
}
