//! The typed model of a module, as read from `modules/<id>/`.

use pecyn_core::Locale;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A piece of inline text. Nothing here is HTML: renderers escape it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Inline {
    /// Plain text.
    Text {
        /// The text.
        text: String,
    },
    /// `**strong**` text.
    Strong {
        /// The text.
        text: String,
    },
    /// `*emphasised*` text.
    Emphasis {
        /// The text.
        text: String,
    },
    /// `[text](href)` with an `https:`, `mailto:` or `tel:` target.
    Link {
        /// The link text.
        text: String,
        /// The target.
        href: String,
    },
}

/// A run of inline text (one paragraph, one list item, one option).
pub type Text = Vec<Inline>;

/// Plain text of a run, without formatting.
pub fn plain(text: &Text) -> String {
    text.iter()
        .map(|i| match i {
            Inline::Text { text }
            | Inline::Strong { text }
            | Inline::Emphasis { text }
            | Inline::Link { text, .. } => text.as_str(),
        })
        .collect()
}

/// Which collection a module belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Collection {
    /// Cyber security awareness.
    Cyber,
    /// Data protection awareness.
    DataProtection,
    /// Information governance.
    InformationGovernance,
}

impl Collection {
    /// The name used in `module.toml`: `cyber`, `data-protection`, `information-governance`.
    pub fn name(self) -> &'static str {
        match self {
            Collection::Cyber => "cyber",
            Collection::DataProtection => "data-protection",
            Collection::InformationGovernance => "information-governance",
        }
    }
}

/// Where a module is in review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewStatus {
    /// Being written.
    Draft,
    /// Written, waiting for sign-off.
    InReview,
    /// Signed off.
    Approved,
}

impl ReviewStatus {
    /// The name used in `module.toml`: `draft`, `in-review`, `approved`.
    pub fn name(self) -> &'static str {
        match self {
            ReviewStatus::Draft => "draft",
            ReviewStatus::InReview => "in-review",
            ReviewStatus::Approved => "approved",
        }
    }
}

/// Someone who wrote or reviewed the module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contributor {
    /// A person's or team's name.
    pub name: String,
    /// Their organisation.
    pub organisation: String,
    /// What they did (optional).
    #[serde(default)]
    pub role: Option<String>,
}

/// The facts in `module.toml`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModuleMeta {
    /// The module id (its folder name).
    pub id: String,
    /// The content version, e.g. `1.0.0`.
    pub version: String,
    /// The collection.
    pub collection: Collection,
    /// Estimated minutes to complete.
    pub minutes: u32,
    /// Percentage needed to pass the quiz (0–100).
    pub pass_mark: u8,
    /// Review status.
    pub review_status: ReviewStatus,
    /// Title per language.
    pub title: BTreeMap<Locale, String>,
    /// Summary per language.
    pub summary: BTreeMap<Locale, String>,
    /// Contributors.
    pub contributors: Vec<Contributor>,
}

/// One line of a dialogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DialogueLine {
    /// Who speaks.
    pub speaker: String,
    /// What they say.
    pub text: Text,
}

/// A block of content inside a scene.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Block {
    /// A narration paragraph.
    Paragraph {
        /// The text.
        text: Text,
    },
    /// A `##` sub-heading.
    Heading {
        /// The text.
        text: Text,
    },
    /// A bullet or numbered list.
    List {
        /// Numbered (`1.`) rather than bullets.
        ordered: bool,
        /// The items.
        items: Vec<Text>,
    },
    /// An on-screen callout.
    Callout {
        /// Its paragraphs.
        paragraphs: Vec<Text>,
    },
    /// A scenario to think about.
    Scenario {
        /// Its paragraphs.
        paragraphs: Vec<Text>,
    },
    /// A dialogue.
    Dialogue {
        /// Its lines.
        lines: Vec<DialogueLine>,
    },
    /// An image with alt text.
    Image {
        /// Path inside the module folder (forward slashes).
        src: String,
        /// Alt text.
        alt: String,
    },
    /// A knowledge check (not scored).
    Check {
        /// The question.
        question: Question,
    },
}

/// The kind of a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuestionKind {
    /// One correct answer.
    Single,
    /// Tick all that apply.
    Multiple,
    /// True or false (option 1 is true, option 2 false).
    TrueFalse,
}

impl QuestionKind {
    /// The name used in scripts.
    pub fn name(self) -> &'static str {
        match self {
            QuestionKind::Single => "single",
            QuestionKind::Multiple => "multiple",
            QuestionKind::TrueFalse => "true-false",
        }
    }
}

/// One answer option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnswerOption {
    /// The option's text.
    pub text: Text,
    /// Whether it is (one of) the right answer(s).
    pub correct: bool,
    /// Feedback shown when it is chosen.
    pub feedback: Text,
}

/// A question: a knowledge check or a quiz question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Question {
    /// Unique id within the module.
    pub id: String,
    /// Its kind.
    pub kind: QuestionKind,
    /// The question text.
    pub prompt: Text,
    /// The options, in order.
    pub options: Vec<AnswerOption>,
    /// 1-based line of the opening `:::` in the script.
    #[serde(skip)]
    pub line: usize,
}

/// A scene (one page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scene {
    /// Scene id.
    pub id: String,
    /// Heading text.
    pub title: String,
    /// Content.
    pub blocks: Vec<Block>,
    /// 1-based line of the heading.
    #[serde(skip)]
    pub line: usize,
}

/// The final quiz.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quiz {
    /// Scene id of the quiz.
    pub id: String,
    /// Heading text.
    pub title: String,
    /// Introductory blocks (paragraphs, callouts).
    pub intro: Vec<Block>,
    /// Scored questions.
    pub questions: Vec<Question>,
    /// 1-based line of the heading.
    #[serde(skip)]
    pub line: usize,
}

/// One language's script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Script {
    /// Its language.
    pub locale: Locale,
    /// "What you will learn".
    pub objectives: Vec<Text>,
    /// "What to remember".
    pub remember: Vec<Text>,
    /// Content scenes, in order.
    pub scenes: Vec<Scene>,
    /// The final quiz.
    pub quiz: Quiz,
}

/// An image or other file the scripts use, to be copied into packages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Asset {
    /// Path inside the module folder and inside the package (forward slashes, ASCII).
    pub path: String,
    /// Where it is on disk.
    pub source: PathBuf,
}

/// A whole module: metadata plus a script per language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Module {
    /// Facts from `module.toml`.
    pub meta: ModuleMeta,
    /// Scripts by language.
    pub scripts: BTreeMap<Locale, Script>,
    /// Files the scripts reference.
    pub assets: Vec<Asset>,
}

impl Module {
    /// The module id.
    pub fn id(&self) -> &str {
        &self.meta.id
    }

    /// The script in one language (every loaded module has both).
    pub fn script(&self, locale: Locale) -> &Script {
        &self.scripts[&locale]
    }
}
