//! Where the templates come from: the defaults embedded in the binary at build
//! time, overridden file by file by a `templates/` folder when one is given.

use crate::RenderError;
use std::collections::BTreeMap;
use std::path::Path;

include!(concat!(env!("OUT_DIR"), "/embedded_templates.rs"));

/// Every template file by its path under `templates/` (`index.html`,
/// `strings/cy.toml`, `assets/player.css`…).
pub(crate) type Files = BTreeMap<String, Vec<u8>>;

/// The embedded defaults.
pub(crate) fn embedded() -> Files {
    EMBEDDED
        .iter()
        .map(|(p, b)| ((*p).to_string(), b.to_vec()))
        .collect()
}

/// The embedded defaults with every file of `dir` laid over them. `dir` must
/// exist (a folder asked for by name and missing is an error, not a silent
/// fallback).
pub(crate) fn layered(dir: &Path) -> Result<Files, RenderError> {
    if !dir.is_dir() {
        return Err(RenderError::TemplatesDir {
            path: dir.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such folder"),
        });
    }
    let mut files = embedded();
    read(dir, "", &mut files)?;
    Ok(files)
}

fn read(dir: &Path, prefix: &str, out: &mut Files) -> Result<(), RenderError> {
    let err = |source| RenderError::TemplatesDir {
        path: dir.to_path_buf(),
        source,
    };
    for e in std::fs::read_dir(dir).map_err(err)? {
        let e = e.map_err(err)?;
        let p = e.path();
        let name = pecyn_core::ascii_file_name(&e.file_name().to_string_lossy());
        if name.starts_with('.') {
            continue;
        }
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        if p.is_dir() {
            read(&p, &rel, out)?;
        } else {
            let bytes = std::fs::read(&p).map_err(|source| RenderError::Asset {
                path: p.clone(),
                source,
            })?;
            out.insert(rel, bytes);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_embedded() {
        let f = embedded();
        for p in [
            "index.html",
            "strings/en.toml",
            "strings/cy.toml",
            "assets/player.js",
            "assets/scorm.js",
        ] {
            assert!(f.contains_key(p), "{p} is not embedded");
        }
    }

    #[test]
    fn a_folder_overrides_file_by_file() {
        let tmp = std::env::temp_dir().join(format!("pecyn-source-{}", std::process::id()));
        std::fs::create_dir_all(tmp.join("assets")).unwrap();
        std::fs::write(tmp.join("assets").join("player.css"), "/* ours */").unwrap();
        let f = layered(&tmp).unwrap();
        assert_eq!(f["assets/player.css"], b"/* ours */");
        assert!(f.contains_key("index.html"), "the rest stays the default");
        std::fs::remove_dir_all(&tmp).unwrap();
        assert!(layered(&tmp).is_err(), "a missing folder is an error");
    }
}
