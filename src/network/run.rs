//! Running a network scenario: the [`Experiment`] the engine runs for it. Each block of
//! paths draws every entity's inputs at once (so correlations may join inputs of different
//! entities), evaluates the network ([`Network::simulate_block`]) and records it
//! ([`NetworkSummary::record_block`]); the engine's fixed chunks make the summary the same
//! whatever the number of threads. [`visit_paths`] shows the same paths one by one to
//! analyses that need more than a summary.

use std::sync::atomic::Ordering;

use crate::engine::{self, CHUNK_PATHS, Experiment, Outcome};
use crate::rng::{ChunkRng, chunk_rng};
use crate::sampler::{DrawScratch, InputDraw};
use crate::scenario::Scenario;
use crate::simulation::{BlockInputs, PathError, RunError, RunOptions, WorkerBlocks, chunk_blocks};

use super::Network;
use super::path::{NetworkBlock, NetworkLane};
use super::summary::NetworkSummary;

/// A network scenario ready to run.
struct NetworkSimulation<'a> {
    scenario: &'a Scenario,
    network: &'a Network,
    draw: InputDraw<'a>,
    options: &'a RunOptions<'a>,
}

/// A block of paths: their keys, inputs and results.
struct BlockPaths {
    inputs: BlockInputs,
    results: NetworkBlock,
}

/// Scratch space of one worker.
struct Worker {
    draw: DrawScratch,
    blocks: WorkerBlocks<BlockPaths>,
}

impl NetworkSimulation<'_> {
    fn block_paths(&self, width: usize) -> BlockPaths {
        BlockPaths {
            inputs: BlockInputs::new(&self.draw, width),
            results: self.network.block(width),
        }
    }

    fn worker(&self) -> Worker {
        Worker {
            draw: self.draw.scratch(),
            blocks: WorkerBlocks::new(|width| self.block_paths(width)),
        }
    }

    /// Runs the next `width` paths of a chunk (at most [`crate::engine::BLOCK_PATHS`]), the
    /// first of which is the `in_chunk`-th of its chunk and the `global`-th of the run, taking
    /// their keys from the chunk's generator `rng`. Allocates nothing unless the block is a chunk's narrower
    /// last one of a new width.
    fn run_block<'w>(
        &self,
        in_chunk: usize,
        global: u64,
        width: usize,
        rng: &mut ChunkRng,
        worker: &'w mut Worker,
    ) -> Result<&'w BlockPaths, PathError> {
        let block = worker
            .blocks
            .of_width(width, |width| self.block_paths(width));
        block
            .inputs
            .draw(&self.draw, in_chunk, global, rng, &mut worker.draw);
        self.network
            .simulate_block(&block.inputs.values, &block.inputs.keys, &mut block.results)
            .map_err(|(l, error)| PathError {
                path: global + l as u64,
                error,
                suspect: None,
            })?;
        Ok(block)
    }
}

impl Experiment for NetworkSimulation<'_> {
    type Worker = Worker;
    type Summary = NetworkSummary;
    type Error = PathError;

    fn worker(&self) -> Worker {
        NetworkSimulation::worker(self)
    }

    fn empty_summary(&self) -> NetworkSummary {
        NetworkSummary::empty(self.network)
    }

    fn run_chunk(
        &self,
        first_path: u64,
        paths: usize,
        rng: &mut ChunkRng,
        worker: &mut Worker,
        summary: &mut NetworkSummary,
    ) -> Result<(), PathError> {
        self.draw.begin_chunk(paths, rng, &mut worker.draw);
        for (start, first, width) in chunk_blocks(first_path, paths) {
            if self.options.cancel.load(Ordering::Relaxed) {
                break;
            }
            let block = self.run_block(start, first, width, rng, worker)?;
            summary.record_block(self.network, self.scenario.start_year, &block.results);
        }
        Ok(())
    }
}

/// Runs a network scenario as `options` say, on the current rayon pool. The summary is the
/// same, bit for bit, whatever the number of threads.
///
/// # Panics
/// If the scenario has no network.
pub fn run(scenario: &Scenario, options: &RunOptions) -> Result<Outcome<NetworkSummary>, RunError> {
    let simulation = NetworkSimulation::new(scenario, options)?;
    let plan = &options.plan;
    let mut outcome = engine::run(&simulation, plan, options.progress, options.cancel)?;
    outcome.paths = outcome.summary.paths();
    outcome.cancelled = outcome.paths < plan.covered_paths();
    Ok(outcome)
}

impl<'a> NetworkSimulation<'a> {
    /// # Panics
    /// If the scenario has no network.
    fn new(
        scenario: &'a Scenario,
        options: &'a RunOptions<'a>,
    ) -> Result<NetworkSimulation<'a>, RunError> {
        Ok(NetworkSimulation {
            scenario,
            network: scenario
                .network
                .as_ref()
                .expect("a network scenario has a network"),
            draw: InputDraw::new(scenario, options.sampler, options.plan.seed)?,
            options,
        })
    }
}

/// Runs the paths of `options.plan` on the calling thread and shows each to `visit` with its
/// drawn inputs, in path order: the paths [`run`] simulates with the same options, with the
/// same numbers, simulated in blocks as [`run`] does. Returns the number of paths visited
/// (fewer than planned once `options.cancel` is set: it is checked per block); progress is
/// reported per chunk.
///
/// # Panics
/// If the scenario has no network.
pub fn visit_paths(
    scenario: &Scenario,
    options: &RunOptions,
    mut visit: impl FnMut(&[f64], NetworkLane),
) -> Result<u64, RunError> {
    let simulation = NetworkSimulation::new(scenario, options)?;
    let plan = &options.plan;
    let mut worker = simulation.worker();
    let mut inputs = simulation.draw.initial_values();
    let mut visited = 0;
    options.progress.start(plan.covered_paths());
    'chunks: for chunk in plan.first_chunk..plan.first_chunk + plan.chunks {
        let mut rng = chunk_rng(plan.seed, chunk);
        let paths = plan.chunk_paths(chunk);
        simulation.draw.begin_chunk(paths, &rng, &mut worker.draw);
        for (start, first, width) in chunk_blocks(chunk * CHUNK_PATHS, paths) {
            if options.cancel.load(Ordering::Relaxed) {
                break 'chunks;
            }
            let block = simulation.run_block(start, first, width, &mut rng, &mut worker)?;
            for l in 0..width {
                block.inputs.copy_path(l, &mut inputs);
                visit(&inputs, block.results.lane(l));
                visited += 1;
            }
        }
        options.progress.advance(paths as u64);
    }
    options.progress.finish();
    Ok(visited)
}
