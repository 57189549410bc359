//! Writing `imsmanifest.xml` for SCORM 1.2 and SCORM 2004 4th Edition.

use pecyn_core::ScormVersion;
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

/// Longest title written into a manifest (characters).
pub const MAX_TITLE: usize = 200;
/// LOM description limit LMSs enforce (characters).
pub const MAX_DESCRIPTION: usize = 1000;

/// Everything a manifest says about one single-SCO package.
#[derive(Debug, Clone)]
pub struct PackageSpec {
    /// Base identifier (a valid `xs:ID`), stable across rebuilds.
    pub identifier: String,
    /// SCORM version.
    pub scorm: ScormVersion,
    /// Content version, e.g. `1.0.0`.
    pub content_version: String,
    /// Title.
    pub title: String,
    /// Description (cut to [`MAX_DESCRIPTION`] characters).
    pub description: String,
    /// Language tag of the metadata strings, e.g. `en-GB`.
    pub language: String,
    /// Percentage needed to pass (0–100): SCORM 1.2 `masteryscore`,
    /// SCORM 2004 `minNormalizedMeasure` = mastery / 100.
    pub mastery_percent: u8,
    /// The launch file, e.g. `index.html`.
    pub launch: String,
}

impl PackageSpec {
    fn id(&self, suffix: &str) -> String {
        format!("{}-{suffix}", self.identifier)
    }
}

/// `minNormalizedMeasure` for a pass mark: 80 → `0.8`, 100 → `1`, 0 → `0`.
pub fn mastery_measure(percent: u8) -> String {
    let p = percent.min(100);
    match p {
        0 => "0".to_string(),
        100 => "1".to_string(),
        p if p % 10 == 0 => format!("0.{}", p / 10),
        p => format!("0.{p:02}"),
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

type W = Writer<Vec<u8>>;
type XmlResult = std::io::Result<()>;

fn text_el(w: &mut W, name: &str, attrs: &[(&str, &str)], text: &str) -> XmlResult {
    w.create_element(name)
        .with_attributes(attrs.iter().copied())
        .write_text_content(BytesText::new(text))?;
    Ok(())
}

/// `<name>` wrapping a single element written by `inner`.
fn wrap(w: &mut W, name: &str, inner: impl FnOnce(&mut W) -> XmlResult) -> XmlResult {
    w.create_element(name).write_inner_content(inner)?;
    Ok(())
}

/// What differs between the two SCORM versions.
struct Dialect {
    root_attrs: Vec<(&'static str, &'static str)>,
    schemaversion: &'static str,
    scormtype_attr: &'static str,
    item_visible: bool,
}

impl Dialect {
    fn of(scorm: ScormVersion) -> Dialect {
        match scorm {
            ScormVersion::Scorm12 => Dialect {
                root_attrs: vec![
                    ("xmlns", "http://www.imsproject.org/xsd/imscp_rootv1p1p2"),
                    ("xmlns:adlcp", "http://www.adlnet.org/xsd/adlcp_rootv1p2"),
                    ("xmlns:imsmd", "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"),
                    ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
                    (
                        "xsi:schemaLocation",
                        "http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd",
                    ),
                ],
                schemaversion: "1.2",
                scormtype_attr: "adlcp:scormtype",
                item_visible: true,
            },
            ScormVersion::Scorm2004 => Dialect {
                root_attrs: vec![
                    ("xmlns", "http://www.imsglobal.org/xsd/imscp_v1p1"),
                    ("xmlns:adlcp", "http://www.adlnet.org/xsd/adlcp_v1p3"),
                    ("xmlns:adlseq", "http://www.adlnet.org/xsd/adlseq_v1p3"),
                    ("xmlns:adlnav", "http://www.adlnet.org/xsd/adlnav_v1p3"),
                    ("xmlns:imsss", "http://www.imsglobal.org/xsd/imsss"),
                    ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
                    (
                        "xsi:schemaLocation",
                        "http://www.imsglobal.org/xsd/imscp_v1p1 imscp_v1p1.xsd http://www.adlnet.org/xsd/adlcp_v1p3 adlcp_v1p3.xsd http://www.adlnet.org/xsd/adlseq_v1p3 adlseq_v1p3.xsd http://www.adlnet.org/xsd/adlnav_v1p3 adlnav_v1p3.xsd http://www.imsglobal.org/xsd/imsss imsss_v1p0.xsd",
                    ),
                ],
                schemaversion: "2004 4th Edition",
                scormtype_attr: "adlcp:scormType",
                item_visible: false,
            },
        }
    }
}

/// Inline LOM metadata: IMS MD 1.2.1 (`imsmd:`, `langstring xml:lang`) for SCORM 1.2,
/// IEEE LOM (`string language`) for SCORM 2004.
fn lom(w: &mut W, spec: &PackageSpec, title: &str, description: &str) -> XmlResult {
    let lang = spec.language.as_str();
    match spec.scorm {
        ScormVersion::Scorm12 => wrap(w, "imsmd:lom", |w| {
            wrap(w, "imsmd:general", |w| {
                wrap(w, "imsmd:title", |w| {
                    text_el(w, "imsmd:langstring", &[("xml:lang", lang)], title)
                })?;
                text_el(w, "imsmd:language", &[], lang)?;
                wrap(w, "imsmd:description", |w| {
                    text_el(w, "imsmd:langstring", &[("xml:lang", lang)], description)
                })
            })?;
            wrap(w, "imsmd:lifecycle", |w| {
                wrap(w, "imsmd:version", |w| {
                    text_el(
                        w,
                        "imsmd:langstring",
                        &[("xml:lang", "x-none")],
                        &spec.content_version,
                    )
                })
            })
        }),
        ScormVersion::Scorm2004 => {
            w.create_element("lom")
                .with_attribute(("xmlns", "http://ltsc.ieee.org/xsd/LOM"))
                .write_inner_content(|w| {
                    let tagged = [("language", lang), ("xml:lang", lang)];
                    wrap(w, "general", |w| {
                        wrap(w, "title", |w| text_el(w, "string", &tagged, title))?;
                        text_el(w, "language", &[], lang)?;
                        wrap(w, "description", |w| {
                            text_el(w, "string", &tagged, description)
                        })
                    })?;
                    wrap(w, "lifeCycle", |w| {
                        wrap(w, "version", |w| {
                            text_el(
                                w,
                                "string",
                                &[("language", "x-none")],
                                &spec.content_version,
                            )
                        })
                    })
                })?;
            Ok(())
        }
    }
}

/// What the item says about passing: 1.2 `masteryscore`, 2004 a primary objective
/// satisfied by measure.
fn mastery(w: &mut W, spec: &PackageSpec) -> XmlResult {
    match spec.scorm {
        ScormVersion::Scorm12 => text_el(
            w,
            "adlcp:masteryscore",
            &[],
            &spec.mastery_percent.min(100).to_string(),
        ),
        ScormVersion::Scorm2004 => {
            let obj = spec.id("passed");
            let measure = mastery_measure(spec.mastery_percent);
            wrap(w, "imsss:sequencing", |w| {
                wrap(w, "imsss:objectives", |w| {
                    w.create_element("imsss:primaryObjective")
                        .with_attributes([
                            ("objectiveID", obj.as_str()),
                            ("satisfiedByMeasure", "true"),
                        ])
                        .write_inner_content(|w| {
                            text_el(w, "imsss:minNormalizedMeasure", &[], &measure)
                        })?;
                    Ok(())
                })
            })
        }
    }
}

/// Writes the manifest of a single-SCO package listing `files` (paths inside the zip).
pub fn manifest_xml(spec: &PackageSpec, files: &[String]) -> String {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let d = Dialect::of(spec.scorm);
    let title = truncate(&spec.title, MAX_TITLE);
    let description = truncate(&spec.description, MAX_DESCRIPTION);
    let (org, item, res) = (spec.id("org"), spec.id("item"), spec.id("res"));
    let mut files: Vec<&String> = files.iter().collect();
    files.sort();
    let mut root_attrs = vec![
        ("identifier", spec.identifier.as_str()),
        ("version", spec.content_version.as_str()),
    ];
    root_attrs.extend(d.root_attrs.iter().copied());
    let mut item_attrs = vec![
        ("identifier", item.as_str()),
        ("identifierref", res.as_str()),
    ];
    if d.item_visible {
        item_attrs.push(("isvisible", "true"));
    }
    let written: XmlResult = (|| {
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        w.create_element("manifest")
            .with_attributes(root_attrs)
            .write_inner_content(|w| {
                wrap(w, "metadata", |w| {
                    text_el(w, "schema", &[], "ADL SCORM")?;
                    text_el(w, "schemaversion", &[], d.schemaversion)?;
                    lom(w, spec, &title, &description)
                })?;
                w.create_element("organizations")
                    .with_attribute(("default", org.as_str()))
                    .write_inner_content(|w| {
                        w.create_element("organization")
                            .with_attribute(("identifier", org.as_str()))
                            .write_inner_content(|w| {
                                text_el(w, "title", &[], &title)?;
                                w.create_element("item")
                                    .with_attributes(item_attrs)
                                    .write_inner_content(|w| {
                                        text_el(w, "title", &[], &title)?;
                                        mastery(w, spec)
                                    })?;
                                Ok(())
                            })?;
                        Ok(())
                    })?;
                wrap(w, "resources", |w| {
                    w.create_element("resource")
                        .with_attributes([
                            ("identifier", res.as_str()),
                            ("type", "webcontent"),
                            (d.scormtype_attr, "sco"),
                            ("href", spec.launch.as_str()),
                        ])
                        .write_inner_content(|w| {
                            for f in &files {
                                w.create_element("file")
                                    .with_attribute(("href", f.as_str()))
                                    .write_empty()?;
                            }
                            Ok(())
                        })?;
                    Ok(())
                })
            })?;
        Ok(())
    })();
    // Writing into a Vec cannot fail; keep the error visible in debug builds all the same.
    debug_assert!(written.is_ok(), "{written:?}");
    let mut out = String::from_utf8(w.into_inner()).unwrap_or_default();
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(scorm: ScormVersion) -> PackageSpec {
        PackageSpec {
            identifier: format!("pecyn_demo_cy_standard_{}", scorm.suffix()),
            scorm,
            content_version: "1.2.0".into(),
            title: "Cyfrineiriau & \"ymadroddion\" <cyfrin>".into(),
            description: "Sut i greu cyfrineiriau cryf.".into(),
            language: "cy-GB".into(),
            mastery_percent: 80,
            launch: "index.html".into(),
        }
    }

    #[test]
    fn measures() {
        assert_eq!(mastery_measure(80), "0.8");
        assert_eq!(mastery_measure(85), "0.85");
        assert_eq!(mastery_measure(5), "0.05");
        assert_eq!(mastery_measure(100), "1");
        assert_eq!(mastery_measure(0), "0");
    }

    #[test]
    fn scorm12_manifest() {
        let files = vec!["index.html".to_string(), "assets/player.css".to_string()];
        insta::assert_snapshot!(manifest_xml(&spec(ScormVersion::Scorm12), &files));
    }

    #[test]
    fn scorm2004_manifest() {
        let files = vec!["index.html".to_string(), "assets/player.css".to_string()];
        insta::assert_snapshot!(manifest_xml(&spec(ScormVersion::Scorm2004), &files));
    }

    #[test]
    fn long_descriptions_are_cut_to_the_lom_limit() {
        let mut s = spec(ScormVersion::Scorm12);
        s.description = "ŵ".repeat(1500);
        let xml = manifest_xml(&s, &[]);
        let n = xml.matches('ŵ').count();
        assert_eq!(n, MAX_DESCRIPTION - 1);
    }
}
