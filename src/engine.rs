//! The chunked, seeded, rayon-parallel path loop. It knows no economics.
//!
//! Paths are split into chunks of [`CHUNK_PATHS`]. Chunk `c` draws from its own generator,
//! [`crate::rng::chunk_rng`]`(seed, c)`, never from a per-thread generator, so which thread
//! runs a chunk does not matter. Each worker folds its chunks into a summary and the summaries
//! are merged; because every merge in [`crate::stats`] is exact, the result is bit-identical
//! for any number of threads (rand's `rayon-monte-carlo` example, with exact merging added).
//! A run can cover any contiguous range of chunks, which is how shards split the path space.

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

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
pub fn run<E: Experiment>(
    experiment: &E,
    plan: &Plan,
    progress: &dyn Progress,
    cancel: &AtomicBool,
) -> Result<Outcome<E::Summary>, E::Error> {
    progress.start(plan.covered_paths());
    // Each piece rayon splits the chunks into gets its own summary; two pieces per thread
    // balance the load without holding many summaries (which are large for long horizons:
    // four per thread took `openai.toml`'s peak memory at 10^7 paths from 17.8 to 27.3 MiB).
    let pieces = 2 * rayon::current_num_threads() as u64;
    let result = (0..plan.chunks as usize)
        .into_par_iter()
        .with_min_len(plan.chunks.div_ceil(pieces).max(1) as usize)
        .try_fold(
            || (experiment.worker(), experiment.empty_summary(), 0u64),
            |(mut worker, mut summary, done), index| {
                let chunk = plan.first_chunk + index as u64;
                let paths = plan.chunk_paths(chunk);
                if cancel.load(Ordering::Relaxed) || paths == 0 {
                    return Ok((worker, summary, done));
                }
                let mut rng = chunk_rng(plan.seed, chunk);
                experiment.run_chunk(
                    chunk * CHUNK_PATHS,
                    paths,
                    &mut rng,
                    &mut worker,
                    &mut summary,
                )?;
                progress.advance(paths as u64);
                Ok((worker, summary, done + paths as u64))
            },
        )
        .map(|r| r.map(|(_, summary, done)| (summary, done)))
        .try_reduce(
            || (experiment.empty_summary(), 0),
            |(mut a, done_a), (b, done_b)| {
                // Keep the filled summary rather than copy it into an empty one.
                if done_a == 0 {
                    return Ok((b, done_b));
                }
                a.merge(b);
                Ok((a, done_a + done_b))
            },
        );
    progress.finish();
    let (mut summary, paths) = result?;
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

    #[test]
    fn cancelling_before_the_start_runs_nothing() {
        let plan = Plan::whole(1, 5000);
        let out = run(&SumUniforms, &plan, &NoProgress, &AtomicBool::new(true)).unwrap();
        assert_eq!(out.paths, 0);
        assert!(out.cancelled);
    }
}
