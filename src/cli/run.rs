//! `simulate FILE` / `simulate run FILE`: simulate a scenario and write its report; or run
//! until a precision is reached (`--precision`), or run one shard and write its part file
//! (`--shard`).
//!
//! An interrupted run (Ctrl-C) prints the report of the paths completed so far to standard
//! output, marked partial, leaves any `--out` file untouched, and exits with code 130. An
//! interrupted shard writes no part file.

use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;

use breakeven::analysis::waterfall::{self, Waterfall};
use breakeven::engine::{CHUNK_PATHS, NoProgress, Outcome, Plan};
use breakeven::model::Metric;
use breakeven::plausibility;
use breakeven::precision::{self, Target};
use breakeven::rare::{Settings, target::Target as RareTarget};
use breakeven::report::rare::RareThreshold;
use breakeven::report::{Format, RunFacts, ScenarioReport, paths};
use breakeven::sampler::Sampler;
use breakeven::scenario::Scenario;
use breakeven::scenario_run::{self, ScenarioSummary};
use breakeven::shard::{Part, Shard};
use breakeven::simulation::{self, RunError, RunOptions};

use super::flags::SamplerFlag;
use super::output::{self, Destination};
use super::{InputError, ScenarioArgs, interrupt, progress};

/// Paths and seed when neither the command line nor the scenario says (the library's, shared
/// with the web API and the Python package).
pub use breakeven::run_request::{DEFAULT_PATHS, DEFAULT_SEED};
/// `--rare` estimates the thresholds whose plain estimate is below this.
pub const RARE_BELOW: f64 = 1e-3;
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
    #[arg(long, value_name = "P", conflicts_with_all = ["paths", "paths_out"])]
    precision: Option<f64>,
    /// The most paths a --precision run may take [default: 10000000].
    #[arg(long, value_name = "N", requires = "precision", value_parser = super::values::count)]
    max_paths: Option<u64>,
    /// Run only shard I of N (0 <= I < N) and write its part file (JSON) for `simulate merge`.
    #[arg(long, value_name = "I/N", conflicts_with_all = ["precision", "format", "paths_out"])]
    shard: Option<Shard>,
    /// Also estimate every threshold (in a network file, every event) whose plain estimate is
    /// below 0.1% by subset simulation (`simulate rare --help`), with the run's seed and the
    /// default settings.
    #[arg(long, conflicts_with = "shard")]
    rare: bool,
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
    /// Also write each path's drawn inputs and outcomes to FILE: CSV, one row per path in
    /// path order, streamed and written atomically.
    #[arg(long, value_name = "FILE", value_parser = super::values::destination)]
    paths_out: Option<PathBuf>,
    /// At most N rows in --paths-out: the run's first N paths, a random sample of them.
    #[arg(long, value_name = "N", requires = "paths_out", value_parser = super::values::count)]
    paths_out_max: Option<u64>,
    /// The metrics --paths-out gives by year, comma-separated [default:
    /// revenue,ebit,free_cash_flow,cash].
    #[arg(
        long,
        value_name = "LIST",
        requires = "paths_out",
        value_delimiter = ',',
        value_parser = metric
    )]
    paths_out_metrics: Vec<Metric>,
    /// The year of the median path's waterfall (revenue down to EBIT) [default: 2030, or the
    /// horizon if earlier].
    #[arg(long, value_name = "YEAR")]
    pub(super) waterfall_year: Option<i32>,
    /// `--strict` of the scenario's arguments: the run's plausibility warnings are errors.
    #[arg(skip)]
    strict: bool,
}

impl OutputArgs {
    fn waterfall_index(&self, scenario: &Scenario) -> Result<usize> {
        waterfall_index(scenario, self.waterfall_year)
    }
}

/// The year index of the waterfall: `year` (`--waterfall-year`) if within the scenario's years
/// (an input error if not), else the default year.
pub(super) fn waterfall_index(scenario: &Scenario, year: Option<i32>) -> Result<usize> {
    let year = year.unwrap_or_else(|| waterfall::default_year(scenario));
    waterfall::year_index(scenario, year).ok_or_else(|| {
        InputError(format!(
            "--waterfall-year {year}: {} covers {}–{}",
            scenario.origin, scenario.start_year, scenario.horizon
        ))
        .into()
    })
}

/// The waterfall of the median path of the first `paths` paths of the run `options`
/// describes, in year index `y`; `None` for an interrupted run or a network scenario.
fn median_waterfall(
    scenario: &Scenario,
    options: &RunOptions,
    outcome: &Outcome<ScenarioSummary>,
    y: usize,
    pool: &rayon::ThreadPool,
) -> Result<Option<Waterfall>> {
    let ScenarioSummary::Firm(summary) = &outcome.summary else {
        return Ok(None);
    };
    if outcome.cancelled {
        return Ok(None);
    }
    let options = RunOptions {
        plan: Plan::whole(options.plan.seed, outcome.paths),
        progress: &NoProgress,
        ..*options
    };
    pool.install(|| waterfall::median_path_of_run(scenario, &options, summary, y))
        .map_err(|e| run_error(options.sampler, e))
}

/// A metric by its name.
fn metric(name: &str) -> Result<Metric, String> {
    Metric::from_name(name.trim()).ok_or_else(|| {
        let names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
        format!("unknown metric (expected one of {})", names.join(", "))
    })
}

/// A rayon pool with `threads` workers, or one per core.
pub fn thread_pool(threads: Option<u16>) -> Result<rayon::ThreadPool> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        pool = pool.num_threads(usize::from(t));
    }
    pool.build().context("cannot start the worker threads")
}

pub fn run(mut args: RunArgs) -> Result<ExitCode> {
    args.output.strict = args.scenario.strict;
    args.output.destination.check()?;
    let scenario = args.scenario.load()?;
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
        return run_to_precision(&scenario, sampler, seed, target, args.rare, &args.output);
    }
    execute(&scenario, sampler, seed, paths, args.rare, &args.output)
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
    rare: bool,
    out: &OutputArgs,
) -> Result<ExitCode> {
    if scenario.network.is_some() {
        let refused = if out.paths_out.is_some() {
            Some("--paths-out")
        } else if out.waterfall_year.is_some() {
            Some("--waterfall-year")
        } else {
            None
        };
        if let Some(flag) = refused {
            return Err(InputError(format!(
                "{}: {flag} does not support network scenarios (files with [entities])",
                scenario.origin
            ))
            .into());
        }
    }
    let waterfall_year = out.waterfall_index(scenario)?;
    let cancel = interrupt::install()?;
    let pool = thread_pool(out.threads)?;
    let progress = progress::Bar::new();
    let options = RunOptions::new(Plan::whole(seed, paths))
        .sampler(sampler)
        .progress(&progress)
        .cancel(cancel)
        .keep(waterfall::ranking(waterfall_year));
    let started = Instant::now();
    let outcome = pool
        .install(|| scenario_run::run(scenario, &options))
        .map_err(|e| run_error(sampler, e))?;
    let rare = rare_estimates(scenario, &outcome, seed, rare, &pool, cancel)?;
    let waterfall = median_waterfall(scenario, &options, &outcome, waterfall_year, &pool)?;
    let facts = RunFacts {
        threads: pool.current_num_threads(),
        elapsed: started.elapsed(),
    };
    if let Some(file) = &out.paths_out
        && !outcome.cancelled
        && !write_paths(scenario, &options, out, file)?
    {
        write_report(
            scenario, sampler, &outcome, rare, waterfall, seed, paths, facts, out,
        )?;
        eprintln!(
            "interrupted while writing {}: it was not written",
            file.display()
        );
        return Ok(ExitCode::from(interrupt::EXIT_CODE));
    }
    write_report(
        scenario, sampler, &outcome, rare, waterfall, seed, paths, facts, out,
    )
}

/// With `--rare`, the subset-simulation estimates of the thresholds whose plain estimate is
/// below [`RARE_BELOW`]; `None` when not asked. Skipped for a run already interrupted.
fn rare_estimates(
    scenario: &Scenario,
    outcome: &Outcome<ScenarioSummary>,
    seed: u64,
    rare: bool,
    pool: &rayon::ThreadPool,
    cancel: &AtomicBool,
) -> Result<Option<Vec<RareThreshold>>> {
    if !rare || outcome.cancelled {
        return Ok(None);
    }
    let chosen: Vec<_> = RareTarget::all(scenario)
        .into_iter()
        .map(|t| (t, outcome.summary.probability(t.event())))
        .filter(|(_, p)| p.probability < RARE_BELOW)
        .map(|(t, p)| (t, Some(p)))
        .collect();
    let settings = Settings::default();
    let estimates =
        pool.install(|| super::rare::estimate_all(scenario, &chosen, &settings, seed, cancel))?;
    Ok(Some(estimates))
}

/// Writes the paths of the run `options` describes to `file` (see
/// `breakeven::report::paths`), in path order on one thread, so the file is the same
/// whatever the threads; returns false, writing nothing, when interrupted.
fn write_paths(
    scenario: &Scenario,
    options: &RunOptions,
    out: &OutputArgs,
    file: &std::path::Path,
) -> Result<bool> {
    let metrics = if out.paths_out_metrics.is_empty() {
        paths::DEFAULT_METRICS.to_vec()
    } else {
        out.paths_out_metrics.clone()
    };
    let limit = out
        .paths_out_max
        .unwrap_or(u64::MAX)
        .min(options.plan.paths);
    // The run's own chunks, so that every path draws exactly as in the run.
    let plan = Plan {
        chunks: limit.div_ceil(CHUNK_PATHS).min(options.plan.chunks),
        ..options.plan
    };
    let stop = AtomicBool::new(false);
    let visit = RunOptions {
        plan,
        cancel: &stop,
        progress: &NoProgress,
        ..*options
    };
    let mut target = output::AtomicFile::create(file)?;
    let mut rows = paths::PathsCsv::new(BufWriter::new(target.file()), scenario, &metrics)?;
    let mut written = 0u64;
    let mut failed = None;
    simulation::visit_paths(scenario, &visit, |path| {
        if written >= limit || options.cancel.load(Ordering::Relaxed) {
            stop.store(true, Ordering::Relaxed);
            return;
        }
        match rows.write(scenario, path) {
            Ok(()) => written += 1,
            Err(e) => {
                failed = Some(e);
                stop.store(true, Ordering::Relaxed);
            }
        }
    })?;
    if let Some(e) = failed {
        return Err(anyhow::Error::new(e).context(format!("cannot write {}", file.display())));
    }
    if options.cancel.load(Ordering::Relaxed) {
        return Ok(false);
    }
    rows.finish()?.flush()?;
    target.commit()?;
    Ok(true)
}

/// Runs fixed batches until `target` is met and writes the report, which is that of a plain
/// run of the paths it took.
fn run_to_precision(
    scenario: &Scenario,
    sampler: Sampler,
    seed: u64,
    target: Target,
    rare: bool,
    out: &OutputArgs,
) -> Result<ExitCode> {
    let waterfall_year = out.waterfall_index(scenario)?;
    let cancel = interrupt::install()?;
    let pool = thread_pool(out.threads)?;
    let progress = progress::Bar::new();
    let options = RunOptions::new(Plan::whole(seed, target.max_paths))
        .sampler(sampler)
        .progress(&progress)
        .cancel(cancel)
        .keep(waterfall::ranking(waterfall_year));
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
    let rare = rare_estimates(scenario, &run.outcome, seed, rare, &pool, cancel)?;
    let waterfall = median_waterfall(scenario, &options, &run.outcome, waterfall_year, &pool)?;
    write_report(
        scenario,
        sampler,
        &run.outcome,
        rare,
        waterfall,
        seed,
        paths,
        facts,
        out,
    )
}

/// Writes the report of `outcome` (with its rare estimates, when asked), or, when it or its
/// rare estimates were interrupted, its partial report to standard output with exit code 130.
#[allow(clippy::too_many_arguments)]
fn write_report(
    scenario: &Scenario,
    sampler: Sampler,
    outcome: &Outcome<ScenarioSummary>,
    rare: Option<Vec<RareThreshold>>,
    waterfall: Option<Waterfall>,
    seed: u64,
    paths: u64,
    facts: RunFacts,
    out: &OutputArgs,
) -> Result<ExitCode> {
    if let ScenarioSummary::Firm(summary) = &outcome.summary {
        super::warn(plausibility::of_run(scenario, summary), out.strict)?;
    }
    let mut report = ScenarioReport::new(scenario, &outcome.summary, seed, sampler, paths, facts)
        .with_waterfall(waterfall);
    // Interrupted during the rare estimates: some are partial or missing.
    let rare_partial = rare.is_some() && interrupt::requested();
    if let Some(rare) = rare {
        report = report.with_rare(rare);
    }
    if rare_partial {
        report.mark_partial();
    }
    if outcome.cancelled || rare_partial {
        // A binary partial report goes to a terminal only as the table.
        let format = match out.destination.format() {
            f if f.is_binary() && std::io::stdout().is_terminal() => Format::Table,
            f => f,
        };
        let bytes = format.render(&report)?;
        eprintln!(
            "interrupted: {} of {} paths done{}; their report, marked partial, is on standard output{}",
            outcome.paths,
            paths,
            if rare_partial {
                ", rare estimates partial"
            } else {
                ""
            },
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
    let options = RunOptions::new(plan)
        .sampler(sampler)
        .progress(&progress)
        .cancel(cancel);
    let outcome = pool
        .install(|| scenario_run::run(scenario, &options))
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
