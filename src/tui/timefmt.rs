//! Readable local times for epoch-millisecond timestamps, in a given [`Zone`].

use super::localtime::Zone;

/// `2026-11-27 23:13` local, 16 columns: the list columns.
pub fn short(ms: i64, zone: &Zone) -> String {
    let secs = ms.div_euclid(1000);
    let (y, mo, d, h, mi, _) = civil(secs + i64::from(zone.at(secs).offset));
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}")
}

/// `2026-11-27 23:13:05 CET`: the detail pane.
pub fn long(ms: i64, zone: &Zone) -> String {
    let secs = ms.div_euclid(1000);
    let local = zone.at(secs);
    let (y, mo, d, h, mi, s) = civil(secs + i64::from(local.offset));
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02} {}", local.abbr)
}

/// (year, month, day, hour, minute, second) of `secs` since the epoch, read as UTC.
pub fn civil(secs: i64) -> (i64, i64, i64, i64, i64, i64) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    (y, m, d, rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 → (year, month, day).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Howard Hinnant's `days_from_civil`: (year, month, day) → days since 1970-01-01.
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants_in_utc() {
        let utc = Zone::utc();
        assert_eq!(short(0, &utc), "1970-01-01 00:00");
        assert_eq!(long(1_709_251_199_000, &utc), "2024-02-29 23:59:59 UTC");
        assert_eq!(short(951_782_400_000, &utc), "2000-02-29 00:00");
        assert_eq!(short(-1000, &utc), "1969-12-31 23:59");
        for days in [-800_000, -1, 0, 59, 10_957, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
