//! Health, readiness, metrics, OpenAPI and JSON errors for unknown routes.

use axum::http::{header, Method, StatusCode};

use crate::common::*;
use crate::dual;

dual!(ops_endpoints, unknown_routes_are_json);

async fn ops_endpoints(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    ctx.import_catalogue().await;
    let org = ctx.create_org("torfaen").await;
    ctx.post("/api/v1/events", &org.ingest, event("u", "completed"))
        .await;
    let r = ctx.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = ctx.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json["database"],
        match b {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    );
    let r = ctx.call(Method::GET, "/metrics", None, None).await;
    assert!(r.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap_or("")
        .starts_with("text/plain"));
    assert!(
        r.text
            .contains("pecyn_events_total{outcome=\"accepted\"} 1"),
        "{}",
        r.text
    );
    assert!(r.text.contains("# TYPE pecyn_writer_batches_total counter"));
    let r = ctx.call(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(r.json["openapi"], "3.1.0");
    assert!(r.json["paths"]["/api/v1/events"]["post"].is_object());
}

async fn unknown_routes_are_json(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    let r = ctx.call(Method::GET, "/nope", None, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json["error"]["code"], "not_found");
    let r = ctx.call(Method::DELETE, "/api/v1/events", None, None).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.json["error"]["code"], "method_not_allowed");
    let r = ctx
        .call(
            Method::GET,
            "/api/v1/events?limit=abc",
            Some(ADMIN_TOKEN),
            None,
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "platform key has no organisation"
    );
}
