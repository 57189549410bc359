//! A small namespace-aware element tree over quick-xml, and full XSD
//! validation through `xmllint` when it is installed.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;
use std::path::Path;
use std::process::Command;

/// An element with resolved namespace.
#[derive(Debug, Default, Clone)]
pub(crate) struct Element {
    pub ns: String,
    pub name: String,
    /// (namespace, local name, value)
    pub attrs: Vec<(String, String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    pub fn attr(&self, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(ns, n, _)| ns.is_empty() && n == local)
            .map(|(_, _, v)| v.as_str())
    }

    pub fn attr_ns(&self, ns_contains: &str, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(ns, n, _)| ns.contains(ns_contains) && n == local)
            .map(|(_, _, v)| v.as_str())
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    pub fn descendants<'a>(&'a self, out: &mut Vec<&'a Element>) {
        for c in &self.children {
            out.push(c);
            c.descendants(out);
        }
    }
}

/// Parses a document into its root element, or (line, message).
pub(crate) fn parse(src: &str) -> Result<Element, (usize, String)> {
    let mut reader = NsReader::from_str(src);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let line_of = |pos: u64| src[..(pos as usize).min(src.len())].matches('\n').count() + 1;
    let make = |reader: &NsReader<&[u8]>,
                e: &quick_xml::events::BytesStart<'_>|
     -> Result<Element, String> {
        let (ns, local) = reader.resolve_element(e.name());
        let ns = match ns {
            ResolveResult::Bound(n) => String::from_utf8_lossy(n.as_ref()).into_owned(),
            ResolveResult::Unknown(p) => {
                return Err(format!(
                    "unknown namespace prefix `{}`",
                    String::from_utf8_lossy(&p)
                ))
            }
            ResolveResult::Unbound => String::new(),
        };
        let mut el = Element {
            ns,
            name: String::from_utf8_lossy(local.as_ref()).into_owned(),
            ..Default::default()
        };
        for a in e.attributes() {
            let a = a.map_err(|e| e.to_string())?;
            let key = a.key;
            if key.as_ref() == b"xmlns" || key.as_ref().starts_with(b"xmlns:") {
                continue;
            }
            let (ans, alocal) = reader.resolve_attribute(key);
            let ans = match ans {
                ResolveResult::Bound(n) => String::from_utf8_lossy(n.as_ref()).into_owned(),
                ResolveResult::Unknown(p) => {
                    let p = String::from_utf8_lossy(&p).into_owned();
                    if p == "xml" {
                        "http://www.w3.org/XML/1998/namespace".to_string()
                    } else {
                        return Err(format!("unknown namespace prefix `{p}`"));
                    }
                }
                ResolveResult::Unbound => String::new(),
            };
            let value = a.unescape_value().map_err(|e| e.to_string())?.into_owned();
            el.attrs.push((
                ans,
                String::from_utf8_lossy(alocal.as_ref()).into_owned(),
                value,
            ));
        }
        Ok(el)
    };
    loop {
        let pos = reader.buffer_position();
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let el = make(&reader, &e).map_err(|m| (line_of(pos), m))?;
                stack.push(el);
            }
            Ok(Event::Empty(e)) => {
                let el = make(&reader, &e).map_err(|m| (line_of(pos), m))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Ok(Event::End(_)) => {
                let el = stack
                    .pop()
                    .ok_or((line_of(pos), "unexpected closing tag".to_string()))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Ok(Event::Text(t)) => {
                if let Some(top) = stack.last_mut() {
                    let s = t.unescape().map_err(|e| (line_of(pos), e.to_string()))?;
                    top.text.push_str(&s);
                }
            }
            Ok(Event::CData(t)) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err((line_of(reader.buffer_position()), e.to_string())),
        }
    }
    if !stack.is_empty() {
        return Err((
            src.matches('\n').count() + 1,
            format!(
                "`<{}>` is never closed",
                stack.last().map(|e| e.name.as_str()).unwrap_or("")
            ),
        ));
    }
    root.ok_or((1, "the document has no root element".to_string()))
}

/// The result of validating a manifest against its XSDs with xmllint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XsdOutcome {
    /// Valid.
    Valid,
    /// Invalid, with xmllint's messages.
    Invalid(String),
    /// Not run (and why): xmllint missing, or schema files absent.
    Skipped(String),
}

/// Validates `dir/imsmanifest.xml` against every schema named in its
/// `xsi:schemaLocation`, with the schema files found in `dir`, using
/// `xmllint`. A small driver schema imports each namespace from its file, so
/// every namespace is checked, not only the root one.
pub fn validate_with_xmllint(dir: &Path) -> XsdOutcome {
    let manifest = match std::fs::read_to_string(dir.join("imsmanifest.xml")) {
        Ok(s) => s,
        Err(e) => return XsdOutcome::Skipped(format!("cannot read imsmanifest.xml: {e}")),
    };
    let root = match parse(&manifest) {
        Ok(r) => r,
        Err((line, m)) => return XsdOutcome::Invalid(format!("line {line}: {m}")),
    };
    let Some(loc) = root.attr_ns("XMLSchema-instance", "schemaLocation") else {
        return XsdOutcome::Skipped("the manifest has no xsi:schemaLocation".into());
    };
    let parts: Vec<&str> = loc.split_whitespace().collect();
    let mut imports = String::new();
    for pair in parts.chunks(2) {
        if let [ns, file] = pair {
            if file.contains('/') || file.contains("..") || !dir.join(file).is_file() {
                return XsdOutcome::Skipped(format!("schema file `{file}` is not in the package"));
            }
            imports.push_str(&format!(
                "  <xs:import namespace=\"{ns}\" schemaLocation=\"{file}\"/>\n"
            ));
        }
    }
    let driver = format!("<?xml version=\"1.0\"?>\n<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n{imports}</xs:schema>\n");
    let driver_path = dir.join("__pecyn_driver.xsd");
    if let Err(e) = std::fs::write(&driver_path, driver) {
        return XsdOutcome::Skipped(format!("cannot write the driver schema: {e}"));
    }
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--nonet")
        .arg("--schema")
        .arg(&driver_path)
        .arg(dir.join("imsmanifest.xml"))
        .output();
    let _ = std::fs::remove_file(&driver_path);
    match out {
        Err(_) => {
            XsdOutcome::Skipped("xmllint is not installed (apt-get install libxml2-utils)".into())
        }
        Ok(o) if o.status.success() => XsdOutcome::Valid,
        Ok(o) => XsdOutcome::Invalid(String::from_utf8_lossy(&o.stderr).trim().to_string()),
    }
}
