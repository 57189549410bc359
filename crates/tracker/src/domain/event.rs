//! What a completion event is: the shape of a posted event, the checks
//! every ingest path shares (learner, edition, UUID, verb, timestamp), and
//! the row the store writes.

use serde::{Deserialize, Serialize};

use crate::domain::catalogue::Package;
use crate::keys::PseudonymKey;

/// Most events in one request.
pub const MAX_BATCH: usize = 1_000;
/// Longest learner id accepted.
pub const MAX_LEARNER_LEN: usize = 256;
/// How far in the future an event's timestamp may be (clock skew).
pub const FUTURE_SKEW_MS: i64 = 5 * 60 * 1000;
/// The earliest time accepted, 2000-01-01T00:00:00Z: no SCORM package
/// reported anything before it, and a time before it is a mistake or a plant.
pub const EARLIEST_MS: i64 = 946_684_800_000;

/// Why a time was refused by [`check_time`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeError {
    /// Later than now plus [`FUTURE_SKEW_MS`].
    Future,
    /// Earlier than [`EARLIEST_MS`].
    TooEarly,
}

/// The one timestamp rule of every ingest path (events, CSV, xAPI): no
/// later than a small clock-skew allowance past `now`, no earlier than
/// 2000-01-01. (Far-future events would escape retention purges.)
pub fn check_time(ms: i64, now: i64) -> Result<(), TimeError> {
    if ms > now + FUTURE_SKEW_MS {
        Err(TimeError::Future)
    } else if ms < EARLIEST_MS {
        Err(TimeError::TooEarly)
    } else {
        Ok(())
    }
}

/// The completion verbs.
pub const VERBS: &[&str] = &["started", "completed", "passed", "failed"];

/// One event as posted.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventIn {
    /// Idempotency id (UUID).
    pub id: String,
    /// The learner's id in the LMS (pseudonymised on arrival).
    pub learner: String,
    /// Package id from the catalogue.
    pub package: String,
    /// Package version (default: the newest imported).
    #[serde(default)]
    pub version: Option<String>,
    /// Optional release edition, e.g. `2026-27`.
    #[serde(default)]
    pub edition: Option<String>,
    /// started | completed | passed | failed.
    pub verb: String,
    /// Score in percent (0–100).
    #[serde(default)]
    pub score: Option<f64>,
    /// Time spent, in whole seconds.
    #[serde(default)]
    pub duration_seconds: Option<i64>,
    /// When it happened (RFC 3339); default: when it arrived.
    #[serde(default)]
    pub timestamp: Option<String>,
    /// If given, must match the package's module.
    #[serde(default)]
    pub module: Option<String>,
    /// If given, must match the package's language.
    #[serde(default)]
    pub lang: Option<String>,
    /// If given, must match the package's variant.
    #[serde(default)]
    pub variant: Option<String>,
    /// If given, must match the package's SCORM version.
    #[serde(default)]
    pub scorm: Option<String>,
}

/// Why one event was rejected.
#[derive(Clone, Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Rejection {
    /// Position in the request (0 for a single event).
    pub index: usize,
    /// The event's id, if it had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Stable code.
    pub code: &'static str,
    /// Reason.
    pub message: String,
}

/// The answer to an ingest request.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IngestSummary {
    /// Events stored by this request.
    pub accepted: usize,
    /// Events already stored (answered as duplicates; counted once).
    pub duplicates: usize,
    /// Ids of the duplicates.
    pub duplicate_ids: Vec<String>,
    /// Events rejected, with reasons. Nothing of them was stored.
    pub rejected: Vec<Rejection>,
}

/// Parses a UUID and returns it lower-case hyphenated.
pub fn normalise_uuid(s: &str) -> Option<String> {
    // Accept only the hyphenated 36-character form.
    if s.len() != 36 {
        return None;
    }
    uuid::Uuid::parse_str(s)
        .ok()
        .map(|u| u.hyphenated().to_string())
}

/// Parses an RFC 3339 timestamp into Unix ms.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.timestamp_millis())
}

/// Checks a learner id: non-empty, bounded, no control characters.
pub fn check_learner(learner: &str) -> Result<&str, (&'static str, String)> {
    let l = learner.trim();
    if l.is_empty() {
        return Err(("invalid_learner", "learner must not be empty".into()));
    }
    if l.len() > MAX_LEARNER_LEN || l.chars().any(char::is_control) {
        return Err((
            "invalid_learner",
            format!("learner must be at most {MAX_LEARNER_LEN} bytes of printable text"),
        ));
    }
    Ok(l)
}

/// Checks an optional edition string.
pub fn check_edition(e: Option<&str>) -> Result<(), (&'static str, String)> {
    match e {
        Some(e) if e.is_empty() || e.len() > 50 || e.chars().any(char::is_control) => Err((
            "invalid_edition",
            "edition must be 1-50 printable characters".into(),
        )),
        _ => Ok(()),
    }
}

/// Maps a verb name to its static form.
pub fn verb(s: &str) -> Option<&'static str> {
    VERBS.iter().copied().find(|v| *v == s)
}

/// The shape checks that need no database.
pub fn check_shape(e: &EventIn, now: i64) -> Result<(), (&'static str, String)> {
    if normalise_uuid(&e.id).is_none() {
        return Err(("invalid_id", "id must be a UUID (8-4-4-4-12 hex)".into()));
    }
    check_learner(&e.learner)?;
    if verb(&e.verb).is_none() {
        return Err((
            "invalid_verb",
            format!("verb must be one of: {}", VERBS.join(", ")),
        ));
    }
    if let Some(s) = e.score {
        if !s.is_finite() || !(0.0..=100.0).contains(&s) {
            return Err((
                "invalid_score",
                "score must be a percentage, 0 to 100".into(),
            ));
        }
    }
    if let Some(d) = e.duration_seconds {
        if !(0..=365 * 24 * 3600).contains(&d) {
            return Err((
                "invalid_duration",
                "duration_seconds must be between 0 and one year".into(),
            ));
        }
    }
    if let Some(t) = &e.timestamp {
        let Some(ms) = parse_timestamp(t) else {
            return Err((
                "invalid_timestamp",
                "timestamp must be RFC 3339, e.g. 2026-05-01T10:00:00Z".into(),
            ));
        };
        match check_time(ms, now) {
            Ok(()) => {}
            Err(TimeError::Future) => {
                return Err(("invalid_timestamp", "timestamp is in the future".into()))
            }
            Err(TimeError::TooEarly) => {
                return Err(("invalid_timestamp", "timestamp is before 2000-01-01".into()))
            }
        }
    }
    check_edition(e.edition.as_deref())?;
    Ok(())
}

/// Checks the optional package fields against the catalogue entry.
pub fn check_package_fields(e: &EventIn, p: &Package) -> Result<(), (&'static str, String)> {
    let pairs = [
        ("module", &e.module, &p.module),
        ("lang", &e.lang, &p.lang),
        ("variant", &e.variant, &p.variant),
        ("scorm", &e.scorm, &p.scorm),
    ];
    for (name, given, known) in pairs {
        if let Some(g) = given {
            if g != known {
                return Err((
                    "package_mismatch",
                    format!("{name} {g:?} does not match package {} ({known:?})", p.id),
                ));
            }
        }
    }
    Ok(())
}

/// The row a fully checked event becomes (`learner` is the caller's LMS
/// id, checked; it is pseudonymised here).
pub fn to_event(
    org_id: i64,
    key: &PseudonymKey,
    e: &EventIn,
    learner: &str,
    pkg: Package,
    now: i64,
    source: &'static str,
) -> NewEvent {
    NewEvent {
        org_id,
        event_id: normalise_uuid(&e.id).unwrap_or_default(),
        learner: key.pseudonymise(learner),
        package_id: pkg.id,
        package_version: pkg.version,
        edition: e.edition.clone(),
        verb: verb(&e.verb).unwrap_or("started"),
        score: e.score,
        duration_s: e.duration_seconds,
        occurred_at: e
            .timestamp
            .as_deref()
            .and_then(parse_timestamp)
            .unwrap_or(now),
        received_at: now,
        source,
    }
}

/// An event ready to store: validated, learner already pseudonymised.
#[derive(Clone, Debug)]
pub struct NewEvent {
    /// Organisation.
    pub org_id: i64,
    /// The client's idempotency id (UUID, lower-case hyphenated).
    pub event_id: String,
    /// HMAC of the learner id.
    pub learner: String,
    /// Package id.
    pub package_id: String,
    /// Package version.
    pub package_version: String,
    /// Optional release edition.
    pub edition: Option<String>,
    /// started | completed | passed | failed.
    pub verb: &'static str,
    /// Score in percent.
    pub score: Option<f64>,
    /// Time spent in seconds.
    pub duration_s: Option<i64>,
    /// When it happened (Unix ms).
    pub occurred_at: i64,
    /// When it arrived (Unix ms).
    pub received_at: i64,
    /// api | csv | xapi.
    pub source: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev() -> EventIn {
        serde_json::from_value(serde_json::json!({
            "id": "6f1c8c1e-8d0c-4c7b-9d5b-2f0f3f7a9e11",
            "learner": "u-1",
            "package": "p",
            "verb": "completed",
            "score": 80,
            "duration_seconds": 600,
            "timestamp": "2026-05-01T10:00:00Z"
        }))
        .expect("parses")
    }

    #[test]
    fn shape_checks() {
        let now = parse_timestamp("2026-06-01T00:00:00Z").unwrap_or(0);
        assert!(check_shape(&ev(), now).is_ok());
        type Case = (&'static str, Box<dyn Fn(&mut EventIn)>);
        let cases: Vec<Case> = vec![
            ("invalid_id", Box::new(|e| e.id = "not-a-uuid".into())),
            (
                "invalid_id",
                Box::new(|e| e.id = "6f1c8c1e8d0c4c7b9d5b2f0f3f7a9e11".into()),
            ),
            ("invalid_learner", Box::new(|e| e.learner = "  ".into())),
            ("invalid_learner", Box::new(|e| e.learner = "x".repeat(300))),
            ("invalid_verb", Box::new(|e| e.verb = "finished".into())),
            ("invalid_score", Box::new(|e| e.score = Some(101.0))),
            ("invalid_score", Box::new(|e| e.score = Some(-1.0))),
            (
                "invalid_duration",
                Box::new(|e| e.duration_seconds = Some(-5)),
            ),
            (
                "invalid_timestamp",
                Box::new(|e| e.timestamp = Some("yesterday".into())),
            ),
            (
                "invalid_timestamp",
                Box::new(|e| e.timestamp = Some("2027-01-01T00:00:00Z".into())),
            ),
            (
                "invalid_edition",
                Box::new(|e| e.edition = Some(String::new())),
            ),
        ];
        for (code, f) in cases {
            let mut e = ev();
            f(&mut e);
            assert_eq!(check_shape(&e, now).map_err(|x| x.0), Err(code));
        }
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let r: Result<EventIn, _> = serde_json::from_value(serde_json::json!({
            "id": "6f1c8c1e-8d0c-4c7b-9d5b-2f0f3f7a9e11", "learner": "u", "package": "p",
            "verb": "started", "email": "a@b.c"
        }));
        assert!(r.is_err());
    }

    #[test]
    fn uuids_normalise() {
        assert_eq!(
            normalise_uuid("6F1C8C1E-8D0C-4C7B-9D5B-2F0F3F7A9E11").as_deref(),
            Some("6f1c8c1e-8d0c-4c7b-9d5b-2f0f3f7a9e11")
        );
        assert!(normalise_uuid("{6f1c8c1e-8d0c-4c7b-9d5b-2f0f3f7a9e11}").is_none());
    }
}
