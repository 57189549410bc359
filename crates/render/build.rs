//! Embeds the default templates (`templates/` at the repository root) in the
//! library, so an installed `pecyn` builds packages anywhere; a `templates/`
//! folder given at run time overrides them file by file (see `source.rs`).

use std::path::{Path, PathBuf};

fn walk(dir: &Path, rel: &str, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let path = e.path();
        let r = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            walk(&path, &r, out);
        } else {
            out.push((r, path));
        }
    }
}

fn main() {
    let root = Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"))
        .join("..")
        .join("..")
        .join("templates");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    walk(&root, "", &mut files);
    files.sort();
    let mut code = String::from("/// The default templates: (path under `templates/`, contents).\npub(crate) static EMBEDDED: &[(&str, &[u8])] = &[\n");
    for (rel, path) in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let abs = path.canonicalize().expect("a template file");
        code.push_str(&format!(
            "    ({rel:?}, include_bytes!({:?})),\n",
            abs.display().to_string()
        ));
    }
    code.push_str("];\n");
    let out =
        Path::new(&std::env::var("OUT_DIR").expect("set by cargo")).join("embedded_templates.rs");
    std::fs::write(out, code).expect("write the embedded templates list");
}
