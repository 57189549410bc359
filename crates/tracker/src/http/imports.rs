//! `POST /api/v1/imports`: an org admin uploads the completion CSV their LMS
//! exports (the formats are described in [`crate::domain::imports`]).
//!
//! All-or-nothing: every row is checked first; one bad row rejects the file
//! with a row-by-row report and nothing is stored.

use std::sync::atomic::Ordering;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::domain::imports::{parse_csv, resolve, to_event, Format, RowError};
use crate::error::AppError;
use crate::http::error::error_body;
use crate::http::error::ErrorResponses;
use crate::http::extract::{LimitedBody, Principal};
use crate::http::state::AppState;
use crate::keys::Role;
use crate::store::imports::ImportRow;
use crate::store::{self, now_ms};

/// Query of `POST /api/v1/imports`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// Name to record with the import.
    #[serde(default)]
    pub filename: Option<String>,
}

/// The answer to a successful import.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportSummary {
    /// Import id.
    pub import_id: i64,
    /// Detected format.
    pub format: Format,
    /// Rows read (not counting the header and blank lines).
    pub rows: usize,
    /// Rows skipped as not completed.
    pub skipped: usize,
    /// Events stored.
    pub accepted: usize,
    /// Events already stored.
    pub duplicates: usize,
}

#[utoipa::path(
    post,
    path = "/api/v1/imports",
    tag = "ingest",
    params(ImportQuery),
    request_body(content = String, content_type = "text/csv", description = "The LMS export: Moodle, Totara or the generic format"),
    responses((status = 201, description = "Stored (all rows or none)", body = ImportSummary), ErrorResponses),
    security(("org_admin_key" = [])),
)]
/// `POST /api/v1/imports` (org admin).
pub async fn post_import(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    q: Result<Query<ImportQuery>, axum::extract::rejection::QueryRejection>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, AppError> {
    let org = principal.org_with(&[Role::OrgAdmin])?;
    let Query(q) = q.map_err(|e| AppError::bad("invalid_query", e.body_text()))?;
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !(ct.starts_with("text/csv")
        || ct.starts_with("text/plain")
        || ct.starts_with("application/csv"))
    {
        return Err(AppError::UnsupportedMediaType("send the file as text/csv"));
    }
    let filename = q.filename.unwrap_or_else(|| "upload.csv".into());
    if filename.len() > 200 || filename.chars().any(char::is_control) {
        return Err(AppError::bad(
            "invalid_query",
            "filename must be at most 200 printable characters",
        ));
    }
    let now = now_ms();
    let parsed = parse_csv(&body, now)?;
    let mut errors = parsed.errors;
    let mut events = Vec::with_capacity(parsed.rows.len());
    let all = store::catalogue::list(&state.db).await?;
    for row in &parsed.rows {
        match resolve(&all, row) {
            Some(pkg) => {
                let learner = org.key.pseudonymise(row.learner.trim());
                events.push(to_event(org.id, learner, pkg, row, now));
            }
            None => errors.push(RowError {
                line: row.line,
                errors: vec![format!(
                    "course {:?} is not a package in the catalogue{}",
                    row.package,
                    row.version
                        .as_ref()
                        .map(|v| format!(" (version {v})"))
                        .unwrap_or_default()
                )],
            }),
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        let mut body = error_body(
            "invalid_rows",
            &format!("{} row(s) are invalid; nothing was imported", errors.len()),
        );
        body["format"] = json!(parsed.format);
        body["rows"] = serde_json::to_value(&errors).unwrap_or_default();
        return Ok((StatusCode::BAD_REQUEST, Json(body)).into_response());
    }
    let total_rows = parsed.rows.len() + parsed.skipped;
    if events.is_empty() {
        return Err(AppError::bad(
            "empty_import",
            "the file holds no completion rows",
        ));
    }
    let (import_id, accepted) = store::imports::store(
        &state.db,
        org.id,
        &filename,
        parsed.format,
        total_rows,
        &events,
    )
    .await?;
    state.metrics.imports.fetch_add(1, Ordering::Relaxed);
    state
        .metrics
        .events_accepted
        .fetch_add(accepted as u64, Ordering::Relaxed);
    tracing::info!(org = %org.code, format = parsed.format.as_str(), rows = total_rows, accepted, "import stored");
    Ok((
        StatusCode::CREATED,
        Json(ImportSummary {
            import_id,
            format: parsed.format,
            rows: total_rows,
            skipped: parsed.skipped,
            accepted,
            duplicates: events.len() - accepted,
        }),
    )
        .into_response())
}

/// This organisation's imports.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportList {
    /// Oldest first.
    pub imports: Vec<ImportRow>,
}

#[utoipa::path(
    get,
    path = "/api/v1/imports",
    tag = "ingest",
    responses((status = 200, description = "Every import of this organisation", body = ImportList), ErrorResponses),
    security(("org_admin_key" = [])),
)]
/// `GET /api/v1/imports` (org admin).
pub async fn list_imports(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<ImportList>, AppError> {
    let org = principal.org_with(&[Role::OrgAdmin])?;
    let rows = store::imports::list(&state.db, org.id).await?;
    Ok(Json(ImportList { imports: rows }))
}
