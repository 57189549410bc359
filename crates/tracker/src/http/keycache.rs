//! The authenticated organisation ([`OrgAuth`]) and a short-lived cache of
//! key lookups ([`KeyCache`]), shared by the state and the extractors.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::keys::{PseudonymKey, Role};

/// The organisation a key belongs to.
#[derive(Clone, Debug)]
pub struct OrgAuth {
    /// Internal id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Learner-id pseudonymisation key.
    pub key: PseudonymKey,
}

/// A short-lived cache of key lookups, so that ingest does not read the
/// database on every request. Revocation and suspension through this
/// process's API evict at once; changes made elsewhere (another instance,
/// the `admin` command) are seen within the TTL. A TTL of zero disables it.
#[derive(Debug)]
pub struct KeyCache {
    ttl: Duration,
    map: Mutex<HashMap<String, (Instant, CachedKey)>>,
}

/// What a key lookup found: enough to check a presented secret.
#[derive(Clone, Debug)]
pub struct CachedKey {
    /// Role.
    pub role: Role,
    /// SHA-256 of the secret.
    pub secret_hash: String,
    /// Organisation (none for platform keys).
    pub org: Option<OrgAuth>,
}

impl KeyCache {
    /// A cache keeping lookups for `ttl`.
    pub fn new(ttl: Duration) -> KeyCache {
        KeyCache {
            ttl,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// A fresh cached lookup of `key_id`, if any.
    pub fn get(&self, key_id: &str) -> Option<CachedKey> {
        if self.ttl.is_zero() {
            return None;
        }
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key_id)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, k)| k.clone())
    }

    /// Remembers a lookup.
    pub fn put(&self, key_id: &str, k: CachedKey) {
        if self.ttl.is_zero() {
            return;
        }
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= 10_000 {
            let ttl = self.ttl;
            map.retain(|_, (at, _)| at.elapsed() < ttl);
            if map.len() >= 10_000 {
                map.clear();
            }
        }
        map.insert(key_id.to_owned(), (Instant::now(), k));
    }

    /// Forgets one key (after revocation).
    pub fn evict(&self, key_id: &str) {
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key_id);
    }

    /// Forgets every key (after an organisation's status changes).
    pub fn clear(&self) {
        self.map.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}
