//! `simulate solve`: the parameter value at which an event's probability equals a target.

use std::fmt::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, ValueEnum};

use breakeven::analysis::solve::{self, Answer, Problem, Solution};
use breakeven::analysis::sweep::{AxisSpec, parse_bounds};
use breakeven::analysis::{AnalysisError, Parameter};
use breakeven::report::format::percent;
use breakeven::report::svg::compact;
use breakeven::summary::Event;

use super::sampling::SamplingArgs;
use super::{ScenarioArgs, output, progress};

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

/// Paths per evaluation when the command line does not say.
const DEFAULT_PATHS: u64 = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SolveFormat {
    Table,
    Json,
}

#[derive(Args)]
pub struct SolveArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// The parameter to solve for, and the range to search: key.path[=FROM..TO].
    #[arg(long = "param", value_name = "KEY[=FROM..TO]")]
    param: String,
    /// The event: a threshold's name, break_even or payback.
    #[arg(long, value_name = "NAME", default_value = Event::BREAK_EVEN)]
    threshold: String,
    /// The probability sought, strictly between 0 and 1.
    #[arg(long)]
    target: f64,
    /// Stop when the answer is bracketed this tightly [default: 1/1000 of the range].
    #[arg(long)]
    tolerance: Option<f64>,
    #[command(flatten)]
    sampling: SamplingArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SolveFormat::Table)]
    format: SolveFormat,
    /// Write the output to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE", value_parser = super::values::destination)]
    out: Option<PathBuf>,
}

pub fn run(args: SolveArgs) -> Result<ExitCode> {
    let base = args.scenario.base()?;
    let scenario = base.scenario();
    let (key, range) = match args.param.parse::<AxisSpec>() {
        Ok(spec) => (spec.key, Some(spec.text)),
        Err(_) => (args.param.trim().to_string(), None),
    };
    let parameter = Parameter::new(&key, scenario)?;
    let bounds = match range {
        Some(text) => parse_bounds(&text).map_err(|problem| AnalysisError::Range {
            key: key.clone(),
            text,
            problem,
        })?,
        None => default_range(&parameter, &base)?,
    };
    let event = Event::named(&args.threshold, scenario)?;
    let problem = Problem::new(&base, parameter, bounds, event, args.target, args.tolerance)?;
    let plan = args.sampling.plan(scenario, DEFAULT_PATHS);
    let pool = args.sampling.pool()?;
    let bar = progress::Bar::new();
    let solution = pool.install(|| solve::solve(&base, &problem, &plan, &bar))?;
    let text = match args.format {
        SolveFormat::Table => table(&solution),
        SolveFormat::Json => {
            let mut s = serde_json::to_string_pretty(&solution)?;
            s.push('\n');
            s
        }
    };
    output::write(&text, args.out.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

/// The support of the input the parameter replaces, when it is bounded.
fn default_range(
    parameter: &Parameter,
    base: &breakeven::analysis::Base,
) -> Result<(f64, f64), AnalysisError> {
    let scenario = base.scenario();
    let whole_input = scenario.input_index(&parameter.key);
    match whole_input.map(|i| scenario.inputs[i].dist.support()) {
        Some((lo, hi)) if lo.is_finite() && hi.is_finite() && lo < hi => Ok((lo, hi)),
        _ => Err(AnalysisError::Usage(format!(
            "--param {}: give the range to search, e.g. --param {}=FROM..TO (only an input with a bounded, non-constant distribution has a default range)",
            parameter.key, parameter.key
        ))),
    }
}

/// A parameter value with about six significant digits: `0.369629`, `245.337B`.
fn precise(x: f64) -> String {
    if x.abs() >= 1e5 {
        let (scale, suffix) = match x.abs() {
            a if a >= 1e12 => (1e12, "T"),
            a if a >= 1e9 => (1e9, "B"),
            a if a >= 1e6 => (1e6, "M"),
            _ => (1e3, "K"),
        };
        format!("{:.3}{suffix}", x / scale)
    } else if x != 0.0 && x.abs() < 1e-3 {
        format!("{x:.5e}")
    } else {
        let s = format!("{x:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn table(s: &Solution) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Goal seek: {} such that P({}) = {}",
        s.parameter,
        s.event.name,
        percent(s.target)
    );
    let _ = writeln!(out, "  event: {}", s.event.label);
    let _ = writeln!(
        out,
        "  {} · seed {} · {} paths per evaluation · {} evaluations · range {}..{}\n",
        s.file,
        s.seed,
        s.paths,
        s.evaluations.len(),
        compact(s.range[0]),
        compact(s.range[1])
    );
    let ends = format!(
        "P = {} [{}, {}] at {} and {} [{}, {}] at {}",
        percent(s.at_from.probability),
        percent(s.at_from.ci95[0]),
        percent(s.at_from.ci95[1]),
        precise(s.range[0]),
        percent(s.at_to.probability),
        percent(s.at_to.ci95[0]),
        percent(s.at_to.ci95[1]),
        precise(s.range[1])
    );
    match &s.answer {
        Answer::Found {
            value,
            bracket,
            ci95,
        } => {
            let bound = |b: Option<f64>, past: f64, side: &str| match b {
                Some(x) => precise(x),
                None => format!("{side} {}", precise(past)),
            };
            let _ = writeln!(out, "  {} = {}", s.parameter, precise(*value));
            let _ = writeln!(
                out,
                "  95% interval: {} to {}  (values whose Wilson 95% interval of P contains the target)",
                bound(ci95[0], s.range[0], "below"),
                bound(ci95[1], s.range[1], "above")
            );
            let _ = writeln!(
                out,
                "  bracket: [{}, {}] (tolerance {})",
                precise(bracket[0]),
                precise(bracket[1]),
                compact(s.tolerance)
            );
            let _ = writeln!(out, "  {ends}");
        }
        Answer::Unreachable => {
            let _ = writeln!(
                out,
                "  not reachable inside the range: {ends}; the target {} lies outside.",
                percent(s.target)
            );
        }
    }
    if s.crossings.len() > 1 {
        let _ = writeln!(
            out,
            "\n  The probability crosses the target {} times (the first is shown above):",
            s.crossings.len()
        );
        for c in &s.crossings {
            let _ = writeln!(
                out,
                "    {} = {} ({}), 95% interval {} to {}",
                s.parameter,
                precise(c.value),
                if c.rising { "rising" } else { "falling" },
                c.ci95[0].map_or_else(|| format!("below {}", precise(s.range[0])), precise),
                c.ci95[1].map_or_else(|| format!("above {}", precise(s.range[1])), precise),
            );
        }
    }
    if !s.monotone {
        let _ = writeln!(
            out,
            "  warning: the probability does not move one way over the evaluated values ({} grid points, then bisection); every crossing found is listed.",
            s.grid_points
        );
    }
    out
}
