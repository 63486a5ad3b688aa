//! A small element tree read with quick-xml, for the validator: names with their
//! namespaces, attributes, the text with references resolved, and the line of each tag.

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

#[derive(Debug)]
pub(crate) struct Element {
    pub name: String,
    pub namespace: Option<String>,
    pub attributes: Vec<Attribute>,
    pub text: String,
    pub children: Vec<Element>,
    pub line: usize,
}

#[derive(Debug)]
pub(crate) struct Attribute {
    pub namespace: Option<String>,
    pub name: String,
    pub value: String,
}

impl Element {
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The value of an attribute without a prefix.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.namespace.is_none() && a.name == name)
            .map(|a| a.value.as_str())
    }

    pub fn attribute_ns(&self, namespace: &str, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.namespace.as_deref() == Some(namespace) && a.name == name)
            .map(|a| a.value.as_str())
    }
}

/// The root element, or why the text is not well-formed XML (with its line).
pub(crate) fn parse(xml: &str) -> Result<Element, (usize, String)> {
    let mut reader = NsReader::from_str(xml);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.expand_empty_elements = true;
    let line_at = |pos: u64| xml[..(pos as usize).min(xml.len())].matches('\n').count() + 1;
    let mut stack: Vec<Element> = Vec::new();
    loop {
        let at = reader.buffer_position();
        let (ns, event) = reader
            .read_resolved_event()
            .map_err(|e| (line_at(at), e.to_string()))?;
        let namespace = match ns {
            ResolveResult::Bound(ns) => Some(ns.0.to_owned()),
            ResolveResult::Unbound => None,
            ResolveResult::Unknown(prefix) => {
                return Err((line_at(at), format!("undeclared namespace prefix {prefix}")));
            }
        };
        match event {
            Event::Start(start) => {
                let element = element(&reader, &start, namespace, line_at(at))?;
                stack.push(element);
            }
            Event::End(_) => {
                let done = stack.pop().expect("quick-xml checks end names");
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => return Ok(done),
                }
            }
            Event::Text(text) => {
                if let Some(open) = stack.last_mut() {
                    open.text.push_str(&text.xml10_content());
                } else if !text.xml10_content().trim().is_empty() {
                    return Err((line_at(at), "text outside the root element".into()));
                }
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    Ok(None) => match &*reference {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "quot" => '"',
                        "apos" => '\'',
                        other => return Err((line_at(at), format!("unknown entity &{other};"))),
                    },
                    Err(e) => return Err((line_at(at), e.to_string())),
                };
                if let Some(open) = stack.last_mut() {
                    open.text.push(resolved);
                }
            }
            Event::CData(data) => {
                if let Some(open) = stack.last_mut() {
                    open.text.push_str(&data);
                }
            }
            Event::Eof => {
                return Err((
                    line_at(at),
                    "the document ends before its root element is closed".into(),
                ));
            }
            Event::Empty(_)
            | Event::Comment(_)
            | Event::Decl(_)
            | Event::PI(_)
            | Event::DocType(_) => {}
        }
    }
}

fn element(
    reader: &NsReader<&[u8]>,
    start: &BytesStart<'_>,
    namespace: Option<String>,
    line: usize,
) -> Result<Element, (usize, String)> {
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| (line, e.to_string()))?;
        let key = attribute.key;
        if key.0 == "xmlns" || key.0.starts_with("xmlns:") {
            continue;
        }
        let (ns, local) = reader.resolver().resolve_attribute(key);
        let namespace = match ns {
            ResolveResult::Bound(ns) => Some(ns.0.to_owned()),
            ResolveResult::Unbound => None,
            ResolveResult::Unknown(prefix) => {
                return Err((line, format!("undeclared namespace prefix {prefix}")));
            }
        };
        let value = attribute
            .normalized_value(XmlVersion::default())
            .map_err(|e| (line, e.to_string()))?;
        attributes.push(Attribute {
            namespace,
            name: local.as_ref().to_owned(),
            value: value.into_owned(),
        });
    }
    Ok(Element {
        name: start.local_name().as_ref().to_owned(),
        namespace,
        attributes,
        text: String::new(),
        children: Vec::new(),
        line,
    })
}
