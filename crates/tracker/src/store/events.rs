//! Queries over the `events` table: an organisation's events page by page,
//! and the aggregate summary report.

use serde::Serialize;

use crate::error::AppError;
use crate::on_db;
use crate::store::Db;

/// One stored event as an org admin sees it.
#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
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
    /// When it happened (RFC 3339 in answers; stored as Unix ms).
    #[serde(serialize_with = "crate::domain::time::ser_ms")]
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: i64,
    /// When it arrived (RFC 3339 in answers; stored as Unix ms).
    #[serde(serialize_with = "crate::domain::time::ser_ms")]
    #[schema(value_type = String, format = DateTime)]
    pub received_at: i64,
    /// api | csv | xapi.
    pub source: String,
}

/// A page of an organisation's events after cursor `after` (optionally of
/// one pseudonymised learner), oldest first.
pub async fn list(
    db: &Db,
    org_id: i64,
    learner: Option<&str>,
    after: i64,
    limit: i64,
) -> Result<Vec<EventRow>, AppError> {
    let cols = "id, event_id, learner, package_id, package_version, edition, verb, score, \
                duration_s, occurred_at, received_at, source";
    let rows = match learner {
        Some(pseudo) => {
            let sql = format!(
                "SELECT {cols} FROM events WHERE org_id = $1 AND learner = $2 AND id > $3 ORDER BY id LIMIT $4"
            );
            on_db!(db, p => sqlx::query_as::<_, EventRow>(&sql)
                .bind(org_id).bind(pseudo).bind(after).bind(limit).fetch_all(p).await)?
        }
        None => {
            let sql = format!(
                "SELECT {cols} FROM events WHERE org_id = $1 AND id > $2 ORDER BY id LIMIT $3"
            );
            on_db!(db, p => sqlx::query_as::<_, EventRow>(&sql)
                .bind(org_id).bind(after).bind(limit).fetch_all(p).await)?
        }
    };
    Ok(rows)
}

/// One row of the summary report.
#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
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
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Summary {
    /// Organisation code.
    pub organisation: String,
    /// Events stored.
    pub events: i64,
    /// Distinct learners.
    pub learners: i64,
    /// By package and verb.
    pub by_package: Vec<SummaryRow>,
}

/// The aggregate report of one organisation.
pub async fn summary(db: &Db, org_id: i64, code: &str) -> Result<Summary, AppError> {
    let rows = on_db!(db, p => sqlx::query_as::<_, SummaryRow>(
        "SELECT MAX(pk.module) AS module, e.package_id, MAX(pk.lang) AS lang, MAX(pk.variant) AS variant, \
         e.verb, COUNT(DISTINCT e.learner) AS learners, COUNT(*) AS events \
         FROM events e LEFT JOIN packages pk ON pk.id = e.package_id AND pk.version = e.package_version \
         WHERE e.org_id = $1 GROUP BY e.package_id, e.verb ORDER BY e.package_id, e.verb")
        .bind(org_id).fetch_all(p).await)?;
    let totals: (i64, i64) = on_db!(db, p => sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT learner) FROM events WHERE org_id = $1")
        .bind(org_id).fetch_one(p).await)?;
    Ok(Summary {
        organisation: code.to_owned(),
        events: totals.0,
        learners: totals.1,
        by_package: rows,
    })
}
