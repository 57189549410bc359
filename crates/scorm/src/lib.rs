//! SCORM packaging: the `imsmanifest.xml` model and writer (quick-xml), a
//! deterministic zip of an in-memory file set with the official schema files,
//! and [`check`]ing any SCORM zip, ours or a third party's.
//!
//! Invariant: this crate knows nothing of module scripts, templates, or
//! English and Welsh. It knows packages, items, resources and files; a
//! language is only a metadata tag it is given.

mod check;
mod manifest;
mod package;
mod report;
mod rules;
mod schemas;
mod validate;
mod xml;
mod zipdir;

pub use check::{check_zip, CheckError, CheckOptions};
pub use manifest::{manifest_xml, mastery_measure, PackageSpec, MAX_DESCRIPTION, MAX_TITLE};
pub use package::{write_package, ContentFile, PackageError};
pub use report::{CheckReport, Finding, Level};
pub use schemas::{schema_files, SchemaFile};
pub use validate::XsdOutcome;
