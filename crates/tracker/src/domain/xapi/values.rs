//! Checks of the value types statements are built from: IRIs, UUIDs,
//! language maps, extensions, timestamps, durations.

use serde_json::{Map, Value};

pub(crate) fn only_keys(
    o: &Map<String, Value>,
    allowed: &[&str],
    what: &str,
) -> Result<(), String> {
    for k in o.keys() {
        if !allowed.contains(&k.as_str()) {
            return Err(format!("{what} has an unknown property {k:?}"));
        }
    }
    Ok(())
}

pub(crate) fn as_obj<'a>(v: &'a Value, what: &str) -> Result<&'a Map<String, Value>, String> {
    v.as_object()
        .ok_or_else(|| format!("{what} must be an object"))
}

pub(crate) fn as_str<'a>(v: &'a Value, what: &str) -> Result<&'a str, String> {
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

pub(crate) fn check_iri(v: &Value, what: &str) -> Result<(), String> {
    if is_iri(as_str(v, what)?) {
        Ok(())
    } else {
        Err(format!("{what} must be an absolute IRI"))
    }
}

pub fn is_uuid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::parse_str(s).is_ok()
}

pub(crate) fn check_uuid(v: &Value, what: &str) -> Result<(), String> {
    if is_uuid(as_str(v, what)?) {
        Ok(())
    } else {
        Err(format!("{what} must be a UUID"))
    }
}

pub(crate) fn is_lang_tag(t: &str) -> bool {
    let mut parts = t.split('-');
    let first_ok = parts
        .next()
        .is_some_and(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    first_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

pub(crate) fn check_lang_map(v: &Value, what: &str) -> Result<(), String> {
    for (k, val) in as_obj(v, what)? {
        if !is_lang_tag(k) {
            return Err(format!("{what} has an invalid language tag {k:?}"));
        }
        as_str(val, what)?;
    }
    Ok(())
}

pub(crate) fn check_extensions(v: &Value, what: &str) -> Result<(), String> {
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
