//! The reports API: every endpoint × every key role × own/foreign
//! organisation, CSV downloads, and bad input.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};

use crate::common::*;
use crate::dual;

dual!(
    role_matrix,
    csv_downloads_open_as_a_spreadsheet,
    bad_report_input_is_a_400
);

fn ev(learner: &str, verb: &str) -> Value {
    json!({"id": uuid(), "learner": learner, "package": PKG_CY, "verb": verb,
           "score": 75, "duration_seconds": 600, "timestamp": "2026-05-01T10:00:00Z"})
}

async fn seed(ctx: &Ctx) -> (Org, Org) {
    ctx.import_catalogue().await;
    let a = ctx.create_org("torfaen").await;
    let b = ctx.create_org("caerphilly").await;
    // torfaen: 2 completers (small); caerphilly: 6 completers.
    let ea: Vec<Value> = (0..2).map(|i| ev(&format!("a{i}"), "completed")).collect();
    let eb: Vec<Value> = (0..6).map(|i| ev(&format!("b{i}"), "completed")).collect();
    for (org, evs) in [(&a, ea), (&b, eb)] {
        let r = ctx
            .post("/api/v1/events", &org.ingest, Value::Array(evs))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    (a, b)
}

const RANGE: &str = "from=2026-01-01&to=2026-12-31";

/// The completed figure of each organisation in `group_by=org`.
fn completed_by_org(v: &Value) -> Vec<(String, Value)> {
    v["rows"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| {
                    (
                        r["key"][0].as_str().unwrap_or("").to_owned(),
                        r["completed"].clone(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn put(ctx: &Ctx, path: &str, token: Option<&str>, body: Value) -> Resp {
    ctx.call(Method::PUT, path, token, Some(body)).await
}

async fn role_matrix(bk: Backend) {
    let Some(ctx) = Ctx::new(bk).await else {
        return;
    };
    let (a, b) = seed(&ctx).await;
    let uptake = format!("/api/v1/reports/uptake?{RANGE}&group_by=org");
    let funding = format!("/api/v1/reports/funding?{RANGE}");
    let fewer = json!({"fewer_than": 5});

    // Platform: everything exact.
    let r = ctx.get(&uptake, ADMIN_TOKEN).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        completed_by_org(&r.json),
        vec![
            ("caerphilly".into(), json!(6)),
            ("torfaen".into(), json!(2))
        ]
    );
    assert_eq!(r.json["total"]["completed"], 8);
    // Own organisation exact, the other suppressed when small — both ways.
    for (own, other, own_code, own_n, other_code, other_n) in [
        (&a, &b, "torfaen", json!(2), "caerphilly", json!(6)),
        (&b, &a, "caerphilly", json!(6), "torfaen", fewer.clone()),
    ] {
        let _ = other;
        for token in [&own.admin, &own.reader] {
            let r = ctx.get(&uptake, token).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
            let got = completed_by_org(&r.json);
            assert!(
                got.contains(&(own_code.to_string(), own_n.clone())),
                "{got:?}"
            );
            assert!(
                got.contains(&(other_code.to_string(), other_n.clone())),
                "{got:?}"
            );
            let f = ctx.get(&funding, token).await;
            assert_eq!(f.status, StatusCode::OK, "{}", f.text);
            let row = f.json["rows"]
                .as_array()
                .and_then(|rows| rows.iter().find(|x| x["org"] == other_code).cloned())
                .unwrap_or_default();
            assert_eq!(row["completed"], other_n, "{}", f.text);
        }
    }
    let r = ctx.get(&uptake, &b.reader).await;
    assert_eq!(r.json["total"]["completed"], json!({"at_least": 6}));
    assert_eq!(r.json["suppressed"], true);

    // Ingest keys read nothing; no key is a 401.
    for path in [
        &uptake,
        &funding,
        &format!("/api/v1/reports/uptake.csv?{RANGE}"),
        &"/api/v1/org/headcount".to_string(),
    ] {
        assert_eq!(
            ctx.get(path, &a.ingest).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
        assert_eq!(
            ctx.call(Method::GET, path, None, None).await.status,
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }

    // Setters: (path, body, who may) for own and foreign organisations.
    let hc = json!({"headcount": 40});
    let fund = json!({"status": "paid", "amount_pence": 100000, "paid_on": "2026-04-01"});
    let camp = json!({"target_orgs": 500, "target_pence": 50000000});
    let listing = json!({"listed": true});
    type Case<'a> = (&'a str, &'a Value, &'a [&'a str]);
    let cases: Vec<Case> = vec![
        ("/api/v1/org/headcount", &hc, &["admin"]),
        ("/api/v1/org/public-listing", &listing, &["admin"]),
        (
            "/api/v1/organisations/torfaen/headcount",
            &hc,
            &["platform"],
        ),
        (
            "/api/v1/organisations/caerphilly/headcount",
            &hc,
            &["platform"],
        ),
        (
            "/api/v1/organisations/torfaen/funding",
            &fund,
            &["platform"],
        ),
        (
            "/api/v1/organisations/caerphilly/funding",
            &fund,
            &["platform"],
        ),
        ("/api/v1/funding/campaign", &camp, &["platform"]),
    ];
    for (path, body, allowed) in cases {
        for (who, token) in [
            ("platform", ADMIN_TOKEN),
            ("admin", a.admin.as_str()),
            ("reader", a.reader.as_str()),
            ("ingest", a.ingest.as_str()),
        ] {
            let r = put(&ctx, path, Some(token), body.clone()).await;
            let want = if allowed.contains(&who) {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(r.status, want, "{who} PUT {path}: {}", r.text);
        }
        assert_eq!(
            put(&ctx, path, None, body.clone()).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    // The headcount set by torfaen's admin is torfaen's (coverage per module).
    let r = ctx.get("/api/v1/org/headcount", &a.reader).await;
    assert_eq!(r.json["headcounts"][0]["headcount"], 40);
    let r = ctx
        .get(
            &format!("/api/v1/reports/uptake?{RANGE}&group_by=org,module"),
            &a.admin,
        )
        .await;
    let own = r.json["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|x| x["key"][0] == "torfaen").cloned())
        .unwrap_or_default();
    assert_eq!(
        (own["headcount"].clone(), own["not_yet"].clone()),
        (json!(40), json!(38)),
        "{}",
        r.text
    );
    let f = ctx.get(&funding, ADMIN_TOKEN).await;
    assert_eq!(f.json["pot_pence"], 200000);
    assert_eq!(f.json["campaign"]["target_orgs"], 500);
    let tor = f.json["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|x| x["org"] == "torfaen").cloned())
        .unwrap_or_default();
    assert_eq!(tor["cost_per_completion_pence"], 50000);

    // The public list: no key, only opted-in organisations, nothing but
    // name, kind, region and funding status.
    let r = ctx
        .call(Method::GET, "/api/v1/public/organisations", None, None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let list = r.json["organisations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(list.len(), 1, "{}", r.text);
    assert_eq!(list[0]["name_en"], "torfaen Council");
    assert_eq!(list[0]["status"], "paid");
    let mut keys: Vec<&String> = list[0]
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    keys.sort();
    assert_eq!(keys, ["kind", "name_cy", "name_en", "region", "status"]);
}

async fn csv_downloads_open_as_a_spreadsheet(bk: Backend) {
    let Some(ctx) = Ctx::new(bk).await else {
        return;
    };
    ctx.import_catalogue().await;
    let r = ctx
        .post(
            "/api/v1/organisations",
            ADMIN_TOKEN,
            json!({"code": "evil", "name_en": "=HYPERLINK(\"http://x\")", "name_cy": "Cyngor Gŵyr ŷ",
                   "kind": "other", "region": "-Wales"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let k = ctx
        .post(
            "/api/v1/organisations/evil/keys",
            ADMIN_TOKEN,
            json!({"role": "ingest"}),
        )
        .await;
    let token = k.json["token"].as_str().unwrap_or_default().to_owned();
    let r = ctx.post("/api/v1/events", &token, ev("x", "passed")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    for (path, accept) in [
        (
            format!("/api/v1/reports/uptake.csv?{RANGE}&group_by=org&ui=cy"),
            None,
        ),
        (
            format!("/api/v1/reports/uptake?{RANGE}&group_by=org&ui=cy"),
            Some("text/csv"),
        ),
        (
            format!("/api/v1/reports/funding?{RANGE}&ui=cy&format=csv"),
            None,
        ),
        (format!("/api/v1/reports/funding.csv?{RANGE}"), None),
    ] {
        let mut req = Request::builder()
            .method(Method::GET)
            .uri(&path)
            .header(header::AUTHORIZATION, format!("Bearer {ADMIN_TOKEN}"));
        if let Some(a) = accept {
            req = req.header(header::ACCEPT, a);
        }
        let resp = ctx.send(req.body(Body::empty()).expect("request")).await;
        assert_eq!(resp.status, StatusCode::OK, "{path}: {}", resp.text);
        assert_eq!(
            resp.headers[header::CONTENT_TYPE],
            "text/csv; charset=utf-8"
        );
        assert!(resp.text.starts_with('\u{feff}'), "{path}: BOM");
        let body = resp.text.trim_start_matches('\u{feff}');
        if path.contains("ui=cy") {
            assert!(body.contains("Cyngor Gŵyr ŷ"), "{body}");
        }
        let mut rd = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(body.as_bytes());
        for rec in rd.records() {
            let rec = rec.expect("CSV parses");
            for cell in rec.iter() {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{path}: {cell:?}"
                );
            }
        }
    }
}

async fn bad_report_input_is_a_400(bk: Backend) {
    let Some(ctx) = Ctx::new(bk).await else {
        return;
    };
    let (a, _) = seed(&ctx).await;
    for q in [
        "from=yesterday",
        "group_by=colour",
        "from=2026-02-01&to=2026-01-01",
        "from=2000-01-01&to=2026-01-01",
        "format=xml",
        "frm=2026-01-01",
    ] {
        let r = ctx
            .get(&format!("/api/v1/reports/uptake?{q}"), &a.reader)
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}: {}", r.text);
        assert!(r.json["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    for (path, body) in [
        ("/api/v1/org/headcount", json!({"headcount": -1})),
        (
            "/api/v1/org/headcount",
            json!({"headcount": 5, "colour": 1}),
        ),
        (
            "/api/v1/org/headcount",
            json!({"headcount": 5, "audience": "x".repeat(65)}),
        ),
    ] {
        let r = put(&ctx, path, Some(&a.admin), body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}: {}", r.text);
    }
    for body in [
        json!({"status": "promised", "amount_pence": 1}),
        json!({"status": "paid", "amount_pence": -1}),
        json!({"status": "paid", "amount_pence": 1, "paid_on": "1 April"}),
    ] {
        let r = put(
            &ctx,
            "/api/v1/organisations/torfaen/funding",
            Some(ADMIN_TOKEN),
            body,
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    }
    let r = put(
        &ctx,
        "/api/v1/organisations/nowhere/funding",
        Some(ADMIN_TOKEN),
        json!(null),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A rejected request changed nothing.
    let r = ctx.get("/api/v1/org/headcount", &a.admin).await;
    assert_eq!(r.json["headcounts"], json!([]));
}
