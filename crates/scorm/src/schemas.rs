//! The official schema files, embedded byte for byte (see `schemas/SOURCE.md`).

use pecyn_core::ScormVersion;

/// One schema file shipped at the root of every package.
#[derive(Debug, Clone, Copy)]
pub struct SchemaFile {
    /// File name at the zip root.
    pub name: &'static str,
    /// Exact contents.
    pub bytes: &'static [u8],
}

macro_rules! schema {
    ($dir:literal, $name:literal) => {
        SchemaFile {
            name: $name,
            bytes: include_bytes!(concat!("../schemas/", $dir, "/", $name)),
        }
    };
}

const SCORM12: [SchemaFile; 4] = [
    schema!("scorm12", "adlcp_rootv1p2.xsd"),
    schema!("scorm12", "ims_xml.xsd"),
    schema!("scorm12", "imscp_rootv1p1p2.xsd"),
    schema!("scorm12", "imsmd_rootv1p2p1.xsd"),
];

const SCORM2004: [SchemaFile; 17] = [
    schema!("scorm2004-4th", "XMLSchema.dtd"),
    schema!("scorm2004-4th", "adlcp_v1p3.xsd"),
    schema!("scorm2004-4th", "adlnav_v1p3.xsd"),
    schema!("scorm2004-4th", "adlseq_v1p3.xsd"),
    schema!("scorm2004-4th", "datatypes.dtd"),
    schema!("scorm2004-4th", "imscp_v1p1.xsd"),
    schema!("scorm2004-4th", "imsss_v1p0.xsd"),
    schema!("scorm2004-4th", "imsss_v1p0auxresource.xsd"),
    schema!("scorm2004-4th", "imsss_v1p0control.xsd"),
    schema!("scorm2004-4th", "imsss_v1p0delivery.xsd"),
    schema!("scorm2004-4th", "imsss_v1p0limit.xsd"),
    schema!("scorm2004-4th", "imsss_v1p0objective.xsd"),
    schema!("scorm2004-4th", "imsss_v1p0random.xsd"),
    schema!("scorm2004-4th", "imsss_v1p0rollup.xsd"),
    schema!("scorm2004-4th", "imsss_v1p0seqrule.xsd"),
    schema!("scorm2004-4th", "imsss_v1p0util.xsd"),
    schema!("scorm2004-4th", "xml.xsd"),
];

/// The schema files a package of this version carries at its root.
pub fn schema_files(version: ScormVersion) -> &'static [SchemaFile] {
    match version {
        ScormVersion::Scorm12 => &SCORM12,
        ScormVersion::Scorm2004 => &SCORM2004,
    }
}
