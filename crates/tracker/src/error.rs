//! The service error: every failure becomes `{"error": {"code", "message"}}`
//! with a fitting status. Database and internal errors are logged and hidden.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// A request that could not be served.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Malformed or invalid input (400).
    #[error("{message}")]
    BadRequest {
        /// Stable machine-readable code.
        code: &'static str,
        /// Human-readable reason.
        message: String,
    },
    /// No or bad credentials (401).
    #[error("missing or invalid credentials")]
    Unauthorized,
    /// Valid credentials without the right role or organisation (403).
    #[error("{0}")]
    Forbidden(&'static str),
    /// No such thing (404), or not visible to this key.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Conflicts with what is stored (409).
    #[error("{message}")]
    Conflict {
        /// Stable machine-readable code.
        code: &'static str,
        /// Human-readable reason.
        message: String,
    },
    /// Body larger than the endpoint allows (413).
    #[error("request body too large for this endpoint")]
    PayloadTooLarge,
    /// Wrong content type (415).
    #[error("{0}")]
    UnsupportedMediaType(&'static str),
    /// Per-key rate limit (429).
    #[error("rate limit exceeded for this key")]
    RateLimited {
        /// Seconds until a request would be admitted.
        retry_after: u64,
    },
    /// The ingest queue is full or the database is briefly unavailable (503).
    #[error("{0}; retry shortly")]
    Unavailable(&'static str),
    /// A database failure (500, logged, details hidden).
    #[error("database error")]
    Database(#[from] sqlx::Error),
    /// Anything else unexpected (500, logged, details hidden).
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    /// Shorthand for a 400.
    pub fn bad(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::BadRequest {
            code,
            message: message.into(),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Database(sqlx::Error::PoolTimedOut) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Database(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest { code, .. } | AppError::Conflict { code, .. } => code,
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::UnsupportedMediaType(_) => "unsupported_media_type",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Unavailable(_) => "unavailable",
            AppError::Database(sqlx::Error::PoolTimedOut) => "unavailable",
            AppError::Database(_) | AppError::Internal(_) => "internal",
        }
    }
}

/// The JSON error body used everywhere.
pub fn error_body(code: &str, message: &str) -> serde_json::Value {
    json!({"error": {"code": code, "message": message}})
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            AppError::Database(e) => tracing::error!(error = %e, "database error"),
            AppError::Internal(e) => tracing::error!(error = %e, "internal error"),
            _ => {}
        }
        let status = self.status();
        let mut resp = (
            status,
            axum::Json(error_body(self.code(), &self.to_string())),
        )
            .into_response();
        let retry = match &self {
            AppError::RateLimited { retry_after } => Some(*retry_after),
            AppError::Unavailable(_) => Some(1),
            AppError::Database(sqlx::Error::PoolTimedOut) => Some(1),
            _ => None,
        };
        if let Some(secs) = retry {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if matches!(self, AppError::Unauthorized) {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"pecyn-tracker\""),
            );
        }
        resp
    }
}
