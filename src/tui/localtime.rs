//! The local time zone without a crate: the TZif file of `TZ` or `/etc/localtime` (RFC 8536),
//! with its POSIX TZ footer for instants after the last listed transition. Anything missing or
//! unreadable falls back to UTC, which is then what the screen says.

use std::sync::OnceLock;

mod posix;

use posix::{Rule, parse_rule};

/// One local time type: offset east of UTC in seconds, and its abbreviation (`CET`, `+0530`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalType {
    pub offset: i32,
    pub abbr: String,
}

/// A time zone: the transitions of its TZif file and the rule that follows them.
#[derive(Clone, Debug)]
pub struct Zone {
    transitions: Vec<i64>,
    kinds: Vec<u8>,
    types: Vec<LocalType>,
    rule: Option<Rule>,
}

impl Zone {
    pub fn utc() -> Self {
        Self {
            transitions: Vec::new(),
            kinds: Vec::new(),
            types: vec![LocalType {
                offset: 0,
                abbr: "UTC".into(),
            }],
            rule: None,
        }
    }

    /// The zone of this machine (`TZ`, else `/etc/localtime`), read once.
    pub fn local() -> &'static Zone {
        static LOCAL: OnceLock<Zone> = OnceLock::new();
        LOCAL.get_or_init(|| Self::from_env().unwrap_or_else(Self::utc))
    }

    fn from_env() -> Option<Self> {
        Self::from_tz(std::env::var("TZ").ok().as_deref())
    }

    /// The zone a `TZ` value names (`None`: unset): a TZif file, else a POSIX rule. `None` when
    /// neither reads, and the caller falls back to UTC.
    fn from_tz(tz: Option<&str>) -> Option<Self> {
        let file = match tz.map(|t| t.trim_start_matches(':')) {
            None | Some("") => "/etc/localtime".to_owned(),
            Some(name) if name.starts_with('/') => name.to_owned(),
            Some(name) if name.contains("..") => return None,
            Some(name) => format!("/usr/share/zoneinfo/{name}"),
        };
        match std::fs::read(file) {
            Ok(bytes) => Self::parse(&bytes),
            Err(_) => tz.and_then(parse_rule).map(|rule| Self {
                transitions: Vec::new(),
                kinds: Vec::new(),
                types: vec![rule.std.clone()],
                rule: Some(rule),
            }),
        }
    }

    /// Reads a TZif file (versions 1 to 4).
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        let header = Header::read(bytes)?;
        if header.version == 0 {
            return header.zone(bytes.get(44..)?, 4, None);
        }
        let second = bytes.get(44 + header.data_len(4)..)?;
        let header2 = Header::read(second)?;
        let data = second.get(44..)?;
        let footer = data
            .get(header2.data_len(8)..)
            .and_then(|rest| std::str::from_utf8(rest).ok())
            .map(|s| s.trim_matches('\n'));
        header2.zone(data, 8, footer.and_then(parse_rule))
    }

    /// The local time type in force at `secs` since the epoch.
    pub fn at(&self, secs: i64) -> LocalType {
        let utc = || LocalType {
            offset: 0,
            abbr: "UTC".into(),
        };
        let after_last = self.transitions.last().is_none_or(|&last| secs >= last);
        if after_last && let Some(rule) = &self.rule {
            return rule.at(secs);
        }
        let i = self.transitions.partition_point(|&t| t <= secs);
        let kind = match i {
            0 => 0,
            i => self.kinds.get(i - 1).copied().map_or(0, usize::from),
        };
        self.types.get(kind).cloned().unwrap_or_else(utc)
    }
}

struct Header {
    version: u8,
    isutcnt: usize,
    isstdcnt: usize,
    leapcnt: usize,
    timecnt: usize,
    typecnt: usize,
    charcnt: usize,
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

impl Header {
    fn read(bytes: &[u8]) -> Option<Self> {
        if bytes.get(..4)? != b"TZif" {
            return None;
        }
        let count = |i: usize| be32(bytes, 20 + 4 * i).and_then(|n| usize::try_from(n).ok());
        Some(Self {
            version: bytes.get(4).map_or(0, |v| v.saturating_sub(b'0')),
            isutcnt: count(0)?,
            isstdcnt: count(1)?,
            leapcnt: count(2)?,
            timecnt: count(3)?,
            typecnt: count(4)?,
            charcnt: count(5)?,
        })
    }

    fn data_len(&self, time_size: usize) -> usize {
        self.timecnt * (time_size + 1)
            + self.typecnt * 6
            + self.charcnt
            + self.leapcnt * (time_size + 4)
            + self.isstdcnt
            + self.isutcnt
    }

    fn zone(&self, data: &[u8], time_size: usize, rule: Option<Rule>) -> Option<Zone> {
        let times = data.get(..self.timecnt * time_size)?;
        let transitions = times
            .chunks_exact(time_size)
            .map(|c| match time_size {
                8 => c.try_into().map(i64::from_be_bytes).unwrap_or(0),
                _ => c.try_into().map(i32::from_be_bytes).map_or(0, i64::from),
            })
            .collect();
        let mut at = self.timecnt * time_size;
        let kinds = data.get(at..at + self.timecnt)?.to_vec();
        at += self.timecnt;
        let infos = data.get(at..at + self.typecnt * 6)?;
        let chars = data.get(at + self.typecnt * 6..at + self.typecnt * 6 + self.charcnt)?;
        let types = infos
            .chunks_exact(6)
            .map(|c| {
                let offset = i32::from_be_bytes([c[0], c[1], c[2], c[3]]);
                let from = usize::from(c[5]);
                let abbr = chars
                    .get(from..)
                    .and_then(|s| s.split(|&b| b == 0).next())
                    .map(|s| String::from_utf8_lossy(s).into_owned())
                    .unwrap_or_default();
                LocalType { offset, abbr }
            })
            .collect::<Vec<_>>();
        (!types.is_empty()).then_some(Zone {
            transitions,
            kinds,
            types,
            rule,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JUL_2024: i64 = 1_719_835_200; // 2024-07-01 12:00 UTC
    const JAN_2024: i64 = 1_704_110_400; // 2024-01-01 12:00 UTC
    const JUL_2060: i64 = 2_856_600_000; // 2060-07-10 ~08:00 UTC, past every listed transition

    #[test]
    fn tzif_files_of_this_machine() {
        let Ok(bytes) = std::fs::read("/usr/share/zoneinfo/Europe/Berlin") else {
            eprintln!("NOTE: no /usr/share/zoneinfo here; TZif parsing checked by rules only");
            return;
        };
        let berlin = Zone::parse(&bytes).unwrap_or_else(Zone::utc);
        assert_eq!(berlin.at(JUL_2024).abbr, "CEST");
        assert_eq!(berlin.at(JAN_2024).offset, 3600);
        assert_eq!(berlin.at(JUL_2060).abbr, "CEST", "from the footer rule");
        assert_eq!(berlin.at(-1_000_000_000).offset, 3600, "1938");
        if let Ok(bytes) = std::fs::read("/usr/share/zoneinfo/Australia/Sydney") {
            let sydney = Zone::parse(&bytes).unwrap_or_else(Zone::utc);
            assert_eq!(sydney.at(JAN_2024).abbr, "AEDT");
            assert_eq!(sydney.at(JUL_2060).abbr, "AEST");
        }
        assert!(Zone::parse(b"not a tzif file").is_none());
        assert!(Zone::parse(&bytes[..60]).is_none(), "truncated");
    }

    #[test]
    fn a_hostile_tz_falls_back_to_utc() {
        let hostile = "ABC3DEF,J9223372036854775807,J1";
        assert!(
            Zone::from_tz(Some(hostile)).is_none(),
            "so `local` takes UTC"
        );
        let fine = Zone::from_tz(Some("ABC3DEF,J60,J300")).unwrap_or_else(Zone::utc);
        assert_eq!(fine.at(JUL_2024).abbr, "DEF");
        assert_eq!(fine.at(JAN_2024).offset, -3 * 3600);
    }
}
