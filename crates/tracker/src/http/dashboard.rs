//! The `/reports` dashboard: server-rendered minijinja pages (templates
//! embedded in the binary), English and Welsh, usable without JavaScript.
//!
//! Sign-in exchanges a reader, org admin or platform key for a session
//! cookie (HttpOnly, SameSite=Strict, Secure when the request came over
//! TLS or through a proxy that says `X-Forwarded-Proto: https`, eight
//! hours); only its SHA-256 is stored. Every form that changes state
//! carries a CSRF token: the sign-in form a token matched against a
//! short-lived cookie (login CSRF), the sign-out form the session's token.

use std::sync::OnceLock;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use minijinja::{context, Environment, Value};
use rand::RngCore;
use serde::Deserialize;
use subtle::ConstantTimeEq;

use crate::domain::reports::query::RawQuery;
use crate::domain::reports::suppress::Count;
use crate::domain::reports::table::{self, status_text, Style};
use crate::domain::reports::uptake::{OrgInfo, Viewer};
use crate::error::AppError;
use crate::http::charts;
use crate::http::dashboard_text::strings;
use crate::http::extract::authenticate;
use crate::http::reports::{csv_response, run_funding, run_uptake};
use crate::http::state::AppState;
use crate::keys::Role;
use crate::store::now_ms;
use crate::store::reports as store;
use crate::store::sessions::{self, Session};

const SESSION_COOKIE: &str = "pecyn_session";
const SIGNIN_COOKIE: &str = "pecyn_signin";
const SESSION_MS: i64 = 8 * 3600 * 1000;

/// The dashboard's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports", get(page))
        .route("/reports/style.css", get(style))
        .route("/reports/sign-in", post(sign_in))
        .route("/reports/sign-out", post(sign_out))
        .route("/reports/uptake.csv", get(uptake_csv))
        .route("/reports/funding.csv", get(funding_csv))
        .route("/reports/joined", get(joined))
}

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut e = Environment::new();
        e.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        for (name, src) in [
            (
                "base.html",
                include_str!("../../templates/reports/base.html"),
            ),
            (
                "sign_in.html",
                include_str!("../../templates/reports/sign_in.html"),
            ),
            (
                "dashboard.html",
                include_str!("../../templates/reports/dashboard.html"),
            ),
            (
                "joined.html",
                include_str!("../../templates/reports/joined.html"),
            ),
        ] {
            if let Err(err) = e.add_template(name, src) {
                tracing::error!(template = name, error = %err, "dashboard template does not parse");
            }
        }
        e
    })
}

fn render(status: StatusCode, name: &str, ctx: Value) -> Response {
    match env().get_template(name).and_then(|t| t.render(ctx)) {
        Ok(html) => {
            let mut r = (status, html).into_response();
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            security_headers(h);
            r
        }
        Err(e) => AppError::Internal(format!("template {name}: {e}")).into_response(),
    }
}

fn security_headers(h: &mut HeaderMap) {
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../templates/reports/style.css"),
    )
        .into_response()
}

fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn secure(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

fn set_cookie(name: &str, value: &str, max_age_s: i64, secure: bool) -> HeaderValue {
    let s = format!(
        "{name}={value}; Path=/reports; HttpOnly; SameSite=Strict; Max-Age={max_age_s}{}",
        if secure { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static("x=; Max-Age=0"))
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

fn welsh(ui: Option<&str>) -> bool {
    ui == Some("cy")
}

/// The language switch: the same URL with the other `ui`.
fn switch_href(q: &RawQuery, cy: bool) -> String {
    let mut pairs: Vec<(&str, String)> = vec![("ui", if cy { "en" } else { "cy" }.into())];
    for (k, v) in [
        ("from", &q.from),
        ("to", &q.to),
        ("kind", &q.kind),
        ("region", &q.region),
        ("module", &q.module),
        ("lang", &q.lang),
    ] {
        if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
            pairs.push((k, v.clone()));
        }
    }
    format!("/reports?{}", encode(&pairs))
}

fn encode(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            let v: String = v
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("{k}={v}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The session behind the request's cookie, if live.
async fn session(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(String, Session)>, AppError> {
    let Some(id) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    Ok(sessions::find(&state.db, &id).await?.map(|s| (id, s)))
}

fn viewer_of(s: &Session) -> Viewer {
    match (Role::parse(&s.role), s.org_id) {
        (Some(Role::Platform), _) => Viewer::Platform,
        (_, Some(o)) => Viewer::Org(o),
        _ => Viewer::Public,
    }
}

fn sign_in_page(q: &RawQuery, headers: &HeaderMap, error: Option<&str>) -> Response {
    let cy = welsh(q.ui.as_deref());
    let t = strings(cy);
    let token = random_token();
    let mut r = render(
        if error.is_some() {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::OK
        },
        "sign_in.html",
        context! {
            lang => if cy { "cy" } else { "en" },
            other_lang => if cy { "en" } else { "cy" },
            switch_href => format!("/reports?ui={}", if cy { "en" } else { "cy" }),
            page_title => t["sign_in_title"],
            signed_in => false,
            error => error.map(|k| t[k]),
            csrf => token.clone(),
            t => t,
        },
    );
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SIGNIN_COOKIE, &token, 3600, secure(headers)),
    );
    r
}

fn raw_or_default(q: Result<Query<RawQuery>, QueryRejection>) -> RawQuery {
    q.map(|Query(q)| q).unwrap_or_default()
}

async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    q: Result<Query<RawQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let q = raw_or_default(q);
    match session(&state, &headers).await? {
        None => Ok(sign_in_page(&q, &headers, None)),
        Some((_, s)) => dashboard(&state, &s, q).await,
    }
}

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub struct SignInForm {
    key: String,
    csrf: String,
    #[serde(default)]
    ui: Option<String>,
}

async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, AppError> {
    let Ok(Form(f)) = form else {
        return Ok(sign_in_page(
            &RawQuery::default(),
            &headers,
            Some("bad_form"),
        ));
    };
    let q = RawQuery {
        ui: f.ui.clone().filter(|u| u == "cy" || u == "en"),
        ..RawQuery::default()
    };
    let expected = cookie(&headers, SIGNIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || !same(&expected, &f.csrf) {
        return Ok(sign_in_page(&q, &headers, Some("bad_form")));
    }
    let key = f.key.trim();
    if key.is_empty() || key.len() > 512 || key.chars().any(char::is_control) {
        return Ok(sign_in_page(&q, &headers, Some("bad_key")));
    }
    let auth = axum::http::Request::builder()
        .header(header::AUTHORIZATION, format!("Bearer {key}"))
        .body(())
        .map(|r| r.into_parts().0);
    let principal = match auth {
        Ok(parts) => authenticate(&state, &parts).await.ok(),
        Err(_) => None,
    };
    let Some(p) = principal.filter(|p| p.role != Role::Ingest) else {
        tracing::info!("dashboard sign-in refused");
        return Ok(sign_in_page(&q, &headers, Some("bad_key")));
    };
    let id = random_token();
    let s = Session {
        key_id: p.key_id.clone(),
        role: p.role.as_str().to_owned(),
        org_id: p.org.as_ref().map(|o| o.id),
        csrf: random_token(),
        expires_at: now_ms() + SESSION_MS,
    };
    sessions::create(&state.db, &id, &s).await?;
    tracing::info!(key_id = %p.key_id, "dashboard session started");
    let sec = secure(&headers);
    let mut r = StatusCode::SEE_OTHER.into_response();
    let h = r.headers_mut();
    h.insert(
        header::LOCATION,
        HeaderValue::from_static(if welsh(q.ui.as_deref()) {
            "/reports?ui=cy"
        } else {
            "/reports"
        }),
    );
    h.append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &id, SESSION_MS / 1000, sec),
    );
    h.append(header::SET_COOKIE, set_cookie(SIGNIN_COOKIE, "", 0, sec));
    Ok(r)
}

/// The sign-out form.
#[derive(Debug, Deserialize)]
pub struct SignOutForm {
    csrf: String,
}

async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<SignOutForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, AppError> {
    let Some((id, s)) = session(&state, &headers).await? else {
        return Ok(redirect("/reports"));
    };
    match form {
        Ok(Form(f)) if same(&f.csrf, &s.csrf) => {}
        _ => {
            return Err(AppError::Forbidden(
                "the form's CSRF token is missing or wrong",
            ))
        }
    }
    sessions::delete(&state.db, &id).await?;
    let mut r = redirect("/reports");
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, secure(&headers)),
    );
    Ok(r)
}

fn redirect(to: &'static str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    r.headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static(to));
    r
}

async fn uptake_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    q: Result<Query<RawQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let (_, s) = session(&state, &headers)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let raw = q
        .map(|Query(q)| q)
        .map_err(|e| AppError::bad("invalid_query", e.body_text()))?;
    let u = run_uptake(&state, viewer_of(&s), &raw).await?;
    let style = Style {
        welsh: welsh(raw.ui.as_deref()),
        human: false,
    };
    csv_response("uptake.csv", &table::uptake(&u, style))
}

async fn funding_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    q: Result<Query<RawQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let (_, s) = session(&state, &headers)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let raw = q
        .map(|Query(q)| q)
        .map_err(|e| AppError::bad("invalid_query", e.body_text()))?;
    let f = run_funding(&state, viewer_of(&s), &raw).await?;
    let style = Style {
        welsh: welsh(raw.ui.as_deref()),
        human: false,
    };
    csv_response("funding.csv", &table::funding(&f, style))
}

async fn joined(
    State(state): State<AppState>,
    q: Result<Query<RawQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let q = raw_or_default(q);
    let cy = welsh(q.ui.as_deref());
    let t = strings(cy);
    let style = Style {
        welsh: cy,
        human: true,
    };
    let orgs: Vec<Value> = store::public_orgs(&state.db)
        .await?
        .into_iter()
        .map(|o| {
            context! {
                name => if cy { o.name_cy } else { o.name_en },
                kind => o.kind,
                region => o.region,
                status => o.status.as_deref().map(|s| status_text(s, style)).unwrap_or_default(),
            }
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        "joined.html",
        context! {
            lang => if cy { "cy" } else { "en" },
            other_lang => if cy { "en" } else { "cy" },
            switch_href => format!("/reports/joined?ui={}", if cy { "en" } else { "cy" }),
            page_title => t["joined_title"],
            signed_in => false,
            orgs => orgs,
            t => t,
        },
    ))
}

fn shown(c: Count) -> u64 {
    c.shown()
}

fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{:.1}%", x * 100.0))
        .unwrap_or_else(|| "–".into())
}

async fn dashboard(state: &AppState, s: &Session, mut q: RawQuery) -> Result<Response, AppError> {
    let cy = welsh(q.ui.as_deref());
    let t = strings(cy);
    let style = Style {
        welsh: cy,
        human: true,
    };
    let viewer = viewer_of(s);
    q.group_by = None;
    q.format = None;
    // A bad filter shows the defaults rather than an error page.
    let mut note = None;
    let total = match run_uptake(state, viewer, &q).await {
        Ok(u) => u,
        Err(AppError::BadRequest { .. }) => {
            note = Some(t["bad_filter"]);
            q = RawQuery {
                ui: q.ui.clone(),
                ..RawQuery::default()
            };
            run_uptake(state, viewer, &q).await?
        }
        Err(e) => return Err(e),
    };
    let with = |g: &str| RawQuery {
        group_by: Some(g.into()),
        ..q.clone()
    };
    let by_month = run_uptake(state, viewer, &with("month")).await?;
    let by_org = run_uptake(state, viewer, &with("org")).await?;
    let by_module = run_uptake(state, viewer, &with("module")).await?;
    let funding = run_funding(state, viewer, &q).await?;
    let orgs = store::org_infos(&state.db).await?;
    let modules = store::modules(&state.db).await?;

    let from = total.query.from;
    let to = total.query.to;
    let date = |d| crate::domain::reports::period::date_of(d).to_string();
    let f = &total.total;
    let headlines = vec![
        context! { label => t["started"], value => f.started.text(cy) },
        context! { label => t["completed"], value => f.completed.text(cy) },
        context! { label => t["passed"], value => f.passed.text(cy) },
        context! { label => t["pass_rate"], value => pct(f.pass_rate) },
        context! { label => t["median_score"], value => f.median_score.map(|s| format!("{s}%")).unwrap_or_else(|| "–".into()) },
        context! { label => t["welsh_share"], value => pct(f.welsh_share) },
        context! { label => t["accessible_share"], value => pct(f.accessible_share) },
    ];

    let mut charts_ctx = Vec::new();
    let csv_q = |g: &str| {
        let mut pairs = vec![
            ("group_by", g.to_owned()),
            ("ui", if cy { "cy" } else { "en" }.to_owned()),
        ];
        pairs.push(("from", date(from)));
        pairs.push(("to", date(to)));
        for (k, v) in [
            ("kind", &q.kind),
            ("region", &q.region),
            ("module", &q.module),
            ("lang", &q.lang),
        ] {
            if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
                pairs.push((k, v.clone()));
            }
        }
        encode(&pairs)
    };
    for (id, title_key, u, g, line) in [
        ("months", "over_time", &by_month, "month", true),
        ("orgs", "by_org", &by_org, "org", false),
        ("modules", "by_module", &by_module, "module", false),
    ] {
        let mut data: Vec<(String, u64)> = u
            .rows
            .iter()
            .map(|r| {
                let label = match (&r.org_name_en, &r.org_name_cy) {
                    (Some(en), Some(c)) => {
                        if cy {
                            c.clone()
                        } else {
                            en.clone()
                        }
                    }
                    _ => r.key.join(" "),
                };
                (label, shown(r.figures.completed))
            })
            .collect();
        if !line {
            data.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            data.truncate(20);
        }
        let desc = describe(&data, &t, line);
        let title = t[title_key];
        let svg = if line {
            charts::line(id, title, &desc, &data)
        } else {
            charts::bars(id, title, &desc, &data)
        };
        charts_ctx.push(context! {
            id => id,
            title => title,
            svg => Value::from_safe_string(svg),
            caption => format!("{desc} {}", t["table_beside"]),
            table => table_ctx(&table::uptake(u, style)),
            csv => format!("/reports/uptake.csv?{}", csv_q(g)),
        });
    }

    let funding_headlines = vec![
        context! { label => t["pot"], value => table::pounds(funding.pot_pence, style) },
        context! { label => t["paid"], value => table::pounds(funding.paid_pence, style) },
        context! { label => t["progress"], value => pct(funding.progress_pence) },
        context! { label => t["cost_per_completion"], value => funding.cost_per_completion_pence.map(|p| table::pounds(p, style)).unwrap_or_else(|| "–".into()) },
    ];
    let chase: Vec<String> = funding
        .rows
        .iter()
        .filter(|r| r.to_chase)
        .map(|r| {
            if cy {
                r.name_cy.clone()
            } else {
                r.name_en.clone()
            }
        })
        .collect();

    let select = |name: &str,
                  label: &str,
                  options: Vec<(String, String)>,
                  selected: &Option<String>| {
        context! {
            name => name,
            label => label,
            options => options.into_iter().map(|(v, l)| context! { value => v, label => l }).collect::<Vec<_>>(),
            selected => selected.clone().unwrap_or_default(),
        }
    };
    let distinct = |f: fn(&OrgInfo) -> &String| {
        let mut v: Vec<String> = orgs.iter().map(|o| f(o).clone()).collect();
        v.sort();
        v.dedup();
        v.into_iter().map(|x| (x.clone(), x)).collect::<Vec<_>>()
    };
    let selects = vec![
        select("kind", t["kind"], distinct(|o| &o.kind), &q.kind),
        select("region", t["region"], distinct(|o| &o.region), &q.region),
        select(
            "module",
            t["module"],
            modules.into_iter().map(|m| (m.clone(), m)).collect(),
            &q.module,
        ),
        select(
            "lang",
            t["lang"],
            vec![("en".into(), t["en"].into()), ("cy".into(), t["cy"].into())],
            &q.lang,
        ),
    ];
    let who = match viewer {
        Viewer::Org(id) => orgs
            .iter()
            .find(|o| o.id == id)
            .map(|o| {
                if cy {
                    o.name_cy.clone()
                } else {
                    o.name_en.clone()
                }
            })
            .unwrap_or_default(),
        _ => t["platform"].to_owned(),
    };
    let suppressed = total.suppressed || by_org.suppressed;
    Ok(render(
        StatusCode::OK,
        "dashboard.html",
        context! {
            lang => if cy { "cy" } else { "en" },
            other_lang => if cy { "en" } else { "cy" },
            switch_href => switch_href(&q, cy),
            page_title => t["dashboard_title"],
            signed_in => true,
            csrf => s.csrf.clone(),
            who => who,
            from => date(from),
            to => date(to),
            note => note,
            suppressed => suppressed,
            selects => selects,
            headlines => headlines,
            charts => charts_ctx,
            funding_headlines => funding_headlines,
            funding => table_ctx(&table::funding(&funding, style)),
            funding_csv => format!("/reports/funding.csv?{}", csv_q("org")),
            chase => chase,
            t => t,
        },
    ))
}

fn table_ctx(t: &table::Table) -> Value {
    context! { header => t.header.clone(), rows => t.rows.clone() }
}

/// A chart's text alternative: what it shows, in words.
fn describe(
    data: &[(String, u64)],
    t: &std::collections::BTreeMap<&str, &str>,
    line: bool,
) -> String {
    if data.is_empty() {
        return t["none"].to_owned();
    }
    let parts: Vec<String> = data
        .iter()
        .take(if line { 24 } else { 5 })
        .map(|(l, v)| format!("{l}: {v}"))
        .collect();
    format!("{}: {}.", t["chart_shows"], parts.join("; "))
}
