//! The uptake report: rollup facts (already summed by the store per
//! organisation and requested grouping) → rows with suppression applied for
//! the viewer, totals, shares, coverage and medians.
//!
//! Definitions (see docs/tracker.md, "Reports"): counts are of learner ×
//! package pairs, each counted once, on the London day of the learner's
//! *first* event of the kind: *started* = first event of any verb,
//! *completed* = first `completed` or `passed`, *passed* = first `passed`.
//! Pass rate = passed ÷ completed. Median score and time are over the
//! score and duration of each learner's first completion.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::median::{self, Histogram};
use super::period::Day;
use super::query::{Dim, UptakeQuery};
use super::suppress::{ratio, Count};

/// Who is looking, which decides what is exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Viewer {
    /// Platform admin: everything exact.
    Platform,
    /// A key of this organisation: its own figures exact, others suppressed.
    Org(i64),
    /// Anyone: everything suppressed.
    Public,
}

impl Viewer {
    /// Whether this viewer sees organisation `org_id`'s counts exactly.
    pub fn exact_for(self, org_id: i64) -> bool {
        match self {
            Viewer::Platform => true,
            Viewer::Org(o) => o == org_id,
            Viewer::Public => false,
        }
    }
}

/// An organisation as reports need it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OrgInfo {
    /// Internal id.
    #[serde(skip)]
    pub id: i64,
    /// Code.
    pub code: String,
    /// English name.
    pub name_en: String,
    /// Welsh name.
    pub name_cy: String,
    /// Kind.
    pub kind: String,
    /// Region.
    pub region: String,
    /// Staff headcount, if set.
    pub headcount: Option<u64>,
}

/// One rollup sum from the store: one organisation, one value of each
/// requested package dimension (empty when not grouped), one period start
/// (when grouped by period).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fact {
    /// Organisation id.
    pub org_id: i64,
    /// Module, or empty.
    pub module: String,
    /// Language, or empty.
    pub lang: String,
    /// Variant, or empty.
    pub variant: String,
    /// SCORM version, or empty.
    pub scorm: String,
    /// Period start, when grouped by period.
    pub period: Option<Day>,
    /// Learners who started.
    pub started: u64,
    /// Learners who completed (or passed).
    pub completed: u64,
    /// Learners who passed.
    pub passed: u64,
    /// Of `completed`, in Welsh.
    pub completed_cy: u64,
    /// Of `completed`, in the accessible variant.
    pub completed_accessible: u64,
}

/// Which histogram a [`HistFact`] belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HistKind {
    /// Whole-percent score of the first completion.
    Score,
    /// Whole minutes spent, at the first completion.
    Minutes,
}

/// One histogram bucket from the store, keyed like [`Fact`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistFact {
    /// The fact this bucket belongs to (counts unused).
    pub key: Fact,
    /// Score or minutes.
    pub kind: HistKind,
    /// Bucket value.
    pub bucket: i64,
    /// Learners in it.
    pub n: u64,
}

/// The figures of one row or of the total.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Figures {
    /// Learners who started.
    pub started: Count,
    /// Learners who completed.
    pub completed: Count,
    /// Learners who passed.
    pub passed: Count,
    /// passed ÷ completed.
    pub pass_rate: Option<f64>,
    /// Median score (percent) of first completions.
    pub median_score: Option<i64>,
    /// Median minutes spent, at first completion.
    pub median_minutes: Option<i64>,
    /// Completions in Welsh.
    pub completed_welsh: Count,
    /// completed_welsh ÷ completed.
    pub welsh_share: Option<f64>,
    /// Completions of the accessible variant.
    pub completed_accessible: Count,
    /// completed_accessible ÷ completed.
    pub accessible_share: Option<f64>,
    /// The organisation's headcount (rows of one organisation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headcount: Option<u64>,
    /// completed ÷ headcount (rows of one organisation and module).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<f64>,
    /// headcount − completed: staff still to complete (rows of one
    /// organisation and module).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_yet: Option<u64>,
}

/// One row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    /// One value per `group_by` dimension, in order.
    pub key: Vec<String>,
    /// English organisation name (rows grouped by organisation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_name_en: Option<String>,
    /// Welsh organisation name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_name_cy: Option<String>,
    /// The figures.
    #[serde(flatten)]
    pub figures: Figures,
}

/// The report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Uptake {
    /// What was asked.
    pub query: UptakeQuery,
    /// Dimension names, in order (the row keys' columns).
    pub columns: Vec<&'static str>,
    /// Rows, sorted by key (periods in time order).
    pub rows: Vec<Row>,
    /// All rows together.
    pub total: Figures,
    /// Whether any figure is suppressed.
    pub suppressed: bool,
}

#[derive(Default)]
struct Acc {
    started: Option<Count>,
    completed: Option<Count>,
    passed: Option<Count>,
    cy: Option<Count>,
    acc: Option<Count>,
    scores: Histogram,
    minutes: Histogram,
    org: Option<i64>,
    single_org: bool,
}

fn add(into: &mut Option<Count>, c: Count) {
    *into = Some(match *into {
        None => c,
        Some(t) => t.plus(c),
    });
}

impl Acc {
    fn take(&mut self, shown: &Shown, org_id: i64) {
        add(&mut self.started, shown.started);
        add(&mut self.completed, shown.completed);
        add(&mut self.passed, shown.passed);
        add(&mut self.cy, shown.cy);
        add(&mut self.acc, shown.acc);
        if let Some((s, m)) = &shown.hists {
            median::merge(&mut self.scores, s);
            median::merge(&mut self.minutes, m);
        }
        match self.org {
            None if !self.single_org => {
                self.org = Some(org_id);
                self.single_org = true;
            }
            Some(o) if o != org_id => {
                self.org = None;
            }
            _ => {}
        }
    }

    fn merge(&mut self, other: &Acc) {
        for (into, c) in [
            (&mut self.started, other.started),
            (&mut self.completed, other.completed),
            (&mut self.passed, other.passed),
            (&mut self.cy, other.cy),
            (&mut self.acc, other.acc),
        ] {
            if let Some(c) = c {
                add(into, c);
            }
        }
        median::merge(&mut self.scores, &other.scores);
        median::merge(&mut self.minutes, &other.minutes);
    }

    fn figures(&self) -> Figures {
        let z = Count::Exact(0);
        let completed = self.completed.unwrap_or(z);
        let cy = self.cy.unwrap_or(z);
        let acc = self.acc.unwrap_or(z);
        let passed = self.passed.unwrap_or(z);
        Figures {
            started: self.started.unwrap_or(z),
            completed,
            passed,
            pass_rate: ratio(passed, completed),
            median_score: median::median(&self.scores),
            median_minutes: median::median(&self.minutes),
            completed_welsh: cy,
            welsh_share: ratio(cy, completed),
            completed_accessible: acc,
            accessible_share: ratio(acc, completed),
            headcount: None,
            coverage: None,
            not_yet: None,
        }
    }
}

/// One organisation's cell after suppression.
struct Shown {
    started: Count,
    completed: Count,
    passed: Count,
    cy: Count,
    acc: Count,
    /// Histograms, only when the completions they describe are shown.
    hists: Option<(Histogram, Histogram)>,
}

type CellKey = (i64, String, String, String, String, Option<Day>);

fn cell_key(f: &Fact) -> CellKey {
    (
        f.org_id,
        f.module.clone(),
        f.lang.clone(),
        f.variant.clone(),
        f.scorm.clone(),
        f.period,
    )
}

/// Builds the report for `viewer`. Facts of organisations missing from
/// `orgs`, or excluded by the organisation filters, are ignored.
pub fn build(
    query: &UptakeQuery,
    viewer: Viewer,
    orgs: &[OrgInfo],
    facts: &[Fact],
    hists: &[HistFact],
) -> Uptake {
    let org_by_id: HashMap<i64, &OrgInfo> = orgs.iter().map(|o| (o.id, o)).collect();
    let f = &query.filters;
    let org_ok = |o: &OrgInfo| {
        f.org.as_ref().is_none_or(|c| *c == o.code)
            && f.kind.as_ref().is_none_or(|k| *k == o.kind)
            && f.region.as_ref().is_none_or(|r| *r == o.region)
    };

    // Sum facts and histograms per organisation cell (the store already
    // groups them so, but summing again makes the function total).
    let mut cells: BTreeMap<CellKey, (Fact, Histogram, Histogram)> = BTreeMap::new();
    for fact in facts {
        let e = cells.entry(cell_key(fact)).or_insert_with(|| {
            (
                Fact {
                    started: 0,
                    completed: 0,
                    passed: 0,
                    completed_cy: 0,
                    completed_accessible: 0,
                    ..fact.clone()
                },
                Histogram::new(),
                Histogram::new(),
            )
        });
        e.0.started += fact.started;
        e.0.completed += fact.completed;
        e.0.passed += fact.passed;
        e.0.completed_cy += fact.completed_cy;
        e.0.completed_accessible += fact.completed_accessible;
    }
    for h in hists {
        if let Some(e) = cells.get_mut(&cell_key(&h.key)) {
            let into = match h.kind {
                HistKind::Score => &mut e.1,
                HistKind::Minutes => &mut e.2,
            };
            *into.entry(h.bucket).or_default() += h.n;
        }
    }

    let mut rows: BTreeMap<Vec<String>, Acc> = BTreeMap::new();
    let mut suppressed = false;
    for (fact, scores, minutes) in cells.values() {
        let Some(org) = org_by_id.get(&fact.org_id) else {
            continue;
        };
        if !org_ok(org) {
            continue;
        }
        let exact = viewer.exact_for(fact.org_id);
        let completed = Count::of(fact.completed, exact);
        let shown = Shown {
            started: Count::of(fact.started, exact),
            completed,
            passed: Count::of(fact.passed, exact),
            cy: Count::of(fact.completed_cy, exact),
            acc: Count::of(fact.completed_accessible, exact),
            hists: completed.exact().map(|_| (scores.clone(), minutes.clone())),
        };
        suppressed |= [
            shown.started,
            shown.completed,
            shown.passed,
            shown.cy,
            shown.acc,
        ]
        .iter()
        .any(|c| c.exact().is_none());
        let key: Vec<String> = query
            .group_by
            .iter()
            .map(|d| match d {
                Dim::Org => org.code.clone(),
                Dim::Kind => org.kind.clone(),
                Dim::Region => org.region.clone(),
                Dim::Module => fact.module.clone(),
                Dim::Lang => fact.lang.clone(),
                Dim::Variant => fact.variant.clone(),
                Dim::Scorm => fact.scorm.clone(),
                // Sortable: the start date; relabelled below.
                Dim::Period(_) => format!("{:012}", fact.period.unwrap_or(0) + 1_000_000_000),
            })
            .collect();
        rows.entry(key).or_default().take(&shown, fact.org_id);
    }

    let mut total = Acc::default();
    let by_org = query.groups_by(Dim::Org);
    let by_module = query.groups_by(Dim::Module);
    let out: Vec<Row> = rows
        .into_iter()
        .map(|(mut key, acc)| {
            total.merge(&acc);
            let mut figures = acc.figures();
            let org = if by_org {
                acc.org.and_then(|o| org_by_id.get(&o))
            } else {
                None
            };
            if let Some(o) = org {
                figures.headcount = o.headcount;
                if by_module {
                    if let (Some(h), Some(c)) = (o.headcount, figures.completed.exact()) {
                        figures.coverage = (h > 0).then(|| c as f64 / h as f64);
                        figures.not_yet = Some(h.saturating_sub(c));
                    }
                }
            }
            for (i, d) in query.group_by.iter().enumerate() {
                if let (Dim::Period(p), Some(k)) = (d, key.get_mut(i)) {
                    let day = k.parse::<i64>().map(|v| v - 1_000_000_000).unwrap_or(0);
                    *k = p.label(day);
                }
            }
            Row {
                key,
                org_name_en: org.map(|o| o.name_en.clone()),
                org_name_cy: org.map(|o| o.name_cy.clone()),
                figures,
            }
        })
        .collect();

    Uptake {
        query: query.clone(),
        columns: query.group_by.iter().map(|d| d.name()).collect(),
        rows: out,
        total: total.figures(),
        suppressed,
    }
}
