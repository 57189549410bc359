//! The application: shared state, the router, and the layers every request
//! passes through (limits, CORS for ingest, tracing, JSON errors, metrics).

use std::ops::Deref;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, MethodRouter};
use axum::Router;
use tokio::task::JoinHandle;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

use crate::catalogue::CatalogueIndex;
use crate::db::Db;
use crate::error::{error_body, AppError};
use crate::metrics::Metrics;
use crate::ratelimit::RateLimiter;
use crate::writer::Writer;
use crate::{admin_api, events, imports, ops, org_api, xapi};

/// Body limit for `POST /api/v1/events` (a batch of 1,000 events fits).
pub const EVENTS_BODY_LIMIT: usize = 2 * 1024 * 1024;
/// Body limit for CSV imports.
pub const IMPORT_BODY_LIMIT: usize = 16 * 1024 * 1024;
/// Body limit for xAPI statements.
pub const XAPI_BODY_LIMIT: usize = 2 * 1024 * 1024;
/// Body limit for the catalogue import.
pub const CATALOGUE_BODY_LIMIT: usize = 8 * 1024 * 1024;
/// Body limit for everything else.
pub const SMALL_BODY_LIMIT: usize = 64 * 1024;

/// Settings of a running service.
#[derive(Clone, Debug)]
pub struct AppConfig {
    /// Platform admin token accepted from the environment (at least 32
    /// characters), if any.
    pub admin_token: Option<String>,
    /// Requests per second per key (0 disables the limit).
    pub rate_per_second: u32,
    /// Burst size per key.
    pub rate_burst: u32,
    /// Events that may wait for the writer before ingest answers 503.
    pub queue_events: usize,
    /// How long a key lookup is reused (0: look up on every request).
    pub key_cache_ttl: std::time::Duration,
    /// Requests handled at once before new ones are refused with 503.
    pub max_in_flight: usize,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            admin_token: None,
            rate_per_second: 200,
            rate_burst: 1_000,
            queue_events: 50_000,
            key_cache_ttl: std::time::Duration::from_secs(1),
            max_in_flight: 4_096,
        }
    }
}

/// Shared state; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Inner>);

/// What [`AppState`] holds.
#[derive(Debug)]
pub struct Inner {
    /// The database.
    pub db: Db,
    /// The group-commit writer.
    pub writer: Writer,
    /// Known packages.
    pub catalogue: CatalogueIndex,
    /// Per-key rate limits.
    pub limiter: RateLimiter,
    /// Counters.
    pub metrics: Arc<Metrics>,
    /// SHA-256 of the environment's platform token.
    pub admin_token_hash: Option<String>,
    /// When the process started.
    pub started: Instant,
    /// Key lookups.
    pub key_cache: crate::auth::KeyCache,
    /// Requests in flight (load shedding).
    pub in_flight: Arc<tokio::sync::Semaphore>,
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Builds the state and starts the writer task (needs a Tokio runtime).
    /// Await the handle after dropping every clone of the state to be sure
    /// the writer has finished.
    pub fn new(db: Db, config: &AppConfig) -> (AppState, JoinHandle<()>) {
        let metrics = Arc::new(Metrics::default());
        let (writer, handle) = Writer::spawn(db.clone(), metrics.clone(), config.queue_events);
        let state = AppState(Arc::new(Inner {
            db,
            writer,
            catalogue: CatalogueIndex::new(),
            limiter: RateLimiter::new(config.rate_per_second, config.rate_burst),
            metrics,
            admin_token_hash: config.admin_token.as_deref().map(crate::keys::hash_secret),
            started: Instant::now(),
            key_cache: crate::auth::KeyCache::new(config.key_cache_ttl),
            in_flight: Arc::new(tokio::sync::Semaphore::new(config.max_in_flight.max(1))),
        }));
        (state, handle)
    }
}

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

/// Parses a JSON body into `T`, mapping every failure to a 400.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    serde_json::from_slice(body).map_err(|e| AppError::bad("invalid_json", e.to_string()))
}

/// Every route outside `http::reports` (which has its own list), as
/// (method, path), for the OpenAPI test.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
    ("get", "/openapi.json"),
    ("post", "/api/v1/events"),
    ("get", "/api/v1/events"),
    ("post", "/api/v1/imports"),
    ("get", "/api/v1/imports"),
    ("post", "/api/v1/erasure"),
    ("get", "/api/v1/org"),
    ("put", "/api/v1/org/retention"),
    ("get", "/api/v1/reports/summary"),
    ("post", "/api/v1/organisations"),
    ("get", "/api/v1/organisations"),
    ("get", "/api/v1/organisations/{code}"),
    ("patch", "/api/v1/organisations/{code}"),
    ("post", "/api/v1/organisations/{code}/keys"),
    ("get", "/api/v1/organisations/{code}/keys"),
    ("delete", "/api/v1/keys/{key_id}"),
    ("post", "/api/v1/catalogue"),
    ("get", "/api/v1/catalogue"),
    ("get", "/xapi/about"),
    ("post", "/xapi/statements"),
    ("put", "/xapi/statements"),
    ("get", "/xapi/statements"),
];

/// The router over `state`.
pub fn app(state: AppState) -> Router {
    let ingest_cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::POST, Method::OPTIONS])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .max_age(std::time::Duration::from_secs(86_400));

    let api = Router::new()
        .route(
            "/api/v1/events",
            // CORS on this path only, and it allows only POST: a preflight
            // for the org admin's GET is refused.
            with_layer(
                with_layer(
                    post(events::post_events),
                    DefaultBodyLimit::max(EVENTS_BODY_LIMIT),
                )
                .get(org_api::list_events),
                ingest_cors,
            ),
        )
        .route(
            "/api/v1/imports",
            with_layer(
                post(imports::post_import),
                DefaultBodyLimit::max(IMPORT_BODY_LIMIT),
            )
            .get(imports::list_imports),
        )
        .route("/api/v1/erasure", post(org_api::erase))
        .route("/api/v1/org", get(org_api::get_org))
        .route(
            "/api/v1/org/retention",
            axum::routing::put(org_api::set_retention),
        )
        .route("/api/v1/reports/summary", get(org_api::summary))
        .route(
            "/api/v1/organisations",
            post(admin_api::create_org).get(admin_api::list_orgs),
        )
        .route(
            "/api/v1/organisations/{code}",
            get(admin_api::get_org).patch(admin_api::patch_org),
        )
        .route(
            "/api/v1/organisations/{code}/keys",
            post(admin_api::issue_key).get(admin_api::list_keys),
        )
        .route("/api/v1/keys/{key_id}", delete(admin_api::revoke_key))
        .route(
            "/api/v1/catalogue",
            with_layer(
                post(admin_api::import_catalogue),
                DefaultBodyLimit::max(CATALOGUE_BODY_LIMIT),
            )
            .get(admin_api::list_catalogue),
        )
        .route(
            "/xapi/about",
            with_layer(
                get(xapi::about),
                middleware::map_response(xapi::add_version_header),
            ),
        )
        .route(
            "/xapi/statements",
            with_layer(
                with_layer(
                    post(xapi::post_statements)
                        .put(xapi::put_statement)
                        .get(xapi::get_statement),
                    DefaultBodyLimit::max(XAPI_BODY_LIMIT),
                ),
                middleware::map_response(xapi::add_version_header),
            ),
        )
        .merge(crate::http::reports::router())
        .layer(DefaultBodyLimit::max(SMALL_BODY_LIMIT));

    Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/openapi.json", get(ops::openapi))
        .merge(api)
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), json_errors))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(RequestBodyLimitLayer::new(IMPORT_BODY_LIMIT + 1024))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<Body>| {
                    // Method and path only: no query string, no headers.
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
                })
                .on_request(())
                .on_response(
                    tower_http::trace::DefaultOnResponse::new()
                        .level(tracing::Level::INFO)
                        .latency_unit(tower_http::LatencyUnit::Micros),
                ),
        )
        .with_state(state)
}

/// Applies a layer to a method router (pins the error type for inference).
fn with_layer<L>(mr: MethodRouter<AppState>, layer: L) -> MethodRouter<AppState>
where
    L: tower::Layer<axum::routing::Route> + Clone + Send + Sync + 'static,
    L::Service:
        tower::Service<Request, Error = std::convert::Infallible> + Clone + Send + Sync + 'static,
    <L::Service as tower::Service<Request>>::Response: IntoResponse + 'static,
    <L::Service as tower::Service<Request>>::Future: Send + 'static,
{
    mr.layer(layer)
}

async fn not_found() -> AppError {
    AppError::NotFound("route")
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        axum::Json(error_body("internal", "internal error")),
    )
        .into_response()
}

/// Counts responses, and turns any error response that is not already JSON
/// (from a layer or the framework) into the standard JSON error.
async fn json_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // Load shedding: beyond the in-flight cap, answer 503 at once rather than
    // queueing requests (and their memory) without bound.
    let resp = match state.in_flight.clone().try_acquire_owned() {
        Ok(_permit) => next.run(req).await,
        Err(_) => {
            state.metrics.ingest_busy.fetch_add(1, Ordering::Relaxed);
            AppError::Unavailable("server busy").into_response()
        }
    };
    let status = resp.status();
    let m = &state.metrics;
    match status.as_u16() {
        200..=399 => m.http_2xx.fetch_add(1, Ordering::Relaxed),
        400..=499 => m.http_4xx.fetch_add(1, Ordering::Relaxed),
        _ => m.http_5xx.fetch_add(1, Ordering::Relaxed),
    };
    if !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return resp;
    }
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::NOT_FOUND => "not_found",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    };
    let message = status.canonical_reason().unwrap_or("error");
    let (mut parts, _) = resp.into_parts();
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    let body = serde_json::to_vec(&error_body(code, message)).unwrap_or_default();
    Response::from_parts(parts, Body::from(body))
}
