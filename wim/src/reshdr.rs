//! The 24-byte resource header that locates every piece of a WIM: in the file
//! header (lookup table, XML data, boot metadata, integrity table) and in each
//! lookup table entry.

/// On-disk size of a resource header.
pub const RESHDR_LEN: usize = 24;

/// Resource holds image metadata, the lookup table or the XML data.
pub const FLAG_METADATA: u8 = 0x02;
/// Resource is compressed with the WIM's compression type (chunked).
pub const FLAG_COMPRESSED: u8 = 0x04;
/// Resource is (or lives in) a solid resource, as in ESD files.
pub const FLAG_SOLID: u8 = 0x10;

/// Where a resource lies in the WIM and how big it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ResourceHeader {
    /// Bytes the resource takes in the file (after compression); 56 bits on disk.
    pub size_in_wim: u64,
    /// `FLAG_*` bits.
    pub flags: u8,
    /// Byte offset from the start of the file.
    pub offset: u64,
    /// Size once decompressed.
    pub original_size: u64,
}

impl ResourceHeader {
    /// Largest value the 7-byte size field can hold.
    pub const MAX_SIZE: u64 = (1 << 56) - 1;

    pub fn parse(b: &[u8; RESHDR_LEN]) -> Self {
        let mut size = [0u8; 8];
        size[..7].copy_from_slice(&b[..7]);
        ResourceHeader {
            size_in_wim: u64::from_le_bytes(size),
            flags: b[7],
            offset: u64::from_le_bytes(b[8..16].try_into().expect("8 bytes")),
            original_size: u64::from_le_bytes(b[16..24].try_into().expect("8 bytes")),
        }
    }

    pub fn encode(&self) -> [u8; RESHDR_LEN] {
        debug_assert!(self.size_in_wim <= Self::MAX_SIZE);
        let mut b = [0u8; RESHDR_LEN];
        b[..7].copy_from_slice(&self.size_in_wim.to_le_bytes()[..7]);
        b[7] = self.flags;
        b[8..16].copy_from_slice(&self.offset.to_le_bytes());
        b[16..24].copy_from_slice(&self.original_size.to_le_bytes());
        b
    }

    /// An all-zero header means "not present" (no integrity table, no boot image).
    pub fn is_absent(&self) -> bool {
        *self == ResourceHeader::default()
    }

    pub fn is_compressed(&self) -> bool {
        self.flags & (FLAG_COMPRESSED | FLAG_SOLID) != 0
    }

    /// First byte after the resource, or `None` when offset + size overflows.
    pub fn end(&self) -> Option<u64> {
        self.offset.checked_add(self.size_in_wim)
    }

    /// An uncompressed resource of `len` bytes at `offset`.
    pub fn raw(offset: u64, len: u64, flags: u8) -> Self {
        ResourceHeader {
            size_in_wim: len,
            flags,
            offset,
            original_size: len,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_uses_seven_size_bytes() {
        let h = ResourceHeader {
            size_in_wim: 0x00AB_CDEF_0123_4567,
            flags: FLAG_METADATA | FLAG_COMPRESSED,
            offset: 0x1122_3344_5566_7788,
            original_size: 42,
        };
        let b = h.encode();
        assert_eq!(&b[..7], &[0x67, 0x45, 0x23, 0x01, 0xEF, 0xCD, 0xAB]);
        assert_eq!(b[7], 0x06);
        assert_eq!(ResourceHeader::parse(&b), h);
        assert!(h.is_compressed());
    }

    #[test]
    fn flags_byte_does_not_leak_into_size() {
        let mut b = [0u8; RESHDR_LEN];
        b[0] = 5;
        b[7] = 0xFF;
        let h = ResourceHeader::parse(&b);
        assert_eq!(h.size_in_wim, 5);
        assert_eq!(h.flags, 0xFF);
    }

    #[test]
    fn zero_is_absent_and_end_checks_overflow() {
        assert!(ResourceHeader::default().is_absent());
        assert!(!ResourceHeader::raw(208, 1, 0).is_absent());
        let h = ResourceHeader::raw(u64::MAX, 2, 0);
        assert_eq!(h.end(), None);
        assert_eq!(ResourceHeader::raw(208, 10, 0).end(), Some(218));
    }
}
