//! Unix time to the DOS date/time pair FAT directory entries carry.
//! Images are reproducible: every entry gets the one timestamp the caller chose.

/// (date, time) in FAT's packed form, UTC, clamped to FAT's 1980..=2107 range.
pub(crate) fn dos_date_time(unix_seconds: u64) -> (u16, u16) {
    let days = unix_seconds / 86_400;
    let secs = unix_seconds % 86_400;
    let (year, month, day) = civil_from_days(days);
    if year < 1980 {
        return (pack_date(1980, 1, 1), 0);
    }
    if year > 2107 {
        return (pack_date(2107, 12, 31), pack_time(23, 59, 58));
    }
    (
        pack_date(year, month, day),
        pack_time(secs / 3600, secs / 60 % 60, secs % 60),
    )
}

fn pack_date(year: u64, month: u64, day: u64) -> u16 {
    (((year - 1980) << 9) | (month << 5) | day) as u16
}

fn pack_time(hour: u64, minute: u64, second: u64) -> u16 {
    ((hour << 11) | (minute << 5) | (second / 2)) as u16
}

/// Howard Hinnant's days-to-civil algorithm, for days since 1970-01-01.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        // 2024-02-29 13:45:30 UTC
        let (date, time) = dos_date_time(1_709_214_330);
        assert_eq!(date, pack_date(2024, 2, 29));
        assert_eq!(time, pack_time(13, 45, 30));
        assert_eq!(dos_date_time(0), (pack_date(1980, 1, 1), 0));
        assert_eq!(civil_from_days(0), (1970, 1, 1));
    }
}
