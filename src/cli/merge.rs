//! `simulate merge`: combine the part files of a sharded run into its report (the same bytes
//! as the unsharded run's, its median path's waterfall found again from the run's first paths).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use breakeven::analysis::waterfall;
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
    /// The year of the median path's waterfall [default: 2030, or the horizon if earlier].
    #[arg(long, value_name = "YEAR")]
    waterfall_year: Option<i32>,
    /// Worker threads of the waterfall's ranking pass [default: one per core].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
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
    // The waterfall needs only the run's first paths (see `waterfall::median_path`): simulated
    // here again, it is the single run's. A network has none yet.
    let y = super::run::waterfall_index(&merged.scenario, args.waterfall_year)?;
    let waterfall = super::run::thread_pool(args.threads)?.install(|| {
        waterfall::of_run(
            &merged.scenario,
            merged.seed,
            merged.paths,
            merged.sampler,
            y,
        )
    })?;
    let report = ScenarioReport::new(
        &merged.scenario,
        &merged.summary,
        merged.seed,
        merged.sampler,
        merged.paths,
        RunFacts::default(),
    )
    .with_waterfall(waterfall);
    args.destination.export(&report)?;
    Ok(ExitCode::SUCCESS)
}
