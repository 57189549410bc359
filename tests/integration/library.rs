//! The shipped module library: complete, aligned, bilingual, and with a generated catalogue.

use crate::util::{pecyn, root, run, text};
use pecyn_core::Locale;
use pecyn_script::{load_module, plain, Block, Module, Placeholders, Text};

fn modules() -> Vec<Module> {
    let dirs = pecyn_script::discover(&root().join("modules")).unwrap();
    assert!(!dirs.is_empty());
    dirs.iter()
        .map(|d| {
            let (m, diags) = load_module(d, &Placeholders::default());
            let rendered: String = diags.iter().map(|d| d.render()).collect();
            m.unwrap_or_else(|| panic!("{} does not load:\n{rendered}", d.display()))
        })
        .collect()
}

/// Every piece of learner-facing text in a script.
fn texts(m: &Module, l: Locale) -> Vec<String> {
    let s = m.script(l);
    let mut out: Vec<String> = Vec::new();
    let mut alts: Vec<String> = Vec::new();
    let mut push = |t: &Text| out.push(plain(t));
    s.objectives.iter().for_each(&mut push);
    s.remember.iter().for_each(&mut push);
    let mut blocks: Vec<&Block> = s.scenes.iter().flat_map(|sc| sc.blocks.iter()).collect();
    blocks.extend(s.quiz.intro.iter());
    let mut questions: Vec<&pecyn_script::Question> = s.quiz.questions.iter().collect();
    for b in blocks {
        match b {
            Block::Paragraph { text } | Block::Heading { text } => push(text),
            Block::List { items, .. } => items.iter().for_each(&mut push),
            Block::Callout { paragraphs } | Block::Scenario { paragraphs } => {
                paragraphs.iter().for_each(&mut push)
            }
            Block::Dialogue { lines } => lines.iter().for_each(|l| push(&l.text)),
            Block::Image { alt, .. } => alts.push(alt.clone()),
            Block::Check { question } => questions.push(question),
        }
    }
    for q in questions {
        push(&q.prompt);
        for o in &q.options {
            push(&o.text);
            push(&o.feedback);
        }
    }
    out.extend(alts);
    out.push(m.meta.title[&l].clone());
    out.push(m.meta.summary[&l].clone());
    out.extend(s.scenes.iter().map(|sc| sc.title.clone()));
    out.push(s.quiz.title.clone());
    out
}

/// The second edition's modules (issue 14 added `cctv-and-cameras` and `ai-at-work`). A module
/// that disappears from `modules/` would otherwise vanish silently from every LMS.
const LIBRARY: [&str; 20] = [
    "ai-at-work",
    "cctv-and-cameras",
    "data-lifecycle",
    "email",
    "good-governance",
    "handling-personal-data",
    "here-to-help",
    "information-sharing",
    "internet-security",
    "offline-security",
    "online-services",
    "passwords",
    "personal-data",
    "portable-devices",
    "privacy-notices",
    "scams",
    "social-media",
    "special-category-data",
    "why-it-matters",
    "working-lawfully",
];

#[test]
fn the_library_holds_the_twenty_modules_of_the_second_edition() {
    let mut ids: Vec<String> = modules().iter().map(|m| m.id().to_string()).collect();
    ids.sort();
    assert_eq!(
        ids, LIBRARY,
        "modules/ must hold exactly the library's 20 modules"
    );
}

#[test]
fn every_module_has_the_shape_the_library_promises() {
    for m in modules() {
        let id = m.id();
        for l in Locale::ALL {
            let s = m.script(l);
            assert!(
                (5..=9).contains(&s.scenes.len()),
                "{id}/{l}: {} scenes; the library promises 5–9 plus the quiz",
                s.scenes.len()
            );
            let checks = s
                .scenes
                .iter()
                .flat_map(|sc| sc.blocks.iter())
                .filter(|b| matches!(b, Block::Check { .. }))
                .count();
            assert!(
                checks >= 2,
                "{id}/{l}: {checks} knowledge checks; at least 2"
            );
            assert!(
                (5..=8).contains(&s.quiz.questions.len()),
                "{id}/{l}: quiz of {} questions; 5–8",
                s.quiz.questions.len()
            );
            let intro: String = s
                .quiz
                .intro
                .iter()
                .filter_map(|b| {
                    if let Block::Paragraph { text } = b {
                        Some(plain(text))
                    } else {
                        None
                    }
                })
                .collect();
            let mark = m.meta.pass_mark.to_string();
            assert!(
                intro.contains(&format!("{mark}%"))
                    || intro.contains(&format!("{mark} %"))
                    || intro.contains(&format!("{mark} y cant")),
                "{id}/{l}: the quiz intro must state the pass mark {mark}%: {intro}"
            );
            for sc in &s.scenes {
                assert!(!sc.blocks.is_empty(), "{id}/{l}: scene {} is empty", sc.id);
            }
            // `minutes` follows docs/authoring.md ("How long a module takes"); a module that
            // honestly needs more than a quarter of an hour should be split.
            assert!(
                (1..=15).contains(&m.meta.minutes),
                "{id}: minutes = {}; the library promises 1–15",
                m.meta.minutes
            );
        }
    }
}

const LEFTOVERS: [&str; 8] = ["TODO", "TBC", "TBD", "lorem", "XXX", "[insert", "{{", "}}"];

#[test]
fn no_leftover_placeholder_text() {
    for m in modules() {
        for l in Locale::ALL {
            for t in texts(&m, l) {
                for bad in LEFTOVERS {
                    assert!(!t.contains(bad), "{}/{l}: leftover `{bad}` in: {t}", m.id());
                }
            }
        }
    }
}

// English left in a Welsh script is an error of the builder itself
// (`pecyn-script`, language.rs), so every module above loaded without one.

#[test]
fn docs_modules_md_is_generated_from_the_scripts() {
    let o = run({
        let mut c = pecyn();
        c.arg("index");
        c
    });
    assert!(o.status.success(), "{}", text(&o));
    let generated = String::from_utf8(o.stdout).unwrap();
    let on_disk = std::fs::read_to_string(root().join("docs/modules.md")).unwrap_or_default();
    assert!(
        generated == on_disk,
        "docs/modules.md is out of date: run `cargo run -- index > docs/modules.md`"
    );
}
