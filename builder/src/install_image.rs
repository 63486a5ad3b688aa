//! `sources/install.wim`: which image the answer file installs, and splitting it
//! into `install.swm` parts when FAT32 cannot hold it (or when asked to).

use crate::media::{Media, MediaFile};
use crate::stick::StickPlan;
use payload::Text;
use payload::layout;
use std::io::Write;
use std::sync::Arc;

/// The install image as it goes onto the stick.
pub struct InstallImage {
    pub index: u32,
    pub name: String,
    /// Sizes of the `.swm` parts when split.
    pub split_parts: Vec<u64>,
}

/// Looks up the site's edition (or forced index) and adds the install image to
/// `plan`: split into parts of `part_mib` (default 3800 MiB, as DISM users pick)
/// when FAT32 cannot hold it, or always when `part_mib` is given.
pub fn add(
    media: &Media,
    site: &payload::Site,
    part_mib: Option<u64>,
    plan: &mut StickPlan,
) -> anyhow::Result<InstallImage> {
    let image = media
        .install_image()
        .expect("media::scan refuses media without an install image");
    let wim = wim::Wim::open(&image.source)?;
    let query = site
        .windows
        .image_index
        .map_or_else(|| site.windows.edition.clone(), |i| i.to_string());
    let info = wim.select_image(&query).map_err(|e| {
        anyhow::anyhow!(
            "{}\n{e}",
            Text::new(
                format!("site.toml の windows.edition / image_index \"{query}\" に合うイメージがメディアにありません"),
                format!("the media has no image matching windows.edition / image_index \"{query}\" in site.toml"),
            )
        )
    })?;
    let chosen = InstallImage {
        index: info.index,
        name: info
            .display_name
            .clone()
            .or_else(|| info.name.clone())
            .unwrap_or_default(),
        split_parts: Vec::new(),
    };
    if part_mib.is_none() && image.size <= crate::inputs::FAT32_MAX_FILE {
        plan.add_file(image.stick_path.clone(), &image.source)?;
        return Ok(chosen);
    }
    let part_bytes = wim::mib(part_mib.unwrap_or(wim::DEFAULT_PART_MIB));
    split(&wim, image, part_bytes, plan).map(|split_parts| InstallImage {
        split_parts,
        ..chosen
    })
}

fn split(
    wim: &wim::Wim,
    image: &MediaFile,
    part_bytes: u64,
    plan: &mut StickPlan,
) -> anyhow::Result<Vec<u64>> {
    if !image.stick_path.eq_ignore_ascii_case(layout::INSTALL_WIM) {
        anyhow::bail!(
            "{}",
            Text::new(
                format!(
                    "{} は 4 GiB 以上ですが分割できるのは install.wim だけです。DISM /Export-Image で install.wim に書き出してください",
                    image.stick_path
                ),
                format!(
                    "{} is over FAT32's limit and only install.wim can be split: export it to install.wim first (DISM /Export-Image)",
                    image.stick_path
                ),
            )
        );
    }
    let split = Arc::new(wim.plan_split(part_bytes)?);
    let dir = layout::INSTALL_SWM
        .rsplit_once('/')
        .map_or("", |(dir, _)| dir);
    let mut sizes = Vec::new();
    for (index, part) in split.parts.iter().enumerate() {
        sizes.push(part.size);
        plan.add(
            format!("{dir}/{}", part.file_name),
            Box::new(SwmPart {
                split: Arc::clone(&split),
                index,
                len: part.size,
            }),
        )?;
    }
    Ok(sizes)
}

/// One `.swm` part, generated from install.wim while the stick is written: no
/// temporary copy of several GiB.
struct SwmPart {
    split: Arc<wim::SplitPlan>,
    index: usize,
    len: u64,
}

impl fatimg::Source for SwmPart {
    fn len(&self) -> u64 {
        self.len
    }

    fn write_to(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        self.split
            .write_part(self.index, out)
            .map_err(std::io::Error::other)
    }
}
