//! One test per author error: the message, and the line and column it points at.

use pecyn_core::Diagnostic;
use pecyn_script::{load_module, Placeholders};
use std::path::Path;

const TOML: &str = r#"id = "demo"
version = "1.0.0"
collection = "cyber"
minutes = 4
pass_mark = 80
review_status = "in-review"

[title]
en = "Demo"
cy = "Enghraifft"

[summary]
en = "A demo."
cy = "Enghraifft."

[[contributors]]
name = "Team"
organisation = "Council"
"#;

const EN: &str = "::: objectives
- Learn
:::

::: remember
- Remember
:::

# Intro {#intro}

Hello **there**.

::: check single {#c1}
Pick one.

- [x] Right
  > Yes.
- [ ] Wrong
  > No.
:::

# Quiz {#quiz .quiz}

You need 80% to pass.

::: question true-false {#q1}
The sky is blue.

- [x] True
  > Yes.
- [ ] False
  > No.
:::
";

fn cy_of(en: &str) -> String {
    en.replace("Hello", "Helo")
        .replace("- [x] True", "- [x] Cywir")
        .replace("- [ ] False", "- [ ] Anghywir")
}

fn write(dir: &Path, toml: &str, en: &str, cy: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("module.toml"), toml).unwrap();
    std::fs::write(dir.join("en.md"), en).unwrap();
    std::fs::write(dir.join("cy.md"), cy).unwrap();
}

fn load(toml: &str, en: &str, cy: &str) -> (bool, Vec<Diagnostic>) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    write(&dir, toml, en, cy);
    let (m, d) = load_module(&dir, &Placeholders::default());
    (m.is_some(), d)
}

/// Loads with a modified English script (Welsh = the same changes), expects exactly one error.
fn one_error_en(en: &str) -> Diagnostic {
    let (ok, d) = load(TOML, en, &cy_of(en));
    assert!(!ok, "the module should fail");
    let errs: Vec<&Diagnostic> = d.iter().filter(|d| d.path.ends_with("en.md")).collect();
    assert_eq!(errs.len(), 1, "expected one error in en.md, got: {:#?}", d);
    errs[0].clone()
}

fn assert_at(d: &Diagnostic, line: usize, col: usize, msg: &str) {
    assert!(
        d.message.contains(msg),
        "message `{}` should contain `{msg}`",
        d.message
    );
    assert_eq!((d.line, d.col), (line, col), "position of `{}`", d.message);
    assert!(!d.help.is_empty());
}

#[test]
fn the_fixture_is_valid() {
    let (ok, d) = load(TOML, EN, &cy_of(EN));
    assert!(ok, "{d:#?}");
    assert!(d.is_empty());
}

#[test]
fn missing_title() {
    let toml = TOML.replace("[title]\nen = \"Demo\"\ncy = \"Enghraifft\"\n", "");
    let (ok, d) = load(&toml, EN, &cy_of(EN));
    assert!(!ok);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(d[0].message.contains("`title` is missing"));
    assert!(d[0].path.ends_with("module.toml"));
}

#[test]
fn missing_welsh_title() {
    let toml = TOML.replace("cy = \"Enghraifft\"\n", "");
    let (_, d) = load(&toml, EN, &cy_of(EN));
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_at(&d[0], 8, 1, "`title` has no `cy` text");
}

#[test]
fn pass_mark_over_100() {
    let toml = TOML.replace("pass_mark = 80", "pass_mark = 120");
    let (ok, d) = load(&toml, EN, &cy_of(EN));
    assert!(!ok);
    assert_eq!(d.len(), 1);
    assert_at(&d[0], 5, 13, "the pass mark is 120");
    assert_eq!(d[0].len, 3);
}

#[test]
fn several_toml_problems_reported_at_once() {
    let toml = TOML
        .replace("pass_mark = 80", "pass_mark = 120")
        .replace("minutes = 4", "minutes = 0")
        .replace("id = \"demo\"", "id = \"other\"");
    let (_, d) = load(&toml, EN, &cy_of(EN));
    assert_eq!(d.len(), 3, "{d:#?}");
}

#[test]
fn toml_syntax_error_points_at_the_line() {
    let toml = TOML.replace("minutes = 4", "minutes = = 4");
    let (_, d) = load(&toml, EN, &cy_of(EN));
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].line, 4);
}

#[test]
fn unknown_field_in_toml() {
    let toml = TOML.replace("minutes = 4", "minutes = 4\nminuets = 5");
    let (_, d) = load(&toml, EN, &cy_of(EN));
    assert_eq!(d.len(), 1);
    assert!(d[0].message.contains("unknown field"), "{}", d[0].message);
    assert_eq!(d[0].line, 5);
}

#[test]
fn summary_too_long_for_lms() {
    let long = "a".repeat(1001);
    let toml = TOML.replace("en = \"A demo.\"", &format!("en = \"{long}\""));
    let (_, d) = load(&toml, EN, &cy_of(EN));
    assert_eq!(d.len(), 1);
    assert_at(&d[0], 13, 6, "1001 characters; the limit is 1000");
}

#[test]
fn unknown_block() {
    let en = EN.replace("::: check single {#c1}", "::: quizz single {#c1}");
    let (_, d) = load(TOML, &en, &cy_of(&en));
    let d: Vec<_> = d
        .into_iter()
        .filter(|d| d.path.ends_with("en.md"))
        .collect();
    assert_at(&d[0], 13, 5, "unknown block `quizz`");
    assert_eq!(d[0].len, 5);
    assert!(d[0].help.contains("callout"));
}

#[test]
fn quiz_question_with_no_correct_answer() {
    let en = EN.replace("- [x] True", "- [ ] True");
    let d = one_error_en(&en);
    assert_at(&d, 26, 1, "the quiz question has no correct answer");
    assert!(d.help.contains("- [x]"));
}

#[test]
fn single_choice_with_two_correct_answers() {
    let en = EN.replace("- [ ] Wrong", "- [x] Wrong");
    let d = one_error_en(&en);
    assert_at(&d, 13, 1, "has 2 correct answers but is `single`");
}

#[test]
fn true_false_needs_two_options() {
    let en = EN.replace("- [ ] False\n  > No.\n", "");
    let d = one_error_en(&en);
    assert_at(&d, 26, 1, "has 1 option");
}

#[test]
fn option_without_feedback() {
    let en = EN.replace("- [ ] Wrong\n  > No.\n", "- [ ] Wrong\n");
    let d = one_error_en(&en);
    assert_at(&d, 18, 1, "this option has no feedback");
}

#[test]
fn image_with_no_alt_text() {
    let en = EN.replace("Hello **there**.", "![](images/x.svg)");
    let d = one_error_en(&en);
    assert_at(&d, 11, 1, "an image with no alt text");
}

#[test]
fn asset_path_escaping_the_module_folder() {
    let en = EN.replace("Hello **there**.", "![A secret](../../etc/passwd.png)");
    let d = one_error_en(&en);
    assert_at(&d, 11, 13, "escapes the module folder");
}

#[test]
fn absolute_and_remote_images_are_refused() {
    let en = EN.replace(
        "Hello **there**.",
        "![A](/etc/x.png)\n\n![B](https://tracker.example/x.png)",
    );
    let (_, d) = load(TOML, &en, &cy_of(&en));
    let en_errs: Vec<_> = d.iter().filter(|d| d.path.ends_with("en.md")).collect();
    assert_eq!(en_errs.len(), 2, "{d:#?}");
    assert!(en_errs[0].message.contains("absolute"));
    assert!(en_errs[1]
        .message
        .contains("not a file in the module folder"));
}

#[test]
fn missing_image_file() {
    let en = EN.replace("Hello **there**.", "![A lock](images/lock.svg)");
    let d = one_error_en(&en);
    assert_at(&d, 11, 11, "does not exist");
}

#[test]
fn image_in_the_module_folder_is_an_asset_with_an_ascii_path() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let en = EN.replace("Hello **there**.", "![A bowl of water](images/dŵr.svg)");
    write(&dir, TOML, &en, &cy_of(&en));
    std::fs::create_dir_all(dir.join("images")).unwrap();
    std::fs::write(
        dir.join("images/dŵr.svg"),
        "<svg xmlns='http://www.w3.org/2000/svg'/>",
    )
    .unwrap();
    let (m, d) = load_module(&dir, &Placeholders::default());
    assert!(d.is_empty(), "{d:#?}");
    let m = m.unwrap();
    assert_eq!(m.assets.len(), 1);
    assert_eq!(m.assets[0].path, "images/dwr.svg");
}

/// Reported: images were read through a symlinked `images/` folder (only
/// the last path component was checked).
#[cfg(unix)]
#[test]
fn images_through_a_symlinked_folder_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(
        outside.join("lock.svg"),
        "<svg xmlns='http://www.w3.org/2000/svg'/>",
    )
    .unwrap();
    let dir = tmp.path().join("demo");
    let en = EN.replace("Hello **there**.", "![A lock](images/lock.svg)");
    write(&dir, TOML, &en, &cy_of(&en));
    std::os::unix::fs::symlink(&outside, dir.join("images")).unwrap();
    let (m, d) = load_module(&dir, &Placeholders::default());
    assert!(m.is_none());
    let errs: Vec<&Diagnostic> = d.iter().filter(|d| d.path.ends_with("en.md")).collect();
    assert_eq!(errs.len(), 1, "{d:#?}");
    assert_at(
        errs[0],
        11,
        11,
        "the image `images/lock.svg` is reached through `images`, a symbolic link",
    );
    // `..` cannot step around the check either.
    std::fs::create_dir_all(dir.join("real")).unwrap();
    let en = EN.replace("Hello **there**.", "![A lock](real/../images/lock.svg)");
    write(&dir, TOML, &en, &cy_of(&en));
    let (m, d) = load_module(&dir, &Placeholders::default());
    assert!(m.is_none(), "{d:#?}");
    assert!(
        d.iter().any(|d| d.message.contains("a symbolic link")),
        "{d:#?}"
    );
}

#[test]
fn duplicate_question_id() {
    let en = EN.replace(
        "::: question true-false {#q1}",
        "::: question true-false {#c1}",
    );
    let d = one_error_en(&en);
    assert_at(&d, 26, 27, "duplicate question id `c1`");
    assert!(d.help.contains("line 13"));
}

#[test]
fn invalid_utf8() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    write(&dir, TOML, EN, &cy_of(EN));
    let mut bytes = cy_of(EN).into_bytes();
    let pos = bytes.windows(4).position(|w| w == b"Helo").unwrap();
    bytes[pos + 1] = 0xff;
    std::fs::write(dir.join("cy.md"), bytes).unwrap();
    let (m, d) = load_module(&dir, &Placeholders::default());
    assert!(m.is_none());
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_at(&d[0], 11, 2, "not valid UTF-8");
}

/// Reported: a NUL byte in script text was copied raw into `index.html`.
#[test]
fn control_characters_are_refused_where_they_are() {
    for (c, code) in [('\0', "U+0000"), ('\u{1b}', "U+001B"), ('\r', "U+000D")] {
        let en = EN.replace("Hello **there**.", &format!("Hello **th{c}ere**."));
        let (ok, d) = load(TOML, &en, &cy_of(EN));
        assert!(!ok, "{c:?}");
        let errs: Vec<&Diagnostic> = d.iter().filter(|d| d.path.ends_with("en.md")).collect();
        assert_eq!(errs.len(), 1, "{d:#?}");
        assert_at(errs[0], 11, 11, code);
        assert!(
            !errs[0].render().contains(c),
            "{c:?} must not reach the terminal"
        );
    }
    // Tabs, CRLF line ends and a byte-order mark are fine.
    let en = format!(
        "\u{feff}{}",
        EN.replace('\n', "\r\n").replace("Hello", "Hello\t")
    );
    let (ok, d) = load(TOML, &en, &cy_of(EN));
    assert!(ok, "{d:#?}");
}

#[test]
fn welsh_scene_missing() {
    let cy = cy_of(EN).replace("# Intro {#intro}", "# Cyflwyniad {#cyflwyniad}");
    let (ok, d) = load(TOML, EN, &cy);
    assert!(!ok);
    assert!(
        d.iter()
            .any(|d| d.message.contains("scene `intro` is in") && d.path.ends_with("cy.md")),
        "{d:#?}"
    );
    assert!(
        d.iter()
            .any(|d| d.message.contains("scene `cyflwyniad` is not in") && d.line == 9),
        "{d:#?}"
    );
}

#[test]
fn welsh_question_marks_a_different_answer() {
    let cy = cy_of(EN)
        .replace("- [x] Right", "- [ ] Right")
        .replace("- [ ] Wrong", "- [x] Wrong");
    let (ok, d) = load(TOML, EN, &cy);
    assert!(!ok);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_at(&d[0], 13, 1, "marks option(s) 2 correct here but 1");
    assert!(d[0].path.ends_with("cy.md"));
}

#[test]
fn welsh_question_with_fewer_options() {
    let en = EN.replace(
        "- [ ] Wrong\n  > No.\n",
        "- [ ] Wrong\n  > No.\n- [ ] Also wrong\n  > No.\n",
    );
    let cy = cy_of(EN);
    let (_, d) = load(TOML, &en, &cy);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_at(&d[0], 13, 1, "has 2 options here but 3");
}

#[test]
fn scene_without_id() {
    let en = EN.replace("# Intro {#intro}", "# Intro");
    let (_, d) = load(TOML, &en, &cy_of(&en));
    let d: Vec<_> = d
        .into_iter()
        .filter(|d| d.path.ends_with("en.md"))
        .collect();
    assert_at(&d[0], 9, 8, "this scene has no id");
}

#[test]
fn unknown_placeholder() {
    let en = EN.replace("Hello **there**.", "Call {{helpdesk}} now.");
    let d = one_error_en(&en);
    assert_at(&d, 11, 6, "unknown placeholder `{{helpdesk}}`");
    assert!(d.help.contains("{{service_desk}}"));
}

#[test]
fn placeholders_take_their_defaults() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let en = EN.replace("Hello **there**.", "Call {{service_desk}}.");
    let cy = cy_of(EN).replace("Helo **there**.", "Ffoniwch {{service_desk}}.");
    write(&dir, TOML, &en, &cy);
    let (m, d) = load_module(&dir, &Placeholders::default());
    assert!(d.is_empty(), "{d:#?}");
    let m = m.unwrap();
    let text = format!("{:?}", m.script(pecyn_core::Locale::Cy).scenes[0].blocks[0]);
    assert!(text.contains("desg gwasanaeth TG eich sefydliad"), "{text}");
}

#[test]
fn unsafe_link_scheme() {
    let en = EN.replace("Hello **there**.", "See [this](javascript:alert(1)).");
    let d = one_error_en(&en);
    assert_at(&d, 11, 5, "is not allowed");
}

#[test]
fn unclosed_block() {
    let en = EN.replace("  > No.\n:::\n\n# Quiz", "  > No.\n\n# Quiz");
    let (_, d) = load(TOML, &en, &cy_of(&en));
    assert!(
        d.iter()
            .any(|d| d.message.contains("block opened inside another block")
                || d.message.contains("never closed")),
        "{d:#?}"
    );
}

#[test]
fn no_quiz() {
    let en = EN.split("# Quiz").next().unwrap().to_string();
    let (_, d) = load(TOML, &en, &cy_of(&en));
    assert!(
        d.iter().any(|d| d.message == "the script has no quiz"),
        "{d:#?}"
    );
}

#[test]
fn question_outside_the_quiz() {
    let en = EN.replace("::: check single {#c1}", "::: question single {#c1}");
    let d = one_error_en(&en);
    assert_at(&d, 13, 5, "a quiz question outside the quiz");
}

#[test]
fn all_errors_of_a_file_at_once() {
    let en = EN
        .replace("- [x] True", "- [ ] True")
        .replace("Hello **there**.", "![](x.png)")
        .replace("::: check single {#c1}", "::: check single {#q1}");
    let (_, d) = load(TOML, &en, &cy_of(&en));
    let n = d.iter().filter(|d| d.path.ends_with("en.md")).count();
    assert!(n >= 3, "expected every error, got {d:#?}");
}

#[test]
fn missing_welsh_script() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    write(&dir, TOML, EN, "");
    std::fs::remove_file(dir.join("cy.md")).unwrap();
    let (m, d) = load_module(&dir, &Placeholders::default());
    assert!(m.is_none());
    assert_eq!(d.len(), 1);
    assert!(d[0].message.contains("file not found") && d[0].path.ends_with("cy.md"));
}

#[test]
fn rendered_diagnostic_has_caret_under_the_column() {
    let toml = TOML.replace("pass_mark = 80", "pass_mark = 120");
    let (_, d) = load(&toml, EN, &cy_of(EN));
    let r = d[0].render();
    assert!(r.contains("demo/module.toml:5:13"), "{r}");
    assert!(
        r.contains("5 | pass_mark = 120\n  |             ^^^ "),
        "{r}"
    );
}

/// Loads with a Welsh script of one changed paragraph and given placeholder values.
fn load_cy(
    cy_para: &str,
    placeholders: &Placeholders,
) -> (Option<pecyn_script::Module>, Vec<Diagnostic>) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let cy = cy_of(EN).replace("Helo **there**.", cy_para);
    write(&dir, TOML, EN, &cy);
    load_module(&dir, placeholders)
}

#[test]
fn mutation_marker_in_english_script() {
    let en = EN.replace("Hello **there**.", "Call {{dpo|soft}} now.");
    let (ok, d) = load(TOML, &en, &cy_of(EN));
    assert!(!ok);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(d[0].path.ends_with("en.md"));
    assert_at(&d[0], 11, 6, "mutation marker `|soft` in an English script");
    assert!(d[0].help.contains("{{dpo}}"), "{}", d[0].help);
}

#[test]
fn unknown_mutation_marker() {
    let (m, d) = load_cy("Ffoniwch {{dpo|meddal}} nawr.", &Placeholders::default());
    assert!(m.is_none());
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(d[0].path.ends_with("cy.md"));
    assert_at(&d[0], 11, 10, "unknown mutation marker `|meddal`");
    assert!(d[0].help.contains("`|soft`"), "{}", d[0].help);
}

#[test]
fn unmarked_placeholder_after_a_trigger_word_warns() {
    let (m, d) = load_cy("Cysylltwch â {{service_desk}}.", &Placeholders::default());
    assert!(m.is_some(), "a warning does not stop the build: {d:#?}");
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].severity, pecyn_core::Severity::Warning);
    assert_at(
        &d[0],
        11,
        14,
        "follows `â`, which usually causes aspirate mutation",
    );
    assert!(
        d[0].help.contains("{{service_desk|aspirate}}"),
        "{}",
        d[0].help
    );
    // A marker, `|none` included, answers the warning; non-trigger words never warn.
    for para in [
        "Cysylltwch â {{service_desk|aspirate}}.",
        "Cysylltwch â {{service_desk|none}}.",
        "Mae {{service_desk}} yma, i'r {{service_desk}}.",
    ] {
        let (m, d) = load_cy(para, &Placeholders::default());
        assert!(m.is_some() && d.is_empty(), "{para}: {d:#?}");
    }
}

#[test]
fn marked_placeholders_mutate_organisation_values() {
    let mut p = Placeholders::default();
    for (name, cy) in [
        ("service_desk", "Tîm Cymorth TG"),
        ("dpo", "Pennaeth Llywodraethu"),
        ("organisation", "Cyngor Caerdydd"),
        ("security_contact", "Adran Ddiogelwch"),
        ("report_incident", "Gwasanaeth Digidol"),
    ] {
        assert!(p.set(name, format!("EN {name}"), cy.to_string()));
    }
    let para =
        "Cysylltwch â {{service_desk|aspirate}}, gan {{dpo|soft}}, yn {{organisation|nasal}}, \
                a {{security_contact|aspirate}}, gyda {{report_incident|aspirate}}, \
                at {{report_incident|soft}} a {{dpo|none}}.";
    let (m, d) = load_cy(para, &p);
    assert!(d.is_empty(), "{d:#?}");
    let m = m.unwrap();
    let text = format!("{:?}", m.script(pecyn_core::Locale::Cy).scenes[0].blocks[0]);
    let want = "Cysylltwch â Thîm Cymorth TG, gan Bennaeth Llywodraethu, yng Nghyngor Caerdydd, \
                ac Adran Ddiogelwch, gyda Gwasanaeth Digidol, at Wasanaeth Digidol a Pennaeth Llywodraethu.";
    assert!(text.contains(want), "{text}");
}

// ---------- markup the format does not support: refused, never shown as written ----------

#[test]
fn a_table_is_refused() {
    let en = EN.replace("Hello **there**.", "| Item | Where |\n|---|---|");
    let (_, d) = load(TOML, &en, &cy_of(&en));
    let e = d
        .iter()
        .find(|d| d.path.ends_with("en.md"))
        .expect("an error");
    assert_at(e, 11, 1, "a table");
    assert!(e.help.contains("list item"), "{}", e.help);
}

#[test]
fn a_block_quote_is_refused() {
    let d = one_error_en(&EN.replace("Hello **there**.", "> Hello there."));
    assert_at(&d, 11, 1, "a block quote");
    assert!(d.help.contains("::: callout"));
}

#[test]
fn a_nested_list_is_refused() {
    let d = one_error_en(&EN.replace("Hello **there**.", "- one\n  - one and a half"));
    assert_at(&d, 12, 1, "a nested list");
}

#[test]
fn raw_html_is_refused() {
    let d = one_error_en(&EN.replace("Hello **there**.", "Hello <b>there</b>."));
    assert_at(&d, 11, 7, "HTML");
    assert_eq!(d.len, 3);
}

#[test]
fn a_horizontal_rule_is_refused() {
    let d = one_error_en(&EN.replace("Hello **there**.", "Hello.\n\n---\n\nThere."));
    assert_at(&d, 13, 1, "a horizontal rule");
}

#[test]
fn a_code_fence_is_refused() {
    let en = EN.replace("Hello **there**.", "```\nsudo rm\n```");
    let (_, d) = load(TOML, &en, &cy_of(&en));
    let e = d
        .iter()
        .find(|d| d.path.ends_with("en.md"))
        .expect("an error");
    assert_at(e, 11, 1, "a code block");
}

#[test]
fn a_single_brace_placeholder_asks_did_you_mean() {
    let d = one_error_en(&EN.replace("Hello **there**.", "Ask {dpo} today."));
    assert_at(&d, 11, 5, "`{dpo}` is not a placeholder");
    assert!(d.help.contains("did you mean `{{dpo}}`?"), "{}", d.help);
    assert_eq!(d.len, 5);
}

#[test]
fn a_placeholder_closed_with_two_braces_but_opened_with_one() {
    let d = one_error_en(&EN.replace("Hello **there**.", "Ask {service_desk}} today."));
    assert_at(&d, 11, 5, "`{service_desk}}` is not a placeholder");
    assert!(
        d.help.contains("did you mean `{{service_desk}}`?"),
        "{}",
        d.help
    );
}

// ---------- Welsh that is English ----------

fn cy_errors(en: &str, cy: &str) -> Vec<Diagnostic> {
    let (ok, d) = load(TOML, en, cy);
    assert!(!ok, "the module should fail");
    d.into_iter()
        .filter(|d| d.path.ends_with("cy.md"))
        .collect()
}

#[test]
fn an_english_sentence_in_the_welsh_script() {
    let cy = cy_of(EN).replace("Helo **there**.", "Tell the team and your manager.");
    let d = cy_errors(EN, &cy);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_at(&d[0], 11, 1, "this looks like English in the Welsh script");
    assert!(d[0].message.contains("Tell the team and your manager."));
}

#[test]
fn a_welsh_script_that_is_a_copy_of_the_english() {
    let english: String = (1..=7)
        .map(|i| format!("Sentence {i} is what you should read with the team.\n\n"))
        .collect();
    let en = EN.replace("Hello **there**.\n", &english);
    let d = cy_errors(&en, &cy_of(&en));
    assert_eq!(d.len(), 6, "five sentences, then one summary: {d:#?}");
    assert_at(&d[0], 11, 1, "this looks like English");
    assert_at(&d[5], 21, 1, "2 more sentences look English");
    assert!(d[5].help.contains("copy of en.md"), "{}", d[5].help);
}

#[test]
fn welsh_true_false_options_use_the_welsh_labels() {
    let cy = cy_of(EN).replace("- [x] Cywir", "- [x] Gwir");
    let d = cy_errors(EN, &cy);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_at(&d[0], 29, 7, "a true-false option reads “Gwir”");
    assert!(d[0].help.contains("write `Cywir`"), "{}", d[0].help);
}

#[test]
fn a_draft_is_a_warning_not_an_error() {
    let toml = TOML.replace("review_status = \"in-review\"", "review_status = \"draft\"");
    let (ok, d) = load(&toml, EN, &cy_of(EN));
    assert!(ok, "a draft still builds: {d:#?}");
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(!d[0].is_error());
    assert_at(&d[0], 6, 17, "this module is a draft");
}
