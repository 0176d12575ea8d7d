//! A scenario as a Monte Carlo experiment: drawing a path's inputs, running the model,
//! testing thresholds, and recording the outcomes into a [`Summary`].
//!
//! Every path gets a 64-bit key from its chunk's generator. Each input then draws from its
//! own stream derived from (key, the input's key path), and each yearly random process from its
//! own stream too, so that changing one input's distribution, or adding an input, leaves every
//! other draw of every path unchanged: sweeps and goal seeks compare parameter values with
//! common random numbers.
//! Outcomes go into a per-worker buffer during the chunk and into the summary after it, so
//! the path loop allocates nothing.

use std::sync::atomic::AtomicBool;

use rand::Rng;
use rand_distr::Distribution;

use crate::engine::{
    self, CHUNK_PATHS, ChunkRng, Experiment, Merge, Outcome, Plan, Progress, chunk_rng,
};
use crate::model::{Metric, NumericError, Trajectory, Workspace, path_stream};
use crate::scenario::Scenario;
use crate::stats::Summary;

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
#[error("path {path}: {error}")]
pub struct PathError {
    /// Global index of the path in the run.
    pub path: u64,
    pub error: NumericError,
    /// The input most likely at fault: the one drawn furthest into its distribution's tails.
    pub suspect: Option<String>,
}

/// A scenario ready to run.
pub struct Simulation<'a> {
    scenario: &'a Scenario,
    layout: Layout,
    /// Indices of the inputs that are random; fixed inputs draw nothing.
    random: Vec<usize>,
}

/// Scratch space of one worker.
pub struct Worker {
    values: Vec<f64>,
    workspace: Workspace,
    /// Recorded series, `series x CHUNK_PATHS`, series-major.
    buffer: Vec<f64>,
}

impl Merge for Summary {
    fn merge(&mut self, other: Summary) {
        Summary::merge(self, &other);
    }
}

impl<'a> Simulation<'a> {
    pub fn new(scenario: &'a Scenario) -> Simulation<'a> {
        Simulation {
            scenario,
            layout: Layout::of(scenario),
            random: (0..scenario.inputs.len())
                .filter(|&j| !scenario.inputs[j].dist.is_fixed())
                .collect(),
        }
    }

    /// The summary layout.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Input values before any draw: fixed inputs hold their value, random ones zero.
    pub fn initial_values(&self) -> Vec<f64> {
        self.scenario
            .inputs
            .iter()
            .map(|i| {
                if i.dist.is_fixed() {
                    i.dist.quantile(0.5)
                } else {
                    0.0
                }
            })
            .collect()
    }

    /// Draws every random input of the path with key `key` into `values`, which must start
    /// from [`Simulation::initial_values`].
    #[inline]
    pub fn draw_inputs(&self, key: u64, values: &mut [f64]) {
        for &j in &self.random {
            let input = &self.scenario.inputs[j];
            values[j] = input.dist.sample(&mut path_stream(key, input.salt));
        }
    }

    fn suspect(&self, values: &[f64]) -> Option<String> {
        self.scenario
            .inputs
            .iter()
            .zip(values)
            .filter(|(i, _)| !i.dist.is_fixed())
            .map(|(i, &x)| {
                let p = i.dist.cdf(x);
                (p.min(1.0 - p), i)
            })
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(p, i)| format!("{} (drawn at its {:.4}% tail)", i.key, 100.0 * p))
    }
}

impl Experiment for Simulation<'_> {
    type Worker = Worker;
    type Summary = Summary;
    type Error = PathError;

    fn worker(&self) -> Worker {
        Worker {
            values: self.initial_values(),
            workspace: self.scenario.model.workspace(),
            buffer: vec![0.0; self.layout.series() * CHUNK_PATHS as usize],
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
        let model = &self.scenario.model;
        let stride = CHUNK_PATHS as usize;
        for i in 0..paths {
            let key = rng.next_u64();
            self.draw_inputs(key, &mut worker.values);
            model
                .simulate(&worker.values, key, &mut worker.workspace)
                .map_err(|error| PathError {
                    path: first_path + i as u64,
                    error,
                    suspect: self.suspect(&worker.values),
                })?;
            let t = &worker.workspace.trajectory;
            for m in Metric::ALL {
                for (y, &x) in t.series(m).iter().enumerate() {
                    worker.buffer[layout.metric(m, y) * stride + i] = x;
                }
            }
            worker.buffer[layout.funding_gap() * stride + i] = t.funding_gap;
            worker.buffer[layout.npv() * stride + i] = t.npv;
            for (k, threshold) in self.scenario.thresholds.iter().enumerate() {
                summary.counters[layout.threshold(k)] +=
                    u64::from(threshold.is_met(t, self.scenario.start_year));
            }
            for (y, &ebit) in t.series(Metric::Ebit).iter().enumerate() {
                summary.counters[layout.profitable(y)] += u64::from(ebit >= 0.0);
            }
            summary.events[Layout::BREAK_EVEN].record(t.break_even);
            summary.events[Layout::PAYBACK].record(t.payback);
        }
        for (s, stats) in summary.series.iter_mut().enumerate() {
            stats.add_batch(&worker.buffer[s * stride..s * stride + paths]);
        }
        summary.paths += paths as u64;
        Ok(())
    }
}

/// Runs `plan` for a scenario on the current rayon pool.
pub fn run(
    scenario: &Scenario,
    plan: &Plan,
    progress: &dyn Progress,
    cancel: &AtomicBool,
) -> Result<Outcome<Summary>, PathError> {
    engine::run(&Simulation::new(scenario), plan, progress, cancel)
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
    let mut values = simulation.initial_values();
    let mut workspace = scenario.model.workspace();
    for chunk in plan.first_chunk..plan.first_chunk + plan.chunks {
        let mut rng = chunk_rng(plan.seed, chunk);
        for i in 0..plan.chunk_paths(chunk) {
            let key = rng.next_u64();
            simulation.draw_inputs(key, &mut values);
            scenario
                .model
                .simulate(&values, key, &mut workspace)
                .map_err(|error| PathError {
                    path: chunk * CHUNK_PATHS + i as u64,
                    error,
                    suspect: simulation.suspect(&values),
                })?;
            visit(&values, &workspace.trajectory);
        }
    }
    Ok(())
}
