//! The store layer: SQL over [`crate::db::Db`], knowing no HTTP.

pub mod reports;
