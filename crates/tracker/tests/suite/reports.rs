//! Reports: rollups kept exact by ingest under re-delivery, CSV re-import,
//! erasure and retention; report arithmetic on a hand-checked data set
//! including the clock change.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use pecyn_tracker::domain::reports::period::london_day;
use pecyn_tracker::domain::reports::query::{RawQuery, UptakeQuery};
use pecyn_tracker::domain::reports::suppress::Count;
use pecyn_tracker::domain::reports::uptake::{self, Viewer};
use pecyn_tracker::store::reports as store;
use pecyn_tracker::store::Db;
use serde_json::{json, Value};

use crate::common::*;
use crate::dual;

dual!(
    rollups_match_events_through_every_path,
    report_arithmetic_by_every_grouping
);

type Daily = BTreeMap<(i64, String, i64), (i64, i64, i64)>;
type Hist = BTreeMap<(i64, String, i64, String, i64), i64>;

type EventRow = (
    i64,
    i64,
    String,
    String,
    String,
    Option<f64>,
    Option<i64>,
    i64,
);

async fn fetch<T>(db: &Db, sql: &str) -> Vec<T>
where
    T: Send + Unpin,
    for<'r> T:
        sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + sqlx::FromRow<'r, sqlx::postgres::PgRow>,
{
    match db {
        Db::Sqlite(p) => sqlx::query_as(sql).fetch_all(p).await.expect("query"),
        Db::Postgres(p) => sqlx::query_as(sql).fetch_all(p).await.expect("query"),
    }
}

/// The rollups recomputed from scratch from the events table, in Rust.
async fn recomputed(db: &Db) -> (Daily, Hist) {
    let events: Vec<EventRow> = fetch(
        db,
        "SELECT id, org_id, package_id, learner, verb, score, duration_s, occurred_at FROM events ORDER BY occurred_at, id",
    )
    .await;
    // (org, package, learner) → first, first completion (with score, duration), first pass
    type First = (i64, Option<(i64, Option<f64>, Option<i64>)>, Option<i64>);
    let mut firsts: BTreeMap<(i64, String, String), First> = BTreeMap::new();
    for (_, org, pkg, learner, verb, score, dur, at) in events {
        let e = firsts
            .entry((org, pkg, learner))
            .or_insert((at, None, None));
        let completion = verb == "completed" || verb == "passed";
        if completion && e.1.is_none() {
            e.1 = Some((at, score, dur));
        }
        if verb == "passed" && e.2.is_none() {
            e.2 = Some(at);
        }
    }
    let mut daily = Daily::new();
    let mut hist = Hist::new();
    for ((org, pkg, _), (first, completed, passed)) in firsts {
        daily
            .entry((org, pkg.clone(), london_day(first)))
            .or_default()
            .0 += 1;
        if let Some((at, score, dur)) = completed {
            let d = london_day(at);
            daily.entry((org, pkg.clone(), d)).or_default().1 += 1;
            if let Some(s) = score {
                *hist
                    .entry((org, pkg.clone(), d, "score".into(), s.round() as i64))
                    .or_default() += 1;
            }
            if let Some(s) = dur {
                *hist
                    .entry((org, pkg.clone(), d, "minutes".into(), (s / 60).min(600)))
                    .or_default() += 1;
            }
        }
        if let Some(at) = passed {
            daily.entry((org, pkg, london_day(at))).or_default().2 += 1;
        }
    }
    (daily, hist)
}

async fn stored(db: &Db) -> (Daily, Hist) {
    let d: Vec<(i64, String, i64, i64, i64, i64)> = fetch(
        db,
        "SELECT org_id, package_id, day, started, completed, passed FROM report_daily",
    )
    .await;
    let h: Vec<(i64, String, i64, String, i64, i64)> = fetch(
        db,
        "SELECT org_id, package_id, day, kind, bucket, n FROM report_hist",
    )
    .await;
    (
        d.into_iter()
            .map(|(o, p, day, s, c, x)| ((o, p, day), (s, c, x)))
            .collect(),
        h.into_iter()
            .map(|(o, p, day, k, b, n)| ((o, p, day, k, b), n))
            .collect(),
    )
}

async fn assert_rollups_exact(ctx: &Ctx, when: &str) {
    let want = recomputed(ctx.db()).await;
    let got = stored(ctx.db()).await;
    assert_eq!(got.0, want.0, "report_daily after {when}");
    assert_eq!(got.1, want.1, "report_hist after {when}");
}

fn ev(
    learner: &str,
    pkg: &str,
    verb: &str,
    at: &str,
    score: Option<f64>,
    mins: Option<i64>,
) -> Value {
    json!({"id": uuid(), "learner": learner, "package": pkg, "verb": verb, "timestamp": at,
           "score": score, "duration_seconds": mins.map(|m| m * 60)})
}

async fn post_events(ctx: &Ctx, token: &str, events: &[Value]) -> Value {
    let r = ctx
        .post("/api/v1/events", token, Value::Array(events.to_vec()))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json
}

async fn rollups_match_events_through_every_path(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    ctx.import_catalogue().await;
    let org = ctx.create_org("gwynedd").await;
    let other = ctx.create_org("conwy").await;
    // Out of order: the completion arrives before the start.
    let batch = vec![
        ev(
            "u1",
            PKG_EN,
            "completed",
            "2026-05-03T10:00:00Z",
            Some(70.0),
            Some(20),
        ),
        ev("u1", PKG_EN, "started", "2026-05-01T10:00:00Z", None, None),
        ev(
            "u1",
            PKG_EN,
            "passed",
            "2026-05-04T10:00:00Z",
            Some(90.0),
            Some(25),
        ),
        ev("u2", PKG_CY, "started", "2026-03-28T23:30:00Z", None, None),
        ev(
            "u2",
            PKG_CY,
            "passed",
            "2026-03-29T23:30:00Z",
            Some(80.4),
            Some(9),
        ),
        ev(
            "u3",
            PKG_EN,
            "failed",
            "2026-06-01T09:00:00Z",
            Some(40.0),
            Some(5),
        ),
    ];
    post_events(&ctx, &org.ingest, &batch).await;
    post_events(&ctx, &other.ingest, &batch[..3]).await;
    assert_rollups_exact(&ctx, "ingest").await;
    let (daily, _) = stored(ctx.db()).await;
    assert_eq!(daily.values().map(|v| v.0).sum::<i64>(), 4, "{daily:?}");

    // Re-delivery: the same ids again count nothing.
    let again = post_events(&ctx, &org.ingest, &batch).await;
    assert_eq!(again["duplicates"], 6);
    assert_eq!(stored(ctx.db()).await.0, daily);
    assert_rollups_exact(&ctx, "re-delivery").await;

    // An earlier completion arriving late moves the first completion back.
    post_events(
        &ctx,
        &org.ingest,
        &[ev(
            "u1",
            PKG_EN,
            "completed",
            "2026-05-02T08:00:00Z",
            Some(60.0),
            Some(30),
        )],
    )
    .await;
    assert_rollups_exact(&ctx, "a late earlier completion").await;

    // CSV import, then the same file again.
    let csv = "learner,package,verb,timestamp,score,duration_seconds\n\
        u4,pecyn_passwords_en_standard_scorm12,started,2026-05-01T09:00:00Z,,\n\
        u4,pecyn_passwords_en_standard_scorm12,passed,2026-05-01T09:20:00Z,88,1200\n\
        u1,pecyn_passwords_en_standard_scorm12,passed,2026-04-30T09:20:00Z,95,600\n";
    for round in 0..2 {
        let req = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/imports?filename=lms.csv")
            .header(header::AUTHORIZATION, format!("Bearer {}", org.admin))
            .header(header::CONTENT_TYPE, "text/csv")
            .body(Body::from(csv))
            .expect("request");
        let r = ctx.send(req).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json["accepted"], if round == 0 { 3 } else { 0 });
        assert_rollups_exact(&ctx, "CSV import").await;
    }

    // Erasure of u1 removes every trace of them, and only them.
    let r = ctx
        .post("/api/v1/erasure", &org.admin, json!({"learner": "u1"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_rollups_exact(&ctx, "erasure").await;
    let firsts: Vec<(i64,)> = fetch(ctx.db(), "SELECT COUNT(*) FROM learner_firsts").await;
    assert_eq!(firsts[0].0, 4, "u2, u3, u4 of gwynedd and u1 of conwy");

    // Retention: events before the cut-off go, and with them their firsts.
    let r = ctx
        .call(
            Method::PUT,
            "/api/v1/org/retention",
            Some(&org.admin),
            Some(json!({"months": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let now = chrono::DateTime::parse_from_rfc3339("2026-06-15T00:00:00Z")
        .expect("date")
        .with_timezone(&chrono::Utc);
    let n = pecyn_tracker::store::privacy::purge_expired(ctx.db(), now)
        .await
        .expect("purge");
    assert!(n >= 4, "{n}");
    assert_rollups_exact(&ctx, "retention purge").await;
}

fn q(pairs: &[(&str, &str)]) -> UptakeQuery {
    let mut raw = RawQuery {
        from: Some("2026-01-01".into()),
        to: Some("2026-12-31".into()),
        ..RawQuery::default()
    };
    for (k, v) in pairs {
        let v = Some((*v).to_owned());
        match *k {
            "group_by" => raw.group_by = v,
            "from" => raw.from = v,
            "to" => raw.to = v,
            "lang" => raw.lang = v,
            "variant" => raw.variant = v,
            "module" => raw.module = v,
            "org" => raw.org = v,
            "kind" => raw.kind = v,
            "region" => raw.region = v,
            "scorm" => raw.scorm = v,
            _ => panic!("{k}"),
        }
    }
    UptakeQuery::parse(&raw, 20_600).expect("query parses")
}

async fn report(ctx: &Ctx, query: &UptakeQuery) -> uptake::Uptake {
    let orgs = store::org_infos(ctx.db()).await.expect("orgs");
    let (facts, hists) = store::uptake_facts(ctx.db(), query).await.expect("facts");
    uptake::build(query, Viewer::Platform, &orgs, &facts, &hists)
}

fn keyed(u: &uptake::Uptake) -> Vec<(String, Count, Count, Count)> {
    u.rows
        .iter()
        .map(|r| {
            (
                r.key.join("/"),
                r.figures.started,
                r.figures.completed,
                r.figures.passed,
            )
        })
        .collect()
}

async fn report_arithmetic_by_every_grouping(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    ctx.import_catalogue().await;
    let a = ctx.create_org("powys").await;
    let c = ctx.create_org("ceredigion").await;
    const PKG_ACC: &str = "pecyn_phishing_en_accessible_scorm2004";
    // powys: l1 en passes 31 Mar 23:30 UTC = 1 Apr London (BST);
    //        l2 cy completes 31 Jan; l3 accessible starts 30 Jun 23:30 UTC = 1 Jul.
    // ceredigion: m1 cy passes 25 Oct 00:30 UTC (BST, still 25 Oct);
    //             m2 en starts only, 29 Mar 00:30 UTC (GMT: 29 Mar).
    post_events(
        &ctx,
        &a.ingest,
        &[
            ev("l1", PKG_EN, "started", "2026-03-31T22:00:00Z", None, None),
            ev(
                "l1",
                PKG_EN,
                "passed",
                "2026-03-31T23:30:00Z",
                Some(90.0),
                Some(12),
            ),
            ev(
                "l2",
                PKG_CY,
                "completed",
                "2026-01-31T12:00:00Z",
                Some(50.0),
                Some(30),
            ),
            ev("l3", PKG_ACC, "started", "2026-06-30T23:30:00Z", None, None),
        ],
    )
    .await;
    post_events(
        &ctx,
        &c.ingest,
        &[
            ev(
                "m1",
                PKG_CY,
                "passed",
                "2026-10-25T00:30:00Z",
                Some(70.0),
                Some(20),
            ),
            ev("m2", PKG_EN, "started", "2026-03-29T00:30:00Z", None, None),
        ],
    )
    .await;
    let e = |n| Count::Exact(n);

    let t = report(&ctx, &q(&[])).await;
    assert_eq!(
        (t.total.started, t.total.completed, t.total.passed),
        (e(5), e(3), e(2))
    );
    assert_eq!(t.total.median_score, Some(70));
    assert_eq!(t.total.median_minutes, Some(20));
    assert_eq!(t.total.welsh_share, Some(2.0 / 3.0));
    assert_eq!(t.total.completed_accessible, e(0));

    let by_month = report(&ctx, &q(&[("group_by", "month")])).await;
    assert_eq!(
        keyed(&by_month),
        vec![
            ("2026-01".into(), e(1), e(1), e(0)),
            ("2026-03".into(), e(2), e(0), e(0)),
            ("2026-04".into(), e(0), e(1), e(1)),
            ("2026-07".into(), e(1), e(0), e(0)),
            ("2026-10".into(), e(1), e(1), e(1)),
        ]
    );
    let by_quarter = report(&ctx, &q(&[("group_by", "quarter,lang")])).await;
    assert_eq!(
        keyed(&by_quarter),
        vec![
            ("2026-Q1/cy".into(), e(1), e(1), e(0)),
            ("2026-Q1/en".into(), e(2), e(0), e(0)),
            ("2026-Q2/en".into(), e(0), e(1), e(1)),
            ("2026-Q3/en".into(), e(1), e(0), e(0)),
            ("2026-Q4/cy".into(), e(1), e(1), e(1)),
        ]
    );
    let by_week = report(
        &ctx,
        &q(&[
            ("group_by", "week"),
            ("from", "2026-03-23"),
            ("to", "2026-04-05"),
        ]),
    )
    .await;
    assert_eq!(
        keyed(&by_week),
        vec![
            ("2026-W13".into(), e(1), e(0), e(0)),
            ("2026-W14".into(), e(1), e(1), e(1))
        ]
    );
    let by_org_module = report(&ctx, &q(&[("group_by", "org,module,variant,scorm")])).await;
    assert_eq!(
        keyed(&by_org_module),
        vec![
            ("ceredigion/passwords/standard/1.2".into(), e(2), e(1), e(1)),
            ("powys/passwords/standard/1.2".into(), e(2), e(2), e(1)),
            ("powys/phishing/accessible/2004".into(), e(1), e(0), e(0)),
        ]
    );
    let by_kind = report(&ctx, &q(&[("group_by", "kind,region")])).await;
    assert_eq!(
        keyed(&by_kind),
        vec![("welsh_principal_council/Wales".into(), e(5), e(3), e(2))]
    );
    // Filters: each narrows as expected.
    for (filter, started) in [
        (("lang", "cy"), 2),
        (("variant", "accessible"), 1),
        (("module", "phishing"), 1),
        (("org", "ceredigion"), 2),
        (("scorm", "1.2"), 4),
        (("kind", "county"), 0),
        (("region", "Wales"), 5),
    ] {
        let r = report(&ctx, &q(&[filter])).await;
        assert_eq!(r.total.started, e(started), "{filter:?}");
    }
    // A range ending before the clock change's London day excludes it.
    let r = report(&ctx, &q(&[("from", "2026-04-01"), ("to", "2026-04-01")])).await;
    assert_eq!(r.total.passed, e(1), "31 Mar 23:30 UTC is 1 Apr in London");
    let r = report(&ctx, &q(&[("from", "2026-03-31"), ("to", "2026-03-31")])).await;
    assert_eq!(r.total.passed, e(0));
}
