//! The xAPI Statement Resource over HTTP (what a statement is, and how it is
//! checked and mapped, is in [`crate::domain::xapi`]):
//!
//! - `POST /xapi/statements`: one statement or an array; answers the ids.
//! - `PUT /xapi/statements?statementId=…`: one statement; 204.
//! - `GET /xapi/statements?statementId=…` (or `voidedStatementId`): one
//!   statement. Needs an org admin key: ingest keys read nothing.
//! - `GET /xapi/about`.
//!
//! Every request (but `/about`) must carry `X-Experience-API-Version: 1.0.x`;
//! every response carries `X-Experience-API-Version: 1.0.3`. A statement id
//! seen before with the same statement is accepted without change; with a
//! different one it is a 409 and nothing of the request is stored. A batch
//! repeating an id, or holding one invalid statement, is rejected whole.

use std::collections::HashSet;
use std::sync::atomic::Ordering;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::domain::event::NewEvent;
use crate::domain::xapi::{
    self, check_statement, is_uuid, is_version_1_0, learner_of, pseudonymise, MAX_STATEMENTS,
    VERSION_HEADER, XAPI_VERSION,
};
use crate::error::AppError;
use crate::http::error::ErrorResponses;
use crate::http::extract::{parse_json, LimitedBody, OrgAuth, Principal};
use crate::http::state::AppState;
use crate::keys::Role;
use crate::store::xapi::{PreparedStatement, StoreOutcome};
use crate::store::{self, now_ms};

/// Adds the version header to every xAPI response.
pub async fn add_version_header(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert(VERSION_HEADER, HeaderValue::from_static(XAPI_VERSION));
    resp
}

#[utoipa::path(
    get,
    path = "/xapi/about",
    tag = "xapi",
    responses((status = 200, description = "The xAPI versions spoken", body = Object)),
)]
/// `GET /xapi/about`.
pub async fn about() -> Json<Value> {
    Json(json!({"version": [XAPI_VERSION]}))
}

fn bad(message: impl Into<String>) -> AppError {
    AppError::bad("invalid_statement", message)
}

fn check_version_header(headers: &HeaderMap) -> Result<(), AppError> {
    let v = headers
        .get(VERSION_HEADER)
        .ok_or_else(|| {
            AppError::bad(
                "missing_version",
                "X-Experience-API-Version header is required",
            )
        })?
        .to_str()
        .map_err(|_| AppError::bad("bad_version", "X-Experience-API-Version is not text"))?;
    if is_version_1_0(v.trim()) {
        Ok(())
    } else {
        Err(AppError::bad(
            "bad_version",
            format!("X-Experience-API-Version {v:?} is not supported (1.0.x only)"),
        ))
    }
}

fn check_json_content(headers: &HeaderMap) -> Result<(), AppError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ct.starts_with("application/json") {
        Ok(())
    } else if ct.starts_with("multipart/") {
        Err(AppError::bad(
            "unsupported",
            "attachments (multipart/mixed) are not supported",
        ))
    } else {
        Err(AppError::bad(
            "invalid_content_type",
            "statements must be sent as application/json",
        ))
    }
}

/// The completion event a statement maps to, once its package is looked up
/// in the catalogue (none if it names no known package).
async fn map_event(
    state: &AppState,
    org: &OrgAuth,
    st: &Value,
    statement_id: &str,
    learner: Option<&str>,
    now: i64,
) -> Result<Option<NewEvent>, AppError> {
    let Some((pkg_id, revision)) = xapi::map::completion_target(st, learner) else {
        return Ok(None);
    };
    let mut pkg = state.catalogue.resolve(&state.db, pkg_id, revision).await?;
    if pkg.is_none() && revision.is_some() {
        pkg = state.catalogue.resolve(&state.db, pkg_id, None).await?;
    }
    let (Some(pkg), Some(learner)) = (pkg, learner) else {
        return Ok(None);
    };
    Ok(xapi::to_event(org.id, st, statement_id, learner, pkg, now))
}

async fn prepare_all(
    state: &AppState,
    org: &OrgAuth,
    statements: Vec<Value>,
) -> Result<Vec<PreparedStatement>, AppError> {
    let now = now_ms();
    let mut out = Vec::with_capacity(statements.len());
    for (i, st) in statements.iter().enumerate() {
        check_statement(st, false)
            .and_then(|()| xapi::check_time_rule(st, now))
            .map_err(|m| {
                if statements.len() > 1 {
                    bad(format!("statement {i}: {m}"))
                } else {
                    bad(m)
                }
            })?;
    }
    let mut seen = HashSet::new();
    for mut st in statements {
        let id = match st.get("id").and_then(Value::as_str) {
            Some(id) => id.to_ascii_lowercase(),
            None => uuid::Uuid::new_v4().hyphenated().to_string(),
        };
        if !seen.insert(id.clone()) {
            return Err(bad(format!("statement id {id} appears twice in the batch")));
        }
        let learner = learner_of(&org.key, &st);
        pseudonymise(&org.key, &mut st);
        st["id"] = json!(id);
        let event = map_event(state, org, &st, &id, learner.as_deref(), now).await?;
        out.push(PreparedStatement {
            learner: learner.unwrap_or_else(|| "group".into()),
            id,
            stored: st,
            event,
        });
    }
    Ok(out)
}

async fn store(
    state: &AppState,
    org: &OrgAuth,
    statements: Vec<Value>,
) -> Result<Vec<String>, AppError> {
    let items = prepare_all(state, org, statements).await?;
    match store::xapi::store_all(&state.db, org.id, &items).await? {
        StoreOutcome::Stored => {
            state
                .metrics
                .xapi_statements
                .fetch_add(items.len() as u64, Ordering::Relaxed);
            Ok(items.into_iter().map(|p| p.id).collect())
        }
        StoreOutcome::Conflict(id) => Err(AppError::Conflict {
            code: "statement_conflict",
            message: format!("statement {id} exists with different content; nothing was stored"),
        }),
    }
}

fn ingest_org(principal: &Principal) -> Result<&OrgAuth, AppError> {
    principal.org_with(&[Role::Ingest, Role::OrgAdmin])
}

#[utoipa::path(
    post,
    path = "/xapi/statements",
    tag = "xapi",
    params(("X-Experience-API-Version" = String, Header, description = "1.0.x; required")),
    request_body(content = Object, description = "One xAPI 1.0.3 statement or an array of up to 1,000"),
    responses((status = 200, description = "The ids of the statements, in order", body = Vec<String>), ErrorResponses),
    security(("xapi_basic" = []), ("ingest_key" = []), ("org_admin_key" = [])),
)]
/// `POST /xapi/statements`.
pub async fn post_statements(
    State(state): State<AppState>,
    headers: HeaderMap,
    principal: Principal,
    LimitedBody(body): LimitedBody,
) -> Result<Json<Vec<String>>, AppError> {
    check_version_header(&headers)?;
    let org = ingest_org(&principal)?;
    check_json_content(&headers)?;
    let v: Value = parse_json(&body)?;
    let statements = match v {
        Value::Array(a) if a.is_empty() => return Err(bad("the array holds no statements")),
        Value::Array(a) if a.len() > MAX_STATEMENTS => {
            return Err(bad(format!(
                "at most {MAX_STATEMENTS} statements per request"
            )))
        }
        Value::Array(a) => a,
        v @ Value::Object(_) => vec![v],
        _ => return Err(bad("body must be a statement or an array of statements")),
    };
    Ok(Json(store(&state, org, statements).await?))
}

#[utoipa::path(
    put,
    path = "/xapi/statements",
    tag = "xapi",
    params(("statementId" = String, Query, description = "The statement's UUID"), ("X-Experience-API-Version" = String, Header, description = "1.0.x; required")),
    request_body(content = Object, description = "One xAPI 1.0.3 statement"),
    responses((status = 204, description = "Stored (or already stored identically)"), ErrorResponses),
    security(("xapi_basic" = []), ("ingest_key" = []), ("org_admin_key" = [])),
)]
/// `PUT /xapi/statements?statementId=…`.
pub async fn put_statement(
    State(state): State<AppState>,
    headers: HeaderMap,
    principal: Principal,
    Query(q): Query<Vec<(String, String)>>,
    LimitedBody(body): LimitedBody,
) -> Result<StatusCode, AppError> {
    check_version_header(&headers)?;
    let org = ingest_org(&principal)?;
    check_json_content(&headers)?;
    let mut id = None;
    for (k, v) in &q {
        match k.as_str() {
            "statementId" if id.is_none() => id = Some(v.clone()),
            _ => return Err(bad(format!("unexpected query parameter {k:?}"))),
        }
    }
    let id = id.ok_or_else(|| bad("statementId is required"))?;
    if !is_uuid(&id) {
        return Err(bad("statementId must be a UUID"));
    }
    let mut st: Value = parse_json(&body)?;
    if !st.is_object() {
        return Err(bad("body must be one statement"));
    }
    match st.get("id").and_then(Value::as_str) {
        Some(given) if !given.eq_ignore_ascii_case(&id) => {
            return Err(bad("the statement's id differs from statementId"))
        }
        Some(_) => {}
        None if st.get("id").is_some() => return Err(bad("id must be a UUID")),
        None => st["id"] = json!(id),
    }
    store(&state, org, vec![st]).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/xapi/statements",
    tag = "xapi",
    params(("statementId" = Option<String>, Query, description = "The statement's UUID"), ("voidedStatementId" = Option<String>, Query, description = "A voided statement's UUID (this LRS voids nothing)"), ("X-Experience-API-Version" = String, Header, description = "1.0.x; required")),
    responses((status = 200, description = "The statement, pseudonymised as stored", body = Object), ErrorResponses),
    security(("xapi_basic" = []), ("org_admin_key" = [])),
)]
/// `GET /xapi/statements?statementId=…` (org admin).
pub async fn get_statement(
    State(state): State<AppState>,
    headers: HeaderMap,
    principal: Principal,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    check_version_header(&headers)?;
    let org = principal.org_with(&[Role::OrgAdmin])?;
    let mut id = None;
    let mut voided = false;
    for (k, v) in &q {
        match k.as_str() {
            "statementId" | "voidedStatementId" if id.is_none() => {
                voided = k == "voidedStatementId";
                id = Some(v.clone());
            }
            "attachments" | "format" => {}
            _ => {
                return Err(bad(format!(
                    "query parameter {k:?} is not supported (only statementId or voidedStatementId)"
                )))
            }
        }
    }
    let id =
        id.ok_or_else(|| bad("statementId is required; statement queries are not supported"))?;
    if !is_uuid(&id) {
        return Err(bad("statementId must be a UUID"));
    }
    let row = store::xapi::find(&state.db, org.id, &id.to_ascii_lowercase()).await?;
    let (text, stored_at) = row.ok_or(AppError::NotFound("statement"))?;
    let mut st: Value = serde_json::from_str(&text)
        .map_err(|e| AppError::Internal(format!("stored statement: {e}")))?;
    // A voided statement is only returned through voidedStatementId; this
    // tracker does not void, so statementId finds it and voidedStatementId
    // finds nothing.
    if voided {
        return Err(AppError::NotFound("voided statement"));
    }
    let stored = chrono::DateTime::from_timestamp_millis(stored_at)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default();
    if st.get("timestamp").is_none() {
        st["timestamp"] = json!(stored);
    }
    st["stored"] = json!(stored);
    st["version"] = st.get("version").cloned().unwrap_or(json!("1.0.0"));
    st["authority"] = json!({"objectType": "Agent", "account": {"homePage": "https://pecyn.example/organisations", "name": org.code}});
    Ok(Json(st).into_response())
}
