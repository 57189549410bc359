//! `pecyn index`: the generated module catalogue.

use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `pecyn index`.
#[derive(Args, Debug)]
pub struct IndexArgs {
    /// Folder of modules.
    #[arg(long, default_value = "modules", value_name = "DIR")]
    modules: PathBuf,
}

/// Prints the Markdown catalogue of the modules on stdout.
pub fn run(args: IndexArgs) -> ExitCode {
    match pecyn_builder::module_index(&args.modules) {
        Ok(md) => {
            print!("{md}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
