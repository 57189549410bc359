//! Load generator and raw-ceiling probes for the tracker benchmark
//! (`benches/run.sh` drives it; see BENCHMARKS.md).
//!
//! - `open URL TOKEN RATE SECS`: offers RATE single-event POSTs a second for
//!   SECS seconds, open loop (latency measured from each request's scheduled
//!   start, so a stalled server is not hidden); prints achieved rate and
//!   p50/p90/p99/max latency.
//! - `batch URL TOKEN SIZE SECS CONNS`: CONNS connections posting batches of
//!   SIZE events back to back; prints events/s.
//! - `trivial ADDR`: serves a trivial axum route that parses one event and
//!   answers 202 (the HTTP ceiling on this machine).
//! - `raw DATABASE_URL ROWS`: multi-row INSERTs (250 rows a statement, 1,000
//!   rows a transaction) straight into the tracker schema (the database
//!   ceiling), printing rows/s.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

fn event(i: u64) -> Value {
    json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "learner": format!("learner-{}", i % 5000),
        "package": "pecyn_passwords_en_standard_scorm12",
        "verb": if i % 3 == 0 { "started" } else { "completed" },
        "score": (i % 101) as f64,
        "duration_seconds": 600,
        "timestamp": "2026-05-01T10:00:00Z"
    })
}

fn pct(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

async fn open_loop(url: String, token: String, rate: u64, secs: u64) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(512)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let lat = Arc::new(Mutex::new(Vec::with_capacity((rate * secs) as usize)));
    let errors = Arc::new(AtomicU64::new(0));
    let statuses = Arc::new(Mutex::new(std::collections::BTreeMap::<u16, u64>::new()));
    let total = rate * secs;
    let start = Instant::now();
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let mut tasks = Vec::with_capacity(total as usize);
    // At most 512 requests (connections) in flight; latency still counts
    // from the scheduled start, so a queue here is charged to the server.
    let slots = Arc::new(tokio::sync::Semaphore::new(512));
    for i in 0..total {
        let scheduled = start + interval * i as u32;
        let now = Instant::now();
        if scheduled > now {
            tokio::time::sleep_until(scheduled.into()).await;
        }
        let (client, url, token, lat, errors, statuses) = (
            client.clone(),
            url.clone(),
            token.clone(),
            lat.clone(),
            errors.clone(),
            statuses.clone(),
        );
        let body = event(i).to_string();
        let slot = slots.clone().acquire_owned().await.expect("semaphore");
        tasks.push(tokio::spawn(async move {
            let _slot = slot;
            let r = client
                .post(&url)
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await;
            match r {
                Ok(r) => {
                    let s = r.status().as_u16();
                    let _ = r.bytes().await;
                    let us = scheduled.elapsed().as_micros() as u64;
                    lat.lock().expect("lock").push(us);
                    *statuses.lock().expect("lock").entry(s).or_default() += 1;
                }
                Err(_) => {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let mut l = lat.lock().expect("lock").clone();
    l.sort_unstable();
    let statuses = statuses.lock().expect("lock").clone();
    println!(
        "offered {rate}/s for {secs}s: completed {} in {elapsed:.2}s = {:.0}/s; statuses {statuses:?}; errors {}; \
         latency ms p50 {:.2} p90 {:.2} p99 {:.2} max {:.2}",
        l.len(),
        l.len() as f64 / elapsed,
        errors.load(Ordering::Relaxed),
        pct(&l, 0.50),
        pct(&l, 0.90),
        pct(&l, 0.99),
        pct(&l, 1.0),
    );
}

async fn batches(url: String, token: String, size: u64, secs: u64, conns: u64) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let events = Arc::new(AtomicU64::new(0));
    let requests = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..conns {
        let (client, url, token, events, requests) = (
            client.clone(),
            url.clone(),
            token.clone(),
            events.clone(),
            requests.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut n = c * 1_000_000_000;
            while Instant::now() < deadline {
                let batch: Vec<Value> = (0..size)
                    .map(|_| {
                        n += 1;
                        event(n)
                    })
                    .collect();
                let body = serde_json::to_vec(&batch).expect("json");
                let r = client
                    .post(&url)
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .expect("send");
                let status = r.status();
                let v: Value = r.json().await.unwrap_or(Value::Null);
                assert!(status.is_success(), "status {status}: {v}");
                events.fetch_add(v["accepted"].as_u64().unwrap_or(0), Ordering::Relaxed);
                requests.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    let e = start.elapsed().as_secs_f64();
    let n = events.load(Ordering::Relaxed);
    println!(
        "batches of {size} on {conns} connections for {e:.1}s: {} requests, {n} events accepted = {:.0} events/s",
        requests.load(Ordering::Relaxed),
        n as f64 / e
    );
}

async fn trivial(addr: String) {
    use axum::routing::post;
    async fn h(axum::Json(v): axum::Json<Value>) -> (axum::http::StatusCode, &'static str) {
        std::hint::black_box(v);
        (axum::http::StatusCode::ACCEPTED, "{\"accepted\":1}")
    }
    let app = axum::Router::new().route("/api/v1/events", post(h));
    let l = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    println!(
        "trivial listening on http://{}",
        l.local_addr().expect("addr")
    );
    axum::serve(l, app).await.expect("serve");
}

async fn raw(url: String, rows: u64) {
    use pecyn_tracker::store::{Db, PoolConfig};
    let full = std::env::var("PECYN_TRACKER_SQLITE_SYNC").map_or(true, |v| v != "normal");
    let db = Db::connect(
        &url,
        &PoolConfig {
            sqlite_full_sync: full,
            ..PoolConfig::default()
        },
    )
    .await
    .expect("db");
    db.migrate().await.expect("migrate");
    // One organisation to satisfy the foreign key.
    let org = pecyn_tracker::store::orgs::create_org(
        &db,
        &serde_json::from_value(
            json!({"code": format!("raw-{}", uuid::Uuid::new_v4().simple()),
            "name_en": "Raw", "name_cy": "Raw", "kind": "other", "region": "x"}),
        )
        .expect("org"),
    )
    .await
    .expect("create org");
    let start = Instant::now();
    let mut done = 0u64;
    while done < rows {
        let n = (rows - done).min(1000);
        let items: Vec<(String, String)> = (0..n)
            .map(|i| {
                (
                    uuid::Uuid::new_v4().to_string(),
                    format!("{:064x}", done + i),
                )
            })
            .collect();
        pecyn_tracker::on_db!(&db, pool => {
            let mut tx = pool.begin().await.expect("begin");
            for chunk in items.chunks(250) {
                let mut qb = sqlx::QueryBuilder::new(
                    "INSERT INTO events (org_id, event_id, learner, package_id, package_version, edition, \
                     verb, score, duration_s, occurred_at, received_at, source) ",
                );
                qb.push_values(chunk, |mut b, (id, learner)| {
                    b.push_bind(org.id).push_bind(id).push_bind(learner)
                        .push_bind("pecyn_passwords_en_standard_scorm12").push_bind("1.0.0")
                        .push_bind(None::<String>).push_bind("completed").push_bind(Some(80.0))
                        .push_bind(Some(600i64)).push_bind(0i64).push_bind(0i64).push_bind("api");
                });
                qb.push(" ON CONFLICT (org_id, event_id) DO NOTHING");
                qb.build().execute(&mut *tx).await.expect("insert");
            }
            tx.commit().await.expect("commit");
        });
        done += n;
    }
    let e = start.elapsed().as_secs_f64();
    println!(
        "raw {}{}: {rows} rows in {e:.2}s = {:.0} rows/s",
        db.backend(),
        if db.backend() == "sqlite" {
            if full {
                " (synchronous=FULL)"
            } else {
                " (synchronous=NORMAL)"
            }
        } else {
            ""
        },
        rows as f64 / e
    );
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
    let num = |i: usize| arg(i).parse::<u64>().unwrap_or(0);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    match arg(0).as_str() {
        "open" => rt.block_on(open_loop(arg(1), arg(2), num(3).max(1), num(4).max(1))),
        "batch" => rt.block_on(batches(arg(1), arg(2), num(3).max(1), num(4).max(1), num(5).max(1))),
        "trivial" => rt.block_on(trivial(arg(1))),
        "raw" => rt.block_on(raw(arg(1), num(2).max(1000))),
        _ => eprintln!(
            "usage: loadgen open URL TOKEN RATE SECS | batch URL TOKEN SIZE SECS CONNS | trivial ADDR | raw DATABASE_URL ROWS"
        ),
    }
}
