//! Timestamps. Logs carry ISO-8601 strings or numbers (seconds or milliseconds); sk stores
//! milliseconds since the Unix epoch, UTC, and prints RFC 3339.

use chrono::{DateTime, SecondsFormat, Utc};

/// Parses an ISO-8601/RFC 3339 string (with or without zone; a missing zone means UTC).
pub fn parse_iso(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f"))
        .ok()
        .map(|t| t.and_utc().timestamp_millis())
}

/// Interprets a number as seconds or milliseconds since the epoch (anything past the year
/// 2286 in seconds is taken as milliseconds).
pub fn from_number(n: f64) -> Option<i64> {
    if !n.is_finite() || n < 0.0 {
        return None;
    }
    if n < 1e10 {
        Some((n * 1000.0) as i64)
    } else {
        Some(n as i64)
    }
}

/// A point in time as people type it on the command line: a date `YYYY-MM-DD` (midnight
/// UTC), a full RFC 3339 time, or a duration ago (`30m`, `12h`, `7d`, `2w`) from `now`.
pub fn parse_point(text: &str, now: i64) -> Option<i64> {
    let t = text.trim();
    let is_date = t.len() == 10
        && t.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if is_date {
        return parse_iso(&format!("{t}T00:00:00Z"));
    }
    if let Some(ms) = parse_iso(t) {
        return Some(ms);
    }
    let split = t.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = t.split_at(split);
    let n: i64 = n.parse().ok()?;
    let unit_ms: i64 = match unit {
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 7 * 86_400_000,
        _ => return None,
    };
    n.checked_mul(unit_ms).and_then(|ago| now.checked_sub(ago))
}

/// Now, in milliseconds since the epoch.
pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// RFC 3339 in UTC with second precision, e.g. `2026-11-27T20:11:48Z`.
pub fn format_ms(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_else(|| ms.to_string())
}

/// A compact UTC stamp for file names: `20261127T201148Z`.
pub fn file_stamp(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.format("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_else(|| ms.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_shapes_logs_use() {
        let z = parse_iso("2026-07-02T15:28:15.754Z").expect("rfc3339");
        assert_eq!(format_ms(z), "2026-07-02T15:28:15Z");
        assert_eq!(parse_iso("2026-07-02T17:28:15.754+02:00"), Some(z));
        assert_eq!(parse_iso("2026-07-02T15:28:15.754"), Some(z));
        assert_eq!(parse_iso("yesterday"), None);
        assert_eq!(from_number(1_700_000_000.0), Some(1_700_000_000_000));
        assert_eq!(from_number(1_700_000_000_123.0), Some(1_700_000_000_123));
        assert_eq!(from_number(f64::NAN), None);
        assert_eq!(file_stamp(z), "20260702T152815Z");
        let now = 10 * 86_400_000;
        assert_eq!(parse_point("7d", now), Some(3 * 86_400_000));
        assert_eq!(parse_point("1970-01-02", now), Some(86_400_000));
        assert_eq!(parse_point("2026-07-02T15:28:15.754Z", now), Some(z));
        for bad in ["", "7", "d", "7y", "2026-13-40", "-3d"] {
            assert_eq!(parse_point(bad, now), None, "{bad}");
        }
    }
}
