//! The `organisations` table. Shared by the HTTP API and the `admin`
//! commands.

use serde::Serialize;

use crate::domain::org::{check_code, check_retention, NewOrg, ORG_STATUSES};
use crate::error::AppError;
use crate::keys::new_pseudonym_secret;
use crate::on_db;
use crate::store::{now_ms, Db};

/// A stored organisation (the pseudonymisation secret is never read out).
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Organisation {
    /// Internal id.
    #[serde(skip)]
    pub id: i64,
    /// Unique code.
    pub code: String,
    /// Name in English.
    pub name_en: String,
    /// Name in Welsh.
    pub name_cy: String,
    /// Kind.
    pub kind: String,
    /// Region.
    pub region: String,
    /// Contribution in pence.
    pub contribution_pence: i64,
    /// Contribution date.
    pub contribution_date: Option<String>,
    /// `active` or `suspended`.
    pub status: String,
    /// Retention in months, if set.
    pub retention_months: Option<i64>,
    /// Creation time (RFC 3339 in answers; stored as Unix ms).
    #[serde(serialize_with = "crate::domain::time::ser_ms")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
}

const ORG_COLUMNS: &str = "id, code, name_en, name_cy, kind, region, contribution_pence, \
                           contribution_date, status, retention_months, created_at";

pub(crate) fn unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// Creates an organisation with a fresh pseudonymisation secret.
pub async fn create_org(db: &Db, new: &NewOrg) -> Result<Organisation, AppError> {
    new.validate()?;
    let secret = new_pseudonym_secret();
    let sql = format!(
        "INSERT INTO organisations (code, name_en, name_cy, kind, region, contribution_pence, \
         contribution_date, status, retention_months, pseudonym_secret, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $9, $10) RETURNING {ORG_COLUMNS}"
    );
    let res = on_db!(db, p => sqlx::query_as::<_, Organisation>(&sql)
        .bind(&new.code)
        .bind(new.name_en.trim())
        .bind(new.name_cy.trim())
        .bind(&new.kind)
        .bind(new.region.trim())
        .bind(new.contribution_pence)
        .bind(&new.contribution_date)
        .bind(new.retention_months)
        .bind(&secret)
        .bind(now_ms())
        .fetch_one(p)
        .await);
    match res {
        Ok(org) => Ok(org),
        Err(e) if unique_violation(&e) => Err(AppError::Conflict {
            code: "org_exists",
            message: format!("an organisation with code {} exists", new.code),
        }),
        Err(e) => Err(e.into()),
    }
}

/// All organisations, by code.
pub async fn list_orgs(db: &Db) -> Result<Vec<Organisation>, AppError> {
    let sql = format!("SELECT {ORG_COLUMNS} FROM organisations ORDER BY code");
    Ok(on_db!(db, p => sqlx::query_as::<_, Organisation>(&sql).fetch_all(p).await)?)
}

/// One organisation by code.
pub async fn find_org(db: &Db, code: &str) -> Result<Organisation, AppError> {
    if check_code(code).is_err() {
        return Err(AppError::NotFound("organisation"));
    }
    let sql = format!("SELECT {ORG_COLUMNS} FROM organisations WHERE code = $1");
    on_db!(db, p => sqlx::query_as::<_, Organisation>(&sql).bind(code).fetch_optional(p).await)?
        .ok_or(AppError::NotFound("organisation"))
}

/// One organisation by id.
pub async fn get_org(db: &Db, id: i64) -> Result<Organisation, AppError> {
    let sql = format!("SELECT {ORG_COLUMNS} FROM organisations WHERE id = $1");
    on_db!(db, p => sqlx::query_as::<_, Organisation>(&sql).bind(id).fetch_optional(p).await)?
        .ok_or(AppError::NotFound("organisation"))
}

/// Sets an organisation's status.
pub async fn set_status(db: &Db, org_id: i64, status: &str) -> Result<(), AppError> {
    if !ORG_STATUSES.contains(&status) {
        return Err(AppError::bad(
            "invalid_status",
            "status must be active or suspended",
        ));
    }
    on_db!(db, p => sqlx::query("UPDATE organisations SET status = $1 WHERE id = $2")
        .bind(status).bind(org_id).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Sets (or clears) an organisation's retention period.
pub async fn set_retention(db: &Db, org_id: i64, months: Option<i64>) -> Result<(), AppError> {
    check_retention(months)?;
    on_db!(db, p => sqlx::query("UPDATE organisations SET retention_months = $1 WHERE id = $2")
        .bind(months).bind(org_id).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}
