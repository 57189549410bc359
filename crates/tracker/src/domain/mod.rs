//! The domain: what an event, an import row, an xAPI statement, a catalogue
//! package and an organisation are; how they are validated and mapped (the
//! checks every ingest path shares live once, in [`event`]);
//! pseudonymisation of statements; retention rules.
//!
//! Invariant: it knows neither axum nor sqlx nor the layers above it (no
//! `crate::store`, `crate::http`, `crate::cli`), and is unit-tested without
//! a database or a server.

pub mod catalogue;
pub mod event;
pub mod imports;
pub mod org;
pub mod reports;
pub mod retention;
pub mod time;
pub mod xapi;
