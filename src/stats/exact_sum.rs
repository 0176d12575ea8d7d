//! Exact floating-point summation, so that accumulators merge in any order to the same bits.
//!
//! The sum is held as a list of non-overlapping partials whose exact sum is the true sum of
//! everything added (Shewchuk 1997, "Adaptive precision floating-point arithmetic", as in
//! Python's `math.fsum`). [`ExactSum::value`] rounds that exact sum once, correctly, so two
//! accumulators that saw the same numbers give the same `f64` whatever the order or grouping in
//! which they were added or merged. This is what lets chunk results be reduced by rayon in any
//! tree shape, and shards be merged, while keeping byte-identical reports.

use serde::{Deserialize, Serialize};

/// An exact running sum of finite `f64` values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ExactSum {
    partials: Vec<f64>,
}

impl ExactSum {
    /// An empty sum.
    pub fn new() -> ExactSum {
        ExactSum::default()
    }

    /// Adds `x` exactly. `x` must be finite and the running sum must not overflow.
    pub fn add(&mut self, mut x: f64) {
        let mut kept = 0;
        for j in 0..self.partials.len() {
            let mut y = self.partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                self.partials[kept] = lo;
                kept += 1;
            }
            x = hi;
        }
        self.partials.truncate(kept);
        self.partials.push(x);
    }

    /// Adds everything another sum holds.
    pub fn merge(&mut self, other: &ExactSum) {
        for &p in &other.partials {
            self.add(p);
        }
    }

    /// The exact sum, correctly rounded to the nearest `f64` (ties to even).
    pub fn value(&self) -> f64 {
        let p = &self.partials;
        let Some(&last) = p.last() else {
            return 0.0;
        };
        let mut n = p.len() - 1;
        let mut hi = last;
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = p[n];
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        // Round half to even when the remaining partials push past a tie.
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            let yr = x - hi;
            if y == yr {
                hi = x;
            }
        }
        hi
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancels_exactly_where_naive_summation_fails() {
        let mut s = ExactSum::new();
        for x in [1e100, 1.0, -1e100, 1e-20] {
            s.add(x);
        }
        assert_eq!(s.value(), 1.0 + 1e-20);
        let naive: f64 = [1e100, 1.0, -1e100, 1e-20].iter().sum();
        assert_eq!(naive, 1e-20);
    }

    #[test]
    fn order_and_grouping_do_not_change_the_result() {
        let xs: Vec<f64> = (0..10_000)
            .map(|i| ((i as f64) * 0.7311).sin() * 10f64.powi(i % 17 - 8))
            .collect();
        let mut forward = ExactSum::new();
        xs.iter().for_each(|&x| forward.add(x));
        let mut backward = ExactSum::new();
        xs.iter().rev().for_each(|&x| backward.add(x));
        let mut merged = ExactSum::new();
        for chunk in xs.chunks(37).rev() {
            let mut part = ExactSum::new();
            chunk.iter().for_each(|&x| part.add(x));
            merged.merge(&part);
        }
        assert_eq!(forward.value().to_bits(), backward.value().to_bits());
        assert_eq!(forward.value().to_bits(), merged.value().to_bits());
    }

    #[test]
    fn rounds_ties_to_even() {
        // 1 + 2^-53 is exactly halfway between 1 and the next double: ties to even gives 1.
        let mut s = ExactSum::new();
        s.add(1.0);
        s.add(2f64.powi(-53));
        assert_eq!(s.value(), 1.0);
        // A further tiny positive amount breaks the tie upwards.
        s.add(2f64.powi(-80));
        assert_eq!(s.value(), 1.0 + f64::EPSILON);
    }

    #[test]
    fn empty_sum_is_zero() {
        assert_eq!(ExactSum::new().value(), 0.0);
    }
}
