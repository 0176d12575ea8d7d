//! A scenario as a Monte Carlo experiment: drawing a path's inputs, running the model,
//! testing thresholds, and recording the outcomes into a [`Summary`].
//!
//! Every path gets a 64-bit key from its chunk's generator. Its inputs are drawn by the chosen
//! [`Sampler`] (by default each input from its own stream derived from (key, the input's key
//! path)), and each yearly random process draws from its own stream too, so that changing one
//! input's distribution, or adding an input, leaves every other draw of every path unchanged:
//! sweeps and goal seeks compare parameter values with common random numbers.
//! Outcomes go into a per-worker buffer, and into the summary every [`STATS_BATCH`] paths, so
//! the path loop allocates nothing and the buffer stays in cache.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

use rand::Rng;

use crate::engine::{
    self, CHUNK_PATHS, ChunkRng, Experiment, Merge, Outcome, Plan, Progress, chunk_rng,
};
use crate::model::{Metric, NumericError, Trajectory, Workspace};
use crate::sampler::{DrawScratch, InputDraw, Sampler, SamplerError};
use crate::scenario::Scenario;
use crate::stats::Summary;

/// Paths whose outcomes are buffered before they go into the statistics: small enough for the
/// buffer (series x batch values) to stay in the core's cache. Part of the reproducibility
/// contract with [`CHUNK_PATHS`], since sums are formed per batch.
pub const STATS_BATCH: usize = 128;

/// Where each recorded quantity lives in a [`Summary`] for a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub years: usize,
    pub thresholds: usize,
}

impl Layout {
    /// The layout for a scenario.
    pub fn of(scenario: &Scenario) -> Layout {
        Layout {
            years: scenario.years(),
            thresholds: scenario.thresholds.len(),
        }
    }

    /// Series index of a metric in year index `y`.
    pub fn metric(&self, metric: Metric, y: usize) -> usize {
        metric as usize * self.years + y
    }

    /// Series index of the funding gap.
    pub fn funding_gap(&self) -> usize {
        Metric::ALL.len() * self.years
    }

    /// Series index of the NPV.
    pub fn npv(&self) -> usize {
        self.funding_gap() + 1
    }

    /// Number of series.
    pub fn series(&self) -> usize {
        self.npv() + 1
    }

    /// Counter index of threshold `i`.
    pub fn threshold(&self, i: usize) -> usize {
        i
    }

    /// Counter index of "EBIT >= 0 in year index `y`".
    pub fn profitable(&self, y: usize) -> usize {
        self.thresholds + y
    }

    /// Number of counters.
    pub fn counters(&self) -> usize {
        self.thresholds + self.years
    }

    /// Event index of the break-even year distribution.
    pub const BREAK_EVEN: usize = 0;
    /// Event index of the payback year distribution.
    pub const PAYBACK: usize = 1;

    /// An empty summary with this layout.
    pub fn empty_summary(&self) -> Summary {
        Summary::new(self.series(), self.counters(), 2, self.years)
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

/// A scenario ready to run.
pub struct Simulation<'a> {
    scenario: &'a Scenario,
    layout: Layout,
    draw: InputDraw<'a>,
    /// When set, a chunk stops at its next path (see [`Simulation::cancellable`]).
    cancel: Option<&'a AtomicBool>,
}

/// Scratch space of one worker.
pub struct Worker {
    values: Vec<f64>,
    draw: DrawScratch,
    workspace: Workspace,
    /// Recorded series, `series x STATS_BATCH`, series-major.
    buffer: Vec<f64>,
}

impl Worker {
    /// The last path's results.
    pub fn trajectory(&self) -> &Trajectory {
        &self.workspace.trajectory
    }
}

impl Merge for Summary {
    fn merge(&mut self, other: Summary) {
        Summary::merge(self, &other);
    }
}

impl<'a> Simulation<'a> {
    /// A plain Monte Carlo simulation of a scenario.
    pub fn new(scenario: &'a Scenario) -> Simulation<'a> {
        Simulation::with_sampler(scenario, Sampler::Mc, 0).expect("mc takes any scenario")
    }

    /// A simulation drawing inputs with `sampler`; `seed` is the run's (Sobol scrambling).
    pub fn with_sampler(
        scenario: &'a Scenario,
        sampler: Sampler,
        seed: u64,
    ) -> Result<Simulation<'a>, SamplerError> {
        Ok(Simulation {
            scenario,
            layout: Layout::of(scenario),
            draw: InputDraw::new(scenario, sampler, seed)?,
            cancel: None,
        })
    }

    /// Makes chunks stop at the next path once `cancel` is set, keeping the paths done so
    /// far. The engine checks the flag only between chunks, and a chunk of a long scenario
    /// can take seconds (1,500 streams over 200 years: about 6 s); a path takes milliseconds.
    pub fn cancellable(self, cancel: &'a AtomicBool) -> Simulation<'a> {
        Simulation {
            cancel: Some(cancel),
            ..self
        }
    }

    /// The summary layout.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Runs one path, the `in_chunk`-th of its chunk and the `global`-th of the run, whose key
    /// is `key`: draws its inputs and fills the worker's trajectory (`worker.trajectory()`).
    /// Allocates nothing unless the path fails.
    #[inline]
    pub fn run_path(
        &self,
        in_chunk: usize,
        global: u64,
        key: u64,
        worker: &mut Worker,
    ) -> Result<(), PathError> {
        self.draw
            .draw(in_chunk, global, key, &mut worker.draw, &mut worker.values);
        self.scenario
            .model
            .simulate(&worker.values, key, &mut worker.workspace)
            .map_err(|error| PathError {
                path: global,
                error,
                suspect: self.suspect(&worker.values, key),
            })
    }

    /// The input most likely at fault for the path with key `key` that drew `values` and
    /// failed (see [`Suspect`]). Runs only on failure; allocates.
    pub fn suspect(&self, values: &[f64], key: u64) -> Option<Suspect> {
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
                if model.simulate(&trial, key, &mut workspace).is_ok() {
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
    type Summary = Summary;
    type Error = PathError;

    fn worker(&self) -> Worker {
        Worker {
            values: self.draw.initial_values(),
            draw: self.draw.scratch(),
            workspace: self.scenario.model.workspace(),
            buffer: vec![0.0; self.layout.series() * STATS_BATCH],
        }
    }

    fn empty_summary(&self) -> Summary {
        self.layout.empty_summary()
    }

    fn run_chunk(
        &self,
        first_path: u64,
        paths: usize,
        rng: &mut ChunkRng,
        worker: &mut Worker,
        summary: &mut Summary,
    ) -> Result<(), PathError> {
        let layout = self.layout;
        let stride = STATS_BATCH;
        let mut done = paths;
        let mut filled = 0;
        self.draw.begin_chunk(paths, rng, &mut worker.draw);
        for i in 0..paths {
            if self.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                done = i;
                break;
            }
            let key = rng.next_u64();
            self.run_path(i, first_path + i as u64, key, worker)?;
            let t = &worker.workspace.trajectory;
            for m in Metric::ALL {
                for (y, &x) in t.series(m).iter().enumerate() {
                    worker.buffer[layout.metric(m, y) * stride + filled] = x;
                }
            }
            worker.buffer[layout.funding_gap() * stride + filled] = t.funding_gap;
            worker.buffer[layout.npv() * stride + filled] = t.npv;
            filled += 1;
            for (k, threshold) in self.scenario.thresholds.iter().enumerate() {
                summary.counters[layout.threshold(k)] +=
                    u64::from(threshold.is_met(t, self.scenario.start_year));
            }
            for (y, &ebit) in t.series(Metric::Ebit).iter().enumerate() {
                summary.counters[layout.profitable(y)] += u64::from(ebit >= 0.0);
            }
            summary.events[Layout::BREAK_EVEN].record(t.break_even);
            summary.events[Layout::PAYBACK].record(t.payback);
            if filled == STATS_BATCH {
                record_batch(&worker.buffer, filled, summary);
                filled = 0;
            }
        }
        record_batch(&worker.buffer, filled, summary);
        summary.paths += done as u64;
        Ok(())
    }
}

/// Adds the first `filled` paths of each series in `buffer` (series-major, [`STATS_BATCH`]
/// paths per series) to the summary's statistics.
fn record_batch(buffer: &[f64], filled: usize, summary: &mut Summary) {
    if filled == 0 {
        return;
    }
    for (s, stats) in summary.series.iter_mut().enumerate() {
        let start = s * STATS_BATCH;
        stats.add_batch(&buffer[start..start + filled]);
    }
}

/// Runs `plan` for a scenario with plain Monte Carlo on the current rayon pool.
pub fn run(
    scenario: &Scenario,
    plan: &Plan,
    progress: &dyn Progress,
    cancel: &AtomicBool,
) -> Result<Outcome<Summary>, PathError> {
    run_simulation(&Simulation::new(scenario), plan, progress, cancel)
}

/// Runs `plan` for a scenario with `sampler` on the current rayon pool.
pub fn run_with(
    scenario: &Scenario,
    sampler: Sampler,
    plan: &Plan,
    progress: &dyn Progress,
    cancel: &AtomicBool,
) -> Result<Outcome<Summary>, RunError> {
    let simulation = Simulation::with_sampler(scenario, sampler, plan.seed)?;
    Ok(run_simulation(&simulation, plan, progress, cancel)?)
}

/// Runs `plan` for a simulation, cancellable between paths.
pub fn run_simulation(
    simulation: &Simulation,
    plan: &Plan,
    progress: &dyn Progress,
    cancel: &AtomicBool,
) -> Result<Outcome<Summary>, PathError> {
    let simulation = Simulation {
        cancel: Some(cancel),
        draw: simulation.draw.clone(),
        ..*simulation
    };
    let mut outcome = engine::run(&simulation, plan, progress, cancel)?;
    // A cancelled chunk keeps the paths it finished: count what the summary holds.
    outcome.paths = outcome.summary.paths;
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

/// Runs the paths of `plan` one after another on the calling thread and shows each to `visit`
/// with the values its inputs drew and its trajectory. These are the paths [`run`] simulates
/// for the same plan, with the same numbers; analyses that need more than a summary (rank
/// correlations, calibration quantities) read them here. Nothing is allocated per path.
pub fn for_each_path(
    scenario: &Scenario,
    plan: &Plan,
    mut visit: impl FnMut(&[f64], &Trajectory),
) -> Result<(), PathError> {
    let simulation = Simulation::new(scenario);
    let mut worker = simulation.worker();
    for chunk in plan.first_chunk..plan.first_chunk + plan.chunks {
        let mut rng = chunk_rng(plan.seed, chunk);
        let paths = plan.chunk_paths(chunk);
        simulation.draw.begin_chunk(paths, &rng, &mut worker.draw);
        for i in 0..paths {
            let key = rng.next_u64();
            simulation.run_path(i, chunk * CHUNK_PATHS + i as u64, key, &mut worker)?;
            visit(&worker.values, &worker.workspace.trajectory);
        }
    }
    Ok(())
}
