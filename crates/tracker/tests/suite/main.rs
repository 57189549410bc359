//! The tracker's integration suite. Every test runs twice, on SQLite and on
//! PostgreSQL (`PECYN_TEST_POSTGRES_URL`; skipped with a message when unset,
//! a failure when unset under `CI=true`).

mod common;

mod hardening;
mod imports;
mod ingest;
mod keys;
mod ops;
mod privacy;
mod process;
mod reports;
mod reports_api;
mod xapi;
