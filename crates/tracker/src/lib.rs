//! The completion tracker: organisations, keys, ingest and reports (axum + sqlx).
