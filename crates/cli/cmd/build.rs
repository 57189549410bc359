//! `pecyn build`.

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use pecyn_builder::{build, BuildPlan, Progress};
use pecyn_core::{Locale, ScormVersion, Variant};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Arguments of `pecyn build`.
#[derive(Args, Debug)]
pub struct BuildArgs {
    /// Folder of modules (one sub-folder per module).
    #[arg(long, default_value = "modules", value_name = "DIR")]
    modules: PathBuf,
    /// Folder whose files override the built-in templates file by file (index.html,
    /// strings/, assets/) [default: ./templates, or the `templates` folder beside the
    /// modules folder, if either exists].
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// Where to write the zips and catalogue.json.
    #[arg(long, default_value = "dist", value_name = "DIR")]
    out: PathBuf,
    /// Build only this module (repeatable).
    #[arg(long, value_name = "ID")]
    only: Vec<String>,
    /// Build only this language: en or cy (repeatable).
    #[arg(long, value_name = "LANG")]
    lang: Vec<Locale>,
    /// Build only this variant: standard or accessible (repeatable).
    #[arg(long, value_name = "VARIANT")]
    variant: Vec<Variant>,
    /// Build only this SCORM version: 1.2 or 2004 (repeatable).
    #[arg(long, value_name = "VERSION")]
    scorm: Vec<ScormVersion>,
    /// Worker threads (default: one per core).
    #[arg(long, default_value_t = 0)]
    jobs: usize,
    /// Print a JSON report on stdout instead of text.
    #[arg(long)]
    json: bool,
    /// Packages report starts, completions, passes and fails to this tracker
    /// (https://…; http:// only for a tracker on this machine). Needs --tracker-key.
    #[arg(
        long,
        value_name = "URL",
        requires = "tracker_key",
        env = "PECYN_TRACKER_URL"
    )]
    tracker_url: Option<String>,
    /// The organisation's ingest key, embedded in every package (pct_…).
    #[arg(
        long,
        value_name = "KEY",
        requires = "tracker_url",
        env = "PECYN_TRACKER_KEY",
        hide_env_values = true
    )]
    tracker_key: Option<String>,
    /// After a successful build, post catalogue.json to this tracker's catalogue endpoint
    /// (a platform token in PECYN_PUBLISH_TOKEN).
    #[arg(long, value_name = "URL")]
    publish: Option<String>,
}

/// Runs `pecyn build`: exit 0 if everything built, 1 if anything failed, 2 if nothing could run.
pub fn run(args: BuildArgs) -> ExitCode {
    let templates = args
        .templates
        .clone()
        .or_else(|| default_templates(&args.modules));
    let mut plan = BuildPlan::new(&args.modules, templates, &args.out);
    plan.only = args.only;
    if !args.lang.is_empty() {
        plan.locales = dedup(args.lang);
    }
    if !args.variant.is_empty() {
        plan.variants = dedup(args.variant);
    }
    if !args.scorm.is_empty() {
        plan.scorm = dedup(args.scorm);
    }
    plan.jobs = args.jobs;
    if let (Some(url), Some(key)) = (&args.tracker_url, &args.tracker_key) {
        match pecyn_render::Reporting::new(url, key) {
            Ok(r) => {
                if r.insecure() {
                    eprintln!(
                        "warning: --tracker-url uses plain http to another machine: learner ids and the key \
                         will cross the network unencrypted; use https"
                    );
                }
                plan.reporting = Some(r);
            }
            Err(e) => {
                if args.json {
                    println!(
                        "{}",
                        serde_json::json!({ "ok": false, "error": e.to_string() })
                    );
                } else {
                    eprintln!("error: {e}");
                }
                return ExitCode::from(2);
            }
        }
    }

    let publish = match args.publish.as_deref().map(super::publish::Target::new) {
        None => None,
        Some(Ok(t)) => Some(t),
        Some(Err(e)) => {
            if args.json {
                println!("{}", serde_json::json!({ "ok": false, "error": e }));
            } else {
                eprintln!("error: {e}");
            }
            return ExitCode::from(2);
        }
    };

    let show_bar = !args.json && std::io::stderr().is_terminal();
    let bar = ProgressBar::hidden();
    if show_bar {
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} building [{bar:30}] {pos}/{len} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
    }
    let started = Instant::now();
    let on_progress = |p: Progress| match p {
        Progress::Planned(n) => bar.set_length(n as u64),
        Progress::Done(file) => {
            bar.inc(1);
            bar.set_message(file);
        }
    };
    let result = build(&plan, &on_progress);
    bar.finish_and_clear();
    let elapsed = started.elapsed();
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            if args.json {
                println!(
                    "{}",
                    serde_json::json!({ "ok": false, "error": e.to_string() })
                );
            } else {
                eprintln!("error: {e}");
            }
            return ExitCode::from(2);
        }
    };
    // Publish only a complete build: a partial catalogue would hide packages from reports.
    let published = publish.as_ref().map(|t| {
        if report.ok() {
            t.publish(&plan.out_dir.join("catalogue.json"))
        } else {
            Err(format!(
                "the catalogue was not published to {}: the build failed",
                t.endpoint()
            ))
        }
    });
    let ok = report.ok() && !matches!(published, Some(Err(_)));
    if args.json {
        let v = serde_json::json!({
            "ok": ok,
            "published": match &published {
                None => serde_json::Value::Null,
                Some(Ok(n)) => serde_json::json!({ "imported": n }),
                Some(Err(e)) => serde_json::json!({ "error": e }),
            },
            "elapsed_ms": elapsed.as_millis() as u64,
            "out": plan.out_dir,
            "modules": report.modules,
            "packages": report.packages,
            "failures": report.failures,
            "diagnostics": report.diagnostics,
        });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        for d in &report.diagnostics {
            eprintln!("{}", d.render());
        }
        for f in report.failures.iter().filter(|f| f.file.is_some()) {
            eprintln!("error: {}: {}", f.file.as_deref().unwrap_or(""), f.message);
        }
        let failed_modules: Vec<&str> = report
            .failures
            .iter()
            .filter(|f| f.file.is_none())
            .map(|f| f.module.as_str())
            .collect();
        eprintln!(
            "Built {} package{} from {} module{} in {:.2} s into {}",
            report.packages.len(),
            if report.packages.len() == 1 { "" } else { "s" },
            report.modules - failed_modules.len(),
            if report.modules - failed_modules.len() == 1 {
                ""
            } else {
                "s"
            },
            elapsed.as_secs_f64(),
            plan.out_dir.display()
        );
        if !report.ok() {
            let pkg_failures = report.failures.iter().filter(|f| f.file.is_some()).count();
            if !failed_modules.is_empty() {
                eprintln!(
                    "error: {} module(s) not built because of errors: {}",
                    failed_modules.len(),
                    failed_modules.join(", ")
                );
            }
            if pkg_failures > 0 {
                eprintln!("error: {pkg_failures} package(s) failed");
            }
        }
    }
    if !args.json {
        match (&published, &publish) {
            (Some(Ok(n)), Some(t)) => eprintln!(
                "Published the catalogue ({n} package{}) to {}",
                if *n == 1 { "" } else { "s" },
                t.endpoint()
            ),
            (Some(Err(e)), _) => eprintln!("error: {e}"),
            _ => {}
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The folder whose files override the built-in templates: `./templates` if
/// it exists, else the `templates` folder beside the modules folder; none
/// (the built-in templates alone) when neither exists.
fn default_templates(modules: &std::path::Path) -> Option<PathBuf> {
    let here = PathBuf::from("templates");
    if here.is_dir() {
        return Some(here);
    }
    modules
        .parent()
        .map(|p| p.join("templates"))
        .filter(|b| b.is_dir())
}

fn dedup<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v.dedup();
    v
}
