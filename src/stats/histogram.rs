//! A mergeable log-bucket histogram for quantiles with a stated relative error.
//!
//! Buckets follow the bit pattern of an `f64`: a positive double's bits, shifted right so that
//! only the exponent and the top [`SUB_BITS`] mantissa bits remain, are a monotone bucket key.
//! Each bucket spans a relative width of at most `2^-SUB_BITS`, and a quantile is reported as
//! the midpoint of its bucket (clamped to the exact minimum and maximum), so its relative error
//! is at most `2^-(SUB_BITS+1)` = [`RELATIVE_ERROR`] (about 0.2%). Values with magnitude below
//! [`ZERO_BELOW`] are counted as zero. This is the log-linear layout of HdrHistogram and the
//! relative-error guarantee of DDSketch (Masson et al. 2019). Counts are integers, so merging
//! is exact and order-independent. Storage covers only the occupied key range of each sign, and
//! at most [`MAX_BUCKETS`] keys of it: magnitudes more than [`DYNAMIC_RANGE`] times smaller
//! than the largest of their sign are counted in the lowest kept bucket, as DDSketch's
//! collapsing store does. Because the lowest kept key depends only on the largest key seen,
//! every value ends in bucket `max(its key, largest key - MAX_BUCKETS + 1)` whatever the order
//! of adds and merges, so merging stays exact. Such collapsed values are reported at that
//! floor: their error is below 1/[`DYNAMIC_RANGE`] of the largest magnitude.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// Mantissa bits kept in a bucket key: 256 buckets per factor of two.
pub const SUB_BITS: u32 = 8;
/// The largest relative error of a reported quantile (for values of magnitude >= ZERO_BELOW).
pub const RELATIVE_ERROR: f64 = 1.0 / (1u64 << (SUB_BITS + 1)) as f64;
/// Magnitudes below this are counted as exactly zero.
pub const ZERO_BELOW: f64 = 1e-6;
/// Buckets kept per sign: 16 factors of two, which bounds a histogram at 64 KiB.
pub const MAX_BUCKETS: usize = 4096;
/// The ratio of magnitudes, within one sign, over which the relative error holds:
/// `2^(MAX_BUCKETS / 2^SUB_BITS)` = 65,536.
pub const DYNAMIC_RANGE: f64 = (1u64 << (MAX_BUCKETS >> SUB_BITS)) as f64;

const SHIFT: u32 = 52 - SUB_BITS;

/// The values [`Signed::add_mixed`] sorts by sign at a time (a block's width).
const MIXED_PART: usize = 128;

fn key(magnitude: f64) -> i64 {
    (magnitude.to_bits() >> SHIFT) as i64
}

fn bucket_midpoint(key: i64) -> f64 {
    let low = f64::from_bits((key as u64) << SHIFT);
    let high = f64::from_bits(((key + 1) as u64) << SHIFT);
    0.5 * (low + high)
}

/// What a store counts in: `u8` for the recent values, `u64` for the settled ones.
trait Count: Copy + Default + PartialEq + Into<u64> {
    /// Adds `x`, keeping what this type holds; returns the rest (a multiple of its range,
    /// never anything for `u64`), for the caller to carry.
    fn add_wide(&mut self, x: u64) -> u64;
}

impl Count for u8 {
    #[inline]
    fn add_wide(&mut self, x: u64) -> u64 {
        let total = u64::from(*self) + x;
        *self = total as u8;
        total & !u64::from(u8::MAX)
    }
}

impl Count for u64 {
    #[inline]
    fn add_wide(&mut self, x: u64) -> u64 {
        *self += x;
        0
    }
}

/// Counts for one sign, dense over the occupied key range, at most [`MAX_BUCKETS`] long.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Store<C> {
    offset: i64,
    counts: Vec<C>,
}

impl<C: Count> Store<C> {
    fn top(&self) -> i64 {
        self.offset + self.counts.len() as i64 - 1
    }

    /// Grows the dense range to include `key` (or the floor, for keys below it). Returns what
    /// the floor's counter could not hold of the counts collapsed into it (see
    /// [`Count::add_wide`]).
    #[inline]
    fn include(&mut self, key: i64) -> u64 {
        if self.counts.is_empty() || key < self.offset || key > self.top() {
            self.grow(key)
        } else {
            0
        }
    }

    #[inline(never)]
    fn grow(&mut self, key: i64) -> u64 {
        if self.counts.is_empty() {
            self.offset = key;
            self.counts.push(C::default());
        } else if key < self.offset {
            // Grow downwards, but never below the floor set by the largest key.
            let floor = self.top() - MAX_BUCKETS as i64 + 1;
            let start = key.max(floor);
            if start < self.offset {
                let grow = (self.offset - start) as usize;
                self.counts
                    .splice(0..0, std::iter::repeat_n(C::default(), grow));
                self.offset = start;
            }
        } else if key > self.top() {
            self.counts
                .resize((key - self.offset) as usize + 1, C::default());
            let excess = self.counts.len().saturating_sub(MAX_BUCKETS);
            if excess > 0 {
                // Collapse the lowest keys into the new floor.
                let collapsed: u64 = self.counts[..excess].iter().map(|&c| c.into()).sum();
                self.counts.drain(..excess);
                self.offset += excess as i64;
                return self.counts[0].add_wide(collapsed);
            }
        }
        0
    }

    /// Sets every count to zero, keeping the range.
    fn clear(&mut self) {
        self.counts.fill(C::default());
    }

    fn count(&self) -> u64 {
        self.counts.iter().map(|&c| c.into()).sum()
    }

    /// (key, count) pairs in increasing key order.
    fn iter(&self) -> impl DoubleEndedIterator<Item = (i64, u64)> + '_ {
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c != C::default())
            .map(move |(i, &c)| (self.offset + i as i64, c.into()))
    }
}

impl Store<u64> {
    /// Counts `count` values of `key` (keys below the floor go to the floor).
    #[inline]
    fn add(&mut self, key: i64, count: u64) {
        self.include(key);
        self.counts[(key.max(self.offset) - self.offset) as usize] += count;
    }

    /// Adds another store's counts.
    fn merge<D: Count>(&mut self, other: &Store<D>) {
        if other.counts.is_empty() {
            return;
        }
        // Grow once to cover both ranges (collapsing if the union is too wide), then add:
        // the other's keys below this floor into the lowest bucket, the rest bucket by bucket
        // (one pass over two slices, which vectorises).
        self.include(other.top());
        self.include(other.offset);
        let below = (self.offset - other.offset).clamp(0, other.counts.len() as i64) as usize;
        let (collapsed, kept) = other.counts.split_at(below);
        if !collapsed.is_empty() {
            let sum: u64 = collapsed.iter().map(|&c| c.into()).sum();
            self.counts[0] += sum;
        }
        let start = (other.offset + below as i64 - self.offset) as usize;
        for (total, &c) in self.counts[start..].iter_mut().zip(kept) {
            *total += c.into();
        }
    }
}

/// A store of recent counts: each counter holds its count modulo 256, and every whole 256
/// it passes is carried into the settled store of the same sign, which the scattered
/// increments then do not touch.
impl Store<u8> {
    /// [`Store::include`], carrying what the floor cannot hold into `settled`.
    #[inline]
    fn include_carrying(&mut self, key: i64, settled: &mut Store<u64>) {
        let rest = self.include(key);
        if rest > 0 {
            settled.add(self.offset, rest);
        }
    }

    /// Grows the dense range to cover keys `low..=high` (no-op when `low > high`).
    #[inline]
    fn cover(&mut self, low: i64, high: i64, settled: &mut Store<u64>) {
        if low <= high {
            self.include_carrying(low, settled);
            self.include_carrying(high, settled);
        }
    }

    /// Counts `count` values of `key` (keys below the floor go to the floor), carrying into
    /// `settled`.
    #[inline]
    fn add(&mut self, key: i64, count: u64, settled: &mut Store<u64>) {
        self.include_carrying(key, settled);
        self.add_covered(key, count, settled);
    }

    /// Counts `count` values of a key no larger than the covered range's top (lower keys go
    /// to the floor), carrying into `settled`.
    #[inline]
    fn add_covered(&mut self, key: i64, count: u64, settled: &mut Store<u64>) {
        let key = key.max(self.offset);
        let rest = self.counts[(key - self.offset) as usize].add_wide(count);
        if rest > 0 {
            settled.add(key, rest);
        }
    }

    /// Counts one value of every key of `keys`, each covered as for [`Store::add_covered`];
    /// `lowest` is the smallest of them. A counter that wraps to zero carries 256 into
    /// `settled` (rarely: once in a bucket's 256 values).
    #[inline]
    fn add_all_covered(
        &mut self,
        lowest: i64,
        keys: impl Iterator<Item = i64>,
        settled: &mut Store<u64>,
    ) {
        let (offset, counts) = (self.offset, &mut self.counts[..]);
        let mut count_one = |key: i64| {
            let count = &mut counts[(key - offset) as usize];
            *count = count.wrapping_add(1);
            if *count == 0 {
                carry(settled, key);
            }
        };
        if lowest >= offset {
            // None below the floor (the common case): no clamp per key.
            keys.for_each(count_one);
        } else {
            keys.for_each(|key| count_one(key.max(offset)));
        }
    }
}

/// Adds the 256 values a recent counter of `key` wrapped past to `settled`.
#[cold]
#[inline(never)]
fn carry(settled: &mut Store<u64>, key: i64) {
    settled.add(key, 1 << u8::BITS);
}

/// Stores of both signs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Signed<C> {
    negative: Store<C>,
    positive: Store<C>,
}

impl Signed<u8> {
    /// Counts one finite value, carrying into `settled` as [`Store::add_covered`] does;
    /// returns whether it counts as zero (which this does not store).
    #[inline]
    fn add(&mut self, x: f64, settled: &mut Signed<u64>) -> bool {
        let m = x.abs();
        if m < ZERO_BELOW {
            return true;
        }
        let (store, settled) = if x > 0.0 {
            (&mut self.positive, &mut settled.positive)
        } else {
            (&mut self.negative, &mut settled.negative)
        };
        store.add(key(m), 1, settled);
        false
    }

    /// Counts a batch of finite values whose smallest and largest are `min` and `max`,
    /// carrying into `settled` as [`Store::add_covered`] does; returns how many count as
    /// zero.
    #[inline(always)]
    fn add_batch(&mut self, values: &[f64], min: f64, max: f64, settled: &mut Signed<u64>) -> u64 {
        if min == max && min.abs() >= ZERO_BELOW {
            // One value throughout (the same bits, since it is not zero): one count.
            let n = values.len() as u64;
            let (store, settled, k) = if min > 0.0 {
                (&mut self.positive, &mut settled.positive, key(min))
            } else {
                (&mut self.negative, &mut settled.negative, key(-min))
            };
            store.add(k, n, settled);
            0
        } else if min >= ZERO_BELOW {
            self.positive
                .cover(key(min), key(max), &mut settled.positive);
            self.positive.add_all_covered(
                key(min),
                values.iter().map(|&x| key(x)),
                &mut settled.positive,
            );
            0
        } else if max <= -ZERO_BELOW {
            self.negative
                .cover(key(-max), key(-min), &mut settled.negative);
            self.negative.add_all_covered(
                key(-max),
                values.iter().map(|&x| key(-x)),
                &mut settled.negative,
            );
            0
        } else if max < ZERO_BELOW && min > -ZERO_BELOW {
            // Every value counts as zero (as for a firm without subscribers, or a network's
            // flow outside its schedule): nothing to store.
            values.len() as u64
        } else {
            self.add_mixed(values, settled)
        }
    }

    /// [`Signed::add_batch`] for a batch of both signs or with zeros. Without a branch per
    /// value, whose sign a mixed batch makes unpredictable: the keys are sorted by sign into
    /// two buffers (each key written to both, the buffer of its sign advancing), and each
    /// buffer is then counted as a one-signed batch.
    fn add_mixed(&mut self, values: &[f64], settled: &mut Signed<u64>) -> u64 {
        let mut zeros = 0;
        for part in values.chunks(MIXED_PART) {
            let (mut positive, mut negative) = ([0i64; MIXED_PART], [0i64; MIXED_PART]);
            let (mut p, mut n) = (0, 0);
            for &x in part {
                let m = x.abs();
                let k = key(m);
                let counted = m >= ZERO_BELOW;
                positive[p] = k;
                negative[n] = k;
                p += usize::from(counted && x > 0.0);
                n += usize::from(counted && x < 0.0);
            }
            zeros += (part.len() - p - n) as u64;
            // Each sign's key range first, so storage grows exactly as far as adding the
            // values one by one would.
            for (store, settled, keys) in [
                (&mut self.positive, &mut settled.positive, &positive[..p]),
                (&mut self.negative, &mut settled.negative, &negative[..n]),
            ] {
                if let (Some(&low), Some(&high)) = (keys.iter().min(), keys.iter().max()) {
                    store.cover(low, high, settled);
                    store.add_all_covered(low, keys.iter().copied(), settled);
                }
            }
        }
        zeros
    }
}

impl Signed<u64> {
    fn merge<D: Count>(&mut self, other: &Signed<D>) {
        self.negative.merge(&other.negative);
        self.positive.merge(&other.positive);
    }
}

impl<C: Count> Signed<C> {
    fn count(&self) -> u64 {
        self.negative.count() + self.positive.count()
    }
}

/// A histogram's counts as shard part files hold them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Counts {
    negative: Store<u64>,
    zeros: u64,
    positive: Store<u64>,
}

/// A histogram of finite values with relative-error quantiles.
///
/// The latest values are counted in 8-bit counters, each of which carries every whole 256
/// it counts into the 64-bit counts. A run's histograms are then an eighth of the size where
/// it counts them: `openai.toml`'s 178 took 2.1 MiB at 64 bits, twice a core's L2 cache, and
/// the scattered increments waited on memory; a network's are several times that. Carrying
/// and settling move no value to another bucket, so the counts, the merges and the file form
/// are what 64-bit counters throughout would give.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(from = "Counts", into = "Counts")]
pub struct LogHistogram {
    settled: Signed<u64>,
    zeros: u64,
    recent: Signed<u8>,
    /// Whether `recent` may hold counts.
    recent_counted: bool,
}

impl From<Counts> for LogHistogram {
    fn from(c: Counts) -> LogHistogram {
        LogHistogram {
            settled: Signed {
                negative: c.negative,
                positive: c.positive,
            },
            zeros: c.zeros,
            ..LogHistogram::default()
        }
    }
}

impl From<LogHistogram> for Counts {
    fn from(mut h: LogHistogram) -> Counts {
        h.settle();
        Counts {
            negative: h.settled.negative,
            zeros: h.zeros,
            positive: h.settled.positive,
        }
    }
}

/// Equal when they hold the same counts, however many are still recent.
impl PartialEq for LogHistogram {
    fn eq(&self, other: &LogHistogram) -> bool {
        self.zeros == other.zeros && self.all_settled() == other.all_settled()
    }
}

impl LogHistogram {
    /// An empty histogram.
    pub fn new() -> LogHistogram {
        LogHistogram::default()
    }

    /// Counts one finite value.
    #[inline]
    pub fn add(&mut self, x: f64) {
        if self.recent.add(x, &mut self.settled) {
            self.zeros += 1;
        } else {
            self.recent_counted = true;
        }
    }

    /// Counts a batch of finite values whose smallest and largest are `min` and `max`: the
    /// same counts as adding them one by one, but the storage grows once per batch, and a
    /// batch of one sign (the common case) is counted without a test per value.
    #[inline(always)]
    pub fn add_batch(&mut self, values: &[f64], min: f64, max: f64) {
        let zeros = self.recent.add_batch(values, min, max, &mut self.settled);
        self.zeros += zeros;
        self.recent_counted |= zeros < values.len() as u64;
    }

    /// Moves the recent counts into the settled ones, which makes reading the histogram
    /// cheaper; what it counts is unchanged.
    pub fn settle(&mut self) {
        self.settled.merge(&self.recent);
        self.recent.negative.clear();
        self.recent.positive.clear();
        self.recent_counted = false;
    }

    /// Every non-zero count, settled.
    fn all_settled(&self) -> Cow<'_, Signed<u64>> {
        if !self.recent_counted {
            Cow::Borrowed(&self.settled)
        } else {
            let mut all = self.settled.clone();
            all.merge(&self.recent);
            Cow::Owned(all)
        }
    }

    /// Adds another histogram's counts.
    pub fn merge(&mut self, other: &LogHistogram) {
        self.settled.merge(&other.settled);
        self.settled.merge(&other.recent);
        self.zeros += other.zeros;
    }

    /// Number of values counted.
    pub fn count(&self) -> u64 {
        self.settled.count() + self.zeros + self.recent.count()
    }

    /// The `q`-quantile by the nearest-rank rule: the value of rank `ceil(q n)` (at least 1)
    /// among the `n` values, within [`RELATIVE_ERROR`]. `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        let counts = self.all_settled();
        let rank = ((q.clamp(0.0, 1.0) * n as f64).ceil() as u64).clamp(1, n);
        let mut seen = 0;
        for (k, c) in counts.negative.iter().rev() {
            seen += c;
            if seen >= rank {
                return Some(-bucket_midpoint(k));
            }
        }
        seen += self.zeros;
        if seen >= rank {
            return Some(0.0);
        }
        for (k, c) in counts.positive.iter() {
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
        // Magnitudes span 1e-3 to 7e11, beyond DYNAMIC_RANGE: the smallest are collapsed.
        let largest = values.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        for q in [0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0] {
            let exact = exact_quantile(&values, q);
            let approx = h.quantile(q).unwrap();
            let tolerance = (RELATIVE_ERROR * exact.abs()).max(2.0 * largest / DYNAMIC_RANGE);
            assert!(
                (approx - exact).abs() <= tolerance,
                "q {q}: {approx} vs {exact}"
            );
            if exact.abs() >= 2.0 * largest / DYNAMIC_RANGE {
                assert!(
                    (approx - exact).abs() <= RELATIVE_ERROR * exact.abs(),
                    "q {q}"
                );
            }
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
    fn storage_is_bounded_and_collapsing_is_order_independent() {
        // Magnitudes over 60 factors of two, both signs: far more than MAX_BUCKETS keys.
        let xs: Vec<f64> = (0..20_000)
            .map(|i| {
                let t = (i as f64 * 0.754_877_666).fract();
                (if i % 3 == 0 { -1.0 } else { 1.0 }) * 2f64.powf(-10.0 + 60.0 * t)
            })
            .collect();
        let mut forward = LogHistogram::new();
        xs.iter().for_each(|&x| forward.add(x));
        let mut backward = LogHistogram::new();
        xs.iter().rev().for_each(|&x| backward.add(x));
        let mut merged = LogHistogram::new();
        for part in xs.chunks(97).rev() {
            let mut h = LogHistogram::new();
            let (lo, hi) = part
                .iter()
                .fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
            h.add_batch(part, lo, hi);
            merged.merge(&h);
        }
        assert_eq!(forward, backward);
        assert_eq!(forward, merged);
        assert!(forward.all_settled().positive.counts.len() <= MAX_BUCKETS);
        assert!(forward.all_settled().negative.counts.len() <= MAX_BUCKETS);
        assert_eq!(forward.count(), xs.len() as u64);
        // Quantiles of values within the dynamic range keep the relative error; values below
        // it are reported at the floor, within 1/DYNAMIC_RANGE of the largest magnitude.
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        let largest = sorted.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        for q in [0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99] {
            let exact = exact_quantile(&sorted, q);
            let approx = forward.quantile(q).unwrap();
            let tolerance = (RELATIVE_ERROR * exact.abs()).max(2.0 * largest / DYNAMIC_RANGE);
            assert!(
                (approx - exact).abs() <= tolerance,
                "q {q}: {approx} vs {exact}"
            );
        }
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
        // A mixed batch longer than the parts add_mixed sorts at a time, with zeros.
        let long: Vec<f64> = (0..3 * MIXED_PART + 7)
            .map(|i| {
                if i % 5 == 0 {
                    0.0
                } else {
                    (i as f64 * 1.3).sin() * 1e3
                }
            })
            .collect();
        let (lo, hi) = extremes(&long);
        batched.add_batch(&long, lo, hi);
        long.iter().for_each(|&x| one_by_one.add(x));
        // A batch of values that all count as zero takes its own path too.
        let zeros = [0.0, 1e-9, -0.0, -1e-9, 0.0];
        batched.add_batch(&zeros, -1e-9, 1e-9);
        zeros.iter().for_each(|&x| one_by_one.add(x));
        assert_eq!(one_by_one, batched);
        assert_eq!(batched.count(), (3 * 3000 + 3 * MIXED_PART + 7 + 5) as u64);
    }

    #[test]
    fn counts_beyond_the_recent_counters_range_are_settled_exactly() {
        // 200,000 values over three buckets (each past the recent counters' range hundreds of
        // times), in batches, one by one, and in one batch.
        let xs: Vec<f64> = (0..200_000).map(|i| [1.0, 2.0, 2.0, -3.0][i % 4]).collect();
        let mut batched = LogHistogram::new();
        for part in xs.chunks(128) {
            let (lo, hi) = part
                .iter()
                .fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
            batched.add_batch(part, lo, hi);
        }
        batched.add_batch(&[2.0; 100], 2.0, 2.0);
        let mut single = LogHistogram::new();
        xs.iter().for_each(|&x| single.add(x));
        (0..100).for_each(|_| single.add(2.0));
        let mut long = LogHistogram::new();
        long.add_batch(&xs, -3.0, 2.0);
        long.add_batch(&[2.0; 100], 2.0, 2.0);
        for h in [&batched, &single, &long] {
            assert_eq!(h.count(), 200_100);
            let c = h.all_settled();
            assert_eq!(
                c.positive.iter().collect::<Vec<_>>()[1],
                (key(2.0), 100_100)
            );
            assert_eq!(c.positive.iter().next(), Some((key(1.0), 50_000)));
            assert_eq!(c.negative.iter().next(), Some((key(3.0), 50_000)));
            // Rank 50,000 of 200,100 is q = 0.249875: the last of the negative bucket.
            assert_eq!(h.quantile(0.249875), Some(-bucket_midpoint(key(3.0))));
            assert_eq!(h.quantile(0.249880), Some(bucket_midpoint(key(1.0))));
        }
        assert_eq!(batched, single);
        assert_eq!(batched, long);
        // Through the part-file form, and merged with recent counts still unsettled.
        let json = serde_json::to_string(&batched).unwrap();
        let back: LogHistogram = serde_json::from_str(&json).unwrap();
        assert_eq!(back, batched);
        assert_eq!(json, serde_json::to_string(&long).unwrap());
        let mut merged = back.clone();
        merged.merge(&single);
        assert_eq!(merged.count(), 400_200);
        assert_eq!(merged.quantile(0.9), Some(bucket_midpoint(key(2.0))));
    }

    #[test]
    fn a_collapsed_floor_past_the_recent_counters_range_carries_exactly() {
        // 200 values of each of two keys, then one whose key is more than MAX_BUCKETS above
        // them: the 400 collapse into the new floor, more than a recent counter holds. And
        // the same values the other way round, where they arrive below the floor (one by one
        // and in batches, which take the clamping loop and the one-value path).
        let low: Vec<f64> = (0..400).map(|i| [1.0, 1.25][i % 2]).collect();
        let high = 2f64.powi(40);
        let mut forward = LogHistogram::new();
        forward.add_batch(&low[..150], 1.0, 1.25);
        low[150..].iter().for_each(|&x| forward.add(x));
        forward.add(high);
        let mut backward = LogHistogram::new();
        backward.add(high);
        backward.add_batch(&[1.0, 1.5, high], 1.0, high);
        backward.add_batch(&[1.0; 149], 1.0, 1.0);
        backward.add_batch(&low[..100], 1.0, 1.25);
        low[249..].iter().for_each(|&x| backward.add(x));
        let floor = key(high) - MAX_BUCKETS as i64 + 1;
        let settled = forward.all_settled();
        assert_eq!(
            settled.positive.iter().collect::<Vec<_>>(),
            [(floor, 400), (key(high), 1)]
        );
        let settled = backward.all_settled();
        assert_eq!(
            settled.positive.iter().collect::<Vec<_>>(),
            [(floor, 402), (key(high), 2)]
        );
        forward.add_batch(&[1.0, 1.5, high], 1.0, high);
        assert_eq!(forward, backward);
        assert_eq!(forward.count(), 404);
        assert_eq!(forward.quantile(0.5), Some(bucket_midpoint(floor)));
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
