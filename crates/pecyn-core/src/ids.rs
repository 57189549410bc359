//! Identifier and file-name rules.

/// True if `s` is a module, scene or question id: lower-case ASCII letters,
/// digits and single hyphens, starting with a letter, at most 64 characters.
pub fn is_slug(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && b[0].is_ascii_lowercase()
        && !s.ends_with('-')
        && !s.contains("--")
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// True if `s` is a valid `xs:ID` in the ASCII subset packages use:
/// `[A-Za-z_][A-Za-z0-9_.-]*`.
pub fn is_xs_id(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Turns text into an ASCII file name: Welsh and other Latin letters with
/// accents lose them (ŵ → w, ŷ → y, â → a), spaces become hyphens, anything
/// else that is not `[A-Za-z0-9._-]` is dropped.
pub fn ascii_file_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
            out.push(c);
        } else if c == ' ' {
            out.push('-');
        } else if let Some(base) = fold_latin(c) {
            out.push(base);
        }
    }
    out
}

fn fold_latin(c: char) -> Option<char> {
    let lower = match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ẁ' | 'ẃ' | 'ŵ' | 'ẅ' => 'w',
        'ỳ' | 'ý' | 'ŷ' | 'ÿ' => 'y',
        'ç' => 'c',
        'ñ' => 'n',
        _ => {
            if c.is_uppercase() {
                let l = c.to_lowercase().next()?;
                if l == c {
                    return None;
                }
                return fold_latin(l).map(|b| b.to_ascii_uppercase());
            }
            return None;
        }
    };
    Some(lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(is_slug("passwords"));
        assert!(is_slug("special-category-data"));
        assert!(is_slug("q1"));
        assert!(!is_slug("1q"));
        assert!(!is_slug("Passwords"));
        assert!(!is_slug("a--b"));
        assert!(!is_slug("a-"));
        assert!(!is_slug(""));
        assert!(!is_slug("dŵr"));
    }

    #[test]
    fn xs_ids() {
        assert!(is_xs_id("pecyn_passwords_en_standard_scorm12"));
        assert!(is_xs_id("_x-1.2"));
        assert!(!is_xs_id("1abc"));
        assert!(!is_xs_id("a b"));
        assert!(!is_xs_id(""));
    }

    #[test]
    fn welsh_letters_fold_to_ascii() {
        assert_eq!(ascii_file_name("dŵr ŷd Â"), "dwr-yd-A");
        assert_eq!(ascii_file_name("tŷ-bach.svg"), "ty-bach.svg");
        assert_eq!(ascii_file_name("a/b\\c"), "abc");
    }
}
