//! What the package catalogue is: `catalogue.json` as `pecyn build` writes
//! it, the checks on each package, and how versions compare.

use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The file `pecyn build` writes.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CatalogueFile {
    /// Which build wrote it (informational).
    #[serde(default)]
    pub generator: Option<String>,
    /// The packages.
    pub packages: Vec<Package>,
}

/// One package of the catalogue.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
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

impl CatalogueFile {
    /// Checks the whole file: at least one and at most 10,000 packages, each
    /// valid.
    pub fn validate(&self) -> Result<(), AppError> {
        if self.packages.is_empty() {
            return Err(AppError::bad(
                "empty_catalogue",
                "the catalogue lists no packages",
            ));
        }
        if self.packages.len() > 10_000 {
            return Err(AppError::bad(
                "catalogue_too_large",
                "at most 10,000 packages per import",
            ));
        }
        for p in &self.packages {
            p.validate()
                .map_err(|m| AppError::bad("invalid_package", m))?;
        }
        Ok(())
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
