//! Networks of firms: entities joined by flows of money, cleared year by year.
//!
//! A network scenario declares entities (each a complete firm [`Model`]) and flows between
//! them: equity (cash to the receiver, not revenue), purchases (the payer's operating cost or
//! capex, the payee's revenue) and loans (interest is the borrower's cost and the lender's
//! income; principal is cash only). Revenue from outside the network stays in each entity's
//! own streams and subscriptions: it is *end-customer* revenue; what other entities pay is
//! *internal* revenue.
//!
//! This module holds the compiled network and the pure pieces of its evaluation: the order
//! in which flows that are shares of other entities' metrics can be computed ([`order`]), the
//! flow amounts of a year ([`schedule`]), and the Eisenberg–Noe clearing of the year's
//! payments when an entity cannot pay in full ([`clearing`]); [`path`] evaluates blocks of
//! paths with them, [`run`] runs a scenario and [`summary`] records it. The engine knows none
//! of it: a block of network paths is still one array of drawn inputs and one evaluation.

pub mod clearing;
pub mod event;
pub mod order;
pub mod path;
pub mod run;
pub mod schedule;
pub mod summary;

use crate::model::{Model, ParamId, Profile};
use crate::threshold::{Comparison, Threshold, Years};

/// The compiled network of a scenario with `[entities]`.
#[derive(Debug, Clone)]
pub struct Network {
    /// The entities, in file order.
    pub entities: Vec<Entity>,
    /// The flows, in file order.
    pub flows: Vec<Flow>,
    /// Flow indices in an order in which every flow comes after the flows that feed the
    /// metric it is a share of (see [`order`]).
    pub order: Vec<usize>,
    /// The file's top-level thresholds, on entity or network metrics.
    pub thresholds: Vec<NetworkThreshold>,
}

/// One firm of the network.
#[derive(Debug, Clone)]
pub struct Entity {
    /// The key under `[entities]`, used in qualified keys (`openai.capex`).
    pub name: String,
    /// A readable name for reports.
    pub label: String,
    /// Its economics, with inputs under `entities.NAME.`.
    pub model: Model,
    /// Its own `[entities.NAME.thresholds]`.
    pub thresholds: Vec<Threshold>,
    pub financing: Financing,
}

/// The outside money an entity can raise over the horizon, drawn in this order when its cash
/// would go below zero. Without `[financing]` every capacity is zero.
#[derive(Debug, Clone, Copy)]
pub struct Financing {
    pub equity_capacity: ParamId,
    pub debt_capacity: ParamId,
    /// Yearly interest on drawn debt, a cost from the year after the draw.
    pub debt_rate: ParamId,
    /// A government backstop, drawn last, at no interest.
    pub backstop: ParamId,
}

/// A flow of money from one entity to another.
#[derive(Debug, Clone)]
pub struct Flow {
    /// The key under `[flows]`.
    pub name: String,
    /// Index of the paying entity.
    pub from: usize,
    /// Index of the receiving entity.
    pub to: usize,
    pub kind: FlowKind,
    pub amount: Amount,
}

/// What a flow is in the two entities' accounts.
#[derive(Debug, Clone, PartialEq)]
pub enum FlowKind {
    /// An investment: cash to the receiver, not revenue; an asset to the investor.
    Equity {
        /// The ownership share it buys, reported only.
        stake: Option<f64>,
    },
    /// A purchase: the payee's revenue, the payer's cost (opex) or capex.
    Purchase(Booking),
    /// A loan: the amount is what the lender disburses each year; each disbursement is repaid
    /// in one payment `term` years later, with `rate` a year on what is outstanding.
    Loan { rate: ParamId, term: ParamId },
}

/// How the payer books a purchase.
#[derive(Debug, Clone, PartialEq)]
pub enum Booking {
    /// An operating cost: services, compute rental.
    Opex,
    /// Capital spending depreciated straight-line over `life` years (the payer's GPU life
    /// unless the flow gives one). When `carved` the purchase is a share of the payer's own
    /// capex: it is part of spending the payer's tables already have, so the flow only says
    /// who receives it; otherwise it is spending in addition to them.
    Capex { life: ParamId, carved: bool },
}

/// How much a flow carries in a year.
#[derive(Debug, Clone, PartialEq)]
pub enum Amount {
    /// A total spread over whole `years` from year index `start` by a profile.
    Schedule {
        total: ParamId,
        start: usize,
        years: ParamId,
        profile: Profile,
    },
    /// Each year a share of an entity's metric in the same year.
    Share { share: ParamId, of: MetricRef },
    /// `amount` for every whole `per` units of the receiver's cumulative metric, at most
    /// `cap` in all (unbounded without one).
    Tranche {
        per: ParamId,
        of: MetricRef,
        amount: ParamId,
        cap: Option<ParamId>,
    },
}

/// A metric of an entity that a flow's amount can depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricRef {
    pub entity: usize,
    pub metric: FlowBase,
}

/// The metrics a flow may be a share of. Each is the entity's value in that year, flows
/// included, so a share of `oracle.revenue` grows with what others pay Oracle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowBase {
    /// All revenue: end-customer plus internal.
    Revenue,
    /// Revenue from the entity's own streams and subscriptions.
    EndCustomerRevenue,
    /// Build-out spending, own and partner, plus capex purchases not carved from it.
    Capex,
    /// Own build-out spending plus capex purchases not carved from it.
    OwnCapex,
}

impl FlowBase {
    /// Every metric a flow may read, in the order error messages list them.
    pub const ALL: [FlowBase; 4] = [
        FlowBase::Revenue,
        FlowBase::EndCustomerRevenue,
        FlowBase::Capex,
        FlowBase::OwnCapex,
    ];

    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            FlowBase::Revenue => "revenue",
            FlowBase::EndCustomerRevenue => "end_customer_revenue",
            FlowBase::Capex => "capex",
            FlowBase::OwnCapex => "own_capex",
        }
    }

    /// Looks a metric up by its name.
    pub fn from_name(name: &str) -> Option<FlowBase> {
        FlowBase::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Whether a flow `f` of the network feeds this metric of entity `e`: purchases received
    /// feed revenue; capex purchases paid and not carved feed capex.
    pub fn fed_by(self, e: usize, f: &Flow) -> bool {
        match self {
            FlowBase::EndCustomerRevenue => false,
            FlowBase::Revenue => f.to == e && matches!(f.kind, FlowKind::Purchase(_)),
            FlowBase::Capex | FlowBase::OwnCapex => {
                f.from == e
                    && matches!(
                        f.kind,
                        FlowKind::Purchase(Booking::Capex { carved: false, .. })
                    )
            }
        }
    }
}

impl Network {
    /// The index of the entity named `name`.
    pub fn entity_index(&self, name: &str) -> Option<usize> {
        self.entities.iter().position(|e| e.name == name)
    }
}

/// A threshold of a network file's top-level `[thresholds]`: on one entity's metrics
/// (`metric = "oracle.ebit"`) or on the network's (`metric = "network.end_customer_revenue"`).
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkThreshold {
    /// The key in the scenario file.
    pub name: String,
    /// A readable label.
    pub label: String,
    pub test: NetworkTest,
    pub source: Option<String>,
}

/// What a network threshold tests.
#[derive(Debug, Clone, PartialEq)]
pub enum NetworkTest {
    /// A threshold on one entity's trajectory.
    Entity { entity: usize, threshold: Threshold },
    /// A network metric against a value.
    Aggregate {
        metric: NetworkMetric,
        years: Years,
        comparison: Comparison,
        value: f64,
    },
}

/// What is measured on the whole network each year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkMetric {
    /// Every entity's revenue, end-customer and internal.
    GrossRevenue,
    /// Revenue from outside the network.
    EndCustomerRevenue,
    /// Revenue one entity receives from another.
    InternalRevenue,
    /// Internal revenue as a share of gross revenue (zero when there is none).
    Circularity,
}

impl NetworkMetric {
    /// Every network metric, in report order.
    pub const ALL: [NetworkMetric; 4] = [
        NetworkMetric::GrossRevenue,
        NetworkMetric::EndCustomerRevenue,
        NetworkMetric::InternalRevenue,
        NetworkMetric::Circularity,
    ];

    /// The name used in scenario files and outputs (after `network.`).
    pub fn name(self) -> &'static str {
        match self {
            NetworkMetric::GrossRevenue => "gross_revenue",
            NetworkMetric::EndCustomerRevenue => "end_customer_revenue",
            NetworkMetric::InternalRevenue => "internal_revenue",
            NetworkMetric::Circularity => "circularity",
        }
    }

    /// Looks a metric up by its name.
    pub fn from_name(name: &str) -> Option<NetworkMetric> {
        NetworkMetric::ALL.into_iter().find(|m| m.name() == name)
    }
}
