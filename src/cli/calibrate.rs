//! `simulate calibrate`: the scenario against the figures of its subject in the sources.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use breakeven::analysis::calibrate;

use super::ScenarioArgs;
use super::output::Destination;
use super::sampling::SamplingArgs;

pub const EXAMPLES: &str = "\
Examples:
  simulate calibrate scenarios/openai.toml
  simulate calibrate scenarios/openai.toml --figures seeds/figures.toml \\
      --format json
  simulate calibrate scenarios/published/sequoia-uncertain.toml

Compares the scenario with every figure in the figures file (default:
seeds/figures.toml and the published analyses' seeds/publications.toml, built
into the binary, so the command works from any folder) whose subject is the
scenario's [scenario] subject and that has a metric, a year and a period.
Verdicts: consistent (the source lies within the model's P10–P90), edge
(outside P10–P90, within P5–P95), contradicted (outside P5–P95). Exits 0
whatever the verdicts. Paths: --paths, else the scenario's run.paths, else
100000 (run on one thread, in order).";

/// Paths when neither the command line nor the scenario says.
const DEFAULT_PATHS: u64 = 100_000;

#[derive(Args)]
pub struct CalibrateArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// The figures file [default: seeds/figures.toml as built into the binary].
    #[arg(long, value_name = "FILE")]
    figures: Option<PathBuf>,
    #[command(flatten)]
    sampling: SamplingArgs,
    #[command(flatten)]
    destination: Destination,
}

pub fn run(args: CalibrateArgs) -> Result<ExitCode> {
    args.destination.check()?;
    let base = args.scenario.base()?;
    let scenario = base.scenario();
    let figures = figures(args.figures.as_deref())?;
    let plan = args
        .sampling
        .plan(scenario, scenario.defaults.paths.unwrap_or(DEFAULT_PATHS));
    let mut result = calibrate::calibrate(scenario, &figures, &plan)?;
    result.figures = args.figures.as_deref().map_or_else(
        || {
            format!(
                "{} and {}",
                breakeven::seeds::FIGURES_ORIGIN,
                breakeven::seeds::PUBLICATIONS_ORIGIN
            )
        },
        |p| p.display().to_string(),
    );
    args.destination.export(&result)?;
    Ok(ExitCode::SUCCESS)
}

/// The calibration figures of `file`, or those built in.
pub fn figures(file: Option<&Path>) -> Result<Vec<calibrate::Figure>> {
    Ok(match file {
        Some(path) => calibrate::load_figures(path)?,
        None => calibrate::bundled_figures()?,
    })
}
