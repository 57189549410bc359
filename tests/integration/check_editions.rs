//! `pecyn check` judges third-party manifests by the official schemas of
//! their own version and edition: small hand-made packages of SCORM 1.2 and
//! SCORM 2004 2nd, 3rd and 4th Edition, valid and broken.

use crate::check::xmllint_or_skip;
use crate::rawzip::{stored, write_raw};
use crate::util::text;
use std::path::{Path, PathBuf};

const NS_2004: &str = r#"xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3" xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.imsglobal.org/xsd/imscp_v1p1 imscp_v1p1.xsd http://www.adlnet.org/xsd/adlcp_v1p3 adlcp_v1p3.xsd http://www.adlnet.org/xsd/adlseq_v1p3 adlseq_v1p3.xsd http://www.adlnet.org/xsd/adlnav_v1p3 adlnav_v1p3.xsd http://www.imsglobal.org/xsd/imsss imsss_v1p0.xsd""#;

/// A one-SCO SCORM 2004 manifest in the style of the widely copied golf examples.
fn manifest_2004(schemaversion: &str, metadata_extra: &str, item_extra: &str) -> String {
    format!(
        r#"<?xml version="1.0" standalone="no" ?>
<manifest identifier="com.example.golf.singlesco" version="1" {NS_2004}>
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>{schemaversion}</schemaversion>{metadata_extra}
  </metadata>
  <organizations default="golf_org">
    <organization identifier="golf_org">
      <title>Golf Explained</title>
      <item identifier="item_1" identifierref="resource_1">
        <title>Golf Explained</title>{item_extra}
        <imsss:sequencing>
          <imsss:deliveryControls completionSetByContent="true" objectiveSetByContent="true"/>
        </imsss:sequencing>
      </item>
      <imsss:sequencing>
        <imsss:controlMode choice="true" flow="true"/>
      </imsss:sequencing>
    </organization>
  </organizations>
  <resources>
    <resource identifier="resource_1" type="webcontent" adlcp:scormType="sco" href="shared/launchpage.html">
      <file href="shared/launchpage.html"/>
    </resource>
  </resources>
</manifest>
"#
    )
}

const MANIFEST_12: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="com.example.golf.12" version="1.0" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2" xmlns:imsmd="http://www.imsglobal.org/xsd/imsmd_rootv1p2p1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
    <imsmd:lom><imsmd:general><imsmd:title><imsmd:langstring xml:lang="en">Golf</imsmd:langstring></imsmd:title></imsmd:general></imsmd:lom>
  </metadata>
  <organizations default="golf_org">
    <organization identifier="golf_org">
      <title>Golf Explained</title>
      <item identifier="item_1" identifierref="resource_1">
        <title>Golf Explained</title>
        <adlcp:masteryscore>80</adlcp:masteryscore>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="resource_1" type="webcontent" adlcp:scormtype="sco" href="shared/launchpage.html">
      <file href="shared/launchpage.html"/>
    </resource>
  </resources>
</manifest>
"#;

/// The package's own copy of `imscp_v1p1.xsd`, as some third-party packages
/// ship it: importing `xml.xsd` over the network, which made `check` call
/// valid packages schema-invalid when it used the zip's schemas.
const NETWORK_IMPORT_XSD: &str = r#"<?xml version="1.0"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="http://www.imsglobal.org/xsd/imscp_v1p1">
  <xsd:import namespace="http://www.w3.org/XML/1998/namespace" schemaLocation="http://www.w3.org/2001/03/xml.xsd"/>
</xsd:schema>
"#;

fn package(dir: &Path, name: &str, manifest: &str, extra: &[(&str, &str)]) -> PathBuf {
    let p = dir.join(name);
    let mut entries = vec![
        stored("imsmanifest.xml", manifest.as_bytes()),
        stored(
            "shared/launchpage.html",
            b"<!doctype html><title>Golf</title>",
        ),
    ];
    for (n, b) in extra {
        entries.push(stored(n, b.as_bytes()));
    }
    write_raw(&p, &entries);
    p
}

fn report(p: &Path) -> (i32, serde_json::Value, String) {
    let o = crate::check::check(&[p], true);
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("JSON report: {}", text(&o)));
    (o.status.code().unwrap(), v[0]["report"].clone(), text(&o))
}

const LOM: &str = r#"
    <lom xmlns="http://ltsc.ieee.org/xsd/LOM"><general><title><string language="en">Golf</string></title></general></lom>"#;

#[test]
fn valid_packages_of_every_edition_pass_against_their_own_edition() {
    if !xmllint_or_skip() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        ("v12.zip", MANIFEST_12.to_string(), "SCORM 1.2", vec![]),
        (
            "v2004-2nd.zip",
            manifest_2004("CAM 1.3", LOM, ""),
            "SCORM 2004 3rd Edition",
            vec![],
        ),
        (
            "v2004-3rd.zip",
            manifest_2004("2004 3rd Edition", "", ""),
            "SCORM 2004 3rd Edition",
            vec![("imscp_v1p1.xsd", NETWORK_IMPORT_XSD)],
        ),
        (
            "v2004-4th.zip",
            manifest_2004(
                "2004 4th Edition",
                LOM,
                r#"
        <adlcp:data><adlcp:map targetID="com.example.shared" readSharedData="true" writeSharedData="false"/></adlcp:data>"#,
            ),
            "SCORM 2004 4th Edition",
            vec![("imscp_v1p1.xsd", NETWORK_IMPORT_XSD)],
        ),
    ];
    for (name, manifest, set, extra) in cases {
        let p = package(tmp.path(), name, &manifest, &extra);
        let (code, r, out) = report(&p);
        assert_eq!(code, 0, "{name}: {out}");
        assert_eq!(r["schema_validation"], "valid", "{name}: {out}");
        assert_eq!(r["schema_set"], set, "{name}: {out}");
        if manifest.contains("ltsc.ieee.org") {
            assert!(
                out.contains("no official schema for inline IEEE LOM metadata: it was checked for well-formedness only"),
                "{name}: {out}"
            );
        }
    }
}

#[test]
fn broken_packages_name_their_real_defect() {
    if !xmllint_or_skip() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    // `adlcp:data` exists only in 4th Edition: a 3rd Edition manifest using it is invalid.
    let p = package(
        tmp.path(),
        "data-in-3rd.zip",
        &manifest_2004(
            "2004 3rd Edition",
            "",
            r#"<adlcp:data><adlcp:map targetID="x"/></adlcp:data>"#,
        ),
        &[],
    );
    let (code, r, out) = report(&p);
    assert_eq!(code, 1, "{out}");
    assert_eq!(r["schema_validation"], "invalid", "{out}");
    assert!(
        out.contains("official SCORM 2004 3rd Edition schemas") && out.contains("data"),
        "{out}"
    );
    // A sequencing element that does not exist.
    let p = package(
        tmp.path(),
        "bogus-seq.zip",
        &manifest_2004(
            "2004 4th Edition",
            "",
            "<imsss:sequencing><imsss:bogusRule/></imsss:sequencing>",
        ),
        &[],
    );
    let (code, _, out) = report(&p);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("bogusRule"), "{out}");
    // Malformed inline LOM is not excused by having no schema.
    let p = package(
        tmp.path(),
        "bad-lom.zip",
        &manifest_2004(
            "CAM 1.3",
            "<lom xmlns=\"http://ltsc.ieee.org/xsd/LOM\"><general>",
            "",
        ),
        &[],
    );
    let (code, _, out) = report(&p);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("manifest-xml"), "{out}");
    // 1.2 with a masteryscore out of range and no scormtype.
    let p = package(
        tmp.path(),
        "bad12.zip",
        &MANIFEST_12
            .replace(">80<", ">180<")
            .replace(" adlcp:scormtype=\"sco\"", ""),
        &[],
    );
    let (code, _, out) = report(&p);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("masteryscore") && out.contains("scormtype"),
        "{out}"
    );
}
