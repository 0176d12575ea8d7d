//! Comparison of two scenarios on common random numbers: every path runs in scenario A and in
//! scenario B with the same key, so each input both share draws the same value and each
//! yearly random process the same numbers, and the outcomes pair up path by path.
//!
//! For every event the two scenarios share (by name) the paths fall into four cells: met in
//! both, in A only, in B only, in neither. The difference of probabilities `p_B - p_A` gets
//! Newcombe's hybrid score interval for paired proportions (Newcombe 1998, "Improved
//! confidence intervals for the difference between binomial proportions based on paired
//! data", method 10): the Wilson intervals of the two margins combined with the correlation
//! of the pairs. With the correlation set to zero the same formula is the interval two
//! independent runs would give, reported beside it. Metrics are compared by their medians
//! and means; the mean difference gets the paired normal interval `d̄ ± z·s_d/√n`, where
//! `s_d` is the standard deviation of the per-path differences.

use std::sync::atomic::AtomicBool;

use serde::Serialize;

use super::AnalysisError;
use crate::engine::BLOCK_PATHS;
use crate::engine::{self, Experiment, Merge, Plan, Progress};
use crate::model::Metric;
use crate::model::PathResults;
use crate::rng::ChunkRng;
use crate::sampler::Sampler;
use crate::scenario::Scenario;
use crate::simulation::{PathError, RunError, Simulation, Worker};
use crate::stats::{ExactSum, MetricStats, Z95, wilson_interval};
use crate::summary::{Event, Probability, RunSummary};
use crate::unit::Unit;

/// The 95% interval of `p_b - p_a` from the four cells of paired outcomes (Newcombe 1998,
/// method 10), and the interval two independent samples of the same sizes would give (the
/// same formula with no correlation). `cells` = [both, a only, b only, neither].
pub fn paired_difference_interval(cells: [u64; 4]) -> ([f64; 2], [f64; 2]) {
    let [both, a_only, b_only, neither] = cells.map(|c| c as f64);
    let n = both + a_only + b_only + neither;
    if n == 0.0 {
        return ([-1.0, 1.0], [-1.0, 1.0]);
    }
    let hits_a = cells[0] + cells[1];
    let hits_b = cells[0] + cells[2];
    let trials = cells.iter().sum::<u64>();
    let (pa, pb) = (hits_a as f64 / n, hits_b as f64 / n);
    let (la, ua) = wilson_interval(hits_a, trials, Z95);
    let (lb, ub) = wilson_interval(hits_b, trials, Z95);
    // The correlation of the pairs, Newcombe's phi with its continuity adjustment when the
    // product of concordant cells exceeds that of the discordant ones.
    let margins = (both + a_only) * (b_only + neither) * (both + b_only) * (a_only + neither);
    let phi = if margins == 0.0 {
        0.0
    } else {
        let cross = both * neither - a_only * b_only;
        let adjusted = if cross > 0.0 {
            (cross - n / 2.0).max(0.0)
        } else {
            cross
        };
        adjusted / margins.sqrt()
    };
    let delta = pb - pa;
    let interval = |phi: f64| {
        let (dl_b, du_a) = (pb - lb, ua - pa);
        let (du_b, dl_a) = (ub - pb, pa - la);
        let low = delta
            - (dl_b * dl_b - 2.0 * phi * dl_b * du_a + du_a * du_a)
                .max(0.0)
                .sqrt();
        let high = delta
            + (du_b * du_b - 2.0 * phi * du_b * dl_a + dl_a * dl_a)
                .max(0.0)
                .sqrt();
        [low.max(-1.0), high.min(1.0)]
    };
    (interval(phi), interval(0.0))
}

/// One side of a comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    pub name: String,
    pub file: String,
    /// Hash of the scenario after overrides.
    pub fingerprint: String,
}

impl Side {
    fn of(s: &Scenario) -> Side {
        Side {
            name: s.name.clone(),
            file: s.origin.clone(),
            fingerprint: s.fingerprint(),
        }
    }
}

/// Paths by their outcome in A and in B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Cells {
    pub both: u64,
    pub a_only: u64,
    pub b_only: u64,
    pub neither: u64,
}

/// One event in both scenarios.
#[derive(Debug, Clone, Serialize)]
pub struct EventComparison {
    pub name: String,
    /// The event as A describes it.
    pub label: String,
    pub a: Probability,
    pub b: Probability,
    /// `b.probability - a.probability`, computed as (paths in B only - paths in A only) / paths.
    pub difference: f64,
    /// Paired 95% interval of the difference (Newcombe 1998, method 10).
    pub ci95: [f64; 2],
    /// The 95% interval two independent runs of the same size would give.
    pub ci95_independent: [f64; 2],
    pub cells: Cells,
}

/// The median and mean of a quantity in one scenario.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Centre {
    pub median: Option<f64>,
    pub mean: Option<f64>,
}

impl Centre {
    fn of(stats: &MetricStats) -> Centre {
        Centre {
            median: stats.quantile(0.5),
            mean: stats.mean(),
        }
    }
}

/// A quantity in both scenarios.
#[derive(Debug, Clone, Serialize)]
pub struct QuantityComparison {
    /// The calendar year, for a metric.
    pub year: Option<i32>,
    pub a: Centre,
    pub b: Centre,
    /// `b.median - a.median`.
    pub median_difference: Option<f64>,
    /// `b.mean - a.mean`: the mean of the per-path differences.
    pub mean_difference: Option<f64>,
    /// Paired 95% interval of the mean difference.
    pub mean_difference_ci95: Option<[f64; 2]>,
}

/// A metric in both scenarios, year by year.
#[derive(Debug, Clone, Serialize)]
pub struct MetricComparison {
    pub name: &'static str,
    pub unit: Unit,
    pub description: &'static str,
    pub years: Vec<QuantityComparison>,
}

/// A finished comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub a: Side,
    pub b: Side,
    /// The overrides that make B (from the command line).
    pub overrides: Vec<String>,
    pub seed: u64,
    /// Paths, each run in both scenarios.
    pub paths: u64,
    pub sampler: &'static str,
    /// The events both scenarios have, by name.
    pub events: Vec<EventComparison>,
    /// Event names only one scenario has (not compared).
    pub unmatched_events: Vec<String>,
    /// The deepest cash deficit over the horizon.
    pub funding_gap: QuantityComparison,
    /// NPV of free cash flow.
    pub npv: QuantityComparison,
    /// Metrics over the calendar years both scenarios simulate.
    pub metrics: Vec<MetricComparison>,
}

/// Sums of per-path differences of one quantity, exact across chunks.
#[derive(Debug, Clone, Default)]
struct DifferenceSums {
    sum: ExactSum,
    squares: ExactSum,
}

/// What a paired run adds up: each side's summary, the four cells of each shared event, and
/// the sums of the per-path differences of each compared quantity.
struct PairedSummary {
    a: RunSummary,
    b: RunSummary,
    cells: Vec<[u64; 4]>,
    differences: Vec<DifferenceSums>,
}

impl Merge for PairedSummary {
    fn merge(&mut self, other: PairedSummary) {
        self.a.merge(&other.a);
        self.b.merge(&other.b);
        for (c, o) in self.cells.iter_mut().zip(&other.cells) {
            for k in 0..4 {
                c[k] += o[k];
            }
        }
        for (d, o) in self.differences.iter_mut().zip(&other.differences) {
            d.sum.merge(&o.sum);
            d.squares.merge(&o.squares);
        }
    }

    fn settle(&mut self) {
        Merge::settle(&mut self.a);
        Merge::settle(&mut self.b);
    }
}

/// A quantity compared path by path.
#[derive(Debug, Clone, Copy)]
enum Quantity {
    /// A metric in year index `a` of A and `b` of B (the same calendar year).
    Metric {
        metric: Metric,
        a: usize,
        b: usize,
    },
    FundingGap,
    Npv,
}

impl Quantity {
    fn value(self, t: &impl PathResults, in_a: bool) -> f64 {
        match self {
            Quantity::Metric { metric, a, b } => t.get(metric, if in_a { a } else { b }),
            Quantity::FundingGap => t.funding_gap(),
            Quantity::Npv => t.npv(),
        }
    }
}

struct PairedRun<'a> {
    a: Simulation<'a>,
    b: Simulation<'a>,
    scenario_a: &'a Scenario,
    scenario_b: &'a Scenario,
    events: Vec<(Event, Event)>,
    quantities: Vec<Quantity>,
}

struct PairedWorker {
    a: Worker,
    b: Worker,
    /// This chunk's sums of differences and of their squares, per quantity.
    chunk_sums: Vec<(f64, f64)>,
}

impl Experiment for PairedRun<'_> {
    type Worker = PairedWorker;
    type Summary = PairedSummary;
    type Error = PathError;

    fn worker(&self) -> PairedWorker {
        PairedWorker {
            a: self.a.worker(),
            b: self.b.worker(),
            chunk_sums: vec![(0.0, 0.0); self.quantities.len()],
        }
    }

    fn empty_summary(&self) -> PairedSummary {
        PairedSummary {
            a: RunSummary::empty(self.scenario_a),
            b: RunSummary::empty(self.scenario_b),
            cells: vec![[0; 4]; self.events.len()],
            differences: vec![DifferenceSums::default(); self.quantities.len()],
        }
    }

    fn run_chunk(
        &self,
        first_path: u64,
        paths: usize,
        rng: &mut ChunkRng,
        w: &mut PairedWorker,
        summary: &mut PairedSummary,
    ) -> Result<(), PathError> {
        self.a.begin_chunk(paths, rng, &mut w.a);
        self.b.begin_chunk(paths, rng, &mut w.b);
        w.chunk_sums.fill((0.0, 0.0));
        for start in (0..paths).step_by(BLOCK_PATHS) {
            let width = BLOCK_PATHS.min(paths - start);
            let index = first_path + start as u64;
            // Both sides take the same keys: a copy of the chunk's generator for each.
            let mut rng_b = rng.clone();
            let block_a = self.a.run_block(start, index, width, rng, &mut w.a)?;
            let block_b = self
                .b
                .run_block(start, index, width, &mut rng_b, &mut w.b)?;
            let (ra, rb) = (block_a.results(), block_b.results());
            summary.a.record_block(self.scenario_a, ra, index);
            summary.b.record_block(self.scenario_b, rb, index);
            for l in 0..width {
                let (ta, tb) = (ra.lane(l), rb.lane(l));
                for ((ea, eb), cell) in self.events.iter().zip(summary.cells.iter_mut()) {
                    let in_a = ea.happened(&ta, self.scenario_a);
                    let in_b = eb.happened(&tb, self.scenario_b);
                    let k = match (in_a, in_b) {
                        (true, true) => 0,
                        (true, false) => 1,
                        (false, true) => 2,
                        (false, false) => 3,
                    };
                    cell[k] += 1;
                }
                for (q, sums) in self.quantities.iter().zip(w.chunk_sums.iter_mut()) {
                    let d = q.value(&tb, false) - q.value(&ta, true);
                    sums.0 += d;
                    sums.1 += d * d;
                }
            }
        }
        for (d, &(sum, squares)) in summary.differences.iter_mut().zip(&w.chunk_sums) {
            d.sum.add(sum);
            d.squares.add(squares);
        }
        Ok(())
    }
}

/// The mean difference and its paired 95% interval from the sums over `n` paths.
fn mean_difference(d: &DifferenceSums, n: u64) -> (Option<f64>, Option<[f64; 2]>) {
    if n == 0 {
        return (None, None);
    }
    let nf = n as f64;
    let mean = d.sum.value() / nf;
    if n < 2 || !mean.is_finite() {
        return (Some(mean), None);
    }
    let variance = ((d.squares.value() - d.sum.value() * mean) / (nf - 1.0)).max(0.0);
    let half = Z95 * (variance / nf).sqrt();
    (Some(mean), Some([mean - half, mean + half]))
}

fn compare_quantity(
    a: &MetricStats,
    b: &MetricStats,
    d: &DifferenceSums,
    n: u64,
    year: Option<i32>,
) -> QuantityComparison {
    let (ca, cb) = (Centre::of(a), Centre::of(b));
    let (mean_difference, ci) = mean_difference(d, n);
    QuantityComparison {
        year,
        a: ca,
        b: cb,
        median_difference: ca.median.zip(cb.median).map(|(x, y)| y - x),
        mean_difference,
        mean_difference_ci95: ci,
    }
}

/// Runs every path of `plan` in `a` and in `b` with the same keys and compares them.
/// `overrides` are recorded as what makes B.
pub fn compare(
    a: &Scenario,
    b: &Scenario,
    overrides: Vec<String>,
    plan: &Plan,
    sampler: Sampler,
    progress: &dyn Progress,
) -> Result<Comparison, AnalysisError> {
    let never = AtomicBool::new(false);
    let sampler_error = |e| AnalysisError::Usage(format!("--sampler {}: {e}", sampler.name()));
    let events_b = Event::all(b);
    let mut events = Vec::new();
    let mut unmatched = Vec::new();
    for ea in Event::all(a) {
        match events_b.iter().find(|eb| eb.name(b) == ea.name(a)) {
            Some(&eb) => events.push((ea, eb)),
            None => unmatched.push(format!("{} (A only)", ea.name(a))),
        }
    }
    for eb in &events_b {
        if !events.iter().any(|(_, e)| e == eb) {
            unmatched.push(format!("{} (B only)", eb.name(b)));
        }
    }
    // Metrics over the calendar years both simulate.
    let first = a.start_year.max(b.start_year);
    let last = a.horizon.min(b.horizon);
    let common: Vec<i32> = (first..=last).collect();
    let mut quantities = vec![Quantity::FundingGap, Quantity::Npv];
    for m in Metric::ALL {
        for &year in &common {
            quantities.push(Quantity::Metric {
                metric: m,
                a: (year - a.start_year) as usize,
                b: (year - b.start_year) as usize,
            });
        }
    }
    let run = PairedRun {
        a: Simulation::new(a, sampler, plan.seed, &never).map_err(sampler_error)?,
        b: Simulation::new(b, sampler, plan.seed, &never).map_err(sampler_error)?,
        scenario_a: a,
        scenario_b: b,
        events,
        quantities,
    };
    let outcome = engine::run(&run, plan, progress, &never).map_err(RunError::from)?;
    let s = outcome.summary;
    let n = s.a.paths();
    let events = run
        .events
        .iter()
        .zip(&s.cells)
        .map(|(&(ea, eb), &cells)| {
            let (pa, pb) = (s.a.probability(ea), s.b.probability(eb));
            let (ci95, ci95_independent) = paired_difference_interval(cells);
            EventComparison {
                name: ea.name(a).to_string(),
                label: ea.label(a),
                a: pa,
                b: pb,
                difference: (cells[2] as f64 - cells[1] as f64) / n.max(1) as f64,
                ci95,
                ci95_independent,
                cells: Cells {
                    both: cells[0],
                    a_only: cells[1],
                    b_only: cells[2],
                    neither: cells[3],
                },
            }
        })
        .collect();
    let mut differences = s.differences.iter();
    let mut next = || differences.next().expect("one sum per quantity");
    let funding_gap = compare_quantity(s.a.funding_gap(), s.b.funding_gap(), next(), n, None);
    let npv = compare_quantity(s.a.npv(), s.b.npv(), next(), n, None);
    let metrics = Metric::ALL
        .iter()
        .map(|&m| MetricComparison {
            name: m.name(),
            unit: m.unit(),
            description: m.description(),
            years: common
                .iter()
                .map(|&year| {
                    let (ya, yb) = (
                        (year - a.start_year) as usize,
                        (year - b.start_year) as usize,
                    );
                    compare_quantity(s.a.metric(m, ya), s.b.metric(m, yb), next(), n, Some(year))
                })
                .collect(),
        })
        .collect();
    Ok(Comparison {
        a: Side::of(a),
        b: Side::of(b),
        overrides,
        seed: plan.seed,
        paths: n,
        sampler: sampler.name(),
        events,
        unmatched_events: unmatched,
        funding_gap,
        npv,
        metrics,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_outcomes_give_a_zero_difference_and_a_narrow_interval() {
        // 1000 pairs, 300 met in both, none discordant.
        let (paired, independent) = paired_difference_interval([300, 0, 0, 700]);
        assert!(paired[0] <= 0.0 && paired[1] >= 0.0);
        assert!(paired[1] - paired[0] < 0.01, "{paired:?}");
        assert!(independent[1] - independent[0] > 0.07, "{independent:?}");
    }

    #[test]
    fn uncorrelated_pairs_give_the_independent_interval() {
        // both * neither == a_only * b_only: no correlation, so nothing is gained by pairing.
        let (paired, independent) = paired_difference_interval([25, 25, 25, 25]);
        assert_eq!(paired, independent);
        assert!(paired[0] < 0.0 && paired[1] > 0.0);
    }
}
