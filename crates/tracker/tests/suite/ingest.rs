//! `POST /api/v1/events`: acceptance, idempotency, per-event rejection,
//! limits, and what is stored.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};

use crate::common::*;
use crate::dual;

dual!(
    full_queue_answers_503_and_stores_nothing_of_that_request,
    single_event_is_counted_once,
    batch_mixes_outcomes,
    bad_requests_are_json_400s,
    oversized_body_is_413,
    concurrent_duplicates_count_once
);

async fn single_event_is_counted_once(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    ctx.import_catalogue().await;
    let org = ctx.create_org("cardiff").await;
    let ev = event("learner-raw-id-42", "completed");
    let r = ctx.post("/api/v1/events", &org.ingest, ev.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["accepted"], 1);
    assert_eq!(r.json["duplicates"], 0);
    // The same id again: a duplicate, counted once.
    let r = ctx.post("/api/v1/events", &org.ingest, ev.clone()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["accepted"], 0);
    assert_eq!(r.json["duplicates"], 1);
    assert_eq!(r.json["duplicate_ids"][0], ev["id"]);
    assert_eq!(ctx.count_events("cardiff").await, 1);
    // Seen in the report, and the raw learner id is stored nowhere.
    let s = ctx.get("/api/v1/reports/summary", &org.reader).await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.text);
    assert_eq!(s.json["events"], 1);
    assert_eq!(s.json["learners"], 1);
    assert_eq!(s.json["by_package"][0]["module"], "passwords");
    assert_eq!(s.json["by_package"][0]["verb"], "completed");
    let dump = ctx.dump_learner_columns().await;
    assert!(!dump.contains("learner-raw-id-42"), "raw learner id stored");
}

async fn batch_mixes_outcomes(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    ctx.import_catalogue().await;
    let org = ctx.create_org("swansea").await;
    let dup = event("u1", "started");
    ctx.post("/api/v1/events", &org.ingest, dup.clone()).await;
    let mut in_batch_dup = event("u2", "passed");
    in_batch_dup["package"] = json!(PKG_CY);
    let batch = json!([
        event("u1", "completed"),
        dup,
        {"id": uuid(), "learner": "u3", "package": "no_such_package", "verb": "completed"},
        {"id": "not-a-uuid", "learner": "u3", "package": PKG_EN, "verb": "completed"},
        {"id": uuid(), "learner": "u3", "package": PKG_EN, "verb": "completed", "lang": "cy"},
        in_batch_dup.clone(),
        in_batch_dup,
        {"id": uuid(), "learner": "u4", "package": PKG_EN, "verb": "completed", "email": "x@y.z"},
        "not an object",
    ]);
    let r = ctx.post("/api/v1/events", &org.ingest, batch).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["accepted"], 2, "{}", r.text);
    assert_eq!(r.json["duplicates"], 2, "{}", r.text);
    let rejected: Vec<(u64, String)> = r.json["rejected"]
        .as_array()
        .expect("array")
        .iter()
        .map(|x| {
            (
                x["index"].as_u64().unwrap_or(99),
                x["code"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        rejected,
        vec![
            (2, "unknown_package".into()),
            (3, "invalid_id".into()),
            (4, "package_mismatch".into()),
            (7, "invalid_event".into()),
            (8, "invalid_event".into()),
        ]
    );
    assert_eq!(ctx.count_events("swansea").await, 3);
}

async fn bad_requests_are_json_400s(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    ctx.import_catalogue().await;
    let org = ctx.create_org("powys").await;
    let too_many: Vec<Value> = (0..1001)
        .map(|i| event(&format!("u{i}"), "started"))
        .collect();
    let cases = [
        (Value::Array(too_many), "batch_too_large"),
        (json!([]), "empty_batch"),
        (json!(42), "invalid_body"),
        (
            json!({"id": uuid(), "learner": "u", "package": PKG_EN, "verb": "finished"}),
            "invalid_verb",
        ),
        (
            json!({"id": uuid(), "learner": "u", "package": PKG_EN, "verb": "passed", "score": 120}),
            "invalid_score",
        ),
        (
            json!({"id": uuid(), "learner": "u", "package": PKG_EN, "verb": "passed", "timestamp": "2026-13-01"}),
            "invalid_timestamp",
        ),
    ];
    for (body, code) in cases {
        let r = ctx.post("/api/v1/events", &org.ingest, body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{code}: {}", r.text);
        assert_eq!(r.json["error"]["code"], code, "{}", r.text);
        assert!(r.json["error"]["message"].is_string());
    }
    // Not JSON at all.
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/events")
        .header(header::AUTHORIZATION, format!("Bearer {}", org.ingest))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"id\": "))
        .expect("request");
    let r = ctx.send(req).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json["error"]["code"], "invalid_json");
    assert_eq!(
        ctx.count_events("powys").await,
        0,
        "rejected requests change nothing"
    );
}

async fn oversized_body_is_413(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    let org = ctx.create_org("gwynedd").await;
    let big = "x".repeat(pecyn_tracker::http::state::EVENTS_BODY_LIMIT + 10);
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/events")
        .header(header::AUTHORIZATION, format!("Bearer {}", org.ingest))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(big))
        .expect("request");
    let r = ctx.send(req).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text);
    assert_eq!(r.json["error"]["code"], "payload_too_large");
    // Small endpoints have a small limit.
    let r = ctx
        .post(
            "/api/v1/organisations",
            ADMIN_TOKEN,
            json!({"code": "x".repeat(70_000)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text);
    assert_eq!(r.json["error"]["code"], "payload_too_large");
}

async fn concurrent_duplicates_count_once(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    ctx.import_catalogue().await;
    let org = ctx.create_org("conwy").await;
    let events: Vec<Value> = (0..200)
        .map(|i| event(&format!("u{}", i % 17), "completed"))
        .collect();
    // Every event is sent four times, concurrently, in different groupings.
    let mut tasks = Vec::new();
    let ctx = std::sync::Arc::new(ctx);
    for round in 0..4 {
        for chunk in events.chunks(10 + round * 7) {
            let ctx = ctx.clone();
            let token = org.ingest.clone();
            let body = Value::Array(chunk.to_vec());
            tasks.push(tokio::spawn(async move {
                let r = ctx.post("/api/v1/events", &token, body).await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.text);
                r.json["accepted"].as_u64().unwrap_or(0)
            }));
        }
    }
    let mut accepted = 0;
    for t in tasks {
        accepted += t.await.expect("task");
    }
    assert_eq!(
        accepted, 200,
        "each event accepted exactly once across all requests"
    );
    assert_eq!(ctx.count_events("conwy").await, 200);
}

async fn full_queue_answers_503_and_stores_nothing_of_that_request(b: Backend) {
    let Some(ctx) = Ctx::with_config(
        b,
        pecyn_tracker::AppConfig {
            admin_token: Some(ADMIN_TOKEN.into()),
            rate_per_second: 0,
            queue_events: 1_000,
            ..pecyn_tracker::AppConfig::default()
        },
    )
    .await
    else {
        return;
    };
    ctx.import_catalogue().await;
    let org = ctx.create_org("newport").await;
    // Block the writer: another transaction holds the write lock on events.
    let blocker = match ctx.db() {
        pecyn_tracker::Db::Sqlite(p) => {
            let mut c = p.acquire().await.expect("conn");
            sqlx::query("BEGIN IMMEDIATE")
                .execute(&mut *c)
                .await
                .expect("lock");
            Blocker::Sqlite(c)
        }
        pecyn_tracker::Db::Postgres(p) => {
            let mut tx = p.begin().await.expect("tx");
            sqlx::query("LOCK TABLE events IN EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await
                .expect("lock");
            Blocker::Postgres(tx)
        }
    };
    // 1,000 events take the whole queue and wait for the lock...
    let ctx = std::sync::Arc::new(ctx);
    let first = {
        let (ctx, token) = (ctx.clone(), org.ingest.clone());
        let batch = Value::Array(
            (0..1000)
                .map(|i| event(&format!("q{i}"), "started"))
                .collect(),
        );
        tokio::spawn(async move { ctx.post("/api/v1/events", &token, batch).await })
    };
    // Wait until the writer holds them (not a fixed sleep: a loaded machine
    // may take longer than any fixed pause to validate 1,000 events).
    let mut waited = 0;
    loop {
        let m = ctx.call(Method::GET, "/metrics", None, None).await;
        if m.text.contains("pecyn_ingest_queue_events 1000") || waited >= 600 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        waited += 1;
    }
    // ...so the next request is refused at once with 503 and Retry-After.
    let refused = event("late", "started");
    let r = ctx
        .post("/api/v1/events", &org.ingest, refused.clone())
        .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text);
    assert_eq!(r.json["error"]["code"], "unavailable");
    assert!(r.headers.get(header::RETRY_AFTER).is_some());
    match blocker {
        Blocker::Sqlite(mut c) => {
            sqlx::query("ROLLBACK")
                .execute(&mut *c)
                .await
                .expect("unlock");
        }
        Blocker::Postgres(tx) => tx.rollback().await.expect("unlock"),
    }
    let r = first.await.expect("task");
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["accepted"], 1000);
    assert_eq!(
        ctx.count_events("newport").await,
        1000,
        "the refused event was not stored"
    );
    // Retried after the queue drains, it is accepted.
    let r = ctx.post("/api/v1/events", &org.ingest, refused).await;
    assert_eq!(r.json["accepted"], 1, "{}", r.text);
}

enum Blocker {
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}
