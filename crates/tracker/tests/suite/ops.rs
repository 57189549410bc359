//! Health, readiness, metrics, OpenAPI and JSON errors for unknown routes.

use axum::http::{header, Method, StatusCode};

use crate::common::*;
use crate::dual;

dual!(
    ops_endpoints,
    unknown_routes_are_json,
    bad_input_is_never_a_500,
    served_routes_are_exactly_the_documented_ones,
    api_times_are_rfc3339
);

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

/// Every route, every role, a handful of malformed bodies and queries: the
/// answer is always a JSON 4xx (or a success), never a 5xx.
async fn bad_input_is_never_a_500(b: Backend) {
    use axum::body::Body;
    use axum::http::Request;
    let Some(ctx) = Ctx::new(b).await else { return };
    ctx.import_catalogue().await;
    let org = ctx.create_org("caerdydd").await;
    let bodies: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"null".to_vec(),
        b"[]".to_vec(),
        b"{\"id\": 1e999}".to_vec(),
        b"{\"learner\": {\"nested\": [1, 2, {\"x\": null}]}}".to_vec(),
        vec![0xff, 0xfe, 0x00, 0x41],
        // A NUL in a text column is an error in PostgreSQL: it must be caught first.
        br#"{"packages": [{"id": "p1", "module": "m", "version": "1", "title": "a\u0000b", "lang": "en", "variant": "standard", "scorm": "1.2", "file": "f\u0000", "sha256": "x", "bytes": 1}]}"#.to_vec(),
        br#"{"code": "nul-org", "name_en": "a\u0000", "name_cy": "b", "kind": "other", "region": "r"}"#.to_vec(),
        br#"{"role": "reader", "label": "\u0000"}"#.to_vec(),
        b"username,courseshortname\n\"unterminated".to_vec(),
        "[{\"id\": \"6f1c8c1e-8d0c-4c7b-9d5b-2f0f3f7a9e11\", \"learner\": \"\u{0000}\", \"package\": \"x\", \"verb\": \"started\"}]".as_bytes().to_vec(),
    ];
    let tokens = [
        ADMIN_TOKEN,
        org.ingest.as_str(),
        org.admin.as_str(),
        org.reader.as_str(),
    ];
    let mut paths = Vec::new();
    for (method, path) in &pecyn_tracker::http::openapi::routes() {
        paths.push((
            *method,
            path.replace("{code}", "caerdydd")
                .replace("{key_id}", "zzz"),
        ));
        if path.contains('{') {
            paths.push((
                *method,
                path.replace("{code}", "a%00b")
                    .replace("{key_id}", "%00%FF"),
            ));
        }
    }
    for (method, path) in paths {
        for query in ["", "?statementId=not-a-uuid&limit=-1&after=x&filename=%00"] {
            for token in tokens {
                for (i, body) in bodies.iter().enumerate() {
                    let ct = if i % 2 == 0 {
                        "application/json"
                    } else {
                        "text/csv"
                    };
                    let req = Request::builder()
                        .method(method.to_uppercase().as_str())
                        .uri(format!("{path}{query}"))
                        .header(header::AUTHORIZATION, format!("Bearer {token}"))
                        .header(header::CONTENT_TYPE, ct)
                        .header("X-Experience-API-Version", "1.0.3")
                        .body(Body::from(body.clone()))
                        .expect("request");
                    let r = ctx.send(req).await;
                    assert!(
                        !r.status.is_server_error(),
                        "{method} {path}{query} body #{i}: {} {}",
                        r.status,
                        r.text
                    );
                    if r.status.is_client_error() {
                        assert!(
                            r.json["error"]["code"].is_string(),
                            "{method} {path}: {}",
                            r.text
                        );
                    }
                }
            }
        }
    }
}

/// The router serves exactly what `/openapi.json` describes: every path
/// routed in `src/http/router.rs` is described and every described path is
/// routed; on each of them, every described method is served (not 404/405)
/// and every other method answers 405.
async fn served_routes_are_exactly_the_documented_ones(b: Backend) {
    use std::collections::BTreeSet;
    let Some(ctx) = Ctx::new(b).await else { return };
    let r = ctx.call(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let described = pecyn_tracker::http::openapi::routes();
    let served_json: BTreeSet<(String, String)> = r.json["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .expect("path item")
                .keys()
                .filter(|k| matches!(k.as_str(), "get" | "put" | "post" | "delete" | "patch"))
                .map(move |m| (m.clone(), path.clone()))
        })
        .collect();
    let described_set: BTreeSet<(String, String)> = described
        .iter()
        .map(|(m, p)| ((*m).to_owned(), p.clone()))
        .collect();
    assert_eq!(
        served_json, described_set,
        "/openapi.json is the generated description"
    );
    // Paths the router source routes.
    let router = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http/router.rs"),
    )
    .expect("router source");
    let mut routed = BTreeSet::new();
    let mut rest = router.as_str();
    while let Some(i) = rest.find(".route(") {
        rest = &rest[i + ".route(".len()..];
        let lit = rest.trim_start();
        if let Some(lit) = lit.strip_prefix('"') {
            routed.insert(lit[..lit.find('"').expect("closing quote")].to_owned());
        }
    }
    let described_paths: BTreeSet<String> = described.iter().map(|(_, p)| p.clone()).collect();
    assert!(
        routed.len() > 10,
        "found the routes in router.rs: {routed:?}"
    );
    assert_eq!(routed, described_paths, "routed paths = described paths");
    // Every method on every described path.
    for path in &described_paths {
        let concrete = path
            .replace("{code}", "nosuchorg")
            .replace("{key_id}", "0123456789abcdef");
        for method in [
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ] {
            let documented =
                described_set.contains(&(method.as_str().to_ascii_lowercase(), path.clone()));
            let r = ctx.call(method.clone(), &concrete, None, None).await;
            if documented {
                assert_ne!(
                    r.status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path} is described but not served"
                );
                assert!(
                    !(r.status == StatusCode::NOT_FOUND
                        && r.json["error"]["message"] == "route not found"),
                    "{method} {path} is described but not routed: {}",
                    r.text
                );
            } else {
                assert_eq!(
                    r.status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path} is served but not described: {}",
                    r.text
                );
            }
        }
    }
    // Each key role is a security scheme; errors have a schema.
    for scheme in [
        "platform_key",
        "org_admin_key",
        "reader_key",
        "ingest_key",
        "xapi_basic",
    ] {
        assert!(
            r.json["components"]["securitySchemes"][scheme].is_object(),
            "security scheme {scheme}"
        );
    }
    assert!(r.json["components"]["schemas"]["ErrorBody"].is_object());
    assert!(r.json["components"]["schemas"]["EventIn"].is_object());
    // The description matches the server: reading statements needs an org admin key.
    let get_security = &r.json["paths"]["/xapi/statements"]["get"]["security"];
    assert!(
        !get_security.to_string().contains("ingest_key"),
        "GET /xapi/statements refuses ingest keys: {get_security}"
    );
}

/// Times in answers are RFC 3339 strings (stored as Unix milliseconds).
async fn api_times_are_rfc3339(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    ctx.import_catalogue().await;
    let org = ctx.create_org("wrecsam").await;
    ctx.post("/api/v1/events", &org.ingest, event("u", "completed"))
        .await;
    let is_time = |v: &serde_json::Value| {
        v.as_str()
            .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok() && s.ends_with('Z'))
    };
    let r = ctx
        .call(Method::GET, "/api/v1/events", Some(&org.admin), None)
        .await;
    for f in ["occurred_at", "received_at"] {
        assert!(is_time(&r.json["events"][0][f]), "{f}: {}", r.text);
    }
    let r = ctx
        .call(Method::GET, "/api/v1/org", Some(&org.admin), None)
        .await;
    assert!(is_time(&r.json["created_at"]), "{}", r.text);
    let r = ctx
        .call(
            Method::GET,
            "/api/v1/organisations/wrecsam/keys",
            Some(ADMIN_TOKEN),
            None,
        )
        .await;
    assert!(is_time(&r.json["keys"][0]["created_at"]), "{}", r.text);
    assert!(r.json["keys"][0]["revoked_at"].is_null(), "{}", r.text);
}
