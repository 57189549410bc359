//! The mapping from statements to completion events.

use serde_json::Value;

use super::{parse_duration, ADL, XAPI_NS};
use crate::domain::catalogue::Package;
use crate::domain::event::NewEvent;

pub fn map_verb(id: &str) -> Option<&'static str> {
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

pub fn score_percent(result: Option<&Value>) -> Option<f64> {
    let s = result?.get("score")?;
    if let Some(sc) = s.get("scaled").and_then(Value::as_f64) {
        return (sc >= 0.0).then_some(sc * 100.0);
    }
    let raw = s.get("raw")?.as_f64()?;
    let max = s.get("max")?.as_f64()?;
    let min = s.get("min").and_then(Value::as_f64).unwrap_or(0.0);
    (max > min).then(|| ((raw - min) / (max - min) * 100.0).clamp(0.0, 100.0))
}

/// The package id and revision a statement's completion would name, if its
/// verb is a completion verb, its object an Activity and its actor an Agent
/// (`learner` is that agent's pseudonym).
pub fn completion_target<'a>(
    st: &'a Value,
    learner: Option<&str>,
) -> Option<(&'a str, Option<&'a str>)> {
    st["verb"]["id"].as_str().and_then(map_verb)?;
    let obj = &st["object"];
    if !matches!(
        obj.get("objectType").and_then(Value::as_str),
        None | Some("Activity")
    ) {
        return None;
    }
    learner?;
    let pkg_id = obj["id"].as_str().and_then(activity_package)?;
    Some((pkg_id, st["context"]["revision"].as_str()))
}

/// The completion event of a statement whose target package is `pkg`.
pub fn to_event(
    org_id: i64,
    st: &Value,
    statement_id: &str,
    learner: &str,
    pkg: Package,
    now: i64,
) -> Option<NewEvent> {
    let verb = st["verb"]["id"].as_str().and_then(map_verb)?;
    Some(NewEvent {
        org_id,
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
    })
}
