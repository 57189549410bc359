//! The store: the database handle over SQLite and PostgreSQL ([`Db`]), the
//! migrations, the queries per table, and the group-commit [`writer`].
//!
//! Invariant: it knows no HTTP (no `axum`, no `crate::http`); it takes and
//! returns domain types and plain rows, and fails with the typed
//! [`crate::error::AppError`].

pub mod catalogue;
pub mod db;
pub mod events;
pub mod imports;
pub mod keys;
pub mod orgs;
pub mod privacy;
pub mod reports;
pub mod writer;
pub mod xapi;

pub use db::{now_ms, Db, DbError, PoolConfig};
