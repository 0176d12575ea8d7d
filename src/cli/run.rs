//! `simulate FILE` / `simulate run FILE`: simulate a scenario and write its report.
//!
//! An interrupted run (Ctrl-C) prints the report of the paths completed so far to standard
//! output, marked partial, leaves any `--out` file untouched, and exits with code 130.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;

use breakeven::engine::Plan;
use breakeven::report::{Format, Report, RunFacts};
use breakeven::scenario::Scenario;
use breakeven::simulation;

use super::{ScenarioArgs, interrupt, output, progress};

/// Paths when neither the command line nor the scenario says: the 95% interval of any
/// probability is then at most ±0.31 percentage points.
pub const DEFAULT_PATHS: u64 = 100_000;
/// Seed when neither the command line nor the scenario says.
pub const DEFAULT_SEED: u64 = 20_251_123;

#[derive(Args)]
pub struct RunArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Number of paths [default: the scenario's run.paths, else 100000].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    paths: Option<u64>,
    /// Random seed [default: the scenario's run.seed, else 20251123].
    #[arg(long)]
    seed: Option<u64>,
    #[command(flatten)]
    output: OutputArgs,
}

/// Threads, format and destination: how a run is carried out and written.
#[derive(Args)]
pub struct OutputArgs {
    /// Worker threads [default: one per core].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
}

/// A rayon pool with `threads` workers, or one per core.
pub fn thread_pool(threads: Option<u16>) -> Result<rayon::ThreadPool> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        pool = pool.num_threads(usize::from(t));
    }
    pool.build().context("cannot start the worker threads")
}

pub fn run(args: RunArgs) -> Result<ExitCode> {
    let scenario = args.scenario.load()?;
    let paths = args
        .paths
        .or(scenario.defaults.paths)
        .unwrap_or(DEFAULT_PATHS);
    let seed = args.seed.or(scenario.defaults.seed).unwrap_or(DEFAULT_SEED);
    execute(&scenario, seed, paths, &args.output)
}

/// Runs `paths` paths of `scenario` with `seed` and writes the report; on Ctrl-C, writes
/// the partial report to standard output instead and returns exit code 130.
pub fn execute(scenario: &Scenario, seed: u64, paths: u64, out: &OutputArgs) -> Result<ExitCode> {
    let cancel = interrupt::install()?;
    let pool = thread_pool(out.threads)?;
    let plan = Plan::whole(seed, paths);
    let progress = progress::Bar::new();
    let started = Instant::now();
    let outcome = pool.install(|| simulation::run(scenario, &plan, &progress, cancel))?;
    let facts = RunFacts {
        threads: pool.current_num_threads(),
        elapsed: started.elapsed(),
    };
    let report = Report::new(scenario, &outcome.summary, seed, paths, facts);
    let text = out.format.render(&report);
    if outcome.cancelled {
        eprintln!(
            "interrupted: {} of {} paths done; their report, marked partial, is on standard output{}",
            outcome.paths,
            paths,
            match &out.out {
                Some(file) => format!(" ({} was not written)", file.display()),
                None => String::new(),
            }
        );
        output::write(&text, None)?;
        return Ok(ExitCode::from(interrupt::EXIT_CODE));
    }
    output::write(&text, out.out.as_deref())?;
    Ok(ExitCode::SUCCESS)
}
