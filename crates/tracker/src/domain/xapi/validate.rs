//! Validation of a whole statement: actor, verb, object, result, context.

use serde_json::{Map, Value};

use super::is_version_1_0;
use super::values::{
    as_obj, as_str, check_extensions, check_iri, check_lang_map, check_timestamp, check_uuid,
    is_lang_tag, only_keys, parse_duration,
};

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
