//! `POST /api/v1/events`: one event or a batch of up to 1,000, validated one
//! by one; valid events go through the group-commit writer and are answered
//! only after they are committed.

use std::sync::atomic::Ordering;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

use crate::domain::event::{
    check_learner, check_package_fields, check_shape, to_event, EventIn, IngestSummary, NewEvent,
    Rejection, MAX_BATCH,
};
use crate::error::AppError;
use crate::http::error::error_body;
use crate::http::error::ErrorResponses;
use crate::http::extract::{parse_json, require_json, LimitedBody, OrgAuth, Principal};
use crate::http::state::AppState;
use crate::keys::Role;
use crate::store::now_ms;
use crate::store::writer::{Outcome, WriteError};

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
    Ok(to_event(org.id, &org.key, e, learner, pkg, now, source))
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

#[utoipa::path(
    post,
    path = "/api/v1/events",
    tag = "ingest",
    request_body(content = Vec<EventIn>, description = "One event object, or an array of up to 1,000"),
    responses((status = 200, description = "Stored and committed; invalid events are listed in `rejected`", body = IngestSummary), ErrorResponses),
    security(("ingest_key" = []), ("org_admin_key" = [])),
)]
/// `POST /api/v1/events`.
pub async fn post_events(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    LimitedBody(body): LimitedBody,
) -> Result<Response, AppError> {
    let org = principal.org_with(&[Role::Ingest, Role::OrgAdmin])?;
    require_json(&headers)?;
    let value: Value = parse_json(&body)?;
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
