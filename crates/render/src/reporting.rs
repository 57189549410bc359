//! Completion reporting: the tracker address and ingest key a build embeds
//! (`pecyn build --tracker-url … --tracker-key …`), checked before any
//! package is made. With reporting on, each package carries
//! `assets/report.js` (from `templates/reporting/`), the config the runtime
//! needs, and a privacy section on its accessibility page; without it, none
//! of these.

use serde::Serialize;

/// The path of the tracker's ingest endpoint, below the tracker's base URL.
pub const EVENTS_PATH: &str = "/api/v1/events";
/// Where the reporting script sits in the templates folder.
pub const REPORT_SCRIPT_TEMPLATE: &str = "reporting/report.js";
/// Where it goes in a package.
pub const REPORT_SCRIPT: &str = "assets/report.js";

/// Why a tracker URL or key was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReportingError {
    /// Not a URL at all.
    #[error("--tracker-url {url:?} is not a URL ({reason}); give the tracker's address, e.g. https://tracker.example.org")]
    BadUrl {
        /// What was given.
        url: String,
        /// The parser's reason.
        reason: String,
    },
    /// A scheme other than http or https.
    #[error("--tracker-url must start with https:// (or http:// for a tracker on this machine), not {scheme}://")]
    Scheme {
        /// The scheme given.
        scheme: String,
    },
    /// User name, password, query or fragment in the URL.
    #[error("--tracker-url must not contain {what}: the key goes in --tracker-key, and packages add the path themselves")]
    Extra {
        /// What was found.
        what: &'static str,
    },
    /// Not the shape of a tracker key.
    #[error("--tracker-key is not a tracker key: keys look like pct_<16 hex>_<64 hex>; issue an ingest key with `pecyn tracker admin issue-key --org CODE --role ingest`")]
    BadKey,
}

/// A checked tracker address and ingest key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reporting {
    endpoint: String,
    key: String,
    host: String,
    loopback: bool,
    https: bool,
}

impl Reporting {
    /// Checks `url` (the tracker's base URL, or its events endpoint) and
    /// `key` (an ingest token, `pct_<16 hex>_<64 hex>`).
    ///
    /// A token's role cannot be seen in it: only an ingest key belongs in a
    /// package (docs/tracker.md says what an ingest key can and cannot do).
    pub fn new(url: &str, key: &str) -> Result<Reporting, ReportingError> {
        let parsed = url::Url::parse(url.trim()).map_err(|e| ReportingError::BadUrl {
            url: url.to_string(),
            reason: e.to_string(),
        })?;
        let https = match parsed.scheme() {
            "https" => true,
            "http" => false,
            other => {
                return Err(ReportingError::Scheme {
                    scheme: other.to_string(),
                })
            }
        };
        let host = match parsed.host() {
            Some(h) => h,
            None => {
                return Err(ReportingError::BadUrl {
                    url: url.to_string(),
                    reason: "no host".into(),
                })
            }
        };
        let loopback = match host {
            url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
            url::Host::Ipv4(ip) => ip.is_loopback(),
            url::Host::Ipv6(ip) => ip.is_loopback(),
        };
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(ReportingError::Extra {
                what: "a user name or password",
            });
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(ReportingError::Extra {
                what: "a query (?…) or fragment (#…)",
            });
        }
        if !is_token(key.trim()) {
            return Err(ReportingError::BadKey);
        }
        let base = parsed.as_str().trim_end_matches('/');
        let endpoint = if base.ends_with(EVENTS_PATH) {
            base.to_string()
        } else {
            format!("{base}{EVENTS_PATH}")
        };
        let host = match parsed.port() {
            Some(p) => format!("{}:{p}", parsed.host_str().unwrap_or_default()),
            None => parsed.host_str().unwrap_or_default().to_string(),
        };
        Ok(Reporting {
            endpoint,
            key: key.trim().to_string(),
            host,
            loopback,
            https,
        })
    }

    /// The events endpoint packages post to.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The ingest key.
    pub(crate) fn key(&self) -> &str {
        &self.key
    }

    /// The tracker's host (and port), as the privacy text names it.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// True for plain http to another machine: the key and learner ids
    /// would cross the network unencrypted (the CLI warns).
    pub fn insecure(&self) -> bool {
        !self.https && !self.loopback
    }
}

/// `pct_` + 16 hex (key id) + `_` + 64 hex (secret), as the tracker issues them.
fn is_token(s: &str) -> bool {
    let hex = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit());
    let mut parts = s.split('_');
    matches!(
        (parts.next(), parts.next(), parts.next(), parts.next()),
        (Some("pct"), Some(id), Some(secret), None) if hex(id, 16) && hex(secret, 64)
    )
}

/// What the runtime reads from `#pecyn-config` as `report`.
#[derive(Debug, Serialize)]
pub(crate) struct ReportConfig<'a> {
    pub url: &'a str,
    pub key: &'a str,
    pub package: String,
    pub version: &'a str,
}

/// What the templates see as `reporting` (the privacy section).
#[derive(Debug, Serialize)]
pub(crate) struct ReportingCtx {
    pub host: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "pct_0123456789abcdef_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn accepts_a_base_url_or_the_endpoint() {
        for url in [
            "https://tracker.example.org",
            "https://tracker.example.org/",
            "https://tracker.example.org/api/v1/events",
        ] {
            let r = Reporting::new(url, KEY).expect(url);
            assert_eq!(r.endpoint(), "https://tracker.example.org/api/v1/events");
            assert_eq!(r.host(), "tracker.example.org");
            assert!(!r.insecure());
        }
        let r = Reporting::new("https://example.org/pecyn/", KEY).expect("prefix");
        assert_eq!(r.endpoint(), "https://example.org/pecyn/api/v1/events");
        let r = Reporting::new("http://127.0.0.1:8080", KEY).expect("loopback");
        assert_eq!(r.endpoint(), "http://127.0.0.1:8080/api/v1/events");
        assert_eq!(r.host(), "127.0.0.1:8080");
        assert!(!r.insecure());
        assert!(!Reporting::new("http://localhost:1", KEY)
            .expect("localhost")
            .insecure());
        assert!(!Reporting::new("http://[::1]:1", KEY)
            .expect("::1")
            .insecure());
        assert!(Reporting::new("http://tracker.example.org", KEY)
            .expect("http")
            .insecure());
    }

    #[test]
    fn refuses_bad_urls_and_keys() {
        let err = |u: &str, k: &str| Reporting::new(u, k).expect_err(u).to_string();
        assert!(err("tracker.example.org", KEY).contains("not a URL"));
        assert!(err("ftp://x.org", KEY).contains("not ftp://"));
        assert!(err("javascript:alert(1)", KEY).contains("not javascript://"));
        assert!(err("https://u:p@x.org", KEY).contains("user name"));
        assert!(err("https://x.org/?key=1", KEY).contains("query"));
        assert!(err("https://x.org/#a", KEY).contains("fragment"));
        for bad in [
            "",
            "secret",
            &KEY[..KEY.len() - 1],
            &format!("{KEY}0"),
            &KEY.replace("pct_", "pcx_"),
            &KEY.replacen('a', "g", 1),
            &format!("{KEY}_00"),
        ] {
            assert_eq!(
                Reporting::new("https://x.org", bad),
                Err(ReportingError::BadKey),
                "{bad}"
            );
        }
    }
}
