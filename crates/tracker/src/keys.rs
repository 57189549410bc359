//! Secrets: API tokens (random, shown once, stored as SHA-256) and the keyed
//! hash that pseudonymises learner ids.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// What a key may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Creates organisations, issues keys, imports the catalogue.
    Platform,
    /// Adds events for one organisation; reads nothing.
    Ingest,
    /// One organisation's learner-level data, imports and erasure.
    OrgAdmin,
    /// One organisation's aggregate reports.
    Reader,
}

impl Role {
    /// The name stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Platform => "platform",
            Role::Ingest => "ingest",
            Role::OrgAdmin => "org_admin",
            Role::Reader => "reader",
        }
    }

    /// Parses a stored or requested role name (`org-admin` is accepted too).
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "platform" => Some(Role::Platform),
            "ingest" => Some(Role::Ingest),
            "org_admin" | "org-admin" => Some(Role::OrgAdmin),
            "reader" => Some(Role::Reader),
            _ => None,
        }
    }
}

const TOKEN_PREFIX: &str = "pct_";

/// A freshly generated token: the public key id and the full secret string.
pub struct NewToken {
    /// Public identifier (16 hex digits), safe to log and list.
    pub key_id: String,
    /// The secret half (256 bits, 64 hex digits).
    pub secret: String,
    /// SHA-256 of the secret, hex: the only form stored.
    pub secret_hash: String,
}

impl NewToken {
    /// Generates a token from the operating system's random source.
    pub fn generate() -> NewToken {
        let mut id = [0u8; 8];
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut id);
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let secret = hex::encode(secret);
        NewToken {
            key_id: hex::encode(id),
            secret_hash: hash_secret(&secret),
            secret,
        }
    }

    /// The bearer token shown to the user once: `pct_<key id>_<secret>`.
    pub fn token(&self) -> String {
        format!("{TOKEN_PREFIX}{}_{}", self.key_id, self.secret)
    }
}

/// Splits a bearer token into (key id, secret), if it has the right shape.
pub fn parse_token(token: &str) -> Option<(&str, &str)> {
    let rest = token.strip_prefix(TOKEN_PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    if id.len() == 16 && secret.len() == 64 && is_hex(id) && is_hex(secret) {
        Some((id, secret))
    } else {
        None
    }
}

fn is_hex(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// SHA-256 of a secret, hex.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Constant-time check of `secret` against a stored hash.
pub fn verify_secret(secret: &str, stored_hash: &str) -> bool {
    let computed = hash_secret(secret);
    computed.as_bytes().ct_eq(stored_hash.as_bytes()).into()
}

/// A new per-organisation pseudonymisation secret (256 bits, hex).
pub fn new_pseudonym_secret() -> String {
    let mut s = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut s);
    hex::encode(s)
}

/// The per-organisation HMAC key for learner ids. Its `Debug` hides the key.
#[derive(Clone)]
pub struct PseudonymKey(Vec<u8>);

impl std::fmt::Debug for PseudonymKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PseudonymKey(..)")
    }
}

impl PseudonymKey {
    /// From the stored hex secret.
    pub fn from_hex(secret: &str) -> PseudonymKey {
        PseudonymKey(hex::decode(secret).unwrap_or_else(|_| secret.as_bytes().to_vec()))
    }

    /// HMAC-SHA256 of the learner id under this key, hex. The raw id is
    /// never stored: only this value.
    pub fn pseudonymise(&self, learner: &str) -> String {
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(learner.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_round_trip_and_verify() {
        let t = NewToken::generate();
        let token = t.token();
        let (id, secret) = parse_token(&token).expect("parses");
        assert_eq!(id, t.key_id);
        assert!(verify_secret(secret, &t.secret_hash));
        assert!(!verify_secret(&"0".repeat(64), &t.secret_hash));
        assert_ne!(NewToken::generate().secret, t.secret);
    }

    #[test]
    fn malformed_tokens_do_not_parse() {
        for bad in [
            "",
            "pct_",
            "pct_abc_def",
            "xyz_0123456789abcdef_00",
            "pct_0123456789abcdeg_",
        ] {
            assert!(parse_token(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn pseudonyms_are_keyed_and_stable() {
        let a = PseudonymKey::from_hex(&new_pseudonym_secret());
        let b = PseudonymKey::from_hex(&new_pseudonym_secret());
        assert_eq!(a.pseudonymise("u1"), a.pseudonymise("u1"));
        assert_ne!(a.pseudonymise("u1"), a.pseudonymise("u2"));
        assert_ne!(a.pseudonymise("u1"), b.pseudonymise("u1"));
        assert!(!a.pseudonymise("learner-42").contains("learner"));
        assert_eq!(format!("{a:?}"), "PseudonymKey(..)");
    }

    #[test]
    fn roles_round_trip() {
        for r in [Role::Platform, Role::Ingest, Role::OrgAdmin, Role::Reader] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("org-admin"), Some(Role::OrgAdmin));
        assert_eq!(Role::parse("root"), None);
    }
}
