//! The events of a network scenario, by name: each entity's break-even, payback and default
//! (`openai.break_even`, `oracle.default`), each entity's own thresholds (`openai.NAME`), and
//! the file's top-level thresholds (`network.NAME`, or `NAME` alone). Analyses find them here
//! and count them in a [`NetworkSummary`] or test them on one path.

use super::path::NetworkLane;
use super::summary::NetworkSummary;
use super::{Network, NetworkThreshold};
use crate::model::PathResults;

/// Something a network path either does or does not do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkEvent {
    /// The file's top-level threshold with this index.
    Threshold(usize),
    /// Entity `0`'s threshold with index `1`.
    EntityThreshold(usize, usize),
    /// The entity's operating break-even within the horizon.
    BreakEven(usize),
    /// The entity's cash payback within the horizon.
    Payback(usize),
    /// The entity's default within the horizon.
    Default(usize),
}

/// The prefix of the top-level thresholds' event names.
pub const NETWORK_PREFIX: &str = "network.";

impl NetworkEvent {
    /// Every event: the top-level thresholds, then per entity its thresholds, break-even,
    /// payback and default.
    pub fn all(network: &Network) -> Vec<NetworkEvent> {
        let mut all: Vec<NetworkEvent> = (0..network.thresholds.len())
            .map(NetworkEvent::Threshold)
            .collect();
        for (e, entity) in network.entities.iter().enumerate() {
            all.extend((0..entity.thresholds.len()).map(|k| NetworkEvent::EntityThreshold(e, k)));
            all.extend([
                NetworkEvent::BreakEven(e),
                NetworkEvent::Payback(e),
                NetworkEvent::Default(e),
            ]);
        }
        all
    }

    /// The event named `name`; a top-level threshold may be named without `network.`.
    pub fn named(name: &str, network: &Network) -> Option<NetworkEvent> {
        let all = NetworkEvent::all(network);
        all.iter()
            .find(|e| e.name(network) == name)
            .or_else(|| {
                all.iter()
                    .find(|e| e.name(network) == format!("{NETWORK_PREFIX}{name}"))
            })
            .copied()
    }

    /// The name: `network.NAME` for a top-level threshold, `ENTITY.NAME` for the others.
    pub fn name(self, network: &Network) -> String {
        let entity = |e: usize| &network.entities[e].name;
        match self {
            NetworkEvent::Threshold(k) => {
                format!("{NETWORK_PREFIX}{}", network.thresholds[k].name)
            }
            NetworkEvent::EntityThreshold(e, k) => {
                format!("{}.{}", entity(e), network.entities[e].thresholds[k].name)
            }
            NetworkEvent::BreakEven(e) => format!("{}.break_even", entity(e)),
            NetworkEvent::Payback(e) => format!("{}.payback", entity(e)),
            NetworkEvent::Default(e) => format!("{}.default", entity(e)),
        }
    }

    /// A readable description; `horizon` is the last simulated year.
    pub fn label(self, network: &Network, horizon: i32) -> String {
        let entity = |e: usize| &network.entities[e].label;
        match self {
            NetworkEvent::Threshold(k) => network.thresholds[k].label.clone(),
            NetworkEvent::EntityThreshold(e, k) => {
                format!("{}: {}", entity(e), network.entities[e].thresholds[k].label)
            }
            NetworkEvent::BreakEven(e) => format!(
                "{}: operating break-even by {horizon} (EBIT >= 0 from some year through the \
                 horizon)",
                entity(e)
            ),
            NetworkEvent::Payback(e) => format!(
                "{}: cash payback by {horizon} (cumulative free cash flow >= 0 through the \
                 horizon)",
                entity(e)
            ),
            NetworkEvent::Default(e) => format!("{}: defaults by {horizon}", entity(e)),
        }
    }

    /// Paths of `summary` where the event happened.
    pub fn hits(self, summary: &NetworkSummary) -> u64 {
        match self {
            NetworkEvent::Threshold(k) => summary.network_threshold(k).paths,
            NetworkEvent::EntityThreshold(e, k) => summary.entity_threshold(e, k).paths,
            NetworkEvent::BreakEven(e) => within_horizon(summary.break_even(e)),
            NetworkEvent::Payback(e) => within_horizon(summary.payback(e)),
            NetworkEvent::Default(e) => summary.defaults(e),
        }
    }

    /// Whether the event happened on the path `path`.
    pub fn happened(self, network: &Network, start_year: i32, path: NetworkLane) -> bool {
        match self {
            NetworkEvent::Threshold(k) => network.thresholds[k].is_met(path, start_year),
            NetworkEvent::EntityThreshold(e, k) => {
                network.entities[e].thresholds[k].is_met(&path.entity(e), start_year)
            }
            NetworkEvent::BreakEven(e) => path.entity(e).break_even().is_some(),
            NetworkEvent::Payback(e) => path.entity(e).payback().is_some(),
            NetworkEvent::Default(e) => path.default_year(e).is_some(),
        }
    }
}

fn within_horizon(counts: &crate::stats::YearCounts) -> u64 {
    counts.by_year().iter().sum()
}

impl NetworkThreshold {
    /// Whether the network path `path` meets the threshold.
    pub fn is_met(&self, path: NetworkLane, start_year: i32) -> bool {
        use super::NetworkTest;
        use crate::threshold::Years;
        match &self.test {
            NetworkTest::Entity { entity, threshold } => {
                threshold.is_met(&path.entity(*entity), start_year)
            }
            NetworkTest::Aggregate {
                metric,
                years,
                comparison,
                value,
            } => {
                let in_year = |y: usize| comparison.holds(path.network(*metric, y), *value);
                match *years {
                    Years::In(y) => in_year(y),
                    Years::By(y) => (0..=y).any(in_year),
                }
            }
        }
    }
}
