//! `POST /api/v1/events`: one event or a batch of up to 1,000, validated one
//! by one; valid events go through the group-commit writer and are answered
//! only after they are committed.

use std::sync::atomic::Ordering;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::app::{AppState, LimitedBody};
use crate::auth::{OrgAuth, Principal};
use crate::catalogue::Package;
use crate::db::now_ms;
use crate::error::{error_body, AppError};
use crate::keys::Role;
use crate::writer::{NewEvent, Outcome, WriteError};

/// Most events in one request.
pub const MAX_BATCH: usize = 1_000;
/// Longest learner id accepted.
pub const MAX_LEARNER_LEN: usize = 256;
/// How far in the future an event's timestamp may be (clock skew).
const FUTURE_SKEW_MS: i64 = 5 * 60 * 1000;

/// The completion verbs.
pub const VERBS: &[&str] = &["started", "completed", "passed", "failed"];

/// One event as posted.
#[derive(Debug, Deserialize)]
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
#[derive(Clone, Debug, Serialize, PartialEq)]
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
#[derive(Debug, Serialize)]
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
        if ms > now + FUTURE_SKEW_MS {
            return Err(("invalid_timestamp", "timestamp is in the future".into()));
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

/// Validates one posted event fully and turns it into a row.
pub async fn prepare(
    state: &AppState,
    org: &OrgAuth,
    e: &EventIn,
    now: i64,
    source: &'static str,
) -> Result<NewEvent, (&'static str, String)> {
    check_shape(e, now)?;
    let pkg = state
        .catalogue
        .resolve(&state.db, &e.package, e.version.as_deref())
        .await
        .map_err(|_| ("unavailable", "catalogue unavailable; retry".to_string()))?;
    let Some(pkg) = pkg else {
        return Err(match &e.version {
            Some(v) => (
                "unknown_package",
                format!(
                    "package {:?} version {v:?} is not in the catalogue",
                    e.package
                ),
            ),
            None => (
                "unknown_package",
                format!("package {:?} is not in the catalogue", e.package),
            ),
        });
    };
    check_package_fields(e, &pkg)?;
    let learner = check_learner(&e.learner)?;
    Ok(NewEvent {
        org_id: org.id,
        event_id: normalise_uuid(&e.id).unwrap_or_default(),
        learner: org.key.pseudonymise(learner),
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
    })
}

/// Maps a writer failure to the HTTP error.
pub fn write_error(state: &AppState, e: WriteError) -> AppError {
    match e {
        WriteError::Busy => {
            state.metrics.ingest_busy.fetch_add(1, Ordering::Relaxed);
            AppError::Unavailable("ingest queue full")
        }
        WriteError::Stopped => AppError::Unavailable("server shutting down"),
        WriteError::Database => AppError::Unavailable("database write failed"),
    }
}

/// `POST /api/v1/events`.
pub async fn post_events(
    State(state): State<AppState>,
    principal: Principal,
    LimitedBody(body): LimitedBody,
) -> Result<Response, AppError> {
    let org = principal.org_with(&[Role::Ingest, Role::OrgAdmin])?;
    let value: Value = crate::app::parse_json(&body)?;
    let items: Vec<Value> = match value {
        Value::Array(a) => a,
        v @ Value::Object(_) => vec![v],
        _ => {
            return Err(AppError::bad(
                "invalid_body",
                "body must be an event object or an array of events",
            ))
        }
    };
    if items.is_empty() {
        return Err(AppError::bad("empty_batch", "the batch holds no events"));
    }
    if items.len() > MAX_BATCH {
        return Err(AppError::bad(
            "batch_too_large",
            format!("at most {MAX_BATCH} events per request"),
        ));
    }
    let now = now_ms();
    let mut rows = Vec::with_capacity(items.len());
    let mut rejected = Vec::new();
    for (index, item) in items.into_iter().enumerate() {
        let id = item.get("id").and_then(Value::as_str).map(str::to_owned);
        let parsed: Result<EventIn, _> = serde_json::from_value(item);
        let result = match parsed {
            Ok(e) => prepare(&state, org, &e, now, "api").await,
            Err(err) => Err(("invalid_event", err.to_string())),
        };
        match result {
            Ok(row) => rows.push(row),
            Err((code, message)) => rejected.push(Rejection {
                index,
                id,
                code,
                message,
            }),
        }
    }
    state
        .metrics
        .events_rejected
        .fetch_add(rejected.len() as u64, Ordering::Relaxed);
    if rows.is_empty() {
        // Every event was invalid: a plain 400 naming the first reason.
        let first = &rejected[0];
        let mut body = error_body(first.code, &first.message);
        body["rejected"] = serde_json::to_value(&rejected).unwrap_or_default();
        return Ok((StatusCode::BAD_REQUEST, Json(body)).into_response());
    }
    let ids: Vec<String> = rows.iter().map(|r| r.event_id.clone()).collect();
    let outcomes = state
        .writer
        .submit(rows)
        .await
        .map_err(|e| write_error(&state, e))?;
    let mut summary = IngestSummary {
        accepted: 0,
        duplicates: 0,
        duplicate_ids: Vec::new(),
        rejected,
    };
    for (id, o) in ids.into_iter().zip(outcomes) {
        match o {
            Outcome::Accepted => summary.accepted += 1,
            Outcome::Duplicate => {
                summary.duplicates += 1;
                summary.duplicate_ids.push(id);
            }
        }
    }
    let m = &state.metrics;
    m.events_accepted
        .fetch_add(summary.accepted as u64, Ordering::Relaxed);
    m.events_duplicate
        .fetch_add(summary.duplicates as u64, Ordering::Relaxed);
    Ok((StatusCode::OK, Json(summary)).into_response())
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
