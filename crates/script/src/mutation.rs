//! Welsh initial-consonant mutation of placeholder values, and the words
//! that trigger it. Pure text functions: no parsing, no diagnostics.
//!
//! Reference: Gareth King, *Modern Welsh: A Comprehensive Grammar*
//! (Routledge), the chapters on the soft, nasal and aspirate mutations and on
//! the prepositions and conjunctions that cause them.
//!
//! What is covered:
//! - soft: c→g, p→b, t→d, g→(dropped), b→f, d→dd, ll→l, m→f, rh→r;
//! - nasal: c→ngh, p→mh, t→nh, g→ng, b→m, d→n;
//! - aspirate: c→ch, p→ph, t→th;
//! - `ch`, `ph`, `th`, `dd`, `ff`, `ng` at the start of a word are separate
//!   letters of the Welsh alphabet and never mutate;
//! - the first letter's capital is kept ("Tîm" → "Thîm", "Gwasanaeth" →
//!   "Wasanaeth"); a first word with two or more capitals (an acronym such
//!   as "GIG", "TG" or "CThEF") is left alone, as written Welsh usually does;
//! - `â`/`ag`, `a`/`ac`, `gyda`/`gydag` before a vowel, and `yn`/`yng`/`ym`
//!   before a nasally mutated word.
//!
//! Not covered (authors give the exact wording instead): the exceptions where
//! `ll` and `rh` resist soft mutation (after the article with a feminine noun
//! and after predicative `yn`), contractions such as `â'ch` or `i'ch`, and
//! proper names that must never mutate.

/// One of the three Welsh initial mutations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutation {
    /// Treiglad meddal.
    Soft,
    /// Treiglad trwynol.
    Nasal,
    /// Treiglad llaes.
    Aspirate,
}

impl Mutation {
    /// The marker authors write after `|` in a placeholder.
    pub fn marker(self) -> &'static str {
        match self {
            Mutation::Soft => "soft",
            Mutation::Nasal => "nasal",
            Mutation::Aspirate => "aspirate",
        }
    }
}

/// Letters (lower case) that begin a word with a vowel sound for the
/// `â`/`ag` alternations.
const VOWELS: &str = "aeiouwyâêîôûŵŷáéíóúẃýàèìòùẁỳäëïöüẅÿ";

/// One radical and its soft, nasal and aspirate forms (`None`: unchanged).
type Row = (
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
);

/// The radical-to-mutated table: (radical, soft, nasal, aspirate). Longer
/// radicals come first so `ll` and `rh` are matched before single letters.
const TABLE: [Row; 9] = [
    ("ll", Some("l"), None, None),
    ("rh", Some("r"), None, None),
    ("c", Some("g"), Some("ngh"), Some("ch")),
    ("p", Some("b"), Some("mh"), Some("ph")),
    ("t", Some("d"), Some("nh"), Some("th")),
    ("g", Some(""), Some("ng"), None),
    ("b", Some("f"), Some("m"), None),
    ("d", Some("dd"), Some("n"), None),
    ("m", Some("f"), None, None),
];

/// Two-letter Welsh letters that look like a mutable consonant followed by
/// another letter but are letters in their own right.
const DIGRAPHS: [&str; 5] = ["ch", "ph", "th", "dd", "ng"];

/// Mutates the first word of `value`, keeping its capital letter. Values
/// whose first word is an acronym, or that do not start with a mutable
/// consonant, come back unchanged.
pub fn mutate(value: &str, mutation: Mutation) -> String {
    let first_word: String = value.chars().take_while(|c| c.is_alphabetic()).collect();
    if first_word.chars().filter(|c| c.is_uppercase()).count() >= 2 {
        return value.to_string();
    }
    let lower: String = value.chars().take(2).flat_map(char::to_lowercase).collect();
    if DIGRAPHS.iter().any(|d| lower.starts_with(d)) {
        return value.to_string();
    }
    let capital = value.chars().next().is_some_and(char::is_uppercase);
    for (radical, soft, nasal, aspirate) in TABLE {
        if !lower.starts_with(radical) {
            continue;
        }
        let replacement = match mutation {
            Mutation::Soft => soft,
            Mutation::Nasal => nasal,
            Mutation::Aspirate => aspirate,
        };
        let Some(replacement) = replacement else {
            return value.to_string();
        };
        let rest: String = value.chars().skip(radical.chars().count()).collect();
        let mutated = format!("{replacement}{rest}");
        return if capital {
            capitalise(&mutated)
        } else {
            mutated
        };
    }
    value.to_string()
}

/// Upper-cases the first character only.
fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// True if `word` begins with a vowel (for `ag`, `ac`, `gydag`).
pub fn starts_with_vowel(word: &str) -> bool {
    word.chars()
        .next()
        .and_then(|c| c.to_lowercase().next())
        .is_some_and(|c| VOWELS.contains(c))
}

/// The right form of a word whose spelling depends on the next word:
/// `â`/`ag`, `a`/`ac`, `gyda`/`gydag` (the second before a vowel) and
/// `yn`/`yng`/`ym` (before a nasally mutated `ng…` or `m…`). Returns `None`
/// when `word` is not one of these; keeps `word`'s capital letter.
pub fn linking_form(word: &str, next: &str) -> Option<String> {
    let lower = word.to_lowercase();
    let vowel = starts_with_vowel(next);
    let form = match lower.as_str() {
        "â" | "ag" => {
            if vowel {
                "ag"
            } else {
                "â"
            }
        }
        "a" | "ac" => {
            if vowel {
                "ac"
            } else {
                "a"
            }
        }
        "gyda" | "gydag" => {
            if vowel {
                "gydag"
            } else {
                "gyda"
            }
        }
        "yn" | "yng" | "ym" => {
            let n = next.to_lowercase();
            if n.starts_with("ng") {
                "yng"
            } else if n.starts_with('m') {
                "ym"
            } else {
                "yn"
            }
        }
        _ => return None,
    };
    Some(if word.chars().next().is_some_and(char::is_uppercase) {
        capitalise(form)
    } else {
        form.to_string()
    })
}

/// Words after which a noun phrase usually mutates, with the mutation.
///
/// Soft: the prepositions am, ar, at, dan/tan, dros/tros, drwy/trwy, gan,
/// heb, hyd, i, o, wrth; the conjunction neu; dy (your), ei (his), pa, rhy.
/// Aspirate: â/ag, a/ac (and), gyda/gydag, tua. Nasal: fy (my), yn (in).
///
/// Some of these have a second meaning with another mutation or none: `ei`
/// (her) aspirates, predicative `yn` softens. The warning that uses this
/// list names the usual mutation and tells authors how to choose another or
/// none.
pub fn trigger(word: &str) -> Option<Mutation> {
    let m = match word.to_lowercase().as_str() {
        "am" | "ar" | "at" | "dan" | "tan" | "dros" | "tros" | "drwy" | "trwy" | "gan" | "heb"
        | "hyd" | "i" | "o" | "wrth" | "neu" | "dy" | "ei" | "pa" | "rhy" => Mutation::Soft,
        "â" | "ag" | "a" | "ac" | "gyda" | "gydag" | "tua" => Mutation::Aspirate,
        "fy" | "yn" => Mutation::Nasal,
        _ => return None,
    };
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Mutation::*;

    /// Every rule of the table, in lower case and with a capital.
    #[test]
    fn rule_table() {
        #[rustfmt::skip]
        let cases: &[(&str, Mutation, &str)] = &[
            // soft
            ("cyngor", Soft, "gyngor"), ("pennaeth", Soft, "bennaeth"),
            ("tîm", Soft, "dîm"), ("gwasanaeth", Soft, "wasanaeth"),
            ("bwrdd", Soft, "fwrdd"), ("desg", Soft, "ddesg"),
            ("llywodraeth", Soft, "lywodraeth"), ("mudiad", Soft, "fudiad"),
            ("rheolwr", Soft, "reolwr"),
            // nasal
            ("cyngor", Nasal, "nghyngor"), ("pennaeth", Nasal, "mhennaeth"),
            ("tîm", Nasal, "nhîm"), ("gwasanaeth", Nasal, "ngwasanaeth"),
            ("bwrdd", Nasal, "mwrdd"), ("desg", Nasal, "nesg"),
            // aspirate
            ("cyngor", Aspirate, "chyngor"), ("pennaeth", Aspirate, "phennaeth"),
            ("tîm", Aspirate, "thîm"),
            // capitals kept
            ("Tîm", Soft, "Dîm"), ("Tîm", Aspirate, "Thîm"), ("Tîm", Nasal, "Nhîm"),
            ("Gwasanaeth", Soft, "Wasanaeth"), ("Gŵyl", Soft, "Ŵyl"),
            ("Llywodraeth Cymru", Soft, "Lywodraeth Cymru"), ("Rhian", Soft, "Rian"),
            ("Cyngor Caerdydd", Nasal, "Nghyngor Caerdydd"),
            ("Banc", Soft, "Fanc"), ("Bangor", Nasal, "Mangor"),
            ("Desg Gwasanaeth TG", Soft, "Ddesg Gwasanaeth TG"),
        ];
        for &(radical, m, want) in cases {
            assert_eq!(mutate(radical, m), want, "{radical} with {m:?}");
        }
    }

    /// Letters and words the rules leave alone.
    #[test]
    fn exceptions_table() {
        #[rustfmt::skip]
        let cases: &[(&str, Mutation)] = &[
            // consonants a mutation does not touch
            ("llywodraeth", Nasal), ("llywodraeth", Aspirate), ("rheolwr", Nasal),
            ("rheolwr", Aspirate), ("mudiad", Nasal), ("mudiad", Aspirate),
            ("gwasanaeth", Aspirate), ("bwrdd", Aspirate), ("desg", Aspirate),
            ("swyddog", Soft), ("ffôn", Soft), ("lleoliad", Nasal), ("nyrs", Soft),
            // digraphs that are letters of their own
            ("chwaraeon", Soft), ("chwaraeon", Nasal), ("phwyllgor", Soft),
            ("thîm", Soft), ("thîm", Aspirate), ("ddesg", Soft), ("ngwasanaeth", Soft),
            ("Chwaraeon Cymru", Aspirate),
            // vowels and other starts
            ("eich sefydliad", Soft), ("eich Swyddog", Nasal), ("Adran TG", Aspirate),
            ("", Soft), ("123", Nasal), ("'dyfynnu'", Soft), ("\u{212A}ilo", Soft),
            // acronyms
            ("GIG Cymru", Soft), ("TG", Aspirate), ("BBC", Nasal), ("CThEF", Soft),
        ];
        for &(word, m) in cases {
            assert_eq!(mutate(word, m), word, "{word} with {m:?} should not change");
        }
    }

    #[test]
    fn linking_forms() {
        #[rustfmt::skip]
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("â", "Adran TG", Some("ag")), ("â", "thîm", Some("â")), ("ag", "desg", Some("â")),
            ("a", "eich", Some("ac")), ("ac", "rhowch", Some("a")), ("A", "Undeb", Some("Ac")),
            ("gyda", "Ŵyl", Some("gydag")), ("gydag", "chyngor", Some("gyda")),
            ("yn", "Nghyngor", Some("yng")), ("yn", "Mangor", Some("ym")),
            ("yn", "Nhîm", Some("yn")), ("Yn", "ngwasanaeth", Some("Yng")),
            ("ym", "eich", Some("yn")), ("at", "eich", None), ("", "eich", None),
        ];
        for &(word, next, want) in cases {
            assert_eq!(linking_form(word, next).as_deref(), want, "{word} {next}");
        }
    }

    #[test]
    fn triggers() {
        #[rustfmt::skip]
        let cases: &[(&str, Option<Mutation>)] = &[
            ("at", Some(Soft)), ("Wrth", Some(Soft)), ("gan", Some(Soft)), ("i", Some(Soft)),
            ("o", Some(Soft)), ("ar", Some(Soft)), ("drwy", Some(Soft)), ("heb", Some(Soft)),
            ("â", Some(Aspirate)), ("gyda", Some(Aspirate)), ("tua", Some(Aspirate)),
            ("a", Some(Aspirate)), ("fy", Some(Nasal)), ("yn", Some(Nasal)),
            ("mae", None), ("yw", None), ("bolisi", None), ("i'r", None), ("y", None),
        ];
        for &(word, want) in cases {
            assert_eq!(trigger(word), want, "{word}");
        }
    }

    #[test]
    fn markers() {
        assert_eq!(Soft.marker(), "soft");
        assert_eq!(Nasal.marker(), "nasal");
        assert_eq!(Aspirate.marker(), "aspirate");
    }
}
