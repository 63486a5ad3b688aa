//! The legacy BIOS boot chain of MBR sticks, assembled from `fatimg/boot/*.asm`: the MBR
//! code loads the active partition's boot sector, whose code loads `BOOTMGR` from the
//! root folder to 2000:0000 and jumps to it, as Windows' own FAT32 boot code does. The
//! binaries are committed so building needs no assembler; `tests/tests/bios_boot.rs`
//! re-assembles the sources to prove they match, and boots the chain under SeaBIOS.

/// Bytes 0..440 of the MBR; the disk signature and partition table follow.
pub(crate) const MBR_CODE: &[u8; 440] = include_bytes!("../boot/mbr.bin");

/// A whole FAT32 boot sector with a zeroed BPB (bytes 3..0x5A) for `bpb.rs` to fill in:
/// the jump over the BPB, the loader code and the 55AA signature.
pub(crate) const BOOT_SECTOR: &[u8; 512] = include_bytes!("../boot/vbr.bin");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boot_sector_leaves_the_bpb_to_the_writer() {
        assert_eq!(
            &BOOT_SECTOR[..3],
            &[0xEB, 0x58, 0x90],
            "jmp short 0x5A; nop"
        );
        assert!(BOOT_SECTOR[3..0x5A].iter().all(|&b| b == 0));
        assert_eq!(&BOOT_SECTOR[510..], &[0x55, 0xAA]);
        let name = b"BOOTMGR    ";
        assert!(BOOT_SECTOR.windows(name.len()).any(|w| w == name));
    }

    #[test]
    fn mbr_code_reads_by_lba_and_falls_back_to_the_bios() {
        // INT 13h (the extended read) and INT 18h (next boot device) are both in there.
        assert!(MBR_CODE.windows(2).any(|w| w == [0xCD, 0x13]));
        assert!(MBR_CODE.windows(2).any(|w| w == [0xCD, 0x18]));
    }
}
