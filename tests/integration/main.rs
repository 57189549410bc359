//! Integration tests of the `pecyn` binary and the build pipeline.
//! One target (like ripgrep's `tests/tests.rs`), a module per feature.

mod browser;
mod build;
mod check;
mod check_editions;
mod check_hostile;
mod library;
mod rawzip;
mod reporting;
mod util;
