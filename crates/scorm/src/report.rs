//! What `check` reports: findings, their levels, and the report for one zip.
//! A leaf: the rules (`rules.rs`) and the driver (`check.rs`) both write into it.

use serde::Serialize;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The package is broken or unsafe, or an LMS will reject or mis-track it.
    Error,
    /// Works in lenient LMSs; fix it for the strict ones.
    Warning,
    /// For information.
    Info,
}

/// One thing found in a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Severity.
    pub level: Level,
    /// A stable code, e.g. `unsafe-path`.
    pub code: &'static str,
    /// What was found and what to do.
    pub message: String,
}

/// What `check` found in one zip.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CheckReport {
    /// `1.2` or `2004 4th Edition` etc., if detected.
    pub version: Option<String>,
    /// The manifest identifier.
    pub identifier: Option<String>,
    /// The organization's title.
    pub title: Option<String>,
    /// The launch file.
    pub launch: Option<String>,
    /// Number of entries.
    pub entries: usize,
    /// Total uncompressed bytes.
    pub uncompressed_bytes: u64,
    /// XSD validation result: `valid`, `invalid`, or `skipped: …`.
    pub schema_validation: String,
    /// The official schema set the manifest was judged by, e.g. `SCORM 2004 4th Edition`.
    pub schema_set: Option<String>,
    /// Files in the zip that no `<file>` element lists.
    pub unreferenced: Vec<String>,
    /// Everything found.
    pub findings: Vec<Finding>,
}

impl CheckReport {
    /// True if there is no error (warnings and info allowed).
    pub fn is_clean(&self) -> bool {
        !self.findings.iter().any(|f| f.level == Level::Error)
    }

    pub(crate) fn push(&mut self, level: Level, code: &'static str, message: impl Into<String>) {
        self.findings.push(Finding {
            level,
            code,
            message: message.into(),
        });
    }
}
