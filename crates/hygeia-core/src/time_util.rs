//! Date helpers shared by rules and renderers.

use time::{Date, OffsetDateTime, format_description::well_known::Rfc3339};

/// Formats a moment as RFC 3339 in UTC, e.g. `2026-11-28T16:10:53Z`.
pub fn rfc3339(moment: OffsetDateTime) -> String {
    moment
        .to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .ok()
        .and_then(|m| m.format(&Rfc3339).ok())
        .unwrap_or_else(|| moment.unix_timestamp().to_string())
}

/// Parses an RFC 3339 timestamp.
pub fn parse_rfc3339(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text.trim(), &Rfc3339).ok()
}

/// Parses a calendar date written `YYYY-MM-DD`.
pub fn parse_ymd(text: &str) -> Option<Date> {
    let mut parts = text.trim().splitn(3, '-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.get(..2)?.parse().ok()?;
    Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

/// Whole days from `earlier` to `later` (negative if `earlier` is after `later`).
pub fn days_between(earlier: OffsetDateTime, later: OffsetDateTime) -> i64 {
    (later - earlier).whole_days()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dates() {
        assert_eq!(
            parse_ymd("2028-06-30").map(|d| d.to_string()),
            Some("2028-06-30".into())
        );
        assert!(parse_ymd("2028-13-30").is_none());
        assert!(parse_ymd("garbage").is_none());
        let t = parse_rfc3339("2026-11-28T16:10:53Z");
        assert_eq!(t.map(rfc3339), Some("2026-11-28T16:10:53Z".to_string()));
    }
}
