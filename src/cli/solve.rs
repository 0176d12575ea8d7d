//! `simulate solve`: the parameter value at which an event's probability equals a target.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use breakeven::analysis::Event;
use breakeven::analysis::solve::{self, Problem};

use super::output::Destination;
use super::sampling::SamplingArgs;
use super::{ScenarioArgs, progress};

pub const EXAMPLES: &str = "\
Examples:
  simulate solve scenarios/openai.toml --param capex.gpu_life_years=2..9 \\
      --target 0.18
  simulate solve scenarios/openai.toml --param subscriptions.price=100..1000 \\
      --threshold revenue_100b_by_2029 --target 0.5 --paths 50000
  simulate solve scenarios/openai.toml --param costs.rnd_growth --target 0.1 \\
      --format json

--param key.path=FROM..TO searches that range; without a range, an input's own
support is searched when it is bounded. --threshold names one of the
scenario's thresholds, or break_even (operating break-even within the horizon,
the default) or payback (cash payback within the horizon). The search
evaluates a grid of 9 values over the range, then bisects every crossing of
the target at a fixed seed (common random numbers), stopping at the tolerance
or as soon as the bracket lies inside the 95% interval: the values whose
Wilson 95% interval contains the target. Every crossing is reported. When the
target is not reached inside the range, the command says so and exits 0. Each
evaluation runs --paths paths (default 20000).";

#[derive(Args)]
pub struct SolveArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// The parameter to solve for, and the range to search: key.path[=FROM..TO].
    #[arg(long = "param", value_name = "KEY[=FROM..TO]")]
    param: String,
    /// The event: a threshold's name, break_even (the default) or payback; in a network ENTITY.break_even (default: the first entity's), ENTITY.payback, ENTITY.default, ENTITY.THRESHOLD or network.THRESHOLD.
    #[arg(long, value_name = "NAME")]
    threshold: Option<String>,
    /// The probability sought, strictly between 0 and 1.
    #[arg(long)]
    target: f64,
    /// Stop when the answer is bracketed this tightly [default: 1/1000 of the range].
    #[arg(long)]
    tolerance: Option<f64>,
    #[command(flatten)]
    sampling: SamplingArgs,
    #[command(flatten)]
    destination: Destination,
}

pub fn run(args: SolveArgs) -> Result<ExitCode> {
    args.destination.check()?;
    let base = args.scenario.base()?;
    let scenario = base.scenario();
    let (parameter, bounds) = solve::parameter_and_range(&args.param, &base)?;
    let event = Event::chosen(args.threshold.as_deref(), scenario)?;
    let problem = Problem::new(&base, parameter, bounds, event, args.target, args.tolerance)?;
    let plan = args.sampling.plan(scenario, solve::DEFAULT_PATHS);
    let pool = args.sampling.pool()?;
    let bar = progress::Bar::new();
    let solution = pool.install(|| solve::solve(&base, &problem, &plan, &bar))?;
    args.destination.export(&solution)?;
    Ok(ExitCode::SUCCESS)
}
