//! The Windows installation media (a mounted ISO or an extracted folder): which
//! files go onto the stick, and whether it can boot and install at all.

use payload::Text;
use payload::layout;
use std::path::{Path, PathBuf};

/// One file of the media, with its path on the stick ('/'-separated, as on the media).
#[derive(Clone, Debug)]
pub struct MediaFile {
    pub stick_path: String,
    pub source: PathBuf,
    pub size: u64,
}

#[derive(Debug)]
pub struct Media {
    pub root: PathBuf,
    pub files: Vec<MediaFile>,
    pub warnings: Vec<Text>,
}

impl Media {
    /// The file at `stick_path`, compared case-insensitively as Windows and FAT do.
    pub fn find(&self, stick_path: &str) -> Option<&MediaFile> {
        self.files
            .iter()
            .find(|f| f.stick_path.eq_ignore_ascii_case(stick_path))
    }

    /// The install image, whatever form the media carries it in.
    pub fn install_image(&self) -> Option<&MediaFile> {
        [
            "sources/install.wim",
            "sources/install.esd",
            layout::INSTALL_SWM,
        ]
        .iter()
        .find_map(|p| self.find(p))
    }
}

/// Reads the media folder and checks it can make a bootable installer.
pub fn scan(root: &Path) -> anyhow::Result<Media> {
    if !root.is_dir() {
        anyhow::bail!(
            "{}",
            Text::new(
                format!(
                    "Windows メディア {} がフォルダーではありません。ISO をマウントしたドライブか展開したフォルダーを --media に指定してください",
                    root.display()
                ),
                format!(
                    "Windows media {} is not a folder: give --media the drive of a mounted ISO or an extracted folder",
                    root.display()
                ),
            )
        );
    }
    let mut files = Vec::new();
    for item in walkdir::WalkDir::new(root).sort_by_file_name() {
        let item = item.map_err(|e| anyhow::anyhow!("{}: {e}", root.display()))?;
        if !item.file_type().is_file() {
            continue;
        }
        let rel = item
            .path()
            .strip_prefix(root)
            .expect("walkdir stays under its root");
        let stick_path = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        // The stick gets its own answer file; one on the media would be a stale copy.
        if stick_path.eq_ignore_ascii_case(layout::ANSWER_FILE)
            || layout::outside_manifest(&stick_path)
        {
            continue;
        }
        let size = item
            .metadata()
            .map_err(|e| anyhow::anyhow!("{}: {e}", item.path().display()))?
            .len();
        files.push(MediaFile {
            stick_path,
            source: item.path().to_owned(),
            size,
        });
    }
    let media = Media {
        root: root.to_owned(),
        files,
        warnings: Vec::new(),
    };
    check(media)
}

fn check(mut media: Media) -> anyhow::Result<Media> {
    let root = media.root.display().to_string();
    if media.install_image().is_none() {
        anyhow::bail!(
            "{}",
            Text::new(
                format!(
                    "{root} に sources/install.wim (または install.esd) がありません。Windows のインストールメディアを指定してください"
                ),
                format!(
                    "{root} has no sources/install.wim (or install.esd): this is not Windows installation media"
                ),
            )
        );
    }
    if media.find("sources/boot.wim").is_none() {
        anyhow::bail!(
            "{}",
            Text::new(
                format!("{root} に sources/boot.wim がありません。セットアップを起動できません"),
                format!(
                    "{root} has no sources/boot.wim: Windows Setup could not start from this stick"
                ),
            )
        );
    }
    if media.find("efi/boot/bootx64.efi").is_none() {
        media.warnings.push(Text::new(
            "efi/boot/bootx64.efi がありません。このスティックは起動できません (UEFI 起動のみ対応)",
            "no efi/boot/bootx64.efi: the stick will not boot (it boots by UEFI only)",
        ));
    }
    Ok(media)
}
