//! The `packages` table (the catalogue, by package id and version) and an
//! in-memory index of it for validating events.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use crate::domain::catalogue::{version_cmp, CatalogueFile, Package};
use crate::error::AppError;
use crate::on_db;
use crate::store::{now_ms, Db};

/// A `packages` row as read.
#[derive(sqlx::FromRow)]
struct PackageRow {
    id: String,
    module: String,
    version: String,
    title: String,
    lang: String,
    variant: String,
    scorm: String,
    file: String,
    sha256: String,
    bytes: i64,
}

impl From<PackageRow> for Package {
    fn from(r: PackageRow) -> Package {
        Package {
            id: r.id,
            module: r.module,
            version: r.version,
            title: r.title,
            lang: r.lang,
            variant: r.variant,
            scorm: r.scorm,
            file: r.file,
            sha256: r.sha256,
            bytes: r.bytes,
        }
    }
}

/// Imports (upserts) every package of a catalogue in one transaction.
/// Returns how many packages the file held. Invalid files change nothing.
pub async fn import(db: &Db, file: &CatalogueFile) -> Result<usize, AppError> {
    file.validate()?;
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
    let rows = on_db!(db, p => sqlx::query_as::<_, PackageRow>(
        "SELECT id, module, version, title, lang, variant, scorm, file, sha256, bytes \
         FROM packages ORDER BY id, version").fetch_all(p).await)?;
    Ok(rows.into_iter().map(Package::from).collect())
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
