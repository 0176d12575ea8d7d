//! `simulate report`: one self-contained HTML file with the run, the charts, a sensitivity
//! analysis, sweeps of the inputs that matter most, the calibration table and the inputs.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use clap::Args;

use breakeven::analysis::Event;
use breakeven::analysis::calibrate;
use breakeven::analysis::sensitivity::{self, Output, Sensitivity};
use breakeven::analysis::sweep::{self, Axis, AxisSpec, Range};
use breakeven::analysis::waterfall;
use breakeven::analysis::{Base, Parameter};
use breakeven::engine::{NoProgress, Plan};
use breakeven::report::html::{self, Analyses, Document, NetworkDocument};
use breakeven::report::{RunFacts, ScenarioReport};
use breakeven::sampler::Sampler;
use breakeven::scenario_run::{self, ScenarioSummary};
use breakeven::simulation::RunOptions;

use super::sampling::SamplingArgs;
use super::{ScenarioArgs, output, progress};

pub const EXAMPLES: &str = "\
Examples:
  simulate report scenarios/openai.toml -o report.html
  simulate report scenarios/openai.toml -o report.html --threshold payback \\
      --curve capex.partner_share=0.2..0.8:7
  simulate report scenarios/openai.toml -o quick.html --paths 20000 \\
      --analysis-paths 2000
  simulate report scenarios/network.toml -o network.html \\
      --threshold openai.default

The main run uses --paths (default: the scenario's run.paths, else 100000). The
tornado and the sweeps use --analysis-paths per run (default 10000), the same
paths every time. Without --curve, the curve sweeps the input that moves
--threshold most over its own P5–P95 (9 points); without --grid, the heatmap
crosses the two inputs that move it most (7 x 7). The calibration table
compares the scenario with the figures of its subject in --figures (default:
seeds/figures.toml, built into the binary). For a network file (with
[entities]) the report draws the network, end-customer against internal
revenue and the entity and contagion tables instead of the single firm's
charts, and has no calibration table. The file is written atomically and
needs no network: open it in any browser.";

/// Paths per analysis run when the command line does not say.
const DEFAULT_ANALYSIS_PATHS: u64 = 10_000;
/// Paths of the main run when neither the command line nor the scenario says.
const DEFAULT_PATHS: u64 = 100_000;

#[derive(Args)]
pub struct ReportArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
    #[command(flatten)]
    sampling: SamplingArgs,
    /// Paths per run of the tornado and the sweeps.
    #[arg(long, value_parser = super::values::count, default_value_t = DEFAULT_ANALYSIS_PATHS)]
    analysis_paths: u64,
    /// The event the tornado and the sweeps are about: a threshold's name, break_even (the default) or payback; in a network ENTITY.break_even (default: the first entity's), ENTITY.payback, ENTITY.default, ENTITY.THRESHOLD or network.THRESHOLD.
    #[arg(long, value_name = "NAME")]
    threshold: Option<String>,
    /// The one-parameter sweep to draw: KEY=FROM..TO:STEPS.
    #[arg(long, value_name = "KEY=FROM..TO:STEPS")]
    curve: Option<AxisSpec>,
    /// The two-parameter grid to draw: give it twice, KEY=FROM..TO:STEPS.
    #[arg(long, value_name = "KEY=FROM..TO:STEPS")]
    grid: Vec<AxisSpec>,
    /// The figures file for the calibration table [default: seeds/figures.toml as built in].
    #[arg(long, value_name = "FILE")]
    figures: Option<PathBuf>,
    /// The year of the median path's waterfall (revenue down to EBIT) [default: 2030, or the
    /// horizon if earlier].
    #[arg(long, value_name = "YEAR")]
    waterfall_year: Option<i32>,
    /// Write the HTML to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE", value_parser = super::values::destination)]
    out: Option<PathBuf>,
}

/// A sweep of `key` over the P5–P95 of its input's distribution.
fn default_axis(base: &Base, key: &str, steps: usize) -> Option<Axis> {
    let scenario = base.scenario();
    let dist = &scenario.inputs[scenario.input_index(key)?].dist;
    let range = Range::new(dist.quantile(0.05), dist.quantile(0.95), steps).ok()?;
    Some(Axis {
        parameter: Parameter::new(key, scenario).ok()?,
        range,
    })
}

/// The inputs that move the output most and can take any value in a range (not the
/// whole-number ones, such as a programme's length in years).
fn top_inputs(base: &Base, s: &Sensitivity, n: usize) -> Vec<String> {
    let scenario = base.scenario();
    s.inputs
        .iter()
        .filter(|e| e.swing != 0.0)
        .filter(|e| {
            scenario
                .input_index(&e.key)
                .is_some_and(|i| !scenario.inputs[i].dist.is_integer_valued())
        })
        .take(n)
        .map(|e| e.key.clone())
        .collect()
}

pub fn run(args: ReportArgs) -> Result<ExitCode> {
    let base = args.scenario.base()?;
    let scenario = base.scenario();
    let event = Event::chosen(args.threshold.as_deref(), scenario)?;
    let event_name = event.name(scenario);
    let curve_axis = args
        .curve
        .as_ref()
        .map(|spec| Axis::new(&base, spec))
        .transpose()?;
    let grid_axes = args
        .grid
        .iter()
        .map(|spec| Axis::new(&base, spec))
        .collect::<Result<Vec<_>, _>>()?;
    if !(grid_axes.is_empty() || grid_axes.len() == 2) {
        return Err(breakeven::analysis::AnalysisError::Usage(format!(
            "--grid takes two parameters, got {}",
            grid_axes.len()
        ))
        .into());
    }
    let waterfall_year = super::run::waterfall_index(scenario, args.waterfall_year)?;
    let mut notes = Vec::new();
    let figures = match scenario.network {
        None => Some(super::calibrate::figures(args.figures.as_deref())?),
        Some(_) => None,
    };

    let pool = args.sampling.pool()?;
    let plan = args
        .sampling
        .plan(scenario, scenario.defaults.paths.unwrap_or(DEFAULT_PATHS));
    let analysis_plan = Plan::whole(plan.seed, args.analysis_paths);
    let bar = progress::Bar::new();
    let started = Instant::now();
    let (report, sensitivity, curve, grid) = pool.install(|| -> Result<_> {
        let options = RunOptions::new(plan).progress(&bar);
        let outcome =
            scenario_run::run(scenario, &options.keep(waterfall::ranking(waterfall_year)))?;
        let waterfall = match &outcome.summary {
            ScenarioSummary::Firm(summary) => waterfall::median_path_of_run(
                scenario,
                &options.progress(&NoProgress),
                summary,
                waterfall_year,
            )?,
            ScenarioSummary::Network(_) => None,
        };
        let mut report = ScenarioReport::new(
            scenario,
            &outcome.summary,
            plan.seed,
            Sampler::Mc,
            plan.paths,
            RunFacts {
                threads: rayon::current_num_threads(),
                elapsed: started.elapsed(),
            },
        );
        if let ScenarioReport::Firm(r) = &mut report {
            r.waterfall = waterfall;
        }
        let sensitivity =
            sensitivity::analyse(scenario, Output::Probability(event), &analysis_plan, &bar)?;
        let top = top_inputs(&base, &sensitivity, 2);
        let curve_axis =
            curve_axis.or_else(|| top.first().and_then(|key| default_axis(&base, key, 9)));
        let curve = match curve_axis {
            Some(axis) => Some(sweep::run(&base, &[axis], &analysis_plan, &bar)?),
            None => None,
        };
        let grid_axes = if grid_axes.is_empty() && top.len() == 2 {
            top.iter()
                .filter_map(|key| default_axis(&base, key, 7))
                .collect()
        } else {
            grid_axes
        };
        let grid = if grid_axes.len() == 2 {
            Some(sweep::run(&base, &grid_axes, &analysis_plan, &bar)?)
        } else {
            None
        };
        Ok((report, sensitivity, curve, grid))
    })?;
    let calibration = match &figures {
        Some(f) => Some(calibrate::calibrate(scenario, f, &plan)?),
        None => None,
    };
    if curve.is_none() {
        notes.push("No sweep curve: no input moves the chosen event.".into());
    }
    if grid.is_none() {
        notes.push("No heatmap: fewer than two inputs move the chosen event.".into());
    }
    let command = std::iter::once("simulate".to_string())
        .chain(std::env::args().skip(1))
        .collect::<Vec<_>>()
        .join(" ");
    let html = match &report {
        ScenarioReport::Firm(report) => html::render(&Document {
            report,
            scenario,
            sensitivity: Some(&sensitivity),
            curve: curve.as_ref(),
            grid: grid.as_ref(),
            event: &event_name,
            calibration: calibration.as_ref(),
            notes,
            command,
        })?,
        ScenarioReport::Network(report) => html::render_network(&NetworkDocument {
            report,
            scenario,
            analyses: Analyses {
                sensitivity: Some(&sensitivity),
                curve: curve.as_ref(),
                grid: grid.as_ref(),
                event: &event_name,
            },
            notes,
            command,
        })?,
    };
    output::write(&html, args.out.as_deref())?;
    Ok(ExitCode::SUCCESS)
}
