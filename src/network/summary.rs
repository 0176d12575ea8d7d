//! What a run of a network remembers about its paths: [`NetworkSummary`], and how paths are
//! recorded into it.
//!
//! Per entity: every firm metric by year (its accounts with the flows), its end-customer and
//! internal revenue by year, funding gap, NPV, outside funding drawn and revenue lost to
//! others' defaults; a counter per entity threshold; the years of break-even, payback and
//! default. For the network: gross, end-customer and internal revenue and circularity by year,
//! what each flow paid over the horizon and, for each equity flow, the revenue the investor
//! received from the receiver; a counter per network threshold; and for contagion the paths
//! where each pair of entities both defaulted, and which entities defaulted first in paths
//! where more than one did. Where each lives in the mergeable [`Summary`] is private here.

use crate::engine::Merge;
use crate::model::{Metric, PathResults};
use crate::stats::{MetricStats, Summary, YearCounts};
use crate::summary::Probability;

use super::path::{NetworkBlock, row};
use super::{FlowKind, Network, NetworkMetric};

/// Where each recorded quantity lives.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Layout {
    entities: usize,
    years: usize,
    /// The first counter of each entity's thresholds, and one past the last entity's.
    threshold_start: Vec<usize>,
    network_thresholds: usize,
    flows: usize,
    /// Flow indices of the equity flows.
    equity: Vec<usize>,
}

/// Entity series: metrics, then end-customer and internal revenue by year, then four numbers.
const ENTITY_YEARLY: usize = Metric::ALL.len() + 2;
const ENTITY_SINGLES: usize = 4;

impl Layout {
    fn of(network: &Network) -> Layout {
        let mut threshold_start = vec![0];
        for e in &network.entities {
            threshold_start.push(threshold_start.last().unwrap() + e.thresholds.len());
        }
        Layout {
            entities: network.entities.len(),
            years: network.years(),
            threshold_start,
            network_thresholds: network.thresholds.len(),
            flows: network.flows.len(),
            equity: network
                .flows
                .iter()
                .enumerate()
                .filter(|(_, f)| matches!(f.kind, FlowKind::Equity { .. }))
                .map(|(i, _)| i)
                .collect(),
        }
    }

    fn entity_block(&self) -> usize {
        ENTITY_YEARLY * self.years + ENTITY_SINGLES
    }
    fn metric(&self, e: usize, m: Metric, y: usize) -> usize {
        e * self.entity_block() + m as usize * self.years + y
    }
    fn end_customer(&self, e: usize, y: usize) -> usize {
        e * self.entity_block() + Metric::ALL.len() * self.years + y
    }
    fn internal(&self, e: usize, y: usize) -> usize {
        e * self.entity_block() + (Metric::ALL.len() + 1) * self.years + y
    }
    /// 0 funding gap, 1 NPV, 2 funding drawn, 3 revenue lost.
    fn single(&self, e: usize, k: usize) -> usize {
        e * self.entity_block() + ENTITY_YEARLY * self.years + k
    }
    fn network(&self, m: NetworkMetric, y: usize) -> usize {
        self.entities * self.entity_block() + m as usize * self.years + y
    }
    fn flow_paid(&self, f: usize) -> usize {
        self.network(NetworkMetric::GrossRevenue, 0) + NetworkMetric::ALL.len() * self.years + f
    }
    fn returned(&self, k: usize) -> usize {
        self.flow_paid(self.flows) + k
    }
    fn series(&self) -> usize {
        self.returned(self.equity.len())
    }

    fn entity_threshold(&self, e: usize, k: usize) -> usize {
        self.threshold_start[e] + k
    }
    fn network_threshold(&self, k: usize) -> usize {
        self.threshold_start[self.entities] + k
    }
    /// Paths where both `a` and `b` defaulted (`a == b`: where `a` did).
    fn both_defaulted(&self, a: usize, b: usize) -> usize {
        self.network_threshold(self.network_thresholds) + a * self.entities + b
    }
    /// Paths with more than one default where `e` defaulted in the first year of defaults,
    /// and would have even if the others had paid it in full.
    fn started(&self, e: usize) -> usize {
        self.both_defaulted(self.entities, 0) + e
    }
    /// Paths with more than one default.
    fn cascades(&self) -> usize {
        self.started(self.entities)
    }
    fn counters(&self) -> usize {
        self.cascades() + 1
    }

    /// 0 break-even, 1 payback, 2 default.
    fn event(&self, e: usize, k: usize) -> usize {
        3 * e + k
    }

    fn empty(&self) -> Summary {
        Summary::new(
            self.series(),
            self.counters(),
            3 * self.entities,
            self.years,
        )
    }
}

/// Everything a run of a network remembers about its paths.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkSummary {
    layout: Layout,
    stats: Summary,
}

impl Merge for NetworkSummary {
    fn merge(&mut self, other: NetworkSummary) {
        NetworkSummary::merge(self, &other);
    }

    fn settle(&mut self) {
        self.stats.settle();
    }
}

impl NetworkSummary {
    /// An empty summary for `network`.
    pub fn empty(network: &Network) -> NetworkSummary {
        let layout = Layout::of(network);
        NetworkSummary {
            stats: layout.empty(),
            layout,
        }
    }

    /// Adds `other`, a summary of the same network.
    pub fn merge(&mut self, other: &NetworkSummary) {
        debug_assert_eq!(self.layout, other.layout);
        self.stats.merge(&other.stats);
    }

    /// A summary of `network` holding `stats` (from a part file), or `None` when they do
    /// not fit its layout.
    pub fn from_stats(network: &Network, stats: Summary) -> Option<NetworkSummary> {
        let empty = NetworkSummary::empty(network);
        empty.stats.same_layout(&stats).then_some(NetworkSummary {
            layout: empty.layout,
            stats,
        })
    }

    /// The mergeable accumulators.
    pub fn stats(&self) -> &Summary {
        &self.stats
    }

    /// Paths recorded.
    pub fn paths(&self) -> u64 {
        self.stats.paths
    }

    /// Simulated years.
    pub fn years(&self) -> usize {
        self.layout.years
    }

    fn probability(&self, hits: u64) -> Probability {
        Probability::from_counts(hits, self.paths())
    }

    /// Entity `e`'s metric in year index `y`, flows included.
    pub fn metric(&self, e: usize, m: Metric, y: usize) -> &MetricStats {
        &self.stats.series[self.layout.metric(e, m, y)]
    }

    /// Entity `e`'s revenue from its own streams and subscriptions in year index `y`.
    pub fn end_customer_revenue(&self, e: usize, y: usize) -> &MetricStats {
        &self.stats.series[self.layout.end_customer(e, y)]
    }

    /// Entity `e`'s revenue from other entities in year index `y`.
    pub fn internal_revenue(&self, e: usize, y: usize) -> &MetricStats {
        &self.stats.series[self.layout.internal(e, y)]
    }

    /// Entity `e`'s funding gap: its deepest cash deficit before outside funding.
    pub fn funding_gap(&self, e: usize) -> &MetricStats {
        &self.stats.series[self.layout.single(e, 0)]
    }

    /// Entity `e`'s NPV of free cash flow.
    pub fn npv(&self, e: usize) -> &MetricStats {
        &self.stats.series[self.layout.single(e, 1)]
    }

    /// Outside funding entity `e` drew over the horizon.
    pub fn funding_drawn(&self, e: usize) -> &MetricStats {
        &self.stats.series[self.layout.single(e, 2)]
    }

    /// Revenue entity `e` lost to others' defaults over the horizon.
    pub fn revenue_lost(&self, e: usize) -> &MetricStats {
        &self.stats.series[self.layout.single(e, 3)]
    }

    /// A network metric in year index `y`.
    pub fn network(&self, m: NetworkMetric, y: usize) -> &MetricStats {
        &self.stats.series[self.layout.network(m, y)]
    }

    /// What flow `f` paid over the horizon (for a loan: what it lent).
    pub fn flow_paid(&self, f: usize) -> &MetricStats {
        &self.stats.series[self.layout.flow_paid(f)]
    }

    /// The equity flows, as flow indices, in the order [`NetworkSummary::returned`] takes.
    pub fn equity_flows(&self) -> &[usize] {
        &self.layout.equity
    }

    /// For the `k`-th equity flow: the investor's revenue from the receiver over the horizon,
    /// at most what it invested (the part of the investment that came back).
    pub fn returned(&self, k: usize) -> &MetricStats {
        &self.stats.series[self.layout.returned(k)]
    }

    /// The probability of entity `e`'s threshold `k`.
    pub fn entity_threshold(&self, e: usize, k: usize) -> Probability {
        self.probability(self.stats.counters[self.layout.entity_threshold(e, k)])
    }

    /// The probability of the network's threshold `k`.
    pub fn network_threshold(&self, k: usize) -> Probability {
        self.probability(self.stats.counters[self.layout.network_threshold(k)])
    }

    /// Entity `e`'s break-even, payback and default years.
    pub fn break_even(&self, e: usize) -> &YearCounts {
        &self.stats.events[self.layout.event(e, 0)]
    }
    pub fn payback(&self, e: usize) -> &YearCounts {
        &self.stats.events[self.layout.event(e, 1)]
    }
    pub fn default(&self, e: usize) -> &YearCounts {
        &self.stats.events[self.layout.event(e, 2)]
    }

    /// Paths where entity `e` defaulted.
    pub fn defaults(&self, e: usize) -> u64 {
        self.stats.counters[self.layout.both_defaulted(e, e)]
    }

    /// P(`b` defaults | `a` defaults), with its Wilson interval over the paths where `a`
    /// defaulted; `None` when `a` never did.
    pub fn contagion(&self, a: usize, b: usize) -> Option<Probability> {
        let given = self.defaults(a);
        (given > 0).then(|| {
            Probability::from_counts(self.stats.counters[self.layout.both_defaulted(a, b)], given)
        })
    }

    /// Paths where more than one entity defaulted.
    pub fn cascades(&self) -> u64 {
        self.stats.counters[self.layout.cascades()]
    }

    /// Of those, the paths where entity `e` was among the first to default.
    pub fn cascades_started(&self, e: usize) -> u64 {
        self.stats.counters[self.layout.started(e)]
    }
}

impl NetworkSummary {
    /// Records the paths of `block`, simulated from `network`: each series' values of the
    /// block go into its statistics as one batch. Compiled for AVX2 too, and run so where the
    /// processor has it, as [`crate::stats::add_batches`] is: the same bits.
    pub fn record_block(&mut self, network: &Network, start_year: i32, block: &NetworkBlock) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2.
            return unsafe { self.record_block_avx2(network, start_year, block) };
        }
        self.record_block_inline(network, start_year, block)
    }

    /// [`NetworkSummary::record_block`] compiled for AVX2, with the batches' statistics
    /// inlined.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn record_block_avx2(
        &mut self,
        network: &Network,
        start_year: i32,
        block: &NetworkBlock,
    ) {
        self.record_block_inline(network, start_year, block)
    }

    /// [`NetworkSummary::record_block`]'s body, inlined into each of its two compilations.
    #[inline(always)]
    fn record_block_inline(&mut self, network: &Network, start_year: i32, block: &NetworkBlock) {
        let layout = &self.layout;
        let stats = &mut self.stats;
        let w = block.width();
        let (n, years) = (layout.entities, layout.years);
        let metrics = Metric::ALL.len() * years;
        for (e, (entity, own)) in network.entities.iter().zip(&block.entities).enumerate() {
            let results = block.results(e);
            let values = results.values();
            let first = layout.metric(e, Metric::ALL[0], 0);
            for (k, lanes) in values[..metrics * w].chunks_exact(w).enumerate() {
                stats.series[first + k].add_batch(lanes);
            }
            for y in 0..years {
                stats.series[layout.end_customer(e, y)].add_batch(row(
                    &own.end_customer_revenue,
                    y,
                    w,
                ));
                stats.series[layout.internal(e, y)].add_batch(row(&own.adjustments.revenue, y, w));
            }
            // The block's funding gap and NPV follow its metrics.
            stats.series[layout.single(e, 0)].add_batch(row(values, metrics, w));
            stats.series[layout.single(e, 1)].add_batch(row(values, metrics + 1, w));
            stats.series[layout.single(e, 2)].add_batch(&own.funding_drawn);
            stats.series[layout.single(e, 3)].add_batch(&own.revenue_lost);
            for (k, threshold) in entity.thresholds.iter().enumerate() {
                let met = (0..w)
                    .filter(|&l| threshold.is_met(&results.lane(l), start_year))
                    .count();
                stats.counters[layout.entity_threshold(e, k)] += met as u64;
            }
            for (l, default_year) in own.default_year.iter().enumerate() {
                let path = results.lane(l);
                stats.events[layout.event(e, 0)].record(path.break_even());
                stats.events[layout.event(e, 1)].record(path.payback());
                stats.events[layout.event(e, 2)].record(*default_year);
            }
        }
        for m in NetworkMetric::ALL {
            for y in 0..years {
                stats.series[layout.network(m, y)]
                    .add_batch(block.network_row(m as usize * years + y));
            }
        }
        for f in 0..layout.flows {
            stats.series[layout.flow_paid(f)].add_batch(block.flow_paid_row(f));
        }
        for (k, &f) in layout.equity.iter().enumerate() {
            stats.series[layout.returned(k)].add_batch(block.returned_row(f));
        }
        for (k, threshold) in network.thresholds.iter().enumerate() {
            let met = (0..w)
                .filter(|&l| threshold.is_met(block.lane(l), start_year))
                .count();
            stats.counters[layout.network_threshold(k)] += met as u64;
        }
        for l in 0..w {
            let defaulted = |e: usize| block.entities[e].default_year[l];
            let mut count = 0;
            let mut first = usize::MAX;
            for a in 0..n {
                if let Some(ya) = defaulted(a) {
                    count += 1;
                    first = first.min(ya);
                    for b in 0..n {
                        if defaulted(b).is_some() {
                            stats.counters[layout.both_defaulted(a, b)] += 1;
                        }
                    }
                }
            }
            if count > 1 {
                stats.counters[layout.cascades()] += 1;
                for e in 0..n {
                    if defaulted(e) == Some(first) && block.entities[e].default_unaided[l] {
                        stats.counters[layout.started(e)] += 1;
                    }
                }
            }
        }
        stats.paths += w as u64;
    }
}

/// Internal revenue as a share of gross revenue, zero without revenue.
pub fn circularity(internal: f64, gross: f64) -> f64 {
    if gross > 0.0 { internal / gross } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A block's statistics are the same compiled for AVX2 (where the processor has it, as
    /// `record_block` runs it) and for plain x86-64: 128 `network.toml` paths recorded both
    /// ways.
    #[test]
    fn both_compilations_of_record_block_give_the_same_statistics() {
        let (scenario, v, keys) = super::super::path::tests::network_block_inputs();
        let network = scenario.network.as_ref().unwrap();
        let mut block = network.block(keys.len());
        network.simulate_block(&v, &keys, &mut block).unwrap();
        let (mut dispatched, mut plain) = (
            NetworkSummary::empty(network),
            NetworkSummary::empty(network),
        );
        for _ in 0..2 {
            dispatched.record_block(network, scenario.start_year, &block);
            plain.record_block_inline(network, scenario.start_year, &block);
        }
        assert_eq!(dispatched, plain);
        assert_eq!(plain.paths(), 2 * keys.len() as u64);
    }
}
