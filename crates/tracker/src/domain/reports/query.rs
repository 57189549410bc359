//! What a report asks for: date range, grouping and filters, parsed from
//! query-string values with errors that say what to send instead.

use chrono::NaiveDate;
use serde::Serialize;

use super::period::{date_of, day_of, Day, Period};

/// Longest date range a report may cover (days), so that a request's cost
/// is bounded.
pub const MAX_RANGE_DAYS: i64 = 5 * 366;
/// Most grouping dimensions in one report.
pub const MAX_DIMS: usize = 4;

/// A grouping dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Dim {
    /// Organisation (code).
    Org,
    /// Organisation kind.
    Kind,
    /// Organisation region.
    Region,
    /// Module slug.
    Module,
    /// Language (`en`, `cy`).
    Lang,
    /// Variant (`standard`, `accessible`).
    Variant,
    /// SCORM version.
    Scorm,
    /// A period of the London calendar.
    Period(Period),
}

/// Every dimension name accepted in `group_by`.
pub const DIM_NAMES: &[&str] = &[
    "org", "kind", "region", "module", "lang", "variant", "scorm", "week", "month", "quarter",
];

impl Dim {
    /// Parses one name of [`DIM_NAMES`].
    pub fn parse(s: &str) -> Option<Dim> {
        Some(match s {
            "org" => Dim::Org,
            "kind" => Dim::Kind,
            "region" => Dim::Region,
            "module" => Dim::Module,
            "lang" => Dim::Lang,
            "variant" => Dim::Variant,
            "scorm" => Dim::Scorm,
            p => Dim::Period(Period::parse(p)?),
        })
    }

    /// The name, as in `group_by` and CSV headers.
    pub fn name(self) -> &'static str {
        match self {
            Dim::Org => "org",
            Dim::Kind => "kind",
            Dim::Region => "region",
            Dim::Module => "module",
            Dim::Lang => "lang",
            Dim::Variant => "variant",
            Dim::Scorm => "scorm",
            Dim::Period(Period::Week) => "week",
            Dim::Period(Period::Month) => "month",
            Dim::Period(Period::Quarter) => "quarter",
        }
    }

    /// Whether the dimension is a property of the package (read from the
    /// catalogue) rather than of the organisation or the calendar.
    pub fn is_package(self) -> bool {
        matches!(self, Dim::Module | Dim::Lang | Dim::Variant | Dim::Scorm)
    }
}

/// Optional equality filters. Each names a value of one dimension.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Filters {
    /// Only this organisation (code).
    pub org: Option<String>,
    /// Only organisations of this kind.
    pub kind: Option<String>,
    /// Only organisations in this region.
    pub region: Option<String>,
    /// Only this module.
    pub module: Option<String>,
    /// Only this language.
    pub lang: Option<String>,
    /// Only this variant.
    pub variant: Option<String>,
    /// Only this SCORM version.
    pub scorm: Option<String>,
}

/// A parsed uptake request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UptakeQuery {
    /// First London day, inclusive.
    #[serde(serialize_with = "ser_day")]
    pub from: Day,
    /// Last London day, inclusive.
    #[serde(serialize_with = "ser_day")]
    pub to: Day,
    /// Grouping, in order.
    pub group_by: Vec<Dim>,
    /// Filters.
    pub filters: Filters,
}

fn ser_day<S: serde::Serializer>(d: &Day, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&date_of(*d))
}

/// The raw query-string values.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawQuery {
    /// `YYYY-MM-DD`, default a year before `to`.
    pub from: Option<String>,
    /// `YYYY-MM-DD`, default today (London).
    pub to: Option<String>,
    /// Comma-separated [`DIM_NAMES`].
    pub group_by: Option<String>,
    /// Filter.
    pub org: Option<String>,
    /// Filter.
    pub kind: Option<String>,
    /// Filter.
    pub region: Option<String>,
    /// Filter.
    pub module: Option<String>,
    /// Filter.
    pub lang: Option<String>,
    /// Filter.
    pub variant: Option<String>,
    /// Filter.
    pub scorm: Option<String>,
    /// Dashboard only: interface language.
    #[serde(default)]
    pub ui: Option<String>,
    /// Response format (`csv` or `json`), instead of the `Accept` header.
    #[serde(default)]
    pub format: Option<String>,
}

/// Why a query was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct QueryError {
    /// Stable code.
    pub code: &'static str,
    /// What to send instead.
    pub message: String,
}

fn err(code: &'static str, message: impl Into<String>) -> QueryError {
    QueryError {
        code,
        message: message.into(),
    }
}

fn parse_date(name: &str, s: &str) -> Result<Day, QueryError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(day_of)
        .map_err(|_| {
            err(
                "invalid_date",
                format!("{name} must be a date, YYYY-MM-DD (got {s:?})"),
            )
        })
}

fn filter(name: &str, v: &Option<String>) -> Result<Option<String>, QueryError> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) if s.len() > 100 || s.chars().any(char::is_control) => Err(err(
            "invalid_filter",
            format!("{name} must be at most 100 printable characters"),
        )),
        Some(s) => Ok(Some(s.to_owned())),
    }
}

impl UptakeQuery {
    /// Parses and checks a request; `today` is the London day now.
    pub fn parse(raw: &RawQuery, today: Day) -> Result<UptakeQuery, QueryError> {
        let to = match raw.to.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => parse_date("to", s)?,
            None => today,
        };
        let from = match raw.from.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => parse_date("from", s)?,
            None => to - 364,
        };
        if from > to {
            return Err(err("invalid_range", "from must not be after to"));
        }
        if to - from > MAX_RANGE_DAYS {
            return Err(err(
                "invalid_range",
                format!("a report covers at most {MAX_RANGE_DAYS} days; narrow from/to"),
            ));
        }
        let mut group_by = Vec::new();
        for name in raw
            .group_by
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let dim = Dim::parse(name).ok_or_else(|| {
                err(
                    "invalid_group_by",
                    format!(
                        "cannot group by {name:?}; use any of: {}",
                        DIM_NAMES.join(", ")
                    ),
                )
            })?;
            let clash = group_by
                .iter()
                .any(|d: &Dim| *d == dim || matches!((d, dim), (Dim::Period(_), Dim::Period(_))));
            if clash {
                return Err(err(
                    "invalid_group_by",
                    "name each dimension once, and at most one of week, month, quarter",
                ));
            }
            group_by.push(dim);
        }
        if group_by.len() > MAX_DIMS {
            return Err(err(
                "invalid_group_by",
                format!("group by at most {MAX_DIMS} dimensions"),
            ));
        }
        Ok(UptakeQuery {
            from,
            to,
            group_by,
            filters: Filters {
                org: filter("org", &raw.org)?,
                kind: filter("kind", &raw.kind)?,
                region: filter("region", &raw.region)?,
                module: filter("module", &raw.module)?,
                lang: filter("lang", &raw.lang)?,
                variant: filter("variant", &raw.variant)?,
                scorm: filter("scorm", &raw.scorm)?,
            },
        })
    }

    /// The period dimension, if any.
    pub fn period(&self) -> Option<Period> {
        self.group_by.iter().find_map(|d| match d {
            Dim::Period(p) => Some(*p),
            _ => None,
        })
    }

    /// Whether the grouping includes `dim`.
    pub fn groups_by(&self, dim: Dim) -> bool {
        self.group_by.contains(&dim)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(pairs: &[(&str, &str)]) -> RawQuery {
        let q: String = pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        serde_urlencoded_like(&q)
    }

    // A tiny query-string reader for the tests (the HTTP layer uses axum's).
    fn serde_urlencoded_like(q: &str) -> RawQuery {
        let mut r = RawQuery::default();
        for kv in q.split('&').filter(|s| !s.is_empty()) {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            let v = Some(v.to_owned());
            match k {
                "from" => r.from = v,
                "to" => r.to = v,
                "group_by" => r.group_by = v,
                "lang" => r.lang = v,
                "kind" => r.kind = v,
                _ => {}
            }
        }
        r
    }

    #[test]
    fn parses_range_grouping_and_filters() {
        let today = day_of(NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default());
        let q = UptakeQuery::parse(
            &raw(&[
                ("from", "2026-01-01"),
                ("to", "2026-03-31"),
                ("group_by", "org, module,month"),
                ("lang", "cy"),
            ]),
            today,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            q.group_by,
            vec![Dim::Org, Dim::Module, Dim::Period(Period::Month)]
        );
        assert_eq!(q.period(), Some(Period::Month));
        assert_eq!(q.filters.lang.as_deref(), Some("cy"));
        assert_eq!(q.to - q.from, 89);
        let d = UptakeQuery::parse(&RawQuery::default(), today).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((d.to, d.to - d.from), (today, 364));
        assert!(d.group_by.is_empty());
    }

    #[test]
    fn refuses_bad_queries_with_reasons() {
        let today = 20_000;
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("from", "2026-13-01")], "invalid_date"),
            (
                &[("from", "2026-02-01"), ("to", "2026-01-01")],
                "invalid_range",
            ),
            (
                &[("from", "2010-01-01"), ("to", "2026-01-01")],
                "invalid_range",
            ),
            (&[("group_by", "org,colour")], "invalid_group_by"),
            (&[("group_by", "org,org")], "invalid_group_by"),
            (&[("group_by", "week,month")], "invalid_group_by"),
            (
                &[("group_by", "org,kind,region,module,lang")],
                "invalid_group_by",
            ),
        ];
        for (pairs, code) in cases {
            let e = UptakeQuery::parse(&raw(pairs), today).err();
            assert_eq!(e.map(|e| e.code), Some(*code), "{pairs:?}");
        }
        let long = RawQuery {
            kind: Some("x".repeat(101)),
            ..RawQuery::default()
        };
        assert_eq!(
            UptakeQuery::parse(&long, today).err().map(|e| e.code),
            Some("invalid_filter")
        );
    }
}
