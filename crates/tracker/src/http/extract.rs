//! Extractors: who is calling (the [`Principal`] extractor: Bearer token, or
//! Basic auth for xAPI clients, with the per-key rate limit applied on
//! success), bounded bodies ([`LimitedBody`]) and JSON parsing.

use std::sync::atomic::Ordering;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::StatusCode;
use base64::Engine as _;
use subtle::ConstantTimeEq;

use crate::error::AppError;
use crate::http::keycache::CachedKey;
pub use crate::http::keycache::OrgAuth;
use crate::http::state::AppState;
use crate::keys::{parse_token, verify_secret, PseudonymKey, Role};
use crate::store;

/// A request body read within the route's limit; over-long bodies become
/// a JSON 413, broken ones a JSON 400.
pub struct LimitedBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for LimitedBody {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match Bytes::from_request(req, state).await {
            Ok(b) => Ok(LimitedBody(b)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(AppError::PayloadTooLarge),
            Err(e) => Err(AppError::bad("bad_body", e.body_text())),
        }
    }
}

/// 415 unless the request says its body is JSON (`application/json`, any
/// parameters).
pub fn require_json(headers: &axum::http::HeaderMap) -> Result<(), AppError> {
    let ct = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = ct.split(';').next().unwrap_or("").trim();
    if essence.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else {
        Err(AppError::UnsupportedMediaType(
            "send the body as application/json",
        ))
    }
}

/// Parses a JSON body into `T`, mapping every failure to a 400.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    serde_json::from_slice(body).map_err(|e| AppError::bad("invalid_json", e.to_string()))
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
    let row = store::keys::find_live(&state.db, key_id)
        .await?
        .ok_or(AppError::Unauthorized)?;
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
