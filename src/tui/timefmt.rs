//! Readable local times for epoch-millisecond timestamps, in a [`Zone`] (jiff's time zones: the
//! system's, `TZ` honoured; UTC, and labelled so, when neither can be read).

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// The time zone times are shown in.
#[derive(Clone, Debug)]
pub struct Zone(TimeZone);

impl Zone {
    pub fn utc() -> Self {
        Self(TimeZone::UTC)
    }

    /// This machine's zone: `TZ` if set, else the system's. A `TZ` that does not read (a name
    /// not in the database, a malformed rule) gives UTC, so the screen says `UTC`.
    pub fn local() -> Self {
        Self(TimeZone::try_system().unwrap_or(TimeZone::UTC))
    }

    /// `Some` formatted time, or `None` outside the years jiff represents (±9999).
    fn format(&self, ms: i64, pattern: &str) -> Option<String> {
        let at = Timestamp::from_millisecond(ms).ok()?;
        Some(
            at.to_zoned_datetime(self.0.clone())
                .strftime(pattern)
                .to_string(),
        )
    }
}

/// `2026-11-27 23:13` local, 16 columns: the list columns.
pub fn short(ms: i64, zone: &Zone) -> String {
    zone.format(ms, "%Y-%m-%d %H:%M")
        .unwrap_or_else(|| ms.to_string())
}

/// `2026-11-27 23:13:05 CET`: the detail pane.
pub fn long(ms: i64, zone: &Zone) -> String {
    zone.format(ms, "%Y-%m-%d %H:%M:%S %Z")
        .unwrap_or_else(|| ms.to_string())
}

/// A time typed as `YYYY-MM-DD` (midnight) or `YYYY-MM-DD HH:MM` in `zone`, as epoch ms; `None`
/// when it is neither (or names no instant of the zone's calendar).
pub fn parse_local(text: &str, zone: &Zone) -> Option<i64> {
    use jiff::civil::{Date, DateTime};
    let text = text.trim();
    let at = match DateTime::strptime("%Y-%m-%d %H:%M", text) {
        Ok(dt) => dt,
        Err(_) => Date::strptime("%Y-%m-%d", text)
            .ok()?
            .to_datetime(jiff::civil::Time::midnight()),
    };
    Some(zone.0.to_timestamp(at).ok()?.as_millisecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    const JUL_2024: i64 = 1_719_835_200_000; // 2024-07-01 12:00 UTC
    const JAN_2024: i64 = 1_704_110_400_000; // 2024-01-01 12:00 UTC

    #[test]
    fn typed_local_times() {
        let utc = Zone::utc();
        assert_eq!(parse_local("2024-07-01 12:00", &utc), Some(JUL_2024));
        assert_eq!(
            parse_local(" 2024-01-01 ", &utc),
            Some(JAN_2024 - 12 * 3_600_000)
        );
        assert_eq!(parse_local("2024-02-30", &utc), None);
        assert_eq!(parse_local("2024-07-01 25:00", &utc), None);
        assert_eq!(parse_local("tomorrow", &utc), None);
    }

    #[test]
    fn known_instants_in_utc() {
        let utc = Zone::utc();
        assert_eq!(short(0, &utc), "1970-01-01 00:00");
        assert_eq!(long(1_709_251_199_000, &utc), "2024-02-29 23:59:59 UTC");
        assert_eq!(short(951_782_400_000, &utc), "2000-02-29 00:00");
        assert_eq!(short(-1000, &utc), "1969-12-31 23:59");
        assert_eq!(short(i64::MAX, &utc), i64::MAX.to_string(), "no panic");
    }

    /// Set in the environment of the child runs below: the test then checks `Zone::local`.
    const CHILD: &str = "CSVAULT_TZ_CHILD";

    /// Runs `child_reads_tz` in a fresh process with `TZ` set (the environment cannot be changed
    /// safely in this one), and fails if it hangs, crashes or disagrees.
    fn run_child(tz: &str, expect: &str) {
        use std::time::{Duration, Instant};
        let Ok(exe) = std::env::current_exe() else {
            panic!("no test executable path")
        };
        let mut child = match std::process::Command::new(exe)
            .args([
                "--exact",
                "tui::timefmt::tests::child_reads_tz",
                "--nocapture",
            ])
            .env("TZ", tz)
            .env(CHILD, expect)
            .stdout(std::process::Stdio::piped())
            .spawn()
        {
            Ok(child) => child,
            Err(e) => panic!("cannot start the child test: {e}"),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            match child.try_wait() {
                Ok(Some(status)) => {
                    assert!(status.success(), "TZ={tz:?}: {status}");
                    let out = child
                        .wait_with_output()
                        .map(|o| o.stdout)
                        .unwrap_or_default();
                    let out = String::from_utf8_lossy(&out);
                    assert!(out.contains("1 passed"), "the child ran no test: {out}");
                    return;
                }
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                _ => {
                    let _ = child.kill();
                    panic!("TZ={tz:?}: reading the zone hung");
                }
            }
        }
    }

    /// In a child run: `Zone::local` shows July and January 2024 as `expect` says
    /// (`"<abbr in July>/<abbr in January>"`).
    #[test]
    fn child_reads_tz() {
        let Ok(expect) = std::env::var(CHILD) else {
            return;
        };
        let zone = Zone::local();
        let got = format!(
            "{}/{}",
            long(JUL_2024, &zone).rsplit(' ').next().unwrap_or(""),
            long(JAN_2024, &zone).rsplit(' ').next().unwrap_or("")
        );
        assert_eq!(got, expect);
    }

    #[test]
    fn a_hostile_tz_falls_back_to_utc() {
        run_child("ABC3DEF,J9223372036854775807,J1", "UTC/UTC");
        run_child("../../../../etc/passwd", "UTC/UTC");
        run_child("ABC3DEF,J60,J300", "DEF/ABC");
    }

    #[test]
    fn tz_is_honoured() {
        run_child("UTC", "UTC/UTC");
        if std::path::Path::new("/usr/share/zoneinfo/Europe/Berlin").exists() {
            run_child("Europe/Berlin", "CEST/CET");
            run_child(":/usr/share/zoneinfo/Europe/Berlin", "CEST/CET");
        }
    }
}
