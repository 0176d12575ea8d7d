//! `simulate compare`: two scenarios, or a scenario and a variant of it, on the same paths.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use breakeven::analysis::AnalysisError;
use breakeven::analysis::compare;
use breakeven::scenario::{self, Override};

use super::flags::SamplerFlag;
use super::output::Destination;
use super::progress;
use super::sampling::SamplingArgs;

pub const EXAMPLES: &str = "\
Examples:
  simulate compare scenarios/openai.toml --set capex.partner_share=0.3
  simulate compare scenarios/openai.toml scenarios/open-weights.toml \\
      --paths 20000
  simulate compare scenarios/openai.toml --set capex.gpu_life_years=4 \\
      --format json

A is the first file as written; B is the second file, or the first again,
with the --set overrides. Every path runs in both with the same key (common
random numbers), so the difference of each event's probability gets a paired
95% interval, far narrower than two independent runs would give (shown beside
it). Paths: --paths, else A's run.paths, else 100000.";

/// Paths when neither the command line nor the scenario says.
const DEFAULT_PATHS: u64 = 100_000;

#[derive(Args)]
pub struct CompareArgs {
    /// Scenario A (TOML).
    a: PathBuf,
    /// Scenario B [default: A again, changed by --set].
    b: Option<PathBuf>,
    /// Override an input of B: key.path=VALUE.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<Override>,
    /// How inputs are drawn.
    #[arg(long, value_enum, default_value_t = SamplerFlag::Mc)]
    sampler: SamplerFlag,
    #[command(flatten)]
    sampling: SamplingArgs,
    #[command(flatten)]
    destination: Destination,
}

pub fn run(args: CompareArgs) -> Result<ExitCode> {
    args.destination.check()?;
    if args.b.is_none() && args.set.is_empty() {
        return Err(AnalysisError::Usage(
            "compare needs a second scenario or at least one --set to make B from A".into(),
        )
        .into());
    }
    let a = scenario::load(&args.a, &[])?;
    let b = scenario::load(args.b.as_deref().unwrap_or(&args.a), &args.set)?;
    let plan = args
        .sampling
        .plan(&a, a.defaults.paths.unwrap_or(DEFAULT_PATHS));
    let pool = args.sampling.pool()?;
    let bar = progress::Bar::new();
    let overrides = args
        .set
        .iter()
        .map(|o| format!("{}={}", o.key, o.value))
        .collect();
    let result =
        pool.install(|| compare::compare(&a, &b, overrides, &plan, args.sampler.into(), &bar))?;
    args.destination.export(&result)?;
    Ok(ExitCode::SUCCESS)
}
