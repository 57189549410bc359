//! Erasure of one learner and the retention sweep (events and xAPI
//! statements).

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::retention::cutoff_ms;
use crate::error::AppError;
use crate::on_db;
use crate::store::Db;

/// What an erasure deleted.
#[derive(Debug, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Erased {
    /// Completion events deleted.
    pub events: u64,
    /// xAPI statements deleted.
    pub statements: u64,
}

/// Deletes every event and stored xAPI statement of one pseudonymised
/// learner of one organisation, in one transaction.
pub async fn erase_learner(db: &Db, org_id: i64, learner: &str) -> Result<Erased, AppError> {
    let (events, statements) = on_db!(db, pool => {
        let mut tx = pool.begin().await?;
        let e = sqlx::query("DELETE FROM events WHERE org_id = $1 AND learner = $2")
            .bind(org_id).bind(learner).execute(&mut *tx).await?.rows_affected();
        let s = sqlx::query("DELETE FROM xapi_statements WHERE org_id = $1 AND learner = $2")
            .bind(org_id).bind(learner).execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        (e, s)
    });
    Ok(Erased { events, statements })
}

/// Deletes, for every organisation with a retention setting, the events
/// that happened (and xAPI statements stored) before its cut-off. Returns
/// the number of events deleted.
pub async fn purge_expired(db: &Db, now: DateTime<Utc>) -> Result<u64, AppError> {
    let orgs: Vec<(i64, i64)> = on_db!(db, p => sqlx::query_as(
        "SELECT id, retention_months FROM organisations WHERE retention_months IS NOT NULL")
        .fetch_all(p).await)?;
    let mut total = 0;
    for (org_id, months) in orgs {
        let cutoff = cutoff_ms(now, months);
        let n = on_db!(db, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query("DELETE FROM events WHERE org_id = $1 AND occurred_at < $2")
                .bind(org_id).bind(cutoff).execute(&mut *tx).await?.rows_affected();
            sqlx::query("DELETE FROM xapi_statements WHERE org_id = $1 AND stored_at < $2")
                .bind(org_id).bind(cutoff).execute(&mut *tx).await?;
            tx.commit().await?;
            n
        });
        total += n;
    }
    Ok(total)
}
