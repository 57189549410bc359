//! Reports as plain tables of text, in English or Welsh: the one shape the
//! CSV download, the terminal and the dashboard's data tables share.

use super::funding::Funding;
use super::suppress::{group_thousands, Count};
use super::uptake::{Figures, Uptake};

/// A header and rows of cells.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    /// Column titles.
    pub header: Vec<String>,
    /// Rows, each as long as the header.
    pub rows: Vec<Vec<String>>,
}

/// How numbers are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    /// Welsh words.
    pub welsh: bool,
    /// Thousands separators and `%` (for people); plain digits otherwise
    /// (for spreadsheets).
    pub human: bool,
}

fn t(style: Style, en: &str, cy: &str) -> String {
    if style.welsh { cy } else { en }.to_owned()
}

fn count(c: Count, s: Style) -> String {
    match (c, s.human) {
        (Count::Exact(n), false) => n.to_string(),
        (Count::AtLeast(n), false) => {
            format!("{}{n}", if s.welsh { "o leiaf " } else { "at least " })
        }
        _ => c.text(s.welsh),
    }
}

fn pct(v: Option<f64>, s: Style) -> String {
    match v {
        Some(x) if s.human => format!("{:.1}%", x * 100.0),
        Some(x) => format!("{:.4}", x),
        None => String::new(),
    }
}

fn num(v: Option<u64>, s: Style) -> String {
    match v {
        Some(n) if s.human => group_thousands(n),
        Some(n) => n.to_string(),
        None => String::new(),
    }
}

fn int(v: Option<i64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// Money in pence as pounds: `£1,000.00` (human) or `1000.00`.
pub fn pounds(pence: u64, s: Style) -> String {
    if s.human {
        format!("£{}.{:02}", group_thousands(pence / 100), pence % 100)
    } else {
        format!("{}.{:02}", pence / 100, pence % 100)
    }
}

/// Column titles of a dimension.
pub fn dim_title(name: &str, s: Style) -> String {
    let (en, cy) = match name {
        "org" => ("Organisation", "Sefydliad"),
        "kind" => ("Kind", "Math"),
        "region" => ("Region", "Rhanbarth"),
        "module" => ("Module", "Modiwl"),
        "lang" => ("Language", "Iaith"),
        "variant" => ("Variant", "Fersiwn"),
        "scorm" => ("SCORM", "SCORM"),
        "week" => ("Week", "Wythnos"),
        "month" => ("Month", "Mis"),
        "quarter" => ("Quarter", "Chwarter"),
        other => (other, other),
    };
    t(s, en, cy)
}

fn figure_titles(s: Style) -> Vec<String> {
    [
        ("Started", "Wedi dechrau"),
        ("Completed", "Wedi cwblhau"),
        ("Passed", "Wedi pasio"),
        ("Pass rate", "Cyfradd pasio"),
        ("Median score", "Sgôr ganolrifol"),
        ("Median minutes", "Munudau canolrifol"),
        ("Completed in Welsh", "Wedi cwblhau yn Gymraeg"),
        ("Welsh share", "Cyfran Gymraeg"),
        ("Completed, accessible", "Wedi cwblhau, hygyrch"),
        ("Accessible share", "Cyfran hygyrch"),
        ("Headcount", "Nifer staff"),
        ("Coverage", "Cwmpas"),
        ("Not yet", "Heb eto"),
    ]
    .iter()
    .map(|(en, cy)| t(s, en, cy))
    .collect()
}

fn figure_cells(f: &Figures, s: Style) -> Vec<String> {
    vec![
        count(f.started, s),
        count(f.completed, s),
        count(f.passed, s),
        pct(f.pass_rate, s),
        int(f.median_score),
        int(f.median_minutes),
        count(f.completed_welsh, s),
        pct(f.welsh_share, s),
        count(f.completed_accessible, s),
        pct(f.accessible_share, s),
        num(f.headcount, s),
        pct(f.coverage, s),
        num(f.not_yet, s),
    ]
}

/// The uptake report as a table, with a last row of totals.
pub fn uptake(u: &Uptake, s: Style) -> Table {
    let by_org = u.columns.contains(&"org");
    let mut header: Vec<String> = Vec::new();
    for c in &u.columns {
        header.push(dim_title(c, s));
        if *c == "org" {
            header.push(t(s, "Name", "Enw"));
        }
    }
    header.extend(figure_titles(s));
    let mut rows = Vec::with_capacity(u.rows.len() + 1);
    for r in &u.rows {
        let mut cells = Vec::with_capacity(header.len());
        for (c, v) in u.columns.iter().zip(&r.key) {
            cells.push(v.clone());
            if *c == "org" {
                let name = if s.welsh {
                    &r.org_name_cy
                } else {
                    &r.org_name_en
                };
                cells.push(name.clone().unwrap_or_default());
            }
        }
        cells.extend(figure_cells(&r.figures, s));
        rows.push(cells);
    }
    let mut total = vec![t(s, "Total", "Cyfanswm")];
    let lead = u.columns.len() + usize::from(by_org);
    total.resize(lead.max(1), String::new());
    total.extend(figure_cells(&u.total, s));
    if lead == 0 {
        // No key columns: the total is the only row, and needs no title.
        total.remove(0);
        header.truncate(total.len());
    }
    rows.push(total);
    Table { header, rows }
}

/// The funding table, one row per organisation.
pub fn funding(f: &Funding, s: Style) -> Table {
    let header = [
        ("Organisation", "Sefydliad"),
        ("Name", "Enw"),
        ("Kind", "Math"),
        ("Region", "Rhanbarth"),
        ("Status", "Statws"),
        ("Pledged", "Addawyd"),
        ("Invoiced", "Anfonebwyd"),
        ("Paid", "Talwyd"),
        ("Amount", "Swm"),
        ("Completed", "Wedi cwblhau"),
        ("Cost per completion", "Cost fesul cwblhad"),
        ("To chase", "I fynd ar ei ôl"),
    ]
    .iter()
    .map(|(en, cy)| t(s, en, cy))
    .collect();
    let rows = f
        .rows
        .iter()
        .map(|r| {
            vec![
                r.org.clone(),
                if s.welsh {
                    r.name_cy.clone()
                } else {
                    r.name_en.clone()
                },
                r.kind.clone(),
                r.region.clone(),
                r.status
                    .as_deref()
                    .map(|x| status_text(x, s))
                    .unwrap_or_default(),
                r.pledged_on.clone().unwrap_or_default(),
                r.invoiced_on.clone().unwrap_or_default(),
                r.paid_on.clone().unwrap_or_default(),
                pounds(r.amount_pence, s),
                count(r.completed, s),
                r.cost_per_completion_pence
                    .map(|p| pounds(p, s))
                    .unwrap_or_default(),
                if r.to_chase {
                    t(s, "yes", "ie")
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    Table { header, rows }
}

/// A funding status in words.
pub fn status_text(status: &str, s: Style) -> String {
    match status {
        "pledged" => t(s, "pledged", "addawyd"),
        "invoiced" => t(s, "invoiced", "anfonebwyd"),
        "paid" => t(s, "paid", "talwyd"),
        other => other.to_owned(),
    }
}
