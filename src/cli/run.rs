//! `simulate FILE` / `simulate run FILE`: simulate a scenario and write its report.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;

use breakeven::engine::Plan;
use breakeven::report::{Format, Report, RunFacts};
use breakeven::simulation;

use super::{ScenarioArgs, output, progress};

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
    let pool = thread_pool(args.threads)?;
    let plan = Plan::whole(seed, paths);
    let progress = progress::Bar::new();
    let cancel = AtomicBool::new(false);
    let started = Instant::now();
    let outcome = pool.install(|| simulation::run(&scenario, &plan, &progress, &cancel))?;
    let facts = RunFacts {
        threads: pool.current_num_threads(),
        elapsed: started.elapsed(),
    };
    let report = Report::new(&scenario, &outcome.summary, seed, paths, facts);
    output::write(&args.format.render(&report), args.out.as_deref())?;
    Ok(ExitCode::SUCCESS)
}
