//! The router: every route, and the layers every request passes through
//! (limits, CORS for ingest, tracing, JSON errors, metrics, load shedding).

use std::sync::atomic::Ordering;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put, MethodRouter};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

use crate::error::AppError;
use crate::http::admin;
use crate::http::error::error_body;
use crate::http::events;
use crate::http::imports;
use crate::http::openapi;
use crate::http::ops;
use crate::http::org;
use crate::http::reports;
use crate::http::state::{
    AppState, CATALOGUE_BODY_LIMIT, EVENTS_BODY_LIMIT, IMPORT_BODY_LIMIT, SMALL_BODY_LIMIT,
    XAPI_BODY_LIMIT,
};
use crate::http::xapi;

/// The router over `state`. Every route here must carry a
/// `#[utoipa::path]` annotation and be listed in
/// [`crate::http::openapi::ApiDoc`]: `tests/openapi.rs` fails otherwise.
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
                .get(org::list_events),
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
        .route("/api/v1/erasure", post(org::erase))
        .route("/api/v1/org", get(org::get_org))
        .route(
            "/api/v1/org/retention",
            axum::routing::put(org::set_retention),
        )
        .route("/api/v1/reports/summary", get(org::summary))
        .route("/api/v1/reports/uptake", get(reports::uptake_json_or_csv))
        .route("/api/v1/reports/uptake.csv", get(reports::uptake_csv))
        .route("/api/v1/reports/funding", get(reports::funding_json_or_csv))
        .route("/api/v1/reports/funding.csv", get(reports::funding_csv))
        .route(
            "/api/v1/org/headcount",
            get(reports::get_headcount).put(reports::put_own_headcount),
        )
        .route(
            "/api/v1/org/public-listing",
            put(reports::put_public_listing),
        )
        .route(
            "/api/v1/organisations/{code}/headcount",
            put(reports::put_org_headcount),
        )
        .route(
            "/api/v1/organisations/{code}/funding",
            put(reports::put_funding),
        )
        .route("/api/v1/funding/campaign", put(reports::put_campaign))
        .route("/api/v1/public/organisations", get(reports::public_orgs))
        .route(
            "/api/v1/organisations",
            post(admin::create_org).get(admin::list_orgs),
        )
        .route(
            "/api/v1/organisations/{code}",
            get(admin::get_org).patch(admin::patch_org),
        )
        .route(
            "/api/v1/organisations/{code}/keys",
            post(admin::issue_key).get(admin::list_keys),
        )
        .route("/api/v1/keys/{key_id}", delete(admin::revoke_key))
        .route(
            "/api/v1/catalogue",
            with_layer(
                post(admin::import_catalogue),
                DefaultBodyLimit::max(CATALOGUE_BODY_LIMIT),
            )
            .get(admin::list_catalogue),
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
        .layer(DefaultBodyLimit::max(SMALL_BODY_LIMIT));

    Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/openapi.json", get(openapi::openapi))
        .merge(api)
        // The dashboard: HTML pages for people, not part of the described API.
        .merge(crate::http::dashboard::router())
        .fallback(not_found)
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(RequestBodyLimitLayer::new(IMPORT_BODY_LIMIT + 1024))
        // Outside the body limit, so that its 413 is a JSON error too.
        .layer(middleware::from_fn_with_state(state.clone(), json_errors))
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
        // The dashboard's own error pages (a failed sign-in) stay HTML.
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/html"));
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
