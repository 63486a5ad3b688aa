//! The log file under `C:\ProgramData\oqs-stick\`: one line per event, with the
//! time, in the language in force. It receives only what the report shows, which
//! never holds a secret.

use crate::host::Host;
use crate::paths;

pub struct Log {
    path: String,
}

impl Log {
    pub fn open(host: &mut dyn Host) -> anyhow::Result<Log> {
        host.create_dir_all(&paths::state_dir(host)?)?;
        Ok(Log {
            path: paths::log(host)?,
        })
    }

    pub fn write(&self, host: &mut dyn Host, line: &str) -> anyhow::Result<()> {
        let stamp = utc_timestamp(host.now_unix());
        let mut text = String::new();
        for part in line.lines() {
            text.push_str(&format!("{stamp} {part}\r\n"));
        }
        host.append_file(&self.path, text.as_bytes())?;
        Ok(())
    }
}

/// `2026-01-01T05:00:00Z` from Unix seconds (civil-from-days, proleptic Gregorian).
pub fn utc_timestamp(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let secs = unix % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps() {
        assert_eq!(super::utc_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::utc_timestamp(1_767_225_600), "2026-01-01T00:00:00Z");
        assert_eq!(
            super::utc_timestamp(951_782_400 + 3661),
            "2000-02-29T01:01:01Z"
        );
    }
}
