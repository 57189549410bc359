//! `pecyn build`: the matrix, the manifests, reproducibility, atomic writes.

use crate::util::{build, pecyn, root, run, text};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

fn zip_entries(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let f = std::fs::File::open(path).unwrap();
    let mut z = zip::ZipArchive::new(f).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..z.len() {
        let mut e = z.by_index(i).unwrap();
        let mut buf = Vec::new();
        e.read_to_end(&mut buf).unwrap();
        out.insert(e.name().to_string(), buf);
    }
    out
}

fn catalogue(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("catalogue.json")).unwrap()).unwrap()
}

fn pass_mark(module: &str) -> u32 {
    let toml =
        std::fs::read_to_string(root().join("modules").join(module).join("module.toml")).unwrap();
    toml.lines()
        .find_map(|l| l.strip_prefix("pass_mark = "))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn passwords_builds_eight_packages_with_a_catalogue() {
    let tmp = tempfile::tempdir().unwrap();
    let o = build(&root().join("modules"), tmp.path(), &["passwords"]);
    assert!(o.status.success(), "{}", text(&o));
    let cat = catalogue(tmp.path());
    let pkgs = cat["packages"].as_array().unwrap();
    assert_eq!(pkgs.len(), 8);
    let mut ids = BTreeSet::new();
    for p in pkgs {
        let file = p["file"].as_str().unwrap();
        let path = tmp.path().join(file);
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(p["bytes"].as_u64().unwrap(), bytes.len() as u64);
        let sha: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(p["sha256"].as_str().unwrap(), sha);
        let id = p["id"].as_str().unwrap();
        assert!(ids.insert(id.to_string()), "duplicate id {id}");
        let expected_file = format!(
            "passwords-{}-{}-scorm{}.zip",
            p["lang"].as_str().unwrap(),
            p["variant"].as_str().unwrap(),
            p["scorm"].as_str().unwrap().replace('.', "")
        );
        assert_eq!(file, expected_file);
        for key in ["module", "version", "title", "lang", "variant", "scorm"] {
            assert!(p[key].is_string(), "{key} missing in {p}");
        }
    }
    let files: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        files.len(),
        9,
        "8 zips and catalogue.json, nothing else: {files:?}"
    );
}

#[test]
fn manifests_carry_stable_ids_the_pass_mark_and_language() {
    let tmp = tempfile::tempdir().unwrap();
    let o = build(&root().join("modules"), tmp.path(), &["passwords"]);
    assert!(o.status.success(), "{}", text(&o));
    let mark = pass_mark("passwords");
    for p in catalogue(tmp.path())["packages"].as_array().unwrap() {
        let entries = zip_entries(&tmp.path().join(p["file"].as_str().unwrap()));
        let manifest = String::from_utf8(entries["imsmanifest.xml"].clone()).unwrap();
        let id = p["id"].as_str().unwrap();
        assert!(id.chars().next().unwrap().is_ascii_alphabetic() || id.starts_with('_'));
        assert!(
            id.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'),
            "{id}"
        );
        assert!(
            manifest.contains(&format!("<manifest identifier=\"{id}\"")),
            "manifest id must be the catalogue id"
        );
        let lang = if p["lang"] == "cy" { "cy-GB" } else { "en-GB" };
        let version = p["version"].as_str().unwrap();
        assert!(manifest.contains(&format!("version=\"{version}\"")));
        if p["scorm"] == "1.2" {
            assert!(manifest.contains("<schemaversion>1.2</schemaversion>"));
            assert!(manifest.contains("adlcp:scormtype=\"sco\""));
            assert!(manifest.contains(&format!("<adlcp:masteryscore>{mark}</adlcp:masteryscore>")));
            assert!(manifest.contains(&format!("<imsmd:langstring xml:lang=\"{lang}\">")));
            assert!(manifest.contains(&format!("<imsmd:language>{lang}</imsmd:language>")));
        } else {
            assert!(manifest.contains("<schemaversion>2004 4th Edition</schemaversion>"));
            assert!(manifest.contains("adlcp:scormType=\"sco\""));
            assert!(manifest.contains("satisfiedByMeasure=\"true\""));
            let measure = format!("{}", mark as f64 / 100.0);
            assert!(
                manifest.contains(&format!(
                    "<imsss:minNormalizedMeasure>{measure}</imsss:minNormalizedMeasure>"
                )),
                "{measure}"
            );
        }
        // Variants of one module are told apart after import: the accessible
        // title says so, and the description says who the variant is for.
        let title = p["title"].as_str().unwrap();
        let (suffix, who) = match (p["lang"].as_str().unwrap(), p["variant"].as_str().unwrap()) {
            ("en", "accessible") => (" (accessible version)", "Accessible version:"),
            ("cy", "accessible") => (" (fersiwn hygyrch)", "Fersiwn hygyrch:"),
            ("en", _) => ("", "Standard version:"),
            _ => ("", "Fersiwn safonol:"),
        };
        let escaped = title
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('\'', "&apos;")
            .replace('"', "&quot;");
        assert!(
            manifest.contains(&format!(">{escaped}{suffix}</")),
            "{}: manifest title should be `{title}{suffix}`",
            p["file"]
        );
        assert!(
            manifest.contains(who),
            "{}: description should say `{who}`",
            p["file"]
        );
        let html = String::from_utf8(entries["index.html"].clone()).expect("index.html is UTF-8");
        assert!(html.contains(&format!("<html lang=\"{lang}\"")));
        assert!(html.to_lowercase().contains("<meta charset=\"utf-8\">"));
        for name in entries.keys() {
            assert!(
                name.is_ascii() && !name.contains('\\') && !name.contains(".."),
                "{name}"
            );
        }
    }
}

#[test]
fn schema_files_are_exact_copies_of_the_official_ones() {
    let sums = std::fs::read_to_string(root().join("crates/scorm/schemas/SHA256SUMS")).unwrap();
    let expected: BTreeMap<(String, String), String> = sums
        .lines()
        .map(|l| {
            let (hash, path) = l.split_once("  ").unwrap();
            let (dir, name) = path.split_once('/').unwrap();
            ((dir.to_string(), name.to_string()), hash.to_string())
        })
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    let o = build(&root().join("modules"), tmp.path(), &["passwords"]);
    assert!(o.status.success(), "{}", text(&o));
    for (file, dir, count) in [
        ("passwords-en-standard-scorm12.zip", "scorm12", 4),
        ("passwords-en-standard-scorm2004.zip", "scorm2004-4th", 17),
    ] {
        let entries = zip_entries(&tmp.path().join(file));
        let mut n = 0;
        for (name, bytes) in &entries {
            if name.ends_with(".xsd") || name.ends_with(".dtd") {
                let sha: String = Sha256::digest(bytes)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                assert_eq!(
                    Some(&sha),
                    expected.get(&(dir.to_string(), name.clone())),
                    "{file}: {name} differs from the official file"
                );
                n += 1;
            }
        }
        assert_eq!(n, count, "{file} carries every schema file");
    }
}

#[test]
fn builds_are_byte_for_byte_reproducible() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    assert!(build(&root().join("modules"), a.path(), &["passwords"])
        .status
        .success());
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert!(build(&root().join("modules"), b.path(), &["passwords"])
        .status
        .success());
    for e in std::fs::read_dir(a.path()).unwrap() {
        let name = e.unwrap().file_name();
        let x = std::fs::read(a.path().join(&name)).unwrap();
        let y = std::fs::read(b.path().join(&name)).unwrap();
        assert!(x == y, "{name:?} differs between two builds");
    }
}

#[test]
fn pages_are_html5_without_parse_errors() {
    use html5ever::tendril::TendrilSink;
    let tmp = tempfile::tempdir().unwrap();
    assert!(build(&root().join("modules"), tmp.path(), &["passwords"])
        .status
        .success());
    for p in catalogue(tmp.path())["packages"].as_array().unwrap() {
        let entries = zip_entries(&tmp.path().join(p["file"].as_str().unwrap()));
        let html = String::from_utf8(entries["index.html"].clone()).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"));
        let dom =
            html5ever::parse_document(markup5ever_rcdom::RcDom::default(), Default::default())
                .one(html.as_str());
        let errors: Vec<String> = dom.errors.iter().map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", p["file"]);
    }
}

const GOOD_TOML: &str = "id = \"good\"\nversion = \"1.0.0\"\ncollection = \"cyber\"\nminutes = 3\npass_mark = 100\nreview_status = \"in-review\"\n[title]\nen = \"Good\"\ncy = \"Da\"\n[summary]\nen = \"Good.\"\ncy = \"Da.\"\n[[contributors]]\nname = \"T\"\norganisation = \"O\"\n";
const GOOD_EN: &str = "::: objectives\n- a\n:::\n\n::: remember\n- b\n:::\n\n# One {#one}\n\nText.\n\n# Quiz {#quiz .quiz}\n\n::: question single {#q1}\nQ?\n\n- [x] A\n  > yes\n- [ ] B\n  > no\n:::\n";

/// Reported: an interrupted build leaves `.pecyn-*.zip.part` files that
/// later builds never clean. A build removes old ones of our own naming, and
/// nothing else.
#[test]
fn stale_temporary_files_of_ours_are_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let stale = out.join(".pecyn-Ab12Cd.zip.part");
    let fresh = out.join(".pecyn-Ef34Gh.zip.part");
    let theirs = out.join("notes.zip.part");
    for p in [&stale, &fresh, &theirs] {
        std::fs::write(p, b"partial").unwrap();
    }
    for p in [&stale, &theirs] {
        std::fs::File::options()
            .write(true)
            .open(p)
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
    let o = build(&root().join("modules"), out, &["passwords"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(!stale.exists(), "the stale temporary file is removed");
    assert!(
        fresh.exists(),
        "a fresh one may belong to a build running now"
    );
    assert!(theirs.exists(), "files not of our naming are left alone");
    assert!(out.join("passwords-en-standard-scorm12.zip").is_file());
}

fn module(dir: &Path, id: &str, en: &str) {
    let d = dir.join(id);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(
        d.join("module.toml"),
        GOOD_TOML.replace("\"good\"", &format!("\"{id}\"")),
    )
    .unwrap();
    std::fs::write(d.join("en.md"), en).unwrap();
    std::fs::write(d.join("cy.md"), en.replace("Text.", "Testun.")).unwrap();
}

#[test]
fn a_broken_module_leaves_no_zip_and_the_others_still_build() {
    let mods = tempfile::tempdir().unwrap();
    module(mods.path(), "good", GOOD_EN);
    module(
        mods.path(),
        "broken",
        &GOOD_EN.replace("- [x] A", "- [ ] A"),
    );
    let out = tempfile::tempdir().unwrap();
    let o = build(mods.path(), out.path(), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("broken/en.md:15:1"), "{t}");
    assert!(t.contains("the quiz question has no correct answer"), "{t}");
    assert!(
        t.contains("1 module(s) not built because of errors: broken"),
        "{t}"
    );
    let files: BTreeSet<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files.len(), 9, "{files:?}");
    assert!(
        files
            .iter()
            .all(|f| f.starts_with("good-") || f == "catalogue.json"),
        "{files:?}"
    );
    let cat = catalogue(out.path());
    assert_eq!(cat["packages"].as_array().unwrap().len(), 8);
}

#[test]
fn json_output_reports_packages_and_diagnostics() {
    let mods = tempfile::tempdir().unwrap();
    module(mods.path(), "good", GOOD_EN);
    module(
        mods.path(),
        "broken",
        &GOOD_EN.replace("# One {#one}", "# One"),
    );
    let out = tempfile::tempdir().unwrap();
    let mut c = pecyn();
    c.args([
        "build",
        "--json",
        "--lang",
        "en",
        "--scorm",
        "2004",
        "--variant",
        "accessible",
    ])
    .arg("--modules")
    .arg(mods.path())
    .arg("--out")
    .arg(out.path());
    let o = run(c);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("stdout is JSON");
    assert_eq!(v["ok"], false);
    assert_eq!(v["packages"].as_array().unwrap().len(), 1);
    assert_eq!(v["packages"][0]["file"], "good-en-accessible-scorm2004.zip");
    let d = &v["diagnostics"][0];
    assert_eq!(d["line"], 9);
    assert!(d["message"].as_str().unwrap().contains("no id"));
}

#[test]
fn unknown_module_and_missing_templates_exit_2() {
    let out = tempfile::tempdir().unwrap();
    let o = build(&root().join("modules"), out.path(), &["no-such-module"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("no module `no-such-module`"));
    let mut c = pecyn();
    c.args(["build", "--templates", "/nonexistent"])
        .arg("--out")
        .arg(out.path());
    let o = run(c);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("/nonexistent"));
}

#[test]
fn welsh_file_names_are_ascii_but_text_keeps_its_letters() {
    let mods = tempfile::tempdir().unwrap();
    let en = GOOD_EN.replace("Text.", "![A jug of water](images/dŵr.svg)\n\nText.");
    module(mods.path(), "good", &en);
    std::fs::create_dir_all(mods.path().join("good/images")).unwrap();
    std::fs::write(
        mods.path().join("good/images/dŵr.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .unwrap();
    std::fs::write(
        mods.path().join("good/cy.md"),
        en.replace("A jug of water", "Jwg o ddŵr")
            .replace("Text.", "Testun."),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = build(mods.path(), out.path(), &[]);
    assert!(o.status.success(), "{}", text(&o));
    let e = zip_entries(&out.path().join("good-cy-standard-scorm12.zip"));
    assert!(e.contains_key("images/dwr.svg"), "{:?}", e.keys());
    let html = String::from_utf8(e["index.html"].clone()).unwrap();
    // minijinja escapes `/` in attributes as `&#x2f;`, which browsers decode.
    assert!(
        html.replace("&#x2f;", "/")
            .contains("src=\"images/dwr.svg\""),
        "{html}"
    );
    assert!(html.contains("Jwg o ddŵr"));
}

#[test]
fn a_draft_builds_with_a_warning_and_a_banner_on_every_package() {
    let mods = tempfile::tempdir().unwrap();
    module(mods.path(), "good", GOOD_EN);
    let toml = mods.path().join("good").join("module.toml");
    let src = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        src.replace("review_status = \"in-review\"", "review_status = \"draft\""),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = build(mods.path(), out.path(), &[]);
    assert!(o.status.success(), "a draft still builds: {}", text(&o));
    let t = text(&o);
    assert!(t.contains("warning"), "{t}");
    assert!(t.contains("this module is a draft"), "{t}");
    for (file, banner) in [
        ("good-en-standard-scorm12.zip", "Draft — not for release"),
        (
            "good-cy-accessible-scorm2004.zip",
            "Drafft — ddim i’w ryddhau",
        ),
    ] {
        let html =
            String::from_utf8(zip_entries(&out.path().join(file))["index.html"].clone()).unwrap();
        assert!(
            html.contains("class=\"draft-banner\"") && html.contains(banner),
            "{file} has no draft banner"
        );
    }
}

/// An installed `pecyn` builds anywhere: the templates are in the binary, and a
/// `templates/` folder in the working directory overrides them file by file.
#[test]
fn the_binary_builds_outside_the_repository_with_its_own_templates() {
    let work = tempfile::tempdir().unwrap();
    let mods = work.path().join("mods");
    module(&mods, "good", GOOD_EN);
    let mut c = pecyn();
    c.current_dir(work.path())
        .args(["build", "--modules", "mods", "--out", "dist"]);
    let o = run(c);
    assert!(o.status.success(), "{}", text(&o));
    let entries = zip_entries(&work.path().join("dist/good-cy-standard-scorm12.zip"));
    let html = String::from_utf8(entries["index.html"].clone()).unwrap();
    assert!(html.contains("<html lang=\"cy-GB\""), "{html}");
    let css = std::fs::read(root().join("templates/assets/player.css")).unwrap();
    assert_eq!(entries["assets/player.css"], css, "the built-in stylesheet");

    // One file overridden; everything else stays built in.
    std::fs::create_dir_all(work.path().join("templates/assets")).unwrap();
    std::fs::write(
        work.path().join("templates/assets/player.css"),
        "/* ours */",
    )
    .unwrap();
    let mut c = pecyn();
    c.current_dir(work.path())
        .args(["build", "--modules", "mods", "--out", "dist2"]);
    let o = run(c);
    assert!(o.status.success(), "{}", text(&o));
    let entries = zip_entries(&work.path().join("dist2/good-cy-standard-scorm12.zip"));
    assert_eq!(entries["assets/player.css"], b"/* ours */");
    assert!(entries.contains_key("assets/player.js"));
    assert!(entries.contains_key("index.html"));
}
