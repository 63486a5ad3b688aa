//! Finds the line and column of a key path in the TOML source, so every problem
//! can say where to look even when it was found after deserializing.

use super::path::{KeyPath, Segment};
use toml_edit::{Document, Item, TableLike, Value};

/// 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

pub(crate) struct Locator<'a> {
    source: &'a str,
    doc: Option<Document<&'a str>>,
}

impl<'a> Locator<'a> {
    pub(crate) fn new(source: &'a str) -> Locator<'a> {
        Locator {
            source,
            doc: Document::parse(source).ok(),
        }
    }

    /// The position of the deepest part of `path` that exists in the file: the
    /// key itself, or the table that should hold a missing key.
    pub(crate) fn find(&self, path: &KeyPath) -> Option<Position> {
        let doc = self.doc.as_ref()?;
        // A table inside an array of tables is a `Table`, not an `Item`, so the walk
        // keeps "something table-like" plus, where there is one, the item itself.
        let mut table: Option<&dyn TableLike> = doc.as_item().as_table_like();
        let mut array: Option<&Item> = None;
        let mut best = None;
        for segment in path.segments() {
            match segment {
                Segment::Key(key) => {
                    let Some((k, v)) = table.and_then(|t| t.get_key_value(key)) else {
                        break;
                    };
                    best = k.span().or_else(|| v.span()).or(best);
                    table = v.as_table_like();
                    array = Some(v);
                }
                Segment::Index(n) => match array {
                    Some(Item::ArrayOfTables(a)) => {
                        let Some(t) = a.get(*n) else { break };
                        best = t.span().or(best);
                        table = Some(t);
                        array = None;
                    }
                    // An inline array's elements are leaves for our schema's purposes.
                    Some(Item::Value(Value::Array(a))) => {
                        best = a.get(*n).and_then(Value::span).or(best);
                        break;
                    }
                    _ => break,
                },
            }
        }
        best.map(|s| self.position(s.start))
    }

    pub(crate) fn position(&self, offset: usize) -> Position {
        let before = &self.source[..offset.min(self.source.len())];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Position {
            line,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_in_arrays_of_tables() {
        let src = "[clinic]\nname = \"x\"\n\n[[terminals]]\nname = \"A\"\n\n[[terminals]]\nname = \"B\"\n";
        let loc = Locator::new(src);
        let p = KeyPath::root().key("terminals").index(1).key("name");
        assert_eq!(loc.find(&p), Some(Position { line: 8, column: 1 }));
        let missing = KeyPath::root().key("clinic").key("line");
        assert_eq!(loc.find(&missing), Some(Position { line: 1, column: 2 }));
    }
}
