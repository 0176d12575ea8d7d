//! The events of a network scenario, by name: each entity's break-even, payback and default
//! (`openai.break_even`, `oracle.default`), each entity's own thresholds (`openai.NAME`), and
//! the file's top-level thresholds (`network.NAME`, or `NAME` alone). Analyses find them here
//! and count them in a [`NetworkSummary`] or test them on one path, and a rare-event method
//! reads how far a path is from one ([`NetworkEvent::margin`]).

use super::path::{NetworkBlock, NetworkLane};
use super::summary::NetworkSummary;
use super::{Network, NetworkTest, NetworkThreshold};
use crate::model::PathResults;
use crate::threshold::{self, PathQuantity, Years, compared};

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

    /// How far the path in `one`, a block of one path with drawn inputs `v`, is from the
    /// event: at or above zero exactly when [`NetworkEvent::happened`], negative otherwise,
    /// and continuous in the path's numbers where the event allows it. Thresholds take their
    /// own margin ([`crate::threshold::Threshold::margin`]; a network metric against its
    /// value relative to the value); a break-even or payback within the horizon the worst
    /// year's EBIT (cumulative free cash flow) over its scale; a default [`default_margin`].
    pub fn margin(self, network: &Network, start_year: i32, v: &[f64], one: &NetworkBlock) -> f64 {
        debug_assert_eq!(one.width(), 1, "a block of one path");
        let trajectory = |e: usize| one.entities[e].trajectory();
        match self {
            NetworkEvent::Threshold(k) => network.thresholds[k].margin(one, start_year),
            NetworkEvent::EntityThreshold(e, k) => {
                network.entities[e].thresholds[k].margin(trajectory(e), start_year)
            }
            NetworkEvent::BreakEven(e) => {
                threshold::within_horizon(PathQuantity::BreakEvenYear, trajectory(e), start_year)
            }
            NetworkEvent::Payback(e) => {
                threshold::within_horizon(PathQuantity::PaybackYear, trajectory(e), start_year)
            }
            NetworkEvent::Default(e) => default_margin(network, e, v, one),
        }
    }
}

/// The weight of the mean headroom in [`default_margin`] short of a default, small enough to
/// matter only between paths whose lowest headroom is the same or nearly so.
const HEADROOM_TIE_BREAK: f64 = 1e-6;

/// The margin of "entity `e` defaults" on the path in `one` (a block of one path) with drawn
/// inputs `v`, over the entity's financing capacity plus its starting
/// cash (at least 1).
///
/// Short of a default it is minus the lowest headroom of the years: a year's cash at its end
/// plus the financing capacity not yet drawn. Drawing moves money from one to the other, so
/// the headroom is the cash the year would end with before any draw plus all the capacity
/// left, and it goes below zero exactly when the cash stays below zero with every capacity
/// used; paths whose lowest headroom is the same are ordered by their mean headroom, with a
/// weight too small to matter otherwise. After a default it is the larger of that (over the years up to the default) and
/// what the entity failed to pay that year: both are near zero at the edge, where the year's
/// resources (cash, cash flow and unused capacity) are just used up, so the margin is nearly
/// continuous there, and it grows with how deep the default goes.
pub fn default_margin(network: &Network, e: usize, v: &[f64], one: &NetworkBlock) -> f64 {
    debug_assert_eq!(one.width(), 1, "a block of one path");
    let entity = &network.entities[e];
    let path = &one.entities[e];
    let fin = &entity.financing;
    let capacity = fin.equity_capacity.get(v) + fin.debt_capacity.get(v) + fin.backstop.get(v);
    let starting_cash = entity.model.finance.starting_cash.get(v);
    let scale = (capacity + starting_cash.abs()).max(1.0);
    let default_year = path.default_year[0];
    let last = default_year.unwrap_or(path.cash.len().saturating_sub(1));
    let (mut drawn, mut lowest, mut total) = (0.0, f64::INFINITY, 0.0);
    for (cash, draw) in path.cash.iter().zip(&path.drawn_in).take(last + 1) {
        drawn += draw;
        let headroom = cash + capacity - drawn;
        lowest = lowest.min(headroom);
        total += headroom;
    }
    let margin = -lowest / scale;
    match default_year {
        // Paths whose lowest headroom is the same (often the first year's, when nothing
        // random has happened yet) are ordered by their mean headroom.
        None => {
            let mean = total / (last + 1) as f64;
            (margin - HEADROOM_TIE_BREAK * mean / scale).min(-f64::MIN_POSITIVE)
        }
        Some(d) => {
            let unpaid: f64 = network
                .flows
                .iter()
                .enumerate()
                .filter(|(_, f)| f.from == e)
                .map(|(f, _)| (one.due[f][d] - one.paid[f][d]).max(0.0))
                .sum();
            margin.max(unpaid / scale)
        }
    }
}

fn within_horizon(counts: &crate::stats::YearCounts) -> u64 {
    counts.by_year().iter().sum()
}

impl NetworkThreshold {
    /// Whether the network path `path` meets the threshold.
    pub fn is_met(&self, path: NetworkLane, start_year: i32) -> bool {
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

    /// How far the path in `one` (a block of one path) is from meeting the threshold: at or
    /// above zero exactly when [`NetworkThreshold::is_met`]. A network metric against its
    /// value is `(left - right) / |right|` (the other way round for `<=` and `<`; the best
    /// year for `by`), as a firm's metric is.
    pub fn margin(&self, one: &NetworkBlock, start_year: i32) -> f64 {
        match &self.test {
            NetworkTest::Entity { entity, threshold } => {
                threshold.margin(one.entities[*entity].trajectory(), start_year)
            }
            NetworkTest::Aggregate {
                metric,
                years,
                comparison,
                value,
            } => {
                let path = one.lane(0);
                let in_year = |y: usize| compared(*comparison, path.network(*metric, y), *value);
                match *years {
                    Years::In(y) => in_year(y),
                    Years::By(y) => (0..=y).map(in_year).fold(f64::NEG_INFINITY, f64::max),
                }
            }
        }
    }
}
