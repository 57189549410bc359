//! `pecyn-tracker`: the tracker on its own (the same commands as `pecyn tracker`).

use clap::Parser;

/// The Pecyn completion tracker.
#[derive(Debug, Parser)]
#[command(name = "pecyn-tracker", version, about)]
struct Cli {
    #[command(flatten)]
    args: pecyn_tracker::cli::TrackerArgs,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match pecyn_tracker::cli::run(cli.args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            let mut source = e.source();
            while let Some(s) = source {
                eprintln!("  caused by: {s}");
                source = s.source();
            }
            std::process::ExitCode::FAILURE
        }
    }
}
