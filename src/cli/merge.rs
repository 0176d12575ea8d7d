//! `simulate merge`: combine the part files of a sharded run into its report.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use breakeven::report::{RunFacts, ScenarioReport};
use breakeven::shard::{self, Part};

use super::InputError;
use super::output::Destination;

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
    #[command(flatten)]
    destination: Destination,
}

pub fn run(args: MergeArgs) -> Result<ExitCode> {
    args.destination.check()?;
    let input = |e: shard::ShardError| InputError(e.to_string());
    let parts = args
        .parts
        .iter()
        .map(|path| Ok((path.display().to_string(), Part::read(path).map_err(input)?)))
        .collect::<Result<Vec<_>, InputError>>()?;
    let merged = shard::merge(&parts).map_err(input)?;
    let report = ScenarioReport::new(
        &merged.scenario,
        &merged.summary,
        merged.seed,
        merged.sampler,
        merged.paths,
        RunFacts::default(),
    );
    args.destination.export(&report)?;
    Ok(ExitCode::SUCCESS)
}
