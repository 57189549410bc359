//! Writing a package: manifest + schema files + content, as a reproducible zip.

use crate::manifest::{manifest_xml, PackageSpec};
use crate::schemas::schema_files;
use std::io::{Seek, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// One content file of a package.
#[derive(Debug, Clone)]
pub struct ContentFile {
    /// Path inside the zip (ASCII, forward slashes).
    pub path: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// Why a package could not be written.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    /// A content path is unsafe or not ASCII.
    #[error("unsafe path in package: `{0}`")]
    UnsafePath(String),
    /// A content file would overwrite the manifest or a schema file.
    #[error("`{0}` clashes with a file every package carries")]
    Reserved(String),
    /// The launch file is not among the content.
    #[error("the launch file `{0}` is not in the package")]
    NoLaunch(String),
    /// The identifier is not a valid xs:ID.
    #[error("`{0}` is not a valid xs:ID")]
    BadIdentifier(String),
    /// Writing failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The zip writer failed.
    #[error(transparent)]
    Zip(#[from] zip::result::ZipError),
}

/// A path is safe inside a zip: relative, ASCII, forward slashes, no `..`, no empty segment.
pub(crate) fn safe_path(p: &str) -> bool {
    !p.is_empty()
        && p.is_ascii()
        && !p.starts_with('/')
        && !p.contains('\\')
        && !p.contains(':')
        && !p.bytes().any(|b| b < 0x20)
        && p.split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != "..")
}

/// Writes a whole package to `out`. Entries are in a fixed order
/// (`imsmanifest.xml`, then everything else sorted by path), with a fixed
/// timestamp (1980-01-01) and permissions, so the same input always gives
/// the same bytes.
pub fn write_package<W: Write + Seek>(
    spec: &PackageSpec,
    content: &[ContentFile],
    out: W,
) -> Result<W, PackageError> {
    if !pecyn_core::is_xs_id(&spec.identifier) {
        return Err(PackageError::BadIdentifier(spec.identifier.clone()));
    }
    let schemas = schema_files(spec.scorm);
    for f in content {
        if !safe_path(&f.path) {
            return Err(PackageError::UnsafePath(f.path.clone()));
        }
        if f.path == "imsmanifest.xml" || schemas.iter().any(|s| s.name == f.path) {
            return Err(PackageError::Reserved(f.path.clone()));
        }
    }
    if !content.iter().any(|f| f.path == spec.launch) {
        return Err(PackageError::NoLaunch(spec.launch.clone()));
    }
    let listed: Vec<String> = content.iter().map(|f| f.path.clone()).collect();
    let manifest = manifest_xml(spec, &listed);

    let mut entries: Vec<(&str, &[u8])> = schemas.iter().map(|s| (s.name, s.bytes)).collect();
    entries.extend(
        content
            .iter()
            .map(|f| (f.path.as_str(), f.bytes.as_slice())),
    );
    entries.sort_by(|a, b| a.0.cmp(b.0));

    let mut zip = ZipWriter::new(out);
    let opts = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(9))
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    zip.start_file("imsmanifest.xml", opts)?;
    zip.write_all(manifest.as_bytes())?;
    for (name, bytes) in entries {
        zip.start_file(name, opts)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_paths() {
        assert!(safe_path("index.html"));
        assert!(safe_path("assets/player.js"));
        assert!(!safe_path("../x"));
        assert!(!safe_path("a/../../x"));
        assert!(!safe_path("/etc/passwd"));
        assert!(!safe_path("a\\b"));
        assert!(!safe_path("C:x"));
        assert!(!safe_path("dŵr.png"));
        assert!(!safe_path("a//b"));
    }
}
