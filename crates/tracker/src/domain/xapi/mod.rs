//! What an xAPI statement is, for the part of the xAPI 1.0.3 Statement
//! Resource that completion needs: validation ([`validate`]),
//! pseudonymisation ([`pseudonym`]) and the mapping to completion events
//! ([`map`]). The HTTP side is `crate::http::xapi`.
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

pub mod map;
pub mod pseudonym;
pub mod validate;
mod values;

#[cfg(test)]
mod tests;

pub use map::{activity_package, to_event};
pub use pseudonym::{comparable, learner_of, pseudonymise};
pub use validate::check_statement;
pub use values::{check_timestamp, is_iri, is_uuid, parse_duration};

/// The version this LRS speaks.
pub const XAPI_VERSION: &str = "1.0.3";
/// The header.
pub const VERSION_HEADER: &str = "x-experience-api-version";
/// `account.homePage` of pseudonymised agents.
pub const PSEUDONYM_HOME: &str = "https://pecyn.example/pseudonym";
/// Most statements in one POST.
pub const MAX_STATEMENTS: usize = 1_000;

pub(crate) const ADL: &str = "http://adlnet.gov/expapi/verbs/";
pub(crate) const XAPI_NS: uuid::Uuid =
    uuid::Uuid::from_u128(0x3b5d_8f0e_6a2c_4d71_8e9f_1a2b_3c4d_5e6f);

/// Checks a (valid) statement's `timestamp` against the ingest time rule
/// ([`crate::domain::event::check_time`]).
pub fn check_time_rule(st: &serde_json::Value, now: i64) -> Result<(), String> {
    use crate::domain::event::{check_time, TimeError};
    let Some(t) = st.get("timestamp") else {
        return Ok(());
    };
    let ms = check_timestamp(t, "timestamp")?;
    match check_time(ms, now) {
        Ok(()) => Ok(()),
        Err(TimeError::Future) => Err("timestamp is in the future".into()),
        Err(TimeError::TooEarly) => Err("timestamp is before 2000-01-01".into()),
    }
}

/// Whether an `X-Experience-API-Version` value is 1.0 or 1.0.x.
pub fn is_version_1_0(v: &str) -> bool {
    match v.strip_prefix("1.0") {
        Some("") => true,
        Some(rest) => rest
            .strip_prefix('.')
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())),
        None => false,
    }
}
