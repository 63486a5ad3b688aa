//! Volume geometry (cluster size, FAT size, where data starts) and the sectors that
//! describe it: the FAT32 boot sector with its BPB, and the FSInfo sector.

use crate::boot_code::BOOT_SECTOR;

pub(crate) const SECTOR: u64 = 512;
pub(crate) const MIB: u64 = 1 << 20;
/// FAT32 needs at least this many clusters, or Windows and Linux take it for FAT16.
pub(crate) const MIN_CLUSTERS: u64 = 65_525;
const RESERVED_MIN: u64 = 32;
const NUM_FATS: u64 = 2;
pub(crate) const MEDIA: u8 = 0xF8;
pub(crate) const FSINFO_SECTOR: usize = 1;
pub(crate) const BACKUP_BOOT_SECTOR: usize = 6;
pub(crate) const ROOT_CLUSTER: u32 = 2;

/// The layout of one FAT32 volume, in 512-byte sectors relative to its first sector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Geometry {
    /// Sectors before the volume on the disk (the partition's start LBA).
    pub(crate) hidden_sectors: u64,
    pub(crate) total_sectors: u64,
    pub(crate) sectors_per_cluster: u64,
    pub(crate) reserved_sectors: u64,
    pub(crate) fat_sectors: u64,
    pub(crate) clusters: u64,
}

/// Microsoft's default FAT32 cluster size for a volume of `bytes` (KB140365), so the
/// stick looks like one Windows formatted.
pub(crate) fn cluster_bytes_for(bytes: u64) -> u64 {
    const GIB: u64 = 1 << 30;
    match bytes {
        b if b < 64 * MIB => 512,
        b if b < 128 * MIB => 1024,
        b if b < 256 * MIB => 2048,
        b if b <= 8 * GIB => 4096,
        b if b <= 16 * GIB => 8192,
        b if b <= 32 * GIB => 16384,
        _ => 32768,
    }
}

impl Geometry {
    /// The geometry for a volume of `total_sectors` starting at LBA `hidden_sectors`, or
    /// `None` when it would have too few clusters for FAT32. The data region starts on a
    /// 1 MiB boundary of the disk (padding the reserved area), which flash sticks like:
    /// every cluster then sits inside one erase block.
    pub(crate) fn new(total_sectors: u64, hidden_sectors: u64) -> Option<Geometry> {
        let sectors_per_cluster = cluster_bytes_for(total_sectors * SECTOR) / SECTOR;
        let mut fat_sectors = 1;
        loop {
            let data = total_sectors.checked_sub(RESERVED_MIN + NUM_FATS * fat_sectors)?;
            let needed = ((data / sectors_per_cluster + 2) * 4).div_ceil(SECTOR);
            if needed <= fat_sectors {
                break;
            }
            fat_sectors = needed;
        }
        let align = MIB / SECTOR;
        let unaligned_start = hidden_sectors + RESERVED_MIN + NUM_FATS * fat_sectors;
        let reserved_sectors = RESERVED_MIN + (align - unaligned_start % align) % align;
        let data_start = reserved_sectors + NUM_FATS * fat_sectors;
        let clusters = total_sectors.checked_sub(data_start)? / sectors_per_cluster;
        (clusters >= MIN_CLUSTERS).then_some(Geometry {
            hidden_sectors,
            total_sectors,
            sectors_per_cluster,
            reserved_sectors,
            fat_sectors,
            clusters,
        })
    }

    pub(crate) fn cluster_bytes(&self) -> u64 {
        self.sectors_per_cluster * SECTOR
    }

    pub(crate) fn fat_bytes(&self) -> u64 {
        self.fat_sectors * SECTOR
    }

    /// Byte offset of the data region (cluster 2) within the volume.
    pub(crate) fn data_offset(&self) -> u64 {
        (self.reserved_sectors + NUM_FATS * self.fat_sectors) * SECTOR
    }

    /// The FAT32 boot sector (also written as the backup at sector 6): the BPB, and the
    /// code that loads `BOOTMGR` on a legacy BIOS (`boot/vbr.asm`), which brings its jump
    /// over the BPB and the 55AA signature.
    pub(crate) fn boot_sector(&self, serial: u32, label: &[u8; 11]) -> [u8; 512] {
        let mut s = *BOOT_SECTOR;
        s[3..11].copy_from_slice(b"MSWIN4.1");
        s[11..13].copy_from_slice(&(SECTOR as u16).to_le_bytes());
        s[13] = self.sectors_per_cluster as u8;
        s[14..16].copy_from_slice(&(self.reserved_sectors as u16).to_le_bytes());
        s[16] = NUM_FATS as u8;
        s[21] = MEDIA;
        s[24..26].copy_from_slice(&63u16.to_le_bytes());
        s[26..28].copy_from_slice(&255u16.to_le_bytes());
        s[28..32].copy_from_slice(&(self.hidden_sectors as u32).to_le_bytes());
        s[32..36].copy_from_slice(&(self.total_sectors as u32).to_le_bytes());
        s[36..40].copy_from_slice(&(self.fat_sectors as u32).to_le_bytes());
        s[44..48].copy_from_slice(&ROOT_CLUSTER.to_le_bytes());
        s[48..50].copy_from_slice(&(FSINFO_SECTOR as u16).to_le_bytes());
        s[50..52].copy_from_slice(&(BACKUP_BOOT_SECTOR as u16).to_le_bytes());
        s[64] = 0x80;
        s[66] = 0x29;
        s[67..71].copy_from_slice(&serial.to_le_bytes());
        s[71..82].copy_from_slice(label);
        s[82..90].copy_from_slice(b"FAT32   ");
        s
    }
}

/// The FSInfo sector: free cluster count and next free cluster, so Windows need not
/// scan the whole FAT when the stick is plugged in.
pub(crate) fn fsinfo_sector(free: u64, next_free: u64) -> [u8; 512] {
    let mut s = [0u8; 512];
    s[..4].copy_from_slice(&0x4161_5252u32.to_le_bytes());
    s[484..488].copy_from_slice(&0x6141_7272u32.to_le_bytes());
    s[488..492].copy_from_slice(&(free as u32).to_le_bytes());
    s[492..496].copy_from_slice(&(next_free as u32).to_le_bytes());
    s[508..].copy_from_slice(&0xAA55_0000u32.to_le_bytes());
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const GIB: u64 = 1 << 30;

    #[test]
    fn cluster_size_follows_microsofts_table() {
        for (size, cluster) in [
            (40 * MIB, 512),
            (100 * MIB, 1024),
            (200 * MIB, 2048),
            (2 * GIB, 4096),
            (8 * GIB, 4096),
            (12 * GIB, 8192),
            (30 * GIB, 16384),
            (60 * GIB, 32768),
        ] {
            let g = Geometry::new(size / SECTOR, 2048).unwrap();
            assert_eq!(g.cluster_bytes(), cluster, "{size}");
        }
    }

    #[test]
    fn fat32_minimum_cluster_count() {
        assert!(Geometry::new(32 * MIB / SECTOR, 2048).is_none());
        let g = Geometry::new(34 * MIB / SECTOR, 2048).unwrap();
        assert!(g.clusters >= MIN_CLUSTERS);
    }

    #[test]
    fn fat_covers_clusters_and_data_is_aligned() {
        for size in [34 * MIB, 100 * MIB, 3 * GIB + 5 * SECTOR, 31 * GIB] {
            let g = Geometry::new(size / SECTOR, 2048).unwrap();
            assert!(g.fat_bytes() / 4 >= g.clusters + 2);
            assert_eq!((g.hidden_sectors * SECTOR + g.data_offset()) % MIB, 0);
            assert!(g.data_offset() + g.clusters * g.cluster_bytes() <= size);
            // The FAT is no larger than needed, give or take the alignment padding.
            assert!(g.fat_bytes() / 4 < g.clusters + 2 + 128 + 2048);
        }
    }

    #[test]
    fn bpb_fields() {
        let g = Geometry::new(2 * GIB / SECTOR, 2048).unwrap();
        let s = g.boot_sector(0x1234_5678, b"OQS-STICK  ");
        let u16_at = |o: usize| u16::from_le_bytes([s[o], s[o + 1]]);
        let u32_at = |o: usize| u32::from_le_bytes(s[o..o + 4].try_into().unwrap());
        assert_eq!(u16_at(11), 512);
        assert_eq!(s[13], 8);
        assert_eq!(u64::from(u16_at(14)), g.reserved_sectors);
        assert_eq!(s[16], 2);
        assert_eq!(u16_at(17), 0, "FAT32 has no fixed root directory");
        assert_eq!(u16_at(19), 0);
        assert_eq!(s[21], 0xF8);
        assert_eq!(u16_at(22), 0, "FAT32 keeps the FAT size at offset 36");
        assert_eq!(u32_at(28), 2048);
        assert_eq!(u64::from(u32_at(32)), 2 * GIB / SECTOR);
        assert_eq!(u64::from(u32_at(36)), g.fat_sectors);
        assert_eq!(u32_at(44), 2);
        assert_eq!(u16_at(48), 1);
        assert_eq!(u16_at(50), 6);
        assert_eq!(s[66], 0x29);
        assert_eq!(u32_at(67), 0x1234_5678);
        assert_eq!(&s[71..82], b"OQS-STICK  ");
        assert_eq!(&s[82..90], b"FAT32   ");
        assert_eq!(&s[510..], &[0x55, 0xAA]);
        assert_eq!(
            &s[..3],
            &BOOT_SECTOR[..3],
            "the jump lands on the boot code"
        );
        assert_eq!(&s[0x5A..], &BOOT_SECTOR[0x5A..], "the boot code is whole");
    }
}
