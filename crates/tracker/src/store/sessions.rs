//! Dashboard sessions: a key exchanged for a cookie. Only the SHA-256 of
//! the cookie value is stored; a session ends at its expiry, at sign-out,
//! or as soon as its key is revoked or its organisation suspended.

use crate::error::AppError;
use crate::keys::hash_secret;
use crate::on_db;
use crate::store::{now_ms, Db};

/// A live session.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Session {
    /// The key it was made from.
    pub key_id: String,
    /// The key's role.
    pub role: String,
    /// The key's organisation, if any.
    pub org_id: Option<i64>,
    /// The token forms must carry.
    pub csrf: String,
    /// Expiry (Unix ms).
    pub expires_at: i64,
}

/// Stores a session for the cookie value `id`.
pub async fn create(db: &Db, id: &str, s: &Session) -> Result<(), AppError> {
    let now = now_ms();
    on_db!(db, p => sqlx::query(
        "INSERT INTO dashboard_sessions (id_hash, key_id, role, org_id, csrf, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(hash_secret(id)).bind(&s.key_id).bind(&s.role).bind(s.org_id).bind(&s.csrf)
        .bind(now).bind(s.expires_at).execute(p).await.map(|_| ()))?;
    // Expired sessions are swept whenever a new one starts.
    on_db!(db, p => sqlx::query("DELETE FROM dashboard_sessions WHERE expires_at < $1")
        .bind(now).execute(p).await.map(|_| ()))?;
    Ok(())
}

/// The live session for the cookie value `id`: not expired, its key not
/// revoked (the environment's platform token, `env`, has no key row), its
/// organisation active.
pub async fn find(db: &Db, id: &str) -> Result<Option<Session>, AppError> {
    Ok(on_db!(db, p => sqlx::query_as::<_, Session>(
        "SELECT s.key_id, s.role, s.org_id, s.csrf, s.expires_at FROM dashboard_sessions s \
         LEFT JOIN api_keys k ON k.id = s.key_id \
         LEFT JOIN organisations o ON o.id = s.org_id \
         WHERE s.id_hash = $1 AND s.expires_at > $2 \
         AND (s.key_id = 'env' OR (k.id IS NOT NULL AND k.revoked_at IS NULL)) \
         AND (s.org_id IS NULL OR o.status = 'active')")
        .bind(hash_secret(id)).bind(now_ms()).fetch_optional(p).await)?)
}

/// Ends the session for the cookie value `id`.
pub async fn delete(db: &Db, id: &str) -> Result<(), AppError> {
    on_db!(db, p => sqlx::query("DELETE FROM dashboard_sessions WHERE id_hash = $1")
        .bind(hash_secret(id)).execute(p).await.map(|_| ()))?;
    Ok(())
}
