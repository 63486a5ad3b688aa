//! Reading a finished stick back, whether it is an image file or a folder (a
//! mounted stick), for `verify`, `inspect` and `diff`.

use crate::progress::Bar;
use anyhow::Context;
use payload::layout;
use payload::manifest::{self, Entry, Manifest};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

pub enum Stick {
    Folder(PathBuf),
    Image(fatimg::Image<File>),
}

impl Stick {
    pub fn open(path: &Path) -> anyhow::Result<Stick> {
        if path.is_dir() {
            return Ok(Stick::Folder(path.to_owned()));
        }
        let image = fatimg::Image::open(path)?;
        Ok(Stick::Image(image))
    }

    fn volume(image: &mut fatimg::Image<File>) -> anyhow::Result<fatimg::Volume<&mut File>> {
        // The stick has one FAT32 partition; a table with more is not ours.
        Ok(image.volume(0)?)
    }

    /// The whole content of one file, or `None` when it is not there.
    pub fn read(&mut self, stick_path: &str) -> anyhow::Result<Option<Vec<u8>>> {
        match self {
            Stick::Folder(root) => match std::fs::read(root.join(stick_path)) {
                Ok(bytes) => Ok(Some(bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e).with_context(|| format!("{}", root.join(stick_path).display())),
            },
            Stick::Image(image) => {
                let mut volume = Self::volume(image)?;
                let mut reader = match volume.open_file(stick_path) {
                    Ok(r) => r,
                    Err(fatimg::Error::NotFound { .. }) => return Ok(None),
                    Err(e) => return Err(e.into()),
                };
                let mut bytes = Vec::new();
                reader.read_to_end(&mut bytes)?;
                Ok(Some(bytes))
            }
        }
    }

    /// The manifest the stick carries: manifest.json (with sizes), else SHA256SUMS.
    pub fn manifest(&mut self) -> anyhow::Result<Option<Manifest>> {
        if let Some(json) = self.read(layout::MANIFEST_JSON)? {
            let text = String::from_utf8_lossy(&json);
            return Ok(Some(Manifest::parse_json(&text, layout::MANIFEST_JSON)?));
        }
        match self.read(layout::MANIFEST_SUMS)? {
            Some(sums) => Ok(Some(Manifest::parse_sums(
                &String::from_utf8_lossy(&sums),
                layout::MANIFEST_SUMS,
            )?)),
            None => Ok(None),
        }
    }

    /// Every file (but those the manifest leaves out) with its size, without hashing.
    pub fn list(&mut self) -> anyhow::Result<Vec<(String, u64)>> {
        match self {
            Stick::Folder(root) => Ok(manifest::list_dir(root)?),
            Stick::Image(image) => Ok(Self::volume(image)?
                .walk()?
                .into_iter()
                .filter(|e| !e.is_dir && !layout::outside_manifest(&e.path))
                .map(|e| (e.path, e.size))
                .collect()),
        }
    }

    /// Hashes every file now on the stick, advancing `bar` by bytes read.
    pub fn scan(&mut self, bar: &Bar) -> anyhow::Result<Manifest> {
        let files = self.list()?;
        let mut entries = Vec::with_capacity(files.len());
        for (path, _) in files {
            let (sha256, size) = match self {
                Stick::Folder(root) => {
                    let mut file = File::open(root.join(&path))?;
                    manifest::copy_hashing(&mut file, &mut BarSink(bar, &path))?
                }
                Stick::Image(image) => {
                    let mut volume = Self::volume(image)?;
                    let mut reader = volume.open_file(&path)?;
                    manifest::copy_hashing(&mut reader, &mut BarSink(bar, &path))?
                }
            };
            entries.push(Entry { path, size, sha256 });
        }
        Ok(Manifest::from_entries(entries))
    }
}

/// Discards bytes, counting them into the progress bar.
struct BarSink<'a>(&'a Bar, &'a str);

impl std::io::Write for BarSink<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.inc(buf.len() as u64, self.1);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
