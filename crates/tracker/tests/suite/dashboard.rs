//! The `/reports` dashboard: sessions and CSRF in-process on both
//! databases, and the whole journey in headless Chromium
//! (`tests/browser/reports.mjs`) against a real listening server.

use std::path::PathBuf;
use std::process::Command;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};

use crate::common::*;
use crate::dual;

dual!(sessions_and_csrf);

fn form(path: &str, body: &str, cookie: Option<&str>, proto: Option<&str>) -> Request<Body> {
    let mut b = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    if let Some(p) = proto {
        b = b.header("x-forwarded-proto", p);
    }
    b.body(Body::from(body.to_owned())).expect("request")
}

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::builder().uri(path);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::empty()).expect("request")
}

fn set_cookie(r: &Resp, name: &str) -> Option<String> {
    r.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

fn value(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .and_then(|kv| kv.split_once('='))
        .map(|(_, v)| v.to_owned())
        .unwrap_or_default()
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    html.split_once(&marker)
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(v, _)| v.to_owned())
        .unwrap_or_default()
}

/// Signs in with `token`; returns the session cookie header value.
async fn sign_in(ctx: &Ctx, token: &str, proto: Option<&str>) -> (Resp, Option<String>) {
    let page = ctx.send(get("/reports", None)).await;
    assert_eq!(page.status, StatusCode::OK);
    let pre = value(&set_cookie(&page, "pecyn_signin").expect("sign-in cookie"));
    let csrf = hidden(&page.text, "csrf");
    assert_eq!(pre, csrf);
    let r = ctx
        .send(form(
            "/reports/sign-in",
            &format!("key={token}&csrf={csrf}"),
            Some(&format!("pecyn_signin={pre}")),
            proto,
        ))
        .await;
    let session = set_cookie(&r, "pecyn_session");
    (r, session)
}

async fn sessions_and_csrf(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    ctx.import_catalogue().await;
    let org = ctx.create_org("monmouth").await;

    // Without a session: the sign-in page, which needs no script.
    let page = ctx.send(get("/reports?ui=cy", None)).await;
    assert!(page.text.contains("lang=\"cy\""), "{}", page.text);
    assert!(!page.text.contains("<script"));
    assert!(page.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap_or("")
        .contains("default-src 'none'"));

    // A wrong CSRF token, an ingest key and a bad key are all refused.
    let r = ctx
        .send(form(
            "/reports/sign-in",
            &format!("key={}&csrf={}", org.reader, "0".repeat(64)),
            Some(&format!("pecyn_signin={}", "1".repeat(64))),
            None,
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(set_cookie(&r, "pecyn_session").is_none());
    for bad in [org.ingest.as_str(), "pct_nope_nope", ""] {
        let (r, s) = sign_in(&ctx, bad, None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{bad}");
        assert!(s.is_none());
        assert!(r.text.contains("role=\"alert\""));
    }

    // The reader key: a session cookie with the right flags.
    let (r, s) = sign_in(&ctx, &org.reader, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let s = s.expect("session cookie");
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/reports", "Max-Age=28800"] {
        assert!(s.contains(flag), "{s}");
    }
    assert!(!s.contains("Secure"), "plain HTTP: no Secure flag");
    let cookie = format!("pecyn_session={}", value(&s));
    let dash = ctx.send(get("/reports", Some(&cookie))).await;
    assert_eq!(dash.status, StatusCode::OK);
    assert!(dash.text.contains("Uptake and funding"), "{}", dash.text);
    assert!(dash.text.contains("<svg") && dash.text.contains("<desc"));
    // Only the hash of the cookie value is stored.
    let stored: Vec<(String,)> = match ctx.db() {
        pecyn_tracker::store::Db::Sqlite(p) => sqlx::query_as("SELECT id_hash FROM dashboard_sessions").fetch_all(p).await.expect("q"),
        pecyn_tracker::store::Db::Postgres(p) => sqlx::query_as("SELECT id_hash FROM dashboard_sessions").fetch_all(p).await.expect("q"),
    };
    assert!(stored.iter().all(|(h,)| *h != value(&s)));
    let csv = ctx.send(get("/reports/uptake.csv?group_by=org", Some(&cookie))).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.text.starts_with('\u{feff}'));

    // Behind a TLS proxy the cookie is Secure.
    let (_, s2) = sign_in(&ctx, &org.reader, Some("https")).await;
    assert!(s2.expect("cookie").contains("; Secure"));

    // Sign-out needs the session's CSRF token.
    let r = ctx.send(form("/reports/sign-out", "csrf=bad", Some(&cookie), None)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(ctx.send(get("/reports/uptake.csv", Some(&cookie))).await.status, StatusCode::OK);
    let csrf = hidden(&dash.text, "csrf");
    let r = ctx.send(form("/reports/sign-out", &format!("csrf={csrf}"), Some(&cookie), None)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(ctx.send(get("/reports/uptake.csv", Some(&cookie))).await.status, StatusCode::UNAUTHORIZED);

    // Revoking the key ends its sessions at once.
    let (_, s3) = sign_in(&ctx, &org.admin, None).await;
    let cookie3 = format!("pecyn_session={}", value(&s3.expect("cookie")));
    assert_eq!(ctx.send(get("/reports/uptake.csv", Some(&cookie3))).await.status, StatusCode::OK);
    let admin_id = org.admin.split('_').nth(1).unwrap_or_default().to_owned();
    let r = ctx.call(Method::DELETE, &format!("/api/v1/keys/{admin_id}"), Some(ADMIN_TOKEN), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert_eq!(ctx.send(get("/reports/uptake.csv", Some(&cookie3))).await.status, StatusCode::UNAUTHORIZED);
}

fn browser_ready(harness: &std::path::Path) -> bool {
    let chromium = std::env::var_os("CHROMIUM").map(PathBuf::from).unwrap_or_else(|| "/usr/bin/chromium".into());
    let node = Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    let ok = harness.join("node_modules").join("playwright-core").is_dir() && chromium.is_file() && node;
    if !ok {
        assert!(
            std::env::var("CI").map(|v| v != "true").unwrap_or(true),
            "CI=true but the dashboard browser test cannot run: needs `npm ci --prefix tests/browser`, node and chromium"
        );
        eprintln!("SKIPPED: dashboard browser test (needs `npm ci --prefix tests/browser`, node and chromium)");
    }
    ok
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_in_chromium() {
    let harness = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/browser");
    if !browser_ready(&harness) {
        return;
    }
    let Some(ctx) = Ctx::new(Backend::Sqlite).await else { return };
    ctx.import_catalogue().await;
    let gower = ctx.create_org("gower").await;
    let r = ctx
        .call(
            Method::PATCH,
            "/api/v1/organisations/gower",
            Some(ADMIN_TOKEN),
            Some(json!({"status": "active"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let other = ctx.create_org("brecon").await;
    for (org, n, pkg) in [(&gower, 12, PKG_CY), (&other, 3, PKG_EN)] {
        let evs: Vec<Value> = (0..n)
            .map(|i| json!({"id": uuid(), "learner": format!("l{i}"), "package": pkg, "verb": "passed",
                            "score": 70 + i, "duration_seconds": 600, "timestamp": "2026-05-01T10:00:00Z"}))
            .collect();
        let r = ctx.post("/api/v1/events", &org.ingest, Value::Array(evs)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    let r = ctx
        .call(Method::PUT, "/api/v1/org/public-listing", Some(&gower.admin), Some(json!({"listed": true})))
        .await;
    assert_eq!(r.status, StatusCode::OK);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = ctx.app.clone();
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("dashboard-screenshots");
    let script = harness.join("reports.mjs");
    let origin = format!("http://{addr}");
    let token = gower.reader.clone();
    let run = tokio::task::spawn_blocking(move || {
        Command::new("node").arg(script).arg(origin).arg(token).arg(&out).output()
    })
    .await
    .expect("join")
    .expect("node runs");
    server.abort();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    println!("{report}");
    assert!(run.status.success(), "dashboard browser test failed:\n{report}");
    assert!(report.contains("dashboard: 0 failed"), "{report}");
}
