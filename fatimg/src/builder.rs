//! What goes into the image: options and the tree of folders and files.

use std::collections::HashMap;

use crate::MAX_FILE_SIZE;
use crate::error::{Error, Result};
use crate::names::check_long_name;
use crate::source::Source;

/// How the disk is partitioned. The FAT32 volume is always one partition starting at
/// 1 MiB.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PartitionStyle {
    /// One active FAT32 (LBA, type 0x0C) partition: what Windows and Rufus put on a
    /// stick, found by UEFI firmware and by Windows on any PC.
    #[default]
    Mbr,
    /// GPT with a protective MBR and one partition of the given type.
    Gpt(GptType),
}

/// The GPT partition type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GptType {
    /// Microsoft Basic Data. The default: Windows gives it a drive letter, so Setup and
    /// `oqs-firstboot` find the stick's files. UEFI firmware (OVMF and the PCs tested)
    /// boots `EFI/BOOT/BOOTX64.EFI` from it all the same, as it reads any FAT volume on
    /// removable media.
    #[default]
    BasicData,
    /// EFI System Partition. Firmware looks here first, but Windows hides ESPs (no drive
    /// letter), so the payload on the stick would not be reachable after setup.
    EfiSystem,
}

/// Options fixed for the whole image. Equal options and equal content give a
/// byte-identical image.
#[derive(Clone, Debug)]
pub struct ImageOptions {
    /// Volume label, up to 11 ASCII characters; stored upper case, like Windows does.
    /// Empty means no label ("NO NAME").
    pub label: String,
    /// The volume serial number (shown by `vol`, used by Windows to tell volumes apart).
    pub volume_serial: u32,
    pub partition: PartitionStyle,
    /// Total image size in bytes. `None`: content plus a little slack, rounded to MiB.
    /// Forced sizes must hold the content, else [`Error::DoesNotFit`] tells the minimum.
    pub size: Option<u64>,
    /// Seed for the MBR disk signature and the GPT GUIDs.
    pub seed: u64,
    /// Every file and folder's timestamp, in seconds since 1970 (UTC), e.g. from
    /// `SOURCE_DATE_EPOCH`. The default, 0, shows as 1980-01-01, FAT's earliest date.
    pub timestamp: u64,
}

impl Default for ImageOptions {
    fn default() -> Self {
        ImageOptions {
            label: String::new(),
            volume_serial: 0,
            partition: PartitionStyle::Mbr,
            size: None,
            seed: 0,
            timestamp: 0,
        }
    }
}

pub(crate) enum NodeKind {
    Dir { children: Vec<usize> },
    File { size: u64, source: Box<dyn Source> },
}

pub(crate) struct Node {
    pub(crate) name: String,
    pub(crate) parent: usize,
    pub(crate) kind: NodeKind,
}

pub(crate) const ROOT: usize = 0;

/// Collects the tree. Folders and files keep the order they were added in, so equal
/// calls give equal images; parent folders are created as needed.
pub struct ImageBuilder {
    pub(crate) options: ImageOptions,
    pub(crate) label: [u8; 11],
    pub(crate) nodes: Vec<Node>,
    /// (parent, lowercased name) -> node: FAT names are unique ignoring case.
    index: HashMap<(usize, String), usize>,
}

impl ImageBuilder {
    /// Checks the label and starts an empty tree.
    pub fn new(options: ImageOptions) -> Result<ImageBuilder> {
        let label = encode_label(&options.label)?;
        let root = Node {
            name: String::new(),
            parent: ROOT,
            kind: NodeKind::Dir {
                children: Vec::new(),
            },
        };
        Ok(ImageBuilder {
            options,
            label,
            nodes: vec![root],
            index: HashMap::new(),
        })
    }

    /// Adds a folder (and its parents). `path` is '/'-separated; adding an existing folder
    /// again is fine.
    pub fn add_dir(&mut self, path: &str) -> Result<()> {
        self.ensure_dirs(&split(path)?)?;
        Ok(())
    }

    /// Adds a file at `path` ('/'-separated, parents created as needed) whose bytes come
    /// from `source`.
    pub fn add_file(&mut self, path: &str, source: Box<dyn Source>) -> Result<()> {
        let parts = split(path)?;
        let size = source.len();
        if size > MAX_FILE_SIZE {
            return Err(Error::FileTooLarge {
                path: path.into(),
                size,
            });
        }
        let (name, dirs) = parts.split_last().expect("split returns at least one part");
        let parent = self.ensure_dirs(dirs)?;
        if self.index.contains_key(&(parent, name.to_lowercase())) {
            return Err(Error::Duplicate { path: path.into() });
        }
        self.insert(parent, name, NodeKind::File { size, source });
        Ok(())
    }

    fn ensure_dirs(&mut self, parts: &[&str]) -> Result<usize> {
        let mut at = ROOT;
        for (depth, part) in parts.iter().enumerate() {
            at = match self.index.get(&(at, part.to_lowercase())) {
                Some(&node) => match self.nodes[node].kind {
                    NodeKind::Dir { .. } => node,
                    NodeKind::File { .. } => {
                        return Err(Error::NotADirectory {
                            path: parts[..=depth].join("/"),
                        });
                    }
                },
                None => self.insert(
                    at,
                    part,
                    NodeKind::Dir {
                        children: Vec::new(),
                    },
                ),
            };
        }
        Ok(at)
    }

    fn insert(&mut self, parent: usize, name: &str, kind: NodeKind) -> usize {
        let node = self.nodes.len();
        self.nodes.push(Node {
            name: name.into(),
            parent,
            kind,
        });
        self.index.insert((parent, name.to_lowercase()), node);
        match &mut self.nodes[parent].kind {
            NodeKind::Dir { children } => children.push(node),
            NodeKind::File { .. } => unreachable!("parents are folders"),
        }
        node
    }

    /// The '/'-separated path of a node, as the caller spelled it.
    pub(crate) fn path_of(&self, mut node: usize) -> String {
        let mut parts = Vec::new();
        while node != ROOT {
            parts.push(self.nodes[node].name.as_str());
            node = self.nodes[node].parent;
        }
        parts.reverse();
        parts.join("/")
    }
}

/// Splits an image path into checked names. A leading '/' is allowed.
fn split(path: &str) -> Result<Vec<&str>> {
    let parts: Vec<&str> = path.strip_prefix('/').unwrap_or(path).split('/').collect();
    for part in &parts {
        check_long_name(part).map_err(|reason| Error::InvalidName {
            path: path.into(),
            reason,
        })?;
    }
    Ok(parts)
}

fn encode_label(label: &str) -> Result<[u8; 11]> {
    let invalid = |reason| Error::InvalidLabel {
        label: label.into(),
        reason,
    };
    if label.is_empty() {
        return Ok(*b"NO NAME    ");
    }
    if label.len() > 11 || !label.is_ascii() {
        return Err(invalid("use at most 11 ASCII characters"));
    }
    if label.starts_with(' ')
        || label
            .bytes()
            .any(|b| b < b' ' || b"\"*+,./:;<=>?[\\]|".contains(&b))
    {
        return Err(invalid(
            "a label cannot start with a space or hold \" * + , . / : ; < = > ? [ \\ ] |",
        ));
    }
    let mut bytes = [b' '; 11];
    bytes[..label.len()].copy_from_slice(label.to_ascii_uppercase().as_bytes());
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builder() -> ImageBuilder {
        ImageBuilder::new(ImageOptions {
            label: "oqs-stick".into(),
            ..Default::default()
        })
        .unwrap()
    }

    #[test]
    fn labels() {
        assert_eq!(&builder().label, b"OQS-STICK  ");
        assert_eq!(&encode_label("").unwrap(), b"NO NAME    ");
        for bad in ["TWELVE CHARS", "a.b", "ラベル", " lead"] {
            assert!(
                matches!(encode_label(bad), Err(Error::InvalidLabel { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn duplicates_ignore_case() {
        let mut b = builder();
        b.add_file("Sources/Boot.wim", Box::new(vec![1])).unwrap();
        let err = b
            .add_file("sources/BOOT.WIM", Box::new(vec![2]))
            .unwrap_err();
        assert!(matches!(err, Error::Duplicate { .. }), "{err}");
        b.add_dir("SOURCES").unwrap();
        let err = b.add_dir("sources/boot.wim/x").unwrap_err();
        assert!(
            matches!(err, Error::NotADirectory { ref path } if path == "sources/boot.wim"),
            "{err}"
        );
        assert_eq!(b.path_of(2), "Sources/Boot.wim");
    }

    #[test]
    fn bad_paths() {
        let mut b = builder();
        for bad in ["", "a//b", "a/./b", "a/../b", "a/b.", "a:b"] {
            assert!(
                matches!(
                    b.add_file(bad, Box::new(Vec::new())),
                    Err(Error::InvalidName { .. })
                ),
                "{bad}"
            );
        }
    }

    struct Huge;
    impl Source for Huge {
        fn len(&self) -> u64 {
            MAX_FILE_SIZE + 1
        }
        fn write_to(&mut self, _: &mut dyn std::io::Write) -> std::io::Result<()> {
            unreachable!("refused before writing")
        }
    }

    #[test]
    fn refuses_files_over_4_gib() {
        let err = builder()
            .add_file("sources/install.wim", Box::new(Huge))
            .unwrap_err();
        assert!(matches!(err, Error::FileTooLarge { size, .. } if size == 1 << 32));
        assert!(err.to_string().contains("install.wim"));
    }
}
