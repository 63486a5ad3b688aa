//! The Master Boot Record: one partition, or the protective entry in front of a GPT.

use crate::boot_code::MBR_CODE;

/// FAT32 with LBA addressing: what Windows creates on sticks, read by every firmware.
pub(crate) const TYPE_FAT32_LBA: u8 = 0x0C;
pub(crate) const TYPE_GPT_PROTECTIVE: u8 = 0xEE;
pub(crate) const ENTRIES_OFFSET: usize = 446;

/// One MBR partition entry.
pub(crate) struct Entry {
    pub(crate) active: bool,
    pub(crate) kind: u8,
    pub(crate) start_lba: u64,
    pub(crate) sectors: u64,
}

/// An MBR holding `entry` as its only partition, with the boot code that loads the
/// active partition's boot sector on a legacy BIOS (`boot/mbr.asm`). UEFI firmware
/// ignores the code and reads the partition table.
pub(crate) fn mbr(disk_signature: u32, entry: &Entry) -> [u8; 512] {
    let mut s = [0u8; 512];
    s[..MBR_CODE.len()].copy_from_slice(MBR_CODE);
    s[440..444].copy_from_slice(&disk_signature.to_le_bytes());
    let e = &mut s[ENTRIES_OFFSET..ENTRIES_OFFSET + 16];
    e[0] = if entry.active { 0x80 } else { 0 };
    e[1..4].copy_from_slice(&chs(entry.start_lba));
    e[4] = entry.kind;
    e[5..8].copy_from_slice(&chs(entry.start_lba + entry.sectors - 1));
    e[8..12].copy_from_slice(&clamp32(entry.start_lba).to_le_bytes());
    e[12..16].copy_from_slice(&clamp32(entry.sectors).to_le_bytes());
    s[510..].copy_from_slice(&[0x55, 0xAA]);
    s
}

/// The protective MBR of a GPT disk: one 0xEE entry over the whole disk (UEFI 5.2.3),
/// and no boot code: a GPT stick boots by UEFI only.
pub(crate) fn protective(disk_sectors: u64) -> [u8; 512] {
    let mut s = mbr(
        0,
        &Entry {
            active: false,
            kind: TYPE_GPT_PROTECTIVE,
            start_lba: 1,
            sectors: disk_sectors - 1,
        },
    );
    s[..MBR_CODE.len()].fill(0);
    s
}

/// Cylinder/head/sector for an LBA with the usual 255 heads and 63 sectors per track,
/// saturating at the "use LBA" value 1023/254/63 as fdisk expects.
fn chs(lba: u64) -> [u8; 3] {
    let cylinder = lba / (255 * 63);
    if cylinder > 1023 {
        return [0xFE, 0xFF, 0xFF];
    }
    let head = (lba / 63) % 255;
    let sector = lba % 63 + 1;
    [
        head as u8,
        (sector as u8) | (((cylinder >> 8) as u8) << 6),
        cylinder as u8,
    ]
}

fn clamp32(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn active_fat32_entry() {
        let s = mbr(
            0xDEAD_BEEF,
            &Entry {
                active: true,
                kind: TYPE_FAT32_LBA,
                start_lba: 2048,
                sectors: 65536,
            },
        );
        let e = &s[446..462];
        assert_eq!(e[0], 0x80);
        assert_eq!(e[4], 0x0C);
        assert_eq!(&e[1..4], &[32, 33, 0], "LBA 2048 is C/H/S 0/32/33");
        assert_eq!(u32::from_le_bytes(e[8..12].try_into().unwrap()), 2048);
        assert_eq!(u32::from_le_bytes(e[12..16].try_into().unwrap()), 65536);
        assert_eq!(&s[440..444], &0xDEAD_BEEFu32.to_le_bytes());
        assert_eq!(&s[510..], &[0x55, 0xAA]);
        assert!(s[462..510].iter().all(|&b| b == 0));
        assert_eq!(&s[..440], MBR_CODE);
    }

    #[test]
    fn protective_covers_disk() {
        let s = protective(1 << 40);
        assert_eq!(s[446 + 4], 0xEE);
        assert_eq!(u32::from_le_bytes(s[454..458].try_into().unwrap()), 1);
        assert_eq!(
            u32::from_le_bytes(s[458..462].try_into().unwrap()),
            u32::MAX
        );
        assert_eq!(&s[446 + 5..446 + 8], &[0xFE, 0xFF, 0xFF]);
        assert!(s[..440].iter().all(|&b| b == 0), "no BIOS boot code");
    }
}
