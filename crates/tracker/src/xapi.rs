//! The part of the xAPI 1.0.3 Statement Resource that completion needs.
//!
//! - `POST /xapi/statements`: one statement or an array; answers the ids.
//! - `PUT /xapi/statements?statementId=…`: one statement; 204.
//! - `GET /xapi/statements?statementId=…` (or `voidedStatementId`): one
//!   statement. Needs an org admin key: ingest keys read nothing.
//! - `GET /xapi/about`.
//!
//! Every request (but `/about`) must carry `X-Experience-API-Version: 1.0.x`;
//! every response carries `X-Experience-API-Version: 1.0.3`. A statement id
//! seen before with the same statement is accepted without change; with a
//! different one it is a 409 and nothing of the request is stored. A batch
//! repeating an id, or holding one invalid statement, is rejected whole.
//!
//! Privacy: agents are pseudonymised before storage (`account.homePage` =
//! [`PSEUDONYM_HOME`], `account.name` = HMAC of the agent's identifier), so a
//! stored statement is returned with the pseudonymised actor, not the
//! original one. Attachments are not supported (400).
//!
//! Statements whose verb is one of ADL's initialized, attempted, completed,
//! passed or failed, whose object is an Activity whose id's last path
//! segment is a catalogue package id (e.g.
//! `https://pecyn.example/packages/pecyn_passwords_en_standard_scorm12`),
//! and whose actor is an Agent become completion events (initialized and
//! attempted map to `started`). `context.revision`, if it names an imported
//! version of the package, picks the version; otherwise the newest.

use std::collections::HashSet;
use std::sync::atomic::Ordering;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use crate::app::{AppState, LimitedBody};
use crate::auth::{OrgAuth, Principal};
use crate::db::now_ms;
use crate::error::AppError;
use crate::keys::Role;
use crate::on_db;
use crate::writer::NewEvent;

/// The version this LRS speaks.
pub const XAPI_VERSION: &str = "1.0.3";
/// The header.
pub const VERSION_HEADER: &str = "x-experience-api-version";
/// `account.homePage` of pseudonymised agents.
pub const PSEUDONYM_HOME: &str = "https://pecyn.example/pseudonym";
/// Most statements in one POST.
pub const MAX_STATEMENTS: usize = 1_000;

const ADL: &str = "http://adlnet.gov/expapi/verbs/";
const XAPI_NS: uuid::Uuid = uuid::Uuid::from_u128(0x3b5d_8f0e_6a2c_4d71_8e9f_1a2b_3c4d_5e6f);

/// Adds the version header to every xAPI response.
pub async fn add_version_header(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert(VERSION_HEADER, HeaderValue::from_static(XAPI_VERSION));
    resp
}

/// `GET /xapi/about`.
pub async fn about() -> Json<Value> {
    Json(json!({"version": [XAPI_VERSION]}))
}

fn bad(message: impl Into<String>) -> AppError {
    AppError::bad("invalid_statement", message)
}

fn check_version_header(headers: &HeaderMap) -> Result<(), AppError> {
    let v = headers
        .get(VERSION_HEADER)
        .ok_or_else(|| {
            AppError::bad(
                "missing_version",
                "X-Experience-API-Version header is required",
            )
        })?
        .to_str()
        .map_err(|_| AppError::bad("bad_version", "X-Experience-API-Version is not text"))?;
    if is_version_1_0(v.trim()) {
        Ok(())
    } else {
        Err(AppError::bad(
            "bad_version",
            format!("X-Experience-API-Version {v:?} is not supported (1.0.x only)"),
        ))
    }
}

fn is_version_1_0(v: &str) -> bool {
    match v.strip_prefix("1.0") {
        Some("") => true,
        Some(rest) => rest
            .strip_prefix('.')
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())),
        None => false,
    }
}

fn check_json_content(headers: &HeaderMap) -> Result<(), AppError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ct.starts_with("application/json") {
        Ok(())
    } else if ct.starts_with("multipart/") {
        Err(AppError::bad(
            "unsupported",
            "attachments (multipart/mixed) are not supported",
        ))
    } else {
        Err(AppError::bad(
            "invalid_content_type",
            "statements must be sent as application/json",
        ))
    }
}

// ---------------------------------------------------------------- validation

fn only_keys(o: &Map<String, Value>, allowed: &[&str], what: &str) -> Result<(), String> {
    for k in o.keys() {
        if !allowed.contains(&k.as_str()) {
            return Err(format!("{what} has an unknown property {k:?}"));
        }
    }
    Ok(())
}

fn as_obj<'a>(v: &'a Value, what: &str) -> Result<&'a Map<String, Value>, String> {
    v.as_object()
        .ok_or_else(|| format!("{what} must be an object"))
}

fn as_str<'a>(v: &'a Value, what: &str) -> Result<&'a str, String> {
    v.as_str().ok_or_else(|| format!("{what} must be a string"))
}

/// An absolute IRI: a scheme, a colon and something after it.
pub fn is_iri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    !rest.is_empty()
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

fn check_iri(v: &Value, what: &str) -> Result<(), String> {
    if is_iri(as_str(v, what)?) {
        Ok(())
    } else {
        Err(format!("{what} must be an absolute IRI"))
    }
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::parse_str(s).is_ok()
}

fn check_uuid(v: &Value, what: &str) -> Result<(), String> {
    if is_uuid(as_str(v, what)?) {
        Ok(())
    } else {
        Err(format!("{what} must be a UUID"))
    }
}

fn is_lang_tag(t: &str) -> bool {
    let mut parts = t.split('-');
    let first_ok = parts
        .next()
        .is_some_and(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    first_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn check_lang_map(v: &Value, what: &str) -> Result<(), String> {
    for (k, val) in as_obj(v, what)? {
        if !is_lang_tag(k) {
            return Err(format!("{what} has an invalid language tag {k:?}"));
        }
        as_str(val, what)?;
    }
    Ok(())
}

fn check_extensions(v: &Value, what: &str) -> Result<(), String> {
    for k in as_obj(v, what)?.keys() {
        if !is_iri(k) {
            return Err(format!("{what} keys must be IRIs ({k:?} is not)"));
        }
    }
    Ok(())
}

/// Checks an RFC 3339 / ISO 8601 timestamp (an offset of -00:00 is refused,
/// as the specification requires).
pub fn check_timestamp(v: &Value, what: &str) -> Result<i64, String> {
    let s = as_str(v, what)?;
    if s.ends_with("-00:00") {
        return Err(format!("{what} must not use the offset -00:00"));
    }
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.timestamp_millis())
        .map_err(|_| format!("{what} must be an ISO 8601 timestamp with a time zone"))
}

/// Parses an ISO 8601 duration (`PT1H30M`, `P1DT2.5S`, `P2W`) into seconds.
pub fn parse_duration(s: &str) -> Option<f64> {
    let rest = s.strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => {
            if t.is_empty() {
                return None;
            }
            (d, Some(t))
        }
        None => (rest, None),
    };
    fn parts(s: &str, units: &[(char, f64)]) -> Option<(f64, usize)> {
        let mut total = 0.0;
        let mut count = 0;
        let mut num = String::new();
        let mut next_unit = 0;
        for c in s.chars() {
            if c.is_ascii_digit() || c == '.' {
                num.push(c);
                continue;
            }
            let idx = units[next_unit..].iter().position(|(u, _)| *u == c)? + next_unit;
            if num.is_empty() || num.starts_with('.') || num.ends_with('.') {
                return None;
            }
            total += num.parse::<f64>().ok()? * units[idx].1;
            count += 1;
            num.clear();
            next_unit = idx + 1;
        }
        if !num.is_empty() {
            return None;
        }
        Some((total, count))
    }
    let (d, dc) = parts(
        date,
        &[
            ('Y', 365.0 * 86400.0),
            ('M', 30.0 * 86400.0),
            ('W', 7.0 * 86400.0),
            ('D', 86400.0),
        ],
    )?;
    let (t, tc) = match time {
        Some(t) => {
            let r = parts(t, &[('H', 3600.0), ('M', 60.0), ('S', 1.0)])?;
            if r.1 == 0 {
                return None;
            }
            r
        }
        None => (0.0, 0),
    };
    if dc + tc == 0 {
        return None;
    }
    Some(d + t)
}

fn check_agent(o: &Map<String, Value>, what: &str) -> Result<(), String> {
    only_keys(
        o,
        &[
            "objectType",
            "name",
            "mbox",
            "mbox_sha1sum",
            "openid",
            "account",
        ],
        what,
    )?;
    if let Some(t) = o.get("objectType") {
        if t != "Agent" {
            return Err(format!("{what}.objectType must be Agent"));
        }
    }
    if let Some(n) = o.get("name") {
        as_str(n, &format!("{what}.name"))?;
    }
    let ifis = check_ifis(o, what)?;
    if ifis != 1 {
        return Err(format!(
            "{what} must have exactly one identifier (mbox, mbox_sha1sum, openid or account)"
        ));
    }
    Ok(())
}

fn check_ifis(o: &Map<String, Value>, what: &str) -> Result<usize, String> {
    let mut n = 0;
    if let Some(m) = o.get("mbox") {
        let m = as_str(m, &format!("{what}.mbox"))?;
        if !m.starts_with("mailto:") || !m.contains('@') {
            return Err(format!("{what}.mbox must be a mailto: IRI"));
        }
        n += 1;
    }
    if let Some(m) = o.get("mbox_sha1sum") {
        let m = as_str(m, &format!("{what}.mbox_sha1sum"))?;
        if m.len() != 40 || !m.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("{what}.mbox_sha1sum must be 40 hex digits"));
        }
        n += 1;
    }
    if let Some(m) = o.get("openid") {
        check_iri(m, &format!("{what}.openid"))?;
        n += 1;
    }
    if let Some(a) = o.get("account") {
        let a = as_obj(a, &format!("{what}.account"))?;
        only_keys(a, &["homePage", "name"], &format!("{what}.account"))?;
        check_iri(
            a.get("homePage")
                .ok_or(format!("{what}.account.homePage is required"))?,
            &format!("{what}.account.homePage"),
        )?;
        as_str(
            a.get("name")
                .ok_or(format!("{what}.account.name is required"))?,
            &format!("{what}.account.name"),
        )?;
        n += 1;
    }
    Ok(n)
}

fn check_group(o: &Map<String, Value>, what: &str) -> Result<(), String> {
    only_keys(
        o,
        &[
            "objectType",
            "name",
            "member",
            "mbox",
            "mbox_sha1sum",
            "openid",
            "account",
        ],
        what,
    )?;
    if let Some(n) = o.get("name") {
        as_str(n, &format!("{what}.name"))?;
    }
    let ifis = check_ifis(o, what)?;
    if ifis > 1 {
        return Err(format!("{what} must have at most one identifier"));
    }
    match o.get("member") {
        Some(Value::Array(members)) => {
            for (i, m) in members.iter().enumerate() {
                check_agent(
                    as_obj(m, &format!("{what}.member[{i}]"))?,
                    &format!("{what}.member[{i}]"),
                )?;
            }
        }
        Some(_) => return Err(format!("{what}.member must be an array of Agents")),
        None if ifis == 0 => return Err(format!("{what} is an anonymous Group without members")),
        None => {}
    }
    Ok(())
}

fn check_actor(v: &Value, what: &str) -> Result<(), String> {
    let o = as_obj(v, what)?;
    match o.get("objectType").and_then(Value::as_str) {
        Some("Group") => check_group(o, what),
        _ => check_agent(o, what),
    }
}

fn check_activity(o: &Map<String, Value>, what: &str) -> Result<(), String> {
    only_keys(o, &["objectType", "id", "definition"], what)?;
    check_iri(
        o.get("id").ok_or(format!("{what}.id is required"))?,
        &format!("{what}.id"),
    )?;
    if let Some(d) = o.get("definition") {
        let d = as_obj(d, &format!("{what}.definition"))?;
        only_keys(
            d,
            &[
                "name",
                "description",
                "type",
                "moreInfo",
                "extensions",
                "interactionType",
                "correctResponsesPattern",
                "choices",
                "scale",
                "source",
                "target",
                "steps",
            ],
            &format!("{what}.definition"),
        )?;
        for k in ["name", "description"] {
            if let Some(m) = d.get(k) {
                check_lang_map(m, &format!("{what}.definition.{k}"))?;
            }
        }
        for k in ["type", "moreInfo"] {
            if let Some(m) = d.get(k) {
                check_iri(m, &format!("{what}.definition.{k}"))?;
            }
        }
        if let Some(e) = d.get("extensions") {
            check_extensions(e, &format!("{what}.definition.extensions"))?;
        }
        if let Some(t) = d.get("interactionType") {
            let t = as_str(t, "interactionType")?;
            const TYPES: &[&str] = &[
                "true-false",
                "choice",
                "fill-in",
                "long-fill-in",
                "matching",
                "performance",
                "sequencing",
                "likert",
                "numeric",
                "other",
            ];
            if !TYPES.contains(&t) {
                return Err(format!(
                    "{what}.definition.interactionType {t:?} is not valid"
                ));
            }
        }
    }
    Ok(())
}

fn check_statement_ref(o: &Map<String, Value>, what: &str) -> Result<(), String> {
    only_keys(o, &["objectType", "id"], what)?;
    check_uuid(
        o.get("id").ok_or(format!("{what}.id is required"))?,
        &format!("{what}.id"),
    )
}

/// Returns the object's type.
fn check_object(v: &Value, sub: bool) -> Result<&'static str, String> {
    let o = as_obj(v, "object")?;
    match o.get("objectType").map(|t| t.as_str().unwrap_or("?")) {
        None | Some("Activity") => check_activity(o, "object").map(|_| "Activity"),
        Some("Agent") => check_agent(o, "object").map(|_| "Agent"),
        Some("Group") => check_group(o, "object").map(|_| "Group"),
        Some("StatementRef") => check_statement_ref(o, "object").map(|_| "StatementRef"),
        Some("SubStatement") if !sub => check_statement(v, true).map(|_| "SubStatement"),
        Some("SubStatement") => Err("a SubStatement must not contain a SubStatement".into()),
        Some(t) => Err(format!("object.objectType {t:?} is not valid")),
    }
}

fn check_result(v: &Value) -> Result<(), String> {
    let o = as_obj(v, "result")?;
    only_keys(
        o,
        &[
            "score",
            "success",
            "completion",
            "response",
            "duration",
            "extensions",
        ],
        "result",
    )?;
    if let Some(s) = o.get("score") {
        let s = as_obj(s, "result.score")?;
        only_keys(s, &["scaled", "raw", "min", "max"], "result.score")?;
        let num = |k: &str| -> Result<Option<f64>, String> {
            match s.get(k) {
                None => Ok(None),
                Some(v) => v
                    .as_f64()
                    .map(Some)
                    .ok_or_else(|| format!("result.score.{k} must be a number")),
            }
        };
        if let Some(sc) = num("scaled")? {
            if !(-1.0..=1.0).contains(&sc) {
                return Err("result.score.scaled must be between -1 and 1".into());
            }
        }
        let (raw, min, max) = (num("raw")?, num("min")?, num("max")?);
        if let (Some(a), Some(b)) = (min, max) {
            if a >= b {
                return Err("result.score.min must be less than max".into());
            }
        }
        if let Some(r) = raw {
            if min.is_some_and(|m| r < m) || max.is_some_and(|m| r > m) {
                return Err("result.score.raw must lie between min and max".into());
            }
        }
    }
    for k in ["success", "completion"] {
        if let Some(b) = o.get(k) {
            if !b.is_boolean() {
                return Err(format!("result.{k} must be true or false"));
            }
        }
    }
    if let Some(r) = o.get("response") {
        as_str(r, "result.response")?;
    }
    if let Some(d) = o.get("duration") {
        if parse_duration(as_str(d, "result.duration")?).is_none() {
            return Err("result.duration must be an ISO 8601 duration, e.g. PT1H2M3S".into());
        }
    }
    if let Some(e) = o.get("extensions") {
        check_extensions(e, "result.extensions")?;
    }
    Ok(())
}

fn check_context(v: &Value, object_type: &str) -> Result<(), String> {
    let o = as_obj(v, "context")?;
    only_keys(
        o,
        &[
            "registration",
            "instructor",
            "team",
            "contextActivities",
            "revision",
            "platform",
            "language",
            "statement",
            "extensions",
        ],
        "context",
    )?;
    if let Some(r) = o.get("registration") {
        check_uuid(r, "context.registration")?;
    }
    if let Some(i) = o.get("instructor") {
        check_actor(i, "context.instructor")?;
    }
    if let Some(t) = o.get("team") {
        let t = as_obj(t, "context.team")?;
        if t.get("objectType").and_then(Value::as_str) != Some("Group") {
            return Err("context.team must be a Group".into());
        }
        check_group(t, "context.team")?;
    }
    if let Some(ca) = o.get("contextActivities") {
        let ca = as_obj(ca, "context.contextActivities")?;
        only_keys(
            ca,
            &["parent", "grouping", "category", "other"],
            "context.contextActivities",
        )?;
        for (k, v) in ca {
            let what = format!("context.contextActivities.{k}");
            match v {
                Value::Array(a) => {
                    for x in a {
                        check_activity(as_obj(x, &what)?, &what)?;
                    }
                }
                x => check_activity(as_obj(x, &what)?, &what)?,
            }
        }
    }
    for k in ["revision", "platform"] {
        if let Some(x) = o.get(k) {
            as_str(x, &format!("context.{k}"))?;
            if object_type != "Activity" {
                return Err(format!(
                    "context.{k} is only allowed when the object is an Activity"
                ));
            }
        }
    }
    if let Some(l) = o.get("language") {
        if !is_lang_tag(as_str(l, "context.language")?) {
            return Err("context.language must be a language tag".into());
        }
    }
    if let Some(s) = o.get("statement") {
        let s = as_obj(s, "context.statement")?;
        if s.get("objectType").and_then(Value::as_str) != Some("StatementRef") {
            return Err("context.statement must be a StatementRef".into());
        }
        check_statement_ref(s, "context.statement")?;
    }
    if let Some(e) = o.get("extensions") {
        check_extensions(e, "context.extensions")?;
    }
    Ok(())
}

/// Validates a statement (or, with `sub`, a SubStatement) per xAPI 1.0.3.
pub fn check_statement(v: &Value, sub: bool) -> Result<(), String> {
    let o = as_obj(v, "statement")?;
    if sub {
        only_keys(
            o,
            &[
                "objectType",
                "actor",
                "verb",
                "object",
                "result",
                "context",
                "timestamp",
                "attachments",
            ],
            "SubStatement",
        )?;
    } else {
        only_keys(
            o,
            &[
                "id",
                "actor",
                "verb",
                "object",
                "result",
                "context",
                "timestamp",
                "stored",
                "authority",
                "version",
                "attachments",
            ],
            "statement",
        )?;
        if let Some(id) = o.get("id") {
            check_uuid(id, "id")?;
        }
    }
    check_actor(o.get("actor").ok_or("actor is required")?, "actor")?;
    let verb = as_obj(o.get("verb").ok_or("verb is required")?, "verb")?;
    only_keys(verb, &["id", "display"], "verb")?;
    check_iri(verb.get("id").ok_or("verb.id is required")?, "verb.id")?;
    if let Some(d) = verb.get("display") {
        check_lang_map(d, "verb.display")?;
    }
    let object_type = check_object(o.get("object").ok_or("object is required")?, sub)?;
    if verb.get("id").and_then(Value::as_str) == Some("http://adlnet.gov/expapi/verbs/voided")
        && object_type != "StatementRef"
    {
        return Err("a voiding statement's object must be a StatementRef".into());
    }
    if let Some(r) = o.get("result") {
        check_result(r)?;
    }
    if let Some(c) = o.get("context") {
        check_context(c, object_type)?;
    }
    if let Some(t) = o.get("timestamp") {
        check_timestamp(t, "timestamp")?;
    }
    if let Some(t) = o.get("stored") {
        check_timestamp(t, "stored")?;
    }
    if let Some(a) = o.get("authority") {
        check_actor(a, "authority")?;
    }
    if let Some(ver) = o.get("version") {
        if !is_version_1_0(as_str(ver, "version")?) {
            return Err("version must be 1.0.x".into());
        }
    }
    if o.contains_key("attachments") {
        return Err("attachments are not supported by this LRS".into());
    }
    Ok(())
}

// ------------------------------------------------------------ pseudonymising

fn agent_identifier(o: &Map<String, Value>) -> Option<String> {
    if let Some(a) = o.get("account").and_then(Value::as_object) {
        return a.get("name").and_then(Value::as_str).map(str::to_owned);
    }
    for k in ["mbox", "mbox_sha1sum", "openid"] {
        if let Some(s) = o.get(k).and_then(Value::as_str) {
            return Some(s.to_owned());
        }
    }
    None
}

fn pseudo_agent(
    key: &crate::keys::PseudonymKey,
    o: &Map<String, Value>,
    object_type: &str,
) -> Value {
    let mut out = Map::new();
    out.insert("objectType".into(), json!(object_type));
    if let Some(id) = agent_identifier(o) {
        out.insert(
            "account".into(),
            json!({"homePage": PSEUDONYM_HOME, "name": key.pseudonymise(&id)}),
        );
    }
    if let Some(Value::Array(members)) = o.get("member") {
        let m: Vec<Value> = members
            .iter()
            .filter_map(Value::as_object)
            .map(|a| pseudo_agent(key, a, "Agent"))
            .collect();
        out.insert("member".into(), Value::Array(m));
    }
    Value::Object(out)
}

fn pseudo_actor(key: &crate::keys::PseudonymKey, v: &mut Value) {
    if let Some(o) = v.as_object() {
        let t = if o.get("objectType").and_then(Value::as_str) == Some("Group") {
            "Group"
        } else {
            "Agent"
        };
        *v = pseudo_agent(key, o, t);
    }
}

/// Replaces every agent of a (validated) statement by its pseudonym.
pub fn pseudonymise(key: &crate::keys::PseudonymKey, st: &mut Value) {
    if let Some(a) = st.get_mut("actor") {
        pseudo_actor(key, a);
    }
    if let Some(obj) = st.get_mut("object") {
        match obj.get("objectType").and_then(Value::as_str) {
            Some("Agent" | "Group") => pseudo_actor(key, obj),
            Some("SubStatement") => pseudonymise(key, obj),
            _ => {}
        }
    }
    if let Some(ctx) = st.get_mut("context").and_then(Value::as_object_mut) {
        for k in ["instructor", "team"] {
            if let Some(a) = ctx.get_mut(k) {
                pseudo_actor(key, a);
            }
        }
    }
    if let Some(a) = st.get_mut("authority") {
        pseudo_actor(key, a);
    }
}

/// The stored form used for "same statement" comparison: without the
/// properties the LRS sets.
fn comparable(st: &Value) -> Value {
    let mut v = st.clone();
    if let Some(o) = v.as_object_mut() {
        for k in ["stored", "authority", "version", "id"] {
            o.remove(k);
        }
    }
    v
}

// ------------------------------------------------------------ mapping

fn map_verb(id: &str) -> Option<&'static str> {
    match id.strip_prefix(ADL)? {
        "initialized" | "attempted" => Some("started"),
        "completed" => Some("completed"),
        "passed" => Some("passed"),
        "failed" => Some("failed"),
        _ => None,
    }
}

/// The package id an activity id names: its last path segment.
pub fn activity_package(activity_id: &str) -> Option<&str> {
    let base = activity_id.split(['?', '#']).next()?;
    base.trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
}

fn score_percent(result: Option<&Value>) -> Option<f64> {
    let s = result?.get("score")?;
    if let Some(sc) = s.get("scaled").and_then(Value::as_f64) {
        return (sc >= 0.0).then_some(sc * 100.0);
    }
    let raw = s.get("raw")?.as_f64()?;
    let max = s.get("max")?.as_f64()?;
    let min = s.get("min").and_then(Value::as_f64).unwrap_or(0.0);
    (max > min).then(|| ((raw - min) / (max - min) * 100.0).clamp(0.0, 100.0))
}

async fn map_event(
    state: &AppState,
    org: &OrgAuth,
    st: &Value,
    statement_id: &str,
    learner: Option<&str>,
    now: i64,
) -> Result<Option<NewEvent>, AppError> {
    let Some(verb) = st["verb"]["id"].as_str().and_then(map_verb) else {
        return Ok(None);
    };
    let obj = &st["object"];
    if !matches!(
        obj.get("objectType").and_then(Value::as_str),
        None | Some("Activity")
    ) {
        return Ok(None);
    }
    let Some(learner) = learner else {
        return Ok(None);
    };
    let Some(pkg_id) = obj["id"].as_str().and_then(activity_package) else {
        return Ok(None);
    };
    let revision = st["context"]["revision"].as_str();
    let mut pkg = state.catalogue.resolve(&state.db, pkg_id, revision).await?;
    if pkg.is_none() && revision.is_some() {
        pkg = state.catalogue.resolve(&state.db, pkg_id, None).await?;
    }
    let Some(pkg) = pkg else {
        return Ok(None);
    };
    Ok(Some(NewEvent {
        org_id: org.id,
        event_id: uuid::Uuid::new_v5(&XAPI_NS, statement_id.as_bytes())
            .hyphenated()
            .to_string(),
        learner: learner.to_owned(),
        package_id: pkg.id,
        package_version: pkg.version,
        edition: None,
        verb,
        score: score_percent(st.get("result")),
        duration_s: st["result"]["duration"]
            .as_str()
            .and_then(parse_duration)
            .map(|d| d.min(365.0 * 86400.0) as i64),
        occurred_at: st["timestamp"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.timestamp_millis())
            .unwrap_or(now),
        received_at: now,
        source: "xapi",
    }))
}

// ------------------------------------------------------------ storage

struct Prepared {
    id: String,
    learner: String,
    stored: Value,
    event: Option<NewEvent>,
}

enum StoreOutcome {
    Stored,
    Conflict(String),
}

async fn prepare_all(
    state: &AppState,
    org: &OrgAuth,
    statements: Vec<Value>,
) -> Result<Vec<Prepared>, AppError> {
    let now = now_ms();
    let mut out = Vec::with_capacity(statements.len());
    for (i, st) in statements.iter().enumerate() {
        check_statement(st, false).map_err(|m| {
            if statements.len() > 1 {
                bad(format!("statement {i}: {m}"))
            } else {
                bad(m)
            }
        })?;
    }
    let mut seen = HashSet::new();
    for mut st in statements {
        let id = match st.get("id").and_then(Value::as_str) {
            Some(id) => id.to_ascii_lowercase(),
            None => uuid::Uuid::new_v4().hyphenated().to_string(),
        };
        if !seen.insert(id.clone()) {
            return Err(bad(format!("statement id {id} appears twice in the batch")));
        }
        let learner = st["actor"]
            .as_object()
            .filter(|a| a.get("objectType").and_then(Value::as_str) != Some("Group"))
            .and_then(agent_identifier)
            .map(|l| org.key.pseudonymise(l.trim()));
        pseudonymise(&org.key, &mut st);
        st["id"] = json!(id);
        let event = map_event(state, org, &st, &id, learner.as_deref(), now).await?;
        out.push(Prepared {
            learner: learner.unwrap_or_else(|| "group".into()),
            id,
            stored: st,
            event,
        });
    }
    Ok(out)
}

async fn store_all(
    state: &AppState,
    org: &OrgAuth,
    items: &[Prepared],
) -> Result<StoreOutcome, AppError> {
    let now = now_ms();
    let mut sorted: Vec<&Prepared> = items.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    let outcome = on_db!(&state.db, pool => {
        let mut tx = pool.begin().await?;
        let mut conflict = None;
        for p in &sorted {
            let text = serde_json::to_string(&p.stored).unwrap_or_default();
            let n = sqlx::query(
                "INSERT INTO xapi_statements (org_id, statement_id, learner, statement, stored_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id, statement_id) DO NOTHING")
                .bind(org.id).bind(&p.id).bind(&p.learner).bind(&text).bind(now)
                .execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                let (existing,): (String,) = sqlx::query_as(
                    "SELECT statement FROM xapi_statements WHERE org_id = $1 AND statement_id = $2")
                    .bind(org.id).bind(&p.id).fetch_one(&mut *tx).await?;
                let existing: Value = serde_json::from_str(&existing).unwrap_or(Value::Null);
                if comparable(&existing) != comparable(&p.stored) {
                    conflict = Some(p.id.clone());
                    break;
                }
                continue;
            }
            if let Some(e) = &p.event {
                sqlx::query(
                    "INSERT INTO events (org_id, event_id, learner, package_id, package_version, edition, \
                     verb, score, duration_s, occurred_at, received_at, source) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                     ON CONFLICT (org_id, event_id) DO NOTHING")
                    .bind(e.org_id).bind(&e.event_id).bind(&e.learner).bind(&e.package_id)
                    .bind(&e.package_version).bind(&e.edition).bind(e.verb).bind(e.score)
                    .bind(e.duration_s).bind(e.occurred_at).bind(e.received_at).bind(e.source)
                    .execute(&mut *tx).await?;
            }
        }
        match conflict {
            Some(id) => {
                tx.rollback().await?;
                StoreOutcome::Conflict(id)
            }
            None => {
                tx.commit().await?;
                StoreOutcome::Stored
            }
        }
    });
    Ok(outcome)
}

async fn store(
    state: &AppState,
    org: &OrgAuth,
    statements: Vec<Value>,
) -> Result<Vec<String>, AppError> {
    let items = prepare_all(state, org, statements).await?;
    match store_all(state, org, &items).await? {
        StoreOutcome::Stored => {
            state
                .metrics
                .xapi_statements
                .fetch_add(items.len() as u64, Ordering::Relaxed);
            Ok(items.into_iter().map(|p| p.id).collect())
        }
        StoreOutcome::Conflict(id) => Err(AppError::Conflict {
            code: "statement_conflict",
            message: format!("statement {id} exists with different content; nothing was stored"),
        }),
    }
}

fn ingest_org(principal: &Principal) -> Result<&OrgAuth, AppError> {
    principal.org_with(&[Role::Ingest, Role::OrgAdmin])
}

/// `POST /xapi/statements`.
pub async fn post_statements(
    State(state): State<AppState>,
    headers: HeaderMap,
    principal: Principal,
    LimitedBody(body): LimitedBody,
) -> Result<Json<Vec<String>>, AppError> {
    check_version_header(&headers)?;
    let org = ingest_org(&principal)?;
    check_json_content(&headers)?;
    let v: Value = crate::app::parse_json(&body)?;
    let statements = match v {
        Value::Array(a) if a.is_empty() => return Err(bad("the array holds no statements")),
        Value::Array(a) if a.len() > MAX_STATEMENTS => {
            return Err(bad(format!(
                "at most {MAX_STATEMENTS} statements per request"
            )))
        }
        Value::Array(a) => a,
        v @ Value::Object(_) => vec![v],
        _ => return Err(bad("body must be a statement or an array of statements")),
    };
    Ok(Json(store(&state, org, statements).await?))
}

/// `PUT /xapi/statements?statementId=…`.
pub async fn put_statement(
    State(state): State<AppState>,
    headers: HeaderMap,
    principal: Principal,
    Query(q): Query<Vec<(String, String)>>,
    LimitedBody(body): LimitedBody,
) -> Result<StatusCode, AppError> {
    check_version_header(&headers)?;
    let org = ingest_org(&principal)?;
    check_json_content(&headers)?;
    let mut id = None;
    for (k, v) in &q {
        match k.as_str() {
            "statementId" if id.is_none() => id = Some(v.clone()),
            _ => return Err(bad(format!("unexpected query parameter {k:?}"))),
        }
    }
    let id = id.ok_or_else(|| bad("statementId is required"))?;
    if !is_uuid(&id) {
        return Err(bad("statementId must be a UUID"));
    }
    let mut st: Value = crate::app::parse_json(&body)?;
    if !st.is_object() {
        return Err(bad("body must be one statement"));
    }
    match st.get("id").and_then(Value::as_str) {
        Some(given) if !given.eq_ignore_ascii_case(&id) => {
            return Err(bad("the statement's id differs from statementId"))
        }
        Some(_) => {}
        None if st.get("id").is_some() => return Err(bad("id must be a UUID")),
        None => st["id"] = json!(id),
    }
    store(&state, org, vec![st]).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /xapi/statements?statementId=…` (org admin).
pub async fn get_statement(
    State(state): State<AppState>,
    headers: HeaderMap,
    principal: Principal,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    check_version_header(&headers)?;
    let org = principal.org_with(&[Role::OrgAdmin])?;
    let mut id = None;
    let mut voided = false;
    for (k, v) in &q {
        match k.as_str() {
            "statementId" | "voidedStatementId" if id.is_none() => {
                voided = k == "voidedStatementId";
                id = Some(v.clone());
            }
            "attachments" | "format" => {}
            _ => {
                return Err(bad(format!(
                    "query parameter {k:?} is not supported (only statementId or voidedStatementId)"
                )))
            }
        }
    }
    let id =
        id.ok_or_else(|| bad("statementId is required; statement queries are not supported"))?;
    if !is_uuid(&id) {
        return Err(bad("statementId must be a UUID"));
    }
    let row: Option<(String, i64)> = on_db!(&state.db, p => sqlx::query_as(
        "SELECT statement, stored_at FROM xapi_statements WHERE org_id = $1 AND statement_id = $2")
        .bind(org.id).bind(id.to_ascii_lowercase()).fetch_optional(p).await)?;
    let (text, stored_at) = row.ok_or(AppError::NotFound("statement"))?;
    let mut st: Value = serde_json::from_str(&text)
        .map_err(|e| AppError::Internal(format!("stored statement: {e}")))?;
    // A voided statement is only returned through voidedStatementId; this
    // tracker does not void, so statementId finds it and voidedStatementId
    // finds nothing.
    if voided {
        return Err(AppError::NotFound("voided statement"));
    }
    let stored = chrono::DateTime::from_timestamp_millis(stored_at)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default();
    if st.get("timestamp").is_none() {
        st["timestamp"] = json!(stored);
    }
    st["stored"] = json!(stored);
    st["version"] = st.get("version").cloned().unwrap_or(json!("1.0.0"));
    st["authority"] = json!({"objectType": "Agent", "account": {"homePage": "https://pecyn.example/organisations", "name": org.code}});
    Ok(Json(st).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st() -> Value {
        json!({
            "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
            "actor": {"objectType": "Agent", "name": "A", "account": {"homePage": "https://lms.example", "name": "u1"}},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-GB": "completed", "cy": "cwblhau"}},
            "object": {"id": "https://pecyn.example/packages/pecyn_passwords_en_standard_scorm12", "definition": {"name": {"en": "Passwords"}}},
            "result": {"score": {"scaled": 0.8, "raw": 8, "min": 0, "max": 10}, "completion": true, "duration": "PT12M30S"},
            "context": {"registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7", "revision": "1.0.0", "language": "cy-GB"},
            "timestamp": "2026-05-01T10:00:00Z"
        })
    }

    #[test]
    fn valid_statement_passes() {
        assert_eq!(check_statement(&st(), false), Ok(()));
    }

    #[test]
    fn invalid_statements_fail_with_reasons() {
        type Case = (&'static str, Box<dyn Fn(&mut Value)>);
        let cases: Vec<Case> = vec![
            ("unknown top-level", Box::new(|s| s["foo"] = json!(1))),
            ("bad id", Box::new(|s| s["id"] = json!("not-a-uuid"))),
            (
                "no actor",
                Box::new(|s| {
                    s.as_object_mut().map(|o| o.remove("actor"));
                }),
            ),
            (
                "two ifis",
                Box::new(|s| s["actor"]["mbox"] = json!("mailto:a@b.c")),
            ),
            (
                "no ifi",
                Box::new(|s| {
                    s["actor"].as_object_mut().map(|o| o.remove("account"));
                }),
            ),
            (
                "bad mbox",
                Box::new(|s| s["actor"] = json!({"mbox": "a@b.c"})),
            ),
            ("actor extra", Box::new(|s| s["actor"]["age"] = json!(3))),
            (
                "anon group no members",
                Box::new(|s| s["actor"] = json!({"objectType": "Group"})),
            ),
            (
                "verb no id",
                Box::new(|s| s["verb"] = json!({"display": {"en": "x"}})),
            ),
            (
                "verb bad iri",
                Box::new(|s| s["verb"]["id"] = json!("completed")),
            ),
            (
                "verb bad lang",
                Box::new(|s| s["verb"]["display"] = json!({"english!": "x"})),
            ),
            (
                "object no id",
                Box::new(|s| s["object"] = json!({"objectType": "Activity"})),
            ),
            (
                "object bad type",
                Box::new(|s| s["object"]["objectType"] = json!("Thing")),
            ),
            (
                "statementref bad uuid",
                Box::new(|s| s["object"] = json!({"objectType": "StatementRef", "id": "x"})),
            ),
            (
                "scaled out of range",
                Box::new(|s| s["result"]["score"]["scaled"] = json!(1.5)),
            ),
            (
                "raw above max",
                Box::new(|s| s["result"]["score"]["raw"] = json!(11)),
            ),
            (
                "bad duration",
                Box::new(|s| s["result"]["duration"] = json!("12 minutes")),
            ),
            (
                "bad timestamp",
                Box::new(|s| s["timestamp"] = json!("2026-05-01 10:00")),
            ),
            (
                "-00:00 offset",
                Box::new(|s| s["timestamp"] = json!("2026-05-01T10:00:00-00:00")),
            ),
            (
                "bad registration",
                Box::new(|s| s["context"]["registration"] = json!("abc")),
            ),
            (
                "revision on agent object",
                Box::new(|s| s["object"] = json!({"objectType": "Agent", "mbox": "mailto:x@y.z"})),
            ),
            ("version 2", Box::new(|s| s["version"] = json!("2.0.0"))),
            ("attachments", Box::new(|s| s["attachments"] = json!([]))),
            (
                "voided needs ref",
                Box::new(|s| s["verb"]["id"] = json!("http://adlnet.gov/expapi/verbs/voided")),
            ),
            (
                "nested substatement",
                Box::new(
                    |s| s["object"] = json!({"objectType": "SubStatement", "actor": {"mbox": "mailto:a@b.c"}, "verb": {"id": "http://x.y/z"}, "object": {"objectType": "SubStatement"}}),
                ),
            ),
        ];
        for (name, f) in cases {
            let mut s = st();
            f(&mut s);
            assert!(
                check_statement(&s, false).is_err(),
                "{name} should be rejected"
            );
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("PT12M30S"), Some(750.0));
        assert_eq!(parse_duration("P1DT1H"), Some(90_000.0));
        assert_eq!(parse_duration("PT0.5S"), Some(0.5));
        assert_eq!(parse_duration("P2W"), Some(1_209_600.0));
        for bad in [
            "", "P", "PT", "T1H", "P1H", "PT1S2M", "PT.5S", "PT1.S", "12M",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn mapping_helpers() {
        assert_eq!(
            activity_package("https://pecyn.example/packages/p_1/"),
            Some("p_1")
        );
        assert_eq!(
            activity_package("https://x.example/a/p_2?x=1#f"),
            Some("p_2")
        );
        assert_eq!(
            map_verb("http://adlnet.gov/expapi/verbs/attempted"),
            Some("started")
        );
        assert_eq!(map_verb("http://adlnet.gov/expapi/verbs/experienced"), None);
        assert_eq!(
            score_percent(Some(&json!({"score": {"raw": 5, "max": 10}}))),
            Some(50.0)
        );
    }

    #[test]
    fn pseudonymising_removes_identity() {
        let key = crate::keys::PseudonymKey::from_hex(&crate::keys::new_pseudonym_secret());
        let mut s = st();
        pseudonymise(&key, &mut s);
        let text = s.to_string();
        assert!(!text.contains("u1") && !text.contains("lms.example") && !text.contains("\"A\""));
        assert_eq!(s["actor"]["account"]["homePage"], PSEUDONYM_HOME);
        let mut again = st();
        pseudonymise(&key, &mut again);
        assert_eq!(s, again);
    }

    #[test]
    fn versions() {
        for ok in ["1.0", "1.0.0", "1.0.3", "1.0.10"] {
            assert!(is_version_1_0(ok), "{ok}");
        }
        for bad in ["0.95", "1.1.0", "1.0.", "2.0.0", "1.0.x", ""] {
            assert!(!is_version_1_0(bad), "{bad}");
        }
    }
}
