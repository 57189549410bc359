//! Endpoints of one organisation's own keys: its details, learner-level
//! events (org admin), erasure, retention, and aggregate reports (org admin
//! and readers).

use std::sync::atomic::Ordering;

use axum::extract::{Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::domain::event::check_learner;
use crate::error::AppError;
use crate::http::error::ErrorResponses;
use crate::http::extract::{parse_json, LimitedBody, Principal};
use crate::http::state::AppState;
use crate::keys::Role;
use crate::store::events::Summary;
use crate::store::orgs::Organisation;
use crate::store::privacy::Erased;
use crate::store::{self, orgs, privacy};

#[utoipa::path(
    get,
    path = "/api/v1/org",
    tag = "organisation",
    responses((status = 200, description = "The caller's organisation", body = Organisation), ErrorResponses),
    security(("org_admin_key" = []), ("reader_key" = [])),
)]
/// `GET /api/v1/org`: the caller's organisation (org admin, reader).
pub async fn get_org(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Organisation>, AppError> {
    let org = principal.org_with(&[Role::OrgAdmin, Role::Reader])?;
    Ok(Json(orgs::get_org(&state.db, org.id).await?))
}

/// Query of `GET /api/v1/events`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
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

/// A page of events.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventsPage {
    /// The events, oldest first.
    pub events: Vec<store::events::EventRow>,
    /// Cursor for the next page (`after`), if there may be more.
    pub next_after: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/api/v1/events",
    tag = "organisation",
    params(EventsQuery),
    responses((status = 200, description = "A page of this organisation's events", body = EventsPage), ErrorResponses),
    security(("org_admin_key" = [])),
)]
/// `GET /api/v1/events`: this organisation's events, newest last (org admin).
pub async fn list_events(
    State(state): State<AppState>,
    principal: Principal,
    q: Result<Query<EventsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<EventsPage>, AppError> {
    let org = principal.org_with(&[Role::OrgAdmin])?;
    let Query(q) = q.map_err(|e| AppError::bad("invalid_query", e.body_text()))?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(AppError::bad("invalid_query", "limit must be 1 to 1000"));
    }
    let after = q.after.unwrap_or(0);
    let learner = match &q.learner {
        Some(l) => {
            let l = check_learner(l).map_err(|(c, m)| AppError::bad(c, m))?;
            Some(org.key.pseudonymise(l))
        }
        None => None,
    };
    let rows = store::events::list(&state.db, org.id, learner.as_deref(), after, limit).await?;
    let next = if rows.len() as i64 == limit {
        rows.last().map(|r| r.id)
    } else {
        None
    };
    Ok(Json(EventsPage {
        events: rows,
        next_after: next,
    }))
}

/// Body of `POST /api/v1/erasure`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErasureRequest {
    /// The learner's id in the LMS.
    pub learner: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/erasure",
    tag = "organisation",
    request_body = ErasureRequest,
    responses((status = 200, description = "What was deleted", body = Erased), ErrorResponses),
    security(("org_admin_key" = [])),
)]
/// `POST /api/v1/erasure`: deletes every event and xAPI statement of one
/// learner of this organisation (org admin).
pub async fn erase(
    State(state): State<AppState>,
    principal: Principal,
    LimitedBody(body): LimitedBody,
) -> Result<Json<Erased>, AppError> {
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
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetentionRequest {
    /// Months to keep events; `null` keeps them until erased. Required: an
    /// empty object is refused rather than read as "clear".
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>, required = true)]
    pub months: Option<Option<i64>>,
}

/// Tells a field given as `null` (`Some(None)`) from a missing one (`None`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

#[utoipa::path(
    put,
    path = "/api/v1/org/retention",
    tag = "organisation",
    request_body = RetentionRequest,
    responses((status = 200, description = "The organisation with its new retention", body = Organisation), ErrorResponses),
    security(("org_admin_key" = [])),
)]
/// `PUT /api/v1/org/retention` (org admin).
pub async fn set_retention(
    State(state): State<AppState>,
    principal: Principal,
    LimitedBody(body): LimitedBody,
) -> Result<Json<Organisation>, AppError> {
    let org = principal.org_with(&[Role::OrgAdmin])?;
    let req: RetentionRequest = parse_json(&body)?;
    let Some(months) = req.months else {
        return Err(AppError::bad(
            "invalid_retention",
            "months is required: a number of months, or null to keep events until erased",
        ));
    };
    orgs::set_retention(&state.db, org.id, months).await?;
    Ok(Json(orgs::get_org(&state.db, org.id).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/reports/summary",
    tag = "reports",
    responses((status = 200, description = "Aggregates only", body = Summary), ErrorResponses),
    security(("org_admin_key" = []), ("reader_key" = [])),
)]
/// `GET /api/v1/reports/summary`: aggregates only (org admin, reader).
pub async fn summary(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Summary>, AppError> {
    let org = principal.org_with(&[Role::OrgAdmin, Role::Reader])?;
    Ok(Json(
        store::events::summary(&state.db, org.id, &org.code).await?,
    ))
}
