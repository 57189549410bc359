//! Reading a module folder: `module.toml`, `en.md`, `cy.md` and the images they use.

use crate::model::*;
use crate::parse::Parser;
use crate::placeholders::Placeholders;
use pecyn_core::{ascii_file_name, is_slug, Diagnostic, Locale};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};
use toml::Spanned;
use unicode_normalization::UnicodeNormalization;

/// Longest title LMSs reliably show and store.
pub const MAX_TITLE: usize = 200;
/// LOM description limit that LMSs enforce.
pub const MAX_SUMMARY: usize = 1000;
/// Largest script or module.toml read (bytes).
pub const MAX_FILE: u64 = 1024 * 1024;
/// Largest image copied into a package (bytes).
pub const MAX_ASSET: u64 = 5 * 1024 * 1024;

const IMAGE_EXTS: [&str; 5] = ["svg", "png", "jpg", "jpeg", "webp"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    id: Option<Spanned<String>>,
    version: Option<Spanned<String>>,
    collection: Option<Spanned<String>>,
    minutes: Option<Spanned<i64>>,
    pass_mark: Option<Spanned<i64>>,
    review_status: Option<Spanned<String>>,
    title: Option<Spanned<RawPerLang>>,
    summary: Option<Spanned<RawPerLang>>,
    contributors: Option<Spanned<Vec<Contributor>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPerLang {
    en: Option<Spanned<String>>,
    cy: Option<Spanned<String>>,
}

/// Reads a file as UTF-8 text, NFC-normalised, reporting invalid bytes at their line and column.
fn read_text(path: &Path, shown: &str, diags: &mut Vec<Diagnostic>) -> Option<String> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(_) => {
            diags.push(Diagnostic::error(
                shown,
                0,
                0,
                "file not found",
                format!("create `{shown}`; see docs/authoring.md"),
            ));
            return None;
        }
    };
    if meta.len() > MAX_FILE {
        diags.push(Diagnostic::error(
            shown,
            0,
            0,
            format!("the file is {} bytes; the limit is {MAX_FILE}", meta.len()),
            "a 3–5 minute module is far smaller: split it",
        ));
        return None;
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            diags.push(Diagnostic::error(
                shown,
                0,
                0,
                format!("cannot read the file: {e}"),
                "check the file's permissions",
            ));
            return None;
        }
    };
    match String::from_utf8(bytes) {
        Ok(s) => {
            let s = s.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(s);
            let s = s.replace("\r\n", "\n");
            if let Some((at, c)) = s
                .char_indices()
                .find(|(_, c)| c.is_control() && *c != '\n' && *c != '\t')
            {
                let (line, col) = line_col(&s, at);
                let shown_line: String = source_line(&s, line)
                    .chars()
                    .map(|c| {
                        if c.is_control() && c != '\t' {
                            '\u{fffd}'
                        } else {
                            c
                        }
                    })
                    .collect();
                diags.push(
                    Diagnostic::error(
                        shown,
                        line,
                        col,
                        format!(
                            "the file contains the invisible control character U+{:04X}",
                            c as u32
                        ),
                        "delete it (it is shown as \u{fffd} above): control characters would be copied into the page as they are; retype the text around it if you cannot see it",
                    )
                    .with_source(shown_line),
                );
                return None;
            }
            Some(s.nfc().collect())
        }
        Err(e) => {
            let bytes = e.as_bytes();
            let good = e.utf8_error().valid_up_to();
            let before = String::from_utf8_lossy(&bytes[..good]);
            let line = before.matches('\n').count() + 1;
            let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
            let col = before[line_start..].chars().count() + 1;
            let line_end = bytes[good..]
                .iter()
                .position(|b| *b == b'\n')
                .map(|p| good + p)
                .unwrap_or(bytes.len());
            let text = String::from_utf8_lossy(&bytes[line_start..line_end]).into_owned();
            diags.push(
                Diagnostic::error(
                    shown,
                    line,
                    col,
                    "the file is not valid UTF-8",
                    "save the file as UTF-8 (in most editors: Save As → Encoding → UTF-8)",
                )
                .with_source(text),
            );
            None
        }
    }
}

fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    (line, before[start..].chars().count() + 1)
}

fn source_line(src: &str, line: usize) -> String {
    src.lines()
        .nth(line.saturating_sub(1))
        .unwrap_or("")
        .to_string()
}

struct TomlDiag<'a> {
    src: &'a str,
    shown: &'a str,
    diags: &'a mut Vec<Diagnostic>,
}

impl TomlDiag<'_> {
    fn at(
        &mut self,
        span: std::ops::Range<usize>,
        msg: impl Into<String>,
        help: impl Into<String>,
    ) {
        let (line, col) = line_col(self.src, span.start);
        let text = source_line(self.src, line);
        let len = self.src[span.start.min(self.src.len())..span.end.min(self.src.len())]
            .lines()
            .next()
            .map(|l| l.chars().count())
            .unwrap_or(1);
        self.diags.push(
            Diagnostic::error(self.shown, line, col, msg, help)
                .with_len(len)
                .with_source(text),
        );
    }

    fn missing(&mut self, field: &str, example: &str) {
        self.diags.push(Diagnostic::error(
            self.shown,
            0,
            0,
            format!("`{field}` is missing"),
            format!("add it, e.g. `{example}`; see docs/authoring.md"),
        ));
    }
}

fn per_lang(
    td: &mut TomlDiag<'_>,
    field: &str,
    value: Option<Spanned<RawPerLang>>,
    max: usize,
) -> BTreeMap<Locale, String> {
    let mut out = BTreeMap::new();
    let Some(value) = value else {
        td.missing(field, &format!("[{field}] en = \"…\" cy = \"…\""));
        return out;
    };
    let span = value.span();
    let v = value.into_inner();
    for (locale, s) in [(Locale::En, v.en), (Locale::Cy, v.cy)] {
        match s {
            None => td.at(
                span.clone(),
                format!("`{field}` has no `{}` text", locale.code()),
                format!("add `{} = \"…\"` under `[{field}]`", locale.code()),
            ),
            Some(s) => {
                let sp = s.span();
                let text: String = s.into_inner().trim().nfc().collect();
                let n = text.chars().count();
                if text.is_empty() {
                    td.at(
                        sp,
                        format!("`{field}.{}` is empty", locale.code()),
                        "write the text between the quotes",
                    );
                } else if n > max {
                    td.at(
                        sp,
                        format!(
                            "`{field}.{}` is {n} characters; the limit is {max}",
                            locale.code()
                        ),
                        "shorten it: LMSs cut off or reject longer text",
                    );
                } else {
                    out.insert(locale, text);
                }
            }
        }
    }
    out
}

fn read_meta(dir: &Path, folder_id: &str, diags: &mut Vec<Diagnostic>) -> Option<ModuleMeta> {
    let path = dir.join("module.toml");
    let shown = path.display().to_string();
    let src = read_text(&path, &shown, diags)?;
    let raw: RawMeta = match toml::from_str(&src) {
        Ok(r) => r,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let msg = e.message().to_string();
            let help = if msg.contains("unknown field") {
                "remove or correct the field; the fields are listed in docs/authoring.md"
                    .to_string()
            } else {
                "fix the TOML syntax: strings in double quotes, one `key = value` per line"
                    .to_string()
            };
            let mut td = TomlDiag {
                src: &src,
                shown: &shown,
                diags,
            };
            td.at(span, msg, help);
            return None;
        }
    };
    let before = diags.len();
    let mut td = TomlDiag {
        src: &src,
        shown: &shown,
        diags,
    };
    let id = match raw.id {
        None => {
            td.missing("id", &format!("id = \"{folder_id}\""));
            String::new()
        }
        Some(id) => {
            let span = id.span();
            let id = id.into_inner();
            if id != folder_id {
                td.at(
                    span,
                    format!("the id `{id}` does not match the folder name `{folder_id}`"),
                    format!("set `id = \"{folder_id}\"`, or rename the folder"),
                );
            } else if !is_slug(&id) {
                td.at(
                    span,
                    format!("`{id}` is not a valid module id"),
                    "use lower-case letters, digits and hyphens, starting with a letter",
                );
            }
            id
        }
    };
    let version = match raw.version {
        None => {
            td.missing("version", "version = \"1.0.0\"");
            String::new()
        }
        Some(v) => {
            let span = v.span();
            let v = v.into_inner();
            let ok = !v.is_empty()
                && v.len() <= 20
                && v.split('.')
                    .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
            if !ok {
                td.at(
                    span,
                    format!("`{v}` is not a version number"),
                    "use numbers separated by dots, e.g. `1.0.0`",
                );
            }
            v
        }
    };
    let collection = match raw.collection {
        None => {
            td.missing("collection", "collection = \"cyber\"");
            None
        }
        Some(c) => {
            let span = c.span();
            match c.as_ref().as_str() {
                "cyber" => Some(Collection::Cyber),
                "data-protection" => Some(Collection::DataProtection),
                "information-governance" => Some(Collection::InformationGovernance),
                other => {
                    td.at(
                        span,
                        format!("unknown collection `{other}`"),
                        "use `cyber`, `data-protection` or `information-governance`",
                    );
                    None
                }
            }
        }
    };
    let minutes = match raw.minutes {
        None => {
            td.missing("minutes", "minutes = 4");
            0
        }
        Some(m) => {
            let span = m.span();
            let m = *m.as_ref();
            if !(1..=60).contains(&m) {
                td.at(
                    span,
                    format!("`minutes` is {m}; it must be between 1 and 60"),
                    "give the estimated minutes to complete the module, e.g. `minutes = 4`",
                );
            }
            m.clamp(0, 60) as u32
        }
    };
    let pass_mark = match raw.pass_mark {
        None => {
            td.missing("pass_mark", "pass_mark = 80");
            0
        }
        Some(p) => {
            let span = p.span();
            let p = *p.as_ref();
            if !(0..=100).contains(&p) {
                td.at(
                    span,
                    format!("the pass mark is {p}; it must be between 0 and 100"),
                    "give the percentage needed to pass the quiz, e.g. `pass_mark = 80`",
                );
            }
            p.clamp(0, 100) as u8
        }
    };
    let review_status = match raw.review_status {
        None => {
            td.missing("review_status", "review_status = \"draft\"");
            None
        }
        Some(r) => {
            let span = r.span();
            match r.as_ref().as_str() {
                "draft" => {
                    let (line, col) = line_col(td.src, span.start);
                    let text = source_line(td.src, line);
                    td.diags.push(
                        Diagnostic::error(
                            td.shown,
                            line,
                            col,
                            "this module is a draft: its packages say \"draft — not for release\" on every page",
                            "after review, set `review_status = \"in-review\"` or `\"approved\"`",
                        )
                        .warning()
                        .with_len(span.len().max(1))
                        .with_source(text),
                    );
                    Some(ReviewStatus::Draft)
                }
                "in-review" => Some(ReviewStatus::InReview),
                "approved" => Some(ReviewStatus::Approved),
                other => {
                    td.at(
                        span,
                        format!("unknown review status `{other}`"),
                        "use `draft`, `in-review` or `approved`",
                    );
                    None
                }
            }
        }
    };
    let title = per_lang(&mut td, "title", raw.title, MAX_TITLE);
    let summary = per_lang(&mut td, "summary", raw.summary, MAX_SUMMARY);
    let contributors = match raw.contributors {
        None => {
            td.missing(
                "contributors",
                "[[contributors]] name = \"…\" organisation = \"…\"",
            );
            Vec::new()
        }
        Some(c) => {
            let span = c.span();
            let c = c.into_inner();
            if c.is_empty() {
                td.at(
                    span.clone(),
                    "no contributors",
                    "add at least one `[[contributors]]` with `name` and `organisation`",
                );
            }
            for (i, person) in c.iter().enumerate() {
                if person.name.trim().is_empty() || person.organisation.trim().is_empty() {
                    td.at(
                        span.clone(),
                        format!("contributor {} has an empty name or organisation", i + 1),
                        "fill in both `name` and `organisation`",
                    );
                }
            }
            c
        }
    };
    if diags[before..].iter().any(|d| d.is_error()) {
        return None;
    }
    Some(ModuleMeta {
        id,
        version,
        collection: collection?,
        minutes,
        pass_mark,
        review_status: review_status?,
        title,
        summary,
        contributors,
    })
}

/// Resolves an image path inside the module folder; `None` with a diagnostic if it is unsafe or missing.
fn resolve_asset(
    dir: &Path,
    src: &str,
    shown: &str,
    line: usize,
    col: usize,
    line_text: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Asset> {
    let mut err = |msg: String, help: &str| {
        diags.push(
            Diagnostic::error(shown, line, col, msg, help)
                .with_len(src.chars().count())
                .with_source(line_text),
        );
    };
    if src.contains("://") || src.starts_with("data:") || src.contains(':') {
        err(format!("the image `{src}` is not a file in the module folder"), "put the image in the module's `images/` folder and write its path, e.g. `images/words.svg`: packages must not load anything from the internet");
        return None;
    }
    if src.contains('\\') {
        err(
            format!("the image path `{src}` uses a backslash"),
            "use forward slashes, e.g. `images/words.svg`",
        );
        return None;
    }
    let rel = Path::new(src);
    let mut depth: i32 = 0;
    let mut parts: Vec<String> = Vec::new();
    // The same path without `.` and `..`, as written (not folded to ASCII).
    let mut normal: Vec<&std::ffi::OsStr> = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(p) => {
                depth += 1;
                parts.push(ascii_file_name(&p.to_string_lossy()));
                normal.push(p);
            }
            Component::CurDir => {}
            Component::ParentDir => {
                depth -= 1;
                parts.pop();
                normal.pop();
                if depth < 0 {
                    err(
                        format!("the image path `{src}` escapes the module folder"),
                        "keep images inside the module folder, e.g. `images/words.svg`",
                    );
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => {
                err(
                    format!("the image path `{src}` is absolute"),
                    "write the path relative to the module folder, e.g. `images/words.svg`",
                );
                return None;
            }
        }
    }
    let ext = rel
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if !IMAGE_EXTS.contains(&ext.as_str()) {
        err(
            format!("`{src}` is not a supported image type"),
            "use .svg, .png, .jpg or .webp",
        );
        return None;
    }
    // Every step from the module folder to the file must be a real folder
    // or file: a symlinked `images/` would read from anywhere.
    let mut source = dir.to_path_buf();
    for (i, p) in normal.iter().enumerate() {
        source.push(p);
        if std::fs::symlink_metadata(&source).is_ok_and(|m| m.file_type().is_symlink()) {
            let msg = if i + 1 == normal.len() {
                format!("the image `{src}` is a symbolic link")
            } else {
                let link: std::path::PathBuf = normal[..=i].iter().collect();
                format!(
                    "the image `{src}` is reached through `{}`, a symbolic link",
                    link.display()
                )
            };
            err(msg, "copy the real files into the module folder");
            return None;
        }
    }
    match std::fs::symlink_metadata(&source) {
        Ok(m) if !m.is_file() => {
            err(
                format!("the image `{src}` is not a file"),
                "point to an image file",
            );
            None
        }
        Ok(m) if m.len() > MAX_ASSET => {
            err(
                format!(
                    "the image `{src}` is {} bytes; the limit is {MAX_ASSET}",
                    m.len()
                ),
                "compress it: learners on slow connections must be able to load the module",
            );
            None
        }
        Ok(_) => Some(Asset {
            path: parts.join("/"),
            source,
        }),
        Err(_) => {
            err(
                format!("the image `{src}` does not exist"),
                "check the file name and that the file is in the module folder",
            );
            None
        }
    }
}

/// Checks that the Welsh script lines up with the English one.
fn align(
    en: &Script,
    other: &Script,
    en_shown: &str,
    shown: &str,
    src: &str,
    diags: &mut Vec<Diagnostic>,
) {
    let at = |line: usize, msg: String, help: String| {
        Diagnostic::error(shown, line, 1, msg, help).with_source(source_line(src, line))
    };
    let en_ids: Vec<&str> = en.scenes.iter().map(|s| s.id.as_str()).collect();
    let other_ids: Vec<&str> = other.scenes.iter().map(|s| s.id.as_str()).collect();
    if en_ids != other_ids {
        for s in &en.scenes {
            if !other_ids.contains(&s.id.as_str()) {
                diags.push(Diagnostic::error(
                    shown,
                    0,
                    0,
                    format!(
                        "scene `{}` is in {en_shown} (line {}) but not in this script",
                        s.id, s.line
                    ),
                    format!(
                        "add `# … {{#{}}}` in the same place, or remove it from {en_shown}",
                        s.id
                    ),
                ));
            }
        }
        for s in &other.scenes {
            if !en_ids.contains(&s.id.as_str()) {
                diags.push(at(
                    s.line,
                    format!("scene `{}` is not in {en_shown}", s.id),
                    format!("use the same scene ids as {en_shown}, in the same order"),
                ));
            }
        }
        let common_en: Vec<&str> = en_ids
            .iter()
            .copied()
            .filter(|i| other_ids.contains(i))
            .collect();
        let common_other: Vec<&str> = other_ids
            .iter()
            .copied()
            .filter(|i| en_ids.contains(i))
            .collect();
        if common_en != common_other {
            diags.push(Diagnostic::error(
                shown,
                0,
                0,
                format!("the scenes are in a different order from {en_shown}"),
                format!("order them as in {en_shown}: {}", en_ids.join(", ")),
            ));
        }
    }
    let checks = |s: &Script| -> Vec<(String, Question)> {
        s.scenes
            .iter()
            .flat_map(|sc| {
                sc.blocks.iter().filter_map(move |b| match b {
                    Block::Check { question } => Some((sc.id.clone(), question.clone())),
                    _ => None,
                })
            })
            .collect()
    };
    let en_checks = checks(en);
    let other_checks = checks(other);
    compare_questions(
        &en_checks,
        &other_checks,
        "knowledge check",
        en_shown,
        shown,
        src,
        diags,
    );
    let en_quiz: Vec<(String, Question)> = en
        .quiz
        .questions
        .iter()
        .map(|q| (en.quiz.id.clone(), q.clone()))
        .collect();
    let other_quiz: Vec<(String, Question)> = other
        .quiz
        .questions
        .iter()
        .map(|q| (other.quiz.id.clone(), q.clone()))
        .collect();
    compare_questions(
        &en_quiz,
        &other_quiz,
        "quiz question",
        en_shown,
        shown,
        src,
        diags,
    );
    if en.quiz.id != other.quiz.id {
        diags.push(at(
            other.quiz.line,
            format!(
                "the quiz id `{}` differs from {en_shown}'s `{}`",
                other.quiz.id, en.quiz.id
            ),
            format!("use `{{#{} .quiz}}`", en.quiz.id),
        ));
    }
}

fn compare_questions(
    en: &[(String, Question)],
    other: &[(String, Question)],
    what: &str,
    en_shown: &str,
    shown: &str,
    src: &str,
    diags: &mut Vec<Diagnostic>,
) {
    let by_id: HashMap<&str, &(String, Question)> =
        other.iter().map(|p| (p.1.id.as_str(), p)).collect();
    let en_ids: Vec<&str> = en.iter().map(|p| p.1.id.as_str()).collect();
    for (scene, q) in en {
        let Some((oscene, oq)) = by_id.get(q.id.as_str()) else {
            diags.push(Diagnostic::error(
                shown,
                0,
                0,
                format!(
                    "the {what} `{}` is in {en_shown} (line {}) but not in this script",
                    q.id, q.line
                ),
                format!(
                    "translate it with the same id `{{#{}}}` in scene `{scene}`",
                    q.id
                ),
            ));
            continue;
        };
        let mut at = |msg: String, help: String| {
            diags.push(
                Diagnostic::error(shown, oq.line, 1, msg, help)
                    .with_source(source_line(src, oq.line)),
            );
        };
        if oscene != scene {
            at(format!("the {what} `{}` is in scene `{oscene}` here but in scene `{scene}` in {en_shown}", q.id), format!("move it into scene `{scene}`"));
        }
        if oq.kind != q.kind {
            at(
                format!(
                    "the {what} `{}` is `{}` here but `{}` in {en_shown}",
                    q.id,
                    oq.kind.name(),
                    q.kind.name()
                ),
                format!("make both `{}`", q.kind.name()),
            );
        }
        if oq.options.len() != q.options.len() {
            at(
                format!(
                    "the {what} `{}` has {} options here but {} in {en_shown} (line {})",
                    q.id,
                    oq.options.len(),
                    q.options.len(),
                    q.line
                ),
                "translate every option, in the same order".to_string(),
            );
        } else {
            let a: Vec<bool> = q.options.iter().map(|o| o.correct).collect();
            let b: Vec<bool> = oq.options.iter().map(|o| o.correct).collect();
            if a != b {
                let show = |v: &[bool]| {
                    v.iter()
                        .enumerate()
                        .filter(|(_, c)| **c)
                        .map(|(i, _)| (i + 1).to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                at(
                    format!(
                        "the {what} `{}` marks option(s) {} correct here but {} in {en_shown}",
                        q.id,
                        show(&b),
                        show(&a)
                    ),
                    "mark the same options `[x]` in both languages, in the same order".to_string(),
                );
            }
        }
    }
    for (_, q) in other {
        if !en_ids.contains(&q.id.as_str()) {
            diags.push(
                Diagnostic::error(
                    shown,
                    q.line,
                    1,
                    format!("the {what} `{}` is not in {en_shown}", q.id),
                    format!("use the same question ids as {en_shown}"),
                )
                .with_source(source_line(src, q.line)),
            );
        }
    }
}

/// Reads and validates one module folder. Returns the module if it has no
/// errors, and every diagnostic found (errors and warnings) either way.
pub fn load_module(dir: &Path, placeholders: &Placeholders) -> (Option<Module>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let folder_id = dir
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !is_slug(&folder_id) {
        diags.push(Diagnostic::error(dir.display().to_string(), 0, 0, format!("`{folder_id}` is not a valid module folder name"), "use lower-case letters, digits and hyphens, starting with a letter, e.g. `modules/special-category-data`"));
        return (None, diags);
    }
    let meta = read_meta(dir, &folder_id, &mut diags);
    let mut scripts = BTreeMap::new();
    let mut sources = BTreeMap::new();
    let mut assets: BTreeMap<String, Asset> = BTreeMap::new();
    for locale in Locale::ALL {
        let path = dir.join(format!("{}.md", locale.code()));
        let shown = path.display().to_string();
        let Some(src) = read_text(&path, &shown, &mut diags) else {
            continue;
        };
        let (parsed, mut ds) = Parser::new(&shown, locale, &src, placeholders).parse();
        diags.append(&mut ds);
        let mut rewrite: HashMap<String, String> = HashMap::new();
        for (img, line, col) in &parsed.images {
            let line_text = source_line(&src, *line);
            if let Some(asset) =
                resolve_asset(dir, img, &shown, *line, *col, &line_text, &mut diags)
            {
                if let Some(existing) = assets.get(&asset.path) {
                    if existing.source != asset.source {
                        diags.push(Diagnostic::error(&shown, *line, *col, format!("two images share the package path `{}`", asset.path), "rename one: names differ only in accented letters, which packages spell in plain ASCII").with_source(line_text));
                        continue;
                    }
                }
                rewrite.insert(img.clone(), asset.path.clone());
                assets.insert(asset.path.clone(), asset);
            }
        }
        if let Some(mut script) = parsed.script {
            for scene in &mut script.scenes {
                for b in &mut scene.blocks {
                    if let Block::Image { src, .. } = b {
                        if let Some(p) = rewrite.get(src) {
                            *src = p.clone();
                        }
                    }
                }
            }
            scripts.insert(locale, script);
        }
        sources.insert(locale, (shown, src));
    }
    if let (Some(en), Some((en_shown, _))) = (scripts.get(&Locale::En), sources.get(&Locale::En)) {
        for locale in Locale::ALL.into_iter().filter(|l| *l != Locale::En) {
            if let (Some(other), Some((shown, src))) = (scripts.get(&locale), sources.get(&locale))
            {
                align(en, other, en_shown, shown, src, &mut diags);
            }
        }
    }
    let has_errors = diags.iter().any(|d| d.is_error());
    match meta {
        Some(meta) if !has_errors && scripts.len() == Locale::ALL.len() => (
            Some(Module {
                meta,
                scripts,
                assets: assets.into_values().collect(),
            }),
            diags,
        ),
        _ => (None, diags),
    }
}

/// Lists module folders (those with a `module.toml`) under `root`, sorted by name.
pub fn discover(root: &Path) -> Result<Vec<PathBuf>, crate::ScriptError> {
    let entries = std::fs::read_dir(root).map_err(|source| crate::ScriptError::ModulesDir {
        path: root.to_path_buf(),
        source,
    })?;
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir() && p.join("module.toml").is_file())
        .collect();
    dirs.sort();
    Ok(dirs)
}
