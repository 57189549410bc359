//! The `xapi_statements` table: statements stored (pseudonymised) together
//! with the completion events they map to, all-or-nothing per request.

use serde_json::Value;

use crate::domain::event::NewEvent;
use crate::domain::xapi::comparable;
use crate::error::AppError;
use crate::on_db;
use crate::store::{now_ms, Db};

/// A validated, pseudonymised statement ready to store.
#[derive(Debug)]
pub struct PreparedStatement {
    /// Statement id (lower-case UUID).
    pub id: String,
    /// The actor's pseudonym (`group` for a Group actor).
    pub learner: String,
    /// The statement as stored.
    pub stored: Value,
    /// The completion event it maps to, if any.
    pub event: Option<NewEvent>,
}

/// What storing a batch did.
#[derive(Debug, PartialEq, Eq)]
pub enum StoreOutcome {
    /// Every statement is stored (new, or already stored identically).
    Stored,
    /// This statement id exists with different content; nothing was stored.
    Conflict(String),
}

/// Stores a batch of statements and their events in one transaction.
pub async fn store_all(
    db: &Db,
    org_id: i64,
    items: &[PreparedStatement],
) -> Result<StoreOutcome, AppError> {
    let now = now_ms();
    let mut sorted: Vec<&PreparedStatement> = items.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    let outcome = on_db!(db, pool => {
        let mut tx = pool.begin().await?;
        let mut conflict = None;
        for p in &sorted {
            let text = serde_json::to_string(&p.stored).unwrap_or_default();
            let n = sqlx::query(
                "INSERT INTO xapi_statements (org_id, statement_id, learner, statement, stored_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id, statement_id) DO NOTHING")
                .bind(org_id).bind(&p.id).bind(&p.learner).bind(&text).bind(now)
                .execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                let (existing,): (String,) = sqlx::query_as(
                    "SELECT statement FROM xapi_statements WHERE org_id = $1 AND statement_id = $2")
                    .bind(org_id).bind(&p.id).fetch_one(&mut *tx).await?;
                let existing: Value = serde_json::from_str(&existing).unwrap_or(Value::Null);
                if comparable(&existing) != comparable(&p.stored) {
                    conflict = Some(p.id.clone());
                    break;
                }
                continue;
            }
            if let Some(e) = &p.event {
                sqlx::query(
                    "INSERT INTO events (org_id, event_id, learner, package_id, package_version, edition, \
                     verb, score, duration_s, occurred_at, received_at, source) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                     ON CONFLICT (org_id, event_id) DO NOTHING")
                    .bind(e.org_id).bind(&e.event_id).bind(&e.learner).bind(&e.package_id)
                    .bind(&e.package_version).bind(&e.edition).bind(e.verb).bind(e.score)
                    .bind(e.duration_s).bind(e.occurred_at).bind(e.received_at).bind(e.source)
                    .execute(&mut *tx).await?;
            }
        }
        match conflict {
            Some(id) => {
                tx.rollback().await?;
                StoreOutcome::Conflict(id)
            }
            None => {
                tx.commit().await?;
                StoreOutcome::Stored
            }
        }
    });
    Ok(outcome)
}

/// One stored statement (its JSON text and when it was stored, Unix ms).
pub async fn find(
    db: &Db,
    org_id: i64,
    statement_id: &str,
) -> Result<Option<(String, i64)>, AppError> {
    Ok(on_db!(db, p => sqlx::query_as(
        "SELECT statement, stored_at FROM xapi_statements WHERE org_id = $1 AND statement_id = $2")
        .bind(org_id).bind(statement_id).fetch_optional(p).await)?)
}
