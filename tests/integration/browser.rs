//! The learner's player in a real browser under a real SCORM runtime: builds
//! every module in `modules/` with the `pecyn` binary, then runs
//! `tests/browser/run.mjs` (headless Chromium, scorm-again, axe-core) on the
//! packages. See `tests/browser/README.md` for what runs on which package.

use crate::util;
use std::path::Path;
use std::process::Command;

/// `true` when this run must not skip (CI), `false` on a developer's machine.
fn in_ci() -> bool {
    std::env::var("CI").map(|v| v == "true").unwrap_or(false)
}

/// Whether the browser test can run here; prints why not otherwise.
fn ready(harness: &Path) -> bool {
    let chromium = std::env::var_os("CHROMIUM")
        .map(Into::into)
        .unwrap_or_else(|| Path::new("/usr/bin/chromium").to_path_buf());
    let node = Command::new("node")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    let missing: Vec<&str> = [
        (
            !harness
                .join("node_modules")
                .join("playwright-core")
                .is_dir(),
            "tests/browser/node_modules",
        ),
        (!chromium.is_file(), "chromium"),
        (!node, "node"),
    ]
    .into_iter()
    .filter_map(|(m, what)| m.then_some(what))
    .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(!in_ci(), "browser tests cannot run in CI: missing {}; run `npm ci --prefix tests/browser` and install chromium", missing.join(", "));
    eprintln!(
        "SKIPPED: browser tests need `npm ci --prefix tests/browser` and chromium (missing: {})",
        missing.join(", ")
    );
    false
}

#[test]
fn every_package_works_in_chromium_under_scorm_again() {
    let root = util::root();
    let harness = root.join("tests").join("browser");
    if !ready(&harness) {
        return;
    }
    let out = tempfile::tempdir().expect("temp dir");
    let built = util::build(&root.join("modules"), out.path(), &[]);
    let zips = std::fs::read_dir(out.path())
        .expect("output dir")
        .filter(|e| {
            e.as_ref()
                .map(|e| e.path().extension().is_some_and(|x| x == "zip"))
                .unwrap_or(false)
        })
        .count();
    assert!(
        zips > 0,
        "pecyn build made no packages:\n{}",
        util::text(&built)
    );
    if !built.status.success() {
        // Modules are written by many hands; the ones that built are still tested, but say so.
        eprintln!(
            "note: `pecyn build` reported problems; testing the {zips} packages it made:\n{}",
            util::text(&built)
        );
    }
    // In CI every package gets the full keyboard walk-through (about 14 minutes on
    // 2 cores); on a developer's machine the default matrix walks every module in
    // both SCORM versions and tours the rest (about 8 minutes).
    let mut cmd = Command::new("node");
    cmd.arg(harness.join("run.mjs"))
        .arg(out.path())
        .current_dir(&root);
    if in_ci() {
        cmd.arg("--all");
    }
    let run = cmd.output().expect("node runs");
    let report = util::text(&run);
    println!("{report}");
    assert!(run.status.success(), "browser tests failed:\n{report}");
    assert!(report.contains(" 0 failed"), "unexpected report:\n{report}");
}

/// The whole loop (tests/browser/loop.mjs): the real tracker on SQLite on a
/// loopback port, one module built with `--tracker-url`/`--tracker-key`, walked
/// with the keyboard in both SCORM versions and both languages; then the
/// tracker stopped during a session, answering 500, and answering nothing.
#[test]
fn packages_report_completions_to_the_tracker() {
    let root = util::root();
    let harness = root.join("tests").join("browser");
    if !ready(&harness) {
        return;
    }
    // A short module keeps the run to about a minute; any module would do.
    let modules = root.join("modules");
    let module = if modules.join("online-services").is_dir() {
        "online-services".to_string()
    } else {
        let mut ids: Vec<String> = std::fs::read_dir(&modules)
            .expect("modules folder")
            .filter_map(|e| e.ok())
            .filter(|e| e.path().join("module.toml").is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        ids.sort();
        ids.into_iter().next().expect("at least one module")
    };
    let run = Command::new("node")
        .arg(harness.join("loop.mjs"))
        .arg("--pecyn")
        .arg(env!("CARGO_BIN_EXE_pecyn"))
        .arg("--modules")
        .arg(&modules)
        .arg("--module")
        .arg(&module)
        .current_dir(&root)
        .output()
        .expect("node runs");
    let report = util::text(&run);
    println!("{report}");
    assert!(run.status.success(), "the loop test failed:\n{report}");
    assert!(
        report.contains("loop: ok, 0 problem(s)"),
        "unexpected report:\n{report}"
    );
}
