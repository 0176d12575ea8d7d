//! A network scenario's event as a [`Score`]: a network path as a function of a point of
//! standard-normal space, and the event's margin on that path.
//!
//! A network path draws every entity's inputs at once and each entity's yearly numbers from
//! its own streams, so the point holds, in order: a normal score per uncertain input of the
//! whole file (through the correlations' Gaussian copula and the input's quantile function,
//! as the samplers' uniforms are, so correlations between entities hold), then, entity by
//! entity in file order, the yearly numbers that can change that entity's path, laid out as
//! for a single firm ([`super::scenario`]): volatility normals, then the uniforms of its
//! uncertain shocks. The path is [`Network::simulate_numbers`] of those inputs and numbers.
//!
//! The score is [`NetworkEvent::margin`]: a threshold's own margin, the worst year's EBIT
//! (cumulative free cash flow) for a break-even (payback) within the horizon, and for a
//! default how far the entity's cash plus its undrawn financing capacity comes from going
//! below zero ([`crate::network::event::default_margin`]). Clearing and defaults make the
//! path piecewise in the point (a counterparty's default stops its flows), so the margin has
//! steps where another entity defaults; the chains move across them, and the levels are
//! formed from the margin's values wherever they fall.

use std::sync::atomic::AtomicBool;

use crate::model::NumericError;
use crate::network::Network;
use crate::network::event::{NetworkEvent, default_margin};
use crate::network::path::NetworkBlock;
use crate::rng::{mix64, stream_salt};
use crate::sampler::{DrawScratch, InputDraw, Sampler};
use crate::scenario::Scenario;

use super::scenario::{Slot, place, uniforms, yearly_slots};
use super::{Estimate, Progress, Score, Settings};

/// The weight of the network's default depth in the score short of the event, small
/// enough to matter only between paths whose margins are tied or nearly so.
const TIE_BREAK: f64 = 1e-6;

/// The probability of the event `event` of the network scenario `scenario` by subset
/// simulation, or exactly when the scenario decides it ([`super::certain_outcome`]). Each
/// event draws from its own seed, `seed` mixed with its name, as a firm's threshold does.
///
/// # Panics
/// If the scenario has no network.
pub fn estimate_event(
    scenario: &Scenario,
    event: NetworkEvent,
    settings: &Settings,
    seed: u64,
    progress: &dyn Progress,
    cancel: &AtomicBool,
) -> Result<Estimate, NumericError> {
    let score = EventScore::new(scenario, event);
    let seed = mix64(seed ^ stream_salt(&event.name(score.network)));
    super::decide(&score, settings, seed, progress, cancel)
}

/// The margin of one event of a network scenario, as a function of a point.
pub struct EventScore<'a> {
    scenario: &'a Scenario,
    network: &'a Network,
    event: NetworkEvent,
    draw: InputDraw<'a>,
    /// Per entity, where its coordinates (after the inputs') go.
    yearly: Vec<Vec<Slot>>,
}

/// Per-worker scratch: the drawn inputs and the network's workspace.
pub struct Scratch {
    draw: DrawScratch,
    uniforms: Vec<f64>,
    values: Vec<f64>,
    /// A block of one path.
    workspace: NetworkBlock,
}

impl<'a> EventScore<'a> {
    /// The score of `event` on the paths of the network scenario `scenario`.
    ///
    /// # Panics
    /// If the scenario has no network.
    pub fn new(scenario: &'a Scenario, event: NetworkEvent) -> EventScore<'a> {
        let network = scenario
            .network
            .as_ref()
            .expect("a network scenario has a network");
        EventScore {
            scenario,
            network,
            event,
            draw: InputDraw::new(scenario, Sampler::Mc, 0).expect("mc takes any scenario"),
            yearly: network
                .entities
                .iter()
                .map(|e| yearly_slots(scenario, &e.model))
                .collect(),
        }
    }

    /// The outcome every path shares, when it is known without sampling (see
    /// [`super::certain_outcome`]).
    pub fn certain_outcome(&self) -> Result<Option<bool>, NumericError> {
        super::certain_outcome(self)
    }
}

impl Score for EventScore<'_> {
    type Scratch = Scratch;
    type Error = NumericError;

    fn dimension(&self) -> usize {
        self.draw.uncertain().len() + self.yearly.iter().map(Vec::len).sum::<usize>()
    }

    fn scratch(&self) -> Scratch {
        Scratch {
            draw: self.draw.scratch(),
            uniforms: vec![0.5; self.draw.uncertain().len()],
            values: self.draw.initial_values(),
            workspace: self.network.workspace(),
        }
    }

    fn score(&self, z: &[f64], scratch: &mut Scratch) -> Result<f64, NumericError> {
        let (inputs, mut rest) = z.split_at(scratch.uniforms.len());
        uniforms(inputs, &mut scratch.uniforms);
        self.draw
            .from_uniforms(&scratch.uniforms, &mut scratch.draw, &mut scratch.values);
        for (e, slots) in self.yearly.iter().enumerate() {
            let (mine, others) = rest.split_at(slots.len());
            place(slots, mine, scratch.workspace.yearly_mut(e));
            rest = others;
        }
        self.network
            .simulate_numbers(&scratch.values, &mut scratch.workspace)
            .map_err(|(_, e)| e)?;
        let (v, one) = (&scratch.values, &scratch.workspace);
        let margin = self
            .event
            .margin(self.network, self.scenario.start_year, v, one);
        if margin >= 0.0 || matches!(self.event, NetworkEvent::Default(_)) {
            return Ok(margin);
        }
        // Short of the event, paths on which the entities it depends on have defaulted often
        // share one margin (their flows stopped): order them by how deep the defaults go.
        let depth: f64 = (0..self.network.entities.len())
            .map(|e| default_margin(self.network, e, v, one).max(0.0))
            .sum();
        Ok(margin - TIE_BREAK * depth)
    }
}
