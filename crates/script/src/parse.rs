//! The script parser: Markdown with `:::` blocks → [`Script`].
//!
//! It never stops at the first problem: every error in a file is collected,
//! each with the file, line, column, the offending line and what to do.

use crate::inline::parse_inline;
use crate::model::*;
use crate::placeholders::Placeholders;
use pecyn_core::{Diagnostic, Locale};
use std::collections::HashMap;

mod marks;

/// The block kinds an author may open with `:::`.
const BLOCK_KINDS: &str =
    "objectives, remember, notes, callout, scenario, dialogue, check, question";

/// Everything parsed from one script, before cross-file checks.
pub(crate) struct Parsed {
    pub script: Option<Script>,
    /// Image references: (src, line, col) for the loader to resolve.
    pub images: Vec<(String, usize, usize)>,
}

struct Line<'a> {
    no: usize,
    text: &'a str,
}

pub(crate) struct Parser<'a> {
    path: &'a str,
    locale: Locale,
    lines: Vec<Line<'a>>,
    pos: usize,
    diags: Vec<Diagnostic>,
    placeholders: &'a Placeholders,
    question_ids: HashMap<String, usize>,
    scene_ids: HashMap<String, usize>,
    images: Vec<(String, usize, usize)>,
    /// Welsh texts that look English: (line, col, sentence), reported at the end.
    english: Vec<(usize, usize, String)>,
}

/// English-looking sentences in a Welsh script reported one by one; past this
/// many, one more error sums up the rest.
const ENGLISH_SHOWN: usize = 5;

/// Where we are in the file.
#[derive(PartialEq)]
enum Section {
    Front,
    Scene,
    Quiz,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(
        path: &'a str,
        locale: Locale,
        source: &'a str,
        placeholders: &'a Placeholders,
    ) -> Self {
        let lines = source
            .lines()
            .enumerate()
            .map(|(i, text)| Line { no: i + 1, text })
            .collect();
        Parser {
            path,
            locale,
            lines,
            pos: 0,
            diags: Vec::new(),
            placeholders,
            question_ids: HashMap::new(),
            scene_ids: HashMap::new(),
            images: Vec::new(),
            english: Vec::new(),
        }
    }

    fn err(
        &mut self,
        line: usize,
        col: usize,
        len: usize,
        msg: impl Into<String>,
        help: impl Into<String>,
    ) {
        let src = self
            .lines
            .get(line.wrapping_sub(1))
            .map(|l| l.text.to_string())
            .unwrap_or_default();
        let mut d = Diagnostic::error(self.path, line, col, msg, help).with_len(len);
        if line > 0 {
            d = d.with_source(src);
        }
        self.diags.push(d);
    }

    fn file_err(&mut self, msg: impl Into<String>, help: impl Into<String>) {
        self.diags
            .push(Diagnostic::error(self.path, 0, 0, msg, help));
    }

    /// Parses inline text at a given line/column, reporting problems there.
    fn inline(&mut self, text: &str, line: usize, col: usize) -> Text {
        let substituted = self.substitute(text, line, col);
        match parse_inline(&substituted) {
            Ok(t) => {
                if self.locale == Locale::Cy {
                    let plain: String = t
                        .iter()
                        .map(|i| match i {
                            Inline::Text { text }
                            | Inline::Strong { text }
                            | Inline::Emphasis { text }
                            | Inline::Link { text, .. } => text.as_str(),
                        })
                        .collect();
                    if let Some((at, len, _)) = crate::language::first_english_sentence(&plain) {
                        let sentence: String = plain.chars().skip(at).take(len).collect();
                        self.english.push((line, col, sentence));
                    }
                }
                t
            }
            Err(e) => {
                self.err(line, col + e.offset_chars, e.len.max(1), e.message, e.help);
                vec![Inline::Text { text: substituted }]
            }
        }
    }

    /// Replaces `{{name}}` placeholders, reporting unknown ones.
    fn substitute(&mut self, text: &str, line: usize, col: usize) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        let mut consumed_chars = 0usize;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let start_col = col + consumed_chars + rest[..start].chars().count();
            match after.find("}}") {
                Some(end) => {
                    let (name, marker) = marks::split_marker(&after[..end]);
                    let whole = &rest[start..start + 2 + end + 2];
                    match self.placeholders.get(name, self.locale) {
                        Some(v) => {
                            let at = marks::At {
                                line,
                                col: start_col,
                                whole,
                            };
                            let v = self.marked_value(v, name, marker, &mut out, at);
                            out.push_str(&v);
                        }
                        None => {
                            let known = self.placeholders.names().join(", ");
                            self.err(
                                line,
                                start_col,
                                whole.chars().count(),
                                format!("unknown placeholder `{whole}`"),
                                format!("use one of: {known}"),
                            );
                            out.push_str(whole);
                        }
                    }
                    consumed_chars += rest[..start + 2 + end + 2].chars().count();
                    rest = &rest[start + 2 + end + 2..];
                }
                None => {
                    self.err(
                        line,
                        start_col,
                        2,
                        "a placeholder is opened with `{{` but never closed",
                        "close it with `}}`, e.g. `{{service_desk}}`",
                    );
                    out.push_str(&rest[start..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }

    pub(crate) fn parse(mut self) -> (Parsed, Vec<Diagnostic>) {
        let mut objectives: Option<Vec<Text>> = None;
        let mut remember: Option<Vec<Text>> = None;
        let mut scenes: Vec<Scene> = Vec::new();
        let mut quiz: Option<Quiz> = None;
        let mut section = Section::Front;
        let mut current: Option<Scene> = None;
        let mut paragraph: Vec<(usize, &str)> = Vec::new();

        let all: Vec<(usize, &str)> = self.lines.iter().map(|l| (l.no, l.text)).collect();
        for f in crate::unsupported::check(&all, self.placeholders) {
            self.err(f.line, f.col, f.len, f.message, f.help);
        }

        while self.pos < self.lines.len() {
            let (no, raw) = (self.lines[self.pos].no, self.lines[self.pos].text);
            let line = raw.trim_end();
            self.pos += 1;

            let is_special = line.is_empty()
                || line.starts_with('#')
                || line.starts_with(":::")
                || is_list_item(line).is_some()
                || line.trim_start().starts_with("![");
            if !is_special {
                if section == Section::Front {
                    self.err(
                        no,
                        1,
                        line.chars().count().min(40),
                        "text before the first scene",
                        "start a scene with a heading such as `# Why it matters {#why}`, or put this in a `::: notes` block",
                    );
                } else {
                    paragraph.push((no, line));
                }
                continue;
            }
            // Any special line ends a paragraph in progress.
            self.flush_paragraph(&mut paragraph, &mut current, &mut quiz, &section);

            if line.is_empty() {
                continue;
            }
            if let Some(rest) = line.strip_prefix(":::") {
                let rest = rest.trim();
                if rest.is_empty() {
                    self.err(
                        no,
                        1,
                        3,
                        "a `:::` closes a block that was never opened",
                        "remove it, or open a block above it, e.g. `::: callout`",
                    );
                    continue;
                }
                let body = self.read_block(no);
                let Some(body) = body else { continue };
                let (kind, args) = split_kind(rest);
                match kind {
                    "notes" => {}
                    "objectives" | "remember" => {
                        if section != Section::Front {
                            self.err(no, 5, kind.len(), format!("`{kind}` belongs before the first scene"), "move this block to the top of the file, above the first `# ` heading");
                            continue;
                        }
                        let items = self.list_block(kind, &body, no);
                        let slot = if kind == "objectives" {
                            &mut objectives
                        } else {
                            &mut remember
                        };
                        if slot.is_some() {
                            self.err(
                                no,
                                5,
                                kind.len(),
                                format!("a second `{kind}` block"),
                                "merge the two lists into one block",
                            );
                        } else {
                            *slot = Some(items);
                        }
                    }
                    "callout" | "scenario" | "dialogue" => {
                        if section == Section::Front {
                            self.err(
                                no,
                                5,
                                kind.len(),
                                format!("a `{kind}` block before the first scene"),
                                "start a scene with `# Title {#id}` above it",
                            );
                            continue;
                        }
                        let block = match kind {
                            "dialogue" => Block::Dialogue {
                                lines: self.dialogue(&body),
                            },
                            "callout" => Block::Callout {
                                paragraphs: self.paragraphs(&body, kind, no),
                            },
                            _ => Block::Scenario {
                                paragraphs: self.paragraphs(&body, kind, no),
                            },
                        };
                        push_block(&mut current, &mut quiz, &section, block);
                    }
                    "check" | "question" => {
                        let q = self.question(kind, args, no, &body);
                        match (kind, &section) {
                            ("check", Section::Scene) => {
                                if let Some(q) = q {
                                    push_block(&mut current, &mut quiz, &section, Block::Check { question: q });
                                }
                            }
                            ("question", Section::Quiz) => {
                                if let (Some(q), Some(quiz)) = (q, quiz.as_mut()) {
                                    quiz.questions.push(q);
                                }
                            }
                            ("check", Section::Quiz) => self.err(no, 5, 5, "a knowledge check inside the quiz", "use `::: question` for quiz questions; `::: check` is for knowledge checks inside scenes"),
                            ("question", Section::Scene) => self.err(no, 5, 8, "a quiz question outside the quiz", "use `::: check` for a knowledge check inside a scene, or move this into the quiz scene (`# … {#quiz .quiz}`)"),
                            _ => self.err(no, 5, kind.len(), format!("a `{kind}` block before the first scene"), "start a scene with `# Title {#id}` above it"),
                        }
                    }
                    other => {
                        let col = 5;
                        self.err(
                            no,
                            col,
                            other.chars().count(),
                            format!("unknown block `{other}`"),
                            format!("use one of: {BLOCK_KINDS}"),
                        );
                    }
                }
                continue;
            }
            if line.starts_with('#') {
                let level = line.chars().take_while(|c| *c == '#').count();
                let text = line[level..].trim();
                if !line[level..].starts_with(' ') || text.is_empty() {
                    self.err(
                        no,
                        1,
                        level,
                        "a heading needs a space and some text after the `#`",
                        "write it like `# Why it matters {#why}`",
                    );
                    continue;
                }
                match level {
                    1 => {
                        if section == Section::Quiz {
                            self.err(
                                no,
                                1,
                                line.chars().count().min(40),
                                "a scene after the quiz",
                                "the quiz must be the last scene: move this scene above it",
                            );
                            // Keep parsing it as a scene so its own errors are reported too.
                        }
                        if let Some(s) = current.take() {
                            self.finish_scene(s, &mut scenes);
                        }
                        let (title, id, classes) = self.heading_attrs(text, no, level);
                        if classes.iter().any(|c| c == "quiz") {
                            if quiz.is_some() {
                                self.err(
                                    no,
                                    1,
                                    line.chars().count().min(40),
                                    "a second quiz",
                                    "a module has one quiz: merge the questions into the first",
                                );
                            } else {
                                quiz = Some(Quiz {
                                    id,
                                    title,
                                    intro: Vec::new(),
                                    questions: Vec::new(),
                                    line: no,
                                });
                            }
                            section = Section::Quiz;
                        } else {
                            if section != Section::Quiz {
                                section = Section::Scene;
                            }
                            current = Some(Scene {
                                id,
                                title,
                                blocks: Vec::new(),
                                line: no,
                            });
                        }
                    }
                    2 => {
                        if section == Section::Front {
                            self.err(
                                no,
                                1,
                                2,
                                "a sub-heading before the first scene",
                                "start a scene with `# Title {#id}` first",
                            );
                            continue;
                        }
                        let col = level + 2;
                        let t = self.inline(text, no, col);
                        push_block(
                            &mut current,
                            &mut quiz,
                            &section,
                            Block::Heading { text: t },
                        );
                    }
                    _ => {
                        self.err(
                            no,
                            1,
                            level,
                            format!("a level-{level} heading"),
                            "use `# ` for a scene and `## ` for a sub-heading inside a scene",
                        );
                    }
                }
                continue;
            }
            if let Some((ordered, _)) = is_list_item(line) {
                if section == Section::Front {
                    self.err(
                        no,
                        1,
                        2,
                        "a list before the first scene",
                        "put it inside a scene, or inside `::: objectives` / `::: remember`",
                    );
                    // Skip the rest of the list.
                    while self.pos < self.lines.len()
                        && is_list_item(self.lines[self.pos].text.trim_end()).is_some()
                    {
                        self.pos += 1;
                    }
                    continue;
                }
                let mut items = Vec::new();
                self.pos -= 1;
                while self.pos < self.lines.len() {
                    let l = self.lines[self.pos].text.trim_end();
                    let lno = self.lines[self.pos].no;
                    match is_list_item(l) {
                        Some((o, start)) if o == ordered => {
                            if l.starts_with("- [") {
                                self.err(
                                    lno,
                                    1,
                                    5,
                                    "an answer option outside a question",
                                    "put options inside `::: check …` or `::: question …`",
                                );
                            }
                            let t = self.inline(&l[start..], lno, start + 1);
                            items.push(t);
                            self.pos += 1;
                        }
                        _ => break,
                    }
                }
                push_block(
                    &mut current,
                    &mut quiz,
                    &section,
                    Block::List { ordered, items },
                );
                continue;
            }
            // An image on its own line.
            let trimmed = line.trim_start();
            let col = line.len() - trimmed.len() + 1;
            match parse_image(trimmed) {
                Some((alt, src)) => {
                    if section == Section::Front {
                        self.err(
                            no,
                            col,
                            2,
                            "an image before the first scene",
                            "put it inside a scene",
                        );
                        continue;
                    }
                    if alt.trim().is_empty() {
                        self.err(no, col, trimmed.chars().count().min(40), "an image with no alt text", "describe what the picture shows between the brackets, e.g. `![Three sticky notes reading purple, tractor, seaside](images/words.svg)`");
                        continue;
                    }
                    let alt = self.substitute(alt.trim(), no, col + 2);
                    let src_col = col + 2 + trimmed[2..].find("](").unwrap_or(0) + 2;
                    self.images.push((src.to_string(), no, src_col));
                    push_block(
                        &mut current,
                        &mut quiz,
                        &section,
                        Block::Image {
                            src: src.to_string(),
                            alt,
                        },
                    );
                }
                None => {
                    if section == Section::Front {
                        self.err(
                            no,
                            1,
                            2,
                            "text before the first scene",
                            "start a scene with `# Title {#id}`",
                        );
                    } else {
                        paragraph.push((no, line));
                    }
                }
            }
        }
        self.flush_paragraph(&mut paragraph, &mut current, &mut quiz, &section);
        if let Some(s) = current.take() {
            self.finish_scene(s, &mut scenes);
        }
        self.report_english();

        if objectives.is_none() {
            self.file_err("the script has no `objectives` block", "add `::: objectives` with a bullet list of what the learner will learn, above the first scene");
        }
        if remember.is_none() {
            self.file_err(
                "the script has no `remember` block",
                "add `::: remember` with a bullet list of what to remember, above the first scene",
            );
        }
        if scenes.is_empty() {
            self.file_err(
                "the script has no scenes",
                "start each page with a heading such as `# Why it matters {#why}`",
            );
        }
        if scenes.len() > 12 {
            let line = scenes[12].line;
            self.err(
                line,
                1,
                1,
                format!("{} scenes: a module has at most 12", scenes.len()),
                "split the module, or merge scenes: modules should take 3–5 minutes",
            );
        }
        match &quiz {
            None => self.file_err("the script has no quiz", "add a last scene marked `.quiz`, e.g. `# Check what you know {#quiz .quiz}`, with `::: question` blocks"),
            Some(q) if q.questions.is_empty() => {
                let line = q.line;
                self.err(line, 1, 1, "the quiz has no questions", "add `::: question single {#q1}` blocks under the quiz heading");
            }
            Some(q) if q.questions.len() > 12 => {
                let line = q.line;
                self.err(line, 1, 1, format!("the quiz has {} questions: at most 12", q.questions.len()), "keep the quiz short: 5–8 questions");
            }
            _ => {}
        }
        let script = match (objectives, remember, quiz) {
            (Some(objectives), Some(remember), Some(quiz))
                if !self.diags.iter().any(|d| d.is_error()) =>
            {
                Some(Script {
                    locale: self.locale,
                    objectives,
                    remember,
                    scenes,
                    quiz,
                })
            }
            _ => None,
        };
        let images = std::mem::take(&mut self.images);
        (Parsed { script, images }, self.diags)
    }

    /// Welsh running text that is English (left untranslated, or the whole
    /// script copied from `en.md`) is an error: learners choosing Welsh must
    /// get Welsh.
    fn report_english(&mut self) {
        let found = std::mem::take(&mut self.english);
        for (line, col, sentence) in found.iter().take(ENGLISH_SHOWN) {
            self.err(
                *line,
                *col,
                sentence.chars().count().min(60),
                format!("this looks like English in the Welsh script: “{sentence}”"),
                "translate it into Welsh (docs/welsh-style.md); a name or title in English is fine when the sentence around it is Welsh",
            );
        }
        if let Some((line, col, _)) = found.get(ENGLISH_SHOWN) {
            self.err(
                *line,
                *col,
                1,
                format!(
                    "{} more sentences look English: most of this Welsh script is English",
                    found.len() - ENGLISH_SHOWN
                ),
                "is cy.md a copy of en.md? Write the Welsh script in Welsh: learners who choose Welsh must get Welsh throughout",
            );
        }
    }

    /// A true-false question's options are the language's own labels, in
    /// order: "True", "False" in English and "Cywir", "Anghywir" in Welsh.
    fn true_false_labels(&mut self, options: &[RawOption<'_>]) {
        let labels = match self.locale {
            Locale::En => ["True", "False"],
            Locale::Cy => ["Cywir", "Anghywir"],
        };
        for ((lno, _, text, _), want) in options.iter().zip(labels) {
            let got: String = text
                .iter()
                .map(|i| match i {
                    Inline::Text { text }
                    | Inline::Strong { text }
                    | Inline::Emphasis { text }
                    | Inline::Link { text, .. } => text.as_str(),
                })
                .collect();
            if got.trim().trim_end_matches('.') != want {
                let line = self.lines.get(lno - 1).map(|l| l.text).unwrap_or("");
                let col = line
                    .find(']')
                    .map(|b| line[..b].chars().count() + 3)
                    .unwrap_or(1);
                self.err(
                    *lno,
                    col,
                    got.chars().count().max(1),
                    format!("a true-false option reads “{got}”"),
                    format!(
                        "true-false options are “{}” then “{}” in this language: write `{want}`",
                        labels[0], labels[1]
                    ),
                );
            }
        }
    }

    fn finish_scene(&mut self, scene: Scene, scenes: &mut Vec<Scene>) {
        if scene.blocks.is_empty() {
            self.err(
                scene.line,
                1,
                1,
                format!("scene `{}` is empty", scene.id),
                "write some narration under the heading, or remove the scene",
            );
        }
        scenes.push(scene);
    }

    fn flush_paragraph(
        &mut self,
        para: &mut Vec<(usize, &str)>,
        current: &mut Option<Scene>,
        quiz: &mut Option<Quiz>,
        section: &Section,
    ) {
        if para.is_empty() {
            return;
        }
        let (first_no, _) = para[0];
        let joined = para
            .iter()
            .map(|(_, t)| t.trim())
            .collect::<Vec<_>>()
            .join(" ");
        let col = para[0].1.len() - para[0].1.trim_start().len() + 1;
        para.clear();
        let text = self.inline(&joined, first_no, col);
        push_block(current, quiz, section, Block::Paragraph { text });
    }

    /// Reads the lines of a `:::` block up to its closing `:::`, returning them.
    /// The opening line has been consumed.
    fn read_block(&mut self, open_no: usize) -> Option<Vec<(usize, &'a str)>> {
        let mut body = Vec::new();
        while self.pos < self.lines.len() {
            let l = &self.lines[self.pos];
            self.pos += 1;
            let t = l.text.trim_end();
            if t == ":::" {
                return Some(body);
            }
            if t.starts_with(":::") {
                let no = l.no;
                self.err(
                    no,
                    1,
                    3,
                    "a block opened inside another block",
                    format!("close the block opened on line {open_no} with a line `:::` first"),
                );
                // Treat the rest as belonging to the new block: rewind one line.
                self.pos -= 1;
                return None;
            }
            body.push((l.no, l.text));
        }
        self.err(
            open_no,
            1,
            3,
            "this block is never closed",
            "add a line with just `:::` where the block ends",
        );
        None
    }

    fn list_block(&mut self, kind: &str, body: &[(usize, &str)], open_no: usize) -> Vec<Text> {
        let mut items = Vec::new();
        for &(no, raw) in body {
            let t = raw.trim_end();
            if t.trim().is_empty() {
                continue;
            }
            match is_list_item(t) {
                Some((_, start)) => items.push(self.inline(&t[start..], no, start + 1)),
                None => self.err(
                    no,
                    1,
                    t.chars().count().min(40),
                    format!("`{kind}` holds a bullet list"),
                    "start each line with `- `",
                ),
            }
        }
        if items.is_empty() {
            self.err(
                open_no,
                5,
                kind.len(),
                format!("the `{kind}` block is empty"),
                "add at least one bullet `- …`",
            );
        }
        items
    }

    fn paragraphs(&mut self, body: &[(usize, &str)], kind: &str, open_no: usize) -> Vec<Text> {
        let mut out = Vec::new();
        let mut cur: Vec<(usize, &str)> = Vec::new();
        let flush = |p: &mut Self, cur: &mut Vec<(usize, &str)>, out: &mut Vec<Text>| {
            if cur.is_empty() {
                return;
            }
            let joined = cur
                .iter()
                .map(|(_, t)| t.trim())
                .collect::<Vec<_>>()
                .join(" ");
            let no = cur[0].0;
            cur.clear();
            out.push(p.inline(&joined, no, 1));
        };
        for &(no, raw) in body {
            if raw.trim().is_empty() {
                flush(self, &mut cur, &mut out);
            } else {
                cur.push((no, raw));
            }
        }
        flush(self, &mut cur, &mut out);
        if out.is_empty() {
            self.err(
                open_no,
                5,
                kind.len(),
                format!("the `{kind}` block is empty"),
                "write its text between the opening and closing `:::`",
            );
        }
        out
    }

    fn dialogue(&mut self, body: &[(usize, &str)]) -> Vec<DialogueLine> {
        let mut out = Vec::new();
        for &(no, raw) in body {
            let t = raw.trim();
            if t.is_empty() {
                continue;
            }
            let parsed = t.strip_prefix("**").and_then(|r| {
                let end = r.find("**")?;
                let name = r[..end].trim_end_matches(':').trim();
                let rest = r[end + 2..].trim_start();
                let rest = if r[..end].ends_with(':') {
                    rest
                } else {
                    rest.strip_prefix(':')?.trim_start()
                };
                Some((name.to_string(), rest))
            });
            match parsed {
                Some((speaker, rest)) if !speaker.is_empty() && !rest.is_empty() => {
                    let col = raw.len() - raw.trim_start().len() + t.len() - rest.len() + 1;
                    let text = self.inline(rest, no, col);
                    out.push(DialogueLine { speaker, text });
                }
                _ => self.err(
                    no,
                    1,
                    t.chars().count().min(40),
                    "a dialogue line needs a speaker",
                    "write each line as `**Name:** what they say`",
                ),
            }
        }
        out
    }

    fn heading_attrs(
        &mut self,
        text: &str,
        no: usize,
        level: usize,
    ) -> (String, String, Vec<String>) {
        let mut title = text.to_string();
        let mut id = None;
        let mut classes = Vec::new();
        if let Some(open) = text.rfind('{') {
            if text.ends_with('}') {
                let attrs = &text[open + 1..text.len() - 1];
                title = text[..open].trim_end().to_string();
                for a in attrs.split_whitespace() {
                    if let Some(i) = a.strip_prefix('#') {
                        id = Some(i.to_string());
                    } else if let Some(c) = a.strip_prefix('.') {
                        classes.push(c.to_string());
                    } else {
                        let col = level + 1 + text[..open].chars().count() + 1;
                        self.err(
                            no,
                            col,
                            attrs.chars().count() + 2,
                            format!("unknown heading attribute `{a}`"),
                            "use `{#scene-id}` for the id and `.quiz` to mark the quiz",
                        );
                    }
                }
            }
        }
        let col = level + 2;
        let title = self.substitute(&title, no, col);
        let id = match id {
            Some(i) if pecyn_core::is_slug(&i) => i,
            Some(i) => {
                let col = level
                    + 1
                    + text
                        .rfind('{')
                        .map(|o| text[..o].chars().count())
                        .unwrap_or(0)
                    + 2;
                self.err(no, col, i.chars().count() + 1, format!("`{i}` is not a valid scene id"), "use lower-case letters, digits and hyphens, starting with a letter, e.g. `{#why-it-matters}`");
                i
            }
            None => {
                let col = level + 1 + text.chars().count() + 1;
                self.err(no, col, 1, "this scene has no id", "add an id in braces at the end of the heading, e.g. `# Why it matters {#why}`; use the same id in en.md and cy.md");
                format!("scene-{no}")
            }
        };
        if title.trim().is_empty() {
            self.err(
                no,
                1,
                level,
                "a scene with no title",
                "write the title after the `# `",
            );
        }
        if let Some(first) = self.scene_ids.get(&id).copied() {
            self.err(
                no,
                1,
                text.chars().count() + level + 1,
                format!("duplicate scene id `{id}`"),
                format!("scene ids must be unique; `{id}` is already used on line {first}"),
            );
        } else {
            self.scene_ids.insert(id.clone(), no);
        }
        (title, id, classes)
    }

    fn question(
        &mut self,
        block: &str,
        args: &str,
        no: usize,
        body: &[(usize, &str)],
    ) -> Option<Question> {
        let open_line = self.lines[no - 1].text;
        let args_col = open_line
            .find(args)
            .map(|i| open_line[..i].chars().count() + 1)
            .unwrap_or(5);
        let mut parts = args.split_whitespace();
        let kind_word = parts.next().unwrap_or("");
        let kind = match kind_word {
            "single" => Some(QuestionKind::Single),
            "multiple" => Some(QuestionKind::Multiple),
            "true-false" => Some(QuestionKind::TrueFalse),
            "" => {
                self.err(
                    no,
                    1,
                    open_line.chars().count(),
                    format!("this `{block}` has no question type"),
                    format!("write `::: {block} single {{#id}}` (or `multiple`, `true-false`)"),
                );
                None
            }
            other => {
                self.err(
                    no,
                    args_col,
                    other.chars().count(),
                    format!("unknown question type `{other}`"),
                    "use `single`, `multiple` or `true-false`",
                );
                None
            }
        };
        let id = match parts.next() {
            Some(a) if a.starts_with("{#") && a.ends_with('}') => {
                let id = &a[2..a.len() - 1];
                if !pecyn_core::is_slug(id) {
                    let col = open_line.find(a).map(|i| i + 1).unwrap_or(1);
                    self.err(no, col, a.len(), format!("`{id}` is not a valid question id"), "use lower-case letters, digits and hyphens, starting with a letter, e.g. `{#q-strong-password}`");
                }
                Some(id.to_string())
            }
            _ => {
                self.err(no, open_line.chars().count() + 1, 1, format!("this `{block}` has no id"), format!("add an id after the type, e.g. `::: {block} {} {{#q1}}`; use the same id in en.md and cy.md", if kind_word.is_empty() { "single" } else { kind_word }));
                None
            }
        };
        if let Some(id) = &id {
            if let Some(first) = self.question_ids.get(id).copied() {
                let col = open_line.find(id.as_str()).map(|i| i + 1).unwrap_or(1);
                self.err(no, col, id.len(), format!("duplicate question id `{id}`"), format!("question ids must be unique in the module; `{id}` is already used on line {first}"));
            } else {
                self.question_ids.insert(id.clone(), no);
            }
        }

        // Prompt: lines before the first option.
        let mut prompt_lines: Vec<(usize, &str)> = Vec::new();
        let mut options: Vec<RawOption<'_>> = Vec::new();
        for &(lno, raw) in body {
            let t = raw.trim_end();
            let trimmed = t.trim_start();
            if let Some(fb) = trimmed.strip_prefix('>') {
                match options.last_mut() {
                    Some(opt) if t.starts_with(' ') || t.starts_with('\t') => {
                        opt.3.push((lno, fb.trim()))
                    }
                    Some(_) => self.err(
                        lno,
                        1,
                        1,
                        "feedback must be indented under its option",
                        "indent the feedback line by two spaces: `  > …`",
                    ),
                    None => self.err(
                        lno,
                        1,
                        1,
                        "feedback before any option",
                        "put feedback on the line under the option it belongs to",
                    ),
                }
                continue;
            }
            if let Some(rest) = t.strip_prefix("- [") {
                let (correct, text) = match (rest.get(..2), rest.get(2..)) {
                    (Some("x]") | Some("X]"), Some(text)) => (true, text),
                    (Some(" ]"), Some(text)) => (false, text),
                    _ => {
                        self.err(
                            lno,
                            1,
                            t.chars().count().min(6),
                            "an option must start with `- [ ]` or `- [x]`",
                            "write `- [x] …` for a correct option and `- [ ] …` for a wrong one",
                        );
                        continue;
                    }
                };
                let text = text.trim();
                if text.is_empty() {
                    self.err(
                        lno,
                        1,
                        5,
                        "an option with no text",
                        "write the option after the `]`",
                    );
                }
                let col = t.len() - text.len() + 1;
                let parsed = self.inline(text, lno, col);
                options.push((lno, correct, parsed, Vec::new()));
                continue;
            }
            if trimmed.starts_with("- ") || trimmed.starts_with("* ") {
                self.err(
                    lno,
                    1,
                    2,
                    "an option needs a box: `[ ]` or `[x]`",
                    "write `- [x] …` for a correct option and `- [ ] …` for a wrong one",
                );
                continue;
            }
            if trimmed.is_empty() {
                continue;
            }
            if options.is_empty() {
                prompt_lines.push((lno, trimmed));
            } else {
                self.err(lno, 1, trimmed.chars().count().min(40), "text after the options", "feedback lines start with two spaces and `>`; the question text goes above the options");
            }
        }
        if prompt_lines.is_empty() {
            self.err(
                no,
                1,
                3,
                "a question with no question text",
                "write the question on the line after the opening `:::`",
            );
        }
        let prompt_text = prompt_lines
            .iter()
            .map(|(_, t)| *t)
            .collect::<Vec<_>>()
            .join(" ");
        let prompt = match prompt_lines.first() {
            Some(&(pno, _)) => self.inline(&prompt_text, pno, 1),
            None => Vec::new(),
        };
        if kind == Some(QuestionKind::TrueFalse) && options.len() == 2 {
            self.true_false_labels(&options);
        }
        let mut answer_options = Vec::new();
        for (lno, correct, text, fb) in options {
            if fb.is_empty() {
                self.err(lno, 1, 5, "this option has no feedback", "add a line under it starting with two spaces and `>` that says why it is right or wrong");
            }
            let fb_text = fb.iter().map(|(_, t)| *t).collect::<Vec<_>>().join(" ");
            let feedback = match fb.first() {
                Some(&(fno, _)) => self.inline(&fb_text, fno, 1),
                None => Vec::new(),
            };
            answer_options.push(AnswerOption {
                text,
                correct,
                feedback,
            });
        }
        let n = answer_options.len();
        let right = answer_options.iter().filter(|o| o.correct).count();
        let what = if block == "question" {
            "quiz question"
        } else {
            "knowledge check"
        };
        if let Some(kind) = kind {
            let (min, max) = match kind {
                QuestionKind::Single => (2, 6),
                QuestionKind::Multiple => (2, 8),
                QuestionKind::TrueFalse => (2, 2),
            };
            if n < min || n > max {
                let help = if kind == QuestionKind::TrueFalse {
                    "a true-false question has exactly two options: first True, then False"
                        .to_string()
                } else {
                    format!("give between {min} and {max} options")
                };
                self.err(
                    no,
                    1,
                    3,
                    format!(
                        "the {what} `{}` has {n} option{}",
                        id.as_deref().unwrap_or("?"),
                        if n == 1 { "" } else { "s" }
                    ),
                    help,
                );
            }
            if right == 0 && n > 0 {
                self.err(
                    no,
                    1,
                    3,
                    format!("the {what} has no correct answer"),
                    "mark the right option with `- [x]`",
                );
            } else if right > 1 && kind != QuestionKind::Multiple {
                self.err(
                    no,
                    1,
                    3,
                    format!(
                        "the {what} has {right} correct answers but is `{}`",
                        kind.name()
                    ),
                    "mark exactly one option `[x]`, or make it `multiple`",
                );
            }
        }
        Some(Question {
            id: id?,
            kind: kind?,
            prompt,
            options: answer_options,
            line: no,
        })
    }
}

/// An option as read: (line, correct, text, feedback lines).
type RawOption<'a> = (usize, bool, Text, Vec<(usize, &'a str)>);

fn push_block(
    current: &mut Option<Scene>,
    quiz: &mut Option<Quiz>,
    section: &Section,
    block: Block,
) {
    match section {
        Section::Quiz => {
            if let Some(q) = quiz.as_mut() {
                q.intro.push(block);
            }
        }
        _ => {
            if let Some(s) = current.as_mut() {
                s.blocks.push(block);
            }
        }
    }
}

fn split_kind(rest: &str) -> (&str, &str) {
    match rest.split_once(char::is_whitespace) {
        Some((k, a)) => (k, a.trim()),
        None => (rest, ""),
    }
}

/// If `line` is a list item, whether it is ordered and where its text starts (byte offset).
fn is_list_item(line: &str) -> Option<(bool, usize)> {
    if line.starts_with("- ") || line.starts_with("* ") {
        return Some((false, 2));
    }
    let digits = line.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0 && line[digits..].starts_with(". ") {
        return Some((true, digits + 2));
    }
    None
}

/// `![alt](src)` on its own → (alt, src).
fn parse_image(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix("![")?;
    let close = rest.find("](")?;
    let alt = &rest[..close];
    let after = &rest[close + 2..];
    let src = after.strip_suffix(')')?;
    Some((alt, src.trim()))
}
