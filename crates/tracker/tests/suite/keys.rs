//! Keys, roles, revocation, rate limits and tenant isolation.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use base64::Engine as _;
use pecyn_tracker::AppConfig;
use serde_json::json;

use crate::common::*;
use crate::dual;

dual!(
    roles_are_enforced,
    no_key_of_org_a_touches_org_b,
    revocation_and_suspension_work_at_once,
    bad_credentials_are_401,
    revocation_elsewhere_is_seen_within_the_cache_ttl,
    rate_limit_is_per_key,
    cors_only_on_ingest,
    keys_are_stored_hashed
);

async fn roles_are_enforced(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    ctx.import_catalogue().await;
    let org = ctx.create_org("wrexham").await;
    // The ingest key reads nothing and administers nothing.
    for path in [
        "/api/v1/events",
        "/api/v1/reports/summary",
        "/api/v1/org",
        "/api/v1/catalogue",
        "/api/v1/imports",
        "/api/v1/organisations",
        "/api/v1/reports/uptake",
    ] {
        let r = ctx.get(path, &org.ingest).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "ingest GET {path}: {}",
            r.text
        );
        assert_eq!(r.json["error"]["code"], "forbidden");
    }
    let r = ctx
        .post("/api/v1/erasure", &org.ingest, json!({"learner": "u1"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = ctx
        .post(
            "/api/v1/organisations/wrexham/keys",
            &org.ingest,
            json!({"role": "org_admin"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Readers see aggregates only.
    assert_eq!(
        ctx.get("/api/v1/reports/summary", &org.reader).await.status,
        StatusCode::OK
    );
    assert_eq!(
        ctx.get("/api/v1/events", &org.reader).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        ctx.post("/api/v1/events", &org.reader, event("u", "started"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        ctx.post("/api/v1/erasure", &org.reader, json!({"learner": "u"}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Org admins see their learner-level data but not the platform's.
    assert_eq!(
        ctx.get("/api/v1/events", &org.admin).await.status,
        StatusCode::OK
    );
    assert_eq!(
        ctx.get("/api/v1/organisations", &org.admin).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        ctx.post("/api/v1/catalogue", &org.admin, json!({"packages": []}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Platform keys issued by the admin command work like the env token.
    let issued = pecyn_tracker::store::keys::issue_key(
        ctx.db(),
        None,
        pecyn_tracker::keys::Role::Platform,
        "ops",
    )
    .await
    .expect("issued");
    let r = ctx.get("/api/v1/organisations", &issued.token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["organisations"][0]["code"], "wrexham");
    assert!(r.json["organisations"][0].get("pseudonym_secret").is_none());
}

async fn no_key_of_org_a_touches_org_b(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    ctx.import_catalogue().await;
    let a = ctx.create_org("org-a").await;
    let bb = ctx.create_org("org-b").await;
    // The same LMS learner id exists in both organisations.
    let ev_b = event("shared-learner", "completed");
    assert_eq!(
        ctx.post("/api/v1/events", &bb.ingest, ev_b.clone())
            .await
            .json["accepted"],
        1
    );
    // A re-posting B's event id with A's key creates A's own event; B's is untouched.
    let r = ctx.post("/api/v1/events", &a.ingest, ev_b.clone()).await;
    assert_eq!(
        r.json["accepted"], 1,
        "ids are per organisation: {}",
        r.text
    );
    assert_eq!(ctx.count_events("org-b").await, 1);
    assert_eq!(ctx.count_events("org-a").await, 1);
    // A's admin sees only A's events, and the learner pseudonyms differ.
    let ra = ctx.get("/api/v1/events", &a.admin).await;
    let rb = ctx.get("/api/v1/events", &bb.admin).await;
    assert_eq!(ra.json["events"].as_array().map(Vec::len), Some(1));
    assert_ne!(
        ra.json["events"][0]["learner"],
        rb.json["events"][0]["learner"]
    );
    // A's reader's summary counts A only.
    let s = ctx.get("/api/v1/reports/summary", &a.reader).await;
    assert_eq!(s.json["organisation"], "org-a");
    assert_eq!(s.json["events"], 1);
    // A's admin erasing the shared learner id deletes nothing of B's.
    let r = ctx
        .post(
            "/api/v1/erasure",
            &a.admin,
            json!({"learner": "shared-learner"}),
        )
        .await;
    assert_eq!(r.json["events"], 1, "{}", r.text);
    assert_eq!(ctx.count_events("org-b").await, 1);
    // A's admin cannot revoke B's keys, nor reach B through the platform routes.
    let r = ctx
        .call(
            Method::DELETE,
            &format!("/api/v1/keys/{}", bb.ingest_id),
            Some(&a.admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    assert_eq!(
        ctx.post("/api/v1/events", &bb.ingest, event("x", "started"))
            .await
            .status,
        StatusCode::OK
    );
    for path in [
        "/api/v1/organisations/org-b",
        "/api/v1/organisations/org-b/keys",
    ] {
        assert_eq!(ctx.get(path, &a.admin).await.status, StatusCode::FORBIDDEN);
    }
    // A's admin can revoke A's own ingest key.
    let r = ctx
        .call(
            Method::DELETE,
            &format!("/api/v1/keys/{}", a.ingest_id),
            Some(&a.admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    // xAPI: A's credentials cannot fetch B's statements.
    let st = json!({"actor": {"mbox": "mailto:l@b.example"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
                    "object": {"id": format!("https://pecyn.example/packages/{PKG_EN}")}});
    let req = Request::builder()
        .method(Method::POST)
        .uri("/xapi/statements")
        .header(header::AUTHORIZATION, format!("Bearer {}", bb.ingest))
        .header("X-Experience-API-Version", "1.0.3")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(st.to_string()))
        .expect("req");
    let r = ctx.send(req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let id = r.json[0].as_str().expect("id").to_owned();
    let get = |token: String| {
        Request::builder()
            .method(Method::GET)
            .uri(format!("/xapi/statements?statementId={id}"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header("X-Experience-API-Version", "1.0.3")
            .body(Body::empty())
            .expect("req")
    };
    assert_eq!(
        ctx.send(get(a.admin.clone())).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(ctx.send(get(bb.admin.clone())).await.status, StatusCode::OK);
}

async fn revocation_and_suspension_work_at_once(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    ctx.import_catalogue().await;
    let org = ctx.create_org("neath").await;
    assert_eq!(
        ctx.post("/api/v1/events", &org.ingest, event("u", "started"))
            .await
            .status,
        StatusCode::OK
    );
    let r = ctx
        .call(
            Method::DELETE,
            &format!("/api/v1/keys/{}", org.ingest_id),
            Some(ADMIN_TOKEN),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = ctx
        .post("/api/v1/events", &org.ingest, event("u", "started"))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json["error"]["code"], "unauthorized");
    // Revoking twice: not found.
    let r = ctx
        .call(
            Method::DELETE,
            &format!("/api/v1/keys/{}", org.ingest_id),
            Some(ADMIN_TOKEN),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Suspension stops every key of the organisation.
    let r = ctx
        .call(
            Method::PATCH,
            "/api/v1/organisations/neath",
            Some(ADMIN_TOKEN),
            Some(json!({"status": "suspended"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        ctx.get("/api/v1/reports/summary", &org.reader).await.status,
        StatusCode::FORBIDDEN
    );
    let r = ctx
        .call(
            Method::PATCH,
            "/api/v1/organisations/neath",
            Some(ADMIN_TOKEN),
            Some(json!({"status": "gone"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

async fn bad_credentials_are_401(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    let org = ctx.create_org("bridgend").await;
    let (id, _) = pecyn_tracker::keys::parse_token(&org.ingest).expect("token shape");
    let forged = format!("pct_{id}_{}", "0".repeat(64));
    for token in [
        "",
        "nonsense",
        "pct_0123456789abcdef_00",
        forged.as_str(),
        "test-platform-admin-token-0123456789abcdeX",
    ] {
        let r = ctx
            .post("/api/v1/events", token, event("u", "started"))
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "token {token:?}");
        assert_eq!(r.json["error"]["code"], "unauthorized");
    }
    let r = ctx
        .call(
            Method::POST,
            "/api/v1/events",
            None,
            Some(event("u", "started")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // Basic auth with key id and secret works for the same key.
    let (id, secret) = pecyn_tracker::keys::parse_token(&org.reader).expect("shape");
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    let req = Request::builder()
        .uri("/api/v1/reports/summary")
        .header(header::AUTHORIZATION, format!("Basic {basic}"))
        .body(Body::empty())
        .expect("req");
    assert_eq!(ctx.send(req).await.status, StatusCode::OK);
}

async fn rate_limit_is_per_key(b: Backend) {
    let Some(ctx) = Ctx::with_config(
        b,
        AppConfig {
            admin_token: Some(ADMIN_TOKEN.into()),
            rate_per_second: 1,
            rate_burst: 3,
            queue_events: 10_000,
            ..AppConfig::default()
        },
    )
    .await
    else {
        return;
    };
    ctx.import_catalogue().await; // 1 of the admin token's burst of 3
    let org2 = {
        // Create keys directly so the admin's bucket does not matter.
        let o = pecyn_tracker::store::orgs::create_org(ctx.db(), &serde_json::from_value(json!({
            "code": "torfaen", "name_en": "Torfaen", "name_cy": "Torfaen", "kind": "welsh_principal_council", "region": "Wales"})).expect("org")).await.expect("created");
        let k = pecyn_tracker::store::keys::issue_key(
            ctx.db(),
            Some(&o),
            pecyn_tracker::keys::Role::Ingest,
            "",
        )
        .await
        .expect("key");
        let k2 = pecyn_tracker::store::keys::issue_key(
            ctx.db(),
            Some(&o),
            pecyn_tracker::keys::Role::Ingest,
            "",
        )
        .await
        .expect("key");
        (k.token, k2.token)
    };
    for _ in 0..3 {
        let r = ctx
            .post("/api/v1/events", &org2.0, event("u", "started"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    let r = ctx
        .post("/api/v1/events", &org2.0, event("u", "started"))
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.json["error"]["code"], "rate_limited");
    assert!(r.headers.get(header::RETRY_AFTER).is_some());
    // Another key is unaffected.
    assert_eq!(
        ctx.post("/api/v1/events", &org2.1, event("u", "started"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(ctx.count_events("torfaen").await, 4);
}

async fn cors_only_on_ingest(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    let preflight = |path: &str| {
        Request::builder()
            .method(Method::OPTIONS)
            .uri(path)
            .header(header::ORIGIN, "https://lms.council.example")
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(
                header::ACCESS_CONTROL_REQUEST_HEADERS,
                "authorization,content-type",
            )
            .body(Body::empty())
            .expect("req")
    };
    let r = ctx.send(preflight("/api/v1/events")).await;
    assert!(r.status.is_success(), "{}", r.status);
    assert_eq!(
        r.headers
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .map(|v| v.as_bytes()),
        Some(&b"*"[..])
    );
    let r = ctx.send(preflight("/api/v1/organisations")).await;
    assert!(r.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    let r = ctx.send(preflight("/api/v1/imports")).await;
    assert!(r.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

async fn keys_are_stored_hashed(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    let org = ctx.create_org("monmouth").await;
    let (_, secret) = pecyn_tracker::keys::parse_token(&org.admin).expect("shape");
    let sql = "SELECT secret_hash FROM api_keys";
    let hashes: Vec<String> = match ctx.db() {
        pecyn_tracker::Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(p).await.expect("q"),
        pecyn_tracker::Db::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await.expect("q"),
    };
    assert_eq!(hashes.len(), 3);
    assert!(hashes.iter().all(|h| !h.contains(secret) && h.len() == 64));
    // Listing keys never shows secrets.
    let r = ctx
        .get("/api/v1/organisations/monmouth/keys", ADMIN_TOKEN)
        .await;
    assert!(!r.text.contains(secret));
    assert!(!r.text.contains("secret_hash"));
}

async fn revocation_elsewhere_is_seen_within_the_cache_ttl(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    ctx.import_catalogue().await;
    let org = ctx.create_org("vale").await;
    assert_eq!(
        ctx.post("/api/v1/events", &org.ingest, event("u", "started"))
            .await
            .status,
        StatusCode::OK
    );
    // Revoked by another instance or the admin command (straight in the database).
    pecyn_tracker::store::keys::revoke_key(ctx.db(), &org.ingest_id, None)
        .await
        .expect("revoke");
    tokio::time::sleep(
        pecyn_tracker::AppConfig::default().key_cache_ttl + std::time::Duration::from_millis(50),
    )
    .await;
    let r = ctx
        .post("/api/v1/events", &org.ingest, event("u", "started"))
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "revocation seen within the TTL"
    );
}
