//! A thin layer over quick-xml's writer for answer files: two-space indent, every
//! text escaped to ASCII, component headers with their five attributes.

use crate::components::{COMPONENT_ATTRIBUTES, Component};
use crate::escape;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

pub(crate) struct XmlWriter {
    inner: Writer<Vec<u8>>,
}

// Writing into a Vec<u8> cannot fail; quick-xml still returns io::Result.
const IN_MEMORY: &str = "writing XML into memory cannot fail";

impl XmlWriter {
    pub fn new() -> XmlWriter {
        let mut inner = Writer::new_with_indent(Vec::new(), b' ', 2);
        inner
            .write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))
            .expect(IN_MEMORY);
        XmlWriter { inner }
    }

    pub fn open(&mut self, name: &str, attributes: &[(&str, &str)]) {
        let start = BytesStart::new(name).with_attributes(attributes.iter().copied());
        self.inner
            .write_event(Event::Start(start))
            .expect(IN_MEMORY);
    }

    pub fn close(&mut self, name: &str) {
        self.inner
            .write_event(Event::End(BytesEnd::new(name)))
            .expect(IN_MEMORY);
    }

    /// `<name>text</name>`; the caller has refused text with unwritable characters.
    pub fn leaf(&mut self, name: &str, text: &str) {
        debug_assert!(
            escape::unwritable(text).is_none(),
            "{name} holds an unwritable character"
        );
        self.open(name, &[]);
        let escaped = escape::text(text);
        self.inner
            .write_event(Event::Text(BytesText::from_escaped(escaped)))
            .expect(IN_MEMORY);
        self.close(name);
    }

    /// A list item Windows merges by `wcm:action`.
    pub fn open_item(&mut self, name: &str) {
        self.open(name, &[("wcm:action", "add")]);
    }

    pub fn open_component(&mut self, component: &Component) {
        let mut attributes = vec![("name", component.name)];
        attributes.extend(COMPONENT_ATTRIBUTES);
        self.open("component", &attributes);
    }

    pub fn finish(self) -> String {
        let mut text = String::from_utf8(self.inner.into_inner()).expect("only ASCII is written");
        text.push('\n');
        text
    }
}
