//! Endpoints of one organisation's own keys: its details, learner-level
//! events (org admin), erasure, retention, and aggregate reports (org admin
//! and readers).

use std::sync::atomic::Ordering;

use axum::extract::{Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::app::{parse_json, AppState, LimitedBody};
use crate::auth::Principal;
use crate::error::AppError;
use crate::events::check_learner;
use crate::keys::Role;
use crate::{on_db, orgs, privacy};

/// `GET /api/v1/org`: the caller's organisation (org admin, reader).
pub async fn get_org(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<orgs::Organisation>, AppError> {
    let org = principal.org_with(&[Role::OrgAdmin, Role::Reader])?;
    Ok(Json(orgs::get_org(&state.db, org.id).await?))
}

/// Query of `GET /api/v1/events`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// Only this learner (their LMS id; pseudonymised before the lookup).
    #[serde(default)]
    pub learner: Option<String>,
    /// Only rows after this cursor (from `next_after`).
    #[serde(default)]
    pub after: Option<i64>,
    /// Page size (1–1000, default 100).
    #[serde(default)]
    pub limit: Option<i64>,
}

/// One stored event as an org admin sees it.
#[derive(Debug, Serialize, sqlx::FromRow)]
pub struct EventRow {
    /// Cursor.
    #[serde(skip)]
    pub id: i64,
    /// Idempotency id.
    pub event_id: String,
    /// Pseudonymised learner.
    pub learner: String,
    /// Package id.
    pub package_id: String,
    /// Package version.
    pub package_version: String,
    /// Edition.
    pub edition: Option<String>,
    /// Verb.
    pub verb: String,
    /// Score in percent.
    pub score: Option<f64>,
    /// Time spent (s).
    pub duration_s: Option<i64>,
    /// When it happened (Unix ms).
    pub occurred_at: i64,
    /// When it arrived (Unix ms).
    pub received_at: i64,
    /// api | csv | xapi.
    pub source: String,
}

/// `GET /api/v1/events`: this organisation's events, newest last (org admin).
pub async fn list_events(
    State(state): State<AppState>,
    principal: Principal,
    q: Result<Query<EventsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, AppError> {
    let org = principal.org_with(&[Role::OrgAdmin])?;
    let Query(q) = q.map_err(|e| AppError::bad("invalid_query", e.body_text()))?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(AppError::bad("invalid_query", "limit must be 1 to 1000"));
    }
    let after = q.after.unwrap_or(0);
    let cols = "id, event_id, learner, package_id, package_version, edition, verb, score, \
                duration_s, occurred_at, received_at, source";
    let rows = match &q.learner {
        Some(l) => {
            let l = check_learner(l).map_err(|(c, m)| AppError::bad(c, m))?;
            let pseudo = org.key.pseudonymise(l);
            let sql = format!(
                "SELECT {cols} FROM events WHERE org_id = $1 AND learner = $2 AND id > $3 ORDER BY id LIMIT $4"
            );
            on_db!(&state.db, p => sqlx::query_as::<_, EventRow>(&sql)
                .bind(org.id).bind(pseudo).bind(after).bind(limit).fetch_all(p).await)?
        }
        None => {
            let sql = format!(
                "SELECT {cols} FROM events WHERE org_id = $1 AND id > $2 ORDER BY id LIMIT $3"
            );
            on_db!(&state.db, p => sqlx::query_as::<_, EventRow>(&sql)
                .bind(org.id).bind(after).bind(limit).fetch_all(p).await)?
        }
    };
    let next = if rows.len() as i64 == limit {
        rows.last().map(|r| r.id)
    } else {
        None
    };
    Ok(Json(json!({ "events": rows, "next_after": next })))
}

/// Body of `POST /api/v1/erasure`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErasureRequest {
    /// The learner's id in the LMS.
    pub learner: String,
}

/// `POST /api/v1/erasure`: deletes every event and xAPI statement of one
/// learner of this organisation (org admin).
pub async fn erase(
    State(state): State<AppState>,
    principal: Principal,
    LimitedBody(body): LimitedBody,
) -> Result<Json<privacy::Erased>, AppError> {
    let org = principal.org_with(&[Role::OrgAdmin])?;
    let req: ErasureRequest = parse_json(&body)?;
    let learner = check_learner(&req.learner).map_err(|(c, m)| AppError::bad(c, m))?;
    let erased = privacy::erase_learner(&state.db, org.id, &org.key.pseudonymise(learner)).await?;
    state
        .metrics
        .erased
        .fetch_add(erased.events, Ordering::Relaxed);
    tracing::info!(org = %org.code, events = erased.events, "learner erased");
    Ok(Json(erased))
}

/// Body of `PUT /api/v1/org/retention`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionRequest {
    /// Months to keep events; `null` keeps them until erased.
    pub months: Option<i64>,
}

/// `PUT /api/v1/org/retention` (org admin).
pub async fn set_retention(
    State(state): State<AppState>,
    principal: Principal,
    LimitedBody(body): LimitedBody,
) -> Result<Json<orgs::Organisation>, AppError> {
    let org = principal.org_with(&[Role::OrgAdmin])?;
    let req: RetentionRequest = parse_json(&body)?;
    orgs::set_retention(&state.db, org.id, req.months).await?;
    Ok(Json(orgs::get_org(&state.db, org.id).await?))
}

/// One row of the summary report.
#[derive(Debug, Serialize, sqlx::FromRow)]
pub struct SummaryRow {
    /// Module slug (unknown if the package left the catalogue).
    pub module: Option<String>,
    /// Package id.
    pub package_id: String,
    /// Language.
    pub lang: Option<String>,
    /// Variant.
    pub variant: Option<String>,
    /// Verb.
    pub verb: String,
    /// Distinct learners.
    pub learners: i64,
    /// Events.
    pub events: i64,
}

/// The aggregate report of one organisation.
pub async fn summary_for(db: &crate::db::Db, org_id: i64, code: &str) -> Result<Value, AppError> {
    let rows = on_db!(db, p => sqlx::query_as::<_, SummaryRow>(
        "SELECT MAX(pk.module) AS module, e.package_id, MAX(pk.lang) AS lang, MAX(pk.variant) AS variant, \
         e.verb, COUNT(DISTINCT e.learner) AS learners, COUNT(*) AS events \
         FROM events e LEFT JOIN packages pk ON pk.id = e.package_id AND pk.version = e.package_version \
         WHERE e.org_id = $1 GROUP BY e.package_id, e.verb ORDER BY e.package_id, e.verb")
        .bind(org_id).fetch_all(p).await)?;
    let totals: (i64, i64) = on_db!(db, p => sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT learner) FROM events WHERE org_id = $1")
        .bind(org_id).fetch_one(p).await)?;
    Ok(json!({
        "organisation": code,
        "events": totals.0,
        "learners": totals.1,
        "by_package": rows,
    }))
}

/// `GET /api/v1/reports/summary`: aggregates only (org admin, reader).
pub async fn summary(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Value>, AppError> {
    let org = principal.org_with(&[Role::OrgAdmin, Role::Reader])?;
    Ok(Json(summary_for(&state.db, org.id, &org.code).await?))
}
