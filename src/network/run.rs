//! Running a network scenario: the [`Experiment`] the engine runs for it. Each path draws
//! every entity's inputs at once (so correlations may join inputs of different entities),
//! evaluates the network ([`Network::simulate`]) and records it ([`NetworkRecorder`]); the
//! engine's fixed chunks make the summary the same whatever the number of threads.
//! [`visit_paths`] shows the same paths one by one to analyses that need more than a summary.

use std::sync::atomic::Ordering;

use rand::Rng;

use crate::engine::CHUNK_PATHS;
use crate::engine::{self, Experiment, Outcome};
use crate::rng::{ChunkRng, chunk_rng};
use crate::sampler::{DrawScratch, InputDraw};
use crate::scenario::Scenario;
use crate::simulation::{PathError, RunError, RunOptions};

use super::Network;
use super::path::NetworkWorkspace;
use super::summary::{NetworkRecorder, NetworkSummary};

/// A network scenario ready to run.
struct NetworkSimulation<'a> {
    scenario: &'a Scenario,
    network: &'a Network,
    draw: InputDraw<'a>,
    options: &'a RunOptions<'a>,
}

/// Scratch space of one worker.
struct Worker {
    values: Vec<f64>,
    draw: DrawScratch,
    workspace: NetworkWorkspace,
    recorder: NetworkRecorder,
}

impl Experiment for NetworkSimulation<'_> {
    type Worker = Worker;
    type Summary = NetworkSummary;
    type Error = PathError;

    fn worker(&self) -> Worker {
        Worker {
            values: self.draw.initial_values(),
            draw: self.draw.scratch(),
            workspace: self.network.workspace(),
            recorder: NetworkRecorder::new(self.network),
        }
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
        for i in 0..paths {
            if self.options.cancel.load(Ordering::Relaxed) {
                break;
            }
            let key = rng.next_u64();
            let global = first_path + i as u64;
            self.draw
                .draw(i, global, key, &mut worker.draw, &mut worker.values);
            self.network
                .simulate(&worker.values, key, &mut worker.workspace)
                .map_err(|error| PathError {
                    path: global,
                    error,
                    suspect: None,
                })?;
            worker.recorder.record(
                self.network,
                self.scenario.start_year,
                &worker.workspace,
                summary,
            );
        }
        worker.recorder.flush(summary);
        Ok(())
    }
}

/// Runs a network scenario as `options` say, on the current rayon pool. The summary is the
/// same, bit for bit, whatever the number of threads.
///
/// # Panics
/// If the scenario has no network.
pub fn run(scenario: &Scenario, options: &RunOptions) -> Result<Outcome<NetworkSummary>, RunError> {
    let network = scenario
        .network
        .as_ref()
        .expect("a network scenario has a network");
    let simulation = NetworkSimulation {
        scenario,
        network,
        draw: InputDraw::new(scenario, options.sampler, options.plan.seed)?,
        options,
    };
    let plan = &options.plan;
    let mut outcome = engine::run(&simulation, plan, options.progress, options.cancel)?;
    outcome.paths = outcome.summary.paths();
    outcome.cancelled = outcome.paths < plan.covered_paths();
    Ok(outcome)
}

/// Runs the paths of `options.plan` one after another on the calling thread and shows each
/// to `visit` with its drawn inputs: the paths [`run`] simulates with the same options, with
/// the same numbers. Returns the number of paths visited (fewer than planned once
/// `options.cancel` is set); progress is reported per chunk.
///
/// # Panics
/// If the scenario has no network.
pub fn visit_paths(
    scenario: &Scenario,
    options: &RunOptions,
    mut visit: impl FnMut(&[f64], &NetworkWorkspace),
) -> Result<u64, RunError> {
    let network = scenario
        .network
        .as_ref()
        .expect("a network scenario has a network");
    let plan = &options.plan;
    let draw = InputDraw::new(scenario, options.sampler, plan.seed)?;
    let mut values = draw.initial_values();
    let mut scratch = draw.scratch();
    let mut workspace = network.workspace();
    let mut visited = 0;
    options.progress.start(plan.covered_paths());
    'chunks: for chunk in plan.first_chunk..plan.first_chunk + plan.chunks {
        let mut rng = chunk_rng(plan.seed, chunk);
        let paths = plan.chunk_paths(chunk);
        draw.begin_chunk(paths, &rng, &mut scratch);
        for i in 0..paths {
            if options.cancel.load(Ordering::Relaxed) {
                break 'chunks;
            }
            let key = rng.next_u64();
            let index = chunk * CHUNK_PATHS + i as u64;
            draw.draw(i, index, key, &mut scratch, &mut values);
            network
                .simulate(&values, key, &mut workspace)
                .map_err(|error| PathError {
                    path: index,
                    error,
                    suspect: None,
                })?;
            visit(&values, &workspace);
            visited += 1;
        }
        options.progress.advance(paths as u64);
    }
    options.progress.finish();
    Ok(visited)
}
