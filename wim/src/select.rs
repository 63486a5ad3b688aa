//! Picking an image by what the user knows it as ("Windows 11 Pro",
//! "Professional", or its index).

use crate::error::{Result, WimError};
use crate::reader::Wim;
use crate::xml::ImageInfo;

impl Wim {
    /// Finds the image `query` names: its index, or (ignoring case) its NAME,
    /// then DISPLAYNAME, then WINDOWS/EDITIONID. Earlier fields win, so
    /// "Windows 11 Pro" is not confused with an edition id that happens to
    /// read the same on another image.
    pub fn select_image(&self, query: &str) -> Result<&ImageInfo> {
        let wanted = query.trim();
        if let Ok(index) = wanted.parse::<u32>()
            && let Some(image) = self.images().iter().find(|i| i.index == index)
        {
            return Ok(image);
        }
        let wanted = wanted.to_lowercase();
        let fields: [fn(&ImageInfo) -> Option<&String>; 3] = [
            |i| i.name.as_ref(),
            |i| i.display_name.as_ref(),
            |i| i.edition_id.as_ref(),
        ];
        for field in fields {
            let hits: Vec<&ImageInfo> = self
                .images()
                .iter()
                .filter(|i| field(i).is_some_and(|v| v.trim().to_lowercase() == wanted))
                .collect();
            match hits.as_slice() {
                [] => continue,
                [one] => return Ok(one),
                many => {
                    return Err(WimError::AmbiguousImage {
                        path: self.path().to_path_buf(),
                        query: query.to_string(),
                        matches: list(many.iter().copied()),
                    });
                }
            }
        }
        Err(WimError::NoSuchImage {
            path: self.path().to_path_buf(),
            query: query.to_string(),
            available: list(self.images().iter()),
        })
    }
}

/// "1: Windows 11 Home (Core), 2: Windows 11 Pro (Professional)".
fn list<'a>(images: impl Iterator<Item = &'a ImageInfo>) -> String {
    let items: Vec<String> = images
        .map(|i| {
            let name = i
                .name
                .as_deref()
                .or(i.display_name.as_deref())
                .unwrap_or("(unnamed)");
            match &i.edition_id {
                Some(e) => format!("{}: {name} ({e})", i.index),
                None => format!("{}: {name}", i.index),
            }
        })
        .collect();
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::Synth;
    use crate::{Wim, WimError};

    fn open(images: Vec<&'static str>) -> (tempfile::TempDir, Wim) {
        let dir = tempfile::tempdir().unwrap();
        let s = Synth {
            data: vec![100],
            images,
            integrity_chunk: None,
        };
        let wim = Wim::open(s.write_to(dir.path())).unwrap();
        (dir, wim)
    }

    #[test]
    fn matches_name_display_name_edition_and_index() {
        let (_d, wim) = open(vec![
            "Windows 11 Home",
            "Windows 11 Pro",
            "Windows 11 Pro N",
        ]);
        assert_eq!(wim.select_image("Windows 11 Pro").unwrap().index, 2);
        assert_eq!(wim.select_image("  windows 11 PRO n ").unwrap().index, 3);
        assert_eq!(
            wim.select_image("display windows 11 home").unwrap().index,
            1
        );
        assert_eq!(wim.select_image("ed2").unwrap().index, 2);
        assert_eq!(wim.select_image("3").unwrap().index, 3);
    }

    #[test]
    fn no_match_lists_the_available_images() {
        let (_d, wim) = open(vec!["Windows 11 Home", "Windows 11 Pro"]);
        let err = wim.select_image("Windows 11 Enterprise").unwrap_err();
        assert!(matches!(err, WimError::NoSuchImage { .. }));
        let msg = err.to_string();
        assert!(
            msg.contains("1: Windows 11 Home (Ed1), 2: Windows 11 Pro (Ed2)"),
            "{msg}"
        );
        assert!(wim.select_image("9").is_err());
    }

    #[test]
    fn duplicate_names_are_ambiguous() {
        let (_d, wim) = open(vec!["Same", "Same"]);
        let err = wim.select_image("same").unwrap_err();
        assert!(matches!(err, WimError::AmbiguousImage { .. }), "{err}");
    }
}
