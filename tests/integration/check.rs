//! `pecyn check` on our packages and on hand-made broken ones.

use crate::util::{build, pecyn, root, run, text};
use std::io::Write;
use std::path::{Path, PathBuf};
use zip::write::SimpleFileOptions;

pub(crate) fn check(paths: &[&Path], json: bool) -> std::process::Output {
    let mut c = pecyn();
    c.arg("check");
    if json {
        c.arg("--json");
    }
    for p in paths {
        c.arg(p);
    }
    run(c)
}

/// xmllint must be there in CI; elsewhere we say the XSD half was skipped.
pub(crate) fn xmllint_or_skip() -> bool {
    let ok = std::process::Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok();
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI must install xmllint (libxml2-utils)"
        );
        eprintln!("SKIPPED: XSD validation needs xmllint (apt-get install libxml2-utils)");
    }
    ok
}

#[test]
fn every_package_from_modules_is_clean_and_schema_valid() {
    let xsd = xmllint_or_skip();
    let tmp = tempfile::tempdir().unwrap();
    let o = build(&root().join("modules"), tmp.path(), &[]);
    assert!(
        o.status.success(),
        "every shipped module must build: {}",
        text(&o)
    );
    let zips: Vec<PathBuf> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "zip"))
        .collect();
    let modules = std::fs::read_dir(root().join("modules"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().join("module.toml").is_file())
        .count();
    assert_eq!(zips.len(), modules * 8);
    let refs: Vec<&Path> = zips.iter().map(|p| p.as_path()).collect();
    let o = check(&refs, true);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for r in v.as_array().unwrap() {
        assert_eq!(r["clean"], true, "{r}");
        if xsd {
            assert_eq!(r["report"]["schema_validation"], "valid", "{r}");
        }
        assert!(
            r["report"]["unreferenced"].as_array().unwrap().is_empty(),
            "{r}"
        );
    }
}

pub(crate) struct Zip {
    pub(crate) entries: Vec<(String, Vec<u8>, Option<u32>)>,
}

impl Zip {
    pub(crate) fn from_package(path: &Path) -> Zip {
        let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
        let mut entries = Vec::new();
        for i in 0..z.len() {
            let mut e = z.by_index(i).unwrap();
            let mut buf = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut buf).unwrap();
            entries.push((e.name().to_string(), buf, None));
        }
        Zip { entries }
    }
    pub(crate) fn set(mut self, name: &str, bytes: &[u8]) -> Self {
        self.entries.retain(|e| e.0 != name);
        self.entries.push((name.to_string(), bytes.to_vec(), None));
        self
    }
    pub(crate) fn remove(mut self, name: &str) -> Self {
        self.entries.retain(|e| e.0 != name);
        self
    }
    pub(crate) fn edit_manifest(self, f: impl Fn(String) -> String) -> Self {
        let m = String::from_utf8(
            self.entries
                .iter()
                .find(|e| e.0 == "imsmanifest.xml")
                .unwrap()
                .1
                .clone(),
        )
        .unwrap();
        let m = f(m);
        self.set("imsmanifest.xml", m.as_bytes())
    }
    pub(crate) fn symlink(mut self, name: &str, target: &str) -> Self {
        self.entries
            .push((name.to_string(), target.as_bytes().to_vec(), Some(0o120777)));
        self
    }
    pub(crate) fn write(self, path: &Path) {
        let mut w = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
        for (name, bytes, mode) in self.entries {
            match mode {
                Some(_) => w
                    .add_symlink(
                        name,
                        String::from_utf8(bytes).unwrap(),
                        SimpleFileOptions::default(),
                    )
                    .unwrap(),
                None => {
                    w.start_file(
                        name,
                        SimpleFileOptions::default()
                            .compression_method(zip::CompressionMethod::Deflated),
                    )
                    .unwrap();
                    w.write_all(&bytes).unwrap();
                }
            }
        }
        w.finish().unwrap();
    }
}

pub(crate) fn ours(dir: &Path, scorm: &str) -> PathBuf {
    let o = build(&root().join("modules"), dir, &["passwords"]);
    assert!(o.status.success(), "{}", text(&o));
    dir.join(format!("passwords-en-standard-{scorm}.zip"))
}

pub(crate) fn findings(path: &Path) -> (i32, String) {
    let o = check(&[path], false);
    (o.status.code().unwrap(), text(&o))
}

#[test]
fn our_packages_are_clean() {
    let tmp = tempfile::tempdir().unwrap();
    for v in ["scorm12", "scorm2004"] {
        let (code, out) = findings(&ours(tmp.path(), v));
        assert_eq!(code, 0, "{out}");
        assert!(out.contains(": clean"), "{out}");
        assert!(
            out.contains("1 package: 1 clean, 0 with problems"),
            "a summary line: {out}"
        );
    }
}

#[test]
fn zip_slip_entries_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("slip.zip");
    Zip::from_package(&ours(tmp.path(), "scorm12"))
        .set("../../evil.sh", b"rm -rf /")
        .write(&bad);
    let (code, out) = findings(&bad);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("error[unsafe-path]") && out.contains("../../evil.sh"),
        "{out}"
    );
    assert!(out.contains("1 package: 0 clean, 1 with problems"), "{out}");
    let bad2 = tmp.path().join("abs.zip");
    Zip::from_package(&ours(tmp.path(), "scorm12"))
        .set("/etc/cron.d/x", b"x")
        .set("a\\b.txt", b"x")
        .write(&bad2);
    let (code, out) = findings(&bad2);
    assert_eq!(code, 1);
    assert_eq!(out.matches("error[unsafe-path]").count(), 2, "{out}");
}

#[test]
fn symlinks_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("link.zip");
    Zip::from_package(&ours(tmp.path(), "scorm2004"))
        .symlink("assets/passwd", "/etc/passwd")
        .write(&bad);
    let (code, out) = findings(&bad);
    assert_eq!(code, 1);
    assert!(out.contains("error[symlink]"), "{out}");
}

#[test]
fn missing_launch_file_is_found() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("nolaunch.zip");
    Zip::from_package(&ours(tmp.path(), "scorm12"))
        .remove("index.html")
        .write(&bad);
    let (code, out) = findings(&bad);
    assert_eq!(code, 1);
    assert!(
        out.contains("error[launch]: the launch file `index.html` is not in the zip"),
        "{out}"
    );
    assert!(out.contains("error[missing-file]"), "{out}");
}

#[test]
fn malformed_manifest_is_reported_with_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("badxml.zip");
    Zip::from_package(&ours(tmp.path(), "scorm12"))
        .edit_manifest(|m| m.replace("</organizations>", ""))
        .write(&bad);
    let (code, out) = findings(&bad);
    assert_eq!(code, 1);
    assert!(
        out.contains("error[manifest-xml]: imsmanifest.xml is not well-formed XML (line"),
        "{out}"
    );
}

#[test]
fn scorm_rules_lms_trip_on() {
    let tmp = tempfile::tempdir().unwrap();
    let p12 = ours(tmp.path(), "scorm12");
    let bad = tmp.path().join("rules.zip");
    Zip::from_package(&p12)
        .edit_manifest(|m| {
            m.replace("adlcp:scormtype=\"sco\"", "adlcp:scormType=\"sco\"")
                .replace("<adlcp:masteryscore>80<", "<adlcp:masteryscore>180<")
                .replace(
                    "identifier=\"pecyn_passwords_en_standard_scorm12-item\"",
                    "identifier=\"1-item\"",
                )
        })
        .write(&bad);
    let (code, out) = findings(&bad);
    assert_eq!(code, 1);
    assert!(
        out.contains("error[scormtype]") && out.contains("spells it `adlcp:scormtype`"),
        "{out}"
    );
    assert!(out.contains("error[masteryscore]"), "{out}");
    assert!(out.contains("error[identifier]: `1-item`"), "{out}");
}

#[test]
fn schema_invalid_manifest_is_caught_by_xmllint() {
    if !xmllint_or_skip() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("xsd.zip");
    // Well-formed, structurally fine for our own checks, but invalid against the IMS CP schema.
    Zip::from_package(&ours(tmp.path(), "scorm2004"))
        .edit_manifest(|m| m.replace("<resources>", "<resources><bogus/>"))
        .write(&bad);
    let (code, out) = findings(&bad);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("error[schema-invalid]") && out.contains("bogus"),
        "{out}"
    );
}

#[test]
fn unreferenced_files_are_listed() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("extra.zip");
    Zip::from_package(&ours(tmp.path(), "scorm12"))
        .set("notes/secret.txt", b"x")
        .write(&p);
    let o = run({
        let mut c = pecyn();
        c.args(["check", "--verbose"]).arg(&p);
        c
    });
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("unreferenced: notes/secret.txt"));
}

#[test]
fn zip_bombs_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("bomb.zip");
    let zeros = vec![0u8; 64 * 1024 * 1024];
    Zip::from_package(&ours(tmp.path(), "scorm12"))
        .set("assets/zeros.bin", &zeros)
        .write(&p);
    let (code, out) = findings(&p);
    assert_eq!(code, 1);
    assert!(out.contains("error[zip-bomb]"), "{out}");
}

#[test]
fn not_a_zip_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("x.zip");
    std::fs::write(&p, b"hello").unwrap();
    let (code, out) = findings(&p);
    assert_eq!(code, 2);
    assert!(out.contains("could not check"), "{out}");
}

#[test]
fn nested_manifest_gets_a_hint() {
    let tmp = tempfile::tempdir().unwrap();
    let src = ours(tmp.path(), "scorm12");
    let mut z = Zip::from_package(&src);
    for e in &mut z.entries {
        e.0 = format!("course/{}", e.0);
    }
    let p = tmp.path().join("nested.zip");
    z.write(&p);
    let (code, out) = findings(&p);
    assert_eq!(code, 1);
    assert!(out.contains("zip the folder's contents"), "{out}");
}
