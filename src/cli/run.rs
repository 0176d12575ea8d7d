//! `simulate FILE` / `simulate run FILE`: simulate a scenario and write its report; or run
//! until a precision is reached (`--precision`), or run one shard and write its part file
//! (`--shard`).
//!
//! An interrupted run (Ctrl-C) prints the report of the paths completed so far to standard
//! output, marked partial, leaves any `--out` file untouched, and exits with code 130. An
//! interrupted shard writes no part file.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;

use breakeven::engine::{Outcome, Plan};
use breakeven::precision::{self, Target};
use breakeven::report::{Format, Report, RunFacts};
use breakeven::sampler::Sampler;
use breakeven::scenario::Scenario;
use breakeven::shard::{Part, Shard};
use breakeven::simulation::{self, RunError, RunOptions};
use breakeven::summary::RunSummary;

use super::flags::SamplerFlag;
use super::output::{self, Destination};
use super::{InputError, ScenarioArgs, interrupt, progress};

/// Paths and seed when neither the command line nor the scenario says (the library's, shared
/// with the web API and the Python package).
pub use breakeven::run_request::{DEFAULT_PATHS, DEFAULT_SEED};
/// The path limit of a `--precision` run unless `--max-paths` says.
pub const DEFAULT_MAX_PATHS: u64 = 10_000_000;

#[derive(Args)]
pub struct RunArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Number of paths [default: the scenario's run.paths, else 100000].
    #[arg(long, value_parser = super::values::count)]
    paths: Option<u64>,
    /// Random seed [default: the scenario's run.seed, else 20251123].
    #[arg(long)]
    seed: Option<u64>,
    /// How inputs are drawn: mc (independent draws), lhs (Latin hypercube within each chunk
    /// of 1024 paths) or sobol (Owen-scrambled Sobol points).
    #[arg(long, value_enum, default_value_t = SamplerFlag::Mc)]
    sampler: SamplerFlag,
    /// Instead of a fixed number of paths, run batches of 65536 until the 95% interval of
    /// every threshold, break-even and payback probability is at most ±P (e.g. 0.005).
    #[arg(long, value_name = "P", conflicts_with = "paths")]
    precision: Option<f64>,
    /// The most paths a --precision run may take [default: 10000000].
    #[arg(long, value_name = "N", requires = "precision", value_parser = super::values::count)]
    max_paths: Option<u64>,
    /// Run only shard I of N (0 <= I < N) and write its part file (JSON) for `simulate merge`.
    #[arg(long, value_name = "I/N", conflicts_with_all = ["precision", "format"])]
    shard: Option<Shard>,
    #[command(flatten)]
    output: OutputArgs,
}

/// Threads, format and destination: how a run is carried out and written.
#[derive(Args)]
pub struct OutputArgs {
    /// Worker threads [default: one per core].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    #[command(flatten)]
    destination: Destination,
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
    args.output.destination.check()?;
    let scenario = args.scenario.load()?;
    if scenario.network.is_some() {
        return Err(InputError(format!(
            "{}: running network scenarios (files with [entities]) is not supported yet; \
             `simulate check` validates the file",
            scenario.origin
        ))
        .into());
    }
    let paths = args
        .paths
        .or(scenario.defaults.paths)
        .unwrap_or(DEFAULT_PATHS);
    let seed = args.seed.or(scenario.defaults.seed).unwrap_or(DEFAULT_SEED);
    let sampler = Sampler::from(args.sampler);
    if let Some(shard) = args.shard {
        return run_shard(&scenario, sampler, seed, paths, shard, &args.output);
    }
    if let Some(half_width) = args.precision {
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
        return run_to_precision(&scenario, sampler, seed, target, &args.output);
    }
    execute(&scenario, sampler, seed, paths, &args.output)
}

/// A run's error; a sampler that cannot draw the scenario is the user's input error.
fn run_error(sampler: Sampler, e: RunError) -> anyhow::Error {
    match e {
        RunError::Sampler(e) => InputError(format!("--sampler {}: {e}", sampler.name())).into(),
        RunError::Path(e) => e.into(),
    }
}

/// Runs `paths` paths of `scenario` with `sampler` and `seed` and writes the report; on
/// Ctrl-C, writes the partial report to standard output instead and returns exit code 130.
pub fn execute(
    scenario: &Scenario,
    sampler: Sampler,
    seed: u64,
    paths: u64,
    out: &OutputArgs,
) -> Result<ExitCode> {
    let cancel = interrupt::install()?;
    let pool = thread_pool(out.threads)?;
    let progress = progress::Bar::new();
    let options = RunOptions {
        plan: Plan::whole(seed, paths),
        sampler,
        progress: &progress,
        cancel,
    };
    let started = Instant::now();
    let outcome = pool
        .install(|| simulation::run(scenario, &options))
        .map_err(|e| run_error(sampler, e))?;
    let facts = RunFacts {
        threads: pool.current_num_threads(),
        elapsed: started.elapsed(),
    };
    write_report(scenario, sampler, &outcome, seed, paths, facts, out)
}

/// Runs fixed batches until `target` is met and writes the report, which is that of a plain
/// run of the paths it took.
fn run_to_precision(
    scenario: &Scenario,
    sampler: Sampler,
    seed: u64,
    target: Target,
    out: &OutputArgs,
) -> Result<ExitCode> {
    let cancel = interrupt::install()?;
    let pool = thread_pool(out.threads)?;
    let progress = progress::Bar::new();
    let options = RunOptions {
        plan: Plan::whole(seed, target.max_paths),
        sampler,
        progress: &progress,
        cancel,
    };
    let started = Instant::now();
    let run = pool
        .install(|| precision::run(scenario, &options, target))
        .map_err(|e| run_error(sampler, e))?;
    let facts = RunFacts {
        threads: pool.current_num_threads(),
        elapsed: started.elapsed(),
    };
    if !run.outcome.cancelled {
        eprintln!(
            "precision {}: ±{:.4} (95%) after {} paths{}",
            if run.reached {
                "reached"
            } else {
                "NOT reached"
            },
            run.widest_half_width,
            run.outcome.paths,
            if run.reached {
                String::new()
            } else {
                format!(", the --max-paths limit ({})", target.max_paths)
            }
        );
    }
    let paths = run.outcome.paths;
    write_report(scenario, sampler, &run.outcome, seed, paths, facts, out)
}

/// Writes the report of `outcome`, or, when it was interrupted, its partial report to
/// standard output with exit code 130.
fn write_report(
    scenario: &Scenario,
    sampler: Sampler,
    outcome: &Outcome<RunSummary>,
    seed: u64,
    paths: u64,
    facts: RunFacts,
    out: &OutputArgs,
) -> Result<ExitCode> {
    let report = Report::new(scenario, &outcome.summary, seed, paths, facts).with_sampler(sampler);
    if outcome.cancelled {
        // A binary partial report goes to a terminal only as the table.
        let format = match out.destination.format() {
            f if f.is_binary() && std::io::stdout().is_terminal() => Format::Table,
            f => f,
        };
        let bytes = format.render(&report)?;
        eprintln!(
            "interrupted: {} of {} paths done; their report, marked partial, is on standard output{}",
            outcome.paths,
            paths,
            match &out.destination.out {
                Some(file) => format!(" ({} was not written)", file.display()),
                None => String::new(),
            }
        );
        output::write(&bytes, None)?;
        return Ok(ExitCode::from(interrupt::EXIT_CODE));
    }
    out.destination.export(&report)?;
    Ok(ExitCode::SUCCESS)
}

/// Runs one shard and writes its part file.
fn run_shard(
    scenario: &Scenario,
    sampler: Sampler,
    seed: u64,
    paths: u64,
    shard: Shard,
    out: &OutputArgs,
) -> Result<ExitCode> {
    let cancel = interrupt::install()?;
    let plan = shard
        .plan(seed, paths)
        .map_err(|e| InputError(format!("--shard {shard}: {e}")))?;
    let pool = thread_pool(out.threads)?;
    let progress = progress::Bar::new();
    let options = RunOptions {
        plan,
        sampler,
        progress: &progress,
        cancel,
    };
    let outcome = pool
        .install(|| simulation::run(scenario, &options))
        .map_err(|e| run_error(sampler, e))?;
    if outcome.cancelled {
        eprintln!(
            "interrupted: shard {shard} did {} of its {} paths; no part file was written",
            outcome.paths,
            plan.covered_paths()
        );
        return Ok(ExitCode::from(interrupt::EXIT_CODE));
    }
    let part = Part::new(scenario, sampler, shard, &plan, &outcome.summary);
    output::write(part.to_json(), out.destination.out.as_deref())?;
    Ok(ExitCode::SUCCESS)
}
