//! `pecyn check`.

use clap::Args;
use pecyn_scorm::{check_zip, CheckOptions, Level};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `pecyn check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// SCORM zip files to check.
    #[arg(required = true, value_name = "PACKAGE.zip")]
    packages: Vec<PathBuf>,
    /// Print a JSON report on stdout instead of text.
    #[arg(long)]
    json: bool,
    /// Skip XSD validation with xmllint.
    #[arg(long)]
    no_xsd: bool,
    /// List every file the manifest does not reference.
    #[arg(long)]
    verbose: bool,
}

/// Runs `pecyn check`: exit 0 if every package is clean, 1 if problems were found, 2 if a package could not be checked.
pub fn run(args: CheckArgs) -> ExitCode {
    let opts = CheckOptions {
        xsd: !args.no_xsd,
        ..CheckOptions::default()
    };
    let mut problems = false;
    let mut could_not_run = false;
    let (mut n_clean, mut n_problems, mut n_unchecked) = (0usize, 0usize, 0usize);
    let mut json_out = Vec::new();
    for path in &args.packages {
        let result = std::fs::File::open(path)
            .map_err(pecyn_scorm::CheckError::from)
            .and_then(|f| check_zip(std::io::BufReader::new(f), &opts));
        match result {
            Err(e) => {
                could_not_run = true;
                n_unchecked += 1;
                if args.json {
                    json_out.push(serde_json::json!({ "file": path, "error": e.to_string() }));
                } else {
                    eprintln!("{}: error: could not check: {e}", path.display());
                }
            }
            Ok(report) => {
                if report.is_clean() {
                    n_clean += 1;
                } else {
                    problems = true;
                    n_problems += 1;
                }
                if args.json {
                    json_out.push(serde_json::json!({ "file": path, "clean": report.is_clean(), "report": report }));
                    continue;
                }
                let status = if report.is_clean() {
                    "clean"
                } else {
                    "PROBLEMS"
                };
                println!(
                    "{}: {status} (SCORM {}, {} entries, {} bytes unpacked, schema {})",
                    path.display(),
                    report.version.as_deref().unwrap_or("?"),
                    report.entries,
                    report.uncompressed_bytes,
                    report.schema_validation
                );
                for f in &report.findings {
                    let level = match f.level {
                        Level::Error => "error",
                        Level::Warning => "warning",
                        Level::Info => "note",
                    };
                    if f.code == "unreferenced" && !args.verbose {
                        println!(
                            "  {level}[{}]: {} (use --verbose to list them)",
                            f.code, f.message
                        );
                    } else {
                        println!(
                            "  {level}[{}]: {}",
                            f.code,
                            f.message.replace('\n', "\n    ")
                        );
                    }
                }
                if args.verbose {
                    for u in &report.unreferenced {
                        println!("    unreferenced: {u}");
                    }
                }
            }
        }
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json_out).unwrap_or_default()
        );
    } else {
        println!("{}", summary(n_clean, n_problems, n_unchecked));
    }
    if could_not_run {
        ExitCode::from(2)
    } else if problems {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The last line of `pecyn check`: "144 packages: 144 clean, 0 with problems".
fn summary(clean: usize, problems: usize, unchecked: usize) -> String {
    let total = clean + problems + unchecked;
    let noun = if total == 1 { "package" } else { "packages" };
    let mut s = format!("{total} {noun}: {clean} clean, {problems} with problems");
    if unchecked > 0 {
        s.push_str(&format!(", {unchecked} could not be checked"));
    }
    s
}
