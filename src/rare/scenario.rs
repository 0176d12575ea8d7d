//! A scenario's threshold as a [`Score`]: a path as a function of a point of standard-normal
//! space, and the threshold's margin on that path.
//!
//! The point holds, in order: a normal score per uncertain input (its uniform `Phi(z)` goes
//! through the correlations' Gaussian copula and the input's quantile function, exactly as
//! the samplers' uniforms do, by [`PathEvaluator::from_uniforms`]); then the yearly normals of
//! every volatile process (users, each stream); then a normal score per year of every
//! competitive shock, whose uniform `Phi(z)` decides whether the shock happens. Numbers that
//! cannot change the path are left out, read from the scenario rather than guessed: the yearly
//! normals of a process whose volatility is fixed at zero, and the uniforms of a shock whose
//! probability is fixed at 0 or 1.
//!
//! The score is [`Threshold::margin`]: continuous in the inputs and normals, piecewise
//! constant in a discrete input's or a shock's coordinate. The Markov chains move those
//! coordinates too (a move is kept whenever the path stays in the level), so shocks and
//! discrete values are explored; but a threshold that only a combination of discrete draws
//! can decide gives a margin that is flat where the paths are, and the estimate then stalls
//! and says so ([`super::Status::Stalled`]) rather than invent levels.
//!
//! The layout of a model's yearly coordinates ([`yearly_slots`]) serves a network's entities
//! too ([`super::network`]).
//!
//! When no coordinate is left (every input fixed, no volatility, no uncertain shock) the path
//! is deterministic: [`ThresholdScore::certain_outcome`] evaluates it once, and a threshold it
//! misses is impossible under the scenario's inputs. A threshold whose margin is minus
//! infinity by construction (a break-even year before the start) is impossible too.

use std::sync::atomic::AtomicBool;

use crate::model::{Model, NumericError, ParamId, YearlyNumbers};
use crate::rng::{mix64, stream_salt};
use crate::scenario::Scenario;
use crate::simulation::PathEvaluator;
use crate::threshold::Threshold;

use super::{Estimate, Progress, Score, Settings};

/// The probability that a path of `scenario` meets its threshold `threshold`, by subset
/// simulation, or exactly when the scenario decides it ([`ThresholdScore::certain_outcome`]).
/// Each threshold draws from its own seed, `seed` mixed with its name, so adding a threshold
/// to a scenario changes no other threshold's estimate.
pub fn estimate_threshold(
    scenario: &Scenario,
    threshold: &Threshold,
    settings: &Settings,
    seed: u64,
    progress: &dyn Progress,
    cancel: &AtomicBool,
) -> Result<Estimate, NumericError> {
    let score = ThresholdScore::new(scenario, threshold);
    let seed = mix64(seed ^ stream_salt(&threshold.name));
    super::decide(&score, settings, seed, progress, cancel)
}

/// Where a yearly coordinate of a point goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    /// A standard normal at this index of the yearly numbers.
    Normal(usize),
    /// A uniform at this index of the yearly numbers.
    Uniform(usize),
}

/// The yearly numbers of `model` (a scenario's, or an entity's of its network) that can
/// change its paths, in point order: each volatile process's normals, then each uncertain
/// shock's uniforms.
pub(crate) fn yearly_slots(scenario: &Scenario, model: &Model) -> Vec<Slot> {
    let fixed_at = |id: ParamId, x: f64| {
        let d = &scenario.inputs[id.0].dist;
        d.is_fixed() && d.quantile(0.5) == x
    };
    let numbers = YearlyNumbers::new(model);
    let steps = numbers.steps();
    let users = usize::from(model.subscriptions.is_some());
    let mut yearly = Vec::new();
    if let Some(s) = &model.subscriptions
        && !fixed_at(s.user_volatility, 0.0)
    {
        yearly.extend((0..steps).map(Slot::Normal));
    }
    for (k, stream) in model.streams.iter().enumerate() {
        if !fixed_at(stream.volatility, 0.0) {
            let start = (users + k) * steps;
            yearly.extend((start..start + steps).map(Slot::Normal));
        }
    }
    let normals = numbers.normals();
    for (k, shock) in model.shocks.iter().enumerate() {
        if !fixed_at(shock.probability, 0.0) && !fixed_at(shock.probability, 1.0) {
            let start = normals + k * steps;
            yearly.extend((start..start + steps).map(Slot::Uniform));
        }
    }
    yearly
}

/// Writes the coordinates `z` (one per slot) into yearly `numbers` at their `slots`.
pub(crate) fn place(slots: &[Slot], z: &[f64], numbers: &mut YearlyNumbers) {
    let numbers = numbers.as_mut_slice();
    for (&slot, &z) in slots.iter().zip(z) {
        match slot {
            Slot::Normal(i) => numbers[i] = z,
            Slot::Uniform(i) => numbers[i] = super::uniform(z),
        }
    }
}

/// The uniforms `Phi(z)` of the normal scores `z`, into `uniforms`.
pub(crate) fn uniforms(z: &[f64], uniforms: &mut [f64]) {
    for (u, &z) in uniforms.iter_mut().zip(z) {
        *u = super::uniform(z);
    }
}

/// The margin of one threshold of a scenario, as a function of a point.
pub struct ThresholdScore<'a> {
    scenario: &'a Scenario,
    threshold: &'a Threshold,
    /// Uncertain inputs: the first coordinates.
    inputs: usize,
    /// Where each following coordinate goes.
    yearly: Vec<Slot>,
}

/// Per-worker scratch: the path evaluator and its numbers.
pub struct Scratch<'a> {
    evaluator: PathEvaluator<'a>,
    uniforms: Vec<f64>,
    yearly: YearlyNumbers,
}

impl<'a> ThresholdScore<'a> {
    /// The score of `threshold` (one of `scenario`'s) on the scenario's paths.
    pub fn new(scenario: &'a Scenario, threshold: &'a Threshold) -> ThresholdScore<'a> {
        ThresholdScore {
            scenario,
            threshold,
            inputs: PathEvaluator::new(scenario).uncertain_inputs().len(),
            yearly: yearly_slots(scenario, &scenario.model),
        }
    }

    /// The outcome every path shares, when it is known without sampling (see
    /// [`super::certain_outcome`]).
    pub fn certain_outcome(&self) -> Result<Option<bool>, NumericError> {
        super::certain_outcome(self)
    }
}

impl<'a> Score for ThresholdScore<'a> {
    type Scratch = Scratch<'a>;
    type Error = NumericError;

    fn dimension(&self) -> usize {
        self.inputs + self.yearly.len()
    }

    fn scratch(&self) -> Scratch<'a> {
        let evaluator = PathEvaluator::new(self.scenario);
        Scratch {
            uniforms: vec![0.5; self.inputs],
            yearly: evaluator.yearly_numbers(),
            evaluator,
        }
    }

    fn score(&self, z: &[f64], scratch: &mut Scratch<'a>) -> Result<f64, NumericError> {
        let (inputs, yearly) = z.split_at(self.inputs);
        uniforms(inputs, &mut scratch.uniforms);
        place(&self.yearly, yearly, &mut scratch.yearly);
        let t = scratch
            .evaluator
            .from_uniforms(&scratch.uniforms, &scratch.yearly)?;
        Ok(self.threshold.margin(t, self.scenario.start_year))
    }
}
