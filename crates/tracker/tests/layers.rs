//! The tracker's layers, checked from the source: every `crate::…` path in
//! `src/` (in `use` lines and inline) may only name a module of the same or
//! a lower layer, and the domain and the store must not name the frameworks
//! of the layers above them. Run with `cargo test -p pecyn-tracker --test layers`.
//!
//! Layers, lowest first: leaves (`keys`, `metrics`, `error`) < `domain` <
//! `store` < `http` < `cli`. `lib.rs` and `main.rs` only declare and
//! re-export.

use std::path::{Path, PathBuf};

/// The rank of a top-level module; `None` for the crate root files.
fn rank(module: &str) -> Option<u8> {
    match module {
        "keys" | "metrics" | "error" => Some(0),
        "domain" => Some(1),
        "store" => Some(2),
        "http" => Some(3),
        "cli" => Some(4),
        _ => None,
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read src")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file without comments and without its test modules (tests
/// may reach anywhere).
fn code_of(text: &str) -> String {
    let before_tests = text.split("#[cfg(test)]").next().unwrap_or("");
    before_tests
        .lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every top-level module named by a `crate::` path in `code`, including
/// the members of grouped imports (`use crate::{a, b::c};`).
fn named_modules(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let preceded_ok = rest[..i]
            .chars()
            .last()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        let after = &rest[i + "crate::".len()..];
        if preceded_ok {
            if let Some(group) = after.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    let name: String = item
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        out.push(name);
                    }
                }
            } else {
                let name: String = after
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.push(name);
            }
        }
        rest = after;
    }
    out
}

/// Words a layer must not contain in its code (outside tests).
fn forbidden_words(layer: &str) -> &'static [&'static str] {
    match layer {
        // The shared error type may wrap a database error; nothing else in the
        // leaves or the domain may name the database or HTTP frameworks.
        "error" => &["axum::", "on_db!", "tower"],
        "keys" | "metrics" | "domain" => &["axum::", "sqlx::", "on_db!", "tower"],
        "store" => &["axum::", "tower"],
        "http" => &["sqlx::", "on_db!"],
        _ => &[],
    }
}

fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    assert!(
        files.len() > 20,
        "expected the tracker's sources in {src:?}"
    );
    let mut problems = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(src).expect("under src");
        let top = rel
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or("")
            .trim_end_matches(".rs")
            .to_owned();
        let Some(own) = rank(&top) else {
            continue; // lib.rs, main.rs
        };
        let code = code_of(&std::fs::read_to_string(f).expect("read"));
        for m in named_modules(&code) {
            match rank(&m) {
                Some(r) if r > own => problems.push(format!(
                    "{}: the {top} layer imports crate::{m}, a higher layer",
                    rel.display()
                )),
                None if m != "on_db" => problems.push(format!(
                    "{}: crate::{m} is not a known layer (add it to tests/layers.rs)",
                    rel.display()
                )),
                _ => {}
            }
        }
        for w in forbidden_words(&top) {
            if code.contains(w) {
                problems.push(format!(
                    "{}: the {top} layer must not use {w}",
                    rel.display()
                ));
            }
        }
    }
    problems
}

#[test]
fn no_layer_imports_a_higher_one() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let problems = violations(&src);
    assert!(
        problems.is_empty(),
        "layer violations:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_check_catches_an_upward_import() {
    // A store file that reaches into the HTTP layer, and a domain file that
    // names sqlx, must be reported: the check above cannot pass vacuously.
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path();
    for sub in ["store", "domain", "http"] {
        std::fs::create_dir_all(src.join(sub)).expect("mkdir");
    }
    for i in 0..21 {
        std::fs::write(src.join(format!("http/h{i}.rs")), "use crate::store::Db;\n").expect("w");
    }
    std::fs::write(
        src.join("store/bad.rs"),
        "use crate::{error::AppError, http::state::AppState};\n",
    )
    .expect("write");
    std::fs::write(
        src.join("domain/bad.rs"),
        "fn f(_: sqlx::Error) {}\n#[cfg(test)]\nmod tests { use crate::cli::run; }\n",
    )
    .expect("write");
    let problems = violations(src);
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems[0].contains("store/bad.rs") || problems[1].contains("store/bad.rs"));
    assert!(problems.iter().any(|p| p.contains("must not use sqlx::")));
}
