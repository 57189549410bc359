//! Erasure and retention.

use axum::http::StatusCode;
use serde_json::json;

use crate::common::*;
use crate::dual;

dual!(erasure_removes_one_learner, retention_deletes_old_events);

async fn erasure_removes_one_learner(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    ctx.import_catalogue().await;
    let org = ctx.create_org("ceredigion").await;
    let batch = json!([
        event("leaver", "started"),
        event("leaver", "completed"),
        event("stayer", "completed")
    ]);
    assert_eq!(
        ctx.post("/api/v1/events", &org.ingest, batch).await.json["accepted"],
        3
    );
    let r = ctx.get("/api/v1/events?learner=leaver", &org.admin).await;
    assert_eq!(r.json["events"].as_array().map(Vec::len), Some(2));
    let r = ctx
        .post("/api/v1/erasure", &org.admin, json!({"learner": "leaver"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["events"], 2);
    assert_eq!(ctx.count_events("ceredigion").await, 1);
    let r = ctx.get("/api/v1/events?learner=leaver", &org.admin).await;
    assert_eq!(r.json["events"].as_array().map(Vec::len), Some(0));
    let r = ctx
        .post("/api/v1/erasure", &org.admin, json!({"learner": ""}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

async fn retention_deletes_old_events(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    ctx.import_catalogue().await;
    let org = ctx.create_org("pembrokeshire").await;
    let keep = ctx.create_org("carmarthenshire").await;
    let now = chrono::Utc::now();
    let old = (now - chrono::Duration::days(100)).to_rfc3339();
    let recent = (now - chrono::Duration::days(10)).to_rfc3339();
    for o in [&org, &keep] {
        let batch = json!([
            {"id": uuid(), "learner": "a", "package": PKG_EN, "verb": "completed", "timestamp": old},
            {"id": uuid(), "learner": "b", "package": PKG_EN, "verb": "completed", "timestamp": recent},
        ]);
        assert_eq!(
            ctx.post("/api/v1/events", &o.ingest, batch).await.json["accepted"],
            2
        );
    }
    let r = ctx
        .call(
            axum::http::Method::PUT,
            "/api/v1/org/retention",
            Some(&org.admin),
            Some(json!({"months": 3})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["retention_months"], 3);
    let r = ctx
        .call(
            axum::http::Method::PUT,
            "/api/v1/org/retention",
            Some(&org.admin),
            Some(json!({"months": 0})),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let deleted = pecyn_tracker::store::privacy::purge_expired(ctx.db(), now)
        .await
        .expect("purge");
    assert_eq!(deleted, 1);
    assert_eq!(ctx.count_events("pembrokeshire").await, 1);
    assert_eq!(
        ctx.count_events("carmarthenshire").await,
        2,
        "no retention set: kept"
    );
}
