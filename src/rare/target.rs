//! What a rare-event estimate can be asked of a scenario, by name: a firm's threshold
//! ([`super::scenario`]) or an event of a network ([`super::network`]: `openai.default`,
//! `network.bain_end_customers_2030`, ...).

use std::sync::atomic::AtomicBool;

use crate::model::NumericError;
use crate::network::event::NetworkEvent;
use crate::scenario::Scenario;
use crate::scenario_run::Event;
use crate::summary;

use super::{Estimate, Progress, Settings};

/// A threshold of a single-firm scenario (by index), or an event of a network scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Threshold(usize),
    Event(NetworkEvent),
}

impl Target {
    /// Every target of `scenario`: its thresholds, or its network's events
    /// ([`NetworkEvent::all`]).
    pub fn all(scenario: &Scenario) -> Vec<Target> {
        match &scenario.network {
            Some(network) => NetworkEvent::all(network)
                .into_iter()
                .map(Target::Event)
                .collect(),
            None => (0..scenario.thresholds.len())
                .map(Target::Threshold)
                .collect(),
        }
    }

    /// The target called `name` (a network's top-level threshold may be named without
    /// `network.`).
    pub fn named(scenario: &Scenario, name: &str) -> Option<Target> {
        match &scenario.network {
            Some(network) => NetworkEvent::named(name, network).map(Target::Event),
            None => scenario
                .thresholds
                .iter()
                .position(|t| t.name == name)
                .map(Target::Threshold),
        }
    }

    /// The name: the threshold's key, or the event's (`oracle.default`).
    pub fn name(&self, scenario: &Scenario) -> String {
        match self {
            Target::Threshold(k) => scenario.thresholds[*k].name.clone(),
            Target::Event(e) => e.name(network(scenario)),
        }
    }

    /// A readable description.
    pub fn label(&self, scenario: &Scenario) -> String {
        match self {
            Target::Threshold(k) => scenario.thresholds[*k].label.clone(),
            Target::Event(e) => e.label(network(scenario), scenario.horizon),
        }
    }

    /// Where the threshold comes from, when the file says (an entity's break-even, payback
    /// and default have none).
    pub fn source(&self, scenario: &Scenario) -> Option<String> {
        let network = || network(scenario);
        match *self {
            Target::Threshold(k) => scenario.thresholds[k].source.clone(),
            Target::Event(NetworkEvent::Threshold(k)) => network().thresholds[k].source.clone(),
            Target::Event(NetworkEvent::EntityThreshold(e, k)) => {
                network().entities[e].thresholds[k].source.clone()
            }
            Target::Event(_) => None,
        }
    }

    /// The event a run's summary counts for the target.
    pub fn event(self) -> Event {
        match self {
            Target::Threshold(k) => Event::Firm(summary::Event::Threshold(k)),
            Target::Event(e) => Event::Network(e),
        }
    }

    /// The probability of the target on the paths of `scenario`, by subset simulation, or
    /// exactly when the scenario decides it.
    pub fn estimate(
        &self,
        scenario: &Scenario,
        settings: &Settings,
        seed: u64,
        progress: &dyn Progress,
        cancel: &AtomicBool,
    ) -> Result<Estimate, NumericError> {
        match *self {
            Target::Threshold(k) => super::scenario::estimate_threshold(
                scenario,
                &scenario.thresholds[k],
                settings,
                seed,
                progress,
                cancel,
            ),
            Target::Event(e) => {
                super::network::estimate_event(scenario, e, settings, seed, progress, cancel)
            }
        }
    }
}

/// The network of a scenario whose targets are events.
fn network(scenario: &Scenario) -> &crate::network::Network {
    scenario
        .network
        .as_ref()
        .expect("a network event belongs to a network scenario")
}
