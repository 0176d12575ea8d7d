//! Precision-based stopping: run fixed batches of paths until every headline probability is
//! known to a target precision.
//!
//! The run proceeds in batches of [`BATCH_CHUNKS`] chunks with fixed boundaries (batch `b`
//! is chunks `b * BATCH_CHUNKS ..`), whatever the number of threads. After each batch the
//! Wilson 95% interval (Wilson 1927) of every threshold probability and of the operating
//! break-even and cash payback probabilities is computed from the accumulated counts; the run
//! stops once the widest half-width is at most the target, or when the next batch would pass
//! the path limit. The decision depends only on deterministic counts, so a seed gives the
//! same number of paths and the same report every time, and that report is byte for byte the
//! report of a plain run of that many paths. The intervals assume independent paths; with
//! `lhs` or `sobol` the true error is usually smaller, so the stop is conservative.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::engine::{self, CHUNK_PATHS, Outcome, Plan, Progress};
use crate::simulation::{Layout, PathError, Simulation};
use crate::stats::{Summary, Z95, wilson_interval};

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
    pub outcome: Outcome<Summary>,
    /// The widest half-width when the run stopped.
    pub widest_half_width: f64,
    /// Whether the target was met (otherwise the path limit stopped the run).
    pub reached: bool,
}

/// The widest Wilson 95% half-width among the headline probabilities of a summary.
pub fn widest_half_width(layout: &Layout, summary: &Summary) -> f64 {
    let n = summary.paths;
    let half = |hits: u64| {
        let (low, high) = wilson_interval(hits, n, Z95);
        0.5 * (high - low)
    };
    let thresholds = (0..layout.thresholds).map(|i| half(summary.counters[layout.threshold(i)]));
    let events = [Layout::BREAK_EVEN, Layout::PAYBACK]
        .into_iter()
        .map(|e| half(n - summary.events[e].never()));
    thresholds.chain(events).fold(0.0, f64::max)
}

/// Forwards a batch's progress to the whole run's observer, without restarting it.
struct Batches<'a>(&'a dyn Progress);

impl Progress for Batches<'_> {
    fn advance(&self, paths: u64) {
        self.0.advance(paths);
    }
}

/// Runs `simulation` in fixed batches from chunk 0 until `target` is met.
pub fn run(
    simulation: &Simulation,
    seed: u64,
    target: Target,
    progress: &dyn Progress,
    cancel: &AtomicBool,
) -> Result<PrecisionOutcome, PathError> {
    let layout = simulation.layout();
    let total_chunks = target.max_paths.div_ceil(CHUNK_PATHS);
    let mut summary = layout.empty_summary();
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
        let batch = match engine::run(simulation, &plan, &Batches(progress), cancel) {
            Ok(batch) => batch,
            Err(e) => {
                progress.finish();
                return Err(e);
            }
        };
        summary.merge(&batch.summary);
        // A cancellable simulation stops mid-chunk: the summary counts what was done.
        paths = summary.paths;
        if batch.cancelled || cancel.load(Ordering::Relaxed) {
            cancelled = true;
            break;
        }
        widest = widest_half_width(&layout, &summary);
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
