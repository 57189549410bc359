//! The Welsh-mutation step of placeholder substitution: `{{name|soft}}`
//! markers, the warning for an unmarked placeholder after a word that
//! mutates it, and linking words (`â` → `ag` before a vowel). The grammar
//! itself lives in [`crate::mutation`].

use super::Parser;
use crate::mutation::{linking_form, mutate, trigger, Mutation};
use pecyn_core::{Diagnostic, Locale};

/// The markers authors may write after `|`, as listed in help texts.
const MARKERS: &str = "`|soft`, `|nasal`, `|aspirate`, or `|none` where the word does not mutate";

/// Splits the inside of `{{…}}` into the name and the marker after `|`.
pub(super) fn split_marker(inner: &str) -> (&str, Option<&str>) {
    match inner.split_once('|') {
        Some((name, marker)) => (name.trim(), Some(marker.trim())),
        None => (inner.trim(), None),
    }
}

/// Where a placeholder is, for diagnostics.
pub(super) struct At<'s> {
    pub line: usize,
    pub col: usize,
    /// The placeholder as written, e.g. `{{dpo|soft}}`.
    pub whole: &'s str,
}

/// The last word of `text` if it is followed by white space, with its byte
/// offset. A word glued to an apostrophe (`i'r`) or markup does not count.
fn last_word(text: &str) -> Option<(usize, &str)> {
    let trimmed = text.trim_end();
    if trimmed.len() == text.len() {
        return None;
    }
    let start = trimmed
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphabetic())
        .last()
        .map(|(i, _)| i)?;
    let before = trimmed[..start].chars().next_back();
    if before.is_some_and(|c| !c.is_whitespace() && c != '(' && c != '"' && c != '“') {
        return None;
    }
    Some((start, &trimmed[start..]))
}

impl Parser<'_> {
    /// The text a known placeholder becomes. `out` is the substituted text
    /// so far; its last word may be rewritten to agree with the value
    /// (`â` → `ag`, `yn` → `yng`).
    pub(super) fn marked_value(
        &mut self,
        value: &str,
        name: &str,
        marker: Option<&str>,
        out: &mut String,
        at: At<'_>,
    ) -> String {
        let len = at.whole.chars().count();
        let mutation = match (marker, self.locale) {
            (None, Locale::Cy) => {
                if let Some(m) = last_word(out).and_then(|(_, w)| trigger(w).map(|m| (w, m))) {
                    let (word, m) = m;
                    let msg = format!(
                        "`{}` follows `{word}`, which usually causes {} mutation, but has no mutation marker",
                        at.whole,
                        m.marker()
                    );
                    let help = format!(
                        "write `{{{{{name}|{}}}}}` so an organisation's own wording mutates correctly \
                         (or {MARKERS})",
                        m.marker()
                    );
                    self.warn(at.line, at.col, len, msg, help);
                }
                None
            }
            (None, Locale::En) => None,
            (Some(m), Locale::En) => {
                self.err(
                    at.line,
                    at.col,
                    len,
                    format!("mutation marker `|{m}` in an English script"),
                    format!("mutation is Welsh grammar: write `{{{{{name}}}}}` here, and mark it only in cy.md"),
                );
                None
            }
            (Some(m), Locale::Cy) => match m {
                "soft" => Some(Mutation::Soft),
                "nasal" => Some(Mutation::Nasal),
                "aspirate" => Some(Mutation::Aspirate),
                "none" => None,
                other => {
                    self.err(
                        at.line,
                        at.col,
                        len,
                        format!("unknown mutation marker `|{other}`"),
                        format!("use {MARKERS}, e.g. `{{{{{name}|soft}}}}`"),
                    );
                    None
                }
            },
        };
        let value = match mutation {
            Some(m) => mutate(value, m),
            None => value.to_string(),
        };
        if self.locale == Locale::Cy {
            if let Some((start, word)) = last_word(out) {
                let is_yn = matches!(word.to_lowercase().as_str(), "yn" | "yng" | "ym");
                if !is_yn || mutation == Some(Mutation::Nasal) {
                    if let Some(form) = linking_form(word, &value) {
                        let end = start + word.len();
                        out.replace_range(start..end, &form);
                    }
                }
            }
        }
        value
    }

    fn warn(&mut self, line: usize, col: usize, len: usize, msg: String, help: String) {
        let src = self
            .lines
            .get(line.wrapping_sub(1))
            .map(|l| l.text.to_string())
            .unwrap_or_default();
        let d = Diagnostic::error(self.path, line, col, msg, help)
            .with_len(len)
            .with_source(src)
            .warning();
        self.diags.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_words() {
        assert_eq!(last_word("cysylltwch â "), Some((11, "â")));
        assert_eq!(last_word("at "), Some((0, "at")));
        assert_eq!(last_word("(gan "), Some((1, "gan")));
        assert_eq!(last_word("anfonwch i'r "), None);
        assert_eq!(last_word("**at** "), None);
        assert_eq!(last_word("at"), None);
        assert_eq!(last_word(" "), None);
        assert_eq!(last_word(""), None);
    }

    #[test]
    fn markers_split() {
        assert_eq!(split_marker("dpo"), ("dpo", None));
        assert_eq!(split_marker(" dpo | soft "), ("dpo", Some("soft")));
        assert_eq!(split_marker("dpo|"), ("dpo", Some("")));
    }
}
