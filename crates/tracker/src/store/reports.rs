//! Reads and writes of the reporting tables (migration 0002): rollup sums
//! for the uptake report, headcounts, the funding campaign and each
//! organisation's funding, the public-listing opt-in.
//!
//! The rollups themselves are written by triggers on `events` (see the
//! migration), so nothing here maintains them.

use crate::domain::reports::funding::{Campaign, OrgFunding};
use crate::domain::reports::period::Day;
use crate::domain::reports::query::{Dim, UptakeQuery};
use crate::domain::reports::uptake::{Fact, HistFact, HistKind, OrgInfo};
use crate::on_db;
use crate::store::{now_ms, Db};

/// The package attributes of each package id (any version).
const PACKAGES: &str = "(SELECT id, MAX(module) AS module, MAX(lang) AS lang, \
     MAX(variant) AS variant, MAX(scorm) AS scorm FROM packages GROUP BY id)";

/// Builds the SELECT list's key columns, the FROM/WHERE, and the binds.
fn shape(q: &UptakeQuery, table: &str) -> (String, String, Vec<String>) {
    let col = |dim: Dim, c: &str| {
        if q.groups_by(dim) {
            format!("COALESCE(p.{c}, '?')")
        } else {
            "''".to_owned()
        }
    };
    let period = match q.period() {
        None => "CAST(-1 AS BIGINT)".to_owned(),
        Some(p) => {
            // Period starts are computed in Rust (the London calendar lives
            // in the domain); the database only compares day numbers.
            let starts = p.starts(q.from, q.to);
            let mut case = String::from("CASE");
            for w in starts.windows(2) {
                case.push_str(&format!(" WHEN r.day < {} THEN {}", w[1], w[0]));
            }
            case.push_str(&format!(
                " ELSE {} END",
                starts.last().copied().unwrap_or(q.from)
            ));
            format!("CAST({case} AS BIGINT)")
        }
    };
    let keys = format!(
        "r.org_id, {}, {}, {}, {}, {period}",
        col(Dim::Module, "module"),
        col(Dim::Lang, "lang"),
        col(Dim::Variant, "variant"),
        col(Dim::Scorm, "scorm"),
    );
    let mut from = format!(
        "FROM {table} r JOIN organisations o ON o.id = r.org_id \
         LEFT JOIN {PACKAGES} p ON p.id = r.package_id WHERE r.day >= $1 AND r.day <= $2"
    );
    let mut binds = Vec::new();
    let f = &q.filters;
    for (v, c) in [
        (&f.org, "o.code"),
        (&f.kind, "o.kind"),
        (&f.region, "o.region"),
        (&f.module, "p.module"),
        (&f.lang, "p.lang"),
        (&f.variant, "p.variant"),
        (&f.scorm, "p.scorm"),
    ] {
        if let Some(v) = v {
            binds.push(v.clone());
            from.push_str(&format!(" AND {c} = ${}", binds.len() + 2));
        }
    }
    (keys, from, binds)
}

type FactRow = (
    i64,
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
);
type HistRow = (i64, String, String, String, String, i64, String, i64, i64);

fn key(org_id: i64, m: String, l: String, v: String, s: String, period: i64) -> Fact {
    Fact {
        org_id,
        module: m,
        lang: l,
        variant: v,
        scorm: s,
        period: (period >= 0).then_some(period),
        ..Fact::default()
    }
}

/// The rollup sums of one uptake query: one [`Fact`] per organisation and
/// requested package dimensions and period, and their histograms.
pub async fn uptake_facts(
    db: &Db,
    q: &UptakeQuery,
) -> Result<(Vec<Fact>, Vec<HistFact>), sqlx::Error> {
    let (keys, from, binds) = shape(q, "report_daily");
    let sql = format!(
        "SELECT {keys}, CAST(SUM(r.started) AS BIGINT), CAST(SUM(r.completed) AS BIGINT), \
         CAST(SUM(r.passed) AS BIGINT), \
         CAST(SUM(CASE WHEN p.lang = 'cy' THEN r.completed ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN p.variant = 'accessible' THEN r.completed ELSE 0 END) AS BIGINT) \
         {from} GROUP BY 1, 2, 3, 4, 5, 6"
    );
    let rows: Vec<FactRow> = on_db!(db, p => {
        let mut qq = sqlx::query_as::<_, FactRow>(&sql).bind(q.from).bind(q.to);
        for b in &binds {
            qq = qq.bind(b);
        }
        qq.fetch_all(p).await
    })?;
    let facts = rows
        .into_iter()
        .map(|(o, m, l, v, s, per, st, c, pa, cy, ac)| Fact {
            started: st.max(0) as u64,
            completed: c.max(0) as u64,
            passed: pa.max(0) as u64,
            completed_cy: cy.max(0) as u64,
            completed_accessible: ac.max(0) as u64,
            ..key(o, m, l, v, s, per)
        })
        .collect();

    let (keys, from, binds) = shape(q, "report_hist");
    let sql = format!(
        "SELECT {keys}, r.kind, r.bucket, CAST(SUM(r.n) AS BIGINT) {from} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
    );
    let rows: Vec<HistRow> = on_db!(db, p => {
        let mut qq = sqlx::query_as::<_, HistRow>(&sql).bind(q.from).bind(q.to);
        for b in &binds {
            qq = qq.bind(b);
        }
        qq.fetch_all(p).await
    })?;
    let hists = rows
        .into_iter()
        .filter_map(|(o, m, l, v, s, per, kind, bucket, n)| {
            let kind = match kind.as_str() {
                "score" => HistKind::Score,
                "minutes" => HistKind::Minutes,
                _ => return None,
            };
            Some(HistFact {
                key: key(o, m, l, v, s, per),
                kind,
                bucket,
                n: n.max(0) as u64,
            })
        })
        .collect();
    Ok((facts, hists))
}

type OrgRow = (i64, String, String, String, String, String, Option<i64>);

/// Every organisation with its whole-organisation headcount.
pub async fn org_infos(db: &Db) -> Result<Vec<OrgInfo>, sqlx::Error> {
    let rows: Vec<OrgRow> = on_db!(db, p => sqlx::query_as(
        "SELECT o.id, o.code, o.name_en, o.name_cy, o.kind, o.region, h.headcount \
         FROM organisations o LEFT JOIN org_headcounts h ON h.org_id = o.id AND h.audience = '' \
         ORDER BY o.code")
        .fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .map(|(id, code, name_en, name_cy, kind, region, h)| OrgInfo {
            id,
            code,
            name_en,
            name_cy,
            kind,
            region,
            headcount: h.map(|h| h.max(0) as u64),
        })
        .collect())
}

/// Headcounts of one organisation: (audience, headcount), `""` first.
pub async fn headcounts(db: &Db, org_id: i64) -> Result<Vec<(String, i64)>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as(
        "SELECT audience, headcount FROM org_headcounts WHERE org_id = $1 ORDER BY audience")
        .bind(org_id).fetch_all(p).await)
}

/// Sets (or, with `None`, clears) one headcount.
pub async fn set_headcount(
    db: &Db,
    org_id: i64,
    audience: &str,
    headcount: Option<i64>,
) -> Result<(), sqlx::Error> {
    match headcount {
        Some(n) => on_db!(db, p => sqlx::query(
            "INSERT INTO org_headcounts (org_id, audience, headcount, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (org_id, audience) DO UPDATE SET headcount = excluded.headcount, \
             updated_at = excluded.updated_at")
            .bind(org_id).bind(audience).bind(n).bind(now_ms()).execute(p).await.map(|r| r.rows_affected()))?,
        None => on_db!(db, p => sqlx::query(
            "DELETE FROM org_headcounts WHERE org_id = $1 AND audience = $2")
            .bind(org_id).bind(audience).execute(p).await.map(|r| r.rows_affected()))?,
    };
    Ok(())
}

/// The campaign target (zeros when none is set).
pub async fn campaign(db: &Db) -> Result<Campaign, sqlx::Error> {
    let row: Option<(i64, i64)> = on_db!(db, p => sqlx::query_as(
        "SELECT target_orgs, target_pence FROM funding_campaign WHERE id = 1")
        .fetch_optional(p).await)?;
    Ok(row
        .map(|(o, p)| Campaign {
            target_orgs: o.max(0) as u64,
            target_pence: p.max(0) as u64,
        })
        .unwrap_or_default())
}

/// Sets the campaign target.
pub async fn set_campaign(db: &Db, target_orgs: i64, target_pence: i64) -> Result<(), sqlx::Error> {
    on_db!(db, p => sqlx::query(
        "INSERT INTO funding_campaign (id, target_orgs, target_pence, updated_at) VALUES (1, $1, $2, $3) \
         ON CONFLICT (id) DO UPDATE SET target_orgs = excluded.target_orgs, \
         target_pence = excluded.target_pence, updated_at = excluded.updated_at")
        .bind(target_orgs).bind(target_pence).bind(now_ms()).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// One organisation's funding record as set.
#[derive(
    Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(deny_unknown_fields)]
pub struct FundingRecord {
    /// `pledged`, `invoiced` or `paid`.
    pub status: String,
    /// Contribution in pence.
    pub amount_pence: i64,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub pledged_on: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub invoiced_on: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub paid_on: Option<String>,
}

/// Sets (or, with `None`, clears) an organisation's funding record.
pub async fn set_funding(
    db: &Db,
    org_id: i64,
    rec: Option<&FundingRecord>,
) -> Result<(), sqlx::Error> {
    match rec {
        Some(r) => on_db!(db, p => sqlx::query(
            "INSERT INTO org_funding (org_id, status, amount_pence, pledged_on, invoiced_on, paid_on, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (org_id) DO UPDATE SET \
             status = excluded.status, amount_pence = excluded.amount_pence, pledged_on = excluded.pledged_on, \
             invoiced_on = excluded.invoiced_on, paid_on = excluded.paid_on, updated_at = excluded.updated_at")
            .bind(org_id).bind(&r.status).bind(r.amount_pence).bind(&r.pledged_on)
            .bind(&r.invoiced_on).bind(&r.paid_on).bind(now_ms()).execute(p).await.map(|r| r.rows_affected()))?,
        None => on_db!(db, p => sqlx::query("DELETE FROM org_funding WHERE org_id = $1")
            .bind(org_id).execute(p).await.map(|r| r.rows_affected()))?,
    };
    Ok(())
}

type FundingRow = (
    i64,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

/// Every organisation's funding record, first London day with any event,
/// and learners who started and completed in `from..=to`.
pub async fn funding_inputs(db: &Db, from: Day, to: Day) -> Result<Vec<OrgFunding>, sqlx::Error> {
    let orgs = org_infos(db).await?;
    let rows: Vec<FundingRow> = on_db!(db, p => sqlx::query_as(
        "SELECT o.id, f.status, COALESCE(f.amount_pence, o.contribution_pence), f.pledged_on, f.invoiced_on, f.paid_on, \
         (SELECT MIN(d.day) FROM report_daily d WHERE d.org_id = o.id), \
         (SELECT CAST(SUM(d.started) AS BIGINT) FROM report_daily d WHERE d.org_id = o.id AND d.day >= $1 AND d.day <= $2), \
         (SELECT CAST(SUM(d.completed) AS BIGINT) FROM report_daily d WHERE d.org_id = o.id AND d.day >= $1 AND d.day <= $2) \
         FROM organisations o LEFT JOIN org_funding f ON f.org_id = o.id WHERE o.status = 'active'")
        .bind(from).bind(to).fetch_all(p).await)?;
    let by_id: std::collections::HashMap<i64, OrgInfo> =
        orgs.into_iter().map(|o| (o.id, o)).collect();
    Ok(rows
        .into_iter()
        .filter_map(
            |(id, status, amount, pledged_on, invoiced_on, paid_on, first, started, completed)| {
                Some(OrgFunding {
                    org: by_id.get(&id)?.clone(),
                    status,
                    pledged_on,
                    invoiced_on,
                    paid_on,
                    amount_pence: amount.unwrap_or(0).max(0) as u64,
                    first_day: first,
                    started: started.unwrap_or(0).max(0) as u64,
                    completed: completed.unwrap_or(0).max(0) as u64,
                })
            },
        )
        .collect())
}

/// Opts an organisation in to (or out of) the public page.
pub async fn set_public_listing(db: &Db, org_id: i64, listed: bool) -> Result<(), sqlx::Error> {
    on_db!(db, p => sqlx::query("UPDATE organisations SET public_listing = $1 WHERE id = $2")
        .bind(i64::from(listed)).bind(org_id).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// One organisation on the public page.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct PublicOrg {
    /// English name.
    pub name_en: String,
    /// Welsh name.
    pub name_cy: String,
    /// Kind.
    pub kind: String,
    /// Region.
    pub region: String,
    /// Funding status, if any.
    pub status: Option<String>,
}

/// The organisations that opted in to the public page, by kind, region
/// and name. Nothing else about them.
pub async fn public_orgs(db: &Db) -> Result<Vec<PublicOrg>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, PublicOrg>(
        "SELECT o.name_en, o.name_cy, o.kind, o.region, f.status FROM organisations o \
         LEFT JOIN org_funding f ON f.org_id = o.id \
         WHERE o.public_listing = 1 AND o.status = 'active' ORDER BY o.kind, o.region, o.name_en")
        .fetch_all(p).await)
}
