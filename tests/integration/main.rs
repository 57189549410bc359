//! Integration tests of the `pecyn` binary and the build pipeline.
//! One target (like ripgrep's `tests/tests.rs`), a module per feature.

mod browser;
mod build;
mod check;
mod library;
mod reporting;
mod util;
