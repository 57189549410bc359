//! `pecyn check`: validating any SCORM zip.

use crate::package::safe_path;
use crate::xml::{parse, validate_with_xmllint, Element, XsdOutcome};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{Read, Seek, Write};

/// Bounds and switches for checking.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Most entries a zip may have.
    pub max_entries: usize,
    /// Most bytes all entries may expand to.
    pub max_total_bytes: u64,
    /// Largest expansion ratio allowed for an entry over 1 MiB.
    pub max_ratio: u64,
    /// Most bytes the manifest may have.
    pub max_manifest_bytes: u64,
    /// Validate the manifest against its XSDs with xmllint, if installed.
    pub xsd: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            max_entries: 20_000,
            max_total_bytes: 2 * 1024 * 1024 * 1024,
            max_ratio: 200,
            max_manifest_bytes: 8 * 1024 * 1024,
            xsd: true,
        }
    }
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The package is broken or unsafe, or an LMS will reject or mis-track it.
    Error,
    /// Works in lenient LMSs; fix it for the strict ones.
    Warning,
    /// For information.
    Info,
}

/// One thing found in a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Severity.
    pub level: Level,
    /// A stable code, e.g. `unsafe-path`.
    pub code: &'static str,
    /// What was found and what to do.
    pub message: String,
}

/// What `check` found in one zip.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CheckReport {
    /// `1.2` or `2004 4th Edition` etc., if detected.
    pub version: Option<String>,
    /// The manifest identifier.
    pub identifier: Option<String>,
    /// The organization's title.
    pub title: Option<String>,
    /// The launch file.
    pub launch: Option<String>,
    /// Number of entries.
    pub entries: usize,
    /// Total uncompressed bytes.
    pub uncompressed_bytes: u64,
    /// XSD validation result: `valid`, `invalid`, or `skipped: …`.
    pub schema_validation: String,
    /// Files in the zip that no `<file>` element lists.
    pub unreferenced: Vec<String>,
    /// Everything found.
    pub findings: Vec<Finding>,
}

impl CheckReport {
    /// True if there is no error (warnings and info allowed).
    pub fn is_clean(&self) -> bool {
        !self.findings.iter().any(|f| f.level == Level::Error)
    }

    fn push(&mut self, level: Level, code: &'static str, message: impl Into<String>) {
        self.findings.push(Finding {
            level,
            code,
            message: message.into(),
        });
    }
}

/// Why a zip could not be checked at all.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// Not a readable zip.
    #[error("not a readable zip file: {0}")]
    NotZip(String),
    /// I/O failure.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

struct Counting {
    n: u64,
    limit: u64,
}

impl Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.n += buf.len() as u64;
        if self.n > self.limit {
            return Err(std::io::Error::other("limit exceeded"));
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn is_ncname_id(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(f) if f.is_alphabetic() || f == '_')
        && c.all(|ch| ch.is_alphanumeric() || matches!(ch, '_' | '-' | '.'))
}

/// Checks a SCORM zip. Problems in the package are findings in the report;
/// an `Err` means it could not be checked at all.
pub fn check_zip<R: Read + Seek>(
    reader: R,
    opts: &CheckOptions,
) -> Result<CheckReport, CheckError> {
    let mut zip = zip::ZipArchive::new(reader).map_err(|e| CheckError::NotZip(e.to_string()))?;
    let mut report = CheckReport {
        entries: zip.len(),
        ..Default::default()
    };
    if zip.len() > opts.max_entries {
        report.push(
            Level::Error,
            "too-many-entries",
            format!(
                "the zip has {} entries; the limit is {}",
                zip.len(),
                opts.max_entries
            ),
        );
        return Ok(report);
    }
    // Pass 1: names, types and declared sizes, without decompressing.
    let mut names: BTreeSet<String> = BTreeSet::new();
    let mut declared_total: u64 = 0;
    let mut unsafe_found = false;
    for i in 0..zip.len() {
        let f = zip
            .by_index_raw(i)
            .map_err(|e| CheckError::NotZip(e.to_string()))?;
        let name = f.name().to_string();
        declared_total = declared_total.saturating_add(f.size());
        if f.is_dir() {
            if !safe_path(name.trim_end_matches('/')) {
                report.push(Level::Error, "unsafe-path", format!("the entry `{name}` points outside the package (absolute path, `..`, backslash or drive letter)"));
                unsafe_found = true;
            }
            continue;
        }
        if let Some(mode) = f.unix_mode() {
            if mode & 0o170000 == 0o120000 {
                report.push(Level::Error, "symlink", format!("the entry `{name}` is a symbolic link; LMSs refuse them and they can point outside the package"));
                unsafe_found = true;
                continue;
            }
        }
        if f.encrypted() {
            report.push(
                Level::Error,
                "encrypted",
                format!("the entry `{name}` is encrypted; an LMS cannot read it"),
            );
        }
        // Non-ASCII letters are judged separately (a warning); the shape of the path must be safe.
        let path_ok = safe_path(
            &name
                .chars()
                .map(|c| if c.is_ascii() { c } else { 'x' })
                .collect::<String>(),
        );
        if !path_ok {
            report.push(Level::Error, "unsafe-path", format!("the entry `{name}` points outside the package (absolute path, `..`, backslash or drive letter)"));
            unsafe_found = true;
            continue;
        }
        if !name.is_ascii() {
            report.push(Level::Warning, "non-ascii-path", format!("the entry `{name}` has non-ASCII characters; some LMSs and servers cannot serve it"));
        }
        if !names.insert(name.clone()) {
            report.push(
                Level::Error,
                "duplicate-entry",
                format!("the entry `{name}` appears twice"),
            );
        }
    }
    if declared_total > opts.max_total_bytes {
        report.push(
            Level::Error,
            "too-large",
            format!(
                "the entries expand to {declared_total} bytes; the limit is {}",
                opts.max_total_bytes
            ),
        );
        return Ok(report);
    }
    // Pass 2: decompress everything under a budget (zip-bomb guard); keep the manifest and schema files.
    let mut kept: HashMap<String, Vec<u8>> = HashMap::new();
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let mut f = match zip.by_index(i) {
            Ok(f) => f,
            Err(e) => {
                report.push(
                    Level::Error,
                    "bad-entry",
                    format!("entry {i} cannot be read: {e}"),
                );
                continue;
            }
        };
        let name = f.name().to_string();
        if f.is_dir() || !names.contains(&name) {
            continue;
        }
        let compressed = f.compressed_size().max(1);
        let budget = opts.max_total_bytes.saturating_sub(total);
        let keep = name == "imsmanifest.xml"
            || (!name.contains('/') && (name.ends_with(".xsd") || name.ends_with(".dtd")));
        let res = if keep {
            let mut buf = Vec::new();
            let limit = if name == "imsmanifest.xml" {
                opts.max_manifest_bytes
            } else {
                budget
            };
            let r = (&mut f)
                .take(limit + 1)
                .read_to_end(&mut buf)
                .map(|n| n as u64);
            if let Ok(n) = r {
                if n > limit {
                    report.push(
                        Level::Error,
                        "too-large",
                        format!("`{name}` is larger than {limit} bytes"),
                    );
                    continue;
                }
                kept.insert(name.clone(), buf);
            }
            r
        } else {
            let mut sink = Counting {
                n: 0,
                limit: budget,
            };
            std::io::copy(&mut f, &mut sink)
        };
        match res {
            Ok(n) => {
                total += n;
                if n > 1024 * 1024 && n / compressed > opts.max_ratio {
                    report.push(
                        Level::Error,
                        "zip-bomb",
                        format!(
                            "`{name}` expands {}×; refusing it as a possible zip bomb",
                            n / compressed
                        ),
                    );
                }
            }
            Err(e) => {
                let msg = if total >= opts.max_total_bytes {
                    format!(
                        "the package expands beyond {} bytes; refusing it as a possible zip bomb",
                        opts.max_total_bytes
                    )
                } else {
                    format!("`{name}` cannot be decompressed: {e}")
                };
                report.push(
                    Level::Error,
                    if total >= opts.max_total_bytes {
                        "zip-bomb"
                    } else {
                        "bad-entry"
                    },
                    msg,
                );
                return Ok(report);
            }
        }
    }
    report.uncompressed_bytes = total;

    let Some(manifest_bytes) = kept.get("imsmanifest.xml") else {
        let nested: Vec<&String> = names
            .iter()
            .filter(|n| n.ends_with("/imsmanifest.xml"))
            .collect();
        let hint = match nested.first() {
            Some(n) => format!(" (found `{n}`: zip the folder's contents, not the folder)"),
            None => String::new(),
        };
        report.push(
            Level::Error,
            "no-manifest",
            format!("there is no imsmanifest.xml at the root of the zip{hint}"),
        );
        return Ok(report);
    };
    let manifest_src = match std::str::from_utf8(manifest_bytes) {
        Ok(s) => s.trim_start_matches('\u{feff}').to_string(),
        Err(e) => {
            report.push(
                Level::Error,
                "manifest-encoding",
                format!("imsmanifest.xml is not UTF-8: {e}"),
            );
            return Ok(report);
        }
    };
    let root = match parse(&manifest_src) {
        Ok(r) => r,
        Err((line, m)) => {
            report.push(
                Level::Error,
                "manifest-xml",
                format!("imsmanifest.xml is not well-formed XML (line {line}): {m}"),
            );
            return Ok(report);
        }
    };
    check_manifest(&root, &names, &mut report);
    if unsafe_found {
        report.schema_validation = "skipped: the package has unsafe entries".into();
    } else if opts.xsd {
        report.schema_validation = match xsd(&kept) {
            XsdOutcome::Valid => "valid".into(),
            XsdOutcome::Invalid(m) => {
                report.push(
                    Level::Error,
                    "schema-invalid",
                    format!("imsmanifest.xml is not valid against its schemas:\n{m}"),
                );
                "invalid".into()
            }
            XsdOutcome::Skipped(why) => {
                report.push(
                    Level::Info,
                    "schema-skipped",
                    format!("schema validation skipped: {why}"),
                );
                format!("skipped: {why}")
            }
        };
    } else {
        report.schema_validation = "skipped: not requested".into();
    }
    Ok(report)
}

fn xsd(kept: &HashMap<String, Vec<u8>>) -> XsdOutcome {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => return XsdOutcome::Skipped(format!("no temporary folder: {e}")),
    };
    for (name, bytes) in kept {
        if std::fs::write(dir.path().join(name), bytes).is_err() {
            return XsdOutcome::Skipped("cannot write temporary files".into());
        }
    }
    validate_with_xmllint(dir.path())
}

fn strip_query(href: &str) -> &str {
    href.split(['?', '#']).next().unwrap_or(href)
}

fn check_manifest(root: &Element, names: &BTreeSet<String>, report: &mut CheckReport) {
    if root.name != "manifest" {
        report.push(
            Level::Error,
            "manifest-root",
            format!("the root element is `<{}>`, not `<manifest>`", root.name),
        );
        return;
    }
    // Version.
    let schemaversion = root
        .child("metadata")
        .and_then(|m| m.child("schemaversion"))
        .map(|s| s.text.trim().to_string());
    let ns_12 = root.ns.contains("imscp_rootv1p1p2");
    let is_12 = match schemaversion.as_deref() {
        Some("1.2") => true,
        Some("2004 4th Edition") | Some("2004 3rd Edition") | Some("CAM 1.3") => false,
        Some(other) => {
            report.push(Level::Error, "schemaversion", format!("`<schemaversion>{other}</schemaversion>` is not a SCORM version: use `1.2` or `2004 4th Edition`"));
            ns_12
        }
        None => {
            report.push(Level::Warning, "schemaversion", "the manifest has no `<metadata><schemaversion>`: LMSs guess the SCORM version from the namespaces");
            ns_12
        }
    };
    report.version =
        Some(schemaversion.unwrap_or_else(|| if is_12 { "1.2".into() } else { "2004".into() }));

    // Identifiers.
    let mut ids: HashMap<String, &'static str> = HashMap::new();
    let mut note_id = |report: &mut CheckReport, id: Option<&str>, what: &'static str| match id {
        None => report.push(
            Level::Error,
            "identifier",
            format!("a `<{what}>` has no identifier"),
        ),
        Some(id) => {
            if !is_ncname_id(id) {
                report.push(Level::Error, "identifier", format!("`{id}` ({what}) is not a valid xs:ID: start with a letter or `_`, then letters, digits, `_`, `-`, `.`"));
            }
            if let Some(prev) = ids.insert(id.to_string(), what) {
                report.push(Level::Error, "identifier", format!("the identifier `{id}` is used by a `<{prev}>` and a `<{what}>`; identifiers must be unique"));
            }
        }
    };
    note_id(report, root.attr("identifier"), "manifest");
    report.identifier = root.attr("identifier").map(str::to_string);

    // Resources.
    let resources_el = root.child("resources");
    let mut resources: BTreeMap<String, &Element> = BTreeMap::new();
    let mut listed: BTreeSet<String> = BTreeSet::new();
    let base = root
        .attr_ns("XML/1998/namespace", "base")
        .unwrap_or("")
        .to_string();
    match resources_el {
        None => report.push(
            Level::Error,
            "resources",
            "the manifest has no `<resources>`",
        ),
        Some(rs) => {
            let rs_base = format!(
                "{base}{}",
                rs.attr_ns("XML/1998/namespace", "base").unwrap_or("")
            );
            for r in rs.children_named("resource") {
                note_id(report, r.attr("identifier"), "resource");
                if let Some(id) = r.attr("identifier") {
                    resources.insert(id.to_string(), r);
                }
                let r_base = format!(
                    "{rs_base}{}",
                    r.attr_ns("XML/1998/namespace", "base").unwrap_or("")
                );
                let (expected, wrong) = if is_12 {
                    ("scormtype", "scormType")
                } else {
                    ("scormType", "scormtype")
                };
                match r.attr_ns("adlnet.org", expected) {
                    Some("sco") | Some("asset") => {}
                    Some(v) => report.push(
                        Level::Error,
                        "scormtype",
                        format!(
                            "resource `{}` has scormtype `{v}`: use `sco` or `asset`",
                            r.attr("identifier").unwrap_or("?")
                        ),
                    ),
                    None => {
                        if r.attr_ns("adlnet.org", wrong).is_some() {
                            report.push(Level::Error, "scormtype", format!("resource `{}` spells the attribute `adlcp:{wrong}`; SCORM {} spells it `adlcp:{expected}`, and LMSs ignore the wrong spelling", r.attr("identifier").unwrap_or("?"), if is_12 { "1.2" } else { "2004" }));
                        } else {
                            report.push(Level::Error, "scormtype", format!("resource `{}` has no `adlcp:{expected}`: LMSs then treat it as an asset and record nothing", r.attr("identifier").unwrap_or("?")));
                        }
                    }
                }
                if let Some(href) = r.attr("href") {
                    listed.insert(format!("{r_base}{}", strip_query(href)));
                }
                for f in r.children_named("file") {
                    match f.attr("href") {
                        Some(h) => {
                            let p = format!("{r_base}{}", strip_query(h));
                            if !names.contains(&p) {
                                report.push(
                                    Level::Error,
                                    "missing-file",
                                    format!("`{p}` is listed in the manifest but not in the zip"),
                                );
                            }
                            listed.insert(p);
                        }
                        None => report.push(Level::Error, "file-href", "a `<file>` has no href"),
                    }
                }
                for d in r.children_named("dependency") {
                    if let Some(ref_id) = d.attr("identifierref") {
                        if !rs
                            .children_named("resource")
                            .any(|o| o.attr("identifier") == Some(ref_id))
                        {
                            report.push(
                                Level::Error,
                                "dependency",
                                format!(
                                    "a dependency names resource `{ref_id}`, which does not exist"
                                ),
                            );
                        }
                    }
                }
            }
        }
    }

    // Organizations and items.
    let mut launch: Option<String> = None;
    let mut scos = 0;
    match root.child("organizations") {
        None => report.push(
            Level::Error,
            "organizations",
            "the manifest has no `<organizations>`",
        ),
        Some(orgs) => {
            let all: Vec<&Element> = orgs.children_named("organization").collect();
            if all.is_empty() {
                report.push(
                    Level::Error,
                    "organizations",
                    "`<organizations>` has no `<organization>`: an LMS has nothing to launch",
                );
            }
            match orgs.attr("default") {
                Some(d) if all.iter().any(|o| o.attr("identifier") == Some(d)) => {}
                Some(d) => report.push(
                    Level::Error,
                    "organizations",
                    format!("`<organizations default=\"{d}\">` names no organization"),
                ),
                None => report.push(
                    Level::Warning,
                    "organizations",
                    "`<organizations>` has no `default` attribute",
                ),
            }
            for o in &all {
                note_id(report, o.attr("identifier"), "organization");
                match o.child("title") {
                    Some(t) if !t.text.trim().is_empty() => {
                        if report.title.is_none() {
                            report.title = Some(t.text.trim().to_string());
                        }
                    }
                    _ => report.push(Level::Error, "title", "an `<organization>` has no title"),
                }
                let mut items = Vec::new();
                o.descendants(&mut items);
                let items: Vec<&&Element> = items.iter().filter(|e| e.name == "item").collect();
                if items.is_empty() {
                    report.push(Level::Error, "items", "an `<organization>` has no `<item>`");
                }
                for it in items {
                    note_id(report, it.attr("identifier"), "item");
                    if it
                        .child("title")
                        .map(|t| t.text.trim().is_empty())
                        .unwrap_or(true)
                    {
                        report.push(
                            Level::Error,
                            "title",
                            format!(
                                "item `{}` has no title",
                                it.attr("identifier").unwrap_or("?")
                            ),
                        );
                    }
                    if let Some(ms) = it.children.iter().find(|c| c.name == "masteryscore") {
                        match ms.text.trim().parse::<f64>() {
                            Ok(v) if (0.0..=100.0).contains(&v) => {}
                            _ => report.push(Level::Error, "masteryscore", format!("item `{}` has masteryscore `{}`: it must be a number from 0 to 100", it.attr("identifier").unwrap_or("?"), ms.text.trim())),
                        }
                    }
                    let mut seq = Vec::new();
                    it.descendants(&mut seq);
                    for m in seq.iter().filter(|e| e.name == "minNormalizedMeasure") {
                        match m.text.trim().parse::<f64>() {
                            Ok(v) if (-1.0..=1.0).contains(&v) => {}
                            _ => report.push(Level::Error, "minNormalizedMeasure", format!("item `{}` has minNormalizedMeasure `{}`: it must be a number from -1 to 1", it.attr("identifier").unwrap_or("?"), m.text.trim())),
                        }
                    }
                    if let Some(r) = it.attr("identifierref") {
                        match resources.get(r) {
                            None => report.push(
                                Level::Error,
                                "identifierref",
                                format!(
                                    "item `{}` points to resource `{r}`, which does not exist",
                                    it.attr("identifier").unwrap_or("?")
                                ),
                            ),
                            Some(res) => {
                                let sco = res.attr_ns(
                                    "adlnet.org",
                                    if is_12 { "scormtype" } else { "scormType" },
                                ) == Some("sco");
                                if sco {
                                    scos += 1;
                                }
                                match res.attr("href") {
                                    None => report.push(
                                        Level::Error,
                                        "launch",
                                        format!(
                                            "resource `{r}` is launched by an item but has no href"
                                        ),
                                    ),
                                    Some(h) => {
                                        let rs_base = resources_el
                                            .and_then(|rs| rs.attr_ns("XML/1998/namespace", "base"))
                                            .unwrap_or("");
                                        let r_base =
                                            res.attr_ns("XML/1998/namespace", "base").unwrap_or("");
                                        let p =
                                            format!("{base}{rs_base}{r_base}{}", strip_query(h));
                                        if !h.contains("://") && !names.contains(&p) {
                                            report.push(
                                                Level::Error,
                                                "launch",
                                                format!("the launch file `{p}` is not in the zip"),
                                            );
                                        }
                                        if launch.is_none() {
                                            launch = Some(p);
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    if launch.is_none() {
        report.push(
            Level::Error,
            "launch",
            "no item launches a resource: the LMS has nothing to open",
        );
    }
    if scos == 0 && launch.is_some() {
        report.push(
            Level::Warning,
            "no-sco",
            "no launched resource is a SCO: the LMS will record nothing about learners",
        );
    }
    report.launch = launch;

    // Schema files named by the manifest.
    if let Some(loc) = root.attr_ns("XMLSchema-instance", "schemaLocation") {
        for file in loc.split_whitespace().skip(1).step_by(2) {
            if !file.contains("://") && !names.contains(file) {
                report.push(Level::Warning, "schema-file", format!("the manifest references `{file}` but the zip does not carry it; strict LMSs and ADL's test suite expect it at the root"));
            }
        }
    }
    // Files nobody lists.
    report.unreferenced = names
        .iter()
        .filter(|n| {
            *n != "imsmanifest.xml"
                && !listed.contains(*n)
                && !(!n.contains('/') && (n.ends_with(".xsd") || n.ends_with(".dtd")))
        })
        .cloned()
        .collect();
    if !report.unreferenced.is_empty() {
        report.push(
            Level::Info,
            "unreferenced",
            format!(
                "{} file(s) in the zip are not listed in the manifest",
                report.unreferenced.len()
            ),
        );
    }
}
