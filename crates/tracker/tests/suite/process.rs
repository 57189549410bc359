//! Whole-process tests (added below).
