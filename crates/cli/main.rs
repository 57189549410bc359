//! `pecyn`: the command line. Only argument parsing, terminal output and exit
//! codes live here; every pipeline step is in a library crate.

mod cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Build bilingual, accessible SCORM packages from module scripts, check any SCORM zip,
/// and run the completion tracker.
#[derive(Parser, Debug)]
#[command(name = "pecyn", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Build SCORM packages from modules/ into dist/.
    Build(cmd::build::BuildArgs),
    /// Check SCORM zips: manifest, files, paths, SCORM rules.
    Check(cmd::check::CheckArgs),
    /// Print the Markdown catalogue of the modules (docs/modules.md).
    Index(cmd::index::IndexArgs),
    /// Run or administer the completion tracker (see docs/tracker.md).
    Tracker(pecyn_tracker::cli::TrackerArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => cmd::build::run(args),
        Command::Check(args) => cmd::check::run(args),
        Command::Index(args) => cmd::index::run(args),
        Command::Tracker(args) => match pecyn_tracker::cli::run(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::from(2)
            }
        },
    }
}
