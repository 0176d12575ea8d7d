//! `simulate sensitivity`: which inputs move an event's probability or a metric, ranked.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use breakeven::analysis::Event;
use breakeven::analysis::sensitivity::{self, Output, Statistic};
use breakeven::report::svg;

use super::flags::StatisticFlag;
use super::output::{self, Destination};
use super::sampling::SamplingArgs;
use super::{ScenarioArgs, progress};

pub const EXAMPLES: &str = "\
Examples:
  simulate sensitivity scenarios/openai.toml
  simulate sensitivity scenarios/openai.toml --threshold revenue_100b_by_2029
  simulate sensitivity scenarios/openai.toml --metric revenue --year 2030 \\
      --statistic median
  simulate sensitivity scenarios/openai.toml --format json --chart tornado.svg

The output is an event's probability (--threshold: a threshold's name,
break_even, the default, or payback) or a statistic of a metric in a year
(--metric and --year). Three views: a tornado (each uncertain input fixed at
its own P10, then its P90, all else random, on the same paths), the Spearman
rank correlation of each input with the output, and the median of each input
over paths that meet the event against paths that miss it. Each tornado run
uses --paths paths (default 20000); correlations and medians use the first
min(--paths, 50000).";

#[derive(Args)]
pub struct SensitivityArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// The event whose probability is the output: a threshold's name, break_even (the default) or payback; in a network ENTITY.break_even (default: the first entity's), ENTITY.payback, ENTITY.default, ENTITY.THRESHOLD or network.THRESHOLD.
    #[arg(long, value_name = "NAME", conflicts_with = "metric")]
    threshold: Option<String>,
    /// A metric whose statistic in --year is the output instead (in a network ENTITY.METRIC,
    /// e.g. openai.revenue).
    #[arg(long, value_name = "NAME", requires = "year")]
    metric: Option<String>,
    /// The year of --metric.
    #[arg(long, requires = "metric")]
    year: Option<i32>,
    /// The statistic of --metric.
    #[arg(long, value_enum, default_value_t = StatisticFlag::Median)]
    statistic: StatisticFlag,
    #[command(flatten)]
    sampling: SamplingArgs,
    #[command(flatten)]
    destination: Destination,
    /// Also draw the tornado as SVG into FILE (atomically).
    #[arg(long, value_name = "FILE", value_parser = super::values::destination)]
    chart: Option<PathBuf>,
}

pub fn run(args: SensitivityArgs) -> Result<ExitCode> {
    args.destination.check()?;
    let base = args.scenario.base()?;
    let scenario = base.scenario();
    let output_choice = match (&args.metric, args.year) {
        (Some(name), Some(year)) => {
            Output::metric(scenario, name, year, Statistic::from(args.statistic))?
        }
        _ => Output::Probability(Event::chosen(args.threshold.as_deref(), scenario)?),
    };
    let plan = args.sampling.plan(scenario, sensitivity::DEFAULT_PATHS);
    let pool = args.sampling.pool()?;
    let bar = progress::Bar::new();
    let result = pool.install(|| sensitivity::analyse(scenario, output_choice, &plan, &bar))?;
    if let Some(path) = &args.chart {
        output::write(&svg::tornado(&result, 20)?, Some(path))?;
    }
    args.destination.export(&result)?;
    Ok(ExitCode::SUCCESS)
}
