//! A mergeable log-bucket histogram for quantiles with a stated relative error.
//!
//! Buckets follow the bit pattern of an `f64`: a positive double's bits, shifted right so that
//! only the exponent and the top [`SUB_BITS`] mantissa bits remain, are a monotone bucket key.
//! Each bucket spans a relative width of at most `2^-SUB_BITS`, and a quantile is reported as
//! the midpoint of its bucket (clamped to the exact minimum and maximum), so its relative error
//! is at most `2^-(SUB_BITS+1)` = [`RELATIVE_ERROR`] (about 0.2%). Values with magnitude below
//! [`ZERO_BELOW`] are counted as zero. This is the log-linear layout of HdrHistogram and the
//! relative-error guarantee of DDSketch (Masson et al. 2019). Counts are integers, so merging
//! is exact and order-independent. Storage covers only the occupied key range of each sign.

use serde::{Deserialize, Serialize};

/// Mantissa bits kept in a bucket key: 256 buckets per factor of two.
pub const SUB_BITS: u32 = 8;
/// The largest relative error of a reported quantile (for values of magnitude >= ZERO_BELOW).
pub const RELATIVE_ERROR: f64 = 1.0 / (1u64 << (SUB_BITS + 1)) as f64;
/// Magnitudes below this are counted as exactly zero.
pub const ZERO_BELOW: f64 = 1e-6;

const SHIFT: u32 = 52 - SUB_BITS;

fn key(magnitude: f64) -> i64 {
    (magnitude.to_bits() >> SHIFT) as i64
}

fn bucket_midpoint(key: i64) -> f64 {
    let low = f64::from_bits((key as u64) << SHIFT);
    let high = f64::from_bits(((key + 1) as u64) << SHIFT);
    0.5 * (low + high)
}

/// Counts for one sign, dense over the occupied key range.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Store {
    offset: i64,
    counts: Vec<u64>,
}

impl Store {
    fn add(&mut self, key: i64, count: u64) {
        if self.counts.is_empty() {
            self.offset = key;
            self.counts.push(0);
        } else if key < self.offset {
            let grow = (self.offset - key) as usize;
            self.counts.splice(0..0, std::iter::repeat_n(0, grow));
            self.offset = key;
        } else if key >= self.offset + self.counts.len() as i64 {
            self.counts.resize((key - self.offset) as usize + 1, 0);
        }
        self.counts[(key - self.offset) as usize] += count;
    }

    /// Grows the dense range to cover keys `low..=high` (no-op when `low > high`).
    fn cover(&mut self, low: i64, high: i64) {
        if low <= high {
            self.add(low, 0);
            self.add(high, 0);
        }
    }

    /// Counts one key already inside the covered range.
    #[inline]
    fn add_covered(&mut self, key: i64) {
        self.counts[(key - self.offset) as usize] += 1;
    }

    fn merge(&mut self, other: &Store) {
        if other.counts.is_empty() {
            return;
        }
        // Grow once to cover both ranges, then add in place.
        self.add(other.offset, 0);
        self.add(other.offset + other.counts.len() as i64 - 1, 0);
        let start = (other.offset - self.offset) as usize;
        for (slot, &c) in self.counts[start..].iter_mut().zip(&other.counts) {
            *slot += c;
        }
    }

    /// (key, count) pairs in increasing key order.
    fn iter(&self) -> impl DoubleEndedIterator<Item = (i64, u64)> + '_ {
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(move |(i, &c)| (self.offset + i as i64, c))
    }
}

/// A histogram of finite values with relative-error quantiles.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogHistogram {
    negative: Store,
    zeros: u64,
    positive: Store,
}

impl LogHistogram {
    /// An empty histogram.
    pub fn new() -> LogHistogram {
        LogHistogram::default()
    }

    /// Counts one finite value.
    #[inline]
    pub fn add(&mut self, x: f64) {
        let m = x.abs();
        if m < ZERO_BELOW {
            self.zeros += 1;
        } else if x > 0.0 {
            self.positive.add(key(m), 1);
        } else {
            self.negative.add(key(m), 1);
        }
    }

    /// Counts a batch of finite values whose smallest and largest are `min` and `max`: the
    /// same counts as adding them one by one, but the storage grows once per batch, and a
    /// batch of one sign (the common case) is counted without a test per value.
    pub fn add_batch(&mut self, values: &[f64], min: f64, max: f64) {
        if min >= ZERO_BELOW {
            self.positive.cover(key(min), key(max));
            values
                .iter()
                .for_each(|&x| self.positive.add_covered(key(x)));
        } else if max <= -ZERO_BELOW {
            self.negative.cover(key(-max), key(-min));
            values
                .iter()
                .for_each(|&x| self.negative.add_covered(key(-x)));
        } else {
            // Mixed signs: find each sign's key range first, so storage grows exactly as far
            // as adding the values one by one would.
            let (mut positive, mut negative) = ((i64::MAX, i64::MIN), (i64::MAX, i64::MIN));
            for &x in values {
                let m = x.abs();
                if m >= ZERO_BELOW {
                    let k = key(m);
                    let range = if x > 0.0 {
                        &mut positive
                    } else {
                        &mut negative
                    };
                    *range = (range.0.min(k), range.1.max(k));
                }
            }
            self.positive.cover(positive.0, positive.1);
            self.negative.cover(negative.0, negative.1);
            for &x in values {
                let m = x.abs();
                if m < ZERO_BELOW {
                    self.zeros += 1;
                } else if x > 0.0 {
                    self.positive.add_covered(key(m));
                } else {
                    self.negative.add_covered(key(m));
                }
            }
        }
    }

    /// Adds another histogram's counts.
    pub fn merge(&mut self, other: &LogHistogram) {
        self.negative.merge(&other.negative);
        self.zeros += other.zeros;
        self.positive.merge(&other.positive);
    }

    /// Number of values counted.
    pub fn count(&self) -> u64 {
        self.negative.counts.iter().sum::<u64>()
            + self.zeros
            + self.positive.counts.iter().sum::<u64>()
    }

    /// The `q`-quantile by the nearest-rank rule: the value of rank `ceil(q n)` (at least 1)
    /// among the `n` values, within [`RELATIVE_ERROR`]. `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * n as f64).ceil() as u64).clamp(1, n);
        let mut seen = 0;
        for (k, c) in self.negative.iter().rev() {
            seen += c;
            if seen >= rank {
                return Some(-bucket_midpoint(k));
            }
        }
        seen += self.zeros;
        if seen >= rank {
            return Some(0.0);
        }
        for (k, c) in self.positive.iter() {
            seen += c;
            if seen >= rank {
                return Some(bucket_midpoint(k));
            }
        }
        unreachable!("rank {rank} is at most the count {n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact_quantile(sorted: &[f64], q: f64) -> f64 {
        let n = sorted.len();
        let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
        sorted[rank - 1]
    }

    #[test]
    fn quantiles_are_within_the_stated_relative_error() {
        let mut values: Vec<f64> = (0..20_000)
            .map(|i| {
                let t = (i as f64 * 0.618_033_988_75).fract();
                (t - 0.3) * 10f64.powf(3.0 + 9.0 * t)
            })
            .collect();
        let mut h = LogHistogram::new();
        values.iter().for_each(|&x| h.add(x));
        values.sort_by(f64::total_cmp);
        for q in [0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0] {
            let exact = exact_quantile(&values, q);
            let approx = h.quantile(q).unwrap();
            assert!(
                (approx - exact).abs() <= RELATIVE_ERROR * exact.abs(),
                "q {q}: {approx} vs {exact}"
            );
        }
    }

    #[test]
    fn merge_equals_adding_everything_to_one() {
        let xs: Vec<f64> = (1..5000).map(|i| (i as f64).sin() * 1e9).collect();
        let mut whole = LogHistogram::new();
        xs.iter().for_each(|&x| whole.add(x));
        let mut merged = LogHistogram::new();
        for part in xs.chunks(333).rev() {
            let mut h = LogHistogram::new();
            part.iter().for_each(|&x| h.add(x));
            merged.merge(&h);
        }
        assert_eq!(whole, merged);
        assert_eq!(merged.count(), xs.len() as u64);
    }

    #[test]
    fn batches_count_like_single_values() {
        let xs: Vec<f64> = (0..3000).map(|i| (i as f64 * 0.37).tan() * 1e6).collect();
        let mut one_by_one = LogHistogram::new();
        xs.iter().for_each(|&x| one_by_one.add(x));
        let mut batched = LogHistogram::new();
        let extremes = |c: &[f64]| {
            c.iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
                    (lo.min(x), hi.max(x))
                })
        };
        for c in xs.chunks(100) {
            let (lo, hi) = extremes(c);
            batched.add_batch(c, lo, hi);
            // One-signed batches take their own path.
            let positive: Vec<f64> = c.iter().map(|x| x.abs() + 1.0).collect();
            let (lo, hi) = extremes(&positive);
            batched.add_batch(&positive, lo, hi);
            positive.iter().for_each(|&x| one_by_one.add(x));
            let negative: Vec<f64> = positive.iter().map(|x| -x).collect();
            batched.add_batch(&negative, -hi, -lo);
            negative.iter().for_each(|&x| one_by_one.add(x));
        }
        assert_eq!(one_by_one, batched);
    }

    #[test]
    fn tiny_values_count_as_zero_and_empty_has_no_quantile() {
        let mut h = LogHistogram::new();
        assert_eq!(h.quantile(0.5), None);
        h.add(1e-9);
        h.add(-1e-9);
        h.add(0.0);
        assert_eq!(h.quantile(0.5), Some(0.0));
    }
}
