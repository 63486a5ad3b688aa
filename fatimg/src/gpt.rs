//! The GUID Partition Table: primary header and entries after the protective MBR, the
//! backup copies at the end of the disk, with their CRC32s (UEFI 2.10, section 5.3).

use std::fmt;

use sha2::{Digest, Sha256};

use crate::bpb::SECTOR;
use crate::crc32::crc32;

pub(crate) const ENTRY_COUNT: usize = 128;
pub(crate) const ENTRY_SIZE: usize = 128;
/// Sectors the entry array takes: 128 entries of 128 bytes.
pub(crate) const ENTRY_SECTORS: u64 = (ENTRY_COUNT * ENTRY_SIZE) as u64 / SECTOR;
pub(crate) const SIGNATURE: &[u8; 8] = b"EFI PART";
const HEADER_SIZE: usize = 92;

/// A GUID in its on-disk byte order (the first three fields little-endian).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Guid(pub [u8; 16]);

impl Guid {
    /// EFI System Partition, C12A7328-F81F-11D2-BA4B-00A0C93EC93B.
    pub const EFI_SYSTEM: Guid = Guid([
        0x28, 0x73, 0x2A, 0xC1, 0x1F, 0xF8, 0xD2, 0x11, 0xBA, 0x4B, 0x00, 0xA0, 0xC9, 0x3E, 0xC9,
        0x3B,
    ]);
    /// Microsoft Basic Data, EBD0A0A2-B9E5-4433-87C0-68B6B72699C7.
    pub const BASIC_DATA: Guid = Guid([
        0xA2, 0xA0, 0xD0, 0xEB, 0xE5, 0xB9, 0x33, 0x44, 0x87, 0xC0, 0x68, 0xB6, 0xB7, 0x26, 0x99,
        0xC7,
    ]);

    /// A version-4-shaped GUID derived from `seed` and `purpose`: the same inputs give the
    /// same disk, so builds are reproducible, and different purposes never collide.
    pub(crate) fn derived(seed: u64, purpose: &str) -> Guid {
        let digest = Sha256::new()
            .chain_update(seed.to_le_bytes())
            .chain_update(purpose.as_bytes())
            .finalize();
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        bytes[7] = (bytes[7] & 0x0F) | 0x40;
        bytes[8] = (bytes[8] & 0x3F) | 0x80;
        Guid(bytes)
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = &self.0;
        write!(
            f,
            "{:08X}-{:04X}-{:04X}-{:02X}{:02X}-",
            u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            u16::from_le_bytes([b[4], b[5]]),
            u16::from_le_bytes([b[6], b[7]]),
            b[8],
            b[9]
        )?;
        b[10..].iter().try_for_each(|x| write!(f, "{x:02X}"))
    }
}

impl fmt::Debug for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A GPT disk with one partition.
pub(crate) struct Gpt {
    pub(crate) disk_sectors: u64,
    pub(crate) disk_guid: Guid,
    pub(crate) type_guid: Guid,
    pub(crate) partition_guid: Guid,
    pub(crate) first_lba: u64,
    pub(crate) last_lba: u64,
    pub(crate) name: String,
}

impl Gpt {
    /// The partition entry array (shared by both copies).
    pub(crate) fn entries(&self) -> Vec<u8> {
        let mut table = vec![0u8; ENTRY_COUNT * ENTRY_SIZE];
        let e = &mut table[..ENTRY_SIZE];
        e[..16].copy_from_slice(&self.type_guid.0);
        e[16..32].copy_from_slice(&self.partition_guid.0);
        e[32..40].copy_from_slice(&self.first_lba.to_le_bytes());
        e[40..48].copy_from_slice(&self.last_lba.to_le_bytes());
        for (i, unit) in self.name.encode_utf16().take(36).enumerate() {
            e[56 + 2 * i..58 + 2 * i].copy_from_slice(&unit.to_le_bytes());
        }
        table
    }

    /// The primary header (LBA 1, entries at LBA 2) or the backup (last LBA, entries
    /// just before it).
    pub(crate) fn header(&self, primary: bool, entries: &[u8]) -> [u8; 512] {
        let last = self.disk_sectors - 1;
        let (my_lba, alternate, entries_lba) = if primary {
            (1, last, 2)
        } else {
            (last, 1, last - ENTRY_SECTORS)
        };
        let mut s = [0u8; 512];
        s[..8].copy_from_slice(SIGNATURE);
        s[8..12].copy_from_slice(&0x0001_0000u32.to_le_bytes());
        s[12..16].copy_from_slice(&(HEADER_SIZE as u32).to_le_bytes());
        s[24..32].copy_from_slice(&my_lba.to_le_bytes());
        s[32..40].copy_from_slice(&alternate.to_le_bytes());
        s[40..48].copy_from_slice(&(2 + ENTRY_SECTORS).to_le_bytes());
        s[48..56].copy_from_slice(&(last - ENTRY_SECTORS - 1).to_le_bytes());
        s[56..72].copy_from_slice(&self.disk_guid.0);
        s[72..80].copy_from_slice(&entries_lba.to_le_bytes());
        s[80..84].copy_from_slice(&(ENTRY_COUNT as u32).to_le_bytes());
        s[84..88].copy_from_slice(&(ENTRY_SIZE as u32).to_le_bytes());
        s[88..92].copy_from_slice(&crc32(entries).to_le_bytes());
        let header_crc = crc32(&s[..HEADER_SIZE]);
        s[16..20].copy_from_slice(&header_crc.to_le_bytes());
        s
    }
}

/// Checks a header's signature and CRC; returns (entries LBA, entry count, entry size,
/// entries CRC).
pub(crate) fn parse_header(s: &[u8]) -> Result<(u64, usize, usize, u32), String> {
    if &s[..8] != SIGNATURE {
        return Err("no \"EFI PART\" signature at LBA 1".into());
    }
    let size = u32::from_le_bytes(s[12..16].try_into().expect("4 bytes")) as usize;
    if !(HEADER_SIZE..=s.len()).contains(&size) {
        return Err(format!("header size {size} is out of range"));
    }
    let stored = u32::from_le_bytes(s[16..20].try_into().expect("4 bytes"));
    let mut copy = s[..size].to_vec();
    copy[16..20].fill(0);
    if crc32(&copy) != stored {
        return Err("header CRC32 does not match".into());
    }
    let u64_at = |o: usize| u64::from_le_bytes(s[o..o + 8].try_into().expect("8 bytes"));
    let u32_at = |o: usize| u32::from_le_bytes(s[o..o + 4].try_into().expect("4 bytes"));
    let (count, entry_size) = (u32_at(80) as usize, u32_at(84) as usize);
    if count > 1024 || !(128..=4096).contains(&entry_size) {
        return Err(format!(
            "{count} entries of {entry_size} bytes is out of range"
        ));
    }
    Ok((u64_at(72), count, entry_size, u32_at(88)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Gpt {
        Gpt {
            disk_sectors: 200 * 2048,
            disk_guid: Guid::derived(7, "disk"),
            type_guid: Guid::EFI_SYSTEM,
            partition_guid: Guid::derived(7, "partition"),
            first_lba: 2048,
            last_lba: 199 * 2048 - 1,
            name: "OQS-STICK".into(),
        }
    }

    #[test]
    fn type_guids_print_as_specified() {
        assert_eq!(
            Guid::EFI_SYSTEM.to_string(),
            "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
        );
        assert_eq!(
            Guid::BASIC_DATA.to_string(),
            "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7"
        );
    }

    #[test]
    fn derived_guids_are_stable_and_distinct() {
        assert_eq!(Guid::derived(1, "disk"), Guid::derived(1, "disk"));
        assert_ne!(Guid::derived(1, "disk"), Guid::derived(2, "disk"));
        assert_ne!(Guid::derived(1, "disk"), Guid::derived(1, "partition"));
        assert_eq!(&Guid::derived(1, "disk").to_string()[14..15], "4");
    }

    #[test]
    fn headers_carry_valid_crcs() {
        let gpt = sample();
        let entries = gpt.entries();
        for primary in [true, false] {
            let h = gpt.header(primary, &entries);
            let (lba, count, size, crc) = parse_header(&h).unwrap();
            assert_eq!(crc, crc32(&entries));
            assert_eq!((count, size), (128, 128));
            assert_eq!(lba, if primary { 2 } else { gpt.disk_sectors - 33 });
        }
        let mut broken = gpt.header(true, &entries);
        broken[40] ^= 1;
        assert!(parse_header(&broken).is_err());
    }

    #[test]
    fn usable_range_leaves_room_for_backup() {
        let gpt = sample();
        let h = gpt.header(true, &gpt.entries());
        assert_eq!(u64::from_le_bytes(h[40..48].try_into().unwrap()), 34);
        assert_eq!(
            u64::from_le_bytes(h[48..56].try_into().unwrap()),
            gpt.disk_sectors - 34
        );
    }
}
