//! A small, forgiving reader for the WIM's XML data (UTF-16LE): it picks the
//! few fields the builder shows or matches on and skips everything else, so
//! new elements in future Windows media do not break it.

use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};

/// What the XML data says about one image.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageInfo {
    /// 1-based image index, as DISM and wimlib count.
    pub index: u32,
    pub name: Option<String>,
    pub description: Option<String>,
    pub display_name: Option<String>,
    pub display_description: Option<String>,
    /// `WINDOWS/EDITIONID`, e.g. "Professional".
    pub edition_id: Option<String>,
    /// `FLAGS`, which on Windows media repeats the edition id.
    pub flags: Option<String>,
    /// `WINDOWS/LANGUAGES/DEFAULT`, e.g. "ja-JP".
    pub default_language: Option<String>,
    /// Size of the applied image.
    pub total_bytes: Option<u64>,
    pub dir_count: Option<u64>,
    pub file_count: Option<u64>,
}

/// Everything read from the XML data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XmlInfo {
    pub images: Vec<ImageInfo>,
    /// Top-level `TOTALBYTES`.
    pub total_bytes: Option<u64>,
}

/// Turns the raw XML resource into text. Windows writes UTF-16LE with a BOM;
/// tolerate a missing BOM, trailing NULs and an odd trailing byte.
pub fn decode_utf16(raw: &[u8]) -> String {
    let body = raw.strip_prefix(&[0xFF, 0xFE]).unwrap_or(raw);
    let units: Vec<u16> = body
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let end = units.iter().rposition(|&u| u != 0).map_or(0, |i| i + 1);
    String::from_utf16_lossy(&units[..end])
}

/// Parses the XML text; the error text says where the XML is malformed.
pub fn parse(text: &str) -> Result<XmlInfo, String> {
    let mut reader = Reader::from_str(text);
    let mut info = XmlInfo::default();
    let mut path: Vec<String> = Vec::new();
    let mut current: Option<ImageInfo> = None;
    let mut value = String::new();

    loop {
        let event = reader.read_event().map_err(|e| {
            format!(
                "XML data malformed at byte {}: {e}",
                reader.error_position()
            )
        })?;
        match event {
            Event::Start(start) => {
                let name = start.name().0.to_ascii_uppercase();
                if name == "IMAGE" && path.len() == 1 {
                    let index = start
                        .try_get_attribute("INDEX")
                        .ok()
                        .flatten()
                        .and_then(|a| {
                            let v = a.normalized_value(XmlVersion::Implicit1_0).ok()?;
                            v.trim().parse().ok()
                        })
                        .unwrap_or(info.images.len() as u32 + 1);
                    current = Some(ImageInfo {
                        index,
                        ..ImageInfo::default()
                    });
                }
                path.push(name);
                value.clear();
            }
            Event::Text(t) => value.push_str(&t.xml10_content()),
            Event::CData(c) => value.push_str(&c),
            Event::GeneralRef(r) => {
                let entity = format!("&{};", &*r.into_inner());
                value.push_str(&quick_xml::escape::unescape(&entity).unwrap_or_default());
            }
            Event::End(_) => {
                let segments: Vec<&str> = path.iter().map(String::as_str).collect();
                match (segments.as_slice(), current.as_mut()) {
                    (["WIM", "IMAGE"], Some(_)) => info.images.extend(current.take()),
                    (["WIM", "TOTALBYTES"], _) => info.total_bytes = number(&value),
                    (["WIM", "IMAGE", rest @ ..], Some(image)) => set_field(image, rest, &value),
                    _ => {}
                }
                path.pop();
                value.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    info.images.sort_by_key(|i| i.index);
    Ok(info)
}

fn set_field(image: &mut ImageInfo, rest: &[&str], value: &str) {
    let text = || {
        let v = value.trim();
        (!v.is_empty()).then(|| v.to_string())
    };
    match rest {
        ["NAME"] => image.name = text(),
        ["DESCRIPTION"] => image.description = text(),
        ["DISPLAYNAME"] => image.display_name = text(),
        ["DISPLAYDESCRIPTION"] => image.display_description = text(),
        ["FLAGS"] => image.flags = text(),
        ["WINDOWS", "EDITIONID"] => image.edition_id = text(),
        ["WINDOWS", "LANGUAGES", "DEFAULT"] => image.default_language = text(),
        ["TOTALBYTES"] => image.total_bytes = number(value),
        ["DIRCOUNT"] => image.dir_count = number(value),
        ["FILECOUNT"] => image.file_count = number(value),
        _ => {}
    }
}

/// Decimal as Windows writes counts, or `0x` hex as it writes some times.
fn number(value: &str) -> Option<u64> {
    let v = value.trim();
    match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => v.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str) -> Vec<u8> {
        let mut out = vec![0xFF, 0xFE];
        out.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        out
    }

    const SAMPLE: &str = r#"<WIM><TOTALBYTES>5000000000</TOTALBYTES>
<IMAGE INDEX="2"><NAME>Windows 11 Pro</NAME><DESCRIPTION>Windows 11 Pro</DESCRIPTION>
<WINDOWS><ARCH>9</ARCH><EDITIONID>Professional</EDITIONID>
<LANGUAGES><LANGUAGE>ja-JP</LANGUAGE><DEFAULT>ja-JP</DEFAULT></LANGUAGES></WINDOWS>
<DIRCOUNT>20000</DIRCOUNT><FILECOUNT>100000</FILECOUNT><TOTALBYTES>0x10</TOTALBYTES>
<FLAGS>Professional</FLAGS><DISPLAYNAME>Windows 11 Pro</DISPLAYNAME>
<NEWTHING><NAME>not the image name</NAME></NEWTHING></IMAGE>
<IMAGE INDEX="1"><NAME>Windows 11 Home &amp; &#x41;</NAME><EMPTY/></IMAGE></WIM>"#;

    #[test]
    fn reads_images_and_skips_unknown_elements() {
        let info = parse(&decode_utf16(&utf16(SAMPLE))).unwrap();
        assert_eq!(info.total_bytes, Some(5_000_000_000));
        assert_eq!(info.images.len(), 2);
        let home = &info.images[0];
        assert_eq!(home.index, 1);
        assert_eq!(home.name.as_deref(), Some("Windows 11 Home & A"));
        let pro = &info.images[1];
        assert_eq!(pro.index, 2);
        assert_eq!(pro.name.as_deref(), Some("Windows 11 Pro"));
        assert_eq!(pro.edition_id.as_deref(), Some("Professional"));
        assert_eq!(pro.display_name.as_deref(), Some("Windows 11 Pro"));
        assert_eq!(pro.default_language.as_deref(), Some("ja-JP"));
        assert_eq!(pro.flags.as_deref(), Some("Professional"));
        assert_eq!(pro.dir_count, Some(20000));
        assert_eq!(pro.file_count, Some(100_000));
        assert_eq!(pro.total_bytes, Some(16));
    }

    #[test]
    fn tolerates_missing_bom_trailing_nuls_and_missing_index() {
        let mut raw: Vec<u8> =
            "<WIM><IMAGE><NAME>A</NAME></IMAGE><IMAGE><NAME>B</NAME></IMAGE></WIM>"
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect();
        raw.extend([0, 0, 0, 0, 0]);
        let info = parse(&decode_utf16(&raw)).unwrap();
        let names: Vec<_> = info
            .images
            .iter()
            .map(|i| (i.index, i.name.clone()))
            .collect();
        assert_eq!(
            names,
            [(1, Some("A".to_string())), (2, Some("B".to_string()))]
        );
    }

    #[test]
    fn reports_malformed_xml() {
        let err = parse("<WIM><IMAGE></WIM>").unwrap_err();
        assert!(err.contains("malformed"), "{err}");
        assert_eq!(parse("").unwrap(), XmlInfo::default());
    }
}
