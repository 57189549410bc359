//! The co-funding picture: a campaign target, each organisation's funding
//! status and amount, the pot, completions and cost per completion, the
//! organisations to chase, and adoption over time.

use std::collections::BTreeMap;

use serde::Serialize;

use super::period::{Day, Period};
use super::suppress::Count;
use super::uptake::{OrgInfo, Viewer};

/// Funding statuses, in the order an organisation moves through them.
pub const FUNDING_STATUSES: &[&str] = &["pledged", "invoiced", "paid"];

/// The campaign's target.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Campaign {
    /// Organisations the campaign aims to sign up.
    pub target_orgs: u64,
    /// The pot it aims for, in pence.
    pub target_pence: u64,
}

/// One organisation's funding record and its uptake in the range.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrgFunding {
    /// The organisation.
    pub org: OrgInfo,
    /// `pledged`, `invoiced`, `paid`, or none.
    pub status: Option<String>,
    /// Dates, `YYYY-MM-DD`.
    pub pledged_on: Option<String>,
    /// Date invoiced.
    pub invoiced_on: Option<String>,
    /// Date paid.
    pub paid_on: Option<String>,
    /// Contribution in pence.
    pub amount_pence: u64,
    /// First London day with any event (ever).
    pub first_day: Option<Day>,
    /// Learners who started in the range.
    pub started: u64,
    /// Learners who completed in the range.
    pub completed: u64,
}

/// One row of the funding table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FundingRow {
    /// Code.
    pub org: String,
    /// English name.
    pub name_en: String,
    /// Welsh name.
    pub name_cy: String,
    /// Kind.
    pub kind: String,
    /// Region.
    pub region: String,
    /// Funding status.
    pub status: Option<String>,
    /// Date pledged.
    pub pledged_on: Option<String>,
    /// Date invoiced.
    pub invoiced_on: Option<String>,
    /// Date paid.
    pub paid_on: Option<String>,
    /// Contribution in pence.
    pub amount_pence: u64,
    /// Completions in the range.
    pub completed: Count,
    /// amount ÷ completions, in pence (when both are known and non-zero).
    pub cost_per_completion_pence: Option<u64>,
    /// Subscribed but no learner started in the range.
    pub to_chase: bool,
}

/// Adoption in one month: organisations whose first event fell in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Adoption {
    /// `YYYY-MM`.
    pub month: String,
    /// New organisations that month.
    pub new_orgs: u64,
    /// Organisations adopted by the end of that month.
    pub cumulative: u64,
}

/// The funding report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Funding {
    /// The target.
    pub campaign: Campaign,
    /// Per organisation, by code.
    pub rows: Vec<FundingRow>,
    /// Pence pledged, invoiced or paid (every organisation with a status).
    pub pot_pence: u64,
    /// Pence paid.
    pub paid_pence: u64,
    /// Organisations with each status.
    pub orgs_by_status: BTreeMap<String, u64>,
    /// Organisations with any status ÷ target organisations.
    pub progress_orgs: Option<f64>,
    /// pot ÷ target pot.
    pub progress_pence: Option<f64>,
    /// Completions in the range, all organisations.
    pub completed: Count,
    /// pot ÷ completions, in pence, when both are exact.
    pub cost_per_completion_pence: Option<u64>,
    /// Codes of the organisations to chase.
    pub to_chase: Vec<String>,
    /// First event per organisation, by month.
    pub adoption: Vec<Adoption>,
}

fn per(amount: u64, n: Count) -> Option<u64> {
    match n.exact() {
        Some(c) if c > 0 && amount > 0 => Some((amount + c / 2) / c),
        _ => None,
    }
}

/// Builds the funding report for `viewer` (completions of other
/// organisations are suppressed as in the uptake report).
pub fn build(campaign: &Campaign, viewer: Viewer, orgs: &[OrgFunding]) -> Funding {
    let mut rows = Vec::with_capacity(orgs.len());
    let mut pot = 0;
    let mut paid = 0;
    let mut by_status: BTreeMap<String, u64> = BTreeMap::new();
    let mut completed: Option<Count> = None;
    let mut to_chase = Vec::new();
    let mut firsts: BTreeMap<Day, u64> = BTreeMap::new();
    for f in orgs {
        let exact = viewer.exact_for(f.org.id);
        let c = Count::of(f.completed, exact);
        completed = Some(completed.map_or(c, |t| t.plus(c)));
        if let Some(s) = &f.status {
            pot += f.amount_pence;
            *by_status.entry(s.clone()).or_default() += 1;
            if s == "paid" {
                paid += f.amount_pence;
            }
        }
        let chase = f.started == 0;
        if chase {
            to_chase.push(f.org.code.clone());
        }
        if let Some(d) = f.first_day {
            *firsts.entry(Period::Month.start(d)).or_default() += 1;
        }
        rows.push(FundingRow {
            org: f.org.code.clone(),
            name_en: f.org.name_en.clone(),
            name_cy: f.org.name_cy.clone(),
            kind: f.org.kind.clone(),
            region: f.org.region.clone(),
            status: f.status.clone(),
            pledged_on: f.pledged_on.clone(),
            invoiced_on: f.invoiced_on.clone(),
            paid_on: f.paid_on.clone(),
            amount_pence: f.amount_pence,
            completed: c,
            cost_per_completion_pence: per(f.amount_pence, c),
            to_chase: chase,
        });
    }
    rows.sort_by(|a, b| a.org.cmp(&b.org));
    to_chase.sort();
    let mut cumulative = 0;
    let adoption = firsts
        .into_iter()
        .map(|(start, n)| {
            cumulative += n;
            Adoption {
                month: Period::Month.label(start),
                new_orgs: n,
                cumulative,
            }
        })
        .collect();
    let with_status: u64 = by_status.values().sum();
    let completed = completed.unwrap_or_default();
    Funding {
        campaign: campaign.clone(),
        rows,
        pot_pence: pot,
        paid_pence: paid,
        orgs_by_status: by_status,
        progress_orgs: (campaign.target_orgs > 0)
            .then(|| with_status as f64 / campaign.target_orgs as f64),
        progress_pence: (campaign.target_pence > 0)
            .then(|| pot as f64 / campaign.target_pence as f64),
        completed,
        cost_per_completion_pence: per(pot, completed),
        to_chase,
        adoption,
    }
}
