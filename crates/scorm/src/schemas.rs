//! The official schema files, embedded byte for byte (see `schemas/SOURCE.md`):
//! the sets `pecyn build` ships in packages, and the sets `pecyn check`
//! validates manifests against (never the schema files a package carries).

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

const SCORM2004_3RD: [SchemaFile; 17] = [
    schema!("scorm2004-3rd", "XMLSchema.dtd"),
    schema!("scorm2004-3rd", "adlcp_v1p3.xsd"),
    schema!("scorm2004-3rd", "adlnav_v1p3.xsd"),
    schema!("scorm2004-3rd", "adlseq_v1p3.xsd"),
    schema!("scorm2004-3rd", "datatypes.dtd"),
    schema!("scorm2004-3rd", "imscp_v1p1.xsd"),
    schema!("scorm2004-3rd", "imsss_v1p0.xsd"),
    schema!("scorm2004-3rd", "imsss_v1p0auxresource.xsd"),
    schema!("scorm2004-3rd", "imsss_v1p0control.xsd"),
    schema!("scorm2004-3rd", "imsss_v1p0delivery.xsd"),
    schema!("scorm2004-3rd", "imsss_v1p0limit.xsd"),
    schema!("scorm2004-3rd", "imsss_v1p0objective.xsd"),
    schema!("scorm2004-3rd", "imsss_v1p0random.xsd"),
    schema!("scorm2004-3rd", "imsss_v1p0rollup.xsd"),
    schema!("scorm2004-3rd", "imsss_v1p0seqrule.xsd"),
    schema!("scorm2004-3rd", "imsss_v1p0util.xsd"),
    schema!("scorm2004-3rd", "xml.xsd"),
];

/// Namespace → the file declaring it, for SCORM 1.2.
const NS_12: [(&str, &str); 4] = [
    (
        "http://www.imsproject.org/xsd/imscp_rootv1p1p2",
        "imscp_rootv1p1p2.xsd",
    ),
    (
        "http://www.adlnet.org/xsd/adlcp_rootv1p2",
        "adlcp_rootv1p2.xsd",
    ),
    (
        "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1",
        "imsmd_rootv1p2p1.xsd",
    ),
    ("http://www.w3.org/XML/1998/namespace", "ims_xml.xsd"),
];

/// Namespace → the file declaring it, for SCORM 2004 (3rd and 4th Edition alike).
const NS_2004: [(&str, &str); 6] = [
    ("http://www.imsglobal.org/xsd/imscp_v1p1", "imscp_v1p1.xsd"),
    ("http://www.adlnet.org/xsd/adlcp_v1p3", "adlcp_v1p3.xsd"),
    ("http://www.adlnet.org/xsd/adlseq_v1p3", "adlseq_v1p3.xsd"),
    ("http://www.adlnet.org/xsd/adlnav_v1p3", "adlnav_v1p3.xsd"),
    ("http://www.imsglobal.org/xsd/imsss", "imsss_v1p0.xsd"),
    ("http://www.w3.org/XML/1998/namespace", "xml.xsd"),
];

/// Which official schema set judges a manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SchemaSet {
    /// SCORM 1.2.
    Scorm12,
    /// SCORM 2004 3rd Edition; also serves 2nd Edition (`CAM 1.3`) manifests.
    Scorm2004Third,
    /// SCORM 2004 4th Edition.
    Scorm2004Fourth,
}

impl SchemaSet {
    /// The files of the set.
    pub(crate) fn files(self) -> &'static [SchemaFile] {
        match self {
            SchemaSet::Scorm12 => &SCORM12,
            SchemaSet::Scorm2004Third => &SCORM2004_3RD,
            SchemaSet::Scorm2004Fourth => &SCORM2004,
        }
    }

    /// Each namespace the set declares, with the file that declares it.
    pub(crate) fn namespaces(self) -> &'static [(&'static str, &'static str)] {
        match self {
            SchemaSet::Scorm12 => &NS_12,
            SchemaSet::Scorm2004Third | SchemaSet::Scorm2004Fourth => &NS_2004,
        }
    }

    /// How a report names the set.
    pub(crate) fn label(self) -> &'static str {
        match self {
            SchemaSet::Scorm12 => "SCORM 1.2",
            SchemaSet::Scorm2004Third => "SCORM 2004 3rd Edition",
            SchemaSet::Scorm2004Fourth => "SCORM 2004 4th Edition",
        }
    }
}

/// The schema files a package of this version carries at its root.
pub fn schema_files(version: ScormVersion) -> &'static [SchemaFile] {
    match version {
        ScormVersion::Scorm12 => &SCORM12,
        ScormVersion::Scorm2004 => &SCORM2004,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every namespace a set maps really is the target namespace of its file.
    #[test]
    fn namespace_maps_name_the_declaring_files() {
        for set in [
            SchemaSet::Scorm12,
            SchemaSet::Scorm2004Third,
            SchemaSet::Scorm2004Fourth,
        ] {
            for (ns, file) in set.namespaces() {
                let f = set
                    .files()
                    .iter()
                    .find(|f| f.name == *file)
                    .unwrap_or_else(|| panic!("{file} missing from {set:?}"));
                let text = String::from_utf8_lossy(f.bytes);
                assert!(
                    text.contains(&format!("targetNamespace=\"{ns}\""))
                        || text.contains(&format!("targetNamespace = \"{ns}\"")),
                    "{file} does not declare {ns}"
                );
            }
        }
    }

    /// Every file `check` validates with is the official one, byte for byte.
    #[test]
    fn every_set_matches_its_recorded_sha256_sums() {
        use sha2::{Digest, Sha256};
        let sums = include_str!("../schemas/SHA256SUMS");
        for (set, dir) in [
            (SchemaSet::Scorm12, "scorm12"),
            (SchemaSet::Scorm2004Third, "scorm2004-3rd"),
            (SchemaSet::Scorm2004Fourth, "scorm2004-4th"),
        ] {
            for f in set.files() {
                let sha: String = Sha256::digest(f.bytes)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                assert!(
                    sums.lines()
                        .any(|l| l == format!("{sha}  {dir}/{}", f.name)),
                    "{dir}/{} differs from the official file",
                    f.name
                );
            }
        }
    }
}
