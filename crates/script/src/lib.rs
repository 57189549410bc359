//! Module scripts: reads `modules/<id>/` (`module.toml`, `en.md`, `cy.md`,
//! images) into a typed, validated [`Module`], reporting every problem an
//! author can make as a [`pecyn_core::Diagnostic`] with file, line and column.
//!
//! Invariant: this crate knows nothing of HTML, templates, SCORM, XML or zips.
//! Its text model ([`Inline`]) is plain data that renderers must escape.

mod inline;
mod language;
mod load;
mod model;
pub mod mutation;
mod parse;
mod placeholders;
mod unsupported;

pub use load::{discover, load_module, MAX_SUMMARY, MAX_TITLE};
pub use model::*;
pub use placeholders::Placeholders;

use std::path::PathBuf;

/// Failures that stop reading modules at all (as opposed to author mistakes,
/// which are diagnostics).
#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    /// The modules folder could not be read.
    #[error("cannot read the modules folder {path}: {source}")]
    ModulesDir {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}
