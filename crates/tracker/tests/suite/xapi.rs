//! The xAPI Statement Resource subset.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use base64::Engine as _;
use serde_json::{json, Value};

use crate::common::*;
use crate::dual;

dual!(
    post_put_get_and_conflicts,
    validity_and_headers,
    statements_become_events
);

fn basic(token: &str) -> String {
    let (id, secret) = pecyn_tracker::keys::parse_token(token).expect("shape");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

async fn xapi(
    ctx: &Ctx,
    method: Method,
    uri: &str,
    token: &str,
    body: Option<Value>,
    version: Option<&str>,
) -> Resp {
    let mut b = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, basic(token));
    if let Some(v) = version {
        b = b.header("X-Experience-API-Version", v);
    }
    let req = match body {
        Some(v) => b
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(v.to_string())),
        None => b.body(Body::empty()),
    };
    ctx.send(req.expect("request")).await
}

fn statement(learner: &str, verb: &str) -> Value {
    json!({
        "actor": {"objectType": "Agent", "name": "Private Name", "account": {"homePage": "https://lms.example", "name": learner}},
        "verb": {"id": format!("http://adlnet.gov/expapi/verbs/{verb}"), "display": {"en-GB": verb}},
        "object": {"objectType": "Activity", "id": format!("https://pecyn.example/packages/{PKG_EN}")},
        "result": {"score": {"scaled": 0.75}, "duration": "PT10M"},
        "timestamp": "2026-05-01T10:00:00Z"
    })
}

async fn post_put_get_and_conflicts(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    ctx.import_catalogue().await;
    let org = ctx.create_org("blaenau-gwent").await;
    let v = Some("1.0.3");
    // POST one without id: the id is returned.
    let r = xapi(
        &ctx,
        Method::POST,
        "/xapi/statements",
        &org.ingest,
        Some(statement("s1", "completed")),
        v,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.headers["x-experience-api-version"], "1.0.3");
    let id = r.json[0].as_str().expect("id").to_owned();
    // POST the same statement with that id again: accepted, unchanged.
    let mut same = statement("s1", "completed");
    same["id"] = json!(id);
    let r = xapi(
        &ctx,
        Method::POST,
        "/xapi/statements",
        &org.ingest,
        Some(same.clone()),
        v,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json, json!([id]));
    // A different statement under that id: 409.
    let mut different = statement("s1", "passed");
    different["id"] = json!(id);
    let r = xapi(
        &ctx,
        Method::POST,
        "/xapi/statements",
        &org.ingest,
        Some(different.clone()),
        v,
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let r = xapi(
        &ctx,
        Method::PUT,
        &format!("/xapi/statements?statementId={id}"),
        &org.ingest,
        Some(different),
        v,
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    // A batch with one new and one conflicting statement stores nothing.
    let fresh_id = uuid();
    let mut fresh = statement("s2", "completed");
    fresh["id"] = json!(fresh_id);
    let mut conflicting = statement("s9", "failed");
    conflicting["id"] = json!(id);
    let r = xapi(
        &ctx,
        Method::POST,
        "/xapi/statements",
        &org.ingest,
        Some(json!([fresh.clone(), conflicting])),
        v,
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = xapi(
        &ctx,
        Method::GET,
        &format!("/xapi/statements?statementId={fresh_id}"),
        &org.admin,
        None,
        v,
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "nothing of the rejected batch was stored"
    );
    // An array repeating one id is rejected whole.
    let r = xapi(
        &ctx,
        Method::POST,
        "/xapi/statements",
        &org.ingest,
        Some(json!([fresh.clone(), fresh.clone()])),
        v,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // PUT: 204, then the same again 204.
    let put_id = uuid();
    let uri = format!("/xapi/statements?statementId={put_id}");
    let r = xapi(
        &ctx,
        Method::PUT,
        &uri,
        &org.ingest,
        Some(statement("s3", "passed")),
        v,
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert_eq!(r.headers["x-experience-api-version"], "1.0.3");
    let r = xapi(
        &ctx,
        Method::PUT,
        &uri,
        &org.ingest,
        Some(statement("s3", "passed")),
        v,
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    // PUT whose body id differs from statementId: 400; missing statementId: 400.
    let mut other = statement("s3", "passed");
    other["id"] = json!(uuid());
    assert_eq!(
        xapi(&ctx, Method::PUT, &uri, &org.ingest, Some(other), v)
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        xapi(
            &ctx,
            Method::PUT,
            "/xapi/statements",
            &org.ingest,
            Some(statement("s", "passed")),
            v
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );
    // GET with an org admin: the stored statement, actor pseudonymised.
    let r = xapi(&ctx, Method::GET, &uri, &org.admin, None, v).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["id"], put_id);
    assert_eq!(
        r.json["verb"]["id"],
        "http://adlnet.gov/expapi/verbs/passed"
    );
    assert!(r.json["stored"].is_string());
    assert!(
        !r.text.contains("Private Name") && !r.text.contains("\"s3\""),
        "{}",
        r.text
    );
    // Ingest keys read nothing.
    assert_eq!(
        xapi(&ctx, Method::GET, &uri, &org.ingest, None, v)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Unknown id: 404; other query parameters with statementId: 400.
    let r = xapi(
        &ctx,
        Method::GET,
        &format!("/xapi/statements?statementId={}", uuid()),
        &org.admin,
        None,
        v,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = xapi(
        &ctx,
        Method::GET,
        &format!("{uri}&verb=x"),
        &org.admin,
        None,
        v,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = xapi(&ctx, Method::GET, "/xapi/about", &org.ingest, None, None).await;
    assert_eq!(r.json["version"][0], "1.0.3");
}

async fn validity_and_headers(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    ctx.import_catalogue().await;
    let org = ctx.create_org("merthyr").await;
    // The version header is required, and echoed even on the error.
    let r = xapi(
        &ctx,
        Method::POST,
        "/xapi/statements",
        &org.ingest,
        Some(statement("a", "completed")),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json["error"]["code"], "missing_version");
    assert_eq!(r.headers["x-experience-api-version"], "1.0.3");
    let r = xapi(
        &ctx,
        Method::POST,
        "/xapi/statements",
        &org.ingest,
        Some(statement("a", "completed")),
        Some("0.95"),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = xapi(
        &ctx,
        Method::POST,
        "/xapi/statements",
        &org.ingest,
        Some(statement("a", "completed")),
        Some("1.0"),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "1.0 is a 1.0.x version: {}",
        r.text
    );
    let broken: Vec<(&str, Value)> = vec![
        ("unknown top-level", {
            let mut s = statement("a", "completed");
            s["mood"] = json!("happy");
            s
        }),
        ("bad actor", {
            let mut s = statement("a", "completed");
            s["actor"] = json!({"name": "no ifi"});
            s
        }),
        ("bad verb", {
            let mut s = statement("a", "completed");
            s["verb"] = json!({"id": "completed"});
            s
        }),
        ("bad object", {
            let mut s = statement("a", "completed");
            s["object"] = json!({"objectType": "Activity"});
            s
        }),
        ("bad uuid", {
            let mut s = statement("a", "completed");
            s["id"] = json!("1234");
            s
        }),
        ("bad timestamp", {
            let mut s = statement("a", "completed");
            s["timestamp"] = json!("01/05/2026");
            s
        }),
    ];
    for (name, st) in broken {
        let r = xapi(
            &ctx,
            Method::POST,
            "/xapi/statements",
            &org.ingest,
            Some(st.clone()),
            Some("1.0.3"),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{name}: {}", r.text);
        assert!(
            r.json["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{name}: reason given"
        );
        // One invalid statement in an array rejects the whole array.
        let r = xapi(
            &ctx,
            Method::POST,
            "/xapi/statements",
            &org.ingest,
            Some(json!([statement("ok", "completed"), st])),
            Some("1.0.3"),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{name} in a batch");
    }
    assert_eq!(
        ctx.count_events("merthyr").await,
        1,
        "only the 1.0 statement stored an event"
    );
    // Credentials: no auth is 401.
    let req = Request::builder()
        .method(Method::POST)
        .uri("/xapi/statements")
        .header("X-Experience-API-Version", "1.0.3")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(statement("a", "completed").to_string()))
        .expect("req");
    assert_eq!(ctx.send(req).await.status, StatusCode::UNAUTHORIZED);
}

async fn statements_become_events(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    ctx.import_catalogue().await;
    let org = ctx.create_org("rhondda").await;
    let mut unknown = statement("l1", "completed");
    unknown["object"]["id"] = json!("https://pecyn.example/packages/not_in_catalogue");
    let batch = json!([
        statement("l1", "initialized"),
        statement("l1", "completed"),
        statement("l1", "passed"),
        statement("l2", "failed"),
        statement("l2", "experienced"),
        unknown,
    ]);
    let r = xapi(
        &ctx,
        Method::POST,
        "/xapi/statements",
        &org.ingest,
        Some(batch),
        Some("1.0.3"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json.as_array().map(Vec::len), Some(6));
    assert_eq!(
        ctx.count_events("rhondda").await,
        4,
        "four ADL completion verbs on known packages"
    );
    let ev = ctx.get("/api/v1/events?learner=l1", &org.admin).await;
    let verbs: Vec<&str> = ev.json["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["verb"].as_str())
        .collect();
    let mut sorted = verbs.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, vec!["completed", "passed", "started"]);
    assert_eq!(ev.json["events"][0]["score"], 75.0);
    assert_eq!(ev.json["events"][0]["duration_s"], 600);
    assert_eq!(ev.json["events"][0]["source"], "xapi");
    // Erasure by the LMS id removes the statements too.
    let r = ctx
        .post("/api/v1/erasure", &org.admin, json!({"learner": "l1"}))
        .await;
    // l1's statements: initialized, completed, passed, and the unknown package.
    assert_eq!(r.json, json!({"events": 3, "statements": 4}));
}
