//! The `api_keys` table: issuing, listing, revoking, and the lookup behind
//! every authenticated request. Secrets are stored hashed only.

use serde::Serialize;

use crate::error::AppError;
use crate::keys::{NewToken, Role};
use crate::on_db;
use crate::store::orgs::Organisation;
use crate::store::{now_ms, Db};

/// A key as listed (never with its secret).
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct KeyInfo {
    /// Public key id.
    pub id: String,
    /// Role name.
    pub role: String,
    /// Free label.
    pub label: String,
    /// Creation time (RFC 3339 in answers; stored as Unix ms).
    #[serde(serialize_with = "crate::domain::time::ser_ms")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    /// Revocation time, if revoked.
    #[serde(serialize_with = "crate::domain::time::ser_opt_ms")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<i64>,
}

/// A key just issued: the token is shown once and never again.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IssuedKey {
    /// Public key id.
    pub key_id: String,
    /// Role name.
    pub role: &'static str,
    /// Organisation code (none for platform keys).
    pub organisation: Option<String>,
    /// The bearer token; for xAPI Basic auth the user is `key_id` and the
    /// password the part after it.
    pub token: String,
}

/// Issues a key. Platform keys have no organisation; all others need one.
pub async fn issue_key(
    db: &Db,
    org: Option<&Organisation>,
    role: Role,
    label: &str,
) -> Result<IssuedKey, AppError> {
    match (role, org) {
        (Role::Platform, Some(_)) => {
            return Err(AppError::bad(
                "invalid_role",
                "platform keys belong to no organisation",
            ))
        }
        (Role::Ingest | Role::OrgAdmin | Role::Reader, None) => {
            return Err(AppError::bad(
                "invalid_role",
                "this role needs an organisation",
            ))
        }
        _ => {}
    }
    if label.chars().count() > 200 || label.chars().any(char::is_control) {
        return Err(AppError::bad(
            "invalid_field",
            "label must be at most 200 printable characters",
        ));
    }
    let t = NewToken::generate();
    on_db!(db, p => sqlx::query(
        "INSERT INTO api_keys (id, org_id, role, secret_hash, label, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&t.key_id)
        .bind(org.map(|o| o.id))
        .bind(role.as_str())
        .bind(&t.secret_hash)
        .bind(label)
        .bind(now_ms())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(IssuedKey {
        token: t.token(),
        key_id: t.key_id,
        role: role.as_str(),
        organisation: org.map(|o| o.code.clone()),
    })
}

/// Keys of an organisation (or the platform keys when `org_id` is `None`).
pub async fn list_keys(db: &Db, org_id: Option<i64>) -> Result<Vec<KeyInfo>, AppError> {
    let rows = match org_id {
        Some(id) => on_db!(db, p => sqlx::query_as::<_, KeyInfo>(
            "SELECT id, role, label, created_at, revoked_at FROM api_keys \
             WHERE org_id = $1 ORDER BY created_at, id")
            .bind(id).fetch_all(p).await)?,
        None => on_db!(db, p => sqlx::query_as::<_, KeyInfo>(
            "SELECT id, role, label, created_at, revoked_at FROM api_keys \
             WHERE org_id IS NULL ORDER BY created_at, id")
            .fetch_all(p).await)?,
    };
    Ok(rows)
}

/// Revokes a key at once. With `only_org`, only a key of that organisation
/// can be revoked (others answer "not found").
pub async fn revoke_key(db: &Db, key_id: &str, only_org: Option<i64>) -> Result<(), AppError> {
    if key_id.len() != 16 || !key_id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound("active key"));
    }
    let now = now_ms();
    let n = match only_org {
        Some(org) => on_db!(db, p => sqlx::query(
            "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND org_id = $3 AND revoked_at IS NULL")
            .bind(now).bind(key_id).bind(org).execute(p).await.map(|r| r.rows_affected()))?,
        None => on_db!(db, p => sqlx::query(
            "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now).bind(key_id).execute(p).await.map(|r| r.rows_affected()))?,
    };
    if n == 0 {
        return Err(AppError::NotFound("active key"));
    }
    Ok(())
}

/// A live key as the authentication lookup finds it, with its organisation.
#[derive(Debug, sqlx::FromRow)]
pub struct KeyRecord {
    /// Role name.
    pub role: String,
    /// SHA-256 of the secret.
    pub secret_hash: String,
    /// Organisation id (none for platform keys).
    pub org_id: Option<i64>,
    /// Organisation code.
    pub code: Option<String>,
    /// The organisation's pseudonymisation secret (hex).
    pub pseudonym_secret: Option<String>,
    /// The organisation's status.
    pub status: Option<String>,
}

/// The unrevoked key `key_id`, if any.
pub async fn find_live(db: &Db, key_id: &str) -> Result<Option<KeyRecord>, AppError> {
    Ok(on_db!(db, p => sqlx::query_as::<_, KeyRecord>(
        "SELECT k.role, k.secret_hash, k.org_id, o.code, o.pseudonym_secret, o.status \
         FROM api_keys k LEFT JOIN organisations o ON o.id = k.org_id \
         WHERE k.id = $1 AND k.revoked_at IS NULL")
        .bind(key_id)
        .fetch_optional(p)
        .await)?)
}
