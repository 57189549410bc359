//! Erasure of one learner and the retention sweep.

use chrono::{DateTime, Months, Utc};
use serde::Serialize;

use crate::db::Db;
use crate::error::AppError;
use crate::on_db;

/// What an erasure deleted.
#[derive(Debug, Serialize, PartialEq, Eq)]
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

/// The cut-off for a retention of `months` at `now` (Unix ms): events that
/// happened before it are deleted.
pub fn cutoff_ms(now: DateTime<Utc>, months: i64) -> i64 {
    let months = u32::try_from(months.clamp(0, 1200)).unwrap_or(0);
    now.checked_sub_months(Months::new(months))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
        .timestamp_millis()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutoff_is_calendar_months() {
        let now = DateTime::parse_from_rfc3339("2026-03-31T12:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        let c = cutoff_ms(now, 1);
        let expect = DateTime::parse_from_rfc3339("2026-02-28T12:00:00Z")
            .map(|t| t.timestamp_millis())
            .unwrap_or_default();
        assert_eq!(c, expect);
    }
}
