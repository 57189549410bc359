//! Counters for `/metrics`, rendered in the Prometheus text format.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

/// Process-wide counters (lock-free).
#[derive(Debug, Default)]
pub struct Metrics {
    /// HTTP responses by class.
    pub http_2xx: AtomicU64,
    /// 4xx responses.
    pub http_4xx: AtomicU64,
    /// 5xx responses.
    pub http_5xx: AtomicU64,
    /// Events stored.
    pub events_accepted: AtomicU64,
    /// Events answered as duplicates.
    pub events_duplicate: AtomicU64,
    /// Events rejected as invalid.
    pub events_rejected: AtomicU64,
    /// Requests turned away because the ingest queue was full.
    pub ingest_busy: AtomicU64,
    /// Requests turned away by the per-key rate limit.
    pub rate_limited: AtomicU64,
    /// Transactions committed by the writer.
    pub writer_batches: AtomicU64,
    /// Events passed through the writer.
    pub writer_events: AtomicU64,
    /// Writer transactions that failed after retries.
    pub writer_failures: AtomicU64,
    /// Total time spent writing batches, in microseconds.
    pub writer_commit_micros: AtomicU64,
    /// CSV imports committed.
    pub imports: AtomicU64,
    /// xAPI statements stored.
    pub xapi_statements: AtomicU64,
    /// Events deleted by retention.
    pub retention_deleted: AtomicU64,
    /// Events deleted by erasure requests.
    pub erased: AtomicU64,
}

impl Metrics {
    /// Renders every counter, plus the gauges passed in.
    pub fn render(&self, queued: usize, backend: &str) -> String {
        let mut out = String::with_capacity(2048);
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let mut counter = |name: &str, help: &str, labels: &[(&str, &str, u64)]| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} counter");
            for (k, v, n) in labels {
                if k.is_empty() {
                    let _ = writeln!(out, "{name} {n}");
                } else {
                    let _ = writeln!(out, "{name}{{{k}=\"{v}\"}} {n}");
                }
            }
        };
        counter(
            "pecyn_http_responses_total",
            "HTTP responses by status class.",
            &[
                ("class", "2xx", g(&self.http_2xx)),
                ("class", "4xx", g(&self.http_4xx)),
                ("class", "5xx", g(&self.http_5xx)),
            ],
        );
        counter(
            "pecyn_events_total",
            "Completion events by outcome.",
            &[
                ("outcome", "accepted", g(&self.events_accepted)),
                ("outcome", "duplicate", g(&self.events_duplicate)),
                ("outcome", "rejected", g(&self.events_rejected)),
            ],
        );
        counter(
            "pecyn_ingest_busy_total",
            "Ingest requests refused with 503 (queue full).",
            &[("", "", g(&self.ingest_busy))],
        );
        counter(
            "pecyn_rate_limited_total",
            "Requests refused with 429.",
            &[("", "", g(&self.rate_limited))],
        );
        counter(
            "pecyn_writer_batches_total",
            "Group-commit transactions.",
            &[("", "", g(&self.writer_batches))],
        );
        counter(
            "pecyn_writer_events_total",
            "Events passed through the writer.",
            &[("", "", g(&self.writer_events))],
        );
        counter(
            "pecyn_writer_failures_total",
            "Group-commit transactions that failed.",
            &[("", "", g(&self.writer_failures))],
        );
        counter(
            "pecyn_writer_busy_microseconds_total",
            "Time spent writing batches.",
            &[("", "", g(&self.writer_commit_micros))],
        );
        counter(
            "pecyn_imports_total",
            "CSV imports committed.",
            &[("", "", g(&self.imports))],
        );
        counter(
            "pecyn_xapi_statements_total",
            "xAPI statements stored.",
            &[("", "", g(&self.xapi_statements))],
        );
        counter(
            "pecyn_retention_deleted_total",
            "Events deleted by retention.",
            &[("", "", g(&self.retention_deleted))],
        );
        counter(
            "pecyn_erased_total",
            "Events deleted by erasure requests.",
            &[("", "", g(&self.erased))],
        );
        let _ = writeln!(
            out,
            "# HELP pecyn_ingest_queue_events Events waiting for the writer."
        );
        let _ = writeln!(out, "# TYPE pecyn_ingest_queue_events gauge");
        let _ = writeln!(out, "pecyn_ingest_queue_events {queued}");
        let _ = writeln!(out, "# HELP pecyn_info Build and backend.");
        let _ = writeln!(out, "# TYPE pecyn_info gauge");
        let _ = writeln!(
            out,
            "pecyn_info{{version=\"{}\",backend=\"{backend}\"}} 1",
            env!("CARGO_PKG_VERSION")
        );
        out
    }
}
