//! `simulate replay RESULT.json`: rerun the run a JSON report records, from the report alone.

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;

use breakeven::replay;

use super::run::{self, OutputArgs};

pub const EXAMPLES: &str = "\
Examples:
  simulate scenarios/openai.toml --set capex.years=8 --format json > result.json
  simulate replay result.json --format json > again.json  # same as result.json
  simulate replay result.json                             # the run as a table

The report's scenario (after its --set overrides), seed, paths and sampler are
reused. A report made by another version is refused unless --any-version is
given.";

#[derive(Args)]
pub struct ReplayArgs {
    /// A JSON report written by `simulate ... --format json`, or `-` for standard input.
    result: PathBuf,
    /// Rerun a report made by another version of the simulator (its numbers may differ).
    #[arg(long)]
    any_version: bool,
    #[command(flatten)]
    output: OutputArgs,
}

pub fn run(args: ReplayArgs) -> Result<ExitCode> {
    let origin = args.result.display().to_string();
    let text = if args.result == Path::new("-") {
        let mut text = String::new();
        io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the report from standard input")?;
        text
    } else {
        std::fs::read_to_string(&args.result)
            .map_err(|e| super::InputError(format!("{origin}: cannot read the report: {e}")))?
    };
    let replay = replay::read(&text, &origin, args.any_version)?;
    if replay.recorded_version != breakeven::report::Simulator::CURRENT.version {
        eprintln!(
            "warning: {origin} was made by version {}; this is {}, so the numbers may differ",
            replay.recorded_version,
            breakeven::report::Simulator::CURRENT.version
        );
    }
    let mut output = args.output;
    output.waterfall_year = output.waterfall_year.or(replay.waterfall_year);
    run::execute(
        &replay.scenario,
        replay.sampler,
        replay.seed,
        replay.paths,
        replay.rare,
        &output,
    )
}
