//! `simulate sweep`: every event's probability over a one- or two-parameter grid, in any
//! format, and optionally as an SVG chart.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use breakeven::analysis::sweep::{self, Axis, AxisSpec};
use breakeven::analysis::{AnalysisError, Event};
use breakeven::report::svg;

use super::output::{self, Destination};
use super::sampling::SamplingArgs;
use super::{ScenarioArgs, progress};

pub const EXAMPLES: &str = "\
Examples:
  simulate sweep scenarios/openai.toml --param capex.partner_share=0.2..0.8:7
  simulate sweep scenarios/openai.toml \\
      --param capex.partner_share.mode=0.4..0.6:5 --format csv
  simulate sweep scenarios/openai.toml --param capex.gpu_life_years=2..6:5 \\
      --param capex.partner_share=0.2..0.8:4 --format json --out grid.json \\
      --chart grid.svg

A parameter is any key path --set accepts that holds a number or a
distribution: an input (its distribution is replaced by each value) or one
parameter of a distribution (a value it refuses is refused with the file's own
message: capex.partner_share.mode must lie inside [min, max] = [0.35, 0.65]).
FROM..TO:STEPS gives STEPS evenly spaced values, both ends included; at most
10000 points in all. Every point runs the same paths (same seed): differences
between points come from the parameter. Paths per point: --paths, else the
scenario's run.paths, else 100000.";

/// Paths per point when neither the command line nor the scenario says.
const DEFAULT_PATHS: u64 = 100_000;

#[derive(Args)]
pub struct SweepArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// A parameter and its range: key.path=FROM..TO:STEPS (once for a curve, twice for a grid).
    #[arg(long = "param", value_name = "KEY=FROM..TO:STEPS", required = true)]
    params: Vec<AxisSpec>,
    #[command(flatten)]
    sampling: SamplingArgs,
    #[command(flatten)]
    destination: Destination,
    /// Also draw the sweep as SVG into FILE (atomically): curves for one parameter, a heatmap
    /// of --event for two.
    #[arg(long, value_name = "FILE", value_parser = super::values::destination)]
    chart: Option<PathBuf>,
    /// The event the chart shows: a threshold's name, break_even (the default) or payback; in a network ENTITY.break_even (default: the first entity's), ENTITY.payback, ENTITY.default, ENTITY.THRESHOLD or network.THRESHOLD.
    #[arg(long, value_name = "NAME")]
    event: Option<String>,
}

pub fn run(args: SweepArgs) -> Result<ExitCode> {
    args.destination.check()?;
    let base = args.scenario.base()?;
    let scenario = base.scenario();
    if args.params.len() > 2 {
        return Err(AnalysisError::Usage(format!(
            "a sweep takes one or two --param, got {}",
            args.params.len()
        ))
        .into());
    }
    let axes = args
        .params
        .iter()
        .map(|spec| Axis::new(&base, spec))
        .collect::<Result<Vec<_>, _>>()?;
    let event = Event::chosen(args.event.as_deref(), scenario)?.name(scenario);
    let plan = args
        .sampling
        .plan(scenario, scenario.defaults.paths.unwrap_or(DEFAULT_PATHS));
    let pool = args.sampling.pool()?;
    let bar = progress::Bar::new();
    let result = pool.install(|| sweep::run(&base, &axes, &plan, &bar))?;
    if let Some(path) = &args.chart {
        let e = result.event_index(&event).expect("the event was checked");
        let base_case = svg::base_case(&result, scenario);
        let svg = if axes.len() == 1 {
            svg::sweep_curves(&result, &[e], &base_case)?
        } else {
            svg::heatmap(&result, e, &base_case)?
        };
        output::write(&svg, Some(path))?;
    }
    args.destination.export(&result)?;
    Ok(ExitCode::SUCCESS)
}
