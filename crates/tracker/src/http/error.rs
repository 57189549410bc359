//! The error → response mapping: every failure becomes
//! `{"error": {"code", "message"}}` with a fitting status. Database and
//! internal errors are logged and hidden.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::AppError;

/// The HTTP status of an error.
pub fn status(e: &AppError) -> StatusCode {
    match e {
        AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
        AppError::Unauthorized => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Conflict { .. } => StatusCode::CONFLICT,
        AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        e if e.is_transient_db() => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Database(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The JSON error body used everywhere: `{"error": {"code", "message"}}`
/// (some 400s add details beside `error`: `rejected` events, bad `rows`).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// The inside of [`ErrorBody`].
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `invalid_learner`.
    pub code: String,
    /// Human-readable reason.
    pub message: String,
}

/// The JSON error body used everywhere, as a value (so that handlers can
/// add details beside `error`).
pub fn error_body(code: &str, message: &str) -> serde_json::Value {
    json!(ErrorBody {
        error: ErrorDetail {
            code: code.to_owned(),
            message: message.to_owned(),
        },
    })
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            AppError::Database(e) => tracing::error!(error = %e, "database error"),
            AppError::Internal(e) => tracing::error!(error = %e, "internal error"),
            _ => {}
        }
        let status = status(&self);
        let mut resp = (
            status,
            axum::Json(error_body(self.code(), &self.to_string())),
        )
            .into_response();
        let retry = match &self {
            AppError::RateLimited { retry_after } => Some(*retry_after),
            AppError::Unavailable(_) => Some(1),
            e if e.is_transient_db() => Some(1),
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

/// The error answers every authenticated endpoint may give.
#[derive(utoipa::IntoResponses)]
pub enum ErrorResponses {
    /// Malformed or invalid input; nothing was stored.
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// No or bad credentials.
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// The key's role or organisation may not do this.
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// No such thing, or not visible to this key.
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// The body is larger than the endpoint allows.
    #[response(status = 413)]
    PayloadTooLarge(ErrorBody),
    /// Too many requests for this key; see `Retry-After`.
    #[response(status = 429)]
    RateLimited(ErrorBody),
    /// Briefly unable to take the request (queue full, shutting down,
    /// database busy); see `Retry-After`.
    #[response(status = 503)]
    Unavailable(ErrorBody),
}
