//! Interface strings: one TOML file per language under `templates/strings/`.

use crate::RenderError;
use pecyn_core::Locale;
use std::collections::BTreeMap;
use std::path::Path;

/// Every interface string of one language (buttons, feedback, progress,
/// errors, the accessibility statement), by key.
#[derive(Debug, Clone)]
pub struct Strings {
    map: BTreeMap<String, String>,
}

impl Strings {
    /// Reads a flat `key = "text"` TOML file.
    pub fn load(path: &Path) -> Result<Strings, RenderError> {
        let src = std::fs::read_to_string(path).map_err(|e| RenderError::Strings {
            path: path.to_path_buf(),
            message: format!("cannot read: {e}"),
        })?;
        Strings::parse(&src, path)
    }

    /// Parses a flat `key = "text"` TOML text; `path` names it in errors.
    pub fn parse(src: &str, path: &Path) -> Result<Strings, RenderError> {
        let err = |message: String| RenderError::Strings {
            path: path.to_path_buf(),
            message,
        };
        let table: toml::Table = toml::from_str(src).map_err(|e| err(e.to_string()))?;
        let mut map = BTreeMap::new();
        for (k, v) in table {
            match v {
                toml::Value::String(s) => {
                    map.insert(k, s);
                }
                _ => return Err(err(format!("`{k}` must be a string"))),
            }
        }
        Ok(Strings { map })
    }

    /// The string for a key.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.map.get(key).map(String::as_str)
    }

    /// All strings.
    pub fn map(&self) -> &BTreeMap<String, String> {
        &self.map
    }
}

/// Every language must define the same keys, so no package falls back to another language.
pub(crate) fn check_same_keys(
    all: &BTreeMap<Locale, Strings>,
    dir: &Path,
) -> Result<(), RenderError> {
    let en = &all[&Locale::En];
    for (locale, s) in all {
        for k in en.map.keys() {
            if !s.map.contains_key(k) {
                return Err(RenderError::Strings {
                    path: dir.join("strings").join(format!("{}.toml", locale.code())),
                    message: format!(
                        "`{k}` is missing (it is in en.toml); every language needs every string"
                    ),
                });
            }
        }
        for k in s.map.keys() {
            if !en.map.contains_key(k) {
                return Err(RenderError::Strings {
                    path: dir.join("strings").join("en.toml"),
                    message: format!("`{k}` is in {}.toml but missing here", locale.code()),
                });
            }
        }
    }
    Ok(())
}
