//! Who is calling: the [`Principal`] extractor (Bearer token, or Basic auth
//! for xAPI clients), with the per-key rate limit applied on success.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use base64::Engine as _;
use subtle::ConstantTimeEq;

use crate::app::AppState;
use crate::error::AppError;
use crate::keys::{parse_token, verify_secret, PseudonymKey, Role};
use crate::on_db;

/// The organisation a key belongs to.
#[derive(Clone, Debug)]
pub struct OrgAuth {
    /// Internal id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Learner-id pseudonymisation key.
    pub key: PseudonymKey,
}

/// An authenticated caller.
#[derive(Clone, Debug)]
pub struct Principal {
    /// Public key id (`env` for the environment's platform token).
    pub key_id: String,
    /// Role.
    pub role: Role,
    /// Organisation (none for platform keys).
    pub org: Option<OrgAuth>,
}

impl Principal {
    /// The caller's organisation if its role is one of `roles`; 403 otherwise.
    pub fn org_with(&self, roles: &[Role]) -> Result<&OrgAuth, AppError> {
        if !roles.contains(&self.role) {
            return Err(AppError::Forbidden("this key's role may not do this"));
        }
        self.org
            .as_ref()
            .ok_or(AppError::Forbidden("this key belongs to no organisation"))
    }

    /// 403 unless this is a platform key.
    pub fn require_platform(&self) -> Result<(), AppError> {
        if self.role == Role::Platform {
            Ok(())
        } else {
            Err(AppError::Forbidden("only a platform admin key may do this"))
        }
    }
}

/// A short-lived cache of key lookups, so that ingest does not read the
/// database on every request. Revocation and suspension through this
/// process's API evict at once; changes made elsewhere (another instance,
/// the `admin` command) are seen within the TTL. A TTL of zero disables it.
#[derive(Debug)]
pub struct KeyCache {
    ttl: Duration,
    map: Mutex<HashMap<String, (Instant, CachedKey)>>,
}

#[derive(Clone, Debug)]
struct CachedKey {
    role: Role,
    secret_hash: String,
    org: Option<OrgAuth>,
}

impl KeyCache {
    /// A cache keeping lookups for `ttl`.
    pub fn new(ttl: Duration) -> KeyCache {
        KeyCache {
            ttl,
            map: Mutex::new(HashMap::new()),
        }
    }

    fn get(&self, key_id: &str) -> Option<CachedKey> {
        if self.ttl.is_zero() {
            return None;
        }
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key_id)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, k)| k.clone())
    }

    fn put(&self, key_id: &str, k: CachedKey) {
        if self.ttl.is_zero() {
            return;
        }
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= 10_000 {
            let ttl = self.ttl;
            map.retain(|_, (at, _)| at.elapsed() < ttl);
            if map.len() >= 10_000 {
                map.clear();
            }
        }
        map.insert(key_id.to_owned(), (Instant::now(), k));
    }

    /// Forgets one key (after revocation).
    pub fn evict(&self, key_id: &str) {
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key_id);
    }

    /// Forgets every key (after an organisation's status changes).
    pub fn clear(&self) {
        self.map.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

#[derive(sqlx::FromRow)]
struct KeyRow {
    role: String,
    secret_hash: String,
    org_id: Option<i64>,
    code: Option<String>,
    pseudonym_secret: Option<String>,
    status: Option<String>,
}

/// Credentials as presented.
enum Presented {
    Token { key_id: String, secret: String },
    Other(String),
}

fn presented(parts: &Parts) -> Result<Presented, AppError> {
    let value = parts
        .headers
        .get(AUTHORIZATION)
        .ok_or(AppError::Unauthorized)?
        .to_str()
        .map_err(|_| AppError::Unauthorized)?;
    let (scheme, rest) = value.split_once(' ').ok_or(AppError::Unauthorized)?;
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return Ok(match parse_token(rest) {
            Some((id, secret)) => Presented::Token {
                key_id: id.to_owned(),
                secret: secret.to_owned(),
            },
            None => Presented::Other(rest.to_owned()),
        });
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(rest)
            .map_err(|_| AppError::Unauthorized)?;
        let raw = String::from_utf8(raw).map_err(|_| AppError::Unauthorized)?;
        let (user, pass) = raw.split_once(':').ok_or(AppError::Unauthorized)?;
        if let Some((id, secret)) = parse_token(pass) {
            return Ok(Presented::Token {
                key_id: id.to_owned(),
                secret: secret.to_owned(),
            });
        }
        let token = format!("pct_{user}_{pass}");
        return Ok(match parse_token(&token) {
            Some((id, secret)) => Presented::Token {
                key_id: id.to_owned(),
                secret: secret.to_owned(),
            },
            None => Presented::Other(pass.to_owned()),
        });
    }
    Err(AppError::Unauthorized)
}

/// Looks up and checks credentials (no rate limit).
pub async fn authenticate(state: &AppState, parts: &Parts) -> Result<Principal, AppError> {
    match presented(parts)? {
        Presented::Other(token) => {
            let Some(admin_hash) = &state.admin_token_hash else {
                return Err(AppError::Unauthorized);
            };
            let h = crate::keys::hash_secret(&token);
            if bool::from(h.as_bytes().ct_eq(admin_hash.as_bytes())) {
                Ok(Principal {
                    key_id: "env".into(),
                    role: Role::Platform,
                    org: None,
                })
            } else {
                Err(AppError::Unauthorized)
            }
        }
        Presented::Token { key_id, secret } => {
            let cached = match state.key_cache.get(&key_id) {
                Some(c) => c,
                None => {
                    let c = lookup(state, &key_id).await?;
                    state.key_cache.put(&key_id, c.clone());
                    c
                }
            };
            if !verify_secret(&secret, &cached.secret_hash) {
                return Err(AppError::Unauthorized);
            }
            Ok(Principal {
                key_id,
                role: cached.role,
                org: cached.org,
            })
        }
    }
}

async fn lookup(state: &AppState, key_id: &str) -> Result<CachedKey, AppError> {
    let row = on_db!(&state.db, p => sqlx::query_as::<_, KeyRow>(
        "SELECT k.role, k.secret_hash, k.org_id, o.code, o.pseudonym_secret, o.status \
         FROM api_keys k LEFT JOIN organisations o ON o.id = k.org_id \
         WHERE k.id = $1 AND k.revoked_at IS NULL")
        .bind(key_id)
        .fetch_optional(p)
        .await)?;
    let row = row.ok_or(AppError::Unauthorized)?;
    let role = Role::parse(&row.role).ok_or(AppError::Unauthorized)?;
    let org = match (row.org_id, row.code, row.pseudonym_secret, row.status) {
        (Some(id), Some(code), Some(secret), Some(status)) => {
            if status != "active" {
                return Err(AppError::Forbidden("this organisation is suspended"));
            }
            Some(OrgAuth {
                id,
                code,
                key: PseudonymKey::from_hex(&secret),
            })
        }
        _ => None,
    };
    if role != Role::Platform && org.is_none() {
        return Err(AppError::Unauthorized);
    }
    Ok(CachedKey {
        role,
        secret_hash: row.secret_hash,
        org,
    })
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let p = authenticate(state, parts).await?;
        if let Err(retry_after) = state.limiter.check(&p.key_id) {
            state.metrics.rate_limited.fetch_add(1, Ordering::Relaxed);
            return Err(AppError::RateLimited { retry_after });
        }
        Ok(p)
    }
}
