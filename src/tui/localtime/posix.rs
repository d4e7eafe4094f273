//! POSIX TZ rules (`CET-1CEST,M3.5.0,M10.5.0/3`): the footer of a TZif file, which says what
//! happens after its last listed transition, or the value of `TZ` itself.

use super::LocalType;
use crate::tui::timefmt::{civil, days_from_civil};

/// A POSIX TZ rule, e.g. `CET-1CEST,M3.5.0,M10.5.0/3`.
#[derive(Clone, Debug)]
pub(super) struct Rule {
    pub(super) std: LocalType,
    dst: Option<(LocalType, Change, Change)>,
}

/// When daylight time starts or ends: the day, and the local time of day in seconds.
#[derive(Clone, Copy, Debug)]
struct Change {
    day: Day,
    time: i32,
}

#[derive(Clone, Copy, Debug)]
enum Day {
    /// `Jn`: 1–365, February 29 never counted.
    Julian1(i64),
    /// `n`: 0–365, leap days counted.
    Julian0(i64),
    /// `Mm.w.d`: day `d` (0 = Sunday) of week `w` (5 = last) of month `m`.
    MonthWeek(i64, i64, i64),
}

impl Rule {
    pub(super) fn at(&self, secs: i64) -> LocalType {
        let Some((dst, start, end)) = &self.dst else {
            return self.std.clone();
        };
        let year = civil(secs.saturating_add(i64::from(self.std.offset))).0;
        let begins = start.utc(year, self.std.offset);
        let ends = end.utc(year, dst.offset);
        let in_dst = if begins < ends {
            begins <= secs && secs < ends
        } else {
            !(ends <= secs && secs < begins)
        };
        if in_dst {
            dst.clone()
        } else {
            self.std.clone()
        }
    }
}

impl Change {
    /// The instant of this change in `year`, with `offset` the offset in force just before it.
    /// The parser keeps every field in range; the arithmetic saturates all the same, so an
    /// instant at the ends of `i64` cannot overflow.
    fn utc(self, year: i64, offset: i32) -> i64 {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let jan1 = days_from_civil(year, 1, 1);
        let day = match self.day {
            Day::Julian1(n) => jan1 + n - 1 + i64::from(leap && n >= 60),
            Day::Julian0(n) => jan1 + n,
            Day::MonthWeek(m, w, d) => {
                let first = days_from_civil(year, m, 1);
                let weekday = (first + 4).rem_euclid(7);
                let mut day = first + (d - weekday).rem_euclid(7) + (w - 1) * 7;
                let next_month = if m == 12 {
                    days_from_civil(year + 1, 1, 1)
                } else {
                    days_from_civil(year, m + 1, 1)
                };
                while day >= next_month {
                    day -= 7;
                }
                day
            }
        };
        day.saturating_mul(86_400)
            .saturating_add(i64::from(self.time))
            .saturating_sub(i64::from(offset))
    }
}

/// Parses a POSIX TZ string: `std offset [dst [offset] [,start[/time],end[/time]]]`.
pub(super) fn parse_rule(text: &str) -> Option<Rule> {
    let mut p = Parser { s: text.as_bytes() };
    let std_abbr = p.abbr()?;
    let std = LocalType {
        offset: p.offset()?.checked_neg()?,
        abbr: std_abbr,
    };
    if p.s.is_empty() {
        return Some(Rule { std, dst: None });
    }
    let dst_abbr = p.abbr()?;
    let dst_offset = if p.s.first().is_some_and(|&b| b != b',') {
        p.offset()?.checked_neg()?
    } else {
        std.offset.checked_add(3600)?
    };
    let dst = LocalType {
        offset: dst_offset,
        abbr: dst_abbr,
    };
    let (start, end) = if p.s.is_empty() {
        let us = |m, w| Change {
            day: Day::MonthWeek(m, w, 0),
            time: 7200,
        };
        (us(3, 2), us(11, 1))
    } else {
        p.eat(b',')?;
        let start = p.change()?;
        p.eat(b',')?;
        (start, p.change()?)
    };
    Some(Rule {
        std,
        dst: Some((dst, start, end)),
    })
}

struct Parser<'a> {
    s: &'a [u8],
}

impl Parser<'_> {
    fn eat(&mut self, b: u8) -> Option<()> {
        let (&first, rest) = self.s.split_first()?;
        (first == b).then(|| self.s = rest)
    }

    fn abbr(&mut self) -> Option<String> {
        let (name, rest) = if self.eat(b'<').is_some() {
            let end = self.s.iter().position(|&b| b == b'>')?;
            (&self.s[..end], &self.s[end + 1..])
        } else {
            let end = self
                .s
                .iter()
                .position(|b| !b.is_ascii_alphabetic())
                .unwrap_or(self.s.len());
            self.s.split_at(end)
        };
        self.s = rest;
        (name.len() >= 3).then(|| String::from_utf8_lossy(name).into_owned())
    }

    fn number(&mut self) -> Option<i64> {
        let end = self
            .s
            .iter()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(self.s.len());
        let (digits, rest) = self.s.split_at(end);
        self.s = rest;
        std::str::from_utf8(digits).ok()?.parse().ok()
    }

    /// A number within `range`; anything else makes the rule invalid.
    fn number_in(&mut self, range: std::ops::RangeInclusive<i64>) -> Option<i64> {
        self.number().filter(|n| range.contains(n))
    }

    /// `[+-]hh[:mm[:ss]]` in seconds: hours 0–167 (RFC 8536's extension of POSIX's 0–24),
    /// minutes and seconds 0–59.
    fn offset(&mut self) -> Option<i32> {
        let sign = if self.eat(b'-').is_some() {
            -1
        } else {
            let _ = self.eat(b'+');
            1
        };
        let mut secs = self.number_in(0..=167)?.checked_mul(3600)?;
        for unit in [60, 1] {
            if self.eat(b':').is_none() {
                break;
            }
            secs = secs.checked_add(self.number_in(0..=59)?.checked_mul(unit)?)?;
        }
        i32::try_from(secs.checked_mul(sign)?).ok()
    }

    /// `Jn` (1–365), `n` (0–365) or `Mm.w.d` (month 1–12, week 1–5, weekday 0–6), then `[/time]`.
    fn change(&mut self) -> Option<Change> {
        let day = if self.eat(b'M').is_some() {
            let m = self.number_in(1..=12)?;
            self.eat(b'.')?;
            let w = self.number_in(1..=5)?;
            self.eat(b'.')?;
            Day::MonthWeek(m, w, self.number_in(0..=6)?)
        } else if self.eat(b'J').is_some() {
            Day::Julian1(self.number_in(1..=365)?)
        } else {
            Day::Julian0(self.number_in(0..=365)?)
        };
        let time = if self.eat(b'/').is_some() {
            self.offset()?
        } else {
            7200
        };
        Some(Change { day, time })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JUL_2024: i64 = 1_719_835_200; // 2024-07-01 12:00 UTC
    const JAN_2024: i64 = 1_704_110_400; // 2024-01-01 12:00 UTC

    fn rule_zone(tz: &str) -> Rule {
        parse_rule(tz).unwrap_or_else(|| panic!("{tz} parses"))
    }

    #[test]
    fn posix_rules_north_south_and_fixed() {
        let berlin = rule_zone("CET-1CEST,M3.5.0,M10.5.0/3");
        assert_eq!(berlin.at(JUL_2024).offset, 7200);
        assert_eq!(berlin.at(JAN_2024).abbr, "CET");
        let sydney = rule_zone("AEST-10AEDT,M10.1.0,M4.1.0/3");
        assert_eq!(sydney.at(JAN_2024).abbr, "AEDT");
        assert_eq!(sydney.at(JUL_2024).offset, 36_000);
        let kolkata = rule_zone("IST-5:30");
        assert_eq!(kolkata.at(JUL_2024).offset, 19_800);
        let tehran = rule_zone("<+0330>-3:30");
        assert_eq!(tehran.at(JAN_2024).abbr, "+0330");
        // New York 2024: EDT from 2024-03-10 07:00 UTC.
        let ny = rule_zone("EST5EDT,M3.2.0,M11.1.0");
        assert_eq!(ny.at(1_710_053_999).abbr, "EST");
        assert_eq!(ny.at(1_710_054_000).abbr, "EDT");
        assert!(parse_rule("X1").is_none());
    }

    #[test]
    fn hostile_rules_are_refused_not_panicked_on() {
        // Each of these overflowed (a panic in debug builds) or meant a day that does not exist.
        for tz in [
            "ABC3DEF,J9223372036854775807,J1",
            "ABC3DEF,9223372036854775807,1",
            "ABC3DEF,M9223372036854775807.1.0,M10.5.0",
            "ABC3DEF,M3.9223372036854775807.0,M10.5.0",
            "ABC3DEF,M3.5.9223372036854775807,M10.5.0",
            "ABC3DEF,J0,J1",
            "ABC3DEF,366,1",
            "ABC3DEF,M13.1.0,M10.5.0",
            "ABC3DEF,M0.1.0,M10.5.0",
            "ABC3DEF,M3.0.0,M10.5.0",
            "ABC3DEF,M3.6.0,M10.5.0",
            "ABC3DEF,M3.1.7,M10.5.0",
            "ABC9223372036854775807",
            "ABC2562047788015215",
            "ABC168",
            "ABC3:60",
            "ABC3:00:60",
            "ABC3DEF-168,M3.5.0,M10.5.0",
            "ABC3DEF,M3.5.0/168,M10.5.0",
            "ABC3DEF,M3.5.0/9223372036854775807,M10.5.0",
        ] {
            assert!(parse_rule(tz).is_none(), "{tz}");
        }
        // The edges of every range are accepted, and instants at the ends of i64 do not overflow.
        for tz in [
            "ABC167DEF,J1/167,J365/-167",
            "ABC-167:59:59DEF,0/-167,365/167",
            "ABC3DEF,M1.1.0,M12.5.6",
        ] {
            let rule = rule_zone(tz);
            for secs in [i64::MIN, -1, 0, JAN_2024, i64::MAX] {
                let _ = rule.at(secs);
            }
        }
    }
}
