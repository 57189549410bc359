//! The SCORM rules `check` applies to a parsed manifest: version and
//! edition, identifiers, scormtype, mastery, launch, listed files. Every rule
//! visits each element a bounded number of times, so the work is linear in
//! the size of the manifest.

use crate::report::{CheckReport, Level};
use crate::schemas::SchemaSet;
use crate::xml::{Element, XML_NS};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

fn is_ncname_id(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(f) if f.is_alphabetic() || f == '_')
        && c.all(|ch| ch.is_alphanumeric() || matches!(ch, '_' | '-' | '.'))
}

fn strip_query(href: &str) -> &str {
    href.split(['?', '#']).next().unwrap_or(href)
}

/// Applies the SCORM rules to `root`, adding findings to `report`, and
/// returns the official schema set that judges this manifest (None when the
/// root is not a `<manifest>`).
pub(crate) fn check_manifest(
    root: &Element,
    names: &BTreeSet<String>,
    report: &mut CheckReport,
) -> Option<SchemaSet> {
    if root.name != "manifest" {
        report.push(
            Level::Error,
            "manifest-root",
            format!("the root element is `<{}>`, not `<manifest>`", root.name),
        );
        return None;
    }
    // Version.
    let schemaversion = root
        .child("metadata")
        .and_then(|m| m.child("schemaversion"))
        .map(|s| s.text.trim().to_string());
    let ns_12 = root.ns.contains("imscp_rootv1p1p2");
    // 2nd Edition (`CAM 1.3`) has no schema set of its own: the 3rd Edition set serves it.
    let by_namespace = if ns_12 {
        SchemaSet::Scorm12
    } else {
        SchemaSet::Scorm2004Fourth
    };
    let set = match schemaversion.as_deref() {
        Some("1.2") => SchemaSet::Scorm12,
        Some("2004 4th Edition") => SchemaSet::Scorm2004Fourth,
        Some("2004 3rd Edition") | Some("CAM 1.3") => SchemaSet::Scorm2004Third,
        Some(other) => {
            report.push(Level::Error, "schemaversion", format!("`<schemaversion>{other}</schemaversion>` is not a SCORM version: use `1.2` or `2004 4th Edition`"));
            by_namespace
        }
        None => {
            report.push(Level::Warning, "schemaversion", "the manifest has no `<metadata><schemaversion>`: LMSs guess the SCORM version from the namespaces");
            by_namespace
        }
    };
    let is_12 = set == SchemaSet::Scorm12;
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
    let base = root.attr_ns(XML_NS, "base").unwrap_or("").to_string();
    match resources_el {
        None => report.push(
            Level::Error,
            "resources",
            "the manifest has no `<resources>`",
        ),
        Some(rs) => {
            let resource_ids: HashSet<&str> = rs
                .children_named("resource")
                .filter_map(|r| r.attr("identifier"))
                .collect();
            let rs_base = format!("{base}{}", rs.attr_ns(XML_NS, "base").unwrap_or(""));
            for r in rs.children_named("resource") {
                note_id(report, r.attr("identifier"), "resource");
                if let Some(id) = r.attr("identifier") {
                    resources.insert(id.to_string(), r);
                }
                let r_base = format!("{rs_base}{}", r.attr_ns(XML_NS, "base").unwrap_or(""));
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
                        if !resource_ids.contains(ref_id) {
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
                // One depth-first walk in document order: every `<item>` under the
                // organization, and each `<minNormalizedMeasure>` with its nearest item.
                let mut items: Vec<&Element> = Vec::new();
                let mut measures: Vec<(&Element, &Element)> = Vec::new();
                let mut stack: Vec<(&Element, Option<&Element>)> =
                    o.children.iter().rev().map(|c| (c, None)).collect();
                while let Some((el, owner)) = stack.pop() {
                    let owner = if el.name == "item" {
                        items.push(el);
                        Some(el)
                    } else {
                        if el.name == "minNormalizedMeasure" {
                            if let Some(it) = owner {
                                measures.push((el, it));
                            }
                        }
                        owner
                    };
                    stack.extend(el.children.iter().rev().map(|c| (c, owner)));
                }
                for (m, it) in measures {
                    match m.text.trim().parse::<f64>() {
                        Ok(v) if (-1.0..=1.0).contains(&v) => {}
                        _ => report.push(Level::Error, "minNormalizedMeasure", format!("item `{}` has minNormalizedMeasure `{}`: it must be a number from -1 to 1", it.attr("identifier").unwrap_or("?"), m.text.trim())),
                    }
                }
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
                                            .and_then(|rs| rs.attr_ns(XML_NS, "base"))
                                            .unwrap_or("");
                                        let r_base = res.attr_ns(XML_NS, "base").unwrap_or("");
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
    Some(set)
}
