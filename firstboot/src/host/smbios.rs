//! The system UUID and serial number from the raw SMBIOS tables (type 1,
//! "System Information"), as `GetSystemFirmwareTable('RSMB')` returns them.
//! Pure parsing, so it is tested on any platform.

/// (UUID `XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX`, serial) from a `RawSMBIOSData` blob.
pub fn system_ids(raw: &[u8]) -> (Option<String>, Option<String>) {
    // RawSMBIOSData: 4 version bytes, a u32 length, then the structure table.
    let Some(table) = raw.get(8..) else {
        return (None, None);
    };
    let mut at = 0;
    while at + 4 <= table.len() {
        let kind = table[at];
        let len = usize::from(table[at + 1]);
        if len < 4 || at + len > table.len() {
            break;
        }
        let formatted = &table[at..at + len];
        // The strings follow the formatted area and end with a double NUL.
        let mut end = at + len;
        while end + 1 < table.len() && !(table[end] == 0 && table[end + 1] == 0) {
            end += 1;
        }
        let strings: Vec<&[u8]> = table[at + len..end].split(|b| *b == 0).collect();
        if kind == 1 {
            let serial = formatted
                .get(7)
                .and_then(|&i| usize::from(i).checked_sub(1))
                .and_then(|i| strings.get(i))
                .map(|s| String::from_utf8_lossy(s).trim().to_owned())
                .filter(|s| !s.is_empty());
            let uuid = formatted.get(8..24).and_then(uuid_text);
            return (uuid, serial);
        }
        if kind == 127 {
            break;
        }
        at = end + 2;
    }
    (None, None)
}

/// SMBIOS 2.6+: the first three fields are little-endian, as Windows shows them.
fn uuid_text(b: &[u8]) -> Option<String> {
    if b.iter().all(|&x| x == 0) || b.iter().all(|&x| x == 0xFF) {
        return None; // "not present" / "not set"
    }
    Some(format!(
        "{:02X}{:02X}{:02X}{:02X}-{:02X}{:02X}-{:02X}{:02X}-{:02X}{:02X}-{}",
        b[3],
        b[2],
        b[1],
        b[0],
        b[5],
        b[4],
        b[7],
        b[6],
        b[8],
        b[9],
        b[10..16]
            .iter()
            .map(|x| format!("{x:02X}"))
            .collect::<String>()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table_with_type1(uuid: [u8; 16], serial: &str) -> Vec<u8> {
        let mut raw = vec![0, 3, 4, 0, 0, 0, 0, 0];
        // A type 0 (BIOS) structure first, with one string.
        raw.extend([0, 4, 0, 0]);
        raw.extend(b"Vendor\0\0");
        // Type 1: length 0x1B; string 1 = manufacturer, 2 = product, 4 = serial.
        let mut t1 = vec![1, 0x1B, 1, 0, 1, 2, 3, 4];
        t1.extend(uuid);
        t1.extend([6, 0, 0]);
        raw.extend(t1);
        raw.extend(format!("HP\0HP ProDesk\0v1\0{serial}\0\0").as_bytes());
        raw.extend([127, 4, 0, 0, 0, 0]);
        raw
    }

    #[test]
    fn reads_uuid_and_serial_from_type_1() {
        let uuid = [
            0x44, 0x45, 0x4C, 0x4C, 0x42, 0x00, 0x10, 0x35, 0x80, 0x51, 0xB7, 0xC0, 0x4F, 0x56,
            0x34, 0x32,
        ];
        let raw = table_with_type1(uuid, "5CG1234XYZ");
        assert_eq!(
            system_ids(&raw),
            (
                Some("4C4C4544-0042-3510-8051-B7C04F563432".into()),
                Some("5CG1234XYZ".into())
            )
        );
    }

    #[test]
    fn unset_uuid_and_truncated_tables_give_nothing() {
        let raw = table_with_type1([0xFF; 16], "");
        assert_eq!(system_ids(&raw), (None, None));
        assert_eq!(system_ids(&[1, 2, 3]), (None, None));
        assert_eq!(system_ids(&[0, 0, 0, 0, 0, 0, 0, 0, 1, 2]), (None, None));
    }
}
