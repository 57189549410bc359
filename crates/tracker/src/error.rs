//! The service's typed error, shared by every layer (a leaf: it knows no
//! HTTP). How each variant becomes a response (status, JSON body, headers)
//! is `crate::http::error`.

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

    /// Whether this is a transient failure a client should retry (the
    /// database pool had no free connection in time).
    ///
    /// Also a write that waited the whole busy timeout for SQLite's write
    /// lock (`SQLITE_BUSY`/`SQLITE_LOCKED`, e.g. beside a large import), and
    /// PostgreSQL's serialization failures, deadlocks and lock timeouts:
    /// the request changed nothing and may be retried, so it is a 503 with
    /// `Retry-After`, never a 500.
    pub fn is_transient_db(&self) -> bool {
        match self {
            AppError::Database(sqlx::Error::PoolTimedOut) => true,
            AppError::Database(sqlx::Error::Database(d)) => {
                let code = d.code();
                let code = code.as_deref().unwrap_or("");
                // SQLite primary codes 5 (BUSY) and 6 (LOCKED), with their
                // extended forms (code & 0xff).
                let sqlite_busy = code.parse::<i64>().is_ok_and(|c| matches!(c & 0xff, 5 | 6));
                let pg_retry = matches!(code, "40001" | "40P01" | "55P03");
                sqlite_busy || pg_retry || d.message().contains("database is locked")
            }
            _ => false,
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
            e if e.is_transient_db() => "unavailable",
            AppError::Database(_) | AppError::Internal(_) => "internal",
        }
    }
}
