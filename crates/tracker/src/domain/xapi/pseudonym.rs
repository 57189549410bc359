//! Pseudonymisation of statements: every agent becomes an account on
//! [`PSEUDONYM_HOME`] named by the HMAC of its identifier.

use serde_json::{json, Map, Value};

use super::PSEUDONYM_HOME;
use crate::keys::PseudonymKey;

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

fn pseudo_agent(key: &PseudonymKey, o: &Map<String, Value>, object_type: &str) -> Value {
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

fn pseudo_actor(key: &PseudonymKey, v: &mut Value) {
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
pub fn pseudonymise(key: &PseudonymKey, st: &mut Value) {
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
pub fn comparable(st: &Value) -> Value {
    let mut v = st.clone();
    if let Some(o) = v.as_object_mut() {
        for k in ["stored", "authority", "version", "id"] {
            o.remove(k);
        }
    }
    v
}

/// The pseudonymised learner a (validated) statement's actor names, if the
/// actor is an Agent (a Group is no single learner).
pub fn learner_of(key: &PseudonymKey, st: &Value) -> Option<String> {
    st["actor"]
        .as_object()
        .filter(|a| a.get("objectType").and_then(Value::as_str) != Some("Group"))
        .and_then(agent_identifier)
        .map(|l| key.pseudonymise(l.trim()))
}
