//! Retention rules: which events a retention period of some months expires.

use chrono::{DateTime, Months, Utc};

/// The cut-off for a retention of `months` at `now` (Unix ms): events that
/// happened before it are deleted.
pub fn cutoff_ms(now: DateTime<Utc>, months: i64) -> i64 {
    let months = u32::try_from(months.clamp(0, 1200)).unwrap_or(0);
    now.checked_sub_months(Months::new(months))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
        .timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutoff_is_calendar_months() {
        let now = DateTime::parse_from_rfc3339("2026-03-31T12:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        let c = cutoff_ms(now, 1);
        let expect = DateTime::parse_from_rfc3339("2026-02-28T12:00:00Z")
            .map(|t| t.timestamp_millis())
            .unwrap_or_default();
        assert_eq!(c, expect);
    }
}
