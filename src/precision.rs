//! Precision-based stopping: run fixed batches of paths until every headline probability is
//! known to a target precision.
//!
//! The run proceeds in batches of [`BATCH_CHUNKS`] chunks with fixed boundaries (batch `b`
//! is chunks `b * BATCH_CHUNKS ..`), whatever the number of threads. After each batch the
//! Wilson 95% interval (Wilson 1927) of every event's probability (every threshold, operating
//! break-even and cash payback; in a network each entity's too, and its default) is computed
//! from the accumulated counts; the run
//! stops once the widest half-width is at most the target, or when the next batch would pass
//! the path limit. The decision depends only on deterministic counts, so a seed gives the
//! same number of paths and the same report every time, and that report is byte for byte the
//! report of a plain run of that many paths. The intervals assume independent paths; with
//! `lhs` or `sobol` the true error is usually smaller, so the stop is conservative.

use std::sync::atomic::Ordering;

use crate::engine::{CHUNK_PATHS, Outcome, Plan, Progress};
use crate::scenario::Scenario;
use crate::scenario_run::{self as any, Event, ScenarioSummary};
use crate::simulation::{RunError, RunOptions};

/// Chunks per batch: 64 x 1,024 = 65,536 paths.
pub const BATCH_CHUNKS: u64 = 64;

/// When to stop.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    /// The largest acceptable half-width of a 95% interval, e.g. 0.005.
    pub half_width: f64,
    /// The most paths to run.
    pub max_paths: u64,
}

/// What a precision run produced.
#[derive(Debug, Clone)]
pub struct PrecisionOutcome {
    pub outcome: Outcome<ScenarioSummary>,
    /// The widest half-width when the run stopped.
    pub widest_half_width: f64,
    /// Whether the target was met (otherwise the path limit stopped the run).
    pub reached: bool,
}

/// The widest Wilson 95% half-width among the probabilities of every event of `scenario`
/// in its `summary`.
pub fn widest_half_width(scenario: &Scenario, summary: &ScenarioSummary) -> f64 {
    Event::all(scenario)
        .into_iter()
        .map(|e| summary.probability(e).half_width())
        .fold(0.0, f64::max)
}

/// Forwards a batch's progress to the whole run's observer, without restarting it.
struct Batches<'a>(&'a dyn Progress);

impl Progress for Batches<'_> {
    fn advance(&self, paths: u64) {
        self.0.advance(paths);
    }
}

/// Runs `scenario` with `options` (its sampler, progress and cancel flag, and its plan's seed:
/// the plan's paths are replaced by fixed batches) from chunk 0 until `target` is met.
pub fn run(
    scenario: &Scenario,
    options: &RunOptions,
    target: Target,
) -> Result<PrecisionOutcome, RunError> {
    let seed = options.plan.seed;
    let progress = options.progress;
    let cancel = options.cancel;
    let total_chunks = target.max_paths.div_ceil(CHUNK_PATHS);
    let mut summary = ScenarioSummary::empty(scenario);
    let mut paths = 0;
    let mut widest = 1.0;
    let mut cancelled = false;
    progress.start(target.max_paths);
    let mut first_chunk = 0;
    while first_chunk < total_chunks {
        let plan = Plan {
            seed,
            paths: target.max_paths,
            first_chunk,
            chunks: BATCH_CHUNKS.min(total_chunks - first_chunk),
        };
        let batch_options = RunOptions {
            plan,
            progress: &Batches(progress),
            ..*options
        };
        let batch = match any::run(scenario, &batch_options) {
            Ok(batch) => batch,
            Err(e) => {
                progress.finish();
                return Err(e);
            }
        };
        summary.merge(&batch.summary);
        // A cancellable simulation stops mid-chunk: the summary counts what was done.
        paths = summary.paths();
        if batch.cancelled || cancel.load(Ordering::Relaxed) {
            cancelled = true;
            break;
        }
        widest = widest_half_width(scenario, &summary);
        if widest <= target.half_width {
            break;
        }
        first_chunk += plan.chunks;
    }
    progress.finish();
    Ok(PrecisionOutcome {
        outcome: Outcome {
            summary,
            paths,
            cancelled,
        },
        widest_half_width: widest,
        reached: widest <= target.half_width,
    })
}
