//! `simulate merge`: combine the part files of a sharded run into its report.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use breakeven::report::{Format, Report, RunFacts};
use breakeven::shard::{self, Part};

use super::flags::FormatFlag;
use super::{InputError, output};

pub const EXAMPLES: &str = "\
Examples:
  for i in 0 1 2 3; do
      simulate scenarios/openai.toml --paths 1e6 --shard $i/4 --out part-$i.json
  done
  simulate merge part-*.json
  simulate merge part-*.json --format json --out report.json";

#[derive(Args)]
pub struct MergeArgs {
    /// Part files written by `simulate FILE --shard I/N`, one per shard.
    #[arg(required = true, value_name = "PART")]
    parts: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatFlag::Table)]
    format: FormatFlag,
    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE", value_parser = super::values::destination)]
    out: Option<PathBuf>,
}

pub fn run(args: MergeArgs) -> Result<ExitCode> {
    let input = |e: shard::ShardError| InputError(e.to_string());
    let parts = args
        .parts
        .iter()
        .map(|path| Ok((path.display().to_string(), Part::read(path).map_err(input)?)))
        .collect::<Result<Vec<_>, InputError>>()?;
    let merged = shard::merge(&parts).map_err(input)?;
    let report = Report::new(
        &merged.scenario,
        &merged.summary,
        merged.seed,
        merged.paths,
        RunFacts::default(),
    )
    .with_sampler(merged.sampler);
    output::write(
        &Format::from(args.format).render(&report),
        args.out.as_deref(),
    )?;
    Ok(ExitCode::SUCCESS)
}
