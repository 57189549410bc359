//! Report arithmetic on a small hand-checked data set, and the differencing
//! attack on suppressed figures.

use std::collections::HashMap;

use super::funding::{self, Campaign, OrgFunding};
use super::query::{RawQuery, UptakeQuery};
use super::suppress::Count;
use super::table::{self, Style};
use super::uptake::{build, Fact, HistFact, HistKind, OrgInfo, Viewer};

fn org(id: i64, code: &str, kind: &str, headcount: Option<u64>) -> OrgInfo {
    OrgInfo {
        id,
        code: code.into(),
        name_en: format!("{code} council"),
        name_cy: format!("cyngor {code}"),
        kind: kind.into(),
        region: "Wales".into(),
        headcount,
    }
}

fn fact(org_id: i64, module: &str, lang: &str, n: [u64; 5]) -> Fact {
    Fact {
        org_id,
        module: module.into(),
        lang: lang.into(),
        started: n[0],
        completed: n[1],
        passed: n[2],
        completed_cy: n[3],
        completed_accessible: n[4],
        ..Fact::default()
    }
}

fn query(group_by: &str) -> UptakeQuery {
    let raw = RawQuery {
        from: Some("2026-01-01".into()),
        to: Some("2026-12-31".into()),
        group_by: Some(group_by.into()),
        ..RawQuery::default()
    };
    UptakeQuery::parse(&raw, 20_000).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn hand_checked_figures() {
    let orgs = [
        org(1, "cardiff", "unitary", Some(100)),
        org(2, "powys", "county", None),
    ];
    // Facts as the store gives them for group_by=org,module (lang empty).
    let facts = [
        fact(1, "passwords", "", [40, 30, 24, 10, 3]),
        fact(1, "phishing", "", [20, 10, 5, 0, 0]),
        fact(2, "passwords", "", [8, 6, 3, 6, 0]),
    ];
    let hist = |org_id, module: &str, kind, bucket, n| HistFact {
        key: fact(org_id, module, "", [0; 5]),
        kind,
        bucket,
        n,
    };
    let hists = [
        hist(1, "passwords", HistKind::Score, 70, 10),
        hist(1, "passwords", HistKind::Score, 90, 20),
        hist(1, "passwords", HistKind::Minutes, 12, 30),
        hist(2, "passwords", HistKind::Score, 50, 6),
    ];
    let u = build(
        &query("org,module"),
        Viewer::Platform,
        &orgs,
        &facts,
        &hists,
    );
    assert_eq!(u.rows.len(), 3);
    let r = &u.rows[0];
    assert_eq!(r.key, vec!["cardiff", "passwords"]);
    assert_eq!(r.org_name_cy.as_deref(), Some("cyngor cardiff"));
    let f = &r.figures;
    assert_eq!(
        (f.started, f.completed, f.passed),
        (Count::Exact(40), Count::Exact(30), Count::Exact(24))
    );
    assert_eq!(f.pass_rate, Some(0.8));
    assert_eq!(f.median_score, Some(90));
    assert_eq!(f.median_minutes, Some(12));
    assert_eq!(f.welsh_share, Some(10.0 / 30.0));
    assert_eq!(f.accessible_share, Some(0.1));
    assert_eq!(
        (f.headcount, f.coverage, f.not_yet),
        (Some(100), Some(0.3), Some(70))
    );
    // Total over everything: scores 70×10, 90×20, 50×6 → 36 values, the
    // 18th is 90.
    assert_eq!(u.total.completed, Count::Exact(46));
    assert_eq!(u.total.median_score, Some(90));
    assert!(!u.suppressed);

    // Group by kind: the two organisations fall apart.
    let k = build(&query("kind"), Viewer::Platform, &orgs, &facts, &hists);
    let keys: Vec<_> = k
        .rows
        .iter()
        .map(|r| (r.key[0].as_str(), r.figures.completed))
        .collect();
    assert_eq!(
        keys,
        vec![("county", Count::Exact(6)), ("unitary", Count::Exact(40))]
    );

    // Filters on organisation attributes.
    let mut q = query("module");
    q.filters.kind = Some("county".into());
    let c = build(&q, Viewer::Platform, &orgs, &facts, &hists);
    assert_eq!(c.total.completed, Count::Exact(6));
    assert_eq!(c.total.median_score, Some(50));
}

#[test]
fn outsiders_see_small_numbers_hidden_and_own_org_exact() {
    let orgs = [
        org(1, "a", "unitary", Some(10)),
        org(2, "b", "county", Some(10)),
    ];
    let facts = [
        fact(1, "m", "", [3, 2, 1, 0, 0]),
        fact(2, "m", "", [9, 4, 4, 0, 0]),
    ];
    let own = build(&query("org,module"), Viewer::Org(1), &orgs, &facts, &[]);
    assert_eq!(own.rows[0].figures.completed, Count::Exact(2));
    assert_eq!(own.rows[0].figures.not_yet, Some(8));
    let b = &own.rows[1].figures;
    assert_eq!(
        (b.started, b.completed),
        (Count::Exact(9), Count::FewerThan5)
    );
    assert_eq!((b.pass_rate, b.coverage, b.not_yet), (None, None, None));
    assert_eq!(own.total.completed, Count::AtLeast(2));
    assert!(own.suppressed);
    let public = build(&query("org"), Viewer::Public, &orgs, &facts, &[]);
    assert_eq!(public.rows[0].figures.started, Count::FewerThan5);
    let tbl = table::uptake(
        &own,
        Style {
            welsh: true,
            human: true,
        },
    );
    assert!(tbl.rows[1].contains(&"llai na 5".to_string()), "{tbl:?}");
    assert!(tbl.rows[2].contains(&"o leiaf 2".to_string()), "{tbl:?}");
}

/// Everything an attacker outside organisations 2–4 can read: the report
/// by organisation × module, by module, by organisation and the total.
fn published(viewer: Viewer, orgs: &[OrgInfo], facts: &[Fact]) -> Vec<(Vec<(i64, String)>, Count)> {
    let mut out = Vec::new();
    let by_om = build(&query("org,module"), viewer, orgs, facts, &[]);
    let code_to_id: HashMap<&str, i64> = orgs.iter().map(|o| (o.code.as_str(), o.id)).collect();
    for r in &by_om.rows {
        out.push((
            vec![(code_to_id[r.key[0].as_str()], r.key[1].clone())],
            r.figures.completed,
        ));
    }
    let cells: Vec<(i64, String)> = facts.iter().map(|f| (f.org_id, f.module.clone())).collect();
    for r in &build(&query("module"), viewer, orgs, facts, &[]).rows {
        let members = cells.iter().filter(|c| c.1 == r.key[0]).cloned().collect();
        out.push((members, r.figures.completed));
    }
    for r in &build(&query("org"), viewer, orgs, facts, &[]).rows {
        let id = code_to_id[r.key[0].as_str()];
        let members = cells.iter().filter(|c| c.0 == id).cloned().collect();
        out.push((members, r.figures.completed));
    }
    out.push((
        cells.clone(),
        build(&query(""), viewer, orgs, facts, &[]).total.completed,
    ));
    out
}

/// For each cell shown as "fewer than 5", the values 1–4 that agree with
/// every exact figure published. The attacker knows every shown exact cell
/// and tries all joint assignments of the hidden ones.
fn attack(published: &[(Vec<(i64, String)>, Count)]) -> HashMap<(i64, String), Vec<u64>> {
    let mut known: HashMap<(i64, String), u64> = HashMap::new();
    let mut hidden: Vec<(i64, String)> = Vec::new();
    for (members, c) in published.iter().filter(|(m, _)| m.len() == 1) {
        match c {
            Count::Exact(n) => {
                known.insert(members[0].clone(), *n);
            }
            _ => hidden.push(members[0].clone()),
        }
    }
    let mut possible: HashMap<(i64, String), Vec<u64>> = HashMap::new();
    let combos = 4u64.pow(hidden.len() as u32);
    for code in 0..combos {
        let mut guess = known.clone();
        let mut c = code;
        for h in &hidden {
            guess.insert(h.clone(), c % 4 + 1);
            c /= 4;
        }
        let consistent = published.iter().all(|(members, shown)| match shown {
            Count::Exact(n) => members.iter().map(|m| guess[m]).sum::<u64>() == *n,
            // A lower bound is met by any guess: the shown cells alone make it.
            Count::AtLeast(n) => members.iter().map(|m| guess[m]).sum::<u64>() >= *n,
            Count::FewerThan5 => true,
        });
        if consistent {
            for h in &hidden {
                let v = guess[h];
                let e = possible.entry(h.clone()).or_default();
                if !e.contains(&v) {
                    e.push(v);
                }
            }
        }
    }
    possible
}

#[test]
fn differencing_attack_recovers_no_hidden_count() {
    // Organisation 1 is the attacker; 2, 3, 4 each have one small cell.
    let orgs = [
        org(1, "attacker", "unitary", None),
        org(2, "b", "county", None),
        org(3, "c", "county", None),
        org(4, "d", "district", None),
    ];
    let facts = [
        fact(1, "m1", "", [0, 7, 0, 0, 0]),
        fact(1, "m2", "", [0, 2, 0, 0, 0]),
        fact(2, "m1", "", [0, 3, 0, 0, 0]),
        fact(2, "m2", "", [0, 40, 0, 0, 0]),
        fact(3, "m1", "", [0, 12, 0, 0, 0]),
        fact(3, "m2", "", [0, 1, 0, 0, 0]),
        fact(4, "m1", "", [0, 4, 0, 0, 0]),
        fact(4, "m2", "", [0, 0, 0, 0, 0]),
    ];
    let shown = published(Viewer::Org(1), &orgs, &facts);
    let possible = attack(&shown);
    assert_eq!(possible.len(), 3, "three hidden cells: {possible:?}");
    for (cell, values) in &possible {
        assert_eq!(values.len(), 4, "{cell:?} narrowed to {values:?}");
    }

    // Control: had totals been exact, the same attack recovers the cells,
    // so the test above can fail.
    let naive: Vec<_> = shown
        .into_iter()
        .map(|(members, c)| {
            let exact = members
                .iter()
                .map(|m| {
                    facts
                        .iter()
                        .find(|f| (f.org_id, f.module.clone()) == *m)
                        .map_or(0, |f| f.completed)
                })
                .sum();
            (
                members.clone(),
                if members.len() == 1 {
                    c
                } else {
                    Count::Exact(exact)
                },
            )
        })
        .collect();
    let leaked = attack(&naive);
    assert!(leaked.values().all(|v| v.len() == 1), "{leaked:?}");
    assert_eq!(leaked[&(2, "m1".to_string())], vec![3]);
}

#[test]
fn funding_picture() {
    let mut a = OrgFunding {
        org: org(1, "a", "unitary", None),
        status: Some("paid".into()),
        paid_on: Some("2026-02-01".into()),
        amount_pence: 100_000,
        first_day: Some(20_460),
        started: 50,
        completed: 40,
        ..OrgFunding::default()
    };
    let b = OrgFunding {
        org: org(2, "b", "county", None),
        status: Some("pledged".into()),
        amount_pence: 100_000,
        first_day: None,
        started: 0,
        completed: 0,
        ..OrgFunding::default()
    };
    let c = OrgFunding {
        org: org(3, "c", "county", None),
        status: None,
        first_day: Some(20_470),
        started: 6,
        completed: 3,
        ..OrgFunding::default()
    };
    let campaign = Campaign {
        target_orgs: 500,
        target_pence: 50_000_000,
    };
    let f = funding::build(
        &campaign,
        Viewer::Platform,
        &[b.clone(), a.clone(), c.clone()],
    );
    assert_eq!((f.pot_pence, f.paid_pence), (200_000, 100_000));
    assert_eq!(f.rows[0].cost_per_completion_pence, Some(2_500));
    assert_eq!(f.completed, Count::Exact(43));
    assert_eq!(f.cost_per_completion_pence, Some(4_651));
    assert_eq!(f.to_chase, vec!["b"]);
    assert_eq!(f.progress_orgs, Some(2.0 / 500.0));
    assert_eq!(
        f.adoption.iter().map(|x| x.cumulative).collect::<Vec<_>>(),
        vec![2]
    );
    // A reader of organisation 2 sees c's small count hidden, and so the
    // overall cost per completion too.
    a.status = Some("invoiced".into());
    let seen = funding::build(&campaign, Viewer::Org(2), &[a, b, c]);
    assert_eq!(seen.rows[2].completed, Count::FewerThan5);
    assert_eq!(seen.completed, Count::AtLeast(40));
    assert_eq!(seen.cost_per_completion_pence, None);
    let tbl = table::funding(
        &seen,
        Style {
            welsh: true,
            human: true,
        },
    );
    assert_eq!(tbl.rows[0][4], "anfonebwyd");
    assert_eq!(tbl.rows[0][8], "£1,000.00");
}
