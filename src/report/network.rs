//! What a run of a network scenario reports, in every format.
//!
//! [`NetworkReport`] turns a [`NetworkSummary`] into: the network's thresholds; per entity,
//! break-even, payback and default (each with its probability, 95% interval and years),
//! outside funding drawn, revenue lost to others' defaults, end-customer against internal
//! revenue, and every metric by year; for the network, gross, end-customer and internal
//! revenue and circularity by year, what each flow paid, the round trip of each equity flow,
//! and contagion (P(B defaults | A defaults) for every pair, and which entity starts
//! cascades). It is an [`Exporter`]: JSON is its serialisation (top-level `entities`, an
//! object keyed by entity name, and `network`), the table and CSV are written here, and
//! Markdown and Excel come from its sheets.

use std::fmt::Write;

use indexmap::IndexMap;
use serde::Serialize;

use super::format::{percent, year};
use super::rare::RareThreshold;
use super::sheet::{Cell, Sheet};
use super::{
    Distribution, EventYears, Exporter, InputInfo, MetricResult, MetricYear, ScenarioInfo,
    Simulator, ThresholdResult,
};
use crate::network::summary::NetworkSummary;
use crate::network::{FlowKind, NetworkMetric};
use crate::sampler::Sampler;
use crate::scenario::Scenario;
use crate::stats::histogram;
use crate::summary::Probability;
use crate::unit::Unit;

/// One entity's results.
#[derive(Debug, Clone, Serialize)]
pub struct EntityResult {
    pub label: String,
    /// Operating break-even: EBIT >= 0 from some year through the horizon, flows included.
    pub break_even: EventYears,
    /// Cash payback: cumulative free cash flow >= 0 from some year through the horizon.
    pub payback: EventYears,
    /// Default: the first year it could not pay what it owed, or its cash stayed below zero
    /// with its financing capacities used.
    pub default: EventYears,
    /// Outside equity, debt and backstop drawn over the horizon.
    pub funding_drawn: Distribution,
    /// The deepest cash deficit before outside funding.
    pub funding_gap: Distribution,
    pub npv: Distribution,
    /// Purchases other entities owed it but did not pay (defaults, contracts stopped).
    pub revenue_lost: Distribution,
    /// Revenue from its own streams and subscriptions, by year.
    pub end_customer_revenue: Vec<MetricYear>,
    /// Revenue from other entities, by year.
    pub internal_revenue: Vec<MetricYear>,
    /// Its own thresholds.
    pub thresholds: Vec<ThresholdResult>,
    /// Every firm metric by year, flows included.
    pub metrics: Vec<MetricResult>,
}

/// What one flow carried.
#[derive(Debug, Clone, Serialize)]
pub struct FlowResult {
    pub name: String,
    pub from: String,
    pub to: String,
    /// `equity`, `purchase` or `loan`.
    pub kind: &'static str,
    /// Paid over the horizon (a loan: lent).
    pub paid: Distribution,
}

/// Of an equity flow, how much came back to the investor as revenue from the receiver.
#[derive(Debug, Clone, Serialize)]
pub struct RoundTrip {
    pub flow: String,
    pub investor: String,
    pub receiver: String,
    /// Equity paid over the horizon.
    pub invested: Distribution,
    /// The investor's revenue from the receiver over the horizon, at most what it invested.
    pub returned: Distribution,
    /// Mean returned over mean invested; `None` when nothing was invested.
    pub share_returned: Option<f64>,
}

/// P(`defaults` defaults | `given` defaults).
#[derive(Debug, Clone, Serialize)]
pub struct ContagionPair {
    pub given: String,
    pub defaults: String,
    /// Over the paths where `given` defaulted; `None` when it never did.
    pub estimate: Option<Probability>,
}

/// How often an entity was among the first to default in a cascade.
#[derive(Debug, Clone, Serialize)]
pub struct CascadeStarter {
    pub entity: String,
    /// Paths with a cascade where it defaulted in the first year of defaults, and would have
    /// even if every other entity had paid it in full.
    pub paths: u64,
    /// Their share of the cascades.
    pub share: f64,
}

/// Contagion between entities.
#[derive(Debug, Clone, Serialize)]
pub struct Contagion {
    /// Every ordered pair of distinct entities.
    pub pairs: Vec<ContagionPair>,
    /// Paths where more than one entity defaulted.
    pub cascades: Probability,
    /// Entities by how often they start a cascade, most often first.
    pub starters: Vec<CascadeStarter>,
}

/// The network's results.
#[derive(Debug, Clone, Serialize)]
pub struct NetworkResult {
    pub gross_revenue: Vec<MetricYear>,
    pub end_customer_revenue: Vec<MetricYear>,
    pub internal_revenue: Vec<MetricYear>,
    /// Internal revenue over gross revenue.
    pub circularity: Vec<MetricYear>,
    pub flows: Vec<FlowResult>,
    pub round_trips: Vec<RoundTrip>,
    pub contagion: Contagion,
}

/// Everything a run of a network reports.
#[derive(Debug, Clone, Serialize)]
pub struct NetworkReport {
    pub simulator: Simulator,
    pub scenario: ScenarioInfo,
    pub seed: u64,
    pub paths: u64,
    pub partial: bool,
    pub paths_requested: u64,
    pub sampler: &'static str,
    pub quantile_relative_error: f64,
    /// The file's top-level thresholds, on entity and network metrics.
    pub thresholds: Vec<ThresholdResult>,
    /// Subset-simulation estimates of the rare events (`--rare`); absent without it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rare: Vec<RareThreshold>,
    pub entities: IndexMap<String, EntityResult>,
    pub network: NetworkResult,
    pub inputs: Vec<InputInfo>,
}

impl NetworkReport {
    /// The report of `summary`, a run of the network `scenario` with `seed` and `sampler`
    /// that was asked for `paths_requested` paths.
    ///
    /// # Panics
    /// If the scenario has no network.
    pub fn new(
        scenario: &Scenario,
        summary: &NetworkSummary,
        seed: u64,
        sampler: Sampler,
        paths_requested: u64,
    ) -> NetworkReport {
        let network = scenario.network.as_ref().expect("a network scenario");
        let n = summary.paths();
        let y = summary.years();
        let name = |e: usize| network.entities[e].name.clone();
        let entities = network
            .entities
            .iter()
            .enumerate()
            .map(|(e, entity)| {
                let result = EntityResult {
                    label: entity.label.clone(),
                    break_even: EventYears::break_even(summary.break_even(e), scenario),
                    payback: EventYears::payback(summary.payback(e), scenario),
                    default: EventYears::of(
                        summary.default(e),
                        scenario.start_year,
                        "the first year it cannot pay what it owes, or its cash stays below \
                         zero with its financing capacities used"
                            .to_string(),
                    ),
                    funding_drawn: Distribution::of(summary.funding_drawn(e)),
                    funding_gap: Distribution::of(summary.funding_gap(e)),
                    npv: Distribution::of(summary.npv(e)),
                    revenue_lost: Distribution::of(summary.revenue_lost(e)),
                    end_customer_revenue: MetricYear::series(scenario, y, |t| {
                        summary.end_customer_revenue(e, t)
                    }),
                    internal_revenue: MetricYear::series(scenario, y, |t| {
                        summary.internal_revenue(e, t)
                    }),
                    thresholds: entity
                        .thresholds
                        .iter()
                        .enumerate()
                        .map(|(k, t)| ThresholdResult {
                            name: t.name.clone(),
                            label: t.label.clone(),
                            estimate: summary.entity_threshold(e, k),
                            source: t.source.clone(),
                        })
                        .collect(),
                    metrics: MetricResult::all(scenario, y, |m, t| summary.metric(e, m, t)),
                };
                (entity.name.clone(), result)
            })
            .collect();
        let network_years =
            |m: NetworkMetric| MetricYear::series(scenario, y, |t| summary.network(m, t));
        let flows = network
            .flows
            .iter()
            .enumerate()
            .map(|(f, flow)| FlowResult {
                name: flow.name.clone(),
                from: name(flow.from),
                to: name(flow.to),
                kind: match flow.kind {
                    FlowKind::Equity { .. } => "equity",
                    FlowKind::Purchase(_) => "purchase",
                    FlowKind::Loan { .. } => "loan",
                },
                paid: Distribution::of(summary.flow_paid(f)),
            })
            .collect();
        let round_trips = summary
            .equity_flows()
            .iter()
            .enumerate()
            .map(|(k, &f)| {
                let flow = &network.flows[f];
                let invested = summary.flow_paid(f);
                let returned = summary.returned(k);
                RoundTrip {
                    flow: flow.name.clone(),
                    investor: name(flow.from),
                    receiver: name(flow.to),
                    invested: Distribution::of(invested),
                    returned: Distribution::of(returned),
                    share_returned: match (invested.mean(), returned.mean()) {
                        (Some(i), Some(r)) if i > 0.0 => Some(r / i),
                        _ => None,
                    },
                }
            })
            .collect();
        let count = network.entities.len();
        let pairs = (0..count)
            .flat_map(|a| (0..count).filter(move |&b| b != a).map(move |b| (a, b)))
            .map(|(a, b)| ContagionPair {
                given: name(a),
                defaults: name(b),
                estimate: summary.contagion(a, b),
            })
            .collect();
        let cascades = summary.cascades();
        let mut starters: Vec<CascadeStarter> = (0..count)
            .map(|e| CascadeStarter {
                entity: name(e),
                paths: summary.cascades_started(e),
                share: if cascades > 0 {
                    summary.cascades_started(e) as f64 / cascades as f64
                } else {
                    0.0
                },
            })
            .collect();
        starters.sort_by_key(|s| std::cmp::Reverse(s.paths));
        NetworkReport {
            simulator: Simulator::CURRENT,
            scenario: ScenarioInfo::of(scenario),
            seed,
            paths: n,
            partial: n < paths_requested,
            paths_requested,
            sampler: sampler.name(),
            quantile_relative_error: histogram::RELATIVE_ERROR,
            thresholds: network
                .thresholds
                .iter()
                .enumerate()
                .map(|(k, t)| ThresholdResult {
                    name: t.name.clone(),
                    label: t.label.clone(),
                    estimate: summary.network_threshold(k),
                    source: t.source.clone(),
                })
                .collect(),
            rare: Vec::new(),
            entities,
            network: NetworkResult {
                gross_revenue: network_years(NetworkMetric::GrossRevenue),
                end_customer_revenue: network_years(NetworkMetric::EndCustomerRevenue),
                internal_revenue: network_years(NetworkMetric::InternalRevenue),
                circularity: network_years(NetworkMetric::Circularity),
                flows,
                round_trips,
                contagion: Contagion {
                    pairs,
                    cascades: Probability::from_counts(cascades, n),
                    starters,
                },
            },
            inputs: InputInfo::all(scenario),
        }
    }
}

impl Exporter for NetworkReport {
    fn title(&self) -> String {
        self.scenario.name.clone()
    }

    fn table(&self) -> String {
        text(self)
    }

    fn csv(&self) -> String {
        csv(self)
    }

    fn sheets(&self) -> Vec<Sheet> {
        sheets(self)
    }
}

fn usd(x: f64) -> String {
    super::format::value(Unit::Usd, x)
}

fn p50(d: &Distribution) -> String {
    d.p50.map_or("–".to_string(), usd)
}

fn interval(p: &Probability) -> String {
    format!("[{}, {}]", percent(p.ci95[0]), percent(p.ci95[1]))
}

/// Columns for the terminal: the first left-aligned, the others right-aligned.
struct Table {
    widths: Vec<usize>,
}

impl Table {
    fn row(&self, out: &mut String, cells: &[&str]) {
        let mut line = String::from(" ");
        for (k, (cell, w)) in cells.iter().zip(&self.widths).enumerate() {
            if k == 0 {
                let _ = write!(line, " {cell:<w$}");
            } else {
                let _ = write!(line, " {cell:>w$}");
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

fn heading(out: &mut String, title: &str) {
    let _ = writeln!(out, "\n{title}\n{}", "-".repeat(title.chars().count()));
}

fn text(r: &NetworkReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", r.scenario.name);
    let _ = writeln!(
        out,
        "{} paths, seed {}, sampler {}, {}–{}{}",
        r.paths,
        r.seed,
        r.sampler,
        r.scenario.start_year,
        r.scenario.horizon,
        if r.partial {
            " (partial: interrupted)"
        } else {
            ""
        }
    );
    let table = |widths: &[usize]| Table {
        widths: widths.to_vec(),
    };

    if !r.thresholds.is_empty() {
        heading(&mut out, "Thresholds");
        let t = table(&[58, 9, 18]);
        t.row(&mut out, &["threshold", "P", "95% interval"]);
        for th in &r.thresholds {
            t.row(
                &mut out,
                &[
                    &th.label,
                    &percent(th.estimate.probability),
                    &interval(&th.estimate),
                ],
            );
        }
    }

    if !r.rare.is_empty() {
        heading(
            &mut out,
            "Rare events (plain estimate below 0.1%), by subset simulation",
        );
        super::rare::table_section(&mut out, &r.rare);
    }

    heading(&mut out, "Entities");
    let t = table(&[14, 10, 10, 10, 8, 12, 12, 12]);
    t.row(
        &mut out,
        &[
            "entity",
            "break-even",
            "payback",
            "default",
            "year",
            "drawn P50",
            "end-cust.",
            "internal",
        ],
    );
    let last = r.network.gross_revenue.len().saturating_sub(1);
    for (name, e) in &r.entities {
        t.row(
            &mut out,
            &[
                name,
                &percent(e.break_even.within_horizon.probability),
                &percent(e.payback.within_horizon.probability),
                &percent(e.default.within_horizon.probability),
                &year(e.default.median_year),
                &p50(&e.funding_drawn),
                &p50(&e.end_customer_revenue[last].distribution),
                &p50(&e.internal_revenue[last].distribution),
            ],
        );
    }
    let _ = writeln!(
        out,
        "  break-even, payback, default: probability within the horizon; year: median default \
         year; revenue: P50 in {}",
        r.scenario.horizon
    );

    heading(&mut out, "Network revenue by year (P50)");
    let t = table(&[6, 12, 12, 12, 11]);
    t.row(
        &mut out,
        &["year", "gross", "end-customer", "internal", "circularity"],
    );
    for k in 0..r.network.gross_revenue.len() {
        t.row(
            &mut out,
            &[
                &r.network.gross_revenue[k].year.to_string(),
                &p50(&r.network.gross_revenue[k].distribution),
                &p50(&r.network.end_customer_revenue[k].distribution),
                &p50(&r.network.internal_revenue[k].distribution),
                &r.network.circularity[k]
                    .distribution
                    .p50
                    .map_or("–".to_string(), percent),
            ],
        );
    }

    if !r.network.round_trips.is_empty() {
        heading(&mut out, "Round trips of equity");
        let t = table(&[22, 24, 12, 12, 9]);
        t.row(
            &mut out,
            &[
                "flow",
                "investor -> receiver",
                "invested",
                "returned",
                "share",
            ],
        );
        for rt in &r.network.round_trips {
            t.row(
                &mut out,
                &[
                    &rt.flow,
                    &format!("{} -> {}", rt.investor, rt.receiver),
                    &rt.invested.mean.map_or("–".to_string(), usd),
                    &rt.returned.mean.map_or("–".to_string(), usd),
                    &rt.share_returned.map_or("–".to_string(), percent),
                ],
            );
        }
        let _ = writeln!(
            out,
            "  invested and returned: means over paths; returned is the investor's revenue from \
             the receiver, at most what it invested"
        );
    }

    heading(&mut out, "Contagion: P(column defaults | row defaults)");
    let names: Vec<&str> = r.entities.keys().map(String::as_str).collect();
    let mut widths = vec![14];
    widths.extend(names.iter().map(|n| n.len().max(7)));
    let t = table(&widths);
    let mut header = vec!["given"];
    header.extend(names.iter().copied());
    t.row(&mut out, &header);
    for a in &names {
        let mut cells: Vec<String> = vec![a.to_string()];
        for b in &names {
            let cell = if a == b {
                "–".to_string()
            } else {
                r.network
                    .contagion
                    .pairs
                    .iter()
                    .find(|p| p.given == *a && p.defaults == *b)
                    .and_then(|p| p.estimate.as_ref())
                    .map_or("n/a".to_string(), |p| percent(p.probability))
            };
            cells.push(cell);
        }
        let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
        t.row(&mut out, &refs);
    }
    let c = &r.network.contagion;
    let starter = c
        .starters
        .first()
        .filter(|s| s.paths > 0)
        .map_or("none".to_string(), |s| {
            format!("{} ({} of cascades)", s.entity, percent(s.share))
        });
    let _ = writeln!(
        out,
        "  cascades (more than one default): {} {}; most often started by {}",
        percent(c.cascades.probability),
        interval(&c.cascades),
        starter
    );
    out
}

fn csv(r: &NetworkReport) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["section", "entity", "name", "year", "statistic", "value"]);
    let mut row = |section: &str,
                   entity: &str,
                   name: &str,
                   year: Option<i32>,
                   stat: &str,
                   value: Option<f64>| {
        let _ = w.write_record([
            section,
            entity,
            name,
            &year.map_or(String::new(), |y| y.to_string()),
            stat,
            &value.map_or(String::new(), |v| format!("{v}")),
        ]);
    };
    for t in &r.thresholds {
        row(
            "threshold",
            "",
            &t.name,
            None,
            "probability",
            Some(t.estimate.probability),
        );
    }
    for t in &r.rare {
        let e = &t.rare;
        let [low, high] = e.ci95.map_or([None, None], |[l, h]| [Some(l), Some(h)]);
        row("rare", "", &t.name, None, "probability", e.probability);
        row("rare", "", &t.name, None, "ci95_low", low);
        row("rare", "", &t.name, None, "ci95_high", high);
        row(
            "rare",
            "",
            &t.name,
            None,
            "evaluations",
            Some(e.evaluations as f64),
        );
        row("rare", "", &t.name, None, "gain", e.gain);
    }
    for (name, e) in &r.entities {
        for (event, ev) in [
            ("break_even", &e.break_even),
            ("payback", &e.payback),
            ("default", &e.default),
        ] {
            row(
                "entity",
                name,
                event,
                None,
                "probability",
                Some(ev.within_horizon.probability),
            );
            row(
                "entity",
                name,
                event,
                None,
                "ci95_low",
                Some(ev.within_horizon.ci95[0]),
            );
            row(
                "entity",
                name,
                event,
                None,
                "ci95_high",
                Some(ev.within_horizon.ci95[1]),
            );
        }
        for (what, d) in [
            ("funding_drawn", &e.funding_drawn),
            ("funding_gap", &e.funding_gap),
            ("npv", &e.npv),
            ("revenue_lost", &e.revenue_lost),
        ] {
            row("entity", name, what, None, "mean", d.mean);
            row("entity", name, what, None, "p50", d.p50);
        }
        for (what, series) in [
            ("end_customer_revenue", &e.end_customer_revenue),
            ("internal_revenue", &e.internal_revenue),
        ] {
            for my in series {
                row(
                    "entity",
                    name,
                    what,
                    Some(my.year),
                    "p50",
                    my.distribution.p50,
                );
            }
        }
        for m in &e.metrics {
            for my in &m.years {
                row(
                    "entity",
                    name,
                    m.name,
                    Some(my.year),
                    "p50",
                    my.distribution.p50,
                );
            }
        }
    }
    for (what, series) in [
        ("gross_revenue", &r.network.gross_revenue),
        ("end_customer_revenue", &r.network.end_customer_revenue),
        ("internal_revenue", &r.network.internal_revenue),
        ("circularity", &r.network.circularity),
    ] {
        for my in series {
            row(
                "network",
                "",
                what,
                Some(my.year),
                "p50",
                my.distribution.p50,
            );
            row(
                "network",
                "",
                what,
                Some(my.year),
                "mean",
                my.distribution.mean,
            );
        }
    }
    for rt in &r.network.round_trips {
        row(
            "round_trip",
            &rt.investor,
            &rt.flow,
            None,
            "invested_mean",
            rt.invested.mean,
        );
        row(
            "round_trip",
            &rt.investor,
            &rt.flow,
            None,
            "returned_mean",
            rt.returned.mean,
        );
        row(
            "round_trip",
            &rt.investor,
            &rt.flow,
            None,
            "share_returned",
            rt.share_returned,
        );
    }
    for p in &r.network.contagion.pairs {
        row(
            "contagion",
            &p.given,
            &p.defaults,
            None,
            "probability",
            p.estimate.as_ref().map(|e| e.probability),
        );
    }
    String::from_utf8(w.into_inner().expect("writing to memory succeeds")).expect("CSV is UTF-8")
}

fn probability_cells(p: &Probability) -> [Cell; 3] {
    [
        Cell::Value(p.probability, Unit::Probability),
        Cell::Value(p.ci95[0], Unit::Probability),
        Cell::Value(p.ci95[1], Unit::Probability),
    ]
}

/// The report as sheets: thresholds, entities, network revenue, flows, round trips, contagion.
fn sheets(r: &NetworkReport) -> Vec<Sheet> {
    let mut out = Vec::new();
    let mut thresholds = Sheet::new(
        "thresholds",
        "Thresholds",
        &[
            "threshold",
            "label",
            "probability",
            "ci95 low",
            "ci95 high",
            "source",
        ],
    );
    for t in &r.thresholds {
        let mut row = vec![Cell::text(&t.name), Cell::text(&t.label)];
        row.extend(probability_cells(&t.estimate));
        row.push(Cell::source(t.source.as_deref()));
        thresholds.row(row);
    }
    out.push(thresholds);
    if !r.rare.is_empty() {
        out.push(super::rare::sheet(&r.rare));
    }
    let mut entities = Sheet::new(
        "entities",
        "Entities",
        &[
            "entity",
            "break-even",
            "payback",
            "default",
            "default ci95 low",
            "default ci95 high",
            "median default year",
            "funding drawn P50",
            "revenue lost mean",
        ],
    )
    .note("Probabilities within the horizon; break-even and payback with the flows included.");
    for (name, e) in &r.entities {
        let d = &e.default.within_horizon;
        entities.row(vec![
            Cell::text(name),
            Cell::Value(e.break_even.within_horizon.probability, Unit::Probability),
            Cell::Value(e.payback.within_horizon.probability, Unit::Probability),
            Cell::Value(d.probability, Unit::Probability),
            Cell::Value(d.ci95[0], Unit::Probability),
            Cell::Value(d.ci95[1], Unit::Probability),
            Cell::year(e.default.median_year),
            Cell::optional(e.funding_drawn.p50, Unit::Usd),
            Cell::optional(e.revenue_lost.mean, Unit::Usd),
        ]);
    }
    out.push(entities);
    let mut revenue = Sheet::new(
        "entity revenue",
        "End-customer and internal revenue by entity (P50)",
        &["entity", "year", "end-customer", "internal"],
    );
    for (name, e) in &r.entities {
        for (ec, int) in e.end_customer_revenue.iter().zip(&e.internal_revenue) {
            revenue.row(vec![
                Cell::text(name),
                Cell::Year(ec.year),
                Cell::optional(ec.distribution.p50, Unit::Usd),
                Cell::optional(int.distribution.p50, Unit::Usd),
            ]);
        }
    }
    out.push(revenue);
    let mut network = Sheet::new(
        "network",
        "Network revenue by year (P50)",
        &["year", "gross", "end-customer", "internal", "circularity"],
    );
    for k in 0..r.network.gross_revenue.len() {
        network.row(vec![
            Cell::Year(r.network.gross_revenue[k].year),
            Cell::optional(r.network.gross_revenue[k].distribution.p50, Unit::Usd),
            Cell::optional(
                r.network.end_customer_revenue[k].distribution.p50,
                Unit::Usd,
            ),
            Cell::optional(r.network.internal_revenue[k].distribution.p50, Unit::Usd),
            Cell::optional(r.network.circularity[k].distribution.p50, Unit::Share),
        ]);
    }
    out.push(network);
    let mut flows = Sheet::new(
        "flows",
        "Flows: paid over the horizon",
        &["flow", "from", "to", "kind", "mean", "P50"],
    );
    for f in &r.network.flows {
        flows.row(vec![
            Cell::text(&f.name),
            Cell::text(&f.from),
            Cell::text(&f.to),
            Cell::text(f.kind),
            Cell::optional(f.paid.mean, Unit::Usd),
            Cell::optional(f.paid.p50, Unit::Usd),
        ]);
    }
    out.push(flows);
    let mut trips = Sheet::new(
        "round trips",
        "Round trips of equity",
        &[
            "flow",
            "investor",
            "receiver",
            "invested mean",
            "returned mean",
            "share returned",
        ],
    )
    .note("Returned: the investor's revenue from the receiver, at most what it invested.");
    for t in &r.network.round_trips {
        trips.row(vec![
            Cell::text(&t.flow),
            Cell::text(&t.investor),
            Cell::text(&t.receiver),
            Cell::optional(t.invested.mean, Unit::Usd),
            Cell::optional(t.returned.mean, Unit::Usd),
            Cell::optional(t.share_returned, Unit::Share),
        ]);
    }
    out.push(trips);
    let mut contagion = Sheet::new(
        "contagion",
        "Contagion: P(B defaults | A defaults)",
        &[
            "A (given)",
            "B (defaults)",
            "probability",
            "ci95 low",
            "ci95 high",
        ],
    );
    for p in &r.network.contagion.pairs {
        let mut row = vec![Cell::text(&p.given), Cell::text(&p.defaults)];
        match &p.estimate {
            Some(e) => row.extend(probability_cells(e)),
            None => row.extend([Cell::text("A never defaults"), Cell::Empty, Cell::Empty]),
        }
        contagion.row(row);
    }
    out.push(contagion);
    out
}
