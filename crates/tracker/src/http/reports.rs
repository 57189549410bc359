//! The reports API: uptake and funding as JSON or CSV, headcount, funding
//! and public-listing setters, and the public "who has joined" list.
//!
//! Who may call what: platform keys see every figure exactly; org admin
//! and reader keys see their own organisation exactly and others with
//! small numbers suppressed (see `domain::reports::suppress`); ingest keys
//! read nothing. Headcount and the public-listing opt-in are set by the
//! organisation's admin (or the platform); funding by the platform only.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::domain::reports::csv_out;
use crate::domain::reports::funding::{self, Funding, FUNDING_STATUSES};
use crate::domain::reports::period::{date_of, london_day};
use crate::domain::reports::query::{RawQuery, UptakeQuery};
use crate::domain::reports::table::{self, Style, Table};
use crate::domain::reports::uptake::{self, Uptake, Viewer};
use crate::error::AppError;
use crate::http::error::ErrorResponses;
use crate::http::extract::{parse_json, LimitedBody, Principal};
use crate::http::state::AppState;
use crate::keys::Role;
use crate::store::now_ms;
use crate::store::orgs;
use crate::store::reports::{self as store, FundingRecord};

/// Who is looking, from the key's role. Ingest keys read nothing.
pub fn viewer(p: &Principal) -> Result<Viewer, AppError> {
    match p.role {
        Role::Platform => Ok(Viewer::Platform),
        Role::OrgAdmin | Role::Reader => {
            Ok(Viewer::Org(p.org_with(&[Role::OrgAdmin, Role::Reader])?.id))
        }
        Role::Ingest => Err(AppError::Forbidden("ingest keys read nothing")),
    }
}

/// The London day now.
pub fn today() -> i64 {
    london_day(now_ms())
}

fn parse_query(q: Result<Query<RawQuery>, QueryRejection>) -> Result<RawQuery, AppError> {
    q.map(|Query(q)| q)
        .map_err(|e| AppError::bad("invalid_query", e.body_text()))
}

/// Runs the uptake report for a viewer.
pub async fn run_uptake(
    state: &AppState,
    viewer: Viewer,
    raw: &RawQuery,
) -> Result<Uptake, AppError> {
    let q = UptakeQuery::parse(raw, today()).map_err(|e| AppError::bad(e.code, e.message))?;
    let orgs = store::org_infos(&state.db).await?;
    let (facts, hists) = store::uptake_facts(&state.db, &q).await?;
    Ok(uptake::build(&q, viewer, &orgs, &facts, &hists))
}

/// Runs the funding report for a viewer over the query's date range.
pub async fn run_funding(
    state: &AppState,
    viewer: Viewer,
    raw: &RawQuery,
) -> Result<Funding, AppError> {
    let q = UptakeQuery::parse(raw, today()).map_err(|e| AppError::bad(e.code, e.message))?;
    let campaign = store::campaign(&state.db).await?;
    let orgs = store::funding_inputs(&state.db, q.from, q.to).await?;
    Ok(funding::build(&campaign, viewer, &orgs))
}

fn wants_csv(headers: &HeaderMap, raw: &RawQuery) -> bool {
    if let Some(f) = raw.format.as_deref() {
        return f == "csv";
    }
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.split(',').any(|t| t.trim().starts_with("text/csv")))
}

fn check_format(raw: &RawQuery) -> Result<(), AppError> {
    match raw.format.as_deref() {
        None | Some("csv" | "json") => Ok(()),
        Some(_) => Err(AppError::bad(
            "invalid_format",
            "format must be csv or json",
        )),
    }
}

fn style(raw: &RawQuery) -> Style {
    Style {
        welsh: raw.ui.as_deref() == Some("cy"),
        human: false,
    }
}

/// A CSV download response.
pub fn csv_response(name: &str, t: &Table) -> Result<Response, AppError> {
    let bytes = csv_out::write(
        &t.header.iter().map(String::as_str).collect::<Vec<_>>(),
        &t.rows,
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .map_err(|e| AppError::Internal(e.to_string()))?,
            ),
        ],
        bytes,
    )
        .into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/reports/uptake",
    tag = "reports",
    params(
        ("from" = Option<String>, Query, description = "First London day, YYYY-MM-DD (default: a year before `to`)"),
        ("to" = Option<String>, Query, description = "Last London day, YYYY-MM-DD (default: today)"),
        ("group_by" = Option<String>, Query, description = "Comma-separated: org, kind, region, module, lang, variant, scorm, and at most one of week, month, quarter"),
        ("org" = Option<String>, Query, description = "Only this organisation (code)"),
        ("kind" = Option<String>, Query, description = "Only organisations of this kind"),
        ("region" = Option<String>, Query, description = "Only organisations in this region"),
        ("module" = Option<String>, Query, description = "Only this module"),
        ("lang" = Option<String>, Query, description = "Only this language (en, cy)"),
        ("variant" = Option<String>, Query, description = "Only this variant"),
        ("scorm" = Option<String>, Query, description = "Only this SCORM version"),
        ("ui" = Option<String>, Query, description = "CSV headings in English (en) or Welsh (cy)"),
        ("format" = Option<String>, Query, description = "csv or json, instead of the Accept header"),
    ),
    responses((status = 200, description = "Uptake: started, completed, passed, pass rate, medians, Welsh and accessible shares, coverage. Platform keys see every figure exactly; org admin and reader keys see their own organisation exactly and others with counts 1-4 shown as {\"fewer_than\": 5} and totals of shown cells only ({\"at_least\": n}). CSV (UTF-8 with BOM) with Accept: text/csv or format=csv", body = Object), ErrorResponses),
    security(("platform_key" = []), ("org_admin_key" = []), ("reader_key" = [])),
)]
pub async fn uptake_json_or_csv(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    q: Result<Query<RawQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let viewer = viewer(&principal)?;
    let raw = parse_query(q)?;
    check_format(&raw)?;
    let u = run_uptake(&state, viewer, &raw).await?;
    if wants_csv(&headers, &raw) {
        return csv_response("uptake.csv", &table::uptake(&u, style(&raw)));
    }
    Ok(Json(u).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/reports/uptake.csv",
    tag = "reports",
    params(
        ("from" = Option<String>, Query, description = "First London day, YYYY-MM-DD (default: a year before `to`)"),
        ("to" = Option<String>, Query, description = "Last London day, YYYY-MM-DD (default: today)"),
        ("group_by" = Option<String>, Query, description = "Comma-separated: org, kind, region, module, lang, variant, scorm, and at most one of week, month, quarter"),
        ("org" = Option<String>, Query, description = "Only this organisation (code)"),
        ("kind" = Option<String>, Query, description = "Only organisations of this kind"),
        ("region" = Option<String>, Query, description = "Only organisations in this region"),
        ("module" = Option<String>, Query, description = "Only this module"),
        ("lang" = Option<String>, Query, description = "Only this language (en, cy)"),
        ("variant" = Option<String>, Query, description = "Only this variant"),
        ("scorm" = Option<String>, Query, description = "Only this SCORM version"),
        ("ui" = Option<String>, Query, description = "CSV headings in English (en) or Welsh (cy)"),
        ("format" = Option<String>, Query, description = "csv or json, instead of the Accept header"),
    ),
    responses((status = 200, description = "The uptake report as CSV (UTF-8 with BOM, formula cells neutralised)", body = String, content_type = "text/csv"), ErrorResponses),
    security(("platform_key" = []), ("org_admin_key" = []), ("reader_key" = [])),
)]
pub async fn uptake_csv(
    State(state): State<AppState>,
    principal: Principal,
    q: Result<Query<RawQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let viewer = viewer(&principal)?;
    let raw = parse_query(q)?;
    let u = run_uptake(&state, viewer, &raw).await?;
    csv_response("uptake.csv", &table::uptake(&u, style(&raw)))
}

#[utoipa::path(
    get,
    path = "/api/v1/reports/funding",
    tag = "reports",
    params(
        ("from" = Option<String>, Query, description = "First London day, YYYY-MM-DD (default: a year before `to`)"),
        ("to" = Option<String>, Query, description = "Last London day, YYYY-MM-DD (default: today)"),
        ("group_by" = Option<String>, Query, description = "Comma-separated: org, kind, region, module, lang, variant, scorm, and at most one of week, month, quarter"),
        ("org" = Option<String>, Query, description = "Only this organisation (code)"),
        ("kind" = Option<String>, Query, description = "Only organisations of this kind"),
        ("region" = Option<String>, Query, description = "Only organisations in this region"),
        ("module" = Option<String>, Query, description = "Only this module"),
        ("lang" = Option<String>, Query, description = "Only this language (en, cy)"),
        ("variant" = Option<String>, Query, description = "Only this variant"),
        ("scorm" = Option<String>, Query, description = "Only this SCORM version"),
        ("ui" = Option<String>, Query, description = "CSV headings in English (en) or Welsh (cy)"),
        ("format" = Option<String>, Query, description = "csv or json, instead of the Accept header"),
    ),
    responses((status = 200, description = "Co-funding: target, status and amount per organisation, pot, cost per completion, organisations to chase, adoption by month", body = Object), ErrorResponses),
    security(("platform_key" = []), ("org_admin_key" = []), ("reader_key" = [])),
)]
pub async fn funding_json_or_csv(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    q: Result<Query<RawQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let viewer = viewer(&principal)?;
    let raw = parse_query(q)?;
    check_format(&raw)?;
    let f = run_funding(&state, viewer, &raw).await?;
    if wants_csv(&headers, &raw) {
        return csv_response("funding.csv", &table::funding(&f, style(&raw)));
    }
    Ok(Json(f).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/reports/funding.csv",
    tag = "reports",
    params(
        ("from" = Option<String>, Query, description = "First London day, YYYY-MM-DD (default: a year before `to`)"),
        ("to" = Option<String>, Query, description = "Last London day, YYYY-MM-DD (default: today)"),
        ("group_by" = Option<String>, Query, description = "Comma-separated: org, kind, region, module, lang, variant, scorm, and at most one of week, month, quarter"),
        ("org" = Option<String>, Query, description = "Only this organisation (code)"),
        ("kind" = Option<String>, Query, description = "Only organisations of this kind"),
        ("region" = Option<String>, Query, description = "Only organisations in this region"),
        ("module" = Option<String>, Query, description = "Only this module"),
        ("lang" = Option<String>, Query, description = "Only this language (en, cy)"),
        ("variant" = Option<String>, Query, description = "Only this variant"),
        ("scorm" = Option<String>, Query, description = "Only this SCORM version"),
        ("ui" = Option<String>, Query, description = "CSV headings in English (en) or Welsh (cy)"),
        ("format" = Option<String>, Query, description = "csv or json, instead of the Accept header"),
    ),
    responses((status = 200, description = "The funding table as CSV (UTF-8 with BOM)", body = String, content_type = "text/csv"), ErrorResponses),
    security(("platform_key" = []), ("org_admin_key" = []), ("reader_key" = [])),
)]
pub async fn funding_csv(
    State(state): State<AppState>,
    principal: Principal,
    q: Result<Query<RawQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let viewer = viewer(&principal)?;
    let raw = parse_query(q)?;
    let f = run_funding(&state, viewer, &raw).await?;
    csv_response("funding.csv", &table::funding(&f, style(&raw)))
}

/// Body of the headcount setters.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HeadcountRequest {
    /// Staff in the organisation (or audience); `null` clears it.
    pub headcount: Option<i64>,
    /// An audience, e.g. "frontline"; absent for the whole organisation.
    #[serde(default)]
    pub audience: Option<String>,
}

async fn set_headcount(
    state: &AppState,
    org_id: i64,
    body: &[u8],
) -> Result<Json<Value>, AppError> {
    let req: HeadcountRequest = parse_json(body)?;
    let audience = req.audience.as_deref().unwrap_or("").trim();
    if audience.len() > 64 || audience.chars().any(char::is_control) {
        return Err(AppError::bad(
            "invalid_audience",
            "audience must be at most 64 printable characters",
        ));
    }
    if let Some(n) = req.headcount {
        if !(0..=10_000_000).contains(&n) {
            return Err(AppError::bad(
                "invalid_headcount",
                "headcount must be 0 to 10,000,000",
            ));
        }
    }
    store::set_headcount(&state.db, org_id, audience, req.headcount).await?;
    headcounts_json(state, org_id).await
}

async fn headcounts_json(state: &AppState, org_id: i64) -> Result<Json<Value>, AppError> {
    let rows = store::headcounts(&state.db, org_id).await?;
    let list: Vec<Value> = rows
        .into_iter()
        .map(|(a, n)| json!({"audience": if a.is_empty() { Value::Null } else { Value::String(a) }, "headcount": n}))
        .collect();
    Ok(Json(json!({ "headcounts": list })))
}

#[utoipa::path(
    get,
    path = "/api/v1/org/headcount",
    tag = "reports",
    responses((status = 200, description = "The caller's organisation's headcounts", body = Object), ErrorResponses),
    security(("org_admin_key" = []), ("reader_key" = [])),
)]
pub async fn get_headcount(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Value>, AppError> {
    let org = principal.org_with(&[Role::OrgAdmin, Role::Reader])?;
    headcounts_json(&state, org.id).await
}

#[utoipa::path(
    put,
    path = "/api/v1/org/headcount",
    tag = "reports",
    request_body = HeadcountRequest,
    responses((status = 200, description = "Set the caller's organisation's headcount (whole organisation, or one audience); null clears", body = Object), ErrorResponses),
    security(("org_admin_key" = [])),
)]
pub async fn put_own_headcount(
    State(state): State<AppState>,
    principal: Principal,
    LimitedBody(body): LimitedBody,
) -> Result<Json<Value>, AppError> {
    let org = principal.org_with(&[Role::OrgAdmin])?;
    set_headcount(&state, org.id, &body).await
}

#[utoipa::path(
    put,
    path = "/api/v1/organisations/{code}/headcount",
    tag = "reports",
    params(("code" = String, Path, description = "Organisation code")),
    request_body = HeadcountRequest,
    responses((status = 200, description = "Set an organisation's headcount", body = Object), ErrorResponses),
    security(("platform_key" = [])),
)]
pub async fn put_org_headcount(
    State(state): State<AppState>,
    principal: Principal,
    Path(code): Path<String>,
    LimitedBody(body): LimitedBody,
) -> Result<Json<Value>, AppError> {
    principal.require_platform()?;
    let org = orgs::find_org(&state.db, &code).await?;
    set_headcount(&state, org.id, &body).await
}

/// Body of `PUT /api/v1/org/public-listing`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListingRequest {
    /// Whether to appear on the public "who has joined" page.
    pub listed: bool,
}

#[utoipa::path(
    put,
    path = "/api/v1/org/public-listing",
    tag = "reports",
    request_body = ListingRequest,
    responses((status = 200, description = "Opt in to (or out of) the public who-has-joined list", body = Object), ErrorResponses),
    security(("org_admin_key" = [])),
)]
pub async fn put_public_listing(
    State(state): State<AppState>,
    principal: Principal,
    LimitedBody(body): LimitedBody,
) -> Result<Json<Value>, AppError> {
    let org = principal.org_with(&[Role::OrgAdmin])?;
    let req: ListingRequest = parse_json(&body)?;
    store::set_public_listing(&state.db, org.id, req.listed).await?;
    Ok(Json(json!({ "listed": req.listed })))
}

fn check_date(name: &str, d: &Option<String>) -> Result<(), AppError> {
    match d {
        Some(s) if chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_err() => Err(AppError::bad(
            "invalid_date",
            format!("{name} must be a date, YYYY-MM-DD"),
        )),
        _ => Ok(()),
    }
}

/// Checks a funding record: a known status, an amount, valid dates.
pub fn check_funding(r: &FundingRecord) -> Result<(), AppError> {
    if !FUNDING_STATUSES.contains(&r.status.as_str()) {
        return Err(AppError::bad(
            "invalid_status",
            format!("status must be one of: {}", FUNDING_STATUSES.join(", ")),
        ));
    }
    if !(0..=100_000_000_000).contains(&r.amount_pence) {
        return Err(AppError::bad(
            "invalid_amount",
            "amount_pence must be 0 to 100,000,000,000",
        ));
    }
    check_date("pledged_on", &r.pledged_on)?;
    check_date("invoiced_on", &r.invoiced_on)?;
    check_date("paid_on", &r.paid_on)
}

#[utoipa::path(
    put,
    path = "/api/v1/organisations/{code}/funding",
    tag = "reports",
    params(("code" = String, Path, description = "Organisation code")),
    request_body = Option<FundingRecord>,
    responses((status = 200, description = "Set (or with null clear) an organisation's funding: status pledged, invoiced or paid, amount, dates", body = Object), ErrorResponses),
    security(("platform_key" = [])),
)]
pub async fn put_funding(
    State(state): State<AppState>,
    principal: Principal,
    Path(code): Path<String>,
    LimitedBody(body): LimitedBody,
) -> Result<Json<Value>, AppError> {
    principal.require_platform()?;
    let rec: Option<FundingRecord> = parse_json(&body)?;
    if let Some(r) = &rec {
        check_funding(r)?;
    }
    let org = orgs::find_org(&state.db, &code).await?;
    store::set_funding(&state.db, org.id, rec.as_ref()).await?;
    Ok(Json(json!({ "organisation": code, "funding": rec })))
}

/// Body of `PUT /api/v1/funding/campaign`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignRequest {
    /// Organisations the campaign aims for.
    pub target_orgs: i64,
    /// Pot it aims for, in pence.
    pub target_pence: i64,
}

#[utoipa::path(
    put,
    path = "/api/v1/funding/campaign",
    tag = "reports",
    request_body = CampaignRequest,
    responses((status = 200, description = "Set the campaign target", body = Object), ErrorResponses),
    security(("platform_key" = [])),
)]
pub async fn put_campaign(
    State(state): State<AppState>,
    principal: Principal,
    LimitedBody(body): LimitedBody,
) -> Result<(StatusCode, Json<Value>), AppError> {
    principal.require_platform()?;
    let req: CampaignRequest = parse_json(&body)?;
    if !(0..=1_000_000).contains(&req.target_orgs)
        || !(0..=1_000_000_000_000).contains(&req.target_pence)
    {
        return Err(AppError::bad(
            "invalid_target",
            "targets must be non-negative and sensible",
        ));
    }
    store::set_campaign(&state.db, req.target_orgs, req.target_pence).await?;
    Ok((
        StatusCode::OK,
        Json(json!({"target_orgs": req.target_orgs, "target_pence": req.target_pence})),
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/public/organisations",
    tag = "reports",
    responses((status = 200, description = "Organisations that opted in to the public list: name, kind, region and funding status, nothing else", body = Object), ErrorResponses),
)]
pub async fn public_orgs(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    let list = store::public_orgs(&state.db).await?;
    Ok(Json(
        json!({ "organisations": list, "as_of": date_of(today()).to_string() }),
    ))
}
