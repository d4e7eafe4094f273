//! Readable local times for epoch-millisecond timestamps, in a [`Zone`] (jiff's time zones: the
//! system's, `TZ` honoured; UTC, and labelled so, when neither can be read), and the times people
//! type (`YYYY-MM-DD[ HH:MM]`, local), read the same by the terminal app and the command line.

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// The time zone times are shown in.
#[derive(Clone, Debug)]
pub struct Zone {
    tz: TimeZone,
    /// Whether it is UTC (no offset, ever, and named so): times are then labelled `UTC`.
    utc: bool,
}

impl Zone {
    pub fn utc() -> Self {
        Self::of(TimeZone::UTC)
    }

    /// This machine's zone: `TZ` if set, else the system's. A `TZ` that does not read (a name
    /// not in the database, a malformed rule, a file that is not a small regular one) gives
    /// UTC, so the screen says `UTC`.
    pub fn local() -> Self {
        Self::local_checked().0
    }

    /// [`Zone::local`], and why `TZ` was not used when it was set but ignored (for the user).
    /// `TZ` is resolved here, never by jiff's reader: a name in the zone database, a POSIX
    /// rule, or a path to a regular file of at most [`MAX_TZIF_BYTES`], read bounded (a FIFO, a
    /// device or a huge file would hang or balloon the process).
    pub fn local_checked() -> (Self, Option<String>) {
        match std::env::var_os("TZ") {
            None => (
                Self::of(TimeZone::try_system().unwrap_or(TimeZone::UTC)),
                None,
            ),
            Some(value) => match tz_from(&value) {
                Ok(tz) => (Self::of(tz), None),
                Err(why) => (
                    Self::utc(),
                    Some(format!("TZ ignored ({why}): times are in UTC.")),
                ),
            },
        }
    }

    fn of(tz: TimeZone) -> Self {
        let named_utc = |ms: i64| {
            Timestamp::from_millisecond(ms).is_ok_and(|at| {
                let zoned = at.to_zoned_datetime(tz.clone());
                zoned.offset().seconds() == 0 && zoned.strftime("%Z").to_string() == "UTC"
            })
        };
        // Summer and winter, then and now: a zone with daylight saving time is not UTC.
        let utc = [
            0,
            15_552_000_000,
            system_now_ms(),
            system_now_ms() + 15_552_000_000,
        ]
        .into_iter()
        .all(named_utc);
        Self { tz, utc }
    }

    /// Whether times in this zone are UTC (and so labelled).
    pub fn is_utc(&self) -> bool {
        self.utc
    }

    /// `Some` formatted time, or `None` outside the years jiff represents (±9999).
    fn format(&self, ms: i64, pattern: &str) -> Option<String> {
        let at = Timestamp::from_millisecond(ms).ok()?;
        Some(
            at.to_zoned_datetime(self.tz.clone())
                .strftime(pattern)
                .to_string(),
        )
    }
}

/// Now by the system clock, epoch ms (0 before 1970).
pub fn system_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The largest file `TZ` may name: zone files (TZif) are a few KiB.
pub const MAX_TZIF_BYTES: u64 = 256 * 1024;

/// The zone `TZ` names (jiff's reading of it, minus reading any file unbounded), or why not.
fn tz_from(value: &std::ffi::OsStr) -> Result<TimeZone, &'static str> {
    let value = value.to_str().ok_or("not UTF-8")?;
    let value = value.strip_prefix(':').unwrap_or(value);
    if value.is_empty() {
        return Ok(TimeZone::UTC);
    }
    if value.len() > 4096 {
        return Err("too long");
    }
    if let Ok(tz) = TimeZone::posix(value) {
        return Ok(tz);
    }
    // A path into a zoneinfo directory names a zone of the database, as jiff reads it.
    let name = value
        .rfind("zoneinfo/")
        .map_or(value, |at| &value[at + "zoneinfo/".len()..]);
    if let Ok(tz) = jiff::tz::db().get(name) {
        return Ok(tz);
    }
    if !value.contains('/') {
        return Err("no such zone");
    }
    let file = crate::input::open(std::path::Path::new(value)).map_err(|_| "cannot be read")?;
    let meta = file.metadata().map_err(|_| "cannot be read")?;
    if !meta.is_file() {
        return Err("not a regular file");
    }
    if meta.len() > MAX_TZIF_BYTES {
        return Err("a file too large to be a zone file");
    }
    let mut data = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(file, MAX_TZIF_BYTES + 1),
        &mut data,
    )
    .map_err(|_| "cannot be read")?;
    if data.len() as u64 > MAX_TZIF_BYTES {
        return Err("a file too large to be a zone file");
    }
    TimeZone::tzif(value, &data).map_err(|_| "not a zone file")
}

/// `2026-11-27 23:13` local, 16 columns: the list columns.
pub fn short(ms: i64, zone: &Zone) -> String {
    zone.format(ms, "%Y-%m-%d %H:%M")
        .unwrap_or_else(|| ms.to_string())
}

/// `2026-11-27 23:13`, then ` UTC` when the zone is UTC: a time in running text.
pub fn short_labelled(ms: i64, zone: &Zone) -> String {
    let mut text = short(ms, zone);
    if zone.is_utc() {
        text.push_str(" UTC");
    }
    text
}

/// A table's column titles, those in `times` followed by ` (UTC)` when the zone is UTC (the
/// cells then show UTC times, which would otherwise pass for local ones).
pub fn columns(titles: Vec<&'static str>, times: &[&str], zone: &Zone) -> Vec<String> {
    titles
        .into_iter()
        .map(|title| {
            if zone.is_utc() && times.contains(&title) {
                format!("{title} (UTC)")
            } else {
                title.to_owned()
            }
        })
        .collect()
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
    Some(zone.tz.to_timestamp(at).ok()?.as_millisecond())
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
            .args(["--exact", "timefmt::tests::child_reads_tz", "--nocapture"])
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
        // A device that never ends, a FIFO no one writes, a directory: ignored, at once.
        run_child("/dev/zero", "UTC/UTC");
        run_child(":/dev/urandom", "UTC/UTC");
        run_child("/", "UTC/UTC");
        let dir = std::env::temp_dir().join(format!("csvault-tz-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let fifo = dir.join("fifo");
        let _ = std::fs::remove_file(&fifo);
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .is_ok_and(|s| s.success())
        );
        run_child(&fifo.display().to_string(), "UTC/UTC");
        // A huge regular file (sparse: no disk used) is not read.
        let huge = dir.join("huge");
        let file = std::fs::File::create(&huge).map(|f| f.set_len(1 << 40));
        assert!(matches!(file, Ok(Ok(()))));
        run_child(&huge.display().to_string(), "UTC/UTC");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_ignored_tz_is_said() {
        assert!(tz_from(std::ffi::OsStr::new("/dev/zero")).is_err());
        assert_eq!(
            tz_from(std::ffi::OsStr::new("/")),
            Err("not a regular file")
        );
        assert_eq!(
            tz_from(std::ffi::OsStr::new("Nowhere_Land")),
            Err("no such zone")
        );
        assert!(tz_from(std::ffi::OsStr::new("")).is_ok_and(|tz| tz == TimeZone::UTC));
    }

    #[test]
    fn utc_is_known_as_such() {
        assert!(Zone::utc().is_utc());
        assert_eq!(short_labelled(0, &Zone::utc()), "1970-01-01 00:00 UTC");
        let cols = columns(vec!["Name", "Created"], &["Created"], &Zone::utc());
        assert_eq!(cols, ["Name", "Created (UTC)"]);
        if let Ok(berlin) = jiff::tz::db().get("Europe/Berlin") {
            let zone = Zone::of(berlin);
            assert!(!zone.is_utc());
            assert_eq!(short_labelled(0, &zone), "1970-01-01 01:00");
        }
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
