//! The OpenAPI description, generated from the code: each handler carries a
//! `#[utoipa::path]` annotation, request and response schemas come from the
//! Rust types (`utoipa::ToSchema`), and every key role is a security scheme.
//! `tests/openapi.rs` checks that the router serves exactly what is
//! described here.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::http::error::ErrorBody;
use crate::http::{admin, events, imports, ops, org, reports, xapi};
use axum::Json;

/// The whole API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Pecyn tracker",
        description = "Completion tracking for Pecyn SCORM packages. Every error is `{\"error\": {\"code\", \"message\"}}`."
    ),
    paths(
        ops::healthz,
        ops::readyz,
        ops::metrics,
        openapi,
        events::post_events,
        org::list_events,
        imports::post_import,
        imports::list_imports,
        org::erase,
        org::get_org,
        org::set_retention,
        org::summary,
        reports::uptake_json_or_csv,
        reports::uptake_csv,
        reports::funding_json_or_csv,
        reports::funding_csv,
        reports::get_headcount,
        reports::put_own_headcount,
        reports::put_public_listing,
        reports::put_org_headcount,
        reports::put_funding,
        reports::put_campaign,
        reports::public_orgs,
        admin::create_org,
        admin::list_orgs,
        admin::get_org,
        admin::patch_org,
        admin::issue_key,
        admin::list_keys,
        admin::revoke_key,
        admin::import_catalogue,
        admin::list_catalogue,
        xapi::about,
        xapi::post_statements,
        xapi::put_statement,
        xapi::get_statement,
    ),
    components(schemas(ErrorBody)),
    modifiers(&KeyRoles),
    tags(
        (name = "ops", description = "Liveness, readiness, metrics, this description"),
        (name = "ingest", description = "Completion events and CSV imports"),
        (name = "xapi", description = "The xAPI 1.0.3 Statement Resource (the part completion needs)"),
        (name = "organisation", description = "An organisation's own data, erasure and retention"),
        (name = "reports", description = "Aggregate reports"),
        (name = "platform", description = "Platform administration: organisations, keys, the catalogue"),
    )
)]
pub struct ApiDoc;

/// One security scheme per key role (all Bearer tokens `pct_<id>_<secret>`),
/// and HTTP Basic for xAPI clients.
struct KeyRoles;

impl Modify for KeyRoles {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        let bearer = |description: &str| {
            let mut h = Http::new(HttpAuthScheme::Bearer);
            h.description = Some(description.to_owned());
            SecurityScheme::Http(h)
        };
        components.add_security_scheme(
            "platform_key",
            bearer("A platform admin key (or the environment's admin token): organisations, keys, the catalogue, uptake."),
        );
        components.add_security_scheme(
            "org_admin_key",
            bearer("An organisation admin key: that organisation's events, imports, erasure, retention, reports; may also ingest."),
        );
        components.add_security_scheme(
            "reader_key",
            bearer("A reader key: that organisation's aggregate reports only."),
        );
        components.add_security_scheme(
            "ingest_key",
            bearer("An ingest key (for the LMS or the package): sends events and statements, reads nothing."),
        );
        let mut basic = Http::new(HttpAuthScheme::Basic);
        basic.description = Some(
            "xAPI clients: user = key id, password = the secret after it (an ingest or org admin key)."
                .to_owned(),
        );
        components.add_security_scheme("xapi_basic", SecurityScheme::Http(basic));
    }
}

/// The generated description.
pub fn spec() -> utoipa::openapi::OpenApi {
    let mut api = ApiDoc::openapi();
    api.info.version = env!("CARGO_PKG_VERSION").to_owned();
    api
}

/// Every described route as (lower-case method, path), sorted.
pub fn routes() -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for (path, item) in &spec().paths.paths {
        let ops = [
            ("get", &item.get),
            ("put", &item.put),
            ("post", &item.post),
            ("delete", &item.delete),
            ("patch", &item.patch),
            ("head", &item.head),
            ("options", &item.options),
            ("trace", &item.trace),
        ];
        for (method, op) in ops {
            if op.is_some() {
                out.push((method, path.clone()));
            }
        }
    }
    out.sort();
    out
}

/// `GET /openapi.json`: generated from the handlers' annotations and the
/// request and response types.
#[utoipa::path(get, path = "/openapi.json", tag = "ops", responses((status = 200, description = "This description", body = Object)))]
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(spec())
}
