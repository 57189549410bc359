//! `pecyn build --publish URL`: posts the `catalogue.json` a build wrote to
//! the tracker's catalogue endpoint, so reports know every package's title
//! and version without a manual import.

use std::path::Path;
use std::time::Duration;

/// The catalogue endpoint below a tracker's base URL.
const CATALOGUE_PATH: &str = "/api/v1/catalogue";
/// The environment variable holding the platform token (never a flag, so it
/// stays out of process listings and shell history).
pub const TOKEN_ENV: &str = "PECYN_PUBLISH_TOKEN";
/// Longest answer read from the tracker.
const MAX_ANSWER: u64 = 64 * 1024;

/// Where to publish, checked before anything is built.
#[derive(Debug, Clone)]
pub struct Target {
    endpoint: String,
    token: String,
}

impl Target {
    /// Checks the URL (http or https, no credentials, query or fragment) and
    /// reads the token from [`TOKEN_ENV`].
    pub fn new(url: &str) -> Result<Target, String> {
        let token = std::env::var(TOKEN_ENV).unwrap_or_default();
        if token.trim().is_empty() {
            return Err(format!(
                "--publish needs a platform token in {TOKEN_ENV} (the tracker's PECYN_TRACKER_ADMIN_TOKEN, \
                 or one from `pecyn tracker admin issue-admin-token`)"
            ));
        }
        let base = url.trim().trim_end_matches('/');
        let rest = base
            .strip_prefix("https://")
            .or_else(|| base.strip_prefix("http://"))
            .ok_or_else(|| format!("--publish {url:?} must start with https:// or http://"))?;
        if rest.is_empty() || rest.contains(['?', '#', '@', ' ']) {
            return Err(format!(
                "--publish {url:?} must be the tracker's address, without a user name, query or fragment"
            ));
        }
        let endpoint = if base.ends_with(CATALOGUE_PATH) {
            base.to_string()
        } else {
            format!("{base}{CATALOGUE_PATH}")
        };
        Ok(Target {
            endpoint,
            token: token.trim().to_string(),
        })
    }

    /// The endpoint posted to.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Posts `catalogue` and returns how many packages the tracker imported.
    pub fn publish(&self, catalogue: &Path) -> Result<u64, String> {
        let body = std::fs::read(catalogue)
            .map_err(|e| format!("cannot read {}: {e}", catalogue.display()))?;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(60)))
            .http_status_as_error(false)
            .build()
            .into();
        let mut resp = agent
            .post(&self.endpoint)
            .header("Authorization", &format!("Bearer {}", self.token))
            .header("Content-Type", "application/json")
            .send(&body[..])
            .map_err(|e| format!("cannot reach the tracker at {}: {e}", self.endpoint))?;
        let status = resp.status().as_u16();
        let text = resp
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER)
            .read_to_string()
            .map_err(|e| format!("the tracker's answer could not be read: {e}"))?;
        let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        if status == 200 {
            return json["imported"].as_u64().ok_or_else(|| {
                format!(
                    "the tracker at {} answered 200 without an import count",
                    self.endpoint
                )
            });
        }
        let why = json["error"]["message"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| text.chars().take(200).collect());
        let hint = match status {
            401 => " (check the token)",
            403 => " (a platform token is needed, not an organisation's key)",
            404 => " (is this the tracker's address?)",
            _ => "",
        };
        Err(format!(
            "the tracker at {} refused the catalogue: {status} {why}{hint}",
            self.endpoint
        ))
    }
}
