//! Organisations and their keys: the store functions shared by the HTTP API
//! and the `admin` commands.

use serde::{Deserialize, Serialize};

use crate::db::{now_ms, Db};
use crate::error::AppError;
use crate::keys::{new_pseudonym_secret, NewToken, Role};
use crate::on_db;

/// The kinds of subscribing organisation.
pub const ORG_KINDS: &[&str] = &[
    "county",
    "district",
    "unitary",
    "metropolitan",
    "london_borough",
    "welsh_principal_council",
    "nhs_body",
    "police",
    "fire",
    "housing_association",
    "other",
];

/// Organisation statuses. Keys of a suspended organisation stop working.
pub const ORG_STATUSES: &[&str] = &["active", "suspended"];

/// What is needed to create an organisation.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewOrg {
    /// Short unique code: lower-case letters, digits and hyphens (2–64).
    pub code: String,
    /// Name in English.
    pub name_en: String,
    /// Name in Welsh.
    pub name_cy: String,
    /// One of [`ORG_KINDS`].
    pub kind: String,
    /// Region (free text, e.g. "Wales", "North West").
    pub region: String,
    /// Contribution in pence.
    #[serde(default)]
    pub contribution_pence: i64,
    /// Contribution date, `YYYY-MM-DD`.
    #[serde(default)]
    pub contribution_date: Option<String>,
    /// Delete events older than this many months (none: keep).
    #[serde(default)]
    pub retention_months: Option<i64>,
}

/// A stored organisation (the pseudonymisation secret is never read out).
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
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
    /// Creation time (Unix ms).
    pub created_at: i64,
}

const ORG_COLUMNS: &str = "id, code, name_en, name_cy, kind, region, contribution_pence, \
                           contribution_date, status, retention_months, created_at";

fn check_text(field: &'static str, value: &str, max: usize) -> Result<(), AppError> {
    if value.trim().is_empty() {
        return Err(AppError::bad(
            "invalid_field",
            format!("{field} must not be empty"),
        ));
    }
    if value.chars().count() > max || value.chars().any(char::is_control) {
        return Err(AppError::bad(
            "invalid_field",
            format!("{field} must be at most {max} printable characters"),
        ));
    }
    Ok(())
}

/// Checks an organisation code.
pub fn check_code(code: &str) -> Result<(), AppError> {
    let ok = (2..=64).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !code.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err(AppError::bad(
            "invalid_code",
            "code must be 2-64 lower-case letters, digits or hyphens",
        ))
    }
}

/// Checks a retention setting.
pub fn check_retention(months: Option<i64>) -> Result<(), AppError> {
    match months {
        Some(m) if !(1..=1200).contains(&m) => Err(AppError::bad(
            "invalid_retention",
            "retention_months must be between 1 and 1200",
        )),
        _ => Ok(()),
    }
}

impl NewOrg {
    /// Validates every field.
    pub fn validate(&self) -> Result<(), AppError> {
        check_code(&self.code)?;
        check_text("name_en", &self.name_en, 200)?;
        check_text("name_cy", &self.name_cy, 200)?;
        check_text("region", &self.region, 100)?;
        if !ORG_KINDS.contains(&self.kind.as_str()) {
            return Err(AppError::bad(
                "invalid_kind",
                format!("kind must be one of: {}", ORG_KINDS.join(", ")),
            ));
        }
        if self.contribution_pence < 0 {
            return Err(AppError::bad(
                "invalid_field",
                "contribution_pence must not be negative",
            ));
        }
        if let Some(d) = &self.contribution_date {
            if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err() {
                return Err(AppError::bad(
                    "invalid_field",
                    "contribution_date must be YYYY-MM-DD",
                ));
            }
        }
        check_retention(self.retention_months)
    }
}

fn unique_violation(e: &sqlx::Error) -> bool {
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

/// A key as listed (never with its secret).
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct KeyInfo {
    /// Public key id.
    pub id: String,
    /// Role name.
    pub role: String,
    /// Free label.
    pub label: String,
    /// Creation time (Unix ms).
    pub created_at: i64,
    /// Revocation time, if revoked.
    pub revoked_at: Option<i64>,
}

/// A key just issued: the token is shown once and never again.
#[derive(Debug, Serialize)]
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

#[cfg(test)]
mod tests {
    use super::*;

    fn org() -> NewOrg {
        NewOrg {
            code: "cardiff".into(),
            name_en: "Cardiff Council".into(),
            name_cy: "Cyngor Caerdydd".into(),
            kind: "welsh_principal_council".into(),
            region: "Wales".into(),
            contribution_pence: 250_000,
            contribution_date: Some("2026-04-01".into()),
            retention_months: Some(24),
        }
    }

    #[test]
    fn validation() {
        assert!(org().validate().is_ok());
        type Case = Box<dyn Fn(&mut NewOrg)>;
        let cases: Vec<Case> = vec![
            Box::new(|o| o.code = "Cardiff".into()),
            Box::new(|o| o.code = "-x".into()),
            Box::new(|o| o.code = "a".into()),
            Box::new(|o| o.name_cy = " ".into()),
            Box::new(|o| o.kind = "parish".into()),
            Box::new(|o| o.contribution_pence = -1),
            Box::new(|o| o.contribution_date = Some("01/04/2026".into())),
            Box::new(|o| o.retention_months = Some(0)),
        ];
        for (i, f) in cases.iter().enumerate() {
            let mut o = org();
            f(&mut o);
            assert!(o.validate().is_err(), "case {i} should fail");
        }
    }
}
