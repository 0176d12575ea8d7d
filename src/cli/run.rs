//! `simulate FILE` / `simulate run FILE`: simulate a scenario and write its report.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;

use breakeven::engine::{Outcome, Plan};
use breakeven::precision::{self, Target};
use breakeven::report::{Format, Report, RunFacts};
use breakeven::sampler::Sampler;
use breakeven::shard::{Part, Shard};
use breakeven::simulation::Simulation;
use breakeven::stats::Summary;

use super::{InputError, ScenarioArgs, output, progress};

/// Paths when neither the command line nor the scenario says: the 95% interval of any
/// probability is then at most ±0.31 percentage points.
pub const DEFAULT_PATHS: u64 = 100_000;
/// Seed when neither the command line nor the scenario says.
pub const DEFAULT_SEED: u64 = 20_251_123;
/// The path limit of a `--precision` run unless `--max-paths` says.
pub const DEFAULT_MAX_PATHS: u64 = 10_000_000;

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
    /// How inputs are drawn: mc (independent draws), lhs (Latin hypercube within each chunk
    /// of 1024 paths) or sobol (Owen-scrambled Sobol points).
    #[arg(long, value_enum, default_value_t = Sampler::Mc)]
    sampler: Sampler,
    /// Instead of a fixed number of paths, run batches of 65536 until the 95% interval of
    /// every threshold, break-even and payback probability is at most ±P (e.g. 0.005).
    #[arg(long, value_name = "P", conflicts_with = "paths")]
    precision: Option<f64>,
    /// The most paths a --precision run may take [default: 10000000].
    #[arg(long, value_name = "N", requires = "precision", value_parser = clap::value_parser!(u64).range(1..))]
    max_paths: Option<u64>,
    /// Run only shard I of N (0 <= I < N) and write its part file (JSON) for `simulate merge`.
    #[arg(long, value_name = "I/N", conflicts_with_all = ["precision", "format"])]
    shard: Option<Shard>,
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
    let simulation = Simulation::with_sampler(&scenario, args.sampler, seed)
        .map_err(|e| InputError(e.to_string()))?;
    let pool = thread_pool(args.threads)?;
    let progress = progress::Bar::new();
    let cancel = AtomicBool::new(false);
    let started = Instant::now();

    if let Some(shard) = args.shard {
        let plan = shard
            .plan(seed, paths)
            .map_err(|e| InputError(format!("--shard {shard}: {e}")))?;
        let outcome: Outcome<Summary> =
            pool.install(|| breakeven::engine::run(&simulation, &plan, &progress, &cancel))?;
        let part = Part::new(&scenario, args.sampler, shard, &plan, outcome.summary);
        output::write(&part.to_json(), args.out.as_deref())?;
        return Ok(ExitCode::SUCCESS);
    }

    let (outcome, requested) = match args.precision {
        None => {
            let plan = Plan::whole(seed, paths);
            let outcome =
                pool.install(|| breakeven::engine::run(&simulation, &plan, &progress, &cancel))?;
            (outcome, paths)
        }
        Some(half_width) => {
            if !(half_width > 0.0 && half_width < 0.5) {
                return Err(InputError(format!(
                    "--precision {half_width}: the half-width must lie between 0 and 0.5"
                ))
                .into());
            }
            let target = Target {
                half_width,
                max_paths: args.max_paths.unwrap_or(DEFAULT_MAX_PATHS),
            };
            let run =
                pool.install(|| precision::run(&simulation, seed, target, &progress, &cancel))?;
            eprintln!(
                "{}: ±{:.4} (95%) after {} paths{}",
                if run.reached {
                    "precision reached"
                } else {
                    "precision NOT reached"
                },
                run.widest_half_width,
                run.outcome.paths,
                if run.reached {
                    String::new()
                } else {
                    format!(" (--max-paths {})", target.max_paths)
                }
            );
            let paths = run.outcome.paths;
            (run.outcome, paths)
        }
    };
    let facts = RunFacts {
        threads: pool.current_num_threads(),
        elapsed: started.elapsed(),
    };
    let report =
        Report::new(&scenario, &outcome.summary, seed, requested, facts).with_sampler(args.sampler);
    output::write(&args.format.render(&report), args.out.as_deref())?;
    Ok(ExitCode::SUCCESS)
}
