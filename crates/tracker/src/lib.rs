//! The Pecyn completion tracker: organisations, keys, completion ingest
//! (JSON events, LMS CSV imports, xAPI statements), privacy (pseudonymised
//! learners, retention, erasure) and aggregate reports, as an axum + sqlx
//! service on SQLite or PostgreSQL.
//!
//! It owns the HTTP API ([`app::app`]), the database schema
//! (`migrations/`), the group-commit writer ([`writer`]) and the
//! `pecyn tracker` command line ([`cli`]). It must not know about the
//! builder, render, scorm or script crates: the only thing it shares with
//! them is the shape of `catalogue.json`, which it parses itself.

pub mod admin_api;
pub mod app;
pub mod auth;
pub mod catalogue;
pub mod cli;
pub mod db;
pub mod domain;
pub mod error;
pub mod events;
pub mod http;
pub mod imports;
pub mod keys;
pub mod metrics;
pub mod ops;
pub mod org_api;
pub mod orgs;
pub mod privacy;
pub mod ratelimit;
pub mod store;
pub mod writer;
pub mod xapi;

pub use app::{app, AppConfig, AppState};
pub use db::Db;
pub use error::AppError;
