//! The HTTP layer: handlers that turn requests into calls on the domain
//! and the store, and their answers into responses.

pub mod reports;
