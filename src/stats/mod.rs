//! Streaming, mergeable statistics: what a run remembers about its paths.
//!
//! Memory does not grow with the number of paths: each tracked quantity keeps a count, exact
//! sums (for the mean and standard deviation), its extremes and a log-bucket histogram (for
//! quantiles within [`histogram::RELATIVE_ERROR`]). Every merge is exact, so results do not
//! depend on how paths were split between threads or shards. Proportions get Wilson score
//! intervals (Wilson 1927), which behave at probabilities near 0 and 1 where the normal
//! approximation does not.

pub mod exact_sum;
pub mod histogram;

use serde::{Deserialize, Serialize};

pub use exact_sum::ExactSum;
pub use histogram::LogHistogram;

/// The two-sided 95% normal quantile.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Wilson score interval for `successes` out of `trials` at the normal quantile `z`.
/// Returns `(low, high)`, always within [0, 1] and containing `successes / trials`.
/// With no trials the interval is the whole of [0, 1].
///
/// ```
/// let (low, high) = breakeven::stats::wilson_interval(50, 100, breakeven::stats::Z95);
/// assert!((low - 0.4038).abs() < 1e-4 && (high - 0.5962).abs() < 1e-4);
/// ```
pub fn wilson_interval(successes: u64, trials: u64, z: f64) -> (f64, f64) {
    if trials == 0 {
        return (0.0, 1.0);
    }
    let n = trials as f64;
    let p = successes as f64 / n;
    let z2 = z * z;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denominator;
    ((centre - half).clamp(0.0, p), (centre + half).clamp(p, 1.0))
}

/// The sum of `values`, and of their offsets from `x0` and those offsets' squares, each in
/// four running sums (value `i` in sum `i % 4`) added at the end as `(s0 + s1) + (s2 + s3)`,
/// so that the additions do not wait on each other. The order is fixed, so the result is a
/// pure function of the values and their order. The value sums start from -0.0, as
/// `Iterator::sum` does, so that a batch of negative zeros keeps its sign.
#[inline]
fn lane_sums(values: &[f64], x0: f64) -> (f64, f64, f64) {
    let (mut sum, mut offsets, mut squares) = ([-0.0; 4], [0.0; 4], [0.0; 4]);
    let mut quads = values.chunks_exact(4);
    for quad in &mut quads {
        for k in 0..4 {
            sum[k] += quad[k];
            let d = quad[k] - x0;
            offsets[k] += d;
            squares[k] += d * d;
        }
    }
    for (k, &x) in quads.remainder().iter().enumerate() {
        sum[k] += x;
        let d = x - x0;
        offsets[k] += d;
        squares[k] += d * d;
    }
    let total = |s: [f64; 4]| (s[0] + s[1]) + (s[2] + s[3]);
    (total(sum), total(offsets), total(squares))
}

/// The smallest and largest of finite `values` (not empty), in four independent running
/// extremes so that the comparisons do not wait on each other. Plain comparisons, since no
/// value is NaN (of a zero and a negative zero, either may be kept).
#[inline]
fn extremes(values: &[f64]) -> (f64, f64) {
    let mut min = [values[0]; 4];
    let mut max = min;
    let mut quads = values.chunks_exact(4);
    for quad in &mut quads {
        for k in 0..4 {
            if quad[k] < min[k] {
                min[k] = quad[k];
            }
            if quad[k] > max[k] {
                max[k] = quad[k];
            }
        }
    }
    for &x in quads.remainder() {
        if x < min[0] {
            min[0] = x;
        }
        if x > max[0] {
            max[0] = x;
        }
    }
    let smaller = |a: f64, b: f64| if b < a { b } else { a };
    let larger = |a: f64, b: f64| if b > a { b } else { a };
    (
        smaller(smaller(min[0], min[1]), smaller(min[2], min[3])),
        larger(larger(max[0], max[1]), larger(max[2], max[3])),
    )
}

/// Count, exact moments, extremes and quantiles of one tracked quantity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricStats {
    count: u64,
    sum: ExactSum,
    sum_of_squares: ExactSum,
    min: f64,
    max: f64,
    histogram: LogHistogram,
}

impl Default for MetricStats {
    fn default() -> MetricStats {
        MetricStats {
            count: 0,
            sum: ExactSum::new(),
            sum_of_squares: ExactSum::new(),
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            histogram: LogHistogram::new(),
        }
    }
}

impl MetricStats {
    /// Adds a batch of finite values. The batch's own sums are formed in order and then added
    /// exactly, so the result depends only on how values were grouped into batches.
    pub fn add_batch(&mut self, values: &[f64]) {
        if values.is_empty() {
            return;
        }
        let n = values.len() as f64;
        // Sums of the values' offsets from the batch's first value (paths of one
        // batch are alike, so the offsets are small and their squares lose little), then the
        // batch's sum of squares from them: sum x^2 = sum d^2 + x0 (2 sum x - n x0).
        let x0 = values[0];
        let (sum, offsets, squares) = lane_sums(values, x0);
        let (min, max) = extremes(values);
        let centred = (squares - offsets * (offsets / n)).max(0.0);
        self.count += values.len() as u64;
        self.sum.add(sum);
        self.sum_of_squares.add(centred + sum * (sum / n));
        self.min = self.min.min(min);
        self.max = self.max.max(max);
        self.histogram.add_batch(values, min, max);
    }

    /// Adds everything another accumulator saw.
    pub fn merge(&mut self, other: &MetricStats) {
        self.count += other.count;
        self.sum.merge(&other.sum);
        self.sum_of_squares.merge(&other.sum_of_squares);
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.histogram.merge(&other.histogram);
    }

    /// Number of values.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The mean, or `None` when empty.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum.value() / self.count as f64)
    }

    /// The sample standard deviation, or `None` with fewer than two values.
    pub fn sd(&self) -> Option<f64> {
        if self.count < 2 {
            return None;
        }
        let n = self.count as f64;
        let s = self.sum.value();
        let variance = (self.sum_of_squares.value() - s * (s / n)) / (n - 1.0);
        Some(variance.max(0.0).sqrt())
    }

    /// Smallest value seen.
    pub fn min(&self) -> Option<f64> {
        (self.count > 0).then_some(self.min)
    }

    /// Largest value seen.
    pub fn max(&self) -> Option<f64> {
        (self.count > 0).then_some(self.max)
    }

    /// The `q`-quantile (nearest rank), within the histogram's relative error and clamped to
    /// the exact extremes.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        self.histogram
            .quantile(q)
            .map(|x| x.clamp(self.min, self.max))
    }
}

/// How many paths first reached an event in each year, and how many never did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct YearCounts {
    by_year: Vec<u64>,
    never: u64,
}

impl YearCounts {
    /// Counts for `years` consecutive years.
    pub fn new(years: usize) -> YearCounts {
        YearCounts {
            by_year: vec![0; years],
            never: 0,
        }
    }

    /// Records the year index at which the event happened, or `None` for never.
    #[inline]
    pub fn record(&mut self, year_index: Option<usize>) {
        match year_index {
            Some(i) => self.by_year[i] += 1,
            None => self.never += 1,
        }
    }

    /// Adds another set of counts over the same years.
    pub fn merge(&mut self, other: &YearCounts) {
        for (a, b) in self.by_year.iter_mut().zip(&other.by_year) {
            *a += b;
        }
        self.never += other.never;
    }

    /// Counts per year index.
    pub fn by_year(&self) -> &[u64] {
        &self.by_year
    }

    /// Paths where the event did not happen within the horizon.
    pub fn never(&self) -> u64 {
        self.never
    }

    /// Total paths recorded.
    pub fn total(&self) -> u64 {
        self.by_year.iter().sum::<u64>() + self.never
    }

    /// The year index of the `q`-quantile (nearest rank), `None` when that rank falls among
    /// the paths where the event never happened (or nothing was recorded).
    pub fn quantile(&self, q: f64) -> Option<usize> {
        let n = self.total();
        if n == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * n as f64).ceil() as u64).clamp(1, n);
        let mut seen = 0;
        for (i, &c) in self.by_year.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some(i);
            }
        }
        None
    }
}

/// Everything a run accumulates: per-series statistics, event counters, and year
/// distributions of events. Which index means what is the caller's layout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Paths added.
    pub paths: u64,
    pub series: Vec<MetricStats>,
    pub counters: Vec<u64>,
    pub events: Vec<YearCounts>,
}

impl Summary {
    /// An empty summary with the given numbers of series, counters and event distributions
    /// over `years` years.
    pub fn new(series: usize, counters: usize, events: usize, years: usize) -> Summary {
        Summary {
            paths: 0,
            series: vec![MetricStats::default(); series],
            counters: vec![0; counters],
            events: vec![YearCounts::new(years); events],
        }
    }

    /// Adds another summary with the same layout.
    pub fn merge(&mut self, other: &Summary) {
        self.paths += other.paths;
        for (a, b) in self.series.iter_mut().zip(&other.series) {
            a.merge(b);
        }
        for (a, b) in self.counters.iter_mut().zip(&other.counters) {
            *a += b;
        }
        for (a, b) in self.events.iter_mut().zip(&other.events) {
            a.merge(b);
        }
    }

    /// Whether another summary has the same layout and can be merged with this one.
    pub fn same_layout(&self, other: &Summary) -> bool {
        self.series.len() == other.series.len()
            && self.counters.len() == other.counters.len()
            && self.events.len() == other.events.len()
            && self
                .events
                .iter()
                .zip(&other.events)
                .all(|(a, b)| a.by_year.len() == b.by_year.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_a_textbook_value_and_contains_the_estimate() {
        // Agresti & Coull (1998): 0 successes in 10 trials gives [0, 0.2775] at 95%.
        let (lo, hi) = wilson_interval(0, 10, Z95);
        assert_eq!(lo, 0.0);
        assert!((hi - 0.2775).abs() < 1e-4);
        for (k, n) in [(0, 1), (1, 1), (3, 7), (999, 1000), (1000, 1000)] {
            let (lo, hi) = wilson_interval(k, n, Z95);
            let p = k as f64 / n as f64;
            assert!(lo <= p && p <= hi && lo >= 0.0 && hi <= 1.0);
        }
        assert_eq!(wilson_interval(0, 0, Z95), (0.0, 1.0));
    }

    #[test]
    fn moments_match_direct_computation() {
        let xs: Vec<f64> = (0..1000).map(|i| 1e9 + (i as f64).cos() * 1e6).collect();
        let mut m = MetricStats::default();
        for part in xs.chunks(64) {
            m.add_batch(part);
        }
        let mean = xs.iter().sum::<f64>() / 1000.0;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 999.0;
        assert!((m.mean().unwrap() - mean).abs() <= 1e-12 * mean);
        assert!((m.sd().unwrap() - var.sqrt()).abs() <= 1e-6 * var.sqrt());
        assert_eq!(m.count(), 1000);
    }

    #[test]
    fn constant_values_have_zero_spread_to_many_digits() {
        let mut m = MetricStats::default();
        for _ in 0..100 {
            m.add_batch(&[1.234e11; 1000]);
        }
        assert_eq!(m.mean(), Some(1.234e11));
        assert!(m.sd().unwrap() <= 1e-7 * 1.234e11);
        assert_eq!(m.quantile(0.5), Some(1.234e11));
    }

    #[test]
    fn year_counts_quantiles_treat_never_as_last() {
        let mut c = YearCounts::new(3);
        c.record(Some(0));
        c.record(Some(2));
        c.record(None);
        c.record(None);
        assert_eq!(c.quantile(0.25), Some(0));
        assert_eq!(c.quantile(0.5), Some(2));
        assert_eq!(c.quantile(0.75), None);
        assert_eq!(c.total(), 4);
    }
}
