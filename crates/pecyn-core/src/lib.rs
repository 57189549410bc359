//! The shared vocabulary of Pecyn: locales, package variants, SCORM versions,
//! identifier rules and author-facing diagnostics.
//!
//! Invariant: this crate does no I/O and knows nothing of the file system,
//! templates, SCORM manifests, HTTP or databases. Every other crate may depend
//! on it; it depends on nothing of ours.

mod diagnostic;
mod ids;

pub use diagnostic::{Diagnostic, Severity};
pub use ids::{ascii_file_name, is_slug, is_xs_id};

use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// A language a module is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    /// English.
    En,
    /// Welsh (Cymraeg).
    Cy,
}

impl Locale {
    /// Every locale, in build order.
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Cy];

    /// The short code used in file names and CLI flags: `en`, `cy`.
    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Cy => "cy",
        }
    }

    /// The BCP 47 tag used in HTML `lang` and metadata `xml:lang`: `en-GB`, `cy-GB`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en-GB",
            Locale::Cy => "cy-GB",
        }
    }

    /// The language's own name for itself.
    pub fn endonym(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::Cy => "Cymraeg",
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Locale {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "en" => Ok(Locale::En),
            "cy" => Ok(Locale::Cy),
            other => Err(format!("unknown language `{other}`: use `en` or `cy`")),
        }
    }
}

/// How a package presents the same learning content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Variant {
    /// The designed experience: illustrations and gentle motion.
    Standard,
    /// Text-first: single column, larger type, high contrast, no motion.
    Accessible,
}

impl Variant {
    /// Every variant, in build order.
    pub const ALL: [Variant; 2] = [Variant::Standard, Variant::Accessible];

    /// The name used in file names and CLI flags.
    pub fn code(self) -> &'static str {
        match self {
            Variant::Standard => "standard",
            Variant::Accessible => "accessible",
        }
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Variant {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "standard" => Ok(Variant::Standard),
            "accessible" => Ok(Variant::Accessible),
            other => Err(format!(
                "unknown variant `{other}`: use `standard` or `accessible`"
            )),
        }
    }
}

/// The SCORM edition a package targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScormVersion {
    /// SCORM 1.2.
    Scorm12,
    /// SCORM 2004 4th Edition.
    Scorm2004,
}

impl ScormVersion {
    /// Every version, in build order.
    pub const ALL: [ScormVersion; 2] = [ScormVersion::Scorm12, ScormVersion::Scorm2004];

    /// The label used in CLI flags and the catalogue: `1.2`, `2004`.
    pub fn label(self) -> &'static str {
        match self {
            ScormVersion::Scorm12 => "1.2",
            ScormVersion::Scorm2004 => "2004",
        }
    }

    /// The suffix used in file names and identifiers: `scorm12`, `scorm2004`.
    pub fn suffix(self) -> &'static str {
        match self {
            ScormVersion::Scorm12 => "scorm12",
            ScormVersion::Scorm2004 => "scorm2004",
        }
    }
}

impl fmt::Display for ScormVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl Serialize for ScormVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.label())
    }
}

impl FromStr for ScormVersion {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "1.2" | "12" | "scorm12" => Ok(ScormVersion::Scorm12),
            "2004" | "scorm2004" => Ok(ScormVersion::Scorm2004),
            other => Err(format!(
                "unknown SCORM version `{other}`: use `1.2` or `2004`"
            )),
        }
    }
}

/// The identity of one package in the build matrix.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PackageKey {
    /// The module id (its folder name).
    pub module: String,
    /// The language.
    pub locale: Locale,
    /// The variant.
    pub variant: Variant,
    /// The SCORM version.
    pub scorm: ScormVersion,
}

impl PackageKey {
    /// The zip's file name: `<module>-<lang>-<variant>-scorm12.zip`.
    pub fn file_name(&self) -> String {
        format!("{}.zip", self.stem())
    }

    /// The file name without `.zip`.
    pub fn stem(&self) -> String {
        format!(
            "{}-{}-{}-{}",
            ascii_file_name(&self.module),
            self.locale.code(),
            self.variant.code(),
            self.scorm.suffix()
        )
    }

    /// The stable package identifier (a valid `xs:ID`), used as the manifest
    /// identifier and as the package id in the catalogue and the tracker.
    ///
    /// It does not contain the module version on purpose: an LMS treats a
    /// re-upload with a new identifier as a new course and orphans learners'
    /// progress, so the version goes in the manifest's `version` attribute.
    pub fn identifier(&self) -> String {
        format!(
            "pecyn_{}_{}_{}_{}",
            ascii_file_name(&self.module).replace('-', "_"),
            self.locale.code(),
            self.variant.code(),
            self.scorm.suffix()
        )
    }
}
