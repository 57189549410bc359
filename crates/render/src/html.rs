//! Turning the script's inline text into escaped HTML.

use minijinja::Value;
use pecyn_script::{Inline, Text};

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Inline text → safe HTML.
pub(crate) fn inline(text: &Text) -> Value {
    let mut out = String::new();
    for i in text {
        match i {
            Inline::Text { text } => out.push_str(&escape(text)),
            Inline::Strong { text } => {
                out.push_str("<strong>");
                out.push_str(&escape(text));
                out.push_str("</strong>");
            }
            Inline::Emphasis { text } => {
                out.push_str("<em>");
                out.push_str(&escape(text));
                out.push_str("</em>");
            }
            Inline::Link { text, href } => {
                let external = href.starts_with("https://");
                out.push_str("<a href=\"");
                out.push_str(&escape(href));
                out.push('"');
                if external {
                    out.push_str(" target=\"_blank\" rel=\"noopener noreferrer\"");
                }
                out.push('>');
                out.push_str(&escape(text));
                out.push_str("</a>");
            }
        }
    }
    Value::from_safe_string(out)
}

/// JSON made safe to embed in `<script type="application/json">`.
pub(crate) fn script_json(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything() {
        let t = vec![
            Inline::Text {
                text: "<script>&\"'".into(),
            },
            Inline::Link {
                text: "x<y".into(),
                href: "https://a.example/?q=\"1\"".into(),
            },
        ];
        assert_eq!(
            inline(&t).to_string(),
            "&lt;script&gt;&amp;&quot;&#39;<a href=\"https://a.example/?q=&quot;1&quot;\" target=\"_blank\" rel=\"noopener noreferrer\">x&lt;y</a>"
        );
    }

    #[test]
    fn script_json_cannot_close_the_tag() {
        assert_eq!(
            script_json("{\"a\":\"</script>\"}"),
            "{\"a\":\"\\u003c/script\\u003e\"}"
        );
    }
}
