//! `simulate sensitivity`: which inputs move an event's probability or a metric, ranked.

use std::fmt::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, ValueEnum};

use breakeven::analysis::AnalysisError;
use breakeven::analysis::sensitivity::{self, MAX_SAMPLE, Output, Sensitivity, Statistic};
use breakeven::model::Metric;
use breakeven::report::format::{people, percent, thousands, usd};
use breakeven::report::svg::{self, compact};
use breakeven::summary::Event;

use super::flags::StatisticFlag;
use super::sampling::SamplingArgs;
use super::{ScenarioArgs, output, progress};

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

/// Paths per tornado run when the command line does not say.
const DEFAULT_PATHS: u64 = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SensitivityFormat {
    Table,
    Json,
}

#[derive(Args)]
pub struct SensitivityArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// The event whose probability is the output: a threshold's name, break_even or payback.
    #[arg(long, value_name = "NAME", conflicts_with = "metric")]
    threshold: Option<String>,
    /// A metric whose statistic in --year is the output instead.
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
    /// Output format.
    #[arg(long, value_enum, default_value_t = SensitivityFormat::Table)]
    format: SensitivityFormat,
    /// Write the output to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE", value_parser = super::values::destination)]
    out: Option<PathBuf>,
    /// Also draw the tornado as SVG into FILE (atomically).
    #[arg(long, value_name = "FILE", value_parser = super::values::destination)]
    chart: Option<PathBuf>,
}

pub fn run(args: SensitivityArgs) -> Result<ExitCode> {
    let base = args.scenario.base()?;
    let scenario = base.scenario();
    let output_choice = match (&args.metric, args.year) {
        (Some(name), Some(year)) => {
            let metric = Metric::from_name(name).ok_or_else(|| {
                let names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
                AnalysisError::Usage(format!(
                    "--metric {name}: unknown metric (expected one of {})",
                    names.join(", ")
                ))
            })?;
            if year < scenario.start_year || year > scenario.horizon {
                return Err(AnalysisError::Usage(format!(
                    "--year {year}: outside the simulated years {}–{}",
                    scenario.start_year, scenario.horizon
                ))
                .into());
            }
            Output::Metric {
                metric,
                year: (year - scenario.start_year) as usize,
                statistic: Statistic::from(args.statistic),
            }
        }
        _ => Output::Probability(Event::named(
            args.threshold.as_deref().unwrap_or(Event::BREAK_EVEN),
            scenario,
        )?),
    };
    let plan = args.sampling.plan(scenario, DEFAULT_PATHS);
    let pool = args.sampling.pool()?;
    let bar = progress::Bar::new();
    let result = pool.install(|| sensitivity::analyse(scenario, output_choice, &plan, &bar))?;
    if let Some(path) = &args.chart {
        output::write(&svg::tornado(&result, 20)?, Some(path))?;
    }
    let text = match args.format {
        SensitivityFormat::Table => table(&result),
        SensitivityFormat::Json => {
            let mut s = serde_json::to_string_pretty(&result)?;
            s.push('\n');
            s
        }
    };
    output::write(&text, args.out.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

fn table(s: &Sensitivity) -> String {
    let show = |x: f64| match s.output.unit {
        "probability" => percent(x),
        "USD" => usd(x),
        _ => people(x),
    };
    let difference = |x: f64| match s.output.unit {
        "probability" => format!("{:+.1} pp", 100.0 * x),
        "USD" => format!("{}{}", if x >= 0.0 { "+" } else { "" }, usd(x)),
        _ => format!("{}{}", if x >= 0.0 { "+" } else { "" }, people(x)),
    };
    let mut out = String::new();
    let _ = writeln!(out, "Sensitivity of {}", s.output.label);
    let _ = writeln!(
        out,
        "  {} · seed {} · {} paths per tornado run · all inputs random: {}{}\n",
        s.file,
        s.seed,
        thousands(s.paths),
        show(s.base),
        s.base_ci95
            .map(|ci| format!(" [{}, {}]", percent(ci[0]), percent(ci[1])))
            .unwrap_or_default()
    );
    let width = s
        .inputs
        .iter()
        .map(|e| e.key.len())
        .max()
        .unwrap_or(5)
        .max(5);
    let _ = writeln!(
        out,
        "TORNADO (input fixed at its P10 / P90, all else random, same paths), by swing"
    );
    let _ = writeln!(
        out,
        "  {:>3}  {:width$}  {:>22}  {:>22}  {:>10}",
        "#", "input", "at P10", "at P90", "swing"
    );
    for (i, e) in s.inputs.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {:>3}  {:width$}  {:>22}  {:>22}  {:>10}",
            i + 1,
            e.key,
            format!("{} → {}", compact(e.at_p10.input), show(e.at_p10.output)),
            format!("{} → {}", compact(e.at_p90.input), show(e.at_p90.output)),
            difference(e.swing)
        );
    }
    let mut by_rho: Vec<_> = s.inputs.iter().collect();
    by_rho.sort_by(|a, b| b.spearman.abs().total_cmp(&a.spearman.abs()));
    let _ = writeln!(
        out,
        "\nSPEARMAN RANK CORRELATION with the output, over {} paths (|rho| < {:.3} is noise){}",
        thousands(s.sample_paths),
        2.0 / (s.sample_paths.max(2) as f64 - 1.0).sqrt(),
        if s.sample_paths == MAX_SAMPLE {
            " — the sample is capped"
        } else {
            ""
        }
    );
    for e in &by_rho {
        let _ = writeln!(out, "  {:width$}  {:+.3}", e.key, e.spearman);
    }
    let _ = writeln!(
        out,
        "\nWHAT MUST BE TRUE: median of each input over {} ({} of {} sampled paths on the first side)",
        s.split,
        thousands(s.sample_met),
        thousands(s.sample_paths)
    );
    let _ = writeln!(out, "  {:width$}  {:>12}  {:>12}", "input", "met", "missed");
    let median = |m: Option<f64>| m.map(compact).unwrap_or_else(|| "–".into());
    for e in &s.inputs {
        let _ = writeln!(
            out,
            "  {:width$}  {:>12}  {:>12}",
            e.key,
            median(e.median_met),
            median(e.median_missed)
        );
    }
    out
}
