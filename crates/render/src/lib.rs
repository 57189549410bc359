//! Rendering: a [`pecyn_script::Module`] in one language and variant becomes
//! the in-memory files of a package (HTML pages, CSS, JavaScript, images),
//! through the minijinja templates in `templates/`.
//!
//! Invariant: this crate knows nothing of zips, `imsmanifest.xml` or where
//! output is written. It knows the SCORM version only as a value passed to
//! templates (the runtime script needs to know which API to look for).

mod html;
mod reporting;
mod source;
mod strings;
mod suspend;

pub use reporting::{Reporting, ReportingError, EVENTS_PATH, REPORT_SCRIPT};
pub use strings::Strings;
pub use suspend::{suspend_data_worst_case, SCORM12_SUSPEND_LIMIT};

use minijinja::{Environment, UndefinedBehavior, Value};
use pecyn_core::{Locale, ScormVersion, Variant};
use pecyn_script::{Block, Module, Question, QuestionKind};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The page template every package starts from.
pub const ENTRY_TEMPLATE: &str = "index.html";
/// The file name of the launch page inside a package.
pub const LAUNCH_FILE: &str = "index.html";

/// One file of a package, in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path inside the package: ASCII, forward slashes, relative.
    pub path: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// Why rendering failed.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The templates folder is missing or unreadable.
    #[error("cannot read the templates folder {path}: {source}")]
    TemplatesDir {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A strings file is missing or malformed.
    #[error("{path}: {message}")]
    Strings {
        /// The strings file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A template failed to compile or render.
    #[error("template error: {0:#}")]
    Template(#[from] minijinja::Error),
    /// An asset could not be read.
    #[error("cannot read {path}: {source}")]
    Asset {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Reporting was asked for but the templates have no reporting script.
    #[error(
        "the templates folder has no {0}: it is needed to build packages that report to a tracker"
    )]
    NoReportScript(&'static str),
    /// The module's bookmark could outgrow SCORM 1.2's `suspend_data` limit.
    #[error(
        "module `{module}`: its SCORM 1.2 bookmark (suspend_data) can reach {bytes} characters, over the limit of {limit}; \
         split the module or remove knowledge checks"
    )]
    SuspendDataTooLarge {
        /// The module id.
        module: String,
        /// The worst-case length of its `suspend_data`.
        bytes: usize,
        /// The limit (4,096).
        limit: usize,
    },
}

/// The templates, interface strings and static assets, loaded once and shared
/// by every package of a build.
pub struct Renderer {
    env: Environment<'static>,
    strings: BTreeMap<Locale, Strings>,
    static_files: Vec<OutputFile>,
    /// `reporting/report.js`, if the templates have it.
    report_script: Option<Vec<u8>>,
    /// The tracker packages report to; none by default.
    reporting: Option<Reporting>,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer")
            .field("static_files", &self.static_files.len())
            .finish()
    }
}

impl Renderer {
    /// Loads the templates embedded in the binary with every file of `dir`
    /// laid over them (`index.html` and what it includes, `strings/<lang>.toml`,
    /// `assets/…`, which is copied into each package). `dir` must exist.
    pub fn load(dir: &Path) -> Result<Renderer, RenderError> {
        Renderer::from_files(source::layered(dir)?, dir)
    }

    /// Loads the templates embedded in the binary alone.
    pub fn embedded() -> Result<Renderer, RenderError> {
        Renderer::from_files(source::embedded(), Path::new("(built-in templates)"))
    }

    fn from_files(files: source::Files, origin: &Path) -> Result<Renderer, RenderError> {
        if !files.contains_key(ENTRY_TEMPLATE) {
            return Err(RenderError::TemplatesDir {
                path: origin.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!("no {ENTRY_TEMPLATE} in it; pass --templates DIR"),
                ),
            });
        }
        let files = std::sync::Arc::new(files);
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        let from = files.clone();
        env.set_loader(move |name: &str| {
            Ok(from
                .get(name)
                .map(|b| String::from_utf8_lossy(b).into_owned()))
        });
        // Compile the entry template now, so syntax errors surface once, before any package.
        env.get_template(ENTRY_TEMPLATE)?;
        let mut strings = BTreeMap::new();
        for locale in Locale::ALL {
            let rel = format!("strings/{}.toml", locale.code());
            let path = origin.join(&rel);
            let src = files.get(&rel).ok_or_else(|| RenderError::Strings {
                path: path.clone(),
                message: "missing".to_string(),
            })?;
            strings.insert(
                locale,
                Strings::parse(&String::from_utf8_lossy(src), &path)?,
            );
        }
        strings::check_same_keys(&strings, origin)?;
        let static_files: Vec<OutputFile> = files
            .iter()
            .filter(|(p, _)| p.starts_with("assets/"))
            .map(|(p, b)| OutputFile {
                path: p.clone(),
                bytes: b.clone(),
            })
            .collect();
        let report_script = files.get(reporting::REPORT_SCRIPT_TEMPLATE).cloned();
        Ok(Renderer {
            env,
            strings,
            static_files,
            report_script,
            reporting: None,
        })
    }

    /// Packages rendered from now on report to this tracker (or to none).
    pub fn with_reporting(mut self, reporting: Option<Reporting>) -> Result<Self, RenderError> {
        if reporting.is_some() && self.report_script.is_none() {
            return Err(RenderError::NoReportScript(
                reporting::REPORT_SCRIPT_TEMPLATE,
            ));
        }
        self.reporting = reporting;
        Ok(self)
    }

    /// The interface strings of a language.
    pub fn strings(&self, locale: Locale) -> &Strings {
        &self.strings[&locale]
    }

    /// Renders every file of one package.
    pub fn render(
        &self,
        module: &Module,
        locale: Locale,
        variant: Variant,
        scorm: ScormVersion,
    ) -> Result<Vec<OutputFile>, RenderError> {
        let worst = suspend_data_worst_case(module, locale);
        if scorm == ScormVersion::Scorm12 && worst > SCORM12_SUSPEND_LIMIT {
            return Err(RenderError::SuspendDataTooLarge {
                module: module.meta.id.clone(),
                bytes: worst,
                limit: SCORM12_SUSPEND_LIMIT,
            });
        }
        let ctx = context(
            module,
            locale,
            variant,
            scorm,
            &self.strings[&locale],
            self.reporting.as_ref(),
        );
        let tmpl = self.env.get_template(ENTRY_TEMPLATE)?;
        let html = tmpl.render(Value::from_serialize(&ctx))?;
        let mut files = vec![OutputFile {
            path: LAUNCH_FILE.to_string(),
            bytes: html.into_bytes(),
        }];
        files.extend(self.static_files.iter().cloned());
        if let (Some(_), Some(js)) = (&self.reporting, &self.report_script) {
            files.push(OutputFile {
                path: REPORT_SCRIPT.to_string(),
                bytes: js.clone(),
            });
        }
        for asset in &module.assets {
            let bytes = std::fs::read(&asset.source).map_err(|source| RenderError::Asset {
                path: asset.source.clone(),
                source,
            })?;
            files.push(OutputFile {
                path: asset.path.clone(),
                bytes,
            });
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files.dedup_by(|a, b| a.path == b.path);
        Ok(files)
    }
}

#[derive(Serialize)]
struct Ctx {
    lang: &'static str,
    locale: &'static str,
    variant: &'static str,
    scorm: &'static str,
    module: ModuleCtx,
    objectives: Vec<Value>,
    remember: Vec<Value>,
    scenes: Vec<SceneCtx>,
    quiz: QuizCtx,
    strings: BTreeMap<String, String>,
    /// Pages in order: start, scenes…, quiz, results.
    page_count: usize,
    /// Data for the runtime script, as JSON text (already safe inside `<script type="application/json">`).
    runtime_config: Value,
    /// Set only when packages report to a tracker.
    reporting: Option<reporting::ReportingCtx>,
}

#[derive(Serialize)]
struct ModuleCtx {
    id: String,
    /// `cyber`, `data-protection` or `information-governance` (picks the illustration).
    collection: String,
    version: String,
    title: String,
    summary: String,
    minutes: u32,
    pass_mark: u8,
    /// `review_status = "draft"`: the package shows a "draft — not for release" banner.
    draft: bool,
    contributors: Vec<BTreeMap<&'static str, String>>,
}

#[derive(Serialize)]
struct SceneCtx {
    id: String,
    title: String,
    blocks: Vec<BlockCtx>,
}

#[derive(Serialize)]
struct QuizCtx {
    id: String,
    title: String,
    intro: Vec<BlockCtx>,
    questions: Vec<QuestionCtx>,
}

#[derive(Serialize)]
struct BlockCtx {
    kind: &'static str,
    /// Inline HTML for paragraph and heading.
    html: Option<Value>,
    ordered: bool,
    /// List items / callout and scenario paragraphs.
    items: Vec<Value>,
    /// Dialogue lines.
    lines: Vec<(String, Value)>,
    src: Option<String>,
    alt: Option<String>,
    question: Option<QuestionCtx>,
}

#[derive(Serialize)]
struct QuestionCtx {
    id: String,
    kind: &'static str,
    /// `radio` or `checkbox`.
    input: &'static str,
    prompt: Value,
    options: Vec<OptionCtx>,
}

#[derive(Serialize)]
struct OptionCtx {
    index: usize,
    html: Value,
    correct: bool,
    feedback: Value,
}

fn block_ctx(b: &Block) -> BlockCtx {
    let mut c = BlockCtx {
        kind: "",
        html: None,
        ordered: false,
        items: vec![],
        lines: vec![],
        src: None,
        alt: None,
        question: None,
    };
    match b {
        Block::Paragraph { text } => {
            c.kind = "paragraph";
            c.html = Some(html::inline(text));
        }
        Block::Heading { text } => {
            c.kind = "heading";
            c.html = Some(html::inline(text));
        }
        Block::List { ordered, items } => {
            c.kind = "list";
            c.ordered = *ordered;
            c.items = items.iter().map(html::inline).collect();
        }
        Block::Callout { paragraphs } => {
            c.kind = "callout";
            c.items = paragraphs.iter().map(html::inline).collect();
        }
        Block::Scenario { paragraphs } => {
            c.kind = "scenario";
            c.items = paragraphs.iter().map(html::inline).collect();
        }
        Block::Dialogue { lines } => {
            c.kind = "dialogue";
            c.lines = lines
                .iter()
                .map(|l| (l.speaker.clone(), html::inline(&l.text)))
                .collect();
        }
        Block::Image { src, alt } => {
            c.kind = "image";
            c.src = Some(src.clone());
            c.alt = Some(alt.clone());
        }
        Block::Check { question } => {
            c.kind = "check";
            c.question = Some(question_ctx(question));
        }
    }
    c
}

fn question_ctx(q: &Question) -> QuestionCtx {
    QuestionCtx {
        id: q.id.clone(),
        kind: q.kind.name(),
        input: if q.kind == QuestionKind::Multiple {
            "checkbox"
        } else {
            "radio"
        },
        prompt: html::inline(&q.prompt),
        options: q
            .options
            .iter()
            .enumerate()
            .map(|(i, o)| OptionCtx {
                index: i,
                html: html::inline(&o.text),
                correct: o.correct,
                feedback: html::inline(&o.feedback),
            })
            .collect(),
    }
}

#[derive(Serialize)]
struct RuntimeConfig<'a> {
    module: &'a str,
    version: &'a str,
    scorm: &'static str,
    lang: &'static str,
    pass_mark: u8,
    pages: Vec<String>,
    checks: Vec<RuntimeQuestion>,
    quiz: Vec<RuntimeQuestion>,
    /// 12-bit fingerprint of the module's shape, stored in the bookmark.
    fingerprint: u16,
    /// The bookmark's worst-case length (see `suspend_data_worst_case`).
    suspend_max: usize,
    /// Every interface string of the package's language.
    strings: &'a BTreeMap<String, String>,
    /// Where to report completions; absent without a tracker.
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<reporting::ReportConfig<'a>>,
}

#[derive(Serialize)]
struct RuntimeQuestion {
    id: String,
    kind: &'static str,
    options: usize,
    correct: Vec<usize>,
}

fn runtime_question(q: &Question) -> RuntimeQuestion {
    RuntimeQuestion {
        id: q.id.clone(),
        kind: q.kind.name(),
        options: q.options.len(),
        correct: q
            .options
            .iter()
            .enumerate()
            .filter(|(_, o)| o.correct)
            .map(|(i, _)| i)
            .collect(),
    }
}

fn context(
    module: &Module,
    locale: Locale,
    variant: Variant,
    scorm: ScormVersion,
    strings: &Strings,
    report: Option<&Reporting>,
) -> Ctx {
    let script = module.script(locale);
    let meta = &module.meta;
    let scenes: Vec<SceneCtx> = script
        .scenes
        .iter()
        .map(|s| SceneCtx {
            id: s.id.clone(),
            title: s.title.clone(),
            blocks: s.blocks.iter().map(block_ctx).collect(),
        })
        .collect();
    let pages = suspend::page_ids(module, locale);
    let checks = suspend::checks(module, locale)
        .into_iter()
        .map(runtime_question)
        .collect();
    let config = RuntimeConfig {
        module: &meta.id,
        version: &meta.version,
        scorm: scorm.label(),
        lang: locale.code(),
        pass_mark: meta.pass_mark,
        checks,
        quiz: script.quiz.questions.iter().map(runtime_question).collect(),
        pages: pages.clone(),
        fingerprint: suspend::fingerprint(module, locale),
        suspend_max: suspend_data_worst_case(module, locale),
        strings: strings.map(),
        report: report.map(|r| reporting::ReportConfig {
            url: r.endpoint(),
            key: r.key(),
            package: pecyn_core::PackageKey {
                module: meta.id.clone(),
                locale,
                variant,
                scorm,
            }
            .identifier(),
            version: &meta.version,
        }),
    };
    let json = serde_json::to_string(&config).unwrap_or_else(|_| "{}".into());
    Ctx {
        lang: locale.tag(),
        locale: locale.code(),
        variant: variant.code(),
        scorm: scorm.label(),
        module: ModuleCtx {
            id: meta.id.clone(),
            collection: meta.collection.name().to_string(),
            version: meta.version.clone(),
            title: meta.title[&locale].clone(),
            summary: meta.summary[&locale].clone(),
            minutes: meta.minutes,
            pass_mark: meta.pass_mark,
            draft: meta.review_status == pecyn_script::ReviewStatus::Draft,
            contributors: meta
                .contributors
                .iter()
                .map(|c| {
                    let mut m = BTreeMap::new();
                    m.insert("name", c.name.clone());
                    m.insert("organisation", c.organisation.clone());
                    m.insert("role", c.role.clone().unwrap_or_default());
                    m
                })
                .collect(),
        },
        objectives: script.objectives.iter().map(html::inline).collect(),
        remember: script.remember.iter().map(html::inline).collect(),
        scenes,
        quiz: QuizCtx {
            id: script.quiz.id.clone(),
            title: script.quiz.title.clone(),
            intro: script.quiz.intro.iter().map(block_ctx).collect(),
            questions: script.quiz.questions.iter().map(question_ctx).collect(),
        },
        strings: strings.map().clone(),
        page_count: pages.len(),
        runtime_config: Value::from_safe_string(html::script_json(&json)),
        reporting: report.map(|r| reporting::ReportingCtx {
            host: r.host().to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pecyn_script::{
        AnswerOption, Collection, Contributor, Inline, ModuleMeta, Quiz, ReviewStatus, Scene,
        Script,
    };
    use std::process::Command;

    fn text(s: &str) -> Vec<Inline> {
        vec![Inline::Text {
            text: s.to_string(),
        }]
    }

    fn question(id: &str, kind: QuestionKind, options: usize, correct: &[usize]) -> Question {
        Question {
            id: id.to_string(),
            kind,
            prompt: text("Which?"),
            options: (0..options)
                .map(|i| AnswerOption {
                    text: text(&format!("option {i}")),
                    correct: correct.contains(&i),
                    feedback: text("Because."),
                })
                .collect(),
            line: 1,
        }
    }

    /// A module with `checks` knowledge checks of `check_options` options each, spread over three scenes.
    fn module(checks: usize, check_options: usize) -> Module {
        let mut scripts = BTreeMap::new();
        for locale in Locale::ALL {
            let mut scenes: Vec<Scene> = (0..3)
                .map(|i| Scene {
                    id: format!("scene-{i}"),
                    title: format!("Scene {i}"),
                    blocks: vec![Block::Paragraph {
                        text: text("Words."),
                    }],
                    line: 1,
                })
                .collect();
            for c in 0..checks {
                scenes[c % 3].blocks.push(Block::Check {
                    question: question(
                        &format!("c{c}"),
                        QuestionKind::Multiple,
                        check_options,
                        &[0, 1],
                    ),
                });
            }
            let quiz = Quiz {
                id: "quiz".into(),
                title: "Quiz".into(),
                intro: vec![],
                questions: vec![
                    question("q1", QuestionKind::Single, 4, &[2]),
                    question("q2", QuestionKind::Multiple, 8, &[0, 7]),
                    question("q3", QuestionKind::TrueFalse, 2, &[1]),
                ],
                line: 1,
            };
            scripts.insert(
                locale,
                Script {
                    locale,
                    objectives: vec![text("Learn.")],
                    remember: vec![text("Remember.")],
                    scenes,
                    quiz,
                },
            );
        }
        let both = |s: &str| {
            Locale::ALL
                .iter()
                .map(|l| (*l, s.to_string()))
                .collect::<BTreeMap<_, _>>()
        };
        Module {
            meta: ModuleMeta {
                id: "demo".into(),
                version: "1.0.0".into(),
                collection: Collection::Cyber,
                minutes: 4,
                pass_mark: 80,
                review_status: ReviewStatus::Approved,
                title: both("Demo"),
                summary: both("A demo."),
                contributors: vec![Contributor {
                    name: "Team".into(),
                    organisation: "Council".into(),
                    role: None,
                }],
            },
            scripts,
            assets: vec![],
        }
    }

    /// The literal pieces of a string around its `{placeholders}`.
    fn without_placeholders(s: &str) -> Vec<String> {
        let mut out = vec![String::new()];
        let mut in_brace = false;
        for c in s.chars() {
            match c {
                '{' => in_brace = true,
                '}' if in_brace => {
                    in_brace = false;
                    out.push(String::new());
                }
                _ if in_brace => {}
                _ => out.last_mut().expect("non-empty").push(c),
            }
        }
        out
    }

    fn templates() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates")
    }

    fn config(files: &[OutputFile]) -> serde_json::Value {
        let html = String::from_utf8(
            files
                .iter()
                .find(|f| f.path == LAUNCH_FILE)
                .expect("index.html")
                .bytes
                .clone(),
        )
        .expect("utf-8");
        let start =
            html.find("id=\"pecyn-config\">").expect("config block") + "id=\"pecyn-config\">".len();
        let end = start + html[start..].find("</script>").expect("end of config");
        serde_json::from_str(&html[start..end]).expect("config is JSON")
    }

    #[test]
    fn refuses_a_scorm12_package_whose_bookmark_could_pass_4096() {
        let r = Renderer::load(&templates()).expect("templates load");
        // 2,100 checks of 7 options take two characters each: over 4,096.
        let big = module(2100, 7);
        let worst = suspend_data_worst_case(&big, Locale::En);
        assert!(worst > SCORM12_SUSPEND_LIMIT, "{worst}");
        let err = r
            .render(&big, Locale::Cy, Variant::Standard, ScormVersion::Scorm12)
            .expect_err("must refuse");
        let msg = err.to_string();
        assert!(
            msg.contains("`demo`") && msg.contains(&worst.to_string()) && msg.contains("4096"),
            "{msg}"
        );
        // SCORM 2004 allows 64,000 characters.
        r.render(&big, Locale::Cy, Variant::Standard, ScormVersion::Scorm2004)
            .expect("2004 builds");
        // A normal module builds for 1.2.
        r.render(
            &module(3, 4),
            Locale::En,
            Variant::Accessible,
            ScormVersion::Scorm12,
        )
        .expect("small module builds");
    }

    /// The Rust worst case must be the real maximum of the JavaScript encoder:
    /// run `PecynState.encode` from `templates/assets/scorm.js` under Node on
    /// the rendered config with every page visited, every option ticked and the
    /// most attempts, and compare lengths (and that it decodes back).
    #[test]
    fn worst_case_matches_the_javascript_encoder() {
        let node = Command::new("node").arg("--version").output();
        if node.map(|o| !o.status.success()).unwrap_or(true) {
            assert_ne!(
                std::env::var("CI").as_deref(),
                Ok("true"),
                "CI needs node for this test"
            );
            eprintln!("SKIPPED: node is not installed");
            return;
        }
        let r = Renderer::load(&templates()).expect("templates load");
        for (checks, options) in [(0, 2), (5, 3), (40, 8), (700, 7)] {
            let m = module(checks, options);
            let files = r
                .render(&m, Locale::En, Variant::Standard, ScormVersion::Scorm2004)
                .expect("renders");
            let cfg = config(&files);
            let worst = suspend_data_worst_case(&m, Locale::En);
            assert_eq!(cfg["suspend_max"], worst);
            let script = r#"
                const S = require(process.argv[1]);
                const cfg = JSON.parse(process.argv[2]);
                const qs = cfg.checks.concat(cfg.quiz);
                const full = { page: cfg.pages.length - 1, visited: cfg.pages.map(() => true),
                  answers: qs.map((q) => Array(q.options).fill(true)), submitted: true, passed: true, attempts: 1e9 };
                const empty = { page: 0, visited: [], answers: [], submitted: false, passed: false, attempts: 0 };
                const a = S.encode(cfg, full), b = S.encode(cfg, empty);
                const back = S.decode(cfg, a);
                const same = back && back.page === full.page && back.submitted && back.passed && back.attempts === 4095
                  && JSON.stringify(back.answers) === JSON.stringify(full.answers) && JSON.stringify(back.visited) === JSON.stringify(full.visited);
                console.log(JSON.stringify({ full: a.length, empty: b.length, roundtrip: !!same, other: S.decode(cfg, 'x' + a.slice(1)) === null }));
            "#;
            let out = Command::new("node")
                .arg("-e")
                .arg(script)
                .arg(templates().join("assets/scorm.js"))
                .arg(cfg.to_string())
                .output()
                .expect("node runs");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let got: serde_json::Value =
                serde_json::from_slice(&out.stdout).expect("node printed JSON");
            assert_eq!(
                got["full"], worst,
                "checks={checks} options={options}: {got}"
            );
            assert!(
                got["empty"].as_u64().expect("number") as usize <= worst,
                "{got}"
            );
            assert_eq!(got["roundtrip"], true, "{got}");
            assert_eq!(got["other"], true, "{got}");
        }
    }

    #[test]
    fn welsh_package_has_no_english_interface_strings() {
        let r = Renderer::load(&templates()).expect("templates load");
        let m = module(2, 3);
        for (locale, other) in [(Locale::Cy, Locale::En), (Locale::En, Locale::Cy)] {
            for variant in Variant::ALL {
                let files = r
                    .render(&m, locale, variant, ScormVersion::Scorm12)
                    .expect("renders");
                let html = String::from_utf8(
                    files
                        .iter()
                        .find(|f| f.path == LAUNCH_FILE)
                        .expect("index")
                        .bytes
                        .clone(),
                )
                .expect("utf-8");
                for (key, s) in r.strings(other).map() {
                    for frag in without_placeholders(s)
                        .into_iter()
                        .filter(|f| f.trim().len() >= 6)
                    {
                        let escaped = html::escape(frag.trim());
                        assert!(
                            !html.contains(&escaped),
                            "{locale} {variant}: `{key}` of {other} appears: {frag}"
                        );
                    }
                }
            }
        }
    }
}
