//! Durations as PostgreSQL writes them (`75s`, `2min`, `500ms`, `1.5h`), for the timeouts a
//! policy and the command line take. A leaf: it depends on nothing else in the crate.

use std::time::Duration;

/// PostgreSQL's time units, as `SET statement_timeout` accepts them.
const UNITS: &[(&str, f64)] = &[
    ("us", 1e-6),
    ("ms", 1e-3),
    ("s", 1.0),
    ("min", 60.0),
    ("h", 3600.0),
    ("d", 86400.0),
];

/// Parse `text` as PostgreSQL parses a time setting: a number (fractions allowed), optional
/// spaces, a unit (`us`, `ms`, `s`, `min`, `h`, `d`). A number without a unit is in
/// `bare_unit` (PostgreSQL takes milliseconds for `statement_timeout`); with `None` only `0`
/// may go without one, so `75` is not silently 75 ms. `None` when it is not a duration.
pub fn parse(text: &str, bare_unit: Option<Duration>) -> Option<Duration> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number.parse().ok()?;
    let unit = unit.trim_start();
    let seconds = if unit.is_empty() {
        match bare_unit {
            Some(u) => u.as_secs_f64(),
            None if value == 0.0 => 0.0,
            None => return None,
        }
    } else {
        UNITS.iter().find(|(name, _)| *name == unit)?.1
    };
    Duration::try_from_secs_f64(value * seconds).ok()
}

/// `75s`, `1.5s`, `250ms`: a duration in the words `parse` reads back.
pub fn display(d: Duration) -> String {
    if d.subsec_millis() == 0 && d.as_secs() > 0 {
        format!("{}s", d.as_secs())
    } else if d.as_secs() == 0 {
        format!("{}ms", d.as_millis())
    } else {
        format!("{}s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: f64) -> Option<Duration> {
        Some(Duration::from_secs_f64(s))
    }

    #[test]
    fn reads_what_postgresql_reads() {
        assert_eq!(parse("75s", None), secs(75.0));
        assert_eq!(parse(" 2 min ", None), secs(120.0));
        assert_eq!(parse("500ms", None), secs(0.5));
        assert_eq!(parse("1.5h", None), secs(5400.0));
        assert_eq!(parse("1d", None), secs(86400.0));
        assert_eq!(parse("250us", None), secs(0.00025));
        assert_eq!(parse("0", None), Some(Duration::ZERO));
        // statement_timeout's bare numbers are milliseconds.
        assert_eq!(parse("1500", Some(Duration::from_millis(1))), secs(1.5));
    }

    #[test]
    fn refuses_what_is_not_a_duration() {
        for bad in [
            "",
            "75",
            "s",
            "-5s",
            "5 seconds",
            "5sec",
            "5S",
            "1e3s",
            "5s5",
            "..s",
            "5m",
        ] {
            assert_eq!(parse(bad, None), None, "{bad:?}");
        }
    }

    #[test]
    fn display_reads_back() {
        for d in [
            Duration::from_secs(75),
            Duration::from_millis(1500),
            Duration::from_millis(250),
        ] {
            assert_eq!(parse(&display(d), None), Some(d), "{}", display(d));
        }
        assert_eq!(display(Duration::from_secs(2)), "2s");
    }
}
