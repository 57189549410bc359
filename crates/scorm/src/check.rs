//! `pecyn check`: validating any SCORM zip.
//!
//! Order matters for safety: the central directory is read raw (duplicate
//! names the zip library would hide), then entry headers (paths, symlinks,
//! declared sizes), then every entry is decompressed as a stream under the
//! total-size and ratio bounds, keeping nothing but `imsmanifest.xml` (itself
//! bounded). The manifest is then parsed, refusing DOCTYPEs and processing
//! instructions before anything else reads it; then the SCORM rules
//! ([`crate::rules`]); then XSD validation against our own copies of the
//! official schemas ([`crate::validate`]).

use crate::package::safe_path;
use crate::report::{CheckReport, Level};
use crate::rules::check_manifest;
use crate::validate::{validate, XsdOutcome};
use crate::xml::{parse, ParseErrorKind};
use crate::zipdir::{declared_directory, raw_names};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Seek, Write};

/// Bounds and switches for checking.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Most entries a zip may have.
    pub max_entries: usize,
    /// Most bytes all entries may expand to.
    pub max_total_bytes: u64,
    /// Largest expansion ratio allowed for an entry over 1 MiB.
    pub max_ratio: u64,
    /// Most bytes the manifest may have.
    pub max_manifest_bytes: u64,
    /// Most bytes the central directory (the list of entries) may have.
    pub max_directory_bytes: u64,
    /// Validate the manifest against its XSDs with xmllint, if installed.
    pub xsd: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            max_entries: 20_000,
            max_total_bytes: 2 * 1024 * 1024 * 1024,
            max_ratio: 200,
            max_manifest_bytes: 8 * 1024 * 1024,
            max_directory_bytes: 16 * 1024 * 1024,
            xsd: true,
        }
    }
}

/// Why a zip could not be checked at all.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// Not a readable zip.
    #[error("not a readable zip file: {0}")]
    NotZip(String),
    /// I/O failure.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Why streaming an entry stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trip {
    /// More bytes than the limit.
    Limit,
    /// Expanded more than the ratio allows.
    Ratio,
}

/// A sink that counts what an entry expands to, stops at the first byte over
/// a bound, and keeps the bytes only when asked (the manifest).
struct Bounded<'a> {
    n: u64,
    limit: u64,
    /// Bytes allowed by the expansion ratio (never less than 1 MiB).
    ratio_cap: u64,
    keep: Option<&'a mut Vec<u8>>,
    tripped: Option<Trip>,
}

impl Write for Bounded<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.n += buf.len() as u64;
        if self.n > self.limit {
            self.tripped = Some(Trip::Limit);
            return Err(std::io::Error::other("size limit exceeded"));
        }
        if self.n > self.ratio_cap {
            self.tripped = Some(Trip::Ratio);
            return Err(std::io::Error::other("expansion ratio exceeded"));
        }
        if let Some(k) = self.keep.as_mut() {
            k.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const MIB: u64 = 1024 * 1024;
const MANIFEST: &str = "imsmanifest.xml";

/// Duplicate names, exact and (for every name) ignoring ASCII case.
fn duplicates(raw: &[Vec<u8>], report: &mut CheckReport) {
    let mut exact: BTreeMap<&[u8], usize> = BTreeMap::new();
    for n in raw {
        *exact.entry(n.as_slice()).or_default() += 1;
    }
    for (n, count) in &exact {
        if *count > 1 {
            report.push(
                Level::Error,
                "duplicate-entry",
                format!(
                    "the entry `{}` appears {count} times; a checker and an LMS may each read a different copy",
                    String::from_utf8_lossy(n)
                ),
            );
        }
    }
    let mut folded: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for n in exact.keys() {
        let n = String::from_utf8_lossy(n).into_owned();
        folded.entry(n.to_lowercase()).or_default().insert(n);
    }
    for (lower, spellings) in folded.into_iter().filter(|(_, s)| s.len() > 1) {
        let list = spellings.into_iter().collect::<Vec<_>>().join("`, `");
        if lower == MANIFEST {
            report.push(Level::Error, "duplicate-entry", format!("the zip has `{list}`: an LMS on a case-insensitive file system may read any of them as the manifest; keep only `imsmanifest.xml`"));
        } else {
            report.push(Level::Warning, "case-duplicate", format!("the zip has `{list}`, which differ only in case; on a case-insensitive file system one replaces the other"));
        }
    }
}

/// Checks a SCORM zip. Problems in the package are findings in the report;
/// an `Err` means it could not be checked at all.
pub fn check_zip<R: Read + Seek>(
    reader: R,
    opts: &CheckOptions,
) -> Result<CheckReport, CheckError> {
    let not_zip = |e: zip::result::ZipError| CheckError::NotZip(e.to_string());
    // Before the zip library reads the directory into memory: refuse one
    // that declares too many entries or too many bytes of them.
    let mut reader = reader;
    if let Some(d) = declared_directory(&mut reader)? {
        let mut report = CheckReport {
            entries: usize::try_from(d.entries).unwrap_or(usize::MAX),
            ..Default::default()
        };
        if d.entries > opts.max_entries as u64 {
            report.push(
                Level::Error,
                "too-many-entries",
                format!(
                    "the zip declares {} entries; the limit is {}",
                    d.entries, opts.max_entries
                ),
            );
            return Ok(report);
        }
        if d.size > opts.max_directory_bytes {
            report.push(
                Level::Error,
                "too-many-entries",
                format!(
                    "the zip's list of entries is {} bytes; the limit is {}",
                    d.size, opts.max_directory_bytes
                ),
            );
            return Ok(report);
        }
    }
    let zip = zip::ZipArchive::new(reader).map_err(not_zip)?;
    let start = zip.central_directory_start();
    let mut reader = zip.into_inner();
    let raw = raw_names(
        &mut reader,
        start,
        opts.max_entries + 1,
        opts.max_directory_bytes,
    )?;
    let mut zip = zip::ZipArchive::new(reader).map_err(not_zip)?;
    let mut report = CheckReport {
        entries: zip.len().max(raw.len()),
        ..Default::default()
    };
    if report.entries > opts.max_entries {
        report.push(
            Level::Error,
            "too-many-entries",
            format!(
                "the zip has more than {} entries; that is the limit",
                opts.max_entries
            ),
        );
        return Ok(report);
    }
    duplicates(&raw, &mut report);
    // Pass 1: names, types and declared sizes, without decompressing.
    let mut names: BTreeSet<String> = BTreeSet::new();
    let mut declared_total: u64 = 0;
    let mut unsafe_found = false;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(not_zip)?;
        let name = f.name().to_string();
        declared_total = declared_total.saturating_add(f.size());
        // Before the directory branch: a symlink whose name ends in `/` is still a symlink.
        if let Some(mode) = f.unix_mode() {
            if mode & 0o170000 == 0o120000 {
                report.push(Level::Error, "symlink", format!("the entry `{name}` is a symbolic link; LMSs refuse them and they can point outside the package"));
                unsafe_found = true;
                continue;
            }
        }
        if f.is_dir() {
            if !safe_path(name.trim_end_matches('/')) {
                report.push(Level::Error, "unsafe-path", format!("the entry `{name}` points outside the package (absolute path, `..`, backslash or drive letter)"));
                unsafe_found = true;
            }
            continue;
        }
        if f.encrypted() {
            report.push(
                Level::Error,
                "encrypted",
                format!("the entry `{name}` is encrypted; an LMS cannot read it"),
            );
        }
        // Non-ASCII letters are judged separately (a warning); the shape of the path must be safe.
        let path_ok = safe_path(
            &name
                .chars()
                .map(|c| if c.is_ascii() { c } else { 'x' })
                .collect::<String>(),
        );
        if !path_ok {
            report.push(Level::Error, "unsafe-path", format!("the entry `{name}` points outside the package (absolute path, `..`, backslash or drive letter)"));
            unsafe_found = true;
            continue;
        }
        if !name.is_ascii() {
            report.push(Level::Warning, "non-ascii-path", format!("the entry `{name}` has non-ASCII characters; some LMSs and servers cannot serve it"));
        }
        names.insert(name);
    }
    if declared_total > opts.max_total_bytes {
        report.push(
            Level::Error,
            "too-large",
            format!(
                "the entries expand to {declared_total} bytes; the limit is {}",
                opts.max_total_bytes
            ),
        );
        return Ok(report);
    }
    // Pass 2: decompress every entry as a stream under the bounds (zip-bomb
    // guard), whatever its header says; keep only the manifest.
    let mut manifest: Option<Vec<u8>> = None;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let mut f = match zip.by_index(i) {
            Ok(f) => f,
            Err(e) => {
                report.push(
                    Level::Error,
                    "bad-entry",
                    format!("entry {i} cannot be read: {e}"),
                );
                continue;
            }
        };
        let name = f.name().to_string();
        if f.is_dir() || !names.contains(&name) {
            continue;
        }
        let is_manifest = name == MANIFEST;
        let budget = opts.max_total_bytes.saturating_sub(total);
        let limit = if is_manifest {
            budget.min(opts.max_manifest_bytes)
        } else {
            budget
        };
        let declared = f.size();
        let ratio_cap = f.compressed_size().saturating_mul(opts.max_ratio).max(MIB);
        let mut kept = Vec::new();
        let mut sink = Bounded {
            n: 0,
            limit,
            ratio_cap,
            keep: is_manifest.then_some(&mut kept),
            tripped: None,
        };
        let res = std::io::copy(&mut f, &mut sink);
        let (n, tripped) = (sink.n, sink.tripped);
        total = total.saturating_add(n);
        match (res, tripped) {
            (Ok(n), _) => {
                if n != declared {
                    report.push(Level::Error, "size-mismatch", format!("`{name}` expands to {n} bytes but its header says {declared}; the zip has been tampered with or is corrupt"));
                }
                if is_manifest {
                    manifest = Some(kept);
                }
            }
            (Err(_), Some(Trip::Ratio)) => {
                report.push(
                    Level::Error,
                    "zip-bomb",
                    format!("`{name}` expands more than {}× (past {} bytes); refusing it as a possible zip bomb", opts.max_ratio, ratio_cap),
                );
                return Ok(report);
            }
            (Err(_), Some(Trip::Limit)) if is_manifest && limit == opts.max_manifest_bytes => {
                report.push(
                    Level::Error,
                    "too-large",
                    format!("`{name}` is larger than {limit} bytes"),
                );
                return Ok(report);
            }
            (Err(_), Some(Trip::Limit)) => {
                report.push(
                    Level::Error,
                    "zip-bomb",
                    format!(
                        "the package expands beyond {} bytes; refusing it as a possible zip bomb",
                        opts.max_total_bytes
                    ),
                );
                return Ok(report);
            }
            (Err(e), None) => {
                report.push(
                    Level::Error,
                    "bad-entry",
                    format!("`{name}` cannot be decompressed: {e}"),
                );
                return Ok(report);
            }
        }
    }
    report.uncompressed_bytes = total;
    drop(zip);

    let Some(manifest_bytes) = manifest else {
        let nested: Vec<&String> = names
            .iter()
            .filter(|n| n.ends_with("/imsmanifest.xml"))
            .collect();
        let other_case = names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(MANIFEST) && *n != MANIFEST);
        let hint = match (other_case, nested.first()) {
            (Some(n), _) => format!(" (found `{n}`: the name must be all lower case)"),
            (None, Some(n)) => {
                format!(" (found `{n}`: zip the folder's contents, not the folder)")
            }
            (None, None) => String::new(),
        };
        report.push(
            Level::Error,
            "no-manifest",
            format!("there is no imsmanifest.xml at the root of the zip{hint}"),
        );
        return Ok(report);
    };
    let manifest_src = match std::str::from_utf8(&manifest_bytes) {
        Ok(s) => s.trim_start_matches('\u{feff}').to_string(),
        Err(e) => {
            report.push(
                Level::Error,
                "manifest-encoding",
                format!("imsmanifest.xml is not UTF-8: {e}"),
            );
            return Ok(report);
        }
    };
    drop(manifest_bytes);
    let root = match parse(&manifest_src) {
        Ok(r) => r,
        Err(e) => {
            let (code, message) = match e.kind {
                ParseErrorKind::Syntax => (
                    "manifest-xml",
                    format!(
                        "imsmanifest.xml is not well-formed XML (line {}): {}",
                        e.line, e.message
                    ),
                ),
                kind => (
                    match kind {
                        ParseErrorKind::Doctype => "manifest-doctype",
                        ParseErrorKind::ProcessingInstruction => "manifest-pi",
                        ParseErrorKind::Encoding => "manifest-encoding",
                        ParseErrorKind::TooDeep => "manifest-depth",
                        _ => "manifest-size",
                    },
                    format!("imsmanifest.xml line {}: {}", e.line, e.message),
                ),
            };
            report.push(Level::Error, code, message);
            report.schema_validation = "skipped: the manifest was refused".into();
            return Ok(report);
        }
    };
    let set = check_manifest(&root, &names, &mut report);
    report.schema_set = set.map(|s| s.label().to_string());
    report.schema_validation = match set {
        _ if unsafe_found => "skipped: the package has unsafe entries".into(),
        _ if !opts.xsd => "skipped: not requested".into(),
        None => "skipped: the root element is not <manifest>".into(),
        Some(set) => {
            let (outcome, notes) = validate(&manifest_src, &root, set);
            for n in notes {
                report.push(Level::Info, "schema-note", n);
            }
            match outcome {
                XsdOutcome::Valid => "valid".into(),
                XsdOutcome::Invalid(m) => {
                    report.push(
                        Level::Error,
                        "schema-invalid",
                        format!(
                            "imsmanifest.xml is not valid against the official {} schemas:\n{m}",
                            set.label()
                        ),
                    );
                    "invalid".into()
                }
                XsdOutcome::Skipped(why) => {
                    report.push(
                        Level::Info,
                        "schema-skipped",
                        format!("schema validation skipped: {why}"),
                    );
                    format!("skipped: {why}")
                }
            }
        }
    };
    Ok(report)
}
