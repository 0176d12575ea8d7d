//! `simulate sweep`: every event's probability over a one- or two-parameter grid, as a table,
//! CSV or JSON, and optionally as an SVG chart.

use std::fmt::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, ValueEnum};

use breakeven::analysis::AnalysisError;
use breakeven::analysis::sweep::{self, Axis, AxisSpec, Sweep};
use breakeven::report::format::percent;
use breakeven::report::svg::{self, compact};
use breakeven::summary::Event;

use super::sampling::SamplingArgs;
use super::{ScenarioArgs, output, progress};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SweepFormat {
    /// One block per event, for the terminal.
    Table,
    /// One row per point and event.
    Csv,
    /// The whole sweep.
    Json,
}

#[derive(Args)]
pub struct SweepArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// A parameter and its range: key.path=FROM..TO:STEPS (once for a curve, twice for a grid).
    #[arg(long = "param", value_name = "KEY=FROM..TO:STEPS", required = true)]
    params: Vec<AxisSpec>,
    #[command(flatten)]
    sampling: SamplingArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SweepFormat::Table)]
    format: SweepFormat,
    /// Write the output to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE", value_parser = super::values::destination)]
    out: Option<PathBuf>,
    /// Also draw the sweep as SVG into FILE (atomically): curves for one parameter, a heatmap
    /// of --event for two.
    #[arg(long, value_name = "FILE", value_parser = super::values::destination)]
    chart: Option<PathBuf>,
    /// The event the chart shows: a threshold's name, break_even or payback.
    #[arg(long, value_name = "NAME", default_value = Event::BREAK_EVEN)]
    event: String,
}

pub fn run(args: SweepArgs) -> Result<ExitCode> {
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
    let event = Event::named(&args.event, scenario)?
        .name(scenario)
        .to_string();
    let plan = args
        .sampling
        .plan(scenario, scenario.defaults.paths.unwrap_or(DEFAULT_PATHS));
    let pool = args.sampling.pool()?;
    let bar = progress::Bar::new();
    let result = pool.install(|| sweep::run(&base, &axes, &plan, &bar))?;
    if let Some(path) = &args.chart {
        let e = result.event_index(&event).expect("the event was checked");
        let svg = if axes.len() == 1 {
            svg::sweep_curves(&result, &[e])?
        } else {
            svg::heatmap(&result, e)?
        };
        output::write(&svg, Some(path))?;
    }
    let text = match args.format {
        SweepFormat::Table => table(&result),
        SweepFormat::Csv => csv(&result),
        SweepFormat::Json => {
            let mut s = serde_json::to_string_pretty(&result)?;
            s.push('\n');
            s
        }
    };
    output::write(&text, args.out.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

/// The sweep in long form: one row per point and event.
fn csv(s: &Sweep) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = s.parameters.iter().map(|p| p.key.clone()).collect();
    header.extend(["event", "probability", "ci95_low", "ci95_high", "paths_met"].map(String::from));
    w.write_record(&header).expect("CSV to memory");
    for point in &s.points {
        for (event, p) in s.events.iter().zip(&point.probabilities) {
            let mut row: Vec<String> = point.values.iter().map(|v| v.to_string()).collect();
            row.push(event.name.clone());
            row.extend(
                [p.probability, p.ci95[0], p.ci95[1]]
                    .iter()
                    .map(|v| v.to_string()),
            );
            row.push(p.paths.to_string());
            w.write_record(&row).expect("CSV to memory");
        }
    }
    String::from_utf8(w.into_inner().expect("CSV to memory")).expect("UTF-8")
}

/// One block per event: a column of values for one parameter, a matrix for two.
fn table(s: &Sweep) -> String {
    let mut out = String::new();
    let keys: Vec<&str> = s.parameters.iter().map(|p| p.key.as_str()).collect();
    let _ = writeln!(
        out,
        "Sweep of {} · {} · {} paths per point · seed {} (the same paths at every point)\n",
        keys.join(" × "),
        s.file,
        s.paths,
        s.seed
    );
    for (e, event) in s.events.iter().enumerate() {
        let _ = writeln!(out, "{} — {}", event.name, event.label);
        match s.parameters.len() {
            1 => {
                let width = keys[0].len().max(10);
                let _ = writeln!(
                    out,
                    "  {:>width$}  {:>8}  {:>20}",
                    keys[0], "P", "95% interval"
                );
                for point in &s.points {
                    let p = &point.probabilities[e];
                    let bar = "█".repeat((p.probability * 30.0).round() as usize);
                    let line = format!(
                        "  {:>width$}  {:>8}  {:>20}  {bar}",
                        compact(point.values[0]),
                        percent(p.probability),
                        format!("[{}, {}]", percent(p.ci95[0]), percent(p.ci95[1]))
                    );
                    let _ = writeln!(out, "{}", line.trim_end());
                }
            }
            _ => {
                let columns = s.parameters[1].range.steps;
                let _ = writeln!(out, "  rows: {}, columns: {}", keys[0], keys[1]);
                let _ = write!(out, "  {:>10}", "");
                for point in s.points.iter().take(columns) {
                    let _ = write!(out, " {:>8}", compact(point.values[1]));
                }
                out.push('\n');
                for row in s.points.chunks(columns) {
                    let _ = write!(out, "  {:>10}", compact(row[0].values[0]));
                    for point in row {
                        let _ = write!(out, " {:>8}", percent(point.probabilities[e].probability));
                    }
                    out.push('\n');
                }
            }
        }
        out.push('\n');
    }
    out
}
