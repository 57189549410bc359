//! Platform admin endpoints: organisations, keys, the catalogue.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::domain::catalogue::CatalogueFile;
use crate::domain::catalogue::Package;
use crate::domain::org::{check_retention, NewOrg, ORG_STATUSES};
use crate::error::AppError;
use crate::http::error::ErrorResponses;
use crate::http::extract::{parse_json, LimitedBody, Principal};
use crate::http::state::AppState;
use crate::keys::Role;
use crate::store::keys::{IssuedKey, KeyInfo};
use crate::store::orgs::Organisation;
use crate::store::{catalogue, keys, orgs};

#[utoipa::path(
    post,
    path = "/api/v1/organisations",
    tag = "platform",
    request_body = NewOrg,
    responses((status = 201, description = "Created", body = Organisation), ErrorResponses),
    security(("platform_key" = [])),
)]
/// `POST /api/v1/organisations`.
pub async fn create_org(
    State(state): State<AppState>,
    principal: Principal,
    LimitedBody(body): LimitedBody,
) -> Result<(StatusCode, Json<Organisation>), AppError> {
    principal.require_platform()?;
    let new: NewOrg = parse_json(&body)?;
    let org = orgs::create_org(&state.db, &new).await?;
    tracing::info!(org = %org.code, "organisation created");
    Ok((StatusCode::CREATED, Json(org)))
}

/// Every organisation.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrgList {
    /// By code.
    pub organisations: Vec<Organisation>,
}

#[utoipa::path(
    get,
    path = "/api/v1/organisations",
    tag = "platform",
    responses((status = 200, description = "Every organisation", body = OrgList), ErrorResponses),
    security(("platform_key" = [])),
)]
/// `GET /api/v1/organisations`.
pub async fn list_orgs(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<OrgList>, AppError> {
    principal.require_platform()?;
    let list = orgs::list_orgs(&state.db).await?;
    Ok(Json(OrgList {
        organisations: list,
    }))
}

#[utoipa::path(
    get,
    path = "/api/v1/organisations/{code}",
    tag = "platform",
    params(("code" = String, Path, description = "Organisation code")),
    responses((status = 200, description = "The organisation", body = Organisation), ErrorResponses),
    security(("platform_key" = [])),
)]
/// `GET /api/v1/organisations/{code}`.
pub async fn get_org(
    State(state): State<AppState>,
    principal: Principal,
    Path(code): Path<String>,
) -> Result<Json<Organisation>, AppError> {
    principal.require_platform()?;
    Ok(Json(orgs::find_org(&state.db, &code).await?))
}

/// Fields an admin may change.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgPatch {
    /// `active` or `suspended`.
    #[serde(default)]
    pub status: Option<String>,
    /// Retention in months; `null` clears.
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub retention_months: Option<Option<i64>>,
}

mod double_option {
    use serde::{Deserialize, Deserializer};
    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<i64>>, D::Error> {
        Option::<i64>::deserialize(d).map(Some)
    }
}

#[utoipa::path(
    patch,
    path = "/api/v1/organisations/{code}",
    tag = "platform",
    params(("code" = String, Path, description = "Organisation code")),
    request_body = OrgPatch,
    responses((status = 200, description = "The organisation as changed", body = Organisation), ErrorResponses),
    security(("platform_key" = [])),
)]
/// `PATCH /api/v1/organisations/{code}`.
pub async fn patch_org(
    State(state): State<AppState>,
    principal: Principal,
    Path(code): Path<String>,
    LimitedBody(body): LimitedBody,
) -> Result<Json<Organisation>, AppError> {
    principal.require_platform()?;
    let patch: OrgPatch = parse_json(&body)?;
    let org = orgs::find_org(&state.db, &code).await?;
    if let Some(s) = &patch.status {
        if !ORG_STATUSES.contains(&s.as_str()) {
            return Err(AppError::bad(
                "invalid_status",
                "status must be active or suspended",
            ));
        }
    }
    if let Some(m) = patch.retention_months {
        check_retention(m)?;
    }
    if let Some(s) = &patch.status {
        orgs::set_status(&state.db, org.id, s).await?;
        state.key_cache.clear();
    }
    if let Some(m) = patch.retention_months {
        orgs::set_retention(&state.db, org.id, m).await?;
    }
    Ok(Json(orgs::get_org(&state.db, org.id).await?))
}

/// Body of `POST /api/v1/organisations/{code}/keys`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyRequest {
    /// `ingest`, `org_admin` or `reader`.
    pub role: String,
    /// Free label, e.g. "Moodle production".
    #[serde(default)]
    pub label: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/organisations/{code}/keys",
    tag = "platform",
    params(("code" = String, Path, description = "Organisation code")),
    request_body = KeyRequest,
    responses((status = 201, description = "The key; its token is shown only here", body = IssuedKey), ErrorResponses),
    security(("platform_key" = [])),
)]
/// `POST /api/v1/organisations/{code}/keys`: the token is in this answer only.
pub async fn issue_key(
    State(state): State<AppState>,
    principal: Principal,
    Path(code): Path<String>,
    LimitedBody(body): LimitedBody,
) -> Result<(StatusCode, Json<IssuedKey>), AppError> {
    principal.require_platform()?;
    let req: KeyRequest = parse_json(&body)?;
    let role = match Role::parse(&req.role) {
        Some(r @ (Role::Ingest | Role::OrgAdmin | Role::Reader)) => r,
        _ => {
            return Err(AppError::bad(
                "invalid_role",
                "role must be ingest, org_admin or reader",
            ))
        }
    };
    let org = orgs::find_org(&state.db, &code).await?;
    let issued = keys::issue_key(&state.db, Some(&org), role, &req.label).await?;
    tracing::info!(org = %org.code, key_id = %issued.key_id, role = issued.role, "key issued");
    Ok((StatusCode::CREATED, Json(issued)))
}

/// An organisation's keys.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct KeyList {
    /// Oldest first, revoked ones included.
    pub keys: Vec<KeyInfo>,
}

#[utoipa::path(
    get,
    path = "/api/v1/organisations/{code}/keys",
    tag = "platform",
    params(("code" = String, Path, description = "Organisation code")),
    responses((status = 200, description = "The keys, without secrets", body = KeyList), ErrorResponses),
    security(("platform_key" = [])),
)]
/// `GET /api/v1/organisations/{code}/keys` (no secrets).
pub async fn list_keys(
    State(state): State<AppState>,
    principal: Principal,
    Path(code): Path<String>,
) -> Result<Json<KeyList>, AppError> {
    principal.require_platform()?;
    let org = orgs::find_org(&state.db, &code).await?;
    let keys = keys::list_keys(&state.db, Some(org.id)).await?;
    Ok(Json(KeyList { keys }))
}

#[utoipa::path(
    delete,
    path = "/api/v1/keys/{key_id}",
    tag = "platform",
    params(("key_id" = String, Path, description = "Public key id")),
    responses((status = 204, description = "Revoked"), ErrorResponses),
    security(("platform_key" = []), ("org_admin_key" = [])),
)]
/// `DELETE /api/v1/keys/{key_id}`: platform admins revoke any key; an org
/// admin revokes keys of its own organisation. Takes effect at once.
pub async fn revoke_key(
    State(state): State<AppState>,
    principal: Principal,
    Path(key_id): Path<String>,
) -> Result<StatusCode, AppError> {
    let only_org = match principal.role {
        Role::Platform => None,
        _ => Some(principal.org_with(&[Role::OrgAdmin])?.id),
    };
    keys::revoke_key(&state.db, &key_id, only_org).await?;
    state.key_cache.evict(&key_id);
    tracing::info!(key_id = %key_id, "key revoked");
    Ok(StatusCode::NO_CONTENT)
}

/// The answer to a catalogue import.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CatalogueImported {
    /// Packages in the file.
    pub imported: usize,
}

#[utoipa::path(
    post,
    path = "/api/v1/catalogue",
    tag = "platform",
    request_body = CatalogueFile,
    responses((status = 200, description = "Imported", body = CatalogueImported), ErrorResponses),
    security(("platform_key" = [])),
)]
/// `POST /api/v1/catalogue`: imports `catalogue.json`.
pub async fn import_catalogue(
    State(state): State<AppState>,
    principal: Principal,
    LimitedBody(body): LimitedBody,
) -> Result<Json<CatalogueImported>, AppError> {
    principal.require_platform()?;
    let file: CatalogueFile = parse_json(&body)?;
    let n = catalogue::import(&state.db, &file).await?;
    state.catalogue.reload(&state.db).await?;
    Ok(Json(CatalogueImported { imported: n }))
}

/// The catalogue.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PackageList {
    /// By id and version.
    pub packages: Vec<Package>,
}

#[utoipa::path(
    get,
    path = "/api/v1/catalogue",
    tag = "platform",
    responses((status = 200, description = "Every package", body = PackageList), ErrorResponses),
    security(("platform_key" = []), ("org_admin_key" = []), ("reader_key" = [])),
)]
/// `GET /api/v1/catalogue` (any key but ingest keys, which read nothing).
pub async fn list_catalogue(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<PackageList>, AppError> {
    if principal.role == Role::Ingest {
        return Err(AppError::Forbidden("ingest keys read nothing"));
    }
    let packages = catalogue::list(&state.db).await?;
    Ok(Json(PackageList { packages }))
}
