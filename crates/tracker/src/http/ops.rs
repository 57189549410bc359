//! Operations endpoints: liveness, readiness, metrics, and the OpenAPI
//! description of every route.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use crate::http::error::error_body;
use crate::http::state::AppState;

/// `GET /healthz`: the process is up.
pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// `GET /readyz`: the database answers.
pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => Json(json!({"status": "ready", "database": state.db.backend()})).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(error_body("not_ready", "database unavailable")),
            )
                .into_response()
        }
    }
}

/// `GET /metrics`: Prometheus text format.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let body = state
        .metrics
        .render(state.writer.queued(), state.db.backend());
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

/// `GET /openapi.json`.
pub async fn openapi() -> Json<Value> {
    Json(spec())
}

struct Op {
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    auth: &'static str,
    body: Option<Value>,
    ok: (&'static str, &'static str),
    params: &'static [(&'static str, &'static str, &'static str)],
}

fn obj(props: &[(&str, Value)], required: &[&str]) -> Value {
    let mut m = Map::new();
    for (k, v) in props {
        m.insert((*k).to_string(), v.clone());
    }
    json!({"type": "object", "properties": m, "required": required})
}

fn s() -> Value {
    json!({"type": "string"})
}
fn i() -> Value {
    json!({"type": "integer"})
}

fn event_schema() -> Value {
    let mut v = obj(
        &[
            ("id", json!({"type": "string", "format": "uuid"})),
            (
                "learner",
                json!({"type": "string", "maxLength": 256, "description": "LMS learner id; pseudonymised (HMAC) on arrival, never stored"}),
            ),
            (
                "package",
                json!({"type": "string", "description": "catalogue package id"}),
            ),
            ("version", s()),
            ("edition", s()),
            (
                "verb",
                json!({"type": "string", "enum": ["started", "completed", "passed", "failed"]}),
            ),
            (
                "score",
                json!({"type": "number", "minimum": 0, "maximum": 100}),
            ),
            ("duration_seconds", json!({"type": "integer", "minimum": 0})),
            (
                "timestamp",
                json!({"type": "string", "format": "date-time"}),
            ),
            ("module", s()),
            ("lang", json!({"type": "string", "enum": ["en", "cy"]})),
            (
                "variant",
                json!({"type": "string", "enum": ["standard", "accessible"]}),
            ),
            ("scorm", json!({"type": "string", "enum": ["1.2", "2004"]})),
        ],
        &["id", "learner", "package", "verb"],
    );
    v["additionalProperties"] = json!(false);
    v
}

fn ops() -> Vec<Op> {
    let org_new = obj(
        &[
            ("code", s()),
            ("name_en", s()),
            ("name_cy", s()),
            (
                "kind",
                json!({"type": "string", "enum": crate::domain::org::ORG_KINDS}),
            ),
            ("region", s()),
            ("contribution_pence", i()),
            (
                "contribution_date",
                json!({"type": "string", "format": "date"}),
            ),
            ("retention_months", i()),
        ],
        &["code", "name_en", "name_cy", "kind", "region"],
    );
    vec![
        Op {
            method: "get",
            path: "/healthz",
            summary: "Liveness",
            auth: "none",
            body: None,
            ok: ("200", "ok"),
            params: &[],
        },
        Op {
            method: "get",
            path: "/readyz",
            summary: "Readiness (database answers)",
            auth: "none",
            body: None,
            ok: ("200", "ready"),
            params: &[],
        },
        Op {
            method: "get",
            path: "/metrics",
            summary: "Prometheus metrics",
            auth: "none",
            body: None,
            ok: ("200", "text/plain metrics"),
            params: &[],
        },
        Op {
            method: "get",
            path: "/openapi.json",
            summary: "This document",
            auth: "none",
            body: None,
            ok: ("200", "OpenAPI 3.1"),
            params: &[],
        },
        Op {
            method: "post",
            path: "/api/v1/events",
            summary: "Add one event or a batch of up to 1,000 (idempotent by id); CORS open",
            auth: "ingest or org_admin",
            body: Some(
                json!({"oneOf": [event_schema(), {"type": "array", "maxItems": 1000, "items": event_schema()}]}),
            ),
            ok: (
                "200",
                "{accepted, duplicates, duplicate_ids, rejected[{index, id, code, message}]}",
            ),
            params: &[],
        },
        Op {
            method: "get",
            path: "/api/v1/events",
            summary: "This organisation's events (learner-level, pseudonymised)",
            auth: "org_admin",
            body: None,
            ok: ("200", "{events, next_after}"),
            params: &[
                ("learner", "query", "LMS learner id"),
                ("after", "query", "cursor"),
                ("limit", "query", "1-1000"),
            ],
        },
        Op {
            method: "post",
            path: "/api/v1/imports",
            summary:
                "Import an LMS completion CSV (Moodle, Totara or generic; detected); all-or-nothing",
            auth: "org_admin",
            body: Some(json!({"type": "string", "description": "text/csv"})),
            ok: ("201", "{import_id, format, rows, accepted, duplicates}"),
            params: &[("filename", "query", "name to record")],
        },
        Op {
            method: "get",
            path: "/api/v1/imports",
            summary: "This organisation's imports",
            auth: "org_admin",
            body: None,
            ok: ("200", "{imports}"),
            params: &[],
        },
        Op {
            method: "post",
            path: "/api/v1/erasure",
            summary: "Erase one learner's events and statements",
            auth: "org_admin",
            body: Some(obj(&[("learner", s())], &["learner"])),
            ok: ("200", "{events, statements}"),
            params: &[],
        },
        Op {
            method: "get",
            path: "/api/v1/org",
            summary: "The caller's organisation",
            auth: "org_admin or reader",
            body: None,
            ok: ("200", "organisation"),
            params: &[],
        },
        Op {
            method: "put",
            path: "/api/v1/org/retention",
            summary: "Set retention in months (null: keep)",
            auth: "org_admin",
            body: Some(obj(
                &[("months", json!({"type": ["integer", "null"]}))],
                &["months"],
            )),
            ok: ("200", "organisation"),
            params: &[],
        },
        Op {
            method: "get",
            path: "/api/v1/reports/summary",
            summary: "Aggregates for the caller's organisation",
            auth: "org_admin or reader",
            body: None,
            ok: ("200", "{events, learners, by_package}"),
            params: &[],
        },
        Op {
            method: "get",
            path: "/api/v1/reports/uptake",
            summary: "Uptake per organisation",
            auth: "platform",
            body: None,
            ok: ("200", "{organisations}"),
            params: &[],
        },
        Op {
            method: "post",
            path: "/api/v1/organisations",
            summary: "Create an organisation",
            auth: "platform",
            body: Some(org_new),
            ok: ("201", "organisation"),
            params: &[],
        },
        Op {
            method: "get",
            path: "/api/v1/organisations",
            summary: "List organisations",
            auth: "platform",
            body: None,
            ok: ("200", "{organisations}"),
            params: &[],
        },
        Op {
            method: "get",
            path: "/api/v1/organisations/{code}",
            summary: "One organisation",
            auth: "platform",
            body: None,
            ok: ("200", "organisation"),
            params: &[("code", "path", "organisation code")],
        },
        Op {
            method: "patch",
            path: "/api/v1/organisations/{code}",
            summary: "Change status or retention",
            auth: "platform",
            body: Some(obj(
                &[
                    (
                        "status",
                        json!({"type": "string", "enum": ["active", "suspended"]}),
                    ),
                    ("retention_months", json!({"type": ["integer", "null"]})),
                ],
                &[],
            )),
            ok: ("200", "organisation"),
            params: &[("code", "path", "organisation code")],
        },
        Op {
            method: "post",
            path: "/api/v1/organisations/{code}/keys",
            summary: "Issue a key (token shown once)",
            auth: "platform",
            body: Some(obj(
                &[
                    (
                        "role",
                        json!({"type": "string", "enum": ["ingest", "org_admin", "reader"]}),
                    ),
                    ("label", s()),
                ],
                &["role"],
            )),
            ok: ("201", "{key_id, role, organisation, token}"),
            params: &[("code", "path", "organisation code")],
        },
        Op {
            method: "get",
            path: "/api/v1/organisations/{code}/keys",
            summary: "List keys (no secrets)",
            auth: "platform",
            body: None,
            ok: ("200", "{keys}"),
            params: &[("code", "path", "organisation code")],
        },
        Op {
            method: "delete",
            path: "/api/v1/keys/{key_id}",
            summary: "Revoke a key at once",
            auth: "platform, or org_admin for its own organisation's keys",
            body: None,
            ok: ("204", "revoked"),
            params: &[("key_id", "path", "key id")],
        },
        Op {
            method: "post",
            path: "/api/v1/catalogue",
            summary: "Import catalogue.json from pecyn build",
            auth: "platform",
            body: Some(json!({"type": "object"})),
            ok: ("200", "{imported}"),
            params: &[],
        },
        Op {
            method: "get",
            path: "/api/v1/catalogue",
            summary: "List packages",
            auth: "platform, org_admin or reader",
            body: None,
            ok: ("200", "{packages}"),
            params: &[],
        },
        Op {
            method: "get",
            path: "/xapi/about",
            summary: "xAPI About resource",
            auth: "none",
            body: None,
            ok: ("200", "{version: [\"1.0.3\"]}"),
            params: &[],
        },
        Op {
            method: "post",
            path: "/xapi/statements",
            summary: "Store one statement or an array; returns their ids",
            auth: "ingest (Basic)",
            body: Some(json!({"type": ["object", "array"]})),
            ok: ("200", "array of statement ids"),
            params: &[("X-Experience-API-Version", "header", "1.0.x, required")],
        },
        Op {
            method: "put",
            path: "/xapi/statements",
            summary: "Store one statement with the given id",
            auth: "ingest (Basic)",
            body: Some(json!({"type": "object"})),
            ok: ("204", "stored"),
            params: &[
                ("statementId", "query", "UUID"),
                ("X-Experience-API-Version", "header", "1.0.x, required"),
            ],
        },
        Op {
            method: "get",
            path: "/xapi/statements",
            summary: "Fetch one statement by id",
            auth: "ingest (Basic)",
            body: None,
            ok: ("200", "statement"),
            params: &[
                ("statementId", "query", "UUID"),
                ("X-Experience-API-Version", "header", "1.0.x, required"),
            ],
        },
    ]
}

/// The OpenAPI 3.1 document.
pub fn spec() -> Value {
    let mut paths = Map::new();
    for op in ops() {
        let mut o = json!({
            "summary": op.summary,
            "description": format!("Authorisation: {}.", op.auth),
            "responses": {
                op.ok.0: {"description": op.ok.1},
                "default": {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
        });
        if op.auth != "none" {
            o["security"] = json!([{"bearer": []}, {"basic": []}]);
        }
        if let Some(b) = op.body {
            let ct = if op.path == "/api/v1/imports" {
                "text/csv"
            } else {
                "application/json"
            };
            o["requestBody"] = json!({"required": true, "content": {ct: {"schema": b}}});
        }
        if !op.params.is_empty() {
            o["parameters"] = Value::Array(
                op.params
                    .iter()
                    .map(|(name, loc, d)| json!({"name": name, "in": loc, "required": *loc == "path", "description": d, "schema": {"type": "string"}}))
                    .collect(),
            );
        }
        let entry = paths
            .entry(op.path.to_string())
            .or_insert_with(|| json!({}));
        entry[op.method] = o;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Pecyn tracker", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Completion tracking for Pecyn SCORM packages. Errors are {\"error\": {\"code\", \"message\"}}."},
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "basic": {"type": "http", "scheme": "basic", "description": "user = key id, password = the secret after it"}
            },
            "schemas": {"Error": obj(&[("error", obj(&[("code", s()), ("message", s())], &["code", "message"]))], &["error"])}
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_route_is_described() {
        let spec = super::spec();
        for (method, path) in crate::http::router::ROUTES {
            assert!(
                spec["paths"][path][method].is_object(),
                "{method} {path} missing from openapi.json"
            );
        }
        let described: usize = spec["paths"]
            .as_object()
            .map(|m| {
                m.values()
                    .map(|v| v.as_object().map_or(0, |o| o.len()))
                    .sum()
            })
            .unwrap_or(0);
        assert_eq!(
            described,
            crate::http::router::ROUTES.len(),
            "no undocumented extras"
        );
    }
}
