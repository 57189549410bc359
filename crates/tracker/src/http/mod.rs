//! The HTTP layer: the [`router`], the shared [`state`], the extractors
//! ([`extract`]: who is calling, bounded bodies, JSON), the error → response
//! mapping ([`error`]), and one module per resource. It turns requests into
//! calls on the domain and the store, and results into responses.
//!
//! Invariant: it holds no SQL (no `sqlx`, no `on_db!`), and nothing below it
//! imports it.

pub mod admin;
pub mod error;
pub mod events;
pub mod extract;
pub mod imports;
pub mod keycache;
pub mod openapi;
pub mod ops;
pub mod org;
pub mod ratelimit;
pub mod reports;
pub mod router;
pub mod serve;
pub mod state;
pub mod xapi;
