//! The Pecyn completion tracker: organisations, keys, completion ingest
//! (JSON events, LMS CSV imports, xAPI statements), privacy (pseudonymised
//! learners, retention, erasure) and aggregate reports, as an axum + sqlx
//! service on SQLite or PostgreSQL.
//!
//! Layers, lowest first; each may use only the ones below it:
//!
//! - leaves: [`keys`] (secrets), [`metrics`], [`error`] (the typed error);
//! - [`domain`]: events, imports, xAPI statements, catalogue, organisations,
//!   retention — no axum, no sqlx;
//! - [`store`]: the database, migrations, queries, the group-commit writer —
//!   no HTTP;
//! - [`http`]: router, state, extractors, handlers — no SQL;
//! - [`cli`]: the `pecyn tracker` commands.
//!
//! `tests/layers.rs` fails on any import from a lower layer to a higher one.
//! The crate must not know about the builder, render, scorm or script
//! crates: the only thing it shares with them is the shape of
//! `catalogue.json`, which it parses itself.

pub mod cli;
pub mod domain;
pub mod error;
pub mod http;
pub mod keys;
pub mod metrics;
pub mod store;

pub use error::AppError;
pub use http::router::app;
pub use http::state::{AppConfig, AppState};
pub use store::Db;
