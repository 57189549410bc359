//! The state every handler shares ([`AppState`]) and the service settings
//! ([`AppConfig`]). Kept apart from the router so that handlers and router do
//! not import each other.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Instant;

use tokio::task::JoinHandle;

use crate::http::keycache::KeyCache;
use crate::http::ratelimit::RateLimiter;
use crate::metrics::Metrics;
use crate::store::catalogue::CatalogueIndex;
use crate::store::writer::Writer;
use crate::store::Db;

/// Body limit for `POST /api/v1/events` (a batch of 1,000 events fits).
pub const EVENTS_BODY_LIMIT: usize = 2 * 1024 * 1024;
/// Body limit for CSV imports.
pub const IMPORT_BODY_LIMIT: usize = 16 * 1024 * 1024;
/// Body limit for xAPI statements.
pub const XAPI_BODY_LIMIT: usize = 2 * 1024 * 1024;
/// Body limit for the catalogue import.
pub const CATALOGUE_BODY_LIMIT: usize = 8 * 1024 * 1024;
/// Body limit for everything else.
pub const SMALL_BODY_LIMIT: usize = 64 * 1024;

/// Settings of a running service.
#[derive(Clone, Debug)]
pub struct AppConfig {
    /// Platform admin token accepted from the environment (at least 32
    /// characters), if any.
    pub admin_token: Option<String>,
    /// Requests per second per key (0 disables the limit).
    pub rate_per_second: u32,
    /// Burst size per key.
    pub rate_burst: u32,
    /// Events that may wait for the writer before ingest answers 503.
    pub queue_events: usize,
    /// How long a key lookup is reused (0: look up on every request).
    pub key_cache_ttl: std::time::Duration,
    /// Requests handled at once before new ones are refused with 503.
    pub max_in_flight: usize,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            admin_token: None,
            rate_per_second: 200,
            rate_burst: 1_000,
            queue_events: 50_000,
            key_cache_ttl: std::time::Duration::from_secs(1),
            max_in_flight: 4_096,
        }
    }
}

/// Shared state; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Inner>);

/// What [`AppState`] holds.
#[derive(Debug)]
pub struct Inner {
    /// The database.
    pub db: Db,
    /// The group-commit writer.
    pub writer: Writer,
    /// Known packages.
    pub catalogue: CatalogueIndex,
    /// Per-key rate limits.
    pub limiter: RateLimiter,
    /// Counters.
    pub metrics: Arc<Metrics>,
    /// SHA-256 of the environment's platform token.
    pub admin_token_hash: Option<String>,
    /// When the process started.
    pub started: Instant,
    /// Key lookups.
    pub key_cache: KeyCache,
    /// Requests in flight (load shedding).
    pub in_flight: Arc<tokio::sync::Semaphore>,
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Builds the state and starts the writer task (needs a Tokio runtime).
    /// Await the handle after dropping every clone of the state to be sure
    /// the writer has finished.
    pub fn new(db: Db, config: &AppConfig) -> (AppState, JoinHandle<()>) {
        let metrics = Arc::new(Metrics::default());
        let (writer, handle) = Writer::spawn(db.clone(), metrics.clone(), config.queue_events);
        let state = AppState(Arc::new(Inner {
            db,
            writer,
            catalogue: CatalogueIndex::new(),
            limiter: RateLimiter::new(config.rate_per_second, config.rate_burst),
            metrics,
            admin_token_hash: config.admin_token.as_deref().map(crate::keys::hash_secret),
            started: Instant::now(),
            key_cache: KeyCache::new(config.key_cache_ttl),
            in_flight: Arc::new(tokio::sync::Semaphore::new(config.max_in_flight.max(1))),
        }));
        (state, handle)
    }
}
