//! Command-line interface: `serve` and `admin …`, shared by `pecyn tracker`
//! and the crate's own `pecyn-tracker` binary.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context as _};
use clap::{Args, Subcommand, ValueEnum};

use crate::domain::catalogue::CatalogueFile;
use crate::domain::org::NewOrg;
use crate::http::router::app;
use crate::http::state::{AppConfig, AppState};
use crate::keys::Role;
use crate::metrics::Metrics;
use crate::store::{catalogue, events, keys, orgs, privacy, Db, PoolConfig};

/// Default database: a SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://pecyn-tracker.db";

/// `pecyn tracker …`
#[derive(Debug, Args)]
pub struct TrackerArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: TrackerCommand,
}

/// The tracker's subcommands.
#[derive(Debug, Subcommand)]
pub enum TrackerCommand {
    /// Run the HTTP service (migrations run first).
    Serve(ServeArgs),
    /// Administer organisations, keys and the catalogue directly on the database.
    Admin(AdminArgs),
}

/// Log output format.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// `serve` options. The platform admin token is read from the environment
/// variable `PECYN_TRACKER_ADMIN_TOKEN` only (never a flag, so it stays out
/// of process listings); it must be at least 32 characters.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// sqlite://FILE (created on first start) or postgres://…
    #[arg(long, env = "PECYN_TRACKER_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "PECYN_TRACKER_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Requests per second allowed per key (0: no limit).
    #[arg(long, env = "PECYN_TRACKER_RATE_LIMIT", default_value_t = 200)]
    pub rate_limit: u32,
    /// Burst allowed per key above the steady rate.
    #[arg(long, env = "PECYN_TRACKER_RATE_BURST", default_value_t = 1000)]
    pub rate_burst: u32,
    /// Events that may wait for the database before ingest answers 503.
    #[arg(long, env = "PECYN_TRACKER_QUEUE_EVENTS", default_value_t = 50_000)]
    pub queue_events: usize,
    /// How long a key lookup is reused, in milliseconds. Revocation through
    /// this instance's API is immediate; through another instance or the
    /// admin command it takes effect within this time. 0: every request reads
    /// the database.
    #[arg(long, env = "PECYN_TRACKER_KEY_CACHE_MS", default_value_t = 1000)]
    pub key_cache_ms: u64,
    /// Requests handled at once before new ones get 503.
    #[arg(long, env = "PECYN_TRACKER_MAX_IN_FLIGHT", default_value_t = 4096)]
    pub max_in_flight: usize,
    /// Database connections in the pool.
    #[arg(long, env = "PECYN_TRACKER_MAX_CONNECTIONS", default_value_t = 8)]
    pub max_connections: u32,
    /// SQLite durability: `full` fsyncs every commit before acknowledging
    /// (survives power loss); `normal` does not (survives a crash of the
    /// process, not of the machine).
    #[arg(long, env = "PECYN_TRACKER_SQLITE_SYNC", value_enum, default_value_t = SqliteSync::Full)]
    pub sqlite_sync: SqliteSync,
    /// How often the retention sweep runs, in seconds (0: never).
    #[arg(long, env = "PECYN_TRACKER_RETENTION_INTERVAL", default_value_t = 3600)]
    pub retention_interval: u64,
    /// Seconds a client has to send a request's headers, on a new
    /// connection and between requests on a kept-alive one; slower
    /// connections are closed.
    #[arg(long, env = "PECYN_TRACKER_HEADER_TIMEOUT", default_value_t = 10)]
    pub header_timeout: u64,
    /// Log format.
    #[arg(long, env = "PECYN_TRACKER_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// SQLite `synchronous` setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SqliteSync {
    /// fsync every commit.
    Full,
    /// fsync only at checkpoints (WAL).
    Normal,
}

/// `admin` options.
#[derive(Debug, Args)]
pub struct AdminArgs {
    /// sqlite://FILE or postgres://…
    #[arg(long, env = "PECYN_TRACKER_DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,
    /// The admin action.
    #[command(subcommand)]
    pub command: AdminCommand,
}

/// Roles an organisation key can have.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum OrgRole {
    /// Adds events; reads nothing.
    Ingest,
    /// Learner-level data, imports, erasure.
    OrgAdmin,
    /// Aggregate reports.
    Reader,
}

/// Admin actions (each prints JSON).
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an organisation.
    CreateOrg {
        /// Short unique code (lower-case letters, digits, hyphens).
        #[arg(long)]
        code: String,
        /// Name in English.
        #[arg(long)]
        name_en: String,
        /// Name in Welsh.
        #[arg(long)]
        name_cy: String,
        /// county, district, unitary, metropolitan, london_borough,
        /// welsh_principal_council, nhs_body, police, fire,
        /// housing_association or other.
        #[arg(long)]
        kind: String,
        /// Region.
        #[arg(long)]
        region: String,
        /// Contribution in pence.
        #[arg(long, default_value_t = 0)]
        contribution_pence: i64,
        /// Contribution date, YYYY-MM-DD.
        #[arg(long)]
        contribution_date: Option<String>,
        /// Delete events older than this many months.
        #[arg(long)]
        retention_months: Option<i64>,
    },
    /// List organisations.
    ListOrgs,
    /// Issue a key for an organisation (the token is printed once).
    IssueKey {
        /// Organisation code.
        #[arg(long)]
        org: String,
        /// Role.
        #[arg(long, value_enum)]
        role: OrgRole,
        /// Free label.
        #[arg(long, default_value = "")]
        label: String,
    },
    /// Issue a platform admin token (stored hashed; printed once).
    IssueAdminToken {
        /// Free label.
        #[arg(long, default_value = "")]
        label: String,
    },
    /// Revoke a key at once.
    RevokeKey {
        /// Key id.
        key_id: String,
    },
    /// List keys of an organisation (or platform keys without --org).
    ListKeys {
        /// Organisation code.
        #[arg(long)]
        org: Option<String>,
    },
    /// Suspend or reactivate an organisation.
    SetStatus {
        /// Organisation code.
        #[arg(long)]
        org: String,
        /// active or suspended.
        #[arg(long)]
        status: String,
    },
    /// Import catalogue.json written by `pecyn build`.
    ImportCatalogue {
        /// Path to catalogue.json.
        path: std::path::PathBuf,
    },
    /// Delete events past each organisation's retention now.
    PurgeExpired,
    /// Print an organisation's aggregate report.
    Report {
        /// Organisation code.
        #[arg(long)]
        org: String,
    },
}

/// Runs a tracker command on its own Tokio runtime.
pub fn run(args: TrackerArgs) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(async move {
        match args.command {
            TrackerCommand::Serve(a) => serve(a).await,
            TrackerCommand::Admin(a) => admin(a).await,
        }
    })
}

fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    // Colour only when a person is watching: no ANSI codes in files,
    // journald or pipes.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

async fn open(url: &str, max_connections: u32, sqlite_full_sync: bool) -> anyhow::Result<Db> {
    let db = Db::connect(
        url,
        &PoolConfig {
            max_connections,
            sqlite_full_sync,
        },
    )
    .await
    .context("opening the database")?;
    db.migrate().await.context("running migrations")?;
    Ok(db)
}

/// Runs the service until SIGINT/SIGTERM, then finishes in-flight requests,
/// lets the writer commit what is queued, and closes the pool.
pub async fn serve(a: ServeArgs) -> anyhow::Result<()> {
    init_logging(a.log_format);
    let admin_token = std::env::var("PECYN_TRACKER_ADMIN_TOKEN")
        .ok()
        .filter(|t| !t.is_empty());
    if let Some(t) = &admin_token {
        if t.len() < 32 {
            bail!("PECYN_TRACKER_ADMIN_TOKEN must be at least 32 characters");
        }
    }
    let db = open(
        &a.database_url,
        a.max_connections,
        a.sqlite_sync == SqliteSync::Full,
    )
    .await?;
    let config = AppConfig {
        admin_token,
        rate_per_second: a.rate_limit,
        rate_burst: a.rate_burst,
        queue_events: a.queue_events,
        key_cache_ttl: Duration::from_millis(a.key_cache_ms),
        max_in_flight: a.max_in_flight,
    };
    let (state, writer) = AppState::new(db.clone(), &config);
    let retention = (a.retention_interval > 0).then(|| {
        tokio::spawn(retention_loop(
            db.clone(),
            state.metrics.clone(),
            Duration::from_secs(a.retention_interval),
        ))
    });
    let listener = tokio::net::TcpListener::bind(a.listen)
        .await
        .with_context(|| format!("binding {}", a.listen))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, backend = db.backend(), "listening");
    // Tests and scripts read this line to learn the port.
    println!("pecyn-tracker listening on http://{addr}");
    if a.header_timeout == 0 {
        bail!("--header-timeout must be at least 1 second");
    }
    crate::http::serve::serve(
        listener,
        app(state),
        Duration::from_secs(a.header_timeout),
        shutdown_signal(),
    )
    .await;
    tracing::info!("draining the writer");
    if let Some(r) = retention {
        r.abort();
    }
    let _ = writer.await;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn retention_loop(db: Db, metrics: Arc<Metrics>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        match privacy::purge_expired(&db, chrono::Utc::now()).await {
            Ok(n) => {
                metrics
                    .retention_deleted
                    .fetch_add(n, std::sync::atomic::Ordering::Relaxed);
                if n > 0 {
                    tracing::info!(deleted = n, "retention sweep");
                }
            }
            Err(e) => tracing::warn!(error = %e, "retention sweep failed"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}

fn print(v: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

/// Runs an admin command.
pub async fn admin(a: AdminArgs) -> anyhow::Result<()> {
    let db = open(&a.database_url, 2, true).await?;
    let r = admin_inner(&db, a.command).await;
    db.close().await;
    r
}

async fn admin_inner(db: &Db, cmd: AdminCommand) -> anyhow::Result<()> {
    match cmd {
        AdminCommand::CreateOrg {
            code,
            name_en,
            name_cy,
            kind,
            region,
            contribution_pence,
            contribution_date,
            retention_months,
        } => {
            let org = orgs::create_org(
                db,
                &NewOrg {
                    code,
                    name_en,
                    name_cy,
                    kind,
                    region,
                    contribution_pence,
                    contribution_date,
                    retention_months,
                },
            )
            .await?;
            print(&org)
        }
        AdminCommand::ListOrgs => print(&orgs::list_orgs(db).await?),
        AdminCommand::IssueKey { org, role, label } => {
            let org = orgs::find_org(db, &org).await?;
            let role = match role {
                OrgRole::Ingest => Role::Ingest,
                OrgRole::OrgAdmin => Role::OrgAdmin,
                OrgRole::Reader => Role::Reader,
            };
            print(&keys::issue_key(db, Some(&org), role, &label).await?)
        }
        AdminCommand::IssueAdminToken { label } => {
            print(&keys::issue_key(db, None, Role::Platform, &label).await?)
        }
        AdminCommand::RevokeKey { key_id } => {
            keys::revoke_key(db, &key_id, None).await?;
            print(&serde_json::json!({"revoked": key_id}))
        }
        AdminCommand::ListKeys { org } => {
            let id = match org {
                Some(code) => Some(orgs::find_org(db, &code).await?.id),
                None => None,
            };
            print(&keys::list_keys(db, id).await?)
        }
        AdminCommand::SetStatus { org, status } => {
            let o = orgs::find_org(db, &org).await?;
            orgs::set_status(db, o.id, &status).await?;
            print(&orgs::get_org(db, o.id).await?)
        }
        AdminCommand::ImportCatalogue { path } => {
            let text =
                std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            let file: CatalogueFile = serde_json::from_slice(&text)
                .with_context(|| format!("{} is not a catalogue.json", path.display()))?;
            let n = catalogue::import(db, &file).await?;
            print(&serde_json::json!({"imported": n}))
        }
        AdminCommand::PurgeExpired => {
            let n = privacy::purge_expired(db, chrono::Utc::now()).await?;
            print(&serde_json::json!({"deleted_events": n}))
        }
        AdminCommand::Report { org } => {
            let o = orgs::find_org(db, &org).await?;
            print(&events::summary(db, o.id, &o.code).await?)
        }
    }
}
