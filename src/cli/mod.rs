//! Command-line arguments and dispatch; one file per subcommand.

mod calibrate;
mod check;
mod compare;
mod flags;
mod init;
mod interrupt;
mod merge;
mod output;
mod progress;
mod rare;
mod replay;
mod report;
mod run;
mod sampling;
mod sensitivity;
mod serve;
mod solve;
mod sweep;
mod values;

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use breakeven::analysis::AnalysisError;
use breakeven::plausibility::{self, Warning};
use breakeven::replay::ReplayError;
use breakeven::scenario::{self, Override, Scenario, ScenarioError};
use breakeven::simulation::{PathError, RunError};
use breakeven::summary::UnknownEvent;

const EXAMPLES: &str = "\
Examples:
  simulate scenarios/openai.toml
  simulate scenarios/openai.toml --paths 1e6 --seed 7 --format json > out.json
  simulate replay out.json
  simulate scenarios/openai.toml --set capex.partner_share=0.3
  simulate scenarios/openai.toml --set capex.partner_share.mode=0.4 \\
      --format markdown --out openai.md
  simulate scenarios/openai.toml --sampler sobol --precision 0.002
  simulate scenarios/openai.toml --paths 1e6 --shard 0/2 --out part-0.json
  simulate scenarios/openai.toml --paths 1e6 --shard 1/2 --out part-1.json
  simulate merge part-*.json
  simulate init --out my.toml
  simulate check my.toml
  simulate sweep scenarios/openai.toml --param capex.partner_share=0.2..0.8:7
  simulate solve scenarios/openai.toml --param capex.gpu_life_years=2..9 \\
      --target 0.18
  simulate sensitivity scenarios/openai.toml
  simulate calibrate scenarios/openai.toml
  simulate compare scenarios/openai.toml --set capex.partner_share=0.3
  simulate report scenarios/openai.toml -o report.html
  simulate scenarios/openai.toml --rare
  simulate rare scenarios/openai.toml --threshold operating_break_even_by_2030
  simulate serve scenarios/openai.toml

Exit codes: 0 success, 1 internal error, 2 bad input or usage,
130 interrupted (Ctrl-C).";

#[derive(Parser)]
#[command(
    name = "simulate",
    version,
    about = "Monte Carlo break-even simulator for the AI infrastructure build-out",
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_help = EXAMPLES
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: run::RunArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Simulate a scenario and report (the default when a file is given).
    #[command(after_help = EXAMPLES)]
    Run(run::RunArgs),
    /// Validate a scenario and list its inputs, without simulating.
    #[command(after_help = check::EXAMPLES)]
    Check(check::CheckArgs),
    /// Write a commented scenario template with every table and key.
    #[command(after_help = init::EXAMPLES)]
    Init(init::InitArgs),
    /// Probabilities over a one- or two-parameter grid, on the same paths at every point.
    #[command(after_help = sweep::EXAMPLES)]
    Sweep(sweep::SweepArgs),
    /// Goal seek: the parameter value at which an event's probability equals a target.
    #[command(after_help = solve::EXAMPLES)]
    Solve(solve::SolveArgs),
    /// Which inputs move an outcome: tornado, rank correlations, what must be true.
    #[command(after_help = sensitivity::EXAMPLES)]
    Sensitivity(sensitivity::SensitivityArgs),
    /// Compare the scenario with the figures of its subject in the sources.
    #[command(after_help = calibrate::EXAMPLES)]
    Calibrate(calibrate::CalibrateArgs),
    /// Compare two scenarios, or a scenario and a variant, on the same paths.
    #[command(after_help = compare::EXAMPLES)]
    Compare(compare::CompareArgs),
    /// Write one self-contained HTML report with charts.
    #[command(after_help = report::EXAMPLES)]
    Report(report::ReportArgs),
    /// Rerun the run a JSON report records (same scenario, seed and paths).
    #[command(after_help = replay::EXAMPLES)]
    Replay(replay::ReplayArgs),
    /// Rare-event probabilities of thresholds by subset simulation, down to about 1e-16.
    #[command(after_help = rare::EXAMPLES)]
    Rare(rare::RareArgs),
    /// Merge the part files of a sharded run (`--shard I/N`) into the run's report.
    #[command(after_help = merge::EXAMPLES)]
    Merge(merge::MergeArgs),
    /// Serve a local web app: live controls over the scenario, and an HTTP API.
    #[command(after_help = serve::EXAMPLES)]
    Serve(serve::ServeArgs),
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Some(Command::Run(args)) => run::run(args),
        Some(Command::Check(args)) => check::run(args),
        Some(Command::Init(args)) => init::run(args),
        Some(Command::Sweep(args)) => sweep::run(args),
        Some(Command::Solve(args)) => solve::run(args),
        Some(Command::Sensitivity(args)) => sensitivity::run(args),
        Some(Command::Calibrate(args)) => calibrate::run(args),
        Some(Command::Compare(args)) => compare::run(args),
        Some(Command::Report(args)) => report::run(args),
        Some(Command::Replay(args)) => replay::run(args),
        Some(Command::Merge(args)) => merge::run(args),
        Some(Command::Rare(args)) => rare::run(args),
        Some(Command::Serve(args)) => serve::run(args),
        None => run::run(cli.run),
    }
}

/// The scenario file and its overrides, shared by every command that reads a scenario.
#[derive(Args)]
pub struct ScenarioArgs {
    /// Scenario file (TOML), or `-` to read standard input.
    #[arg(required = true)]
    file: Option<PathBuf>,
    /// Override an input: key.path=VALUE (a number, a TOML value, or a distribution table).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<Override>,
    /// Make plausibility warnings errors (exit 2): a growth rate above 5 (500% a year), no
    /// revenue or no costs, revenue above world GDP, percentiles clipped at the histogram's floor.
    #[arg(long)]
    pub(crate) strict: bool,
}

impl ScenarioArgs {
    /// The scenario's text and the name it was read from.
    fn text(&self) -> Result<(String, String)> {
        let file = self.file.as_deref().expect("clap requires the file");
        if file == Path::new("-") {
            let mut text = String::new();
            io::stdin()
                .read_to_string(&mut text)
                .context("cannot read the scenario from standard input")?;
            Ok((text, "-".to_string()))
        } else {
            let origin = file.display().to_string();
            let text = std::fs::read_to_string(file).map_err(|e| ScenarioError {
                origin: origin.clone(),
                line: None,
                key: None,
                message: format!("cannot read the scenario: {e}"),
            })?;
            Ok((text, origin))
        }
    }

    /// Reads and compiles the scenario, and reports its plausibility warnings.
    pub fn load(&self) -> Result<Scenario> {
        let (text, origin) = self.text()?;
        let s = scenario::parse(&text, &origin, &self.set)?;
        warn(plausibility::of_scenario(&s, &text, &self.set), self.strict)?;
        Ok(s)
    }
}

/// Prints plausibility warnings to standard error; with `strict`, fails with them instead
/// (an input error, exit code 2).
pub fn warn(warnings: Vec<Warning>, strict: bool) -> Result<()> {
    let mut warnings = warnings.into_iter();
    if strict {
        if let Some(first) = warnings.next() {
            for w in warnings {
                eprintln!("error: {}", w.into_error());
            }
            return Err(first.into_error().into());
        }
    }
    for w in warnings {
        eprintln!("warning: {w}");
    }
    Ok(())
}

/// A usage or input error found by the command line itself.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

/// Whether an error is the user's input (exit code 2) rather than an internal failure (1).
pub fn is_input_error(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.is::<ScenarioError>()
            || e.is::<PathError>()
            || e.is::<RunError>()
            || e.is::<UnknownEvent>()
            || e.is::<InputError>()
            || e.is::<AnalysisError>()
            || e.is::<ReplayError>()
    })
}
