//! The structural check every rendered answer file passes: what Windows Setup needs
//! before it reads a single value. It runs on any text, so the builder can also check
//! a hand-edited file.

use crate::commands::MAX_COMMAND_CHARS;
use crate::components::{
    self, COMMAND_LISTS, COMPONENT_ATTRIBUTES, LIST_ITEMS, PASSES, PASSWORD_ELEMENTS, UNATTEND_NS,
    WCM_NS,
};
use crate::dom::{self, Element};
use std::fmt;

/// One thing wrong with an answer file, located by line and element path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StructureIssue {
    /// 1-based line in the file; 0 when the issue is about the bytes as a whole.
    pub line: usize,
    /// e.g. `unattend/settings[oobeSystem]/component[Microsoft-Windows-Shell-Setup]/AutoLogon`.
    pub path: String,
    pub message: String,
}

impl fmt::Display for StructureIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.path, self.message)
    }
}

/// Checks `xml` (the whole file's text): no BOM, ASCII only, well-formed, the unattend
/// root and namespace, known passes once each, known components in passes that accept
/// them with their five attributes, known settings in passes that accept them,
/// `wcm:action="add"` on list items, `Order` unique, 1-based and contiguous in every
/// command list, command lines of at most 255 characters, no password in plain text.
pub fn validate(xml: &str) -> Result<(), Vec<StructureIssue>> {
    let mut issues = Issues::default();
    if xml.starts_with('\u{FEFF}') {
        issues.push(
            0,
            "",
            "starts with a byte order mark: Windows Setup wants UTF-8 without BOM",
        );
    }
    if let Some(offset) = xml.bytes().position(|b| !b.is_ascii()) {
        let line = xml[..offset].matches('\n').count() + 1;
        issues.push(
            line,
            "",
            "non-ASCII byte: write such characters as character references (&#x...;)",
        );
    }
    match dom::parse(xml.trim_start_matches('\u{FEFF}')) {
        Ok(root) => check_root(&root, &mut issues),
        Err((line, why)) => issues.push(line, "", &format!("not well-formed XML: {why}")),
    }
    if issues.0.is_empty() {
        Ok(())
    } else {
        Err(issues.0)
    }
}

#[derive(Default)]
struct Issues(Vec<StructureIssue>);

impl Issues {
    fn push(&mut self, line: usize, path: &str, message: &str) {
        self.0.push(StructureIssue {
            line,
            path: path.to_owned(),
            message: message.to_owned(),
        });
    }
}

fn check_root(root: &Element, issues: &mut Issues) {
    if root.name != "unattend" || root.namespace.as_deref() != Some(UNATTEND_NS) {
        issues.push(
            root.line,
            &root.name,
            &format!("the root must be <unattend xmlns=\"{UNATTEND_NS}\">"),
        );
        return;
    }
    let mut seen: Vec<&str> = Vec::new();
    for settings in &root.children {
        let path = format!("unattend/{}", settings.name);
        if settings.name != "settings" {
            issues.push(
                settings.line,
                &path,
                "only <settings> elements may sit under <unattend>",
            );
            continue;
        }
        let Some(pass) = settings.attribute("pass") else {
            issues.push(settings.line, &path, "<settings> needs a pass attribute");
            continue;
        };
        let path = format!("unattend/settings[{pass}]");
        if !PASSES.contains(&pass) {
            issues.push(
                settings.line,
                &path,
                &format!("unknown pass; Windows knows {}", PASSES.join(", ")),
            );
        } else if seen.contains(&pass) {
            issues.push(settings.line, &path, "this pass appears twice");
        }
        seen.push(pass);
        check_pass(settings, pass, &path, issues);
    }
    walk(root, "unattend", issues);
}

fn check_pass(settings: &Element, pass: &str, path: &str, issues: &mut Issues) {
    let mut seen: Vec<&str> = Vec::new();
    for component in &settings.children {
        let name = component.attribute("name").unwrap_or("");
        let here = format!("{path}/component[{name}]");
        if component.name != "component" {
            issues.push(
                component.line,
                &here,
                "only <component> elements may sit under <settings>",
            );
            continue;
        }
        for (attribute, value) in COMPONENT_ATTRIBUTES {
            match component.attribute(attribute) {
                None => issues.push(
                    component.line,
                    &here,
                    &format!("missing attribute {attribute}=\"{value}\""),
                ),
                Some(v) if v != value => issues.push(
                    component.line,
                    &here,
                    &format!("{attribute}=\"{v}\" must be \"{value}\""),
                ),
                Some(_) => {}
            }
        }
        if seen.contains(&name) {
            issues.push(
                component.line,
                &here,
                "this component appears twice in the pass",
            );
        }
        seen.push(name);
        let Some(known) = components::find(name) else {
            issues.push(
                component.line,
                &here,
                "unknown component (missing name, or one this crate does not write)",
            );
            continue;
        };
        if !known.valid_in(pass) {
            issues.push(
                component.line,
                &here,
                &format!("not valid in the {pass} pass"),
            );
        }
        for setting in &component.children {
            let at = format!("{here}/{}", setting.name);
            match known.setting_valid_in(&setting.name, pass) {
                None => issues.push(setting.line, &at, "unknown setting for this component"),
                Some(false) => {
                    issues.push(setting.line, &at, &format!("not valid in the {pass} pass"))
                }
                Some(true) => {}
            }
        }
    }
}

/// Rules that hold wherever an element sits.
fn walk(element: &Element, path: &str, issues: &mut Issues) {
    if LIST_ITEMS.contains(&element.name.as_str()) {
        match element.attribute_ns(WCM_NS, "action") {
            Some("add") => {}
            Some(other) => issues.push(
                element.line,
                path,
                &format!("wcm:action=\"{other}\" must be \"add\""),
            ),
            None => issues.push(
                element.line,
                path,
                &format!("needs wcm:action=\"add\" (xmlns:wcm=\"{WCM_NS}\")"),
            ),
        }
    }
    if let Some((_, item, command)) = COMMAND_LISTS
        .iter()
        .find(|(list, ..)| *list == element.name)
    {
        check_commands(element, item, command, path, issues);
    }
    if PASSWORD_ELEMENTS.contains(&element.name.as_str()) && element.child("Value").is_some() {
        match element.child("PlainText").map(|p| p.text.trim()) {
            Some("false") => {}
            _ => issues.push(
                element.line,
                path,
                "password in plain text: write it with <PlainText>false</PlainText>",
            ),
        }
    }
    for child in &element.children {
        let label = match child.attribute("pass").or(child.attribute("name")) {
            Some(key) => format!("{path}/{}[{key}]", child.name),
            None => format!("{path}/{}", child.name),
        };
        walk(child, &label, issues);
    }
}

fn check_commands(list: &Element, item: &str, command: &str, path: &str, issues: &mut Issues) {
    let mut orders = Vec::new();
    for entry in &list.children {
        if entry.name != item {
            issues.push(
                entry.line,
                path,
                &format!("<{}> does not belong in <{}>", entry.name, list.name),
            );
            continue;
        }
        match entry.child("Order").map(|o| o.text.trim().parse::<u32>()) {
            Some(Ok(order)) => orders.push((order, entry.line)),
            _ => issues.push(entry.line, path, "each command needs a numeric <Order>"),
        }
        match entry.child(command) {
            Some(line) if line.text.chars().count() > MAX_COMMAND_CHARS => issues.push(
                line.line,
                path,
                &format!(
                    "command line of {} characters; the limit is {MAX_COMMAND_CHARS}",
                    line.text.chars().count()
                ),
            ),
            Some(_) => {}
            None => issues.push(entry.line, path, &format!("each command needs <{command}>")),
        }
    }
    let mut sorted: Vec<u32> = orders.iter().map(|(o, _)| *o).collect();
    sorted.sort_unstable();
    let expected: Vec<u32> = (1..=sorted.len() as u32).collect();
    if sorted != expected {
        let line = orders.first().map_or(list.line, |(_, l)| *l);
        issues.push(
            line,
            path,
            &format!("Order values {sorted:?} must be unique and run 1, 2, 3... without gaps"),
        );
    }
}
