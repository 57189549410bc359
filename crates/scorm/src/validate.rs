//! Full XSD validation of a manifest with `xmllint`, against pecyn's own
//! copies of the official schemas for the detected SCORM version and edition.
//!
//! Never against the schema files a package carries: a package must not be
//! able to choose its own verdict, and nothing from the zip but the manifest
//! is written to disk. `xmllint` runs with `--nonet --nocatalogs`, without
//! `--loaddtd`, `--noent` or `--xinclude`, with an empty environment but
//! `PATH`; the manifest it reads has already been refused if it has a
//! DOCTYPE or a processing instruction, so no external resource can be named.

use crate::schemas::SchemaSet;
use crate::xml::Element;
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// The result of validating a manifest against the official XSDs with xmllint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XsdOutcome {
    /// Valid.
    Valid,
    /// Invalid, with xmllint's messages.
    Invalid(String),
    /// Not run (and why): xmllint missing, or no temporary folder.
    Skipped(String),
}

const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Element and attribute names seen in one namespace no official schema here declares.
#[derive(Default)]
struct Foreign {
    elements: BTreeSet<String>,
    attributes: BTreeSet<String>,
}

fn is_ncname(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(f) if f.is_alphabetic() || f == '_')
        && c.all(|ch| ch.is_alphanumeric() || matches!(ch, '_' | '-' | '.'))
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;")
}

/// Namespaces used in the manifest that `set` does not declare, with the names used in each.
fn foreign_namespaces(root: &Element, set: SchemaSet) -> BTreeMap<String, Foreign> {
    let known = |ns: &str| set.namespaces().iter().any(|(k, _)| *k == ns);
    let mut out: BTreeMap<String, Foreign> = BTreeMap::new();
    let mut stack = vec![root];
    while let Some(el) = stack.pop() {
        if !el.ns.is_empty() && !known(&el.ns) {
            out.entry(el.ns.clone())
                .or_default()
                .elements
                .insert(el.name.clone());
        }
        for (ns, name, _) in &el.attrs {
            if !ns.is_empty() && ns != XSI_NS && !known(ns) {
                out.entry(ns.clone())
                    .or_default()
                    .attributes
                    .insert(name.clone());
            }
        }
        stack.extend(el.children.iter());
    }
    out
}

/// A schema that accepts anything for the names seen in a foreign namespace,
/// so the official schemas' strict wildcards find a declaration.
fn permissive_schema(ns: &str, f: &Foreign) -> String {
    let mut s = format!(
        "<?xml version=\"1.0\"?>\n<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" targetNamespace=\"{}\" elementFormDefault=\"qualified\">\n",
        escape_attr(ns)
    );
    for e in f.elements.iter().filter(|n| is_ncname(n)) {
        s.push_str(&format!(
            "  <xs:element name=\"{e}\"><xs:complexType mixed=\"true\"><xs:sequence><xs:any namespace=\"##any\" processContents=\"skip\" minOccurs=\"0\" maxOccurs=\"unbounded\"/></xs:sequence><xs:anyAttribute namespace=\"##any\" processContents=\"skip\"/></xs:complexType></xs:element>\n"
        ));
    }
    for a in f.attributes.iter().filter(|n| is_ncname(n)) {
        s.push_str(&format!("  <xs:attribute name=\"{a}\"/>\n"));
    }
    s.push_str("</xs:schema>\n");
    s
}

/// The part of xmllint's messages about the manifest. libxml2 also prints
/// remarks on the official schema files themselves (the 1.2 `ims_xml.xsd`
/// declares the `xml` namespace as its default one, which it dislikes but
/// compiles); those blocks, each a located line plus its source excerpt, are
/// not the package's fault and are left out.
fn about_the_manifest(stderr: &str) -> String {
    let mut keep = true;
    let mut out = Vec::new();
    for l in stderr.lines() {
        let located = l.split_once(':').is_some_and(|(file, rest)| {
            (file.ends_with(".xsd") || file.ends_with(".dtd") || file == "imsmanifest.xml")
                && rest.starts_with(|c: char| c.is_ascii_digit())
        });
        if located {
            keep = l.starts_with("imsmanifest.xml:");
        }
        if keep && !l.ends_with("imsmanifest.xml fails to validate") {
            out.push(l);
        }
    }
    out.join("\n")
}

/// Validates `manifest` (already parsed as `root`, and free of DOCTYPE and
/// processing instructions) against the official schema `set`. Returns the
/// outcome and notes for the report (namespaces checked for well-formedness only).
pub(crate) fn validate(
    manifest: &str,
    root: &Element,
    set: SchemaSet,
) -> (XsdOutcome, Vec<String>) {
    let foreign = foreign_namespaces(root, set);
    let notes: Vec<String> = foreign
        .iter()
        .map(|(ns, f)| {
            let what = if ns == "http://ltsc.ieee.org/xsd/LOM" {
                "inline IEEE LOM metadata".to_string()
            } else {
                let names: Vec<&str> = f
                    .elements
                    .iter()
                    .chain(f.attributes.iter())
                    .take(5)
                    .map(String::as_str)
                    .collect();
                format!("`{}` in namespace `{ns}`", names.join("`, `"))
            };
            format!(
                "pecyn has no official schema for {what}: it was checked for well-formedness only"
            )
        })
        .collect();
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            return (
                XsdOutcome::Skipped(format!("no temporary folder: {e}")),
                notes,
            )
        }
    };
    let mut files: Vec<(String, Vec<u8>)> = set
        .files()
        .iter()
        .map(|f| (f.name.to_string(), f.bytes.to_vec()))
        .collect();
    let mut imports = String::new();
    for (ns, file) in set.namespaces() {
        imports.push_str(&format!(
            "  <xs:import namespace=\"{ns}\" schemaLocation=\"{file}\"/>\n"
        ));
    }
    for (i, (ns, f)) in foreign.iter().enumerate() {
        let file = format!("__pecyn_foreign_{i}.xsd");
        imports.push_str(&format!(
            "  <xs:import namespace=\"{}\" schemaLocation=\"{file}\"/>\n",
            escape_attr(ns)
        ));
        files.push((file, permissive_schema(ns, f).into_bytes()));
    }
    let driver = format!("<?xml version=\"1.0\"?>\n<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n{imports}</xs:schema>\n");
    files.push(("__pecyn_driver.xsd".into(), driver.into_bytes()));
    files.push(("imsmanifest.xml".into(), manifest.as_bytes().to_vec()));
    for (name, bytes) in &files {
        if let Err(e) = std::fs::write(dir.path().join(name), bytes) {
            return (
                XsdOutcome::Skipped(format!("cannot write temporary files: {e}")),
                notes,
            );
        }
    }
    let out = Command::new("xmllint")
        .env_clear()
        .envs(std::env::var_os("PATH").map(|p| ("PATH", p)))
        .current_dir(dir.path())
        .args([
            "--noout",
            "--nonet",
            "--nocatalogs",
            "--schema",
            "__pecyn_driver.xsd",
            "imsmanifest.xml",
        ])
        .output();
    let outcome = match out {
        Err(_) => {
            XsdOutcome::Skipped("xmllint is not installed (apt-get install libxml2-utils)".into())
        }
        Ok(o) if o.status.success() => XsdOutcome::Valid,
        // xmllint exits 5 when a schema does not compile: ours always do, so say so rather than blame the package.
        Ok(o) if o.status.code() == Some(5) => XsdOutcome::Skipped(format!(
            "the {} schemas did not compile: {}",
            set.label(),
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Ok(o) => XsdOutcome::Invalid(about_the_manifest(&String::from_utf8_lossy(&o.stderr))),
    };
    (outcome, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remarks_on_our_schema_files_are_left_out() {
        let stderr = "ims_xml.xsd:1: namespace error : xml namespace URI cannot be the default namespace\n<xsd:schema xmlns=\"http://www.w3.org/XML/1998/namespace\"\n     ^\nimsmanifest.xml:26: element dataFromLMS: Schemas validity error : Element 'x': No matching global element declaration available, but demanded by the strict wildcard.\nimsmanifest.xml fails to validate\n";
        assert_eq!(
            about_the_manifest(stderr),
            "imsmanifest.xml:26: element dataFromLMS: Schemas validity error : Element 'x': No matching global element declaration available, but demanded by the strict wildcard."
        );
    }
}
