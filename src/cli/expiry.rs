//! `--expire-time` on the command line: epoch milliseconds or the terminal app's date forms
//! (`YYYY-MM-DD`, `YYYY-MM-DD HH:MM`, in the local zone), and never a time already past.

use crate::csms::ApiError;
use crate::timefmt::{self, Zone};

/// What `--expire-time` takes, as the usage error says it.
const FORMS: &str = "epoch milliseconds, YYYY-MM-DD or \"YYYY-MM-DD HH:MM\" (local time)";

/// Clap's value parser for `--expire-time`: epoch ms (digits, or `-` and digits), else a date
/// `YYYY-MM-DD[ HH:MM]` in this machine's zone (a `TZ` that is ignored is said on stderr: the
/// date is then read as UTC). A usage error names the forms taken.
pub fn parse(text: &str) -> Result<i64, String> {
    let (zone, tz_ignored) = Zone::local_checked();
    if let Some(note) = tz_ignored {
        eprintln!("csvault: {note}");
    }
    read(text, &zone)
}

fn read(text: &str, zone: &Zone) -> Result<i64, String> {
    let trimmed = text.trim();
    let digits = trimmed.strip_prefix('-').unwrap_or(trimmed);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return trimmed
            .parse::<i64>()
            .map_err(|_| format!("{trimmed} is out of range; give {FORMS}"));
    }
    timefmt::parse_local(trimmed, zone).ok_or_else(|| format!("give {FORMS}"))
}

/// `expire_time` if it is still ahead; `CSMS.0002` naming the time (in the local zone) when it
/// is already past: an expiry is set for the future.
pub fn not_past(expire_time: i64) -> Result<i64, ApiError> {
    not_past_at(expire_time, timefmt::system_now_ms(), &Zone::local())
}

fn not_past_at(expire_time: i64, now_ms: i64, zone: &Zone) -> Result<i64, ApiError> {
    if expire_time <= now_ms {
        return Err(ApiError::invalid(format!(
            "Invalid expire_time: {} is in the past; give a later time.",
            timefmt::long(expire_time, zone)
        )));
    }
    Ok(expire_time)
}

#[cfg(test)]
mod tests {
    use super::*;

    const JUL_2024: i64 = 1_719_835_200_000; // 2024-07-01 12:00 UTC

    #[test]
    fn epoch_ms_and_the_apps_date_forms() {
        let utc = Zone::utc();
        assert_eq!(read("1719835200000", &utc), Ok(JUL_2024));
        assert_eq!(read("2024-07-01 12:00", &utc), Ok(JUL_2024));
        assert_eq!(read(" 2024-07-01 ", &utc), Ok(JUL_2024 - 12 * 3_600_000));
        assert_eq!(read("-5", &utc), Ok(-5));
        for bad in ["tomorrow", "2024-02-30", "", "-", "99999999999999999999"] {
            let Err(why) = read(bad, &utc) else {
                panic!("{bad:?} was taken")
            };
            assert!(why.contains("YYYY-MM-DD"), "{why}");
        }
    }

    #[test]
    fn a_time_already_past_is_refused() {
        let utc = Zone::utc();
        assert_eq!(
            not_past_at(JUL_2024 + 1, JUL_2024, &utc).ok(),
            Some(JUL_2024 + 1)
        );
        let Err(e) = not_past_at(JUL_2024, JUL_2024, &utc) else {
            panic!("now is not ahead")
        };
        assert_eq!(e.code.as_str(), "CSMS.0002");
        assert!(
            e.error_msg
                .contains("2024-07-01 12:00:00 UTC is in the past"),
            "{e}"
        );
    }
}
