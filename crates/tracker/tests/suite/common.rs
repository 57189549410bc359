//! Test harness: a fresh database per test (a temp SQLite file, or a fresh
//! schema in the PostgreSQL named by `PECYN_TEST_POSTGRES_URL`), the app
//! driven in-process with `oneshot`, and helpers for orgs and keys.

use std::str::FromStr;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use pecyn_tracker::store::{Db, PoolConfig};
use pecyn_tracker::{app, AppConfig, AppState};
use serde_json::{json, Value};
use sqlx::postgres::PgConnectOptions;
use tower::ServiceExt;

pub const ADMIN_TOKEN: &str = "test-platform-admin-token-0123456789abcdef";
pub const CATALOGUE: &str = include_str!("../fixtures/catalogue.json");
pub const PKG_EN: &str = "pecyn_passwords_en_standard_scorm12";
pub const PKG_CY: &str = "pecyn_passwords_cy_standard_scorm12";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates `mod $name { sqlite(), postgres() }` running `$name(backend)`.
#[macro_export]
macro_rules! dual {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::common::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::common::Backend::Postgres).await
            }
        }
    )*};
}

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// The PostgreSQL URL, or `None` (after saying SKIPPED) outside CI.
pub fn pg_url() -> Option<String> {
    match std::env::var("PECYN_TEST_POSTGRES_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            assert!(
                !ci(),
                "CI=true but PECYN_TEST_POSTGRES_URL is unset: the PostgreSQL half must run in CI"
            );
            eprintln!("SKIPPED: PostgreSQL half of this test (PECYN_TEST_POSTGRES_URL is unset)");
            None
        }
    }
}

/// A database for one test; dropping it removes the file or schema.
#[allow(dead_code)] // `url` is used by the process tests.
pub struct TestDb {
    pub db: Db,
    /// A URL another process can use to reach the same database.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("t.db").display());
                let db = Db::connect(&url, &PoolConfig::default())
                    .await
                    .expect("sqlite opens");
                db.migrate().await.expect("migrations run");
                Some(TestDb {
                    db,
                    url,
                    _dir: Some(dir),
                    pg: None,
                })
            }
            Backend::Postgres => {
                let base = pg_url()?;
                let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
                let admin = match Db::connect(
                    &base,
                    &PoolConfig {
                        max_connections: 2,
                        ..PoolConfig::default()
                    },
                )
                .await
                {
                    Ok(d) => d,
                    Err(e) => {
                        assert!(
                            !ci(),
                            "CI=true but PostgreSQL at PECYN_TEST_POSTGRES_URL is unreachable: {e}"
                        );
                        eprintln!("SKIPPED: PostgreSQL half of this test (unreachable: {e})");
                        return None;
                    }
                };
                let Db::Postgres(pool) = &admin else {
                    unreachable!()
                };
                sqlx::query(&format!("CREATE SCHEMA {schema}"))
                    .execute(pool)
                    .await
                    .expect("create schema");
                admin.close().await;
                let opts = PgConnectOptions::from_str(&base)
                    .expect("url parses")
                    .options([("search_path", schema.as_str())]);
                let db = Db::connect_postgres(
                    opts,
                    &PoolConfig {
                        max_connections: 8,
                        ..PoolConfig::default()
                    },
                )
                .await
                .expect("pg opens");
                db.migrate().await.expect("migrations run");
                let sep = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
                Some(TestDb {
                    db,
                    url,
                    _dir: None,
                    pg: Some((base, schema)),
                })
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((base, schema)) = self.pg.take() {
            // Best-effort cleanup on a runtime of its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async {
                        if let Ok(Db::Postgres(p)) = Db::connect(
                            &base,
                            &PoolConfig {
                                max_connections: 1,
                                ..PoolConfig::default()
                            },
                        )
                        .await
                        {
                            let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                                .execute(&p)
                                .await;
                            p.close().await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

/// Tokens of one organisation.
#[derive(Clone, Debug)]
#[allow(dead_code)]
pub struct Org {
    pub code: String,
    pub ingest: String,
    pub admin: String,
    pub reader: String,
    pub ingest_id: String,
}

/// One test's app.
pub struct Ctx {
    pub tdb: TestDb,
    pub app: Router,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
    pub text: String,
}

impl Ctx {
    pub async fn new(backend: Backend) -> Option<Ctx> {
        Self::with_config(
            backend,
            AppConfig {
                admin_token: Some(ADMIN_TOKEN.into()),
                rate_per_second: 0,
                rate_burst: 0,
                queue_events: 50_000,
                ..AppConfig::default()
            },
        )
        .await
    }

    pub async fn with_config(backend: Backend, config: AppConfig) -> Option<Ctx> {
        let tdb = TestDb::new(backend).await?;
        let (state, _writer) = AppState::new(tdb.db.clone(), &config);
        Some(Ctx {
            tdb,
            app: app(state),
        })
    }

    pub fn db(&self) -> &Db {
        &self.tdb.db
    }

    pub async fn send(&self, req: Request<Body>) -> Resp {
        let resp = self.app.clone().oneshot(req).await.expect("infallible");
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .expect("body");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            json,
            text,
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(v) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string())),
            None => b.body(Body::empty()),
        };
        self.send(req.expect("request")).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Resp {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Resp {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn import_catalogue(&self) {
        let v: Value = serde_json::from_str(CATALOGUE).expect("fixture");
        let r = self.post("/api/v1/catalogue", ADMIN_TOKEN, v).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }

    pub async fn create_org(&self, code: &str) -> Org {
        let r = self
            .post(
                "/api/v1/organisations",
                ADMIN_TOKEN,
                json!({"code": code, "name_en": format!("{code} Council"), "name_cy": format!("Cyngor {code}"),
                       "kind": "welsh_principal_council", "region": "Wales", "contribution_pence": 100000,
                       "contribution_date": "2026-04-01"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let mut tokens = Vec::new();
        let mut ingest_id = String::new();
        for role in ["ingest", "org_admin", "reader"] {
            let r = self
                .post(
                    &format!("/api/v1/organisations/{code}/keys"),
                    ADMIN_TOKEN,
                    json!({"role": role}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
            if role == "ingest" {
                ingest_id = r.json["key_id"].as_str().expect("key id").to_owned();
            }
            tokens.push(r.json["token"].as_str().expect("token").to_owned());
        }
        Org {
            code: code.into(),
            ingest: tokens[0].clone(),
            admin: tokens[1].clone(),
            reader: tokens[2].clone(),
            ingest_id,
        }
    }

    /// Rows in `events` for the given organisation code.
    pub async fn count_events(&self, code: &str) -> i64 {
        let sql = "SELECT COUNT(*) FROM events e JOIN organisations o ON o.id = e.org_id WHERE o.code = $1";
        match self.db() {
            Db::Sqlite(p) => sqlx::query_scalar(sql)
                .bind(code)
                .fetch_one(p)
                .await
                .expect("count"),
            Db::Postgres(p) => sqlx::query_scalar(sql)
                .bind(code)
                .fetch_one(p)
                .await
                .expect("count"),
        }
    }

    /// Every text value stored in the tables that hold learner data.
    pub async fn dump_learner_columns(&self) -> String {
        let sql = "SELECT learner || ' ' || event_id || ' ' || package_id FROM events \
                   UNION ALL SELECT learner || ' ' || statement FROM xapi_statements";
        let rows: Vec<String> = match self.db() {
            Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(p).await.expect("dump"),
            Db::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await.expect("dump"),
        };
        rows.join("\n")
    }
}

pub fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub fn event(learner: &str, verb: &str) -> Value {
    json!({"id": uuid(), "learner": learner, "package": PKG_EN, "verb": verb,
           "score": 80, "duration_seconds": 300, "timestamp": "2026-05-01T10:00:00Z"})
}
