//! Markup the script format does not support, found before parsing so that it
//! never reaches a learner as literal characters: tables, block quotes, nested
//! lists, raw HTML, code fences, horizontal rules, and placeholders written
//! with one brace (`{dpo}` for `{{dpo}}`). Each is an error at its line and
//! column that says what to write instead.

use crate::placeholders::Placeholders;

/// One problem: line (1-based), column (1-based, in characters), length in
/// characters, message, help.
pub(crate) struct Found {
    pub line: usize,
    pub col: usize,
    pub len: usize,
    pub message: String,
    pub help: String,
}

/// Where a line is: text shown as it is written (scenes, callouts, lists),
/// inside a question (options and `>` feedback have their own syntax), or
/// not checked (`::: notes`, never shown, and unknown blocks).
#[derive(Clone, Copy, PartialEq)]
enum Place {
    Text,
    Question,
    Skip,
}

/// Checks every line of a script. `lines` are (line number, text).
pub(crate) fn check(lines: &[(usize, &str)], placeholders: &Placeholders) -> Vec<Found> {
    let mut out = Vec::new();
    let mut place = Place::Text;
    for &(no, raw) in lines {
        let line = raw.trim_end();
        if let Some(rest) = line.strip_prefix(":::") {
            let kind = rest.split_whitespace().next().unwrap_or("");
            place = match kind {
                "" | "callout" | "scenario" | "dialogue" | "objectives" | "remember" => Place::Text,
                "check" | "question" => Place::Question,
                // `notes`, and unknown blocks (already an error of their own).
                _ => Place::Skip,
            };
            // The block's own line (`::: check single {#id}`) is not text.
            continue;
        }
        if place == Place::Skip {
            continue;
        }
        let found = |col: usize, len: usize, message: &str, help: &str| Found {
            line: no,
            col,
            len,
            message: message.to_string(),
            help: help.to_string(),
        };
        let trimmed = line.trim_start();
        let indent = line.chars().count() - trimmed.chars().count();
        if trimmed.starts_with('|') && trimmed[1..].contains('|') {
            out.push(found(
                indent + 1,
                trimmed.chars().count().min(40),
                "a table: the script format has no tables",
                "write each row as a list item, e.g. `- **Contracts**: keep for 6 years after they end`, or use short paragraphs",
            ));
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            out.push(found(
                indent + 1,
                3,
                "a code block: the script format has no code blocks",
                "write the text as a paragraph; mark a short piece of code inline with backticks, e.g. `` `sudo` ``",
            ));
            continue;
        }
        if is_rule(trimmed) {
            out.push(found(
                indent + 1,
                trimmed.chars().count(),
                "a horizontal rule: the script format has none",
                "remove it; start a new page with a `# ` heading or a new section with `## `",
            ));
            continue;
        }
        if place == Place::Text {
            if trimmed.starts_with('>') {
                out.push(found(
                    indent + 1,
                    1,
                    "a block quote: the script format has no block quotes",
                    "use `::: callout` for something learners must notice, `::: scenario` for a story, or `::: dialogue` for what people say",
                ));
                continue;
            }
            if indent > 0 && is_bullet(trimmed) {
                out.push(found(
                    1,
                    indent + 2,
                    "a nested list: lists have one level",
                    "make the sub-items a list of their own under a `## ` sub-heading, or join them into the item's sentence",
                ));
                continue;
            }
            if trimmed.starts_with("+ ") {
                out.push(found(
                    indent + 1,
                    1,
                    "a list item starting with `+`",
                    "start list items with `- `",
                ));
                continue;
            }
        }
        if let Some((col, len)) = html_tag(line) {
            out.push(found(
                col,
                len,
                "HTML in a script: it would be shown to learners as written",
                "use the script's own markup instead: **bold**, *emphasis*, [link text](https://…), a `- ` list or a `::: callout`",
            ));
        }
        out.extend(single_braces(line).into_iter().map(|(col, len, name)| {
            let wanted = format!("{{{{{name}}}}}");
            let known = placeholders.names().contains(&wanted);
            Found {
                line: no,
                col,
                len,
                message: format!("`{}` is not a placeholder: placeholders have two braces", &line_chars(line, col, len)),
                help: if known {
                    format!("did you mean `{wanted}`?")
                } else {
                    format!(
                        "write a placeholder with two braces on each side, e.g. `{{{{service_desk}}}}`; the placeholders are: {}",
                        placeholders.names().join(", ")
                    )
                },
            }
        }));
    }
    out
}

fn line_chars(line: &str, col: usize, len: usize) -> String {
    line.chars().skip(col - 1).take(len).collect()
}

/// `---`, `***`, `___` (three or more, spaces allowed), alone on the line.
fn is_rule(t: &str) -> bool {
    let c: Vec<char> = t.chars().filter(|c| !c.is_whitespace()).collect();
    c.len() >= 3 && matches!(c[0], '-' | '*' | '_') && c.iter().all(|x| *x == c[0])
}

fn is_bullet(t: &str) -> bool {
    if t.starts_with("- ") || t.starts_with("* ") || t.starts_with("+ ") {
        return true;
    }
    let digits = t.chars().take_while(|c| c.is_ascii_digit()).count();
    digits > 0 && t[digits..].starts_with(". ")
}

/// The first thing that looks like an HTML tag or comment: `<b>`, `</p>`,
/// `<br/>`, `<a href=…>`, `<!-- … -->`. Returns (column, length) in characters.
fn html_tag(line: &str) -> Option<(usize, usize)> {
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '<' {
            let mut j = i + 1;
            if chars.get(j) == Some(&'!') || chars.get(j) == Some(&'/') {
                j += 1;
            }
            let name_start = j;
            while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '-') {
                j += 1;
            }
            let has_name = j > name_start && chars[name_start].is_ascii_alphabetic();
            let comment = chars.get(i + 1) == Some(&'!');
            if has_name || comment {
                // The tag must close on this line, after a name: `<b>`, `<br />`, `<a href="…">`.
                if let Some(end) = chars[j..].iter().position(|c| *c == '>') {
                    let between = &chars[j..j + end];
                    let plausible = comment
                        || between.is_empty()
                        || between[0].is_whitespace()
                        || between == ['/'];
                    if plausible {
                        return Some((i + 1, j + end + 1 - i));
                    }
                }
            }
        }
        i += 1;
    }
    None
}

/// `{name}` or `{name}}`, where `name` looks like a placeholder name. (`{{name}`
/// is already an unclosed placeholder.) Heading and block attributes (`{#id}`,
/// `{.quiz}`) do not start with a letter and are not matched.
/// Returns (column, length, name).
fn single_braces(line: &str) -> Vec<(usize, usize, String)> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '{' {
            i += 1;
            continue;
        }
        let double_open = chars.get(i + 1) == Some(&'{');
        let start = if double_open { i + 2 } else { i + 1 };
        let mut j = start;
        while j < chars.len() && chars[j] == ' ' {
            j += 1;
        }
        let name_start = j;
        while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
            j += 1;
        }
        let name: String = chars[name_start..j].iter().collect();
        while j < chars.len() && chars[j] == ' ' {
            j += 1;
        }
        let starts_ok = chars
            .get(name_start)
            .is_some_and(|c| c.is_ascii_alphabetic());
        if !starts_ok || chars.get(j) != Some(&'}') {
            i = if double_open { i + 2 } else { i + 1 };
            continue;
        }
        let double_close = chars.get(j + 1) == Some(&'}');
        let end = if double_close { j + 2 } else { j + 1 };
        if !double_open {
            out.push((i + 1, end - i, name));
        }
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(usize, usize, String)> {
        let lines: Vec<(usize, &str)> = text.lines().enumerate().map(|(i, l)| (i + 1, l)).collect();
        check(&lines, &Placeholders::default())
            .into_iter()
            .map(|f| (f.line, f.col, f.message))
            .collect()
    }

    #[test]
    fn supported_markup_passes() {
        let ok = "# Title {#t}\n\nSome **bold**, a [link](https://x.example) and {{dpo}}.\n\n- one\n- two\n\n::: check single {#c}\nQ?\n\n- [x] A\n  > Yes.\n- [ ] B\n  > No.\n:::\n\nFive < six and 7 > 3; a <- b.\n";
        assert!(found(ok).is_empty(), "{:?}", found(ok));
    }

    #[test]
    fn notes_are_never_checked() {
        assert!(found("::: notes\n| a | b |\n> quote\n<b>x</b>\n:::\n").is_empty());
    }

    #[test]
    fn each_construct_is_found_where_it_is() {
        let f = found("| A | B |\n> quoted\n- item\n  - nested\n<b>bold</b>\n---\n```\nAsk {dpo} or {dpo}}.\n");
        let at: Vec<(usize, usize)> = f.iter().map(|x| (x.0, x.1)).collect();
        assert_eq!(
            at,
            vec![
                (1, 1),
                (2, 1),
                (4, 1),
                (5, 1),
                (6, 1),
                (7, 1),
                (8, 5),
                (8, 14)
            ]
        );
        assert!(f[0].2.contains("table"));
        assert!(f[7].2.contains("`{dpo}}`"), "{}", f[7].2);
    }
}
