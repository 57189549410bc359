//! Author-facing diagnostics, rendered the way rustc renders errors.

use serde::Serialize;
use std::fmt::Write as _;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Stops the module from building.
    Error,
    /// Worth fixing; the module still builds.
    Warning,
}

/// One problem in an author's file: where it is, what is wrong, how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file, as the author would type it (e.g. `modules/passwords/en.md`).
    pub path: String,
    /// 1-based line; 0 when the problem is about the whole file.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub col: usize,
    /// How many characters the caret underlines (at least 1).
    pub len: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
    /// The offending line's text, if there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_line: Option<String>,
}

impl Diagnostic {
    /// An error at a position in a file.
    pub fn error(
        path: impl Into<String>,
        line: usize,
        col: usize,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: path.into(),
            line,
            col,
            len: 1,
            message: message.into(),
            help: help.into(),
            source_line: None,
        }
    }

    /// Turns the diagnostic into a warning.
    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    /// Sets the underlined width.
    pub fn with_len(mut self, len: usize) -> Self {
        self.len = len.max(1);
        self
    }

    /// Attaches the text of the offending line.
    pub fn with_source(mut self, line_text: impl Into<String>) -> Self {
        self.source_line = Some(line_text.into());
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders like rustc:
    ///
    /// ```text
    /// error: the quiz question has no correct answer
    ///   --> modules/passwords/en.md:88:1
    ///    |
    /// 88 | ::: question single {#q-mfa}
    ///    | ^^^ mark the right option with `- [x]`
    /// ```
    pub fn render(&self) -> String {
        let mut out = String::new();
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(out, "{kind}: {}", self.message);
        let num = if self.line > 0 {
            self.line.to_string()
        } else {
            String::new()
        };
        let pad = " ".repeat(num.len().max(1));
        if self.line > 0 {
            let _ = writeln!(out, "{pad}--> {}:{}:{}", self.path, self.line, self.col);
        } else {
            let _ = writeln!(out, "{pad}--> {}", self.path);
        }
        match &self.source_line {
            Some(text) if self.line > 0 => {
                let shown = text.replace('\t', " ");
                let _ = writeln!(out, "{pad} |");
                let _ = writeln!(out, "{num} | {shown}");
                let indent = " ".repeat(self.col.saturating_sub(1));
                let carets = "^".repeat(self.len.max(1));
                let _ = writeln!(out, "{pad} | {indent}{carets} {}", self.help);
            }
            _ => {
                let _ = writeln!(out, "{pad} = help: {}", self.help);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_rustc() {
        let d = Diagnostic::error("m/en.md", 12, 5, "bad thing", "do this")
            .with_len(3)
            .with_source("abc defgh");
        assert_eq!(
            d.render(),
            "error: bad thing\n  --> m/en.md:12:5\n   |\n12 | abc defgh\n   |     ^^^ do this\n"
        );
    }

    #[test]
    fn renders_whole_file_problems_with_help() {
        let d = Diagnostic::error("m/cy.md", 0, 0, "missing", "create it");
        assert_eq!(
            d.render(),
            "error: missing\n --> m/cy.md\n  = help: create it\n"
        );
    }
}
