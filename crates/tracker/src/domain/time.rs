//! Times in the API: stored as Unix milliseconds, answered as RFC 3339
//! strings in UTC with millisecond precision (`2026-05-01T10:00:00.000Z`).

use chrono::{DateTime, SecondsFormat};
use serde::Serializer;

/// Unix milliseconds as an RFC 3339 string.
pub fn rfc3339(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true))
        .unwrap_or_default()
}

/// `serialize_with` for a Unix-milliseconds field.
pub fn ser_ms<S: Serializer>(ms: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&rfc3339(*ms))
}

/// `serialize_with` for an optional Unix-milliseconds field.
pub fn ser_opt_ms<S: Serializer>(ms: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match ms {
        Some(ms) => s.serialize_str(&rfc3339(*ms)),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_millis() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_777_629_600_123), "2026-05-01T10:00:00.123Z");
    }
}
