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

/// Parses one run of inline text.
pub(crate) fn parse_inline(s: &str) -> Result<Text, InlineError> {
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
            if let Some(close) = rest.find("](") {
                if let Some(end) = rest[close + 2..].find(')') {
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
