//! Unit tests of statement validation, mapping and pseudonymisation.

use serde_json::{json, Value};

use super::map::{map_verb, score_percent};
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
