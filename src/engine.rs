//! The chunked, seeded, rayon-parallel path loop. It knows no economics.
//!
//! Paths are split into chunks of [`CHUNK_PATHS`]. Chunk `c` draws from its own generator,
//! [`crate::rng::chunk_rng`]`(seed, c)`, never from a per-thread generator, so which thread
//! runs a chunk does not matter. Each worker folds its chunks into a summary and the summaries
//! are merged; because every merge in [`crate::stats`] is exact, the result is bit-identical
//! for any number of threads (rand's `rayon-monte-carlo` example, with exact merging added).
//! A run can cover any contiguous range of chunks, which is how shards split the path space.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::rng::{ChunkRng, chunk_rng};

/// Paths per chunk. Part of the reproducibility contract: changing it changes results.
pub const CHUNK_PATHS: u64 = 1024;

/// Paths an experiment may run together as one block within a chunk (a chunk's blocks start
/// at its first path; the last may be narrower). Part of the reproducibility contract with
/// [`CHUNK_PATHS`]: statistics sum their values per block.
pub const BLOCK_PATHS: usize = 128;

/// Something that can be merged exactly with another of its kind.
pub trait Merge {
    fn merge(&mut self, other: Self);

    /// Finishes what adding and merging put off, once a run's summary is complete and before
    /// it is read (a summary may keep its latest values in a compact form). Changes nothing a
    /// reader sees; by default it does nothing.
    fn settle(&mut self) {}
}

/// A Monte Carlo experiment: how to run one chunk of paths into a summary.
pub trait Experiment: Sync {
    /// Per-worker scratch space, created once per worker and reused for every chunk.
    type Worker: Send;
    /// What chunks add up to.
    type Summary: Send + Merge;
    /// Why a path failed.
    type Error: Send;

    fn worker(&self) -> Self::Worker;
    fn empty_summary(&self) -> Self::Summary;
    /// Runs `paths` paths, the first of which has the global index `first_path`, drawing from
    /// `rng`, and adds them to `summary`.
    fn run_chunk(
        &self,
        first_path: u64,
        paths: usize,
        rng: &mut ChunkRng,
        worker: &mut Self::Worker,
        summary: &mut Self::Summary,
    ) -> Result<(), Self::Error>;
}

/// Observes a run's progress. Every method does nothing by default.
pub trait Progress: Sync {
    /// The run will do `paths` paths.
    fn start(&self, _paths: u64) {}
    /// `paths` more paths are done.
    fn advance(&self, _paths: u64) {}
    /// The run is over.
    fn finish(&self) {}
}

/// A progress observer that ignores everything.
pub struct NoProgress;

impl Progress for NoProgress {}

/// Which paths to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub seed: u64,
    /// Total paths in the whole run (all shards).
    pub paths: u64,
    /// The chunks this run covers: `first_chunk..first_chunk + chunks`.
    pub first_chunk: u64,
    pub chunks: u64,
}

impl Plan {
    /// All paths of a run.
    pub fn whole(seed: u64, paths: u64) -> Plan {
        Plan {
            seed,
            paths,
            first_chunk: 0,
            chunks: paths.div_ceil(CHUNK_PATHS),
        }
    }

    /// Paths in chunk `c`.
    pub fn chunk_paths(&self, c: u64) -> usize {
        let start = c * CHUNK_PATHS;
        (self.paths.saturating_sub(start)).min(CHUNK_PATHS) as usize
    }

    /// Paths this plan covers.
    pub fn covered_paths(&self) -> u64 {
        (self.first_chunk..self.first_chunk + self.chunks)
            .map(|c| self.chunk_paths(c) as u64)
            .sum()
    }
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct Outcome<S> {
    pub summary: S,
    /// Paths actually run (fewer than planned when cancelled).
    pub paths: u64,
    /// Whether the run was cancelled before covering its plan.
    pub cancelled: bool,
}

/// Runs the plan on the current rayon pool. Setting `cancel` stops the run at the next chunk
/// boundary; the outcome then holds the chunks completed so far.
///
/// Each of the pool's threads takes the next chunk not yet taken, until none is left, and
/// folds it into a summary of its own; the summaries are merged at the end. Taking chunks one
/// at a time keeps both threads busy to the end of the run however unevenly they progress (a
/// fixed split into pieces left one waiting for the other's last piece), and holds one
/// summary per thread. A thread's chunks are then not contiguous, which the exact merges do
/// not mind. When paths fail, the error of the lowest failing chunk is returned: every chunk
/// below it was taken before it, so it is the same whatever the threads' timing.
pub fn run<E: Experiment>(
    experiment: &E,
    plan: &Plan,
    progress: &dyn Progress,
    cancel: &AtomicBool,
) -> Result<Outcome<E::Summary>, E::Error> {
    progress.start(plan.covered_paths());
    let next = AtomicU64::new(0);
    let failed = AtomicBool::new(false);
    let first_error: Mutex<Option<(u64, E::Error)>> = Mutex::new(None);
    let summaries: Mutex<Vec<(E::Summary, u64)>> = Mutex::new(Vec::new());
    let take_chunks = || {
        let mut state: Option<(E::Worker, E::Summary, u64)> = None;
        while !cancel.load(Ordering::Relaxed) && !failed.load(Ordering::Relaxed) {
            let index = next.fetch_add(1, Ordering::Relaxed);
            if index >= plan.chunks {
                break;
            }
            let chunk = plan.first_chunk + index;
            let paths = plan.chunk_paths(chunk);
            if paths == 0 {
                continue;
            }
            let (worker, summary, done) =
                state.get_or_insert_with(|| (experiment.worker(), experiment.empty_summary(), 0));
            let mut rng = chunk_rng(plan.seed, chunk);
            let ran = experiment.run_chunk(chunk * CHUNK_PATHS, paths, &mut rng, worker, summary);
            if let Err(error) = ran {
                failed.store(true, Ordering::Relaxed);
                let mut first = first_error.lock().unwrap_or_else(PoisonError::into_inner);
                if first.as_ref().is_none_or(|(c, _)| chunk < *c) {
                    *first = Some((chunk, error));
                }
                return;
            }
            *done += paths as u64;
            progress.advance(paths as u64);
        }
        if let Some((_, summary, done)) = state {
            summaries
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((summary, done));
        }
    };
    rayon::scope(|scope| {
        for _ in 0..rayon::current_num_threads() {
            scope.spawn(|_| take_chunks());
        }
    });
    progress.finish();
    if let Some((_, error)) = first_error
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
    {
        return Err(error);
    }
    let mut summaries = summaries
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .into_iter();
    let (mut summary, mut paths) = summaries
        .next()
        .unwrap_or_else(|| (experiment.empty_summary(), 0));
    for (other, done) in summaries {
        summary.merge(other);
        paths += done;
    }
    summary.settle();
    Ok(Outcome {
        summary,
        paths,
        cancelled: paths < plan.covered_paths(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    /// Sums uniforms: the sum is exact-merged, so any thread count gives the same bits.
    struct SumUniforms;

    impl Merge for crate::stats::ExactSum {
        fn merge(&mut self, other: Self) {
            crate::stats::ExactSum::merge(self, &other);
        }
    }

    impl Experiment for SumUniforms {
        type Worker = ();
        type Summary = crate::stats::ExactSum;
        type Error = ();
        fn worker(&self) {}
        fn empty_summary(&self) -> crate::stats::ExactSum {
            crate::stats::ExactSum::new()
        }
        fn run_chunk(
            &self,
            _first: u64,
            paths: usize,
            rng: &mut ChunkRng,
            _w: &mut (),
            s: &mut crate::stats::ExactSum,
        ) -> Result<(), ()> {
            for _ in 0..paths {
                s.add(rng.random::<f64>());
            }
            Ok(())
        }
    }

    fn run_with(threads: usize, plan: Plan) -> Outcome<crate::stats::ExactSum> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| run(&SumUniforms, &plan, &NoProgress, &AtomicBool::new(false)))
            .unwrap()
    }

    #[test]
    fn thread_count_does_not_change_the_result() {
        let plan = Plan::whole(7, 50_000);
        let one = run_with(1, plan);
        let two = run_with(2, plan);
        let four = run_with(4, plan);
        assert_eq!(one.paths, 50_000);
        assert_eq!(one.summary.value().to_bits(), two.summary.value().to_bits());
        assert_eq!(
            one.summary.value().to_bits(),
            four.summary.value().to_bits()
        );
        assert!((one.summary.value() / 50_000.0 - 0.5).abs() < 0.01);
    }

    #[test]
    fn chunk_ranges_partition_the_run() {
        let whole = run_with(2, Plan::whole(3, 10_000));
        let mut merged = crate::stats::ExactSum::new();
        let all = Plan::whole(3, 10_000);
        for (first, chunks) in [(0, 4), (4, 3), (7, all.chunks - 7)] {
            let part = run_with(
                1,
                Plan {
                    first_chunk: first,
                    chunks,
                    ..all
                },
            );
            merged.merge(&part.summary);
        }
        assert_eq!(whole.summary.value().to_bits(), merged.value().to_bits());
    }

    /// Fails on every chunk from `from` on, with the chunk's index as the error.
    struct FailFrom(u64);

    impl Experiment for FailFrom {
        type Worker = ();
        type Summary = crate::stats::ExactSum;
        type Error = u64;
        fn worker(&self) {}
        fn empty_summary(&self) -> crate::stats::ExactSum {
            crate::stats::ExactSum::new()
        }
        fn run_chunk(
            &self,
            first: u64,
            _paths: usize,
            _rng: &mut ChunkRng,
            _w: &mut (),
            _s: &mut crate::stats::ExactSum,
        ) -> Result<(), u64> {
            let chunk = first / CHUNK_PATHS;
            if chunk >= self.0 { Err(chunk) } else { Ok(()) }
        }
    }

    #[test]
    fn the_lowest_failing_chunk_is_reported_whatever_the_threads() {
        let plan = Plan::whole(5, 300 * CHUNK_PATHS);
        for threads in [1, 2, 4, 8] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            for from in [0, 1, 37, 299] {
                let error = pool.install(|| {
                    run(&FailFrom(from), &plan, &NoProgress, &AtomicBool::new(false)).unwrap_err()
                });
                assert_eq!(error, from, "{threads} threads");
            }
        }
    }

    #[test]
    fn cancelling_before_the_start_runs_nothing() {
        let plan = Plan::whole(1, 5000);
        let out = run(&SumUniforms, &plan, &NoProgress, &AtomicBool::new(true)).unwrap();
        assert_eq!(out.paths, 0);
        assert!(out.cancelled);
    }
}
