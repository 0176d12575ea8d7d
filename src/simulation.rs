//! A scenario as a Monte Carlo experiment: drawing a path's inputs and yearly random numbers,
//! running the model, and recording the outcomes into a [`RunSummary`].
//!
//! [`run`] is the one way to run a scenario: a [`RunOptions`] says which paths (the plan),
//! how their inputs are drawn (the sampler), who watches (progress) and when to stop (cancel).
//! [`visit_paths`] shows the same paths one by one, with their inputs, yearly numbers and
//! trajectory, to analyses that need more than a summary; [`PathEvaluator`] evaluates one path
//! from numbers given from outside (a rare-event method's Markov chain, say).
//!
//! Every path gets a 64-bit key from its chunk's generator. Its inputs are drawn by the chosen
//! [`Sampler`] (by default each input from its own stream derived from (key, the input's key
//! path)), and each yearly random process draws from its own stream too
//! ([`YearlyNumbers::fill`]), so that changing one input's distribution, or adding an input,
//! leaves every other draw of every path unchanged: sweeps and goal seeks compare parameter
//! values with common random numbers.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

use rand::Rng;

use crate::engine::{
    self, BLOCK_PATHS, CHUNK_PATHS, Experiment, NoProgress, Outcome, Plan, Progress,
};
use crate::model::{Block, BlockWorkspace, NumericError, Trajectory, Workspace, YearlyNumbers};
use crate::rng::{ChunkRng, chunk_rng};
use crate::sampler::{DrawScratch, InputDraw, Sampler, SamplerError};
use crate::scenario::Scenario;
use crate::summary::{KeepFirst, RunSummary};

/// How to run a scenario: which paths, drawn how, watched by whom, stopped by what.
#[derive(Clone, Copy)]
pub struct RunOptions<'a> {
    pub plan: Plan,
    pub sampler: Sampler,
    pub progress: &'a dyn Progress,
    /// Once set, the run stops at the next block of paths and keeps the paths done so far.
    pub cancel: &'a AtomicBool,
    /// What the summary keeps of the run's first paths, if anything.
    pub keep: Option<KeepFirst>,
}

/// A flag nobody sets.
static NEVER: AtomicBool = AtomicBool::new(false);

impl<'a> RunOptions<'a> {
    /// The plan with plain Monte Carlo, no progress and no cancellation.
    pub fn new(plan: Plan) -> RunOptions<'static> {
        RunOptions {
            plan,
            sampler: Sampler::Mc,
            progress: &NoProgress,
            cancel: &NEVER,
            keep: None,
        }
    }

    /// These options keeping `keep` of the run's first paths in its summary.
    pub fn keep(self, keep: KeepFirst) -> RunOptions<'a> {
        RunOptions {
            keep: Some(keep),
            ..self
        }
    }

    /// These options with another sampler.
    pub fn sampler(self, sampler: Sampler) -> RunOptions<'a> {
        RunOptions { sampler, ..self }
    }

    /// These options reporting progress to `progress`.
    pub fn progress<'b>(self, progress: &'b dyn Progress) -> RunOptions<'b>
    where
        'a: 'b,
    {
        RunOptions { progress, ..self }
    }

    /// These options stopping once `cancel` is set.
    pub fn cancel<'b>(self, cancel: &'b AtomicBool) -> RunOptions<'b>
    where
        'a: 'b,
    {
        RunOptions { cancel, ..self }
    }
}

/// Runs a scenario as `options` say, on the current rayon pool. The summary is the same, bit
/// for bit, whatever the number of threads. A cancelled run keeps the paths it finished
/// (`outcome.cancelled` says so).
pub fn run(scenario: &Scenario, options: &RunOptions) -> Result<Outcome<RunSummary>, RunError> {
    let simulation = Simulation::new(scenario, options.sampler, options.plan.seed, options.cancel)?
        .keeping(options.keep);
    let plan = &options.plan;
    let mut outcome = engine::run(&simulation, plan, options.progress, options.cancel)?;
    // A cancelled chunk keeps the paths it finished: count what the summary holds.
    outcome.paths = outcome.summary.paths();
    outcome.cancelled = outcome.paths < plan.covered_paths();
    Ok(outcome)
}

/// Why a run failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Sampler(#[from] SamplerError),
    #[error(transparent)]
    Path(#[from] PathError),
}

/// One path as [`visit_paths`] shows it.
#[derive(Debug, Clone, Copy)]
pub struct PathView<'a> {
    /// The path's global index in the run.
    pub index: u64,
    /// The path's key, from which its default random numbers derive.
    pub key: u64,
    /// The value of every input (fixed ones included), in the scenario's input order.
    pub inputs: &'a [f64],
    /// Its yearly random numbers.
    pub yearly: &'a YearlyNumbers,
    pub trajectory: &'a Trajectory,
}

/// Runs the paths of `options.plan` on the calling thread, drawn with `options.sampler`, and
/// shows each to `visit`, in path order. These are the paths [`run`] simulates with the same
/// options, with the same numbers; analyses that need more than a summary (rank
/// correlations, calibration quantities) read them here. Paths are simulated in blocks, as
/// [`run`] does, and each is shown alone; nothing is allocated per path. Returns the number of
/// paths visited (fewer than planned once `options.cancel` is set: it is checked per block);
/// progress is reported per chunk.
pub fn visit_paths(
    scenario: &Scenario,
    options: &RunOptions,
    mut visit: impl FnMut(&PathView),
) -> Result<u64, RunError> {
    let plan = &options.plan;
    let simulation = Simulation::new(scenario, options.sampler, plan.seed, options.cancel)?;
    let mut worker = simulation.worker();
    let mut one = OnePath {
        inputs: simulation.draw.initial_values(),
        yearly: YearlyNumbers::new(&scenario.model),
        workspace: scenario.model.workspace(),
    };
    let mut visited = 0;
    options.progress.start(plan.covered_paths());
    'chunks: for chunk in plan.first_chunk..plan.first_chunk + plan.chunks {
        let mut rng = chunk_rng(plan.seed, chunk);
        let paths = plan.chunk_paths(chunk);
        simulation.begin_chunk(paths, &rng, &mut worker);
        for (start, first, width) in chunk_blocks(chunk * CHUNK_PATHS, paths) {
            if options.cancel.load(Ordering::Relaxed) {
                break 'chunks;
            }
            let block = simulation.run_block(start, first, width, &mut rng, &mut worker)?;
            for l in 0..width {
                block.copy_path(l, &mut one);
                visit(&PathView {
                    index: first + l as u64,
                    key: block.inputs.keys[l],
                    inputs: &one.inputs,
                    yearly: &one.yearly,
                    trajectory: &one.workspace.trajectory,
                });
                visited += 1;
            }
        }
        options.progress.advance(paths as u64);
    }
    options.progress.finish();
    Ok(visited)
}

/// One path taken out of a block, for [`visit_paths`].
struct OnePath {
    inputs: Vec<f64>,
    yearly: YearlyNumbers,
    workspace: Workspace,
}

/// Evaluates single paths of a scenario from numbers given from outside: the inputs as values
/// or as uniforms (one per uncertain input, mapped through the correlations and each input's
/// quantile function exactly as the samplers map theirs), and the yearly random numbers.
pub struct PathEvaluator<'a> {
    scenario: &'a Scenario,
    draw: InputDraw<'a>,
    scratch: DrawScratch,
    values: Vec<f64>,
    workspace: Workspace,
}

impl<'a> PathEvaluator<'a> {
    pub fn new(scenario: &'a Scenario) -> PathEvaluator<'a> {
        let draw = InputDraw::new(scenario, Sampler::Mc, 0).expect("mc takes any scenario");
        PathEvaluator {
            scenario,
            scratch: draw.scratch(),
            values: draw.initial_values(),
            draw,
            workspace: scenario.model.workspace(),
        }
    }

    /// The scenario's uncertain inputs, in file order: the meaning of each uniform.
    pub fn uncertain_inputs(&self) -> &[usize] {
        self.draw.uncertain()
    }

    /// Yearly numbers of the right shape (normals 0, uniforms 1/2), to fill.
    pub fn yearly_numbers(&self) -> YearlyNumbers {
        YearlyNumbers::new(&self.scenario.model)
    }

    /// The input values of the last [`PathEvaluator::from_uniforms`].
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The trajectory of the path with input values `values` (every input, in the scenario's
    /// order) and yearly numbers `yearly`.
    pub fn from_values(
        &mut self,
        values: &[f64],
        yearly: &YearlyNumbers,
    ) -> Result<&Trajectory, NumericError> {
        self.scenario
            .model
            .simulate(values, yearly, &mut self.workspace)?;
        Ok(&self.workspace.trajectory)
    }

    /// The trajectory of the path whose uncertain inputs sit at `uniforms` (each in (0, 1),
    /// in the order of [`PathEvaluator::uncertain_inputs`]) with yearly numbers `yearly`.
    pub fn from_uniforms(
        &mut self,
        uniforms: &[f64],
        yearly: &YearlyNumbers,
    ) -> Result<&Trajectory, NumericError> {
        self.draw
            .from_uniforms(uniforms, &mut self.scratch, &mut self.values);
        self.scenario
            .model
            .simulate(&self.values, yearly, &mut self.workspace)?;
        Ok(&self.workspace.trajectory)
    }
}

/// A path that failed, with enough to find it again.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("path {path}: {error}; {}", suspect_text(.suspect))]
pub struct PathError {
    /// Global index of the path in the run.
    pub path: u64,
    pub error: NumericError,
    /// The input most likely at fault (see [`Suspect`]).
    pub suspect: Option<Suspect>,
}

fn suspect_text(suspect: &Option<Suspect>) -> String {
    match suspect {
        Some(s) => format!("the input most likely at fault is {s}"),
        None => "no input of the path could be singled out".to_string(),
    }
}

/// The input most likely at fault for a path that left the representable range.
///
/// Found by counterfactual: each input in turn is moved part of the way back from the value
/// the path drew toward a typical value (its median; zero for a constant) and the path is
/// simulated again with the same random key. The input that makes the path finite with the
/// smallest move is the suspect, so the search follows the failing quantity's actual
/// dependencies: an input that does not feed it can never repair it. A growth rate of 1000%
/// beats the level it compounds, because the level would have to go all the way to zero.
#[derive(Debug, Clone, PartialEq)]
pub struct Suspect {
    /// The input's key path.
    pub key: String,
    /// The value the path drew.
    pub value: f64,
    /// The typical value it was moved toward.
    pub typical: f64,
    /// The largest remaining fraction of the distance `value - typical` at which the path is
    /// finite: 0.5 means halfway back suffices; 0 means only the typical value itself did.
    /// `None` when no single input repairs the path and this is the most extreme draw.
    pub repaired_at: Option<f64>,
}

impl fmt::Display for Suspect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {}", self.key, short(self.value))?;
        match self.repaired_at {
            Some(t) => write!(
                f,
                " (the path stays finite with it moved {:.0}% of the way to {})",
                100.0 * (1.0 - t),
                short(self.typical)
            ),
            None => write!(
                f,
                " (the most extreme value; no single input makes the path finite)"
            ),
        }
    }
}

fn short(x: f64) -> String {
    if x != 0.0 && (x.abs() >= 1e5 || x.abs() < 1e-3) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// Remaining fractions of the distance to the typical value tried for each input, largest
/// first.
const REPAIR_STEPS: [f64; 4] = [0.5, 0.1, 0.01, 0.0];
/// At most this many inputs are tried, the most extreme first, so that diagnosing one path
/// of a scenario with thousands of inputs stays quick.
const MAX_SUSPECTS: usize = 64;

/// A scenario ready to run: the [`Experiment`] the engine runs for [`run`].
pub struct Simulation<'a> {
    scenario: &'a Scenario,
    draw: InputDraw<'a>,
    /// Once set, a chunk stops at its next block of paths. The engine checks the flag only between
    /// chunks, and a chunk of a long scenario can take seconds (1,500 streams over 200 years:
    /// about 6 s); a path takes milliseconds.
    cancel: &'a AtomicBool,
    /// What summaries keep of the run's first paths.
    keep: Option<KeepFirst>,
}

/// Scratch space of one worker.
pub struct Worker {
    draw: DrawScratch,
    blocks: WorkerBlocks<BlockPaths>,
}

/// The blocks of a chunk of `paths` paths whose first is the `first_path`-th of the run: for
/// each, its first path's place in the chunk and in the run, and its width (a chunk's blocks
/// start at its first path; the last may be narrower).
pub fn chunk_blocks(first_path: u64, paths: usize) -> impl Iterator<Item = (usize, u64, usize)> {
    (0..paths).step_by(BLOCK_PATHS).map(move |start| {
        (
            start,
            first_path + start as u64,
            BLOCK_PATHS.min(paths - start),
        )
    })
}

/// A worker's blocks of paths, allocated once per width: blocks of [`BLOCK_PATHS`] paths,
/// and a chunk's last one when it is narrower.
pub struct WorkerBlocks<B> {
    full: B,
    partial: Option<(usize, B)>,
}

impl<B> WorkerBlocks<B> {
    /// Blocks made by `make` from a number of paths.
    pub fn new(make: impl FnOnce(usize) -> B) -> WorkerBlocks<B> {
        WorkerBlocks {
            full: make(BLOCK_PATHS),
            partial: None,
        }
    }

    /// The block for `width` paths, made by `make` if it is a narrower one of a new width.
    pub fn of_width(&mut self, width: usize, make: impl FnOnce(usize) -> B) -> &mut B {
        if width == BLOCK_PATHS {
            return &mut self.full;
        }
        if self.partial.as_ref().is_none_or(|(w, _)| *w != width) {
            self.partial = Some((width, make(width)));
        }
        &mut self.partial.as_mut().expect("made above").1
    }
}

/// The keys and drawn inputs of a block of paths.
pub struct BlockInputs {
    /// Each path's key.
    pub keys: Vec<u64>,
    /// Every input of every path, input-major and lane-minor (see [`Model::simulate_block`]).
    pub values: Vec<f64>,
}

impl BlockInputs {
    /// Room for `width` paths drawn by `draw`.
    pub fn new(draw: &InputDraw, width: usize) -> BlockInputs {
        BlockInputs {
            keys: vec![0; width],
            values: draw.initial_block(width),
        }
    }

    /// Takes the paths' keys from their chunk's generator `rng` and draws their inputs with
    /// `draw`: the first path is the `in_chunk`-th of its chunk and the `global`-th of the
    /// run.
    pub fn draw(
        &mut self,
        draw: &InputDraw,
        in_chunk: usize,
        global: u64,
        rng: &mut ChunkRng,
        scratch: &mut DrawScratch,
    ) {
        for key in &mut self.keys {
            *key = rng.next_u64();
        }
        draw.draw_block(in_chunk, global, &self.keys, scratch, &mut self.values);
    }

    /// Path `l`'s inputs, into `one`.
    pub fn copy_path(&self, l: usize, one: &mut [f64]) {
        let w = self.keys.len();
        for (x, lanes) in one.iter_mut().zip(self.values.chunks_exact(w)) {
            *x = lanes[l];
        }
    }
}

/// A block of paths: their keys, inputs, yearly numbers and results.
pub struct BlockPaths {
    pub inputs: BlockInputs,
    yearly: YearlyNumbers,
    workspace: BlockWorkspace,
}

impl BlockPaths {
    fn new(simulation: &Simulation, width: usize) -> BlockPaths {
        BlockPaths {
            inputs: BlockInputs::new(&simulation.draw, width),
            yearly: YearlyNumbers::block(&simulation.scenario.model, width),
            workspace: simulation.scenario.model.block_workspace(width),
        }
    }

    /// The paths' results.
    pub fn results(&self) -> &Block {
        &self.workspace.block
    }

    /// Paths in the block.
    pub fn width(&self) -> usize {
        self.inputs.keys.len()
    }

    /// Path `l`'s inputs, yearly numbers and trajectory, as one path.
    fn copy_path(&self, l: usize, one: &mut OnePath) {
        self.inputs.copy_path(l, &mut one.inputs);
        self.yearly.copy_path(l, &mut one.yearly);
        one.workspace.trajectory.take_lane(&self.workspace.block, l);
    }
}

impl<'a> Simulation<'a> {
    /// The simulation of a scenario drawing inputs with `sampler`; `seed` is the run's (Sobol
    /// scrambling); it stops once `cancel` is set.
    pub fn new(
        scenario: &'a Scenario,
        sampler: Sampler,
        seed: u64,
        cancel: &'a AtomicBool,
    ) -> Result<Simulation<'a>, SamplerError> {
        Ok(Simulation {
            scenario,
            draw: InputDraw::new(scenario, sampler, seed)?,
            cancel,
            keep: None,
        })
    }

    /// This simulation with summaries that keep `keep` of the run's first paths.
    pub fn keeping(self, keep: Option<KeepFirst>) -> Simulation<'a> {
        Simulation { keep, ..self }
    }

    /// Prepares `worker` for a chunk of `paths` paths drawn from `rng` (the Latin hypercube's
    /// strata); [`Experiment::run_chunk`] does this before the chunk's first
    /// [`Self::run_block`].
    pub fn begin_chunk(&self, paths: usize, rng: &ChunkRng, worker: &mut Worker) {
        self.draw.begin_chunk(paths, rng, &mut worker.draw);
    }

    /// Runs the next `width` paths of a chunk (at most [`BLOCK_PATHS`]), the first of which is
    /// the `in_chunk`-th of its chunk and the `global`-th of the run, taking their keys from
    /// the chunk's generator `rng`: draws their inputs and yearly numbers and simulates them
    /// together. Allocates nothing unless a path fails, or the block is a chunk's narrower
    /// last one of a new width.
    pub fn run_block<'w>(
        &self,
        in_chunk: usize,
        global: u64,
        width: usize,
        rng: &mut ChunkRng,
        worker: &'w mut Worker,
    ) -> Result<&'w BlockPaths, PathError> {
        let block = worker
            .blocks
            .of_width(width, |width| BlockPaths::new(self, width));
        block
            .inputs
            .draw(&self.draw, in_chunk, global, rng, &mut worker.draw);
        let model = &self.scenario.model;
        block.yearly.fill_block(model, &block.inputs.keys);
        if let Err((l, error)) =
            model.simulate_block(&block.inputs.values, &block.yearly, &mut block.workspace)
        {
            let values: Vec<f64> = block
                .inputs
                .values
                .iter()
                .skip(l)
                .step_by(width)
                .copied()
                .collect();
            let mut yearly = YearlyNumbers::new(model);
            block.yearly.copy_path(l, &mut yearly);
            return Err(PathError {
                path: global + l as u64,
                error,
                suspect: self.suspect(&values, &yearly),
            });
        }
        Ok(block)
    }

    /// The input most likely at fault for the path that drew `values` and `yearly` and
    /// failed (see [`Suspect`]). Runs only on failure; allocates.
    pub fn suspect(&self, values: &[f64], yearly: &YearlyNumbers) -> Option<Suspect> {
        let inputs = &self.scenario.inputs;
        let model = &self.scenario.model;
        let typical: Vec<f64> = inputs
            .iter()
            .map(|i| {
                if i.dist.is_fixed() {
                    0.0
                } else {
                    i.dist.quantile(0.5)
                }
            })
            .collect();
        let typical = |j: usize| typical[j];
        // How extreme each input's value is: random inputs by their tail probability, then
        // constants by magnitude.
        let extremity = |j: usize| {
            let d = &inputs[j].dist;
            if d.is_fixed() {
                (1u8, -values[j].abs())
            } else {
                let p = d.cdf(values[j]);
                (0u8, p.min(1.0 - p))
            }
        };
        let mut ranked: Vec<((u8, f64), usize)> = (0..inputs.len())
            .filter(|&j| values[j] != typical(j))
            .map(|j| (extremity(j), j))
            .collect();
        ranked.sort_by(|(a, _), (b, _)| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let candidates: Vec<usize> = ranked.iter().take(MAX_SUSPECTS).map(|&(_, j)| j).collect();

        let mut workspace = model.workspace();
        let mut trial = values.to_vec();
        let mut best: Option<(f64, usize)> = None;
        for &j in &candidates {
            for t in REPAIR_STEPS {
                if best.is_some_and(|(b, _)| t <= b) {
                    break;
                }
                trial[j] = typical(j) + (values[j] - typical(j)) * t;
                if model.simulate(&trial, yearly, &mut workspace).is_ok() {
                    best = Some((t, j));
                    break;
                }
            }
            trial[j] = values[j];
        }
        let (repaired_at, j) = match best {
            Some((t, j)) => (Some(t), j),
            None => (None, *candidates.first()?),
        };
        Some(Suspect {
            key: inputs[j].key.clone(),
            value: values[j],
            typical: typical(j),
            repaired_at,
        })
    }
}

impl Experiment for Simulation<'_> {
    type Worker = Worker;
    type Summary = RunSummary;
    type Error = PathError;

    fn worker(&self) -> Worker {
        Worker {
            draw: self.draw.scratch(),
            blocks: WorkerBlocks::new(|width| BlockPaths::new(self, width)),
        }
    }

    fn empty_summary(&self) -> RunSummary {
        RunSummary::empty(self.scenario).keeping(self.keep)
    }

    fn run_chunk(
        &self,
        first_path: u64,
        paths: usize,
        rng: &mut ChunkRng,
        worker: &mut Worker,
        summary: &mut RunSummary,
    ) -> Result<(), PathError> {
        self.begin_chunk(paths, rng, worker);
        for (start, first, width) in chunk_blocks(first_path, paths) {
            if self.cancel.load(Ordering::Relaxed) {
                break;
            }
            let block = self.run_block(start, first, width, rng, worker)?;
            summary.record_block(self.scenario, block.results(), first);
        }
        Ok(())
    }
}
