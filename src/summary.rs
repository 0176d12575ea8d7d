//! The typed result of a run: [`RunSummary`], what it says about the events a path either
//! does or does not reach ([`Event`], [`Probability`]), and how paths are recorded into it.
//!
//! A run summary holds, for one scenario, the statistics of every metric in every year, of the
//! funding gap and of the NPV, a counter per threshold and per "EBIT >= 0 in year y", and the
//! year distributions of break-even and payback. Where each lives inside the mergeable
//! [`Summary`] is private to this module: everything else reads it through the accessors.

use serde::Serialize;

use crate::engine::Merge;
use crate::model::{Block, Metric, PathResults};
use crate::scenario::Scenario;
use crate::scenario::overrides::nearest_keys;
use crate::stats::{MetricStats, Summary, YearCounts, Z95, wilson_interval};

/// Where each recorded quantity lives in a [`Summary`] for a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Layout {
    years: usize,
    thresholds: usize,
}

impl Layout {
    fn of(scenario: &Scenario) -> Layout {
        Layout {
            years: scenario.years(),
            thresholds: scenario.thresholds.len(),
        }
    }

    fn metric(&self, metric: Metric, y: usize) -> usize {
        metric as usize * self.years + y
    }

    fn funding_gap(&self) -> usize {
        Metric::ALL.len() * self.years
    }

    fn npv(&self) -> usize {
        self.funding_gap() + 1
    }

    fn series(&self) -> usize {
        self.npv() + 1
    }

    fn threshold(&self, i: usize) -> usize {
        i
    }

    fn profitable(&self, y: usize) -> usize {
        self.thresholds + y
    }

    fn counters(&self) -> usize {
        self.thresholds + self.years
    }

    const BREAK_EVEN: usize = 0;
    const PAYBACK: usize = 1;

    fn empty_summary(&self) -> Summary {
        Summary::new(self.series(), self.counters(), 2, self.years)
    }
}

/// A request that a run keep one metric's value in one year on each of its first paths, for
/// an analysis that ranks paths (the waterfall's median path) without simulating them again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeepFirst {
    pub metric: Metric,
    /// The year index.
    pub year: usize,
    /// Paths with a global index below this are kept.
    pub paths: u64,
}

/// What a run kept for a [`KeepFirst`]: the values of its paths below the requested count,
/// in runs of consecutive paths as the run's threads recorded them.
#[derive(Debug, Clone, PartialEq)]
pub struct FirstPaths {
    pub request: KeepFirst,
    /// Each run's first path's global index and the values of its paths in order.
    runs: Vec<(u64, Vec<f64>)>,
}

impl FirstPaths {
    fn new(request: KeepFirst) -> FirstPaths {
        FirstPaths {
            request,
            runs: Vec::new(),
        }
    }

    /// Adds the values of paths `first..` (those below the requested count).
    fn push(&mut self, first: u64, values: &[f64]) {
        let wanted = self
            .request
            .paths
            .saturating_sub(first)
            .min(values.len() as u64) as usize;
        if wanted == 0 {
            return;
        }
        match self.runs.last_mut() {
            Some((start, kept)) if *start + kept.len() as u64 == first => {
                kept.extend_from_slice(&values[..wanted]);
            }
            _ => self.runs.push((first, values[..wanted].to_vec())),
        }
    }

    /// Each kept path's value and global index, in path order, if together they are
    /// consecutive paths (a run cancelled part way may leave gaps).
    pub fn indexed(&self) -> Option<Vec<(f64, u64)>> {
        let mut runs: Vec<&(u64, Vec<f64>)> = self.runs.iter().collect();
        runs.sort_unstable_by_key(|(start, _)| *start);
        let mut indexed = Vec::with_capacity(runs.iter().map(|(_, v)| v.len()).sum());
        for (start, values) in runs {
            if indexed.last().is_some_and(|&(_, i)| i + 1 != *start) {
                return None;
            }
            indexed.extend(values.iter().zip(*start..).map(|(&x, i)| (x, i)));
        }
        Some(indexed)
    }
}

/// Everything a run of a scenario remembers about its paths.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    layout: Layout,
    stats: Summary,
    first: Option<FirstPaths>,
}

impl RunSummary {
    /// An empty summary for `scenario`.
    pub fn empty(scenario: &Scenario) -> RunSummary {
        let layout = Layout::of(scenario);
        RunSummary {
            layout,
            stats: layout.empty_summary(),
            first: None,
        }
    }

    /// This summary, keeping what `keep` asks of the paths recorded from now on.
    pub fn keeping(self, keep: Option<KeepFirst>) -> RunSummary {
        let first = keep.map(FirstPaths::new);
        RunSummary { first, ..self }
    }

    /// What the run kept of its first paths, if it was asked to (see [`KeepFirst`]).
    pub fn first_paths(&self) -> Option<&FirstPaths> {
        self.first.as_ref()
    }

    /// The summary of `scenario` held by `stats` (read back from a part file, say), or `None`
    /// when its accumulators do not fit the scenario.
    pub fn from_stats(scenario: &Scenario, stats: Summary) -> Option<RunSummary> {
        let empty = RunSummary::empty(scenario);
        empty
            .stats
            .same_layout(&stats)
            .then_some(RunSummary { stats, ..empty })
    }

    /// The mergeable accumulators, as part files store them.
    pub fn stats(&self) -> &Summary {
        &self.stats
    }

    /// Paths recorded.
    pub fn paths(&self) -> u64 {
        self.stats.paths
    }

    /// Simulated years, start and horizon included.
    pub fn years(&self) -> usize {
        self.layout.years
    }

    /// The probability of the scenario's threshold `i`.
    pub fn threshold(&self, i: usize) -> Probability {
        self.probability(Event::Threshold(i))
    }

    /// The probability of EBIT >= 0 in year index `year`.
    pub fn profitable(&self, year: usize) -> Probability {
        Probability::from_counts(
            self.stats.counters[self.layout.profitable(year)],
            self.paths(),
        )
    }

    /// The years of operating break-even (EBIT >= 0 from that year through the horizon).
    pub fn break_even(&self) -> &YearCounts {
        &self.stats.events[Layout::BREAK_EVEN]
    }

    /// The years of cash payback (cumulative free cash flow >= 0 from then on).
    pub fn payback(&self) -> &YearCounts {
        &self.stats.events[Layout::PAYBACK]
    }

    /// Paths where `event` happened.
    pub fn hits(&self, event: Event) -> u64 {
        match event {
            Event::Threshold(i) => self.stats.counters[self.layout.threshold(i)],
            Event::BreakEven => within_horizon(self.break_even()),
            Event::Payback => within_horizon(self.payback()),
        }
    }

    /// The probability of `event`, with its Wilson interval.
    pub fn probability(&self, event: Event) -> Probability {
        Probability::from_counts(self.hits(event), self.paths())
    }

    /// Every event of the summary's scenario: its thresholds, then break-even and payback.
    pub fn events(&self) -> impl Iterator<Item = Event> {
        (0..self.layout.thresholds)
            .map(Event::Threshold)
            .chain([Event::BreakEven, Event::Payback])
    }

    /// The statistics of `metric` in year index `year`.
    pub fn metric(&self, metric: Metric, year: usize) -> &MetricStats {
        &self.stats.series[self.layout.metric(metric, year)]
    }

    /// The statistics of the funding gap.
    pub fn funding_gap(&self) -> &MetricStats {
        &self.stats.series[self.layout.funding_gap()]
    }

    /// The statistics of the NPV.
    pub fn npv(&self) -> &MetricStats {
        &self.stats.series[self.layout.npv()]
    }

    /// Records the paths of `block`, simulated from `scenario`, whose first path has global
    /// index `first_path`: each series' values of the block go into its statistics as one
    /// batch.
    pub fn record_block(&mut self, scenario: &Scenario, block: &Block, first_path: u64) {
        let layout = self.layout;
        let values = block.values();
        let w = block.width();
        if let Some(kept) = &mut self.first {
            let series = layout.metric(kept.request.metric, kept.request.year);
            kept.push(first_path, &values[series * w..(series + 1) * w]);
        }
        let stats = &mut self.stats;
        for (k, threshold) in scenario.thresholds.iter().enumerate() {
            stats.counters[layout.threshold(k)] +=
                threshold.met_in_block(block, scenario.start_year);
        }
        let ebit = layout.metric(Metric::Ebit, 0);
        for y in 0..layout.years {
            let lanes = &values[(ebit + y) * w..(ebit + y + 1) * w];
            let profitable = lanes.iter().filter(|&&x| x >= 0.0).count();
            stats.counters[layout.profitable(y)] += profitable as u64;
        }
        for l in 0..w {
            let path = block.lane(l);
            stats.events[Layout::BREAK_EVEN].record(path.break_even());
            stats.events[Layout::PAYBACK].record(path.payback());
        }
        stats.paths += w as u64;
        crate::stats::add_batches(&mut stats.series, values, w);
    }

    /// Adds another summary of the same scenario, exactly.
    pub fn merge(&mut self, other: &RunSummary) {
        debug_assert_eq!(self.layout, other.layout);
        self.stats.merge(&other.stats);
        if let (Some(a), Some(b)) = (&mut self.first, &other.first) {
            a.runs.extend(b.runs.iter().cloned());
        }
    }
}

fn within_horizon(counts: &YearCounts) -> u64 {
    counts.total() - counts.never()
}

impl Merge for RunSummary {
    fn merge(&mut self, other: RunSummary) {
        RunSummary::merge(self, &other);
    }

    fn settle(&mut self) {
        self.stats.settle();
    }
}

/// A probability estimated from paths.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Probability {
    /// Share of paths where the event happened.
    pub probability: f64,
    /// Wilson 95% interval.
    pub ci95: [f64; 2],
    /// Number of paths where it happened.
    pub paths: u64,
}

impl Probability {
    pub fn from_counts(hits: u64, trials: u64) -> Probability {
        let (low, high) = wilson_interval(hits, trials, Z95);
        Probability {
            probability: if trials == 0 {
                0.0
            } else {
                hits as f64 / trials as f64
            },
            ci95: [low, high],
            paths: hits,
        }
    }

    /// Half the width of the 95% interval.
    pub fn half_width(&self) -> f64 {
        0.5 * (self.ci95[1] - self.ci95[0])
    }
}

/// Something a path either does or does not do: one of the scenario's thresholds, operating
/// break-even within the horizon, or cash payback within the horizon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The scenario's threshold with this index.
    Threshold(usize),
    /// EBIT >= 0 from some year through the horizon.
    BreakEven,
    /// Cumulative free cash flow >= 0 from some year through the horizon.
    Payback,
}

/// An event name that is none of a scenario's events.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{origin}: no event named '{name}'; {}", one_of(.choices, .suggestions))]
pub struct UnknownEvent {
    pub origin: String,
    pub name: String,
    pub choices: Vec<String>,
    pub suggestions: Vec<String>,
}

fn one_of(choices: &[String], suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        format!("expected one of {}", choices.join(", "))
    } else {
        format!("did you mean {}?", suggestions.join(" or "))
    }
}

impl Event {
    /// The name of operating break-even within the horizon.
    pub const BREAK_EVEN: &'static str = "break_even";
    /// The name of cash payback within the horizon.
    pub const PAYBACK: &'static str = "payback";

    /// Every event of a scenario: its thresholds, then break-even and payback.
    pub fn all(scenario: &Scenario) -> Vec<Event> {
        (0..scenario.thresholds.len())
            .map(Event::Threshold)
            .chain([Event::BreakEven, Event::Payback])
            .collect()
    }

    /// The event with this name: a threshold's key, `break_even` or `payback`.
    pub fn named(name: &str, scenario: &Scenario) -> Result<Event, UnknownEvent> {
        let all = Event::all(scenario);
        if let Some(e) = all.iter().find(|e| e.name(scenario) == name) {
            return Ok(*e);
        }
        let names: Vec<String> = all.iter().map(|e| e.name(scenario).to_string()).collect();
        Err(UnknownEvent {
            origin: scenario.origin.clone(),
            name: name.to_string(),
            suggestions: nearest_keys(name, &names),
            choices: names,
        })
    }

    /// The name: the threshold's key, `break_even` or `payback`.
    pub fn name(self, scenario: &Scenario) -> &str {
        match self {
            Event::Threshold(i) => &scenario.thresholds[i].name,
            Event::BreakEven => Event::BREAK_EVEN,
            Event::Payback => Event::PAYBACK,
        }
    }

    /// A readable description.
    pub fn label(self, scenario: &Scenario) -> String {
        match self {
            Event::Threshold(i) => scenario.thresholds[i].label.clone(),
            Event::BreakEven => format!(
                "Operating break-even by {} (EBIT >= 0 from some year through the horizon)",
                scenario.horizon
            ),
            Event::Payback => format!(
                "Cash payback by {} (cumulative free cash flow >= 0 through the horizon)",
                scenario.horizon
            ),
        }
    }

    /// Whether the event happened on one path.
    pub fn happened(self, t: &impl PathResults, scenario: &Scenario) -> bool {
        match self {
            Event::Threshold(i) => scenario.thresholds[i].is_met(t, scenario.start_year),
            Event::BreakEven => t.break_even().is_some(),
            Event::Payback => t.payback().is_some(),
        }
    }

    /// Name and label, for outputs.
    pub fn info(self, scenario: &Scenario) -> EventInfo {
        EventInfo {
            name: self.name(scenario).to_string(),
            label: self.label(scenario),
        }
    }
}

/// An event as outputs name it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventInfo {
    /// A threshold's key, `break_even` or `payback`.
    pub name: String,
    pub label: String,
}
