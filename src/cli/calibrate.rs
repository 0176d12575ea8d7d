//! `simulate calibrate`: the scenario against the figures of its subject in the sources.

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, ValueEnum};

use breakeven::analysis::calibrate::{self, Calibration, Check, Period, Verdict};
use breakeven::report::format::{people, percent, thousands, usd};

use super::sampling::SamplingArgs;
use super::{ScenarioArgs, output};

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
Verdicts: ok (the source lies within the model's P10–P90), edge (outside
P10–P90, within P5–P95), OUT (outside P5–P95: the model contradicts the
source). Exits 0 whatever the verdicts. Paths: --paths, else the scenario's
run.paths, else 100000 (run on one thread, in order).";

/// Paths when neither the command line nor the scenario says.
const DEFAULT_PATHS: u64 = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CalibrateFormat {
    Table,
    Json,
}

#[derive(Args)]
pub struct CalibrateArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// The figures file [default: seeds/figures.toml as built into the binary].
    #[arg(long, value_name = "FILE")]
    figures: Option<PathBuf>,
    #[command(flatten)]
    sampling: SamplingArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CalibrateFormat::Table)]
    format: CalibrateFormat,
    /// Write the output to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE", value_parser = super::values::destination)]
    out: Option<PathBuf>,
}

pub fn run(args: CalibrateArgs) -> Result<ExitCode> {
    let base = args.scenario.base()?;
    let scenario = base.scenario();
    let figures = figures(args.figures.as_deref())?;
    let plan = args
        .sampling
        .plan(scenario, scenario.defaults.paths.unwrap_or(DEFAULT_PATHS));
    let result = calibrate::calibrate(scenario, &figures, &plan)?;
    let text = match args.format {
        CalibrateFormat::Table => table(&result, &figures_name(args.figures.as_deref())),
        CalibrateFormat::Json => {
            let mut s = serde_json::to_string_pretty(&result)?;
            s.push('\n');
            s
        }
    };
    output::write(&text, args.out.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

/// The calibration figures of `file`, or those built in.
pub fn figures(file: Option<&Path>) -> Result<Vec<calibrate::Figure>> {
    Ok(match file {
        Some(path) => calibrate::load_figures(path)?,
        None => calibrate::bundled_figures()?,
    })
}

/// A figure's value in its unit.
pub fn show(check: &Check, x: f64) -> String {
    match check.unit.as_str() {
        "people" => people(x),
        "share" => percent(x),
        _ => usd(x),
    }
}

/// The period as a reader says it.
pub fn period(p: Period) -> &'static str {
    match p {
        Period::Year => "year",
        Period::H1 => "H1 (half the year)",
        Period::RunRateEnd => "run rate at year end",
    }
}

/// How the figures file is named in the table's title.
fn figures_name(file: Option<&Path>) -> String {
    file.map_or_else(
        || {
            format!(
                "{} and {}",
                breakeven::seeds::FIGURES_ORIGIN,
                breakeven::seeds::PUBLICATIONS_ORIGIN
            )
        },
        |p| p.display().to_string(),
    )
}

fn table(c: &Calibration, figures: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Calibration of {} against {} · subject {} · {} paths · seed {}",
        c.file,
        figures,
        c.subject
            .as_deref()
            .unwrap_or("(none: set [scenario] subject)"),
        thousands(c.paths),
        c.seed
    );
    let _ = writeln!(
        out,
        "ok: the source lies within the model's P10–P90 · edge: within P5–P95 only · OUT: outside P5–P95\n"
    );
    if c.checks.is_empty() && c.uncovered.is_empty() {
        let _ = writeln!(
            out,
            "No figures of this scenario's subject to compare with."
        );
        return out;
    }
    for k in &c.checks {
        let _ = writeln!(
            out,
            "{} {}  ({}, {})",
            verdict(k.verdict),
            k.id,
            k.source,
            k.description
        );
        let _ = writeln!(
            out,
            "    {} {} {}: source {} · model median {} · P10–P90 {} – {} · source at P{:.0}",
            k.metric,
            k.year,
            period(k.period),
            show(k, k.value),
            show(k, k.model_median),
            show(k, k.model_p10),
            show(k, k.model_p90),
            100.0 * k.percentile
        );
        if let (Some(scenario), Some(tolerance)) = (&k.reproduced_by, k.tolerance) {
            let _ = writeln!(
                out,
                "    published figure: {scenario} reproduces it to within {} (its rounding)",
                show(k, tolerance)
            );
        }
    }
    for u in &c.uncovered {
        let _ = writeln!(out, "--  {}: not compared: {}", u.id, u.reason);
    }
    let _ = writeln!(
        out,
        "\n{} of {} figures within the model's P10–P90, {} at the edge, {} contradicted.",
        c.with_verdict(Verdict::Consistent).count(),
        c.checks.len(),
        c.with_verdict(Verdict::Edge).count(),
        c.with_verdict(Verdict::Contradicted).count()
    );
    out
}

/// A verdict in a few characters.
pub fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Consistent => "ok  ",
        Verdict::Edge => "edge",
        Verdict::Contradicted => "OUT ",
    }
}
