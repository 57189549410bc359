//! Inline formatting: `**strong**`, `*emphasis*`, `[text](https://…)`.

use crate::model::{Inline, Text};

/// A problem in inline text, located by character offset.
#[derive(Debug)]
pub(crate) struct InlineError {
    pub offset_chars: usize,
    pub len: usize,
    pub message: String,
    pub help: String,
}

const SCHEMES: [&str; 3] = ["https://", "mailto:", "tel:"];

/// The next occurrence of a pattern at or after a position, remembered so
/// that positions only moving forward make the searches linear in total:
/// each byte of the text is scanned at most once per pattern.
struct NextFind {
    pat: &'static str,
    /// `Some(Some(p))`: the next occurrence is at `p`; `Some(None)`: none from
    /// `searched_from` on; `None`: nothing searched yet.
    found: Option<Option<usize>>,
    searched_from: usize,
}

impl NextFind {
    fn new(pat: &'static str) -> Self {
        NextFind {
            pat,
            found: None,
            searched_from: 0,
        }
    }

    /// The byte offset of the first occurrence of the pattern at or after `from`.
    fn at_or_after(&mut self, s: &str, from: usize) -> Option<usize> {
        match self.found {
            Some(Some(p)) if p >= from => return Some(p),
            Some(None) if self.searched_from <= from => return None,
            _ => {}
        }
        let found = s[from..].find(self.pat).map(|p| from + p);
        self.found = Some(found);
        self.searched_from = from;
        found
    }
}

/// Parses one run of inline text, in time linear in its length (a 1 MiB
/// paragraph of `[` took 222 s when each `[` searched the rest of the line).
pub(crate) fn parse_inline(s: &str) -> Result<Text, InlineError> {
    let mut link_mid = NextFind::new("](");
    let mut link_end = NextFind::new(")");
    let mut out: Text = Vec::new();
    let mut plain = String::new();
    let mut i = 0;
    let bytes = s.as_bytes();
    let chars_before = |byte: usize| s[..byte].chars().count();
    while i < s.len() {
        let rest = &s[i..];
        if let Some(after) = rest.strip_prefix("**") {
            let Some(end) = after.find("**") else {
                return Err(InlineError {
                    offset_chars: chars_before(i),
                    len: 2,
                    message: "bold text is opened with `**` but never closed".into(),
                    help: "close it with `**`, e.g. `**never**`".into(),
                });
            };
            flush(&mut out, &mut plain);
            out.push(Inline::Strong {
                text: after[..end].to_string(),
            });
            i += 2 + end + 2;
            continue;
        }
        if bytes[i] == b'*' || (bytes[i] == b'_' && is_word_start(s, i)) {
            let marker = bytes[i] as char;
            if let Some(end) = rest[1..].find(marker) {
                if end > 0 {
                    flush(&mut out, &mut plain);
                    out.push(Inline::Emphasis {
                        text: rest[1..1 + end].to_string(),
                    });
                    i += 1 + end + 1;
                    continue;
                }
            }
        }
        if bytes[i] == b'[' {
            if let Some(close) = link_mid.at_or_after(s, i).map(|p| p - i) {
                if let Some(end) = link_end
                    .at_or_after(s, i + close + 2)
                    .map(|p| p - i - close - 2)
                {
                    let text = &rest[1..close];
                    let href = rest[close + 2..close + 2 + end].trim();
                    if !SCHEMES.iter().any(|sch| href.starts_with(sch))
                        || href.contains(char::is_whitespace)
                    {
                        return Err(InlineError {
                            offset_chars: chars_before(i),
                            len: rest[..close + 3 + end].chars().count(),
                            message: format!("the link `{href}` is not allowed"),
                            help: "links must start with `https://`, `mailto:` or `tel:`".into(),
                        });
                    }
                    if text.trim().is_empty() {
                        return Err(InlineError {
                            offset_chars: chars_before(i),
                            len: close + 1,
                            message: "a link with no text".into(),
                            help: "write what the link is for between the brackets, e.g. `[report a scam](https://…)`".into(),
                        });
                    }
                    flush(&mut out, &mut plain);
                    out.push(Inline::Link {
                        text: text.to_string(),
                        href: href.to_string(),
                    });
                    i += close + 2 + end + 1;
                    continue;
                }
            }
        }
        let ch = rest.chars().next().unwrap_or(' ');
        plain.push(ch);
        i += ch.len_utf8();
    }
    flush(&mut out, &mut plain);
    Ok(out)
}

fn is_word_start(s: &str, i: usize) -> bool {
    i == 0 || s[..i].ends_with(|c: char| c.is_whitespace() || c == '(')
}

fn flush(out: &mut Text, plain: &mut String) {
    if !plain.is_empty() {
        out.push(Inline::Text {
            text: std::mem::take(plain),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting() {
        let t = parse_inline("Use **three** random *words*, see [NCSC](https://www.ncsc.gov.uk).")
            .unwrap();
        assert_eq!(t.len(), 7);
        assert_eq!(
            t[1],
            Inline::Strong {
                text: "three".into()
            }
        );
        assert_eq!(
            t[3],
            Inline::Emphasis {
                text: "words".into()
            }
        );
        assert_eq!(
            t[5],
            Inline::Link {
                text: "NCSC".into(),
                href: "https://www.ncsc.gov.uk".into()
            }
        );
    }

    /// Reported: a 1 MiB paragraph of `[` took 222 s to build (each `[`
    /// searched the rest of the line). Linear now: 1 MiB of each pattern
    /// finishes, even in a debug build, well under the generous bound below.
    #[test]
    fn a_paragraph_of_brackets_is_parsed_in_linear_time() {
        for text in [
            "[".repeat(1 << 20),
            "[a](".repeat(1 << 18),
            "*[".repeat(1 << 19),
        ] {
            let start = std::time::Instant::now();
            let t = parse_inline(&text).unwrap();
            assert!(!t.is_empty());
            assert!(
                start.elapsed() < std::time::Duration::from_secs(20),
                "{:?}",
                start.elapsed()
            );
        }
    }

    #[test]
    fn links_after_unclosed_brackets_still_parse() {
        let t = parse_inline("a [ b [c](https://x.example) [d").unwrap();
        assert_eq!(
            t,
            vec![
                Inline::Text { text: "a ".into() },
                Inline::Link {
                    text: " b [c".into(),
                    href: "https://x.example".into()
                },
                Inline::Text { text: " [d".into() },
            ]
        );
    }

    #[test]
    fn snake_case_is_not_emphasis() {
        let t = parse_inline("report_phishing here").unwrap();
        assert_eq!(
            t,
            vec![Inline::Text {
                text: "report_phishing here".into()
            }]
        );
    }

    #[test]
    fn javascript_links_are_refused() {
        let e = parse_inline("a [x](javascript:alert(1))").unwrap_err();
        assert_eq!(e.offset_chars, 2);
        assert!(e.message.contains("not allowed"));
    }

    #[test]
    fn unclosed_bold() {
        let e = parse_inline("so **bold").unwrap_err();
        assert_eq!(e.offset_chars, 3);
    }
}
