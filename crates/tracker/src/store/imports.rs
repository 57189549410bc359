//! The `imports` table: one record per CSV import, stored with its events in
//! one transaction.

use serde::Serialize;

use crate::domain::event::NewEvent;
use crate::domain::imports::Format;
use crate::error::AppError;
use crate::on_db;
use crate::store::{now_ms, Db};

/// Stores the import record and its events in one transaction.
pub async fn store(
    db: &Db,
    org_id: i64,
    filename: &str,
    format: Format,
    rows: usize,
    events: &[NewEvent],
) -> Result<(i64, usize), AppError> {
    let now = now_ms();
    let mut sorted: Vec<&NewEvent> = events.iter().collect();
    sorted.sort_by(|a, b| a.event_id.cmp(&b.event_id));
    sorted.dedup_by(|a, b| a.event_id == b.event_id);
    let res = on_db!(db, pool => {
        let mut tx = pool.begin().await?;
        let mut accepted = 0usize;
        for chunk in sorted.chunks(250) {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO events (org_id, event_id, learner, package_id, package_version, edition, \
                 verb, score, duration_s, occurred_at, received_at, source) ",
            );
            qb.push_values(chunk, |mut b, e| {
                b.push_bind(e.org_id).push_bind(&e.event_id).push_bind(&e.learner)
                    .push_bind(&e.package_id).push_bind(&e.package_version).push_bind(&e.edition)
                    .push_bind(e.verb).push_bind(e.score).push_bind(e.duration_s)
                    .push_bind(e.occurred_at).push_bind(e.received_at).push_bind(e.source);
            });
            qb.push(" ON CONFLICT (org_id, event_id) DO NOTHING");
            accepted += qb.build().execute(&mut *tx).await?.rows_affected() as usize;
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO imports (org_id, filename, format, row_count, accepted, duplicates, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
            .bind(org_id).bind(filename).bind(format.as_str()).bind(rows as i64)
            .bind(accepted as i64).bind((events.len() - accepted) as i64).bind(now)
            .fetch_one(&mut *tx).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>((id, accepted))
    });
    Ok(res?)
}

/// One import as listed.
#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ImportRow {
    /// Id.
    pub id: i64,
    /// File name given.
    pub filename: String,
    /// Format.
    pub format: String,
    /// Rows read.
    pub row_count: i64,
    /// Events stored.
    pub accepted: i64,
    /// Duplicates.
    pub duplicates: i64,
    /// When (RFC 3339 in answers; stored as Unix ms).
    #[serde(serialize_with = "crate::domain::time::ser_ms")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
}

/// This organisation's imports, oldest first.
pub async fn list(db: &Db, org_id: i64) -> Result<Vec<ImportRow>, AppError> {
    Ok(on_db!(db, p => sqlx::query_as::<_, ImportRow>(
        "SELECT id, filename, format, row_count, accepted, duplicates, created_at FROM imports \
         WHERE org_id = $1 ORDER BY id").bind(org_id).fetch_all(p).await)?)
}
