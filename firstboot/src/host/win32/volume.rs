//! Finding the stick by its volume label, whatever its drive letter.

use super::util::Wide;
use std::path::PathBuf;
use windows::Win32::Storage::FileSystem::{GetLogicalDrives, GetVolumeInformationW};

pub fn find_by_label(label: &str) -> Option<PathBuf> {
    // SAFETY: a bitmask query.
    let drives = unsafe { GetLogicalDrives() };
    (0..26u8).filter(|i| drives & (1 << i) != 0).find_map(|i| {
        let root = format!("{}:\\", char::from(b'A' + i));
        let wide = Wide::new(&root);
        let mut name = [0u16; 64];
        // SAFETY: `name` is the label buffer; an empty drive just fails.
        unsafe { GetVolumeInformationW(wide.pcwstr(), Some(&mut name), None, None, None, None) }
            .ok()?;
        let end = name.iter().position(|&c| c == 0).unwrap_or(name.len());
        String::from_utf16_lossy(&name[..end])
            .eq_ignore_ascii_case(label)
            .then(|| PathBuf::from(root))
    })
}
