//! `pecyn build --tracker-url … --tracker-key …`: what a package carries with
//! reporting on, and that without it a package carries none of it. The
//! browser half (events reaching a real tracker) is in `browser.rs`.

use crate::util::{pecyn, root, run, text};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

const KEY: &str =
    "pct_0123456789abcdef_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const MODULE: &str = "passwords";

fn zip_entries(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).expect("zip")).expect("a zip");
    let mut out = BTreeMap::new();
    for i in 0..z.len() {
        let mut e = z.by_index(i).expect("entry");
        let mut buf = Vec::new();
        e.read_to_end(&mut buf).expect("read");
        out.insert(e.name().to_string(), buf);
    }
    out
}

fn config(html: &str) -> serde_json::Value {
    let start = html.find("id=\"pecyn-config\">").expect("config") + "id=\"pecyn-config\">".len();
    let end = start + html[start..].find("</script>").expect("end");
    serde_json::from_str(&html[start..end]).expect("JSON")
}

fn build(out: &Path, extra: &[&str]) -> std::process::Output {
    let mut c = pecyn();
    c.args(["build", "--only", MODULE, "--out"])
        .arg(out)
        .args(extra)
        .env_remove("PECYN_TRACKER_URL")
        .env_remove("PECYN_TRACKER_KEY");
    run(c)
}

fn strings(lang: &str) -> toml::Table {
    toml::from_str(
        &std::fs::read_to_string(root().join(format!("templates/strings/{lang}.toml")))
            .expect("strings"),
    )
    .expect("TOML")
}

#[test]
fn with_a_tracker_every_package_reports_and_says_so_in_its_language() {
    let tmp = tempfile::tempdir().expect("tmp");
    let o = build(
        tmp.path(),
        &[
            "--tracker-url",
            "https://tracker.example.org/",
            "--tracker-key",
            KEY,
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(!text(&o).contains("warning"), "{}", text(&o));
    let cat: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("catalogue.json")).expect("catalogue"),
    )
    .expect("JSON");
    let pkgs = cat["packages"].as_array().expect("packages");
    assert_eq!(pkgs.len(), 8);
    for p in pkgs {
        let file = p["file"].as_str().expect("file");
        let lang = p["lang"].as_str().expect("lang");
        let z = zip_entries(&tmp.path().join(file));
        assert_eq!(
            z.get("assets/report.js").map(Vec::as_slice),
            Some(
                std::fs::read(root().join("templates/reporting/report.js"))
                    .expect("report.js")
                    .as_slice()
            ),
            "{file}"
        );
        let html = String::from_utf8(z["index.html"].clone()).expect("utf-8");
        let cfg = config(&html);
        assert_eq!(
            cfg["report"],
            serde_json::json!({"url": "https://tracker.example.org/api/v1/events", "key": KEY,
                "package": p["id"], "version": p["version"]}),
            "{file}"
        );
        assert!(
            html.contains(
                "<script src=\"assets/report.js\"></script>\n<script src=\"assets/player.js\">"
            ),
            "{file}: report.js must load after scorm.js and before player.js"
        );
        // The privacy section, in the package's language, naming the tracker.
        let s = strings(lang);
        let heading = s["privacy_heading"].as_str().expect("heading");
        assert!(html.contains(&format!("<h2>{heading}</h2>")), "{file}");
        assert!(
            html.contains("tracker.example.org:") || html.contains("tracker.example.org"),
            "{file}"
        );
        let manifest = String::from_utf8(z["imsmanifest.xml"].clone()).expect("utf-8");
        assert!(
            manifest.contains("href=\"assets/report.js\""),
            "{file}: report.js not listed in the manifest"
        );
    }
    // The packages pass `pecyn check` (report.js is listed, nothing else changed).
    let mut c = pecyn();
    c.arg("check").arg("--no-xsd");
    for p in pkgs {
        c.arg(tmp.path().join(p["file"].as_str().expect("file")));
    }
    let o = run(c);
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn without_a_tracker_a_package_carries_no_reporting() {
    let tmp = tempfile::tempdir().expect("tmp");
    let o = build(tmp.path(), &["--lang", "cy", "--scorm", "2004"]);
    assert!(o.status.success(), "{}", text(&o));
    let en = strings("en");
    let cy = strings("cy");
    for e in std::fs::read_dir(tmp.path()).expect("dir") {
        let path = e.expect("entry").path();
        if path.extension().is_none_or(|x| x != "zip") {
            continue;
        }
        let z = zip_entries(&path);
        assert!(!z.contains_key("assets/report.js"), "{}", path.display());
        let html = String::from_utf8(z["index.html"].clone()).expect("utf-8");
        assert!(config(&html).get("report").is_none());
        assert!(!html.contains("report.js"));
        for s in [&en, &cy] {
            let heading = s["privacy_heading"].as_str().expect("heading");
            assert!(!html.contains(&format!("<h2>{heading}</h2>")));
        }
        // The runtime's hooks do nothing without assets/report.js.
        assert!(String::from_utf8_lossy(&z["assets/scorm.js"]).contains("root.PecynReport"));
    }
}

#[test]
fn bad_tracker_settings_are_refused_before_anything_is_built() {
    let tmp = tempfile::tempdir().expect("tmp");
    for (url, key, says) in [
        (
            "https://t.example.org",
            "pct_abc",
            "--tracker-key is not a tracker key",
        ),
        ("ftp://t.example.org", KEY, "https://"),
        ("t.example.org", KEY, "not a URL"),
        ("https://t.example.org/?k=1", KEY, "query"),
    ] {
        let o = build(tmp.path(), &["--tracker-url", url, "--tracker-key", key]);
        assert_eq!(o.status.code(), Some(2), "{url} {key}: {}", text(&o));
        assert!(text(&o).contains(says), "{url}: {}", text(&o));
        assert!(
            std::fs::read_dir(tmp.path()).expect("dir").next().is_none(),
            "something was built"
        );
    }
    // One without the other is a usage error.
    let o = build(tmp.path(), &["--tracker-url", "https://t.example.org"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--tracker-key"), "{}", text(&o));
    // Plain http to another machine builds, with a warning; to this machine, silently.
    let o = build(
        tmp.path(),
        &[
            "--tracker-url",
            "http://t.example.org",
            "--tracker-key",
            KEY,
            "--lang",
            "en",
            "--scorm",
            "1.2",
            "--variant",
            "standard",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("warning: --tracker-url uses plain http"),
        "{}",
        text(&o)
    );
    let o = build(
        tmp.path(),
        &[
            "--tracker-url",
            "http://127.0.0.1:8080",
            "--tracker-key",
            KEY,
            "--lang",
            "en",
            "--scorm",
            "1.2",
            "--variant",
            "standard",
        ],
    );
    assert!(
        o.status.success() && !text(&o).contains("warning"),
        "{}",
        text(&o)
    );
}

/// The runtime's budget: scorm.js with the reporting script under 20 KiB
/// unminified (docs/player.md).
#[test]
fn the_runtime_with_reporting_stays_under_20_kib() {
    let size = |p: &str| std::fs::metadata(root().join(p)).expect(p).len();
    let total = size("templates/assets/scorm.js") + size("templates/reporting/report.js");
    assert!(
        total < 20 * 1024,
        "scorm.js + report.js = {total} bytes, over 20 KiB"
    );
}

/// A one-shot HTTP server answering `status` with `body`; returns its address
/// and the request it received (head and body).
fn one_shot(
    status: &'static str,
    body: &'static str,
) -> (String, std::sync::mpsc::Receiver<String>) {
    use std::io::Write;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let Ok((mut s, _)) = listener.accept() else {
            return;
        };
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        // Read the head, then as many body bytes as content-length says.
        loop {
            let n = s.read(&mut chunk).unwrap_or(0);
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&buf).to_string();
            if let Some(end) = text.find("\r\n\r\n") {
                let len = text[..end]
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                    })
                    .unwrap_or(0);
                if buf.len() >= end + 4 + len {
                    break;
                }
            }
        }
        let _ = write!(
            s,
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = tx.send(String::from_utf8_lossy(&buf).to_string());
    });
    (addr, rx)
}

#[test]
fn publish_needs_a_token_and_says_why_the_tracker_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let publish = |url: &str, token: Option<&str>| {
        let mut c = pecyn();
        c.args([
            "build",
            "--only",
            MODULE,
            "--lang",
            "en",
            "--scorm",
            "1.2",
            "--variant",
            "standard",
            "--out",
        ])
        .arg(tmp.path())
        .args(["--publish", url])
        .env_remove("PECYN_PUBLISH_TOKEN");
        if let Some(t) = token {
            c.env("PECYN_PUBLISH_TOKEN", t);
        }
        run(c)
    };
    // No token, or not a tracker address: refused before anything is built.
    let o = publish("http://127.0.0.1:9", None);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("PECYN_PUBLISH_TOKEN"), "{}", text(&o));
    let o = publish("tracker.example.org", Some("t"));
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("must start with https://"),
        "{}",
        text(&o)
    );
    assert!(
        std::fs::read_dir(tmp.path()).expect("dir").next().is_none(),
        "something was built"
    );
    // Nothing listening: the packages are built, the publish fails with exit 1.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let o = publish(&url, Some("t"));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("cannot reach the tracker"),
        "{}",
        text(&o)
    );
    assert!(tmp.path().join("catalogue.json").is_file());
    // A tracker refusing the token: its reason and a hint; the request carried
    // the token and the catalogue.
    let (addr, got) = one_shot(
        "401 Unauthorized",
        r#"{"error":{"code":"unauthorized","message":"unknown token"}}"#,
    );
    let o = publish(&format!("http://{addr}/"), Some("secret-token"));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("refused the catalogue: 401 unknown token (check the token)"),
        "{t}"
    );
    let req = got
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("request");
    assert!(req.starts_with("POST /api/v1/catalogue HTTP/1.1"), "{req}");
    assert!(
        req.to_ascii_lowercase()
            .contains("authorization: bearer secret-token"),
        "{req}"
    );
    let catalogue = std::fs::read_to_string(tmp.path().join("catalogue.json")).expect("catalogue");
    assert!(req.ends_with(&catalogue), "the body is not catalogue.json");
    // An accepting tracker: exit 0 and the count.
    let (addr, _got) = one_shot("200 OK", r#"{"imported":1}"#);
    let o = publish(&format!("http://{addr}"), Some("secret-token"));
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("Published the catalogue (1 package) to http://"),
        "{}",
        text(&o)
    );
}

/// The runtime is ES5 (older managed browsers): none of the later syntax a
/// slip would most likely bring in. A token check, not a parser.
#[test]
fn the_reporting_runtime_is_es5() {
    for file in ["templates/assets/scorm.js", "templates/reporting/report.js"] {
        let mut src = std::fs::read_to_string(root().join(file)).expect(file);
        // Block comments out (keeping their lines, for line numbers).
        while let Some(start) = src.find("/*") {
            let end = src[start..].find("*/").map_or(src.len(), |e| start + e + 2);
            let lines = "\n".repeat(src[start..end].matches('\n').count());
            src.replace_range(start..end, &lines);
        }
        for (n, line) in src.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for bad in [
                "=>", "`", "let ", "const ", "class ", "...", "async ", "await ", "?.", "??",
            ] {
                assert!(
                    !code.contains(bad),
                    "{file}:{}: `{bad}` is not ES5: {line}",
                    n + 1
                );
            }
        }
    }
}

/// `report.js` under Node with a stand-in window (tests/browser/report-unit.mjs):
/// queue bounds, which answers settle an event, the event's fields, storage
/// blocked, a corrupt queue, the next launch.
#[test]
fn the_reporting_script_keeps_its_queue_rules() {
    let node = std::process::Command::new("node").arg("--version").output();
    if node.map(|o| !o.status.success()).unwrap_or(true) {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "CI needs node for this test"
        );
        eprintln!("SKIPPED: node is not installed");
        return;
    }
    let o = std::process::Command::new("node")
        .arg(root().join("tests/browser/report-unit.mjs"))
        .output()
        .expect("node runs");
    assert!(
        o.status.success() && text(&o).contains("report-unit: ok"),
        "{}",
        text(&o)
    );
}
