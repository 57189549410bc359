//! Regression tests of the tracker's hardening (the adversarial review's
//! findings): one timestamp rule on every ingest path, content types, the
//! retention body, JSON for every 413, and no 500 under write contention.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use base64::Engine as _;
use serde_json::{json, Value};

use crate::common::*;
use crate::dual;

dual!(
    planted_far_future_and_ancient_times_are_refused_everywhere,
    events_must_be_sent_as_json,
    retention_needs_an_explicit_value,
    a_body_over_the_outer_limit_gets_a_json_413,
    write_contention_is_a_503_never_a_500
);

fn xapi_req(token: &str, method: Method, uri: &str, body: &Value) -> Request<Body> {
    let (id, secret) = pecyn_tracker::keys::parse_token(token).expect("token shape");
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Basic {basic}"))
        .header("X-Experience-API-Version", "1.0.3")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .expect("request")
}

fn statement(learner: &str, timestamp: &str) -> Value {
    json!({
        "actor": {"objectType": "Agent", "account": {"homePage": "https://lms.example", "name": learner}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-GB": "completed"}},
        "object": {"objectType": "Activity", "id": format!("https://pecyn.example/packages/{PKG_EN}")},
        "timestamp": timestamp
    })
}

fn csv_req(token: &str, csv: String) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri("/api/v1/imports?filename=t.csv")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(csv))
        .expect("request")
}

/// xAPI accepted `timestamp: 9999-12-31` (the event escaped retention
/// purges); every path accepted years 0000 and 1066. One rule now: no later
/// than five minutes past now, no earlier than 2000-01-01.
async fn planted_far_future_and_ancient_times_are_refused_everywhere(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    ctx.import_catalogue().await;
    let org = ctx.create_org("planted").await;
    for t in [
        "9999-12-31T00:00:00Z",
        "1066-10-14T09:00:00Z",
        "0000-01-01T00:00:00Z",
    ] {
        let r = ctx
            .send(xapi_req(
                &org.ingest,
                Method::POST,
                "/xapi/statements",
                &statement("x1", t),
            ))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "xAPI {t}: {}", r.text);
        let mut e = event("x2", "completed");
        e["timestamp"] = json!(t);
        let r = ctx.post("/api/v1/events", &org.ingest, e).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "events {t}: {}", r.text);
        assert_eq!(r.json["error"]["code"], "invalid_timestamp", "{}", r.text);
        let csv = format!("learner,package,verb,timestamp\nx3,{PKG_EN},completed,{t}\n");
        let r = ctx.send(csv_req(&org.admin, csv)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "csv {t}: {}", r.text);
    }
    assert_eq!(ctx.count_events("planted").await, 0, "nothing planted");
    // Ordinary times still pass on all three paths.
    let r = ctx
        .send(xapi_req(
            &org.ingest,
            Method::POST,
            "/xapi/statements",
            &statement("x1", "2026-05-01T10:00:00Z"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(ctx.count_events("planted").await, 1);
}

/// `POST /api/v1/events` accepted any Content-Type.
async fn events_must_be_sent_as_json(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    ctx.import_catalogue().await;
    let org = ctx.create_org("ctype").await;
    for ct in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let mut req = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/events")
            .header(header::AUTHORIZATION, format!("Bearer {}", org.ingest));
        if let Some(ct) = ct {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        let r = ctx
            .send(
                req.body(Body::from(event("c1", "started").to_string()))
                    .expect("request"),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{ct:?}: {}",
            r.text
        );
        assert_eq!(r.json["error"]["code"], "unsupported_media_type");
    }
    let r = ctx
        .send(
            Request::builder()
                .method(Method::POST)
                .uri("/api/v1/events")
                .header(header::AUTHORIZATION, format!("Bearer {}", org.ingest))
                .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
                .body(Body::from(event("c1", "started").to_string()))
                .expect("request"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(ctx.count_events("ctype").await, 1);
}

/// `PUT /api/v1/org/retention {}` silently cleared the policy.
async fn retention_needs_an_explicit_value(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    let org = ctx.create_org("keep").await;
    let put = |body: Value| {
        ctx.call(
            Method::PUT,
            "/api/v1/org/retention",
            Some(&org.admin),
            Some(body),
        )
    };
    let r = put(json!({"months": 24})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = put(json!({})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let r = ctx.get("/api/v1/org", &org.admin).await;
    assert_eq!(r.json["retention_months"], 24, "the 400 changed nothing");
    let r = put(json!({"months": null})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.json["retention_months"].is_null(), "{}", r.text);
}

/// A body over the outer limit got a plain-text 413 (`length limit exceeded`).
async fn a_body_over_the_outer_limit_gets_a_json_413(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    let org = ctx.create_org("toobig").await;
    let n = pecyn_tracker::http::state::IMPORT_BODY_LIMIT + 2048;
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/imports")
        .header(header::AUTHORIZATION, format!("Bearer {}", org.admin))
        .header(header::CONTENT_TYPE, "text/csv")
        .header(header::CONTENT_LENGTH, n)
        .body(Body::from(vec![b'a'; n]))
        .expect("request");
    let r = ctx.send(req).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text);
    assert_eq!(r.json["error"]["code"], "payload_too_large", "{}", r.text);
}

/// xAPI statements, CSV imports and erasure wrote outside the group-commit
/// writer and answered 500 (`database is locked`) beside large imports (23
/// in 2,040 requests on SQLite). Now a write that cannot get the lock within
/// the busy timeout is a 503 with Retry-After and changes nothing. On SQLite
/// another connection holds the write lock; on PostgreSQL the same writes
/// run concurrently with an import and none may fail.
async fn write_contention_is_a_503_never_a_500(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    ctx.import_catalogue().await;
    let org = ctx.create_org("contend").await;
    let rows: String = (0..2000)
        .map(|i| format!("l{i},{PKG_EN},completed,2026-05-01T10:00:00Z\n"))
        .collect();
    let csv = format!("learner,package,verb,timestamp\n{rows}");
    match ctx.db() {
        pecyn_tracker::Db::Sqlite(p) => {
            let mut c = p.acquire().await.expect("conn");
            sqlx::query("BEGIN IMMEDIATE")
                .execute(&mut *c)
                .await
                .expect("lock");
            let reqs = vec![
                xapi_req(
                    &org.ingest,
                    Method::POST,
                    "/xapi/statements",
                    &statement("s1", "2026-05-01T10:00:00Z"),
                ),
                csv_req(&org.admin, csv.clone()),
                Request::builder()
                    .method(Method::POST)
                    .uri("/api/v1/erasure")
                    .header(header::AUTHORIZATION, format!("Bearer {}", org.admin))
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(json!({"learner": "l1"}).to_string()))
                    .expect("request"),
            ];
            for req in reqs {
                let what = req.uri().to_string();
                let r = ctx.send(req).await;
                assert_eq!(
                    r.status,
                    StatusCode::SERVICE_UNAVAILABLE,
                    "{what}: {}",
                    r.text
                );
                assert_eq!(r.json["error"]["code"], "unavailable", "{}", r.text);
                assert!(r.headers.get(header::RETRY_AFTER).is_some(), "{what}");
            }
            sqlx::query("ROLLBACK")
                .execute(&mut *c)
                .await
                .expect("unlock");
            assert_eq!(
                ctx.count_events("contend").await,
                0,
                "the 503s stored nothing"
            );
        }
        pecyn_tracker::Db::Postgres(_) => {
            let ctx = std::sync::Arc::new(ctx);
            let mut tasks = Vec::new();
            for i in 0..3 {
                let (c, t) = (ctx.clone(), org.admin.clone());
                let csv = csv.replace("l", &format!("p{i}-"));
                tasks.push(tokio::spawn(async move {
                    c.send(csv_req(&t, csv)).await.status
                }));
            }
            for i in 0..20 {
                let (c, t) = (ctx.clone(), org.ingest.clone());
                tasks.push(tokio::spawn(async move {
                    c.send(xapi_req(
                        &t,
                        Method::POST,
                        "/xapi/statements",
                        &statement(&format!("s{i}"), "2026-05-01T10:00:00Z"),
                    ))
                    .await
                    .status
                }));
            }
            for i in 0..5 {
                let (c, t) = (ctx.clone(), org.admin.clone());
                tasks.push(tokio::spawn(async move {
                    c.call(
                        Method::POST,
                        "/api/v1/erasure",
                        Some(&t),
                        Some(json!({"learner": format!("p0-{i}")})),
                    )
                    .await
                    .status
                }));
            }
            for t in tasks {
                let s = t.await.expect("task");
                assert!(s.as_u16() < 500, "a write failed with {s}");
            }
        }
    }
}
