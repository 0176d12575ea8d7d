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

/// What one pass over a batch finds: the sum of its values, the sum of their offsets from
/// `x0` and of those offsets' squares, and the smallest and largest value.
struct BatchSums {
    sum: f64,
    offsets: f64,
    squares: f64,
    min: f64,
    max: f64,
}

/// [`BatchSums`] of finite `values` (not empty), in one pass. Each sum runs in four lanes
/// (value `i` in lane `i % 4`) added at the end as `(s0 + s1) + (s2 + s3)`, so that the
/// additions do not wait on each other; the order is fixed, so the result is a pure function
/// of the values and their order. The value sums start from -0.0, as `Iterator::sum` does, so
/// that a batch of negative zeros keeps its sign. The extremes run in four lanes too, by plain
/// comparisons, since no value is NaN (of a zero and a negative zero, either may be kept).
///
/// On x86-64 the four lanes are one AVX register where the processor has AVX, and two SSE2
/// registers otherwise (every x86-64 processor has SSE2), which the compiler does not find by
/// itself; elsewhere they are four scalars. All do the same operations in the same order, so
/// they give the same bits (tested).
#[inline]
fn batch_sums(values: &[f64], x0: f64) -> BatchSums {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: the processor has AVX.
            return unsafe { batch_sums_avx(values, x0) };
        }
        batch_sums_sse2(values, x0)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        batch_sums_scalar(values, x0)
    }
}

/// [`batch_sums`] with SSE2 registers: lanes 0 and 1 in one, 2 and 3 in the other.
#[cfg(target_arch = "x86_64")]
#[inline]
fn batch_sums_sse2(values: &[f64], x0: f64) -> BatchSums {
    use std::arch::x86_64::{
        __m128d, _mm_add_pd, _mm_cvtsd_f64, _mm_max_pd, _mm_min_pd, _mm_mul_pd, _mm_set_pd,
        _mm_set1_pd, _mm_setzero_pd, _mm_sub_pd, _mm_unpackhi_pd,
    };
    // SAFETY: these intrinsics only compute on registers (no memory access), and need SSE2,
    // which is part of x86-64 itself: every x86-64 processor has it.
    unsafe {
        let lanes = |v: __m128d| [_mm_cvtsd_f64(v), _mm_cvtsd_f64(_mm_unpackhi_pd(v, v))];
        let origin = _mm_set1_pd(x0);
        let (mut sum, mut offsets, mut squares) = (
            [_mm_set1_pd(-0.0); 2],
            [_mm_setzero_pd(); 2],
            [_mm_setzero_pd(); 2],
        );
        let (mut min, mut max) = ([_mm_set1_pd(values[0]); 2], [_mm_set1_pd(values[0]); 2]);
        let mut quads = values.chunks_exact(4);
        for quad in &mut quads {
            for h in 0..2 {
                let x = _mm_set_pd(quad[2 * h + 1], quad[2 * h]);
                sum[h] = _mm_add_pd(sum[h], x);
                let d = _mm_sub_pd(x, origin);
                offsets[h] = _mm_add_pd(offsets[h], d);
                squares[h] = _mm_add_pd(squares[h], _mm_mul_pd(d, d));
                // minpd(a, b) is `if a < b { a } else { b }`, and maxpd likewise.
                min[h] = _mm_min_pd(x, min[h]);
                max[h] = _mm_max_pd(x, max[h]);
            }
        }
        let four = |v: [__m128d; 2]| {
            let ([a, b], [c, d]) = (lanes(v[0]), lanes(v[1]));
            [a, b, c, d]
        };
        finish_batch_sums(
            [
                four(sum),
                four(offsets),
                four(squares),
                four(min),
                four(max),
            ],
            quads.remainder(),
            x0,
        )
    }
}

/// [`batch_sums`] with AVX registers: lanes 0 to 3 in one, so half the instructions of
/// [`batch_sums_sse2`] for the same operations on the same lanes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
#[inline]
unsafe fn batch_sums_avx(values: &[f64], x0: f64) -> BatchSums {
    use std::arch::x86_64::{
        __m256d, _mm256_add_pd, _mm256_loadu_pd, _mm256_max_pd, _mm256_min_pd, _mm256_mul_pd,
        _mm256_set1_pd, _mm256_setzero_pd, _mm256_storeu_pd, _mm256_sub_pd,
    };
    // SAFETY: the processor has AVX (the caller's contract); every load reads a whole group
    // of four values and every store writes a whole array of four.
    unsafe {
        let origin = _mm256_set1_pd(x0);
        let (mut sum, mut offsets, mut squares) = (
            _mm256_set1_pd(-0.0),
            _mm256_setzero_pd(),
            _mm256_setzero_pd(),
        );
        let (mut min, mut max) = (_mm256_set1_pd(values[0]), _mm256_set1_pd(values[0]));
        let mut quads = values.chunks_exact(4);
        for quad in &mut quads {
            let x = _mm256_loadu_pd(quad.as_ptr());
            sum = _mm256_add_pd(sum, x);
            let d = _mm256_sub_pd(x, origin);
            offsets = _mm256_add_pd(offsets, d);
            squares = _mm256_add_pd(squares, _mm256_mul_pd(d, d));
            // vminpd(a, b) is `if a < b { a } else { b }`, and vmaxpd likewise.
            min = _mm256_min_pd(x, min);
            max = _mm256_max_pd(x, max);
        }
        let mut lanes = [[0.0; 4]; 5];
        let registers: [__m256d; 5] = [sum, offsets, squares, min, max];
        for (lanes, register) in lanes.iter_mut().zip(registers) {
            _mm256_storeu_pd(lanes.as_mut_ptr(), register);
        }
        finish_batch_sums(lanes, quads.remainder(), x0)
    }
}

/// [`batch_sums`] with four scalars per sum.
#[cfg(any(not(target_arch = "x86_64"), test))]
fn batch_sums_scalar(values: &[f64], x0: f64) -> BatchSums {
    let (mut sum, mut offsets, mut squares) = ([-0.0; 4], [0.0; 4], [0.0; 4]);
    let (mut min, mut max) = ([values[0]; 4], [values[0]; 4]);
    let mut quads = values.chunks_exact(4);
    for quad in &mut quads {
        for k in 0..4 {
            let x = quad[k];
            sum[k] += x;
            let d = x - x0;
            offsets[k] += d;
            squares[k] += d * d;
            min[k] = if x < min[k] { x } else { min[k] };
            max[k] = if x > max[k] { x } else { max[k] };
        }
    }
    finish_batch_sums([sum, offsets, squares, min, max], quads.remainder(), x0)
}

/// Adds the values after the last whole group of four to the four-lane sums and extremes
/// (`[sum, offsets, squares, min, max]`), and combines the lanes.
#[inline]
fn finish_batch_sums(lanes: [[f64; 4]; 5], remainder: &[f64], x0: f64) -> BatchSums {
    let [mut sum, mut offsets, mut squares, mut min, mut max] = lanes;
    for (k, &x) in remainder.iter().enumerate() {
        sum[k] += x;
        let d = x - x0;
        offsets[k] += d;
        squares[k] += d * d;
        min[0] = if x < min[0] { x } else { min[0] };
        max[0] = if x > max[0] { x } else { max[0] };
    }
    let total = |s: [f64; 4]| (s[0] + s[1]) + (s[2] + s[3]);
    let smaller = |a: f64, b: f64| if b < a { b } else { a };
    let larger = |a: f64, b: f64| if b > a { b } else { a };
    BatchSums {
        sum: total(sum),
        offsets: total(offsets),
        squares: total(squares),
        min: smaller(smaller(min[0], min[1]), smaller(min[2], min[3])),
        max: larger(larger(max[0], max[1]), larger(max[2], max[3])),
    }
}

/// Adds the rows of `width` values of `values` (lane-minor) to `series`, one row each:
/// compiled for AVX2 too, and run so where the processor has it (the same operations in the
/// same order, so the same bits; see `Model::simulate_block`).
pub fn add_batches(series: &mut [MetricStats], values: &[f64], width: usize) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2.
        return unsafe { add_batches_avx2(series, values, width) };
    }
    add_batches_inline(series, values, width)
}

/// [`add_batches`] compiled for AVX2, with what it calls inlined.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn add_batches_avx2(series: &mut [MetricStats], values: &[f64], width: usize) {
    add_batches_inline(series, values, width)
}

#[inline(always)]
fn add_batches_inline(series: &mut [MetricStats], values: &[f64], width: usize) {
    for (series, lanes) in series.iter_mut().zip(values.chunks_exact(width)) {
        series.add_batch(lanes);
    }
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
    #[inline(always)]
    pub fn add_batch(&mut self, values: &[f64]) {
        if values.is_empty() {
            return;
        }
        let n = values.len() as f64;
        // Sums of the values' offsets from the batch's first value (paths of one
        // batch are alike, so the offsets are small and their squares lose little), then the
        // batch's sum of squares from them: sum x^2 = sum d^2 + x0 (2 sum x - n x0).
        let x0 = values[0];
        let BatchSums {
            sum,
            offsets,
            squares,
            min,
            max,
        } = batch_sums(values, x0);
        let centred = (squares - offsets * (offsets / n)).max(0.0);
        self.count += values.len() as u64;
        self.sum.add(sum);
        self.sum_of_squares.add(centred + sum * (sum / n));
        self.min = self.min.min(min);
        self.max = self.max.max(max);
        self.histogram.add_batch(values, min, max);
    }

    /// See [`LogHistogram::settle`].
    pub fn settle(&mut self) {
        self.histogram.settle();
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

    /// See [`LogHistogram::settle`].
    pub fn settle(&mut self) {
        self.series.iter_mut().for_each(MetricStats::settle);
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

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx_sse2_and_scalar_batch_sums_give_the_same_bits() {
        let bits = |b: BatchSums| [b.sum, b.offsets, b.squares, b.min, b.max].map(f64::to_bits);
        for n in [1, 2, 3, 4, 5, 7, 8, 127, 128, 129] {
            for scale in [1.0, -1e12, 1e-300] {
                let xs: Vec<f64> = (0..n)
                    .map(|i| scale * ((i as f64 * 0.754_877_666).fract() - 0.3) * 1e3)
                    .collect();
                assert_eq!(
                    bits(batch_sums(&xs, xs[0])),
                    bits(batch_sums_scalar(&xs, xs[0])),
                    "{n} values at scale {scale}"
                );
                assert_eq!(
                    bits(batch_sums_sse2(&xs, xs[0])),
                    bits(batch_sums_scalar(&xs, xs[0])),
                    "{n} values at scale {scale}"
                );
            }
            // Signed zeros keep the sign of the sum either way.
            let zeros = vec![-0.0; n];
            assert_eq!(
                bits(batch_sums(&zeros, -0.0)),
                bits(batch_sums_scalar(&zeros, -0.0))
            );
        }
    }

    #[test]
    fn both_compilations_of_the_batches_give_the_same_bits() {
        // `add_batches` runs its AVX2 compilation where the processor has it; its body called
        // from here is the plain one.
        let values: Vec<f64> = (0..40 * 128)
            .map(|i| ((i as f64 * 0.754_877_666).fract() - 0.2) * 10f64.powi(i % 13))
            .collect();
        let (mut dispatched, mut plain) = (
            vec![MetricStats::default(); 40],
            vec![MetricStats::default(); 40],
        );
        for _ in 0..3 {
            add_batches(&mut dispatched, &values, 128);
            add_batches_inline(&mut plain, &values, 128);
        }
        assert_eq!(dispatched, plain);
        for (a, b) in dispatched.iter().zip(&plain) {
            assert_eq!(a.sd().unwrap().to_bits(), b.sd().unwrap().to_bits());
        }
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
