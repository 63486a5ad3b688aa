//! The file allocation table: entry values, and the table of an image whose files all
//! sit in contiguous runs of clusters.

use std::iter::once;

/// FAT32 entries use the low 28 bits.
pub(crate) const MASK: u32 = 0x0FFF_FFFF;
/// End of a cluster chain (any value from 0x0FFFFFF8 up).
pub(crate) const END_OF_CHAIN: u32 = 0x0FFF_FFFF;
pub(crate) const FIRST_END: u32 = 0x0FFF_FFF8;
/// Entry 0 holds the media byte; entry 1 with its top bits set says "cleanly unmounted,
/// no I/O errors".
const RESERVED: [u32; 2] = [0x0FFF_FF00 | crate::bpb::MEDIA as u32, 0x0FFF_FFFF];

/// Every used FAT entry from entry 0, for runs of `runs[i]` clusters laid one after the
/// other from cluster 2. Entries after these are 0 (free).
pub(crate) fn entries(runs: &[u64]) -> impl Iterator<Item = u32> + '_ {
    let starts = runs.iter().scan(2u64, |next, &len| {
        let first = *next;
        *next += len;
        Some((first, len))
    });
    RESERVED.into_iter().chain(starts.flat_map(|(first, len)| {
        (first + 1..first + len)
            .map(|c| c as u32)
            .chain(once(END_OF_CHAIN))
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn chains_are_contiguous_and_terminated() {
        let fat: Vec<u32> = super::entries(&[1, 3, 2]).collect();
        assert_eq!(
            fat,
            [
                0x0FFF_FFF8,
                0x0FFF_FFFF,
                0x0FFF_FFFF,
                4,
                5,
                0x0FFF_FFFF,
                7,
                0x0FFF_FFFF
            ]
        );
    }
}
