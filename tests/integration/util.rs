//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A `pecyn` command run from the repository root.
pub fn pecyn() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pecyn"));
    c.current_dir(root());
    c
}

/// Runs a command and returns its output.
pub fn run(mut c: Command) -> Output {
    c.output().expect("the pecyn binary runs")
}

/// Text of stdout and stderr together.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Builds the given modules of `modules_dir` into `out`, with the repository's templates.
pub fn build(modules_dir: &Path, out: &Path, only: &[&str]) -> Output {
    let mut c = pecyn();
    c.arg("build")
        .arg("--modules")
        .arg(modules_dir)
        .arg("--out")
        .arg(out)
        .arg("--templates")
        .arg(root().join("templates"));
    for o in only {
        c.arg("--only").arg(o);
    }
    run(c)
}
