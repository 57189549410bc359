//! The database handle: one enum over the two supported backends.
//!
//! Queries are written once, with `$1`-style parameters (which sqlx's SQLite
//! driver also accepts), and run on either pool through [`on_db!`]. Every
//! column uses a type that decodes to the same Rust type on both databases:
//! `BIGINT` for integers and times (Unix milliseconds), `TEXT`, `DOUBLE
//! PRECISION`.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

/// Runs `$body` with `$p` bound to the concrete pool of `$db`.
///
/// The body is compiled once per backend, so it may use backend-specific
/// types (transactions, `QueryBuilder`) as long as both arms produce the same
/// result type.
#[macro_export]
#[doc(hidden)]
macro_rules! on_db {
    ($db:expr, $p:ident => $body:expr) => {
        match $db {
            $crate::store::db::Db::Sqlite($p) => $body,
            $crate::store::db::Db::Postgres($p) => $body,
        }
    };
}

/// A connection pool on SQLite or PostgreSQL.
#[derive(Clone, Debug)]
pub enum Db {
    /// The embedded default: one file, one process.
    Sqlite(SqlitePool),
    /// Shared by any number of stateless instances.
    Postgres(PgPool),
}

/// Errors from opening or migrating the database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL names neither `sqlite:` nor `postgres:`/`postgresql:`.
    #[error("unsupported database URL (expected sqlite://… or postgres://…)")]
    UnsupportedUrl,
    /// The driver could not parse the URL or connect.
    #[error("could not connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    /// A migration failed.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Pool settings.
#[derive(Clone, Debug)]
pub struct PoolConfig {
    /// Maximum connections in the pool.
    pub max_connections: u32,
    /// SQLite only: `synchronous=FULL` (every commit is fsynced before it is
    /// acknowledged; survives power loss) or, when false, `NORMAL` (WAL
    /// commits are not fsynced; survives a process crash but the last
    /// commits can be lost on power loss or an OS crash).
    pub sqlite_full_sync: bool,
}

impl Default for PoolConfig {
    fn default() -> Self {
        Self {
            max_connections: 8,
            sqlite_full_sync: true,
        }
    }
}

impl Db {
    /// Opens a pool for `url` (creating the SQLite file on first start).
    ///
    /// SQLite runs in WAL mode with `synchronous=FULL` by default, so a
    /// commit is on disk before the tracker acknowledges it (see
    /// [`PoolConfig::sqlite_full_sync`]), and a 5 s busy timeout so that the
    /// `admin` commands can write while a server runs.
    pub async fn connect(url: &str, config: &PoolConfig) -> Result<Db, DbError> {
        if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(DbError::Connect)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(if config.sqlite_full_sync {
                    SqliteSynchronous::Full
                } else {
                    SqliteSynchronous::Normal
                })
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true)
                // 16 MiB page cache per connection (the default is 2 MiB): the
                // random-keyed indexes on events thrash less (+25% raw inserts), and
                // eight connections stay well inside the 100 MB memory budget.
                .pragma("cache_size", "-16384")
                .pragma("temp_store", "memory");
            Self::connect_sqlite(opts, config).await
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let opts = PgConnectOptions::from_str(url).map_err(DbError::Connect)?;
            Self::connect_postgres(opts, config).await
        } else {
            Err(DbError::UnsupportedUrl)
        }
    }

    /// Opens a SQLite pool with explicit options.
    pub async fn connect_sqlite(
        opts: SqliteConnectOptions,
        config: &PoolConfig,
    ) -> Result<Db, DbError> {
        let pool = SqlitePoolOptions::new()
            .max_connections(config.max_connections.max(2))
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await
            .map_err(DbError::Connect)?;
        Ok(Db::Sqlite(pool))
    }

    /// Opens a PostgreSQL pool with explicit options.
    pub async fn connect_postgres(
        opts: PgConnectOptions,
        config: &PoolConfig,
    ) -> Result<Db, DbError> {
        let pool = PgPoolOptions::new()
            .max_connections(config.max_connections.max(2))
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await
            .map_err(DbError::Connect)?;
        Ok(Db::Postgres(pool))
    }

    /// Runs the embedded migrations for this backend.
    pub async fn migrate(&self) -> Result<(), DbError> {
        match self {
            Db::Sqlite(p) => sqlx::migrate!("migrations/sqlite").run(p).await?,
            Db::Postgres(p) => sqlx::migrate!("migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// A cheap round trip, for `/readyz`.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        on_db!(self, p => sqlx::query("SELECT 1").execute(p).await.map(|_| ()))
    }

    /// Closes the pool, waiting for connections to be returned.
    pub async fn close(&self) {
        on_db!(self, p => p.close().await)
    }
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
