//! `simulate init`: write the commented scenario template (every table and key, with its
//! unit, allowed values and default), generated from the schema that validates scenarios.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use breakeven::scenario::template::template;

use super::{InputError, output};

pub const EXAMPLES: &str = "\
Examples:
  simulate init --out my.toml
  simulate check my.toml
  simulate init > draft.toml

The template holds every table and key a single-firm scenario may have, each
with a comment giving what it is, its unit, the values allowed and its default,
example values, and a source placeholder on every input. It passes simulate
check as written. --out does not replace an existing file.";

#[derive(Args)]
pub struct InitArgs {
    /// Write the template to FILE instead of standard output (never over an existing file).
    #[arg(long, short = 'o', value_name = "FILE", value_parser = super::values::destination)]
    out: Option<PathBuf>,
}

pub fn run(args: InitArgs) -> Result<ExitCode> {
    if let Some(path) = &args.out {
        if path.exists() {
            return Err(InputError(format!(
                "{} exists; remove it or choose another name",
                path.display()
            ))
            .into());
        }
    }
    output::write(template(), args.out.as_deref())?;
    Ok(ExitCode::SUCCESS)
}
