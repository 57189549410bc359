//! The size of the bookmark the runtime stores in `suspend_data`.
//!
//! The runtime (`templates/assets/scorm.js`, `PecynState.encode`) writes a
//! compact, fixed-width record, six bits per character:
//!
//! | part | characters |
//! |---|---|
//! | format version (`1`) | 1 |
//! | module fingerprint (12 bits) | 2 |
//! | current page index | [`digits`]`(pages)` |
//! | visited pages, one bit each | ⌈pages / 6⌉ |
//! | each knowledge check's answer, one bit per option | ⌈options / 6⌉ each |
//! | each quiz question's answer, one bit per option | ⌈options / 6⌉ each |
//! | flags (quiz submitted, passed) | 1 |
//! | quiz attempts (capped at 4,095) | 2 |
//!
//! Every field has a fixed width, so the length depends only on the module's
//! shape: the worst case (every page visited, every option ticked, the most
//! attempts) is the length of every bookmark of that module.

use pecyn_core::Locale;
use pecyn_script::{Block, Module, Question};

/// SCORM 1.2's limit on `cmi.suspend_data` (CMIString4096).
pub const SCORM12_SUSPEND_LIMIT: usize = 4096;

/// Characters of the fixed header and trailer: version, fingerprint, flags, attempts.
const FIXED: usize = 1 + 2 + 1 + 2;

/// How many six-bit characters hold any value below `n` (at least one).
pub fn digits(n: usize) -> usize {
    let mut d = 1;
    let mut cap = 64usize;
    while n > cap {
        d += 1;
        cap = cap.saturating_mul(64);
    }
    d
}

/// The pages the runtime bookmarks: start, every scene, the quiz, results.
pub(crate) fn page_ids(module: &Module, locale: Locale) -> Vec<String> {
    let script = module.script(locale);
    let mut pages = vec!["start".to_string()];
    pages.extend(script.scenes.iter().map(|s| s.id.clone()));
    pages.push(script.quiz.id.clone());
    pages.push("results".to_string());
    pages
}

/// The knowledge checks of a script, in page order.
pub(crate) fn checks(module: &Module, locale: Locale) -> Vec<&Question> {
    module
        .script(locale)
        .scenes
        .iter()
        .flat_map(|s| s.blocks.iter())
        .filter_map(|b| match b {
            Block::Check { question } => Some(question),
            _ => None,
        })
        .collect()
}

/// The longest `suspend_data` the runtime can write for this module: every
/// page visited, every question answered with every option ticked, the most
/// attempts. Because every field is fixed-width this is also the exact length.
pub fn suspend_data_worst_case(module: &Module, locale: Locale) -> usize {
    let pages = page_ids(module, locale).len();
    let answers: usize = checks(module, locale)
        .into_iter()
        .chain(module.script(locale).quiz.questions.iter())
        .map(|q| q.options.len().max(1).div_ceil(6))
        .sum();
    FIXED + digits(pages) + pages.div_ceil(6) + answers
}

/// A 12-bit fingerprint of the module's shape (version, pages, questions and
/// option counts), so a bookmark from another version of the module is ignored.
pub(crate) fn fingerprint(module: &Module, locale: Locale) -> u16 {
    let mut text = module.meta.version.clone();
    for p in page_ids(module, locale) {
        text.push('|');
        text.push_str(&p);
    }
    for q in checks(module, locale)
        .into_iter()
        .chain(module.script(locale).quiz.questions.iter())
    {
        text.push('|');
        text.push_str(&q.id);
        text.push(':');
        text.push_str(&q.options.len().to_string());
    }
    // FNV-1a, folded to 12 bits.
    let mut h: u32 = 0x811c_9dc5;
    for b in text.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    ((h ^ (h >> 12) ^ (h >> 24)) & 0xfff) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_cover_the_range() {
        assert_eq!(digits(1), 1);
        assert_eq!(digits(64), 1);
        assert_eq!(digits(65), 2);
        assert_eq!(digits(4096), 2);
        assert_eq!(digits(4097), 3);
    }
}
