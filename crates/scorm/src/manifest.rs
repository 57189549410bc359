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

fn text_el(w: &mut W, name: &str, attrs: &[(&str, &str)], text: &str) {
    let el = w
        .create_element(name)
        .with_attributes(attrs.iter().copied());
    let _ = el.write_text_content(BytesText::new(text));
}

/// Writes the manifest of a single-SCO package listing `files` (paths inside the zip).
pub fn manifest_xml(spec: &PackageSpec, files: &[String]) -> String {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let title = truncate(&spec.title, MAX_TITLE);
    let description = truncate(&spec.description, MAX_DESCRIPTION);
    let lang = spec.language.as_str();
    let org = spec.id("org");
    let item = spec.id("item");
    let res = spec.id("res");
    let mut files: Vec<&String> = files.iter().collect();
    files.sort();
    match spec.scorm {
        ScormVersion::Scorm12 => {
            let root = w.create_element("manifest").with_attributes([
                ("identifier", spec.identifier.as_str()),
                ("version", spec.content_version.as_str()),
                ("xmlns", "http://www.imsproject.org/xsd/imscp_rootv1p1p2"),
                ("xmlns:adlcp", "http://www.adlnet.org/xsd/adlcp_rootv1p2"),
                ("xmlns:imsmd", "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"),
                ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
                (
                    "xsi:schemaLocation",
                    "http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd",
                ),
            ]);
            let _ = root.write_inner_content(|w| {
                w.create_element("metadata").write_inner_content(|w| {
                    text_el(w, "schema", &[], "ADL SCORM");
                    text_el(w, "schemaversion", &[], "1.2");
                    w.create_element("imsmd:lom").write_inner_content(|w| {
                        w.create_element("imsmd:general").write_inner_content(|w| {
                            w.create_element("imsmd:title").write_inner_content(|w| {
                                text_el(w, "imsmd:langstring", &[("xml:lang", lang)], &title);
                                Ok(())
                            })?;
                            text_el(w, "imsmd:language", &[], lang);
                            w.create_element("imsmd:description")
                                .write_inner_content(|w| {
                                    text_el(
                                        w,
                                        "imsmd:langstring",
                                        &[("xml:lang", lang)],
                                        &description,
                                    );
                                    Ok(())
                                })?;
                            Ok(())
                        })?;
                        w.create_element("imsmd:lifecycle")
                            .write_inner_content(|w| {
                                w.create_element("imsmd:version").write_inner_content(|w| {
                                    text_el(
                                        w,
                                        "imsmd:langstring",
                                        &[("xml:lang", "x-none")],
                                        &spec.content_version,
                                    );
                                    Ok(())
                                })?;
                                Ok(())
                            })?;
                        Ok(())
                    })?;
                    Ok(())
                })?;
                w.create_element("organizations")
                    .with_attribute(("default", org.as_str()))
                    .write_inner_content(|w| {
                        w.create_element("organization")
                            .with_attribute(("identifier", org.as_str()))
                            .write_inner_content(|w| {
                                text_el(w, "title", &[], &title);
                                w.create_element("item")
                                    .with_attributes([
                                        ("identifier", item.as_str()),
                                        ("identifierref", res.as_str()),
                                        ("isvisible", "true"),
                                    ])
                                    .write_inner_content(|w| {
                                        text_el(w, "title", &[], &title);
                                        text_el(
                                            w,
                                            "adlcp:masteryscore",
                                            &[],
                                            &spec.mastery_percent.min(100).to_string(),
                                        );
                                        Ok(())
                                    })?;
                                Ok(())
                            })?;
                        Ok(())
                    })?;
                w.create_element("resources").write_inner_content(|w| {
                    w.create_element("resource")
                        .with_attributes([
                            ("identifier", res.as_str()),
                            ("type", "webcontent"),
                            ("adlcp:scormtype", "sco"),
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
                })?;
                Ok(())
            });
        }
        ScormVersion::Scorm2004 => {
            let obj = spec.id("passed");
            let measure = mastery_measure(spec.mastery_percent);
            let root = w.create_element("manifest").with_attributes([
                ("identifier", spec.identifier.as_str()),
                ("version", spec.content_version.as_str()),
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
            ]);
            let _ = root.write_inner_content(|w| {
                w.create_element("metadata").write_inner_content(|w| {
                    text_el(w, "schema", &[], "ADL SCORM");
                    text_el(w, "schemaversion", &[], "2004 4th Edition");
                    w.create_element("lom")
                        .with_attribute(("xmlns", "http://ltsc.ieee.org/xsd/LOM"))
                        .write_inner_content(|w| {
                            w.create_element("general").write_inner_content(|w| {
                                w.create_element("title").write_inner_content(|w| {
                                    text_el(
                                        w,
                                        "string",
                                        &[("language", lang), ("xml:lang", lang)],
                                        &title,
                                    );
                                    Ok(())
                                })?;
                                text_el(w, "language", &[], lang);
                                w.create_element("description").write_inner_content(|w| {
                                    text_el(
                                        w,
                                        "string",
                                        &[("language", lang), ("xml:lang", lang)],
                                        &description,
                                    );
                                    Ok(())
                                })?;
                                Ok(())
                            })?;
                            w.create_element("lifeCycle").write_inner_content(|w| {
                                w.create_element("version").write_inner_content(|w| {
                                    text_el(
                                        w,
                                        "string",
                                        &[("language", "x-none")],
                                        &spec.content_version,
                                    );
                                    Ok(())
                                })?;
                                Ok(())
                            })?;
                            Ok(())
                        })?;
                    Ok(())
                })?;
                w.create_element("organizations")
                    .with_attribute(("default", org.as_str()))
                    .write_inner_content(|w| {
                        w.create_element("organization")
                            .with_attribute(("identifier", org.as_str()))
                            .write_inner_content(|w| {
                                text_el(w, "title", &[], &title);
                                w.create_element("item")
                                    .with_attributes([
                                        ("identifier", item.as_str()),
                                        ("identifierref", res.as_str()),
                                    ])
                                    .write_inner_content(|w| {
                                        text_el(w, "title", &[], &title);
                                        w.create_element("imsss:sequencing").write_inner_content(
                                            |w| {
                                                w.create_element("imsss:objectives")
                                                    .write_inner_content(|w| {
                                                        w.create_element("imsss:primaryObjective")
                                                            .with_attributes([
                                                                ("objectiveID", obj.as_str()),
                                                                ("satisfiedByMeasure", "true"),
                                                            ])
                                                            .write_inner_content(|w| {
                                                                text_el(
                                                                    w,
                                                                    "imsss:minNormalizedMeasure",
                                                                    &[],
                                                                    &measure,
                                                                );
                                                                Ok(())
                                                            })?;
                                                        Ok(())
                                                    })?;
                                                Ok(())
                                            },
                                        )?;
                                        Ok(())
                                    })?;
                                Ok(())
                            })?;
                        Ok(())
                    })?;
                w.create_element("resources").write_inner_content(|w| {
                    w.create_element("resource")
                        .with_attributes([
                            ("identifier", res.as_str()),
                            ("type", "webcontent"),
                            ("adlcp:scormType", "sco"),
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
                })?;
                Ok(())
            });
        }
    }
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
