//! The package catalogue: `catalogue.json` as `pecyn build` writes it, stored
//! by (package id, version), and an in-memory index for validating events.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::db::{now_ms, Db};
use crate::error::AppError;
use crate::on_db;

/// The file `pecyn build` writes.
#[derive(Debug, Deserialize)]
pub struct CatalogueFile {
    /// Which build wrote it (informational).
    #[serde(default)]
    pub generator: Option<String>,
    /// The packages.
    pub packages: Vec<Package>,
}

/// One package of the catalogue.
#[derive(Clone, Debug, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct Package {
    /// Package identifier (SCORM manifest identifier; xAPI activity id tail).
    pub id: String,
    /// Module slug.
    pub module: String,
    /// Module version.
    pub version: String,
    /// Title.
    pub title: String,
    /// `en` or `cy`.
    pub lang: String,
    /// `standard` or `accessible`.
    pub variant: String,
    /// `1.2` or `2004`.
    pub scorm: String,
    /// Zip file name.
    pub file: String,
    /// SHA-256 of the zip, hex.
    pub sha256: String,
    /// Size of the zip.
    pub bytes: i64,
}

fn ident_ok(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

impl Package {
    /// Validates the fields the tracker relies on.
    pub fn validate(&self) -> Result<(), String> {
        if !ident_ok(&self.id, 200) {
            return Err(format!(
                "package id {:?} is not a valid identifier",
                self.id
            ));
        }
        if !ident_ok(&self.module, 100) {
            return Err(format!(
                "{}: module {:?} is not a valid slug",
                self.id, self.module
            ));
        }
        if !ident_ok(&self.version, 50) {
            return Err(format!(
                "{}: version {:?} is not valid",
                self.id, self.version
            ));
        }
        if !matches!(self.lang.as_str(), "en" | "cy") {
            return Err(format!("{}: lang must be en or cy", self.id));
        }
        if !matches!(self.variant.as_str(), "standard" | "accessible") {
            return Err(format!(
                "{}: variant must be standard or accessible",
                self.id
            ));
        }
        if !matches!(self.scorm.as_str(), "1.2" | "2004") {
            return Err(format!("{}: scorm must be 1.2 or 2004", self.id));
        }
        if [&self.title, &self.file, &self.sha256]
            .iter()
            .any(|f| f.chars().any(char::is_control))
        {
            return Err(format!(
                "{}: title, file or sha256 holds control characters",
                self.id
            ));
        }
        if self.bytes < 0
            || self.title.len() > 500
            || self.file.len() > 500
            || self.sha256.len() > 128
        {
            return Err(format!(
                "{}: file, title, sha256 or bytes out of range",
                self.id
            ));
        }
        Ok(())
    }
}

/// Compares dotted versions numerically where possible ("1.10.0" > "1.9.2").
pub fn version_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let parse = |s: &str| -> Vec<Result<u64, String>> {
        s.split(['.', '-'])
            .map(|p| p.parse::<u64>().map_err(|_| p.to_string()))
            .collect()
    };
    let (pa, pb) = (parse(a), parse(b));
    for (x, y) in pa.iter().zip(pb.iter()) {
        let o = match (x, y) {
            (Ok(x), Ok(y)) => x.cmp(y),
            (Ok(_), Err(_)) => std::cmp::Ordering::Greater,
            (Err(_), Ok(_)) => std::cmp::Ordering::Less,
            (Err(x), Err(y)) => x.cmp(y),
        };
        if o.is_ne() {
            return o;
        }
    }
    pa.len().cmp(&pb.len())
}

/// Imports (upserts) every package of a catalogue in one transaction.
/// Returns how many packages the file held. Invalid files change nothing.
pub async fn import(db: &Db, file: &CatalogueFile) -> Result<usize, AppError> {
    if file.packages.is_empty() {
        return Err(AppError::bad(
            "empty_catalogue",
            "the catalogue lists no packages",
        ));
    }
    if file.packages.len() > 10_000 {
        return Err(AppError::bad(
            "catalogue_too_large",
            "at most 10,000 packages per import",
        ));
    }
    for p in &file.packages {
        p.validate()
            .map_err(|m| AppError::bad("invalid_package", m))?;
    }
    let now = now_ms();
    let sql = "INSERT INTO packages (id, version, module, title, lang, variant, scorm, file, sha256, bytes, imported_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
               ON CONFLICT (id, version) DO UPDATE SET module = excluded.module, title = excluded.title, \
               lang = excluded.lang, variant = excluded.variant, scorm = excluded.scorm, file = excluded.file, \
               sha256 = excluded.sha256, bytes = excluded.bytes, imported_at = excluded.imported_at";
    on_db!(db, pool => {
        let mut tx = pool.begin().await?;
        for p in &file.packages {
            sqlx::query(sql)
                .bind(&p.id).bind(&p.version).bind(&p.module).bind(&p.title)
                .bind(&p.lang).bind(&p.variant).bind(&p.scorm).bind(&p.file)
                .bind(&p.sha256).bind(p.bytes).bind(now)
                .execute(&mut *tx).await?;
        }
        tx.commit().await?;
    });
    Ok(file.packages.len())
}

/// Every package, by id and version.
pub async fn list(db: &Db) -> Result<Vec<Package>, AppError> {
    Ok(on_db!(db, p => sqlx::query_as::<_, Package>(
        "SELECT id, module, version, title, lang, variant, scorm, file, sha256, bytes \
         FROM packages ORDER BY id, version").fetch_all(p).await)?)
}

/// An in-memory index of the catalogue (id → versions), reloaded when an
/// unknown id is asked for (at most once a second), so that several
/// instances pick up an import made through any of them.
#[derive(Debug)]
pub struct CatalogueIndex {
    inner: RwLock<Index>,
}

#[derive(Debug)]
struct Index {
    by_id: HashMap<String, Vec<Package>>,
    loaded: Option<Instant>,
}

/// How often a miss may trigger a reload.
const RELOAD_EVERY: Duration = Duration::from_secs(1);

impl Default for CatalogueIndex {
    fn default() -> Self {
        Self::new()
    }
}

impl CatalogueIndex {
    /// An empty index (loaded on first use).
    pub fn new() -> CatalogueIndex {
        CatalogueIndex {
            inner: RwLock::new(Index {
                by_id: HashMap::new(),
                loaded: None,
            }),
        }
    }

    /// Reloads from the database.
    pub async fn reload(&self, db: &Db) -> Result<(), AppError> {
        let all = list(db).await?;
        let mut by_id: HashMap<String, Vec<Package>> = HashMap::new();
        for p in all {
            by_id.entry(p.id.clone()).or_default().push(p);
        }
        for v in by_id.values_mut() {
            v.sort_by(|a, b| version_cmp(&b.version, &a.version));
        }
        let mut g = self.inner.write().unwrap_or_else(|e| e.into_inner());
        g.by_id = by_id;
        g.loaded = Some(Instant::now());
        Ok(())
    }

    fn lookup(&self, id: &str, version: Option<&str>) -> Option<Package> {
        let g = self.inner.read().unwrap_or_else(|e| e.into_inner());
        let versions = g.by_id.get(id)?;
        match version {
            Some(v) => versions.iter().find(|p| p.version == v).cloned(),
            None => versions.first().cloned(),
        }
    }

    fn stale(&self) -> bool {
        let g = self.inner.read().unwrap_or_else(|e| e.into_inner());
        g.loaded.is_none_or(|t| t.elapsed() >= RELOAD_EVERY)
    }

    /// Finds a package by id and, optionally, version (default: the highest
    /// version imported).
    pub async fn resolve(
        &self,
        db: &Db,
        id: &str,
        version: Option<&str>,
    ) -> Result<Option<Package>, AppError> {
        if let Some(p) = self.lookup(id, version) {
            return Ok(Some(p));
        }
        if self.stale() {
            self.reload(db).await?;
            return Ok(self.lookup(id, version));
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering::*;

    #[test]
    fn versions_compare_numerically() {
        assert_eq!(version_cmp("1.10.0", "1.9.2"), Greater);
        assert_eq!(version_cmp("1.0.0", "1.0.0"), Equal);
        assert_eq!(version_cmp("1.0", "1.0.1"), Less);
        assert_eq!(version_cmp("2.0.0-beta", "2.0.0"), Greater);
    }

    #[test]
    fn package_validation() {
        let mut p = Package {
            id: "pecyn_passwords_en_standard_scorm12".into(),
            module: "passwords".into(),
            version: "1.0.0".into(),
            title: "Passwords".into(),
            lang: "en".into(),
            variant: "standard".into(),
            scorm: "1.2".into(),
            file: "x.zip".into(),
            sha256: "ab".into(),
            bytes: 1,
        };
        assert!(p.validate().is_ok());
        p.lang = "fr".into();
        assert!(p.validate().is_err());
        p.lang = "cy".into();
        p.id = "bad id".into();
        assert!(p.validate().is_err());
    }
}
