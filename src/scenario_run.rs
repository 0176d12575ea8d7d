//! A scenario of either kind, one firm or a network of firms, behind one interface: running
//! it ([`run`], [`visit_paths`]), its summary ([`ScenarioSummary`]), its events by name
//! ([`Event`]) and its metrics, entity-qualified in a network ([`MetricKey`]). Analyses
//! (sweep, solve, sensitivity), shards and precision runs are written once against it.

use crate::engine::Outcome;
use crate::model::{Metric, PathResults, Trajectory};
use crate::network::event::NetworkEvent;
use crate::network::path::NetworkLane;
use crate::network::summary::NetworkSummary;
use crate::network::{self, Network};
use crate::scenario::Scenario;
use crate::scenario::overrides::nearest_keys;
use crate::simulation::{self, RunError, RunOptions};
use crate::stats::{MetricStats, Summary};
use crate::summary::{self, EventInfo, Probability, RunSummary, UnknownEvent};

/// Something a path either does or does not do, in a scenario of either kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Firm(summary::Event),
    Network(NetworkEvent),
}

impl Event {
    /// The name of a single firm's operating break-even within the horizon.
    pub const BREAK_EVEN: &'static str = summary::Event::BREAK_EVEN;
    /// The name of a single firm's cash payback within the horizon.
    pub const PAYBACK: &'static str = summary::Event::PAYBACK;

    /// Every event of `scenario`.
    pub fn all(scenario: &Scenario) -> Vec<Event> {
        match &scenario.network {
            None => summary::Event::all(scenario)
                .into_iter()
                .map(Event::Firm)
                .collect(),
            Some(n) => NetworkEvent::all(n)
                .into_iter()
                .map(Event::Network)
                .collect(),
        }
    }

    /// The event an analysis is about unless told: operating break-even, in a network the
    /// first entity's.
    pub fn default_of(scenario: &Scenario) -> Event {
        match scenario.network {
            None => Event::Firm(summary::Event::BreakEven),
            Some(_) => Event::Network(NetworkEvent::BreakEven(0)),
        }
    }

    /// The event named `name`, or the default one without a name.
    pub fn chosen(name: Option<&str>, scenario: &Scenario) -> Result<Event, UnknownEvent> {
        match name {
            Some(name) => Event::named(name, scenario),
            None => Ok(Event::default_of(scenario)),
        }
    }

    /// The event of `scenario` named `name` (see [`summary::Event::named`] and
    /// [`NetworkEvent::named`]).
    pub fn named(name: &str, scenario: &Scenario) -> Result<Event, UnknownEvent> {
        let Some(network) = &scenario.network else {
            return summary::Event::named(name, scenario).map(Event::Firm);
        };
        if let Some(e) = NetworkEvent::named(name, network) {
            return Ok(Event::Network(e));
        }
        let names: Vec<String> = NetworkEvent::all(network)
            .into_iter()
            .map(|e| e.name(network))
            .collect();
        Err(UnknownEvent {
            origin: scenario.origin.clone(),
            name: name.to_string(),
            suggestions: nearest_keys(name, &names),
            choices: names,
        })
    }

    /// The event's name, as [`Event::named`] takes it.
    pub fn name(self, scenario: &Scenario) -> String {
        match self {
            Event::Firm(e) => e.name(scenario).to_string(),
            Event::Network(e) => e.name(network_of(scenario)),
        }
    }

    /// A readable description.
    pub fn label(self, scenario: &Scenario) -> String {
        match self {
            Event::Firm(e) => e.label(scenario),
            Event::Network(e) => e.label(network_of(scenario), scenario.horizon),
        }
    }

    /// Name and label, for outputs.
    pub fn info(self, scenario: &Scenario) -> EventInfo {
        EventInfo {
            name: self.name(scenario),
            label: self.label(scenario),
        }
    }

    /// Whether the event happened on one path.
    ///
    /// # Panics
    /// If the path is of the other kind of scenario.
    pub fn happened(self, path: PathOutcome, scenario: &Scenario) -> bool {
        match (self, path) {
            (Event::Firm(e), PathOutcome::Firm(t)) => e.happened(t, scenario),
            (Event::Network(e), PathOutcome::Network(ws)) => {
                e.happened(network_of(scenario), scenario.start_year, ws)
            }
            _ => panic!("an event of one kind of scenario on a path of the other"),
        }
    }
}

fn network_of(scenario: &Scenario) -> &Network {
    scenario
        .network
        .as_ref()
        .expect("a network event belongs to a network scenario")
}

/// A metric of a scenario: of the firm, or of one entity of a network (`openai.revenue`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricKey {
    /// The entity, in a network.
    pub entity: Option<usize>,
    pub metric: Metric,
}

impl MetricKey {
    /// The metric named `name` in `scenario`: a metric's name for a single firm,
    /// `ENTITY.METRIC` in a network.
    pub fn named(name: &str, scenario: &Scenario) -> Result<MetricKey, String> {
        let metrics = || {
            Metric::ALL
                .iter()
                .map(|m| m.name())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let Some(network) = &scenario.network else {
            let metric = Metric::from_name(name)
                .ok_or_else(|| format!("unknown metric (expected one of {})", metrics()))?;
            return Ok(MetricKey {
                entity: None,
                metric,
            });
        };
        let entities = || {
            network
                .entities
                .iter()
                .map(|e| e.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (entity, metric) = name.split_once('.').ok_or_else(|| {
            format!(
                "a network's metrics are ENTITY.METRIC (e.g. {}.revenue); entities: {}",
                network.entities[0].name,
                entities()
            )
        })?;
        let entity = network
            .entity_index(entity)
            .ok_or_else(|| format!("no entity '{entity}' (expected one of {})", entities()))?;
        let metric = Metric::from_name(metric)
            .ok_or_else(|| format!("unknown metric '{metric}' (expected one of {})", metrics()))?;
        Ok(MetricKey {
            entity: Some(entity),
            metric,
        })
    }

    /// The name [`MetricKey::named`] takes.
    pub fn name(self, scenario: &Scenario) -> String {
        match (self.entity, &scenario.network) {
            (Some(e), Some(n)) => format!("{}.{}", n.entities[e].name, self.metric.name()),
            _ => self.metric.name().to_string(),
        }
    }
}

/// One path's outcome, of either kind.
#[derive(Debug, Clone, Copy)]
pub enum PathOutcome<'a> {
    Firm(&'a Trajectory),
    Network(NetworkLane<'a>),
}

impl PathOutcome<'_> {
    /// The metric's value in year index `year`.
    pub fn metric(self, key: MetricKey, year: usize) -> f64 {
        match (self, key.entity) {
            (PathOutcome::Firm(t), _) => t.get(key.metric, year),
            (PathOutcome::Network(path), Some(e)) => path.entity(e).get(key.metric, year),
            (PathOutcome::Network(_), None) => panic!("a network metric names its entity"),
        }
    }
}

/// What a run of a scenario remembers, of either kind.
#[derive(Debug, Clone, PartialEq)]
pub enum ScenarioSummary {
    Firm(RunSummary),
    Network(NetworkSummary),
}

impl ScenarioSummary {
    /// An empty summary for `scenario`.
    pub fn empty(scenario: &Scenario) -> ScenarioSummary {
        match &scenario.network {
            None => ScenarioSummary::Firm(RunSummary::empty(scenario)),
            Some(n) => ScenarioSummary::Network(NetworkSummary::empty(n)),
        }
    }

    /// A summary of `scenario` holding `stats` (from a part file), or `None` when they do
    /// not fit its layout.
    pub fn from_stats(scenario: &Scenario, stats: Summary) -> Option<ScenarioSummary> {
        match &scenario.network {
            None => RunSummary::from_stats(scenario, stats).map(ScenarioSummary::Firm),
            Some(n) => NetworkSummary::from_stats(n, stats).map(ScenarioSummary::Network),
        }
    }

    /// The mergeable accumulators.
    pub fn stats(&self) -> &Summary {
        match self {
            ScenarioSummary::Firm(s) => s.stats(),
            ScenarioSummary::Network(s) => s.stats(),
        }
    }

    /// Paths recorded.
    pub fn paths(&self) -> u64 {
        self.stats().paths
    }

    /// Paths where `event` happened.
    ///
    /// # Panics
    /// If the event is of the other kind of scenario.
    pub fn hits(&self, event: Event) -> u64 {
        match (self, event) {
            (ScenarioSummary::Firm(s), Event::Firm(e)) => s.hits(e),
            (ScenarioSummary::Network(s), Event::Network(e)) => e.hits(s),
            _ => panic!("an event of one kind of scenario in a summary of the other"),
        }
    }

    /// The probability of `event`, with its Wilson 95% interval.
    pub fn probability(&self, event: Event) -> Probability {
        Probability::from_counts(self.hits(event), self.paths())
    }

    /// The distribution of a metric in year index `year`.
    pub fn metric(&self, key: MetricKey, year: usize) -> &MetricStats {
        match (self, key.entity) {
            (ScenarioSummary::Firm(s), _) => s.metric(key.metric, year),
            (ScenarioSummary::Network(s), Some(e)) => s.metric(e, key.metric, year),
            (ScenarioSummary::Network(_), None) => panic!("a network metric names its entity"),
        }
    }

    /// Adds `other`, a summary of the same scenario.
    pub fn merge(&mut self, other: &ScenarioSummary) {
        match (self, other) {
            (ScenarioSummary::Firm(a), ScenarioSummary::Firm(b)) => a.merge(b),
            (ScenarioSummary::Network(a), ScenarioSummary::Network(b)) => a.merge(b),
            _ => panic!("summaries of two kinds of scenario"),
        }
    }
}

/// Runs `scenario` as `options` say (see [`simulation::run`] and [`network::run::run`]).
pub fn run(
    scenario: &Scenario,
    options: &RunOptions,
) -> Result<Outcome<ScenarioSummary>, RunError> {
    Ok(match &scenario.network {
        None => {
            let o = simulation::run(scenario, options)?;
            Outcome {
                summary: ScenarioSummary::Firm(o.summary),
                paths: o.paths,
                cancelled: o.cancelled,
            }
        }
        Some(_) => {
            let o = network::run::run(scenario, options)?;
            Outcome {
                summary: ScenarioSummary::Network(o.summary),
                paths: o.paths,
                cancelled: o.cancelled,
            }
        }
    })
}

/// Shows the paths [`run`] simulates with `options` one by one, each with its drawn inputs
/// (see [`simulation::visit_paths`] and [`network::run::visit_paths`]).
pub fn visit_paths(
    scenario: &Scenario,
    options: &RunOptions,
    mut visit: impl FnMut(&[f64], PathOutcome),
) -> Result<u64, RunError> {
    match &scenario.network {
        None => simulation::visit_paths(scenario, options, |path| {
            visit(path.inputs, PathOutcome::Firm(path.trajectory))
        }),
        Some(_) => network::run::visit_paths(scenario, options, |inputs, ws| {
            visit(inputs, PathOutcome::Network(ws))
        }),
    }
}
