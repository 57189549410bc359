//! What an LMS completion CSV is: the three formats, detected from the header
//! row, and how each row becomes a completion event.
//!
//! - **moodle**: a Moodle report-builder export of course completions, with
//!   the columns `Username`, `Course short name` and `Time completed`
//!   (optional: `Course ID number`, `Grade`). Rows with an empty
//!   `Time completed` are learners who have not completed: skipped.
//! - **totara**: Totara's course completion upload format,
//!   `username,courseshortname,courseidnumber,completiondate,grade`.
//! - **generic**: `learner,package,verb,timestamp` and optionally
//!   `score,duration_seconds,version,edition,id`.
//!
//! For Moodle and Totara, the course short name or ID number must be the
//! package id (or its zip file name). Dates may be ISO 8601 (`2026-05-01`,
//! `2026-05-01T10:00:00Z`), UK style (`01/05/2026`, `01/05/2026 10:00`) or
//! Moodle's long form (`Friday, 1 May 2026, 10:00 AM`, `1 May 2026`); dates
//! without a zone are UTC.
//!
//! Each row gets an event id derived from (organisation, learner pseudonym,
//! package, verb, time), so importing the same file twice counts nothing
//! twice.

use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::Serialize;

use crate::domain::catalogue::{version_cmp, Package};
use crate::domain::event::{
    check_edition, check_learner, check_time, normalise_uuid, verb, NewEvent, TimeError,
};
use crate::error::AppError;

/// Most rows in one file.
pub const MAX_ROWS: usize = 200_000;

/// Namespace for import event ids (UUIDv5).
const IMPORT_NS: uuid::Uuid = uuid::Uuid::from_u128(0x7a1e_3c2b_5d4f_4e6a_9b8c_0d1e_2f3a_4b5c);

/// The detected format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Moodle report-builder course completions.
    Moodle,
    /// Totara course completion upload.
    Totara,
    /// Pecyn's documented generic format.
    Generic,
}

impl Format {
    /// The format's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Moodle => "moodle",
            Format::Totara => "totara",
            Format::Generic => "generic",
        }
    }
}

/// A row as read, before the catalogue and pseudonymisation.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedRow {
    /// 1-based line number in the file (header is line 1).
    pub line: usize,
    /// Learner's LMS id.
    pub learner: String,
    /// Package key as given (id, or zip name).
    pub package: String,
    /// Alternative package key (Moodle/Totara ID number).
    pub package_alt: Option<String>,
    /// Verb.
    pub verb: &'static str,
    /// When (Unix ms).
    pub occurred_at: i64,
    /// Score in percent.
    pub score: Option<f64>,
    /// Seconds spent.
    pub duration_s: Option<i64>,
    /// Package version.
    pub version: Option<String>,
    /// Edition.
    pub edition: Option<String>,
    /// Explicit event id (generic format).
    pub id: Option<String>,
}

/// One bad row.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RowError {
    /// Line number (header is 1).
    pub line: usize,
    /// What is wrong.
    pub errors: Vec<String>,
}

/// The parse of a whole file.
#[derive(Debug)]
pub struct ParsedFile {
    /// Detected format.
    pub format: Format,
    /// Good rows.
    pub rows: Vec<ParsedRow>,
    /// Rows skipped as not completed (Moodle).
    pub skipped: usize,
    /// Bad rows.
    pub errors: Vec<RowError>,
}

fn norm(h: &str) -> String {
    h.trim()
        .trim_start_matches('\u{feff}')
        .to_ascii_lowercase()
        .replace(['_', ' '], "")
}

/// Detects the format from the header row.
pub fn detect(headers: &[String]) -> Option<Format> {
    let has = |name: &str| headers.iter().any(|h| norm(h) == norm(name));
    if has("username") && has("courseshortname") && has("courseidnumber") && has("completiondate") {
        Some(Format::Totara)
    } else if has("username") && has("course short name") && has("time completed") {
        Some(Format::Moodle)
    } else if has("learner") && has("package") && has("verb") && has("timestamp") {
        Some(Format::Generic)
    } else {
        None
    }
}

/// Parses a date or date-time in the accepted forms (UTC if no zone).
pub fn parse_date(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    const DATETIMES: &[&str] = &[
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M",
        "%A, %d %B %Y, %I:%M %p",
        "%d %B %Y, %I:%M %p",
        "%A, %d %B %Y, %H:%M",
    ];
    for f in DATETIMES {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(Utc.from_utc_datetime(&t).timestamp_millis());
        }
    }
    const DATES: &[&str] = &[
        "%Y-%m-%d",
        "%d/%m/%Y",
        "%d %B %Y",
        "%A, %d %B %Y",
        "%d %b %Y",
    ];
    for f in DATES {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return d
                .and_hms_opt(0, 0, 0)
                .map(|t| Utc.from_utc_datetime(&t).timestamp_millis());
        }
    }
    None
}

fn parse_score(s: &str) -> Result<Option<f64>, String> {
    let s = s.trim().trim_end_matches('%').trim();
    if s.is_empty() || s == "-" {
        return Ok(None);
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=100.0).contains(&v) => Ok(Some(v)),
        _ => Err(format!("score {s:?} is not a percentage 0-100")),
    }
}

/// Parses a whole CSV file (no database): rows, skipped rows, errors.
pub fn parse_csv(data: &[u8], now: i64) -> Result<ParsedFile, AppError> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(data);
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| AppError::bad("invalid_csv", format!("cannot read the header row: {e}")))?
        .iter()
        .map(str::to_owned)
        .collect();
    let format = detect(&headers).ok_or_else(|| {
        AppError::bad(
            "unknown_format",
            "header row matches no supported format (moodle: Username, Course short name, Time completed; \
             totara: username, courseshortname, courseidnumber, completiondate, grade; \
             generic: learner, package, verb, timestamp)",
        )
    })?;
    let col = |name: &str| headers.iter().position(|h| norm(h) == norm(name));
    let mut out = ParsedFile {
        format,
        rows: Vec::new(),
        skipped: 0,
        errors: Vec::new(),
    };
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        if out.rows.len() + out.errors.len() + out.skipped >= MAX_ROWS {
            return Err(AppError::bad(
                "too_many_rows",
                format!("at most {MAX_ROWS} rows per file"),
            ));
        }
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                out.errors.push(RowError {
                    line,
                    errors: vec![format!("unreadable row: {e}")],
                });
                continue;
            }
        };
        if rec.iter().all(str::is_empty) {
            continue;
        }
        let get = |name: &str| col(name).and_then(|c| rec.get(c)).unwrap_or("").to_owned();
        let mut errs = Vec::new();
        let row = match format {
            Format::Moodle | Format::Totara => {
                let (user, short, idnum, date, grade) = if format == Format::Moodle {
                    (
                        get("username"),
                        get("course short name"),
                        get("course id number"),
                        get("time completed"),
                        get("grade"),
                    )
                } else {
                    (
                        get("username"),
                        get("courseshortname"),
                        get("courseidnumber"),
                        get("completiondate"),
                        get("grade"),
                    )
                };
                if format == Format::Moodle && date.is_empty() {
                    out.skipped += 1;
                    continue;
                }
                let occurred_at = parse_date(&date);
                if occurred_at.is_none() {
                    errs.push(format!("completion date {date:?} is not a date"));
                }
                if short.is_empty() && idnum.is_empty() {
                    errs.push("course short name and ID number are both empty".into());
                }
                let score = parse_score(&grade).unwrap_or_else(|e| {
                    errs.push(e);
                    None
                });
                ParsedRow {
                    line,
                    learner: user,
                    package: if short.is_empty() {
                        idnum.clone()
                    } else {
                        short
                    },
                    package_alt: (!idnum.is_empty()).then_some(idnum),
                    verb: "completed",
                    occurred_at: occurred_at.unwrap_or(now), // unread: the row already has an error
                    score,
                    duration_s: None,
                    version: None,
                    edition: None,
                    id: None,
                }
            }
            Format::Generic => {
                let v = get("verb");
                let verb = verb(&v);
                if verb.is_none() {
                    errs.push(format!(
                        "verb {v:?} is not started, completed, passed or failed"
                    ));
                }
                let ts = get("timestamp");
                let occurred_at = parse_date(&ts);
                if occurred_at.is_none() {
                    errs.push(format!("timestamp {ts:?} is not a date"));
                }
                let score = parse_score(&get("score")).unwrap_or_else(|e| {
                    errs.push(e);
                    None
                });
                let d = get("duration_seconds");
                let duration_s = if d.is_empty() {
                    None
                } else {
                    match d.parse::<i64>() {
                        Ok(n) if (0..=365 * 24 * 3600).contains(&n) => Some(n),
                        _ => {
                            errs.push(format!("duration_seconds {d:?} is not 0 to one year"));
                            None
                        }
                    }
                };
                let id = get("id");
                if !id.is_empty() && normalise_uuid(&id).is_none() {
                    errs.push(format!("id {id:?} is not a UUID"));
                }
                let edition = Some(get("edition")).filter(|e| !e.is_empty());
                if let Err((_, m)) = check_edition(edition.as_deref()) {
                    errs.push(m);
                }
                let package = get("package");
                if package.is_empty() {
                    errs.push("package is empty".into());
                }
                ParsedRow {
                    line,
                    learner: get("learner"),
                    package,
                    package_alt: None,
                    verb: verb.unwrap_or("started"),
                    occurred_at: occurred_at.unwrap_or(now), // unread: the row already has an error
                    score,
                    duration_s,
                    version: Some(get("version")).filter(|v| !v.is_empty()),
                    edition,
                    id: normalise_uuid(&id),
                }
            }
        };
        if let Err((_, m)) = check_learner(&row.learner) {
            errs.push(m);
        }
        match check_time(row.occurred_at, now) {
            Ok(()) => {}
            Err(TimeError::Future) => errs.push("date is in the future".into()),
            Err(TimeError::TooEarly) => errs.push("date is before 2000-01-01".into()),
        }
        if errs.is_empty() {
            out.rows.push(row);
        } else {
            out.errors.push(RowError { line, errors: errs });
        }
    }
    Ok(out)
}

/// Finds the package a row names: by id, or by zip file name, in the given
/// version (default: the highest).
pub fn resolve(all: &[Package], row: &ParsedRow) -> Option<Package> {
    let mut keys = vec![row.package.as_str()];
    if let Some(a) = &row.package_alt {
        keys.push(a.as_str());
    }
    keys.iter()
        .filter_map(|k| {
            let k = k.strip_suffix(".zip").unwrap_or(k);
            all.iter()
                .filter(|p| p.id == k || p.file.strip_suffix(".zip").unwrap_or(&p.file) == k)
                .filter(|p| row.version.as_ref().is_none_or(|v| *v == p.version))
                .max_by(|a, b| version_cmp(&a.version, &b.version))
        })
        .next()
        .cloned()
}

/// The event id of a row: its own `id` (generic format), or one derived from
/// what the row says, so that the same file imported twice counts once.
fn event_id(org_id: i64, learner: &str, pkg: &Package, row: &ParsedRow) -> String {
    if let Some(id) = &row.id {
        return id.clone();
    }
    let name = format!(
        "{}|{}|{}|{}|{}|{}",
        org_id, learner, pkg.id, pkg.version, row.verb, row.occurred_at
    );
    uuid::Uuid::new_v5(&IMPORT_NS, name.as_bytes())
        .hyphenated()
        .to_string()
}

/// The event a checked row becomes, once its package is known and its
/// learner pseudonymised.
pub fn to_event(org_id: i64, learner: String, pkg: Package, row: &ParsedRow, now: i64) -> NewEvent {
    NewEvent {
        org_id,
        event_id: event_id(org_id, &learner, &pkg, row),
        learner,
        package_id: pkg.id,
        package_version: pkg.version,
        edition: row.edition.clone(),
        verb: row.verb,
        score: row.score,
        duration_s: row.duration_s,
        occurred_at: row.occurred_at,
        received_at: now,
        source: "csv",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_900_000_000_000;

    #[test]
    fn detects_each_format() {
        let h = |s: &str| s.split(',').map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(
            detect(&h(
                "username,courseshortname,courseidnumber,completiondate,grade"
            )),
            Some(Format::Totara)
        );
        assert_eq!(
            detect(&h(
                "\u{feff}Username,First name,Course short name,Time completed,Grade"
            )),
            Some(Format::Moodle)
        );
        assert_eq!(
            detect(&h("learner,package,verb,timestamp")),
            Some(Format::Generic)
        );
        assert_eq!(detect(&h("name,course,date")), None);
    }

    #[test]
    fn dates() {
        let d = |s| parse_date(s);
        let base = d("2026-05-01T00:00:00Z");
        assert!(base.is_some());
        assert_eq!(d("2026-05-01"), base);
        assert_eq!(d("01/05/2026"), base);
        assert_eq!(d("1 May 2026"), base);
        assert_eq!(d("Friday, 1 May 2026"), base);
        assert_eq!(d("Friday, 1 May 2026, 12:00 AM"), base);
        assert_eq!(d("01/05/2026 00:00"), base);
        assert_eq!(d("13/13/2026"), None);
        assert_eq!(d("soon"), None);
    }

    #[test]
    fn moodle_skips_incomplete_and_reports_bad_rows() {
        let csv = "Username,Course short name,Time completed,Grade\n\
                   u1,pecyn_a,\"Friday, 1 May 2026, 10:00 AM\",85\n\
                   u2,pecyn_a,,\n\
                   u3,pecyn_a,not a date,\n\
                   ,pecyn_a,2026-05-01,\n\
                   u5,pecyn_a,2026-05-01,150\n";
        let p = parse_csv(csv.as_bytes(), NOW).expect("parses");
        assert_eq!(p.format, Format::Moodle);
        assert_eq!(p.rows.len(), 1);
        assert_eq!(p.rows[0].score, Some(85.0));
        assert_eq!(p.skipped, 1);
        let lines: Vec<usize> = p.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![4, 5, 6]);
    }

    #[test]
    fn totara_and_generic() {
        let t = "username,courseshortname,courseidnumber,completiondate,grade\nu1,pecyn_a,,2026-05-01,77\n";
        let p = parse_csv(t.as_bytes(), NOW).expect("parses");
        assert_eq!(
            (p.format, p.rows.len(), p.errors.len()),
            (Format::Totara, 1, 0)
        );
        let g = "learner,package,verb,timestamp,score,duration_seconds\nu1,pecyn_a,passed,2026-05-01T10:00:00Z,90,600\nu2,pecyn_a,finished,2026-05-01,,\n";
        let p = parse_csv(g.as_bytes(), NOW).expect("parses");
        assert_eq!(p.format, Format::Generic);
        assert_eq!(p.rows[0].verb, "passed");
        assert_eq!(p.rows[0].duration_s, Some(600));
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.errors[0].line, 3);
    }

    #[test]
    fn ragged_rows_are_errors_not_panics() {
        let g = "learner,package,verb,timestamp\nu1,p,started\n";
        let p = parse_csv(g.as_bytes(), NOW).expect("parses");
        assert_eq!(p.errors.len(), 1);
        assert!(parse_csv(b"", NOW).is_err());
        assert!(parse_csv(&[0xff, 0xfe, 0x00], NOW).is_err());
    }
}
