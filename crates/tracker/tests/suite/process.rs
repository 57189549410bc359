//! Whole-process tests on the real binary: SIGKILL in the middle of a stream
//! of acknowledged events, graceful shutdown on SIGTERM, and two instances
//! on one PostgreSQL ingesting the same stream.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pecyn_tracker::domain::catalogue::CatalogueFile;
use pecyn_tracker::keys::Role;
use pecyn_tracker::store::{catalogue, keys, orgs, Db};
use serde_json::{json, Value};

use crate::common::*;
use crate::dual;

dual!(
    sigkill_loses_no_acknowledged_event,
    sigterm_drains_and_exits,
    logs_hold_no_secrets_or_learner_ids,
    a_half_open_connection_is_closed_after_the_header_timeout
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgres_count_each_event_once() {
    two_instances(Backend::Postgres).await;
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn spawn(url: &str) -> Server {
        Self::spawn_with(url, "warn", Stdio::inherit())
    }

    fn spawn_with(url: &str, log: &str, stderr: Stdio) -> Server {
        Self::spawn_args(url, log, stderr, &[])
    }

    fn spawn_args(url: &str, log: &str, stderr: Stdio, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pecyn-tracker"))
            .args([
                "serve",
                "--database-url",
                url,
                "--listen",
                "127.0.0.1:0",
                "--rate-limit",
                "0",
                "--retention-interval",
                "0",
            ])
            .args(extra)
            .env("PECYN_TRACKER_ADMIN_TOKEN", ADMIN_TOKEN)
            .env("RUST_LOG", log)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("spawn pecyn-tracker");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read listening line");
        let base = line
            .trim()
            .strip_prefix("pecyn-tracker listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Server { child, base }
    }

    fn kill9(&mut self) {
        self.child.kill().expect("SIGKILL");
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn setup(db: &Db, code: &str) -> String {
    let file: CatalogueFile = serde_json::from_str(CATALOGUE).expect("fixture");
    catalogue::import(db, &file).await.expect("catalogue");
    let org = orgs::create_org(
        db,
        &serde_json::from_value(json!({"code": code, "name_en": "Test", "name_cy": "Prawf",
            "kind": "nhs_body", "region": "Wales"}))
        .expect("org"),
    )
    .await
    .expect("create org");
    keys::issue_key(db, Some(&org), Role::Ingest, "test")
        .await
        .expect("key")
        .token
}

async fn stored_ids(db: &Db) -> Vec<String> {
    let sql = "SELECT event_id FROM events";
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(p).await.expect("ids"),
        Db::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await.expect("ids"),
    }
}

/// Posts batches from `workers` tasks until `stop` says so; returns the ids
/// of every event whose request was answered 200.
async fn stream(
    base: String,
    token: String,
    workers: usize,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> Vec<String> {
    let acked = Arc::new(Mutex::new(Vec::new()));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let mut tasks = Vec::new();
    for w in 0..workers {
        let (client, base, token, acked, stop) = (
            client.clone(),
            base.clone(),
            token.clone(),
            acked.clone(),
            stop.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut n = 0usize;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                let batch: Vec<Value> = (0..1 + (n + w) % 5)
                    .map(|_| event(&format!("l{w}-{n}"), "completed"))
                    .collect();
                let ids: Vec<String> = batch
                    .iter()
                    .filter_map(|e| e["id"].as_str().map(str::to_owned))
                    .collect();
                match client
                    .post(format!("{base}/api/v1/events"))
                    .bearer_auth(&token)
                    .json(&batch)
                    .send()
                    .await
                {
                    Ok(r) if r.status() == 200 => {
                        let body: Value = r.json().await.unwrap_or(Value::Null);
                        if body["accepted"].as_u64() == Some(ids.len() as u64) {
                            acked.lock().expect("lock").extend(ids);
                        } else {
                            panic!("unexpected answer {body}");
                        }
                    }
                    Ok(r) => panic!("unexpected status {}", r.status()),
                    Err(_) => break, // the server is gone
                }
            }
        }));
    }
    for t in tasks {
        t.await.expect("worker");
    }
    let v = acked.lock().expect("lock").clone();
    v
}

async fn sigkill_loses_no_acknowledged_event(b: Backend) {
    let Some(tdb) = TestDb::new(b).await else {
        return;
    };
    let token = setup(&tdb.db, "kill-test").await;
    let mut server = Server::spawn(&tdb.url);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let streaming = tokio::spawn(stream(server.base.clone(), token.clone(), 8, stop.clone()));
    // Let acknowledged events pile up, then kill the server mid-stream.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.kill9();
    let acked = streaming.await.expect("stream");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(
        acked.len() > 100,
        "only {} events acknowledged before the kill",
        acked.len()
    );

    // Restart on the same database: every acknowledged event is there once.
    let server = Server::spawn(&tdb.url);
    let stored = stored_ids(&tdb.db).await;
    let unique: HashSet<&String> = stored.iter().collect();
    assert_eq!(unique.len(), stored.len(), "no event stored twice");
    let missing: Vec<&String> = acked.iter().filter(|id| !unique.contains(id)).collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged events lost, e.g. {:?}",
        missing.len(),
        missing.first()
    );
    // Re-sending what was acknowledged counts nothing twice.
    let client = reqwest::Client::new();
    for chunk in acked.chunks(500).take(2) {
        let batch: Vec<Value> = chunk
            .iter()
            .map(|id| {
                let mut e = event("again", "completed");
                e["id"] = json!(id);
                e
            })
            .collect();
        let r: Value = client
            .post(format!("{}/api/v1/events", server.base))
            .bearer_auth(&token)
            .json(&batch)
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json");
        assert_eq!(r["accepted"], 0, "{r}");
        assert_eq!(r["duplicates"].as_u64(), Some(chunk.len() as u64));
    }
    eprintln!(
        "sigkill test ({b:?}): {} acknowledged, {} stored, none lost",
        acked.len(),
        stored.len()
    );
}

async fn sigterm_drains_and_exits(b: Backend) {
    let Some(tdb) = TestDb::new(b).await else {
        return;
    };
    let token = setup(&tdb.db, "term-test").await;
    let mut server = Server::spawn(&tdb.url);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let streaming = tokio::spawn(stream(server.base.clone(), token, 8, stop.clone()));
    tokio::time::sleep(Duration::from_millis(700)).await;
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(status.success());
    let exit = tokio::task::spawn_blocking(move || {
        let s = server.child.wait().expect("wait");
        std::mem::forget(server);
        s
    })
    .await
    .expect("join");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let acked = streaming.await.expect("stream");
    assert!(exit.success(), "graceful exit, got {exit:?}");
    let stored: HashSet<String> = stored_ids(&tdb.db).await.into_iter().collect();
    assert!(
        acked.iter().all(|id| stored.contains(id)),
        "every acknowledged event stored"
    );
}

async fn two_instances(b: Backend) {
    let Some(tdb) = TestDb::new(b).await else {
        return;
    };
    let token = setup(&tdb.db, "two-test").await;
    let s1 = Server::spawn(&tdb.url);
    let s2 = Server::spawn(&tdb.url);
    let events: Vec<Value> = (0..2000)
        .map(|i| event(&format!("l{}", i % 97), "completed"))
        .collect();
    let client = reqwest::Client::new();
    let mut tasks = Vec::new();
    // Each batch goes to both instances at once; batches overlap in flight.
    for (i, chunk) in events.chunks(25).enumerate() {
        for base in [&s1.base, &s2.base] {
            let (client, token, url) = (
                client.clone(),
                token.clone(),
                format!("{base}/api/v1/events"),
            );
            // Alternate the order inside the batch to vary lock order.
            let mut batch = chunk.to_vec();
            if i % 2 == 1 && base == &s2.base {
                batch.reverse();
            }
            tasks.push(tokio::spawn(async move {
                let r = client
                    .post(url)
                    .bearer_auth(&token)
                    .json(&batch)
                    .send()
                    .await
                    .expect("send");
                assert_eq!(r.status(), 200);
                let v: Value = r.json().await.expect("json");
                (
                    v["accepted"].as_u64().unwrap_or(0),
                    v["duplicates"].as_u64().unwrap_or(0),
                )
            }));
        }
    }
    let (mut accepted, mut dups) = (0, 0);
    for t in tasks {
        let (a, d) = t.await.expect("task");
        accepted += a;
        dups += d;
    }
    assert_eq!(
        accepted, 2000,
        "each event accepted by exactly one instance"
    );
    assert_eq!(dups, 2000, "and answered as a duplicate by the other");
    let stored = stored_ids(&tdb.db).await;
    assert_eq!(stored.len(), 2000);
    assert_eq!(stored.iter().collect::<HashSet<_>>().len(), 2000);
}

async fn logs_hold_no_secrets_or_learner_ids(b: Backend) {
    let Some(tdb) = TestDb::new(b).await else {
        return;
    };
    let token = setup(&tdb.db, "log-test").await;
    let dir = tempfile::tempdir().expect("dir");
    let log_path = dir.path().join("stderr.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let server = Server::spawn_with(&tdb.url, "debug", Stdio::from(log));
    let client = reqwest::Client::new();
    let url = format!("{}/api/v1/events", server.base);
    let learner = "learner-do-not-log-7731";
    let good = event(learner, "completed");
    let bad = serde_json::json!({"id": "nope", "learner": learner, "package": "x", "verb": "y"});
    for body in [good.clone(), good, bad] {
        let _ = client
            .post(&url)
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .expect("send");
    }
    // A wrong token and the admin token on a platform route, too.
    let _ = client
        .post(&url)
        .bearer_auth(format!("{token}x"))
        .json(&event(learner, "started"))
        .send()
        .await;
    let _ = client
        .get(format!("{}/api/v1/organisations", server.base))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await;
    drop(server);
    let text = std::fs::read_to_string(&log_path).expect("read log");
    assert!(
        text.contains("/api/v1/events"),
        "requests are logged: {text}"
    );
    assert!(
        !text.contains('\u{1b}'),
        "no ANSI colour codes when stderr is not a terminal"
    );
    let (_, secret) = pecyn_tracker::keys::parse_token(&token).expect("shape");
    for needle in [learner, secret, ADMIN_TOKEN] {
        assert!(!text.contains(needle), "log contains {needle:?}");
    }
}

/// The server never timed out a connection that had not finished sending
/// its headers: 2,000 half-open connections were held indefinitely, and
/// with a 1,024 file limit 1,100 of them starved `/healthz`. Now such a
/// connection is closed after the header timeout, and the server still
/// answers others meanwhile.
async fn a_half_open_connection_is_closed_after_the_header_timeout(b: Backend) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Some(tdb) = TestDb::new(b).await else {
        return;
    };
    let server = Server::spawn_args(
        &tdb.url,
        "warn",
        Stdio::inherit(),
        &["--header-timeout", "1"],
    );
    let addr = server.base.trim_start_matches("http://").to_owned();
    let mut slow = Vec::new();
    for _ in 0..20 {
        let mut s = tokio::net::TcpStream::connect(&addr)
            .await
            .expect("connect");
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .expect("partial headers");
        slow.push(s);
    }
    // Others are served while the slow ones wait.
    let r = reqwest::get(format!("{}/healthz", server.base))
        .await
        .expect("healthz");
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    let started = std::time::Instant::now();
    for mut s in slow {
        let mut buf = [0u8; 256];
        let read = tokio::time::timeout(Duration::from_secs(15), s.read(&mut buf)).await;
        match read {
            Ok(Ok(n)) => assert!(
                n == 0 || String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 408"),
                "closed (or 408), not answered: {:?}",
                String::from_utf8_lossy(&buf[..n])
            ),
            Ok(Err(_)) => {} // reset: closed too
            Err(_) => panic!("a half-open connection was still held after 15 s"),
        }
    }
    assert!(started.elapsed() < Duration::from_secs(15));
}
