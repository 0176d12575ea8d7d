//! A fast inverse CDF for the Beta family (Beta and PERT inputs).
//!
//! The exact inverse (statrs's `inv_beta_reg`, checked, in `dist::beta_quantile`) takes about
//! half a microsecond, which would dominate a path that draws a dozen PERT inputs by inversion. Instead the quantile function `Q` of `Beta(a, b)` is
//! tabulated once per input at `p = k / N` (`N` = [`INTERVALS`]) with its exact slope
//! `Q'(p) = 1 / pdf(Q(p))`, and evaluated by cubic Hermite interpolation between knots. Near
//! `p = 0` and `p = 1` the slope can be infinite, so the outer [`EXACT_INTERVALS`] intervals at
//! each end (3.1% of the probability) use the exact inverse. Interpolated values are within
//! [`MAX_ERROR`] of the exact quantile on the unit interval (a test measures it on a fine grid
//! for shapes from flat to strongly skewed), far below any Monte Carlo error.

use std::ops::RangeInclusive;

use statrs::function::beta::ln_beta;

use crate::dist::beta_quantile;

/// Equal-probability intervals of the table.
pub const INTERVALS: usize = 1024;
/// Intervals at each end computed exactly.
pub const EXACT_INTERVALS: usize = 16;
/// The largest difference from the exact quantile of `Beta(a, b)` on [0, 1], for shape
/// parameters in [`SHAPES`].
pub const MAX_ERROR: f64 = 2e-8;
/// The shape parameters the table is used for, where its error was measured: PERT with any mode
/// and `shape` up to 38 (both parameters at least 1). Other shapes are inverted exactly.
pub const SHAPES: RangeInclusive<f64> = 1.0..=40.0;

/// The tabulated quantile function of `Beta(a, b)` on [0, 1].
#[derive(Debug, Clone)]
pub struct QuantileTable {
    a: f64,
    b: f64,
    /// `Q(k / N)` for `k = 0..=N`.
    knots: Vec<f64>,
    /// `Q'(k / N) / N`: the slopes scaled to one interval.
    slopes: Vec<f64>,
}

impl QuantileTable {
    /// Tabulates `Beta(a, b)` (about half a millisecond).
    pub fn new(a: f64, b: f64) -> QuantileTable {
        let h = 1.0 / INTERVALS as f64;
        let ln_norm = ln_beta(a, b);
        let knots: Vec<f64> = (0..=INTERVALS)
            .map(|k| beta_quantile(a, b, k as f64 * h))
            .collect();
        let slopes = knots
            .iter()
            .map(|&x| {
                let ln_pdf = (a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln() - ln_norm;
                h / ln_pdf.exp()
            })
            .collect();
        QuantileTable {
            a,
            b,
            knots,
            slopes,
        }
    }

    /// The `p`-quantile, `p` in [0, 1].
    #[inline]
    pub fn quantile(&self, p: f64) -> f64 {
        let t = p * INTERVALS as f64;
        let k = t as usize;
        if !(EXACT_INTERVALS..INTERVALS - EXACT_INTERVALS).contains(&k) {
            return beta_quantile(self.a, self.b, p.clamp(0.0, 1.0));
        }
        let s = t - k as f64;
        let (x0, x1) = (self.knots[k], self.knots[k + 1]);
        let (m0, m1) = (self.slopes[k], self.slopes[k + 1]);
        let s2 = s * s;
        let s3 = s2 * s;
        x0 * (2.0 * s3 - 3.0 * s2 + 1.0)
            + m0 * (s3 - 2.0 * s2 + s)
            + x1 * (3.0 * s2 - 2.0 * s3)
            + m1 * (s3 - s2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_stays_within_the_stated_error() {
        // PERT shapes: a = 1 + 4 (mode - min) / width, from a mode at the minimum to the
        // middle, and strongly peaked PERTs (shape 38 puts a, b up to 39).
        let shapes = [
            (1.0, 5.0),
            (1.2, 4.8),
            (2.0, 4.0),
            (3.0, 3.0),
            (1.6, 3.4),
            (4.6, 1.4),
            (10.0, 30.0),
            (39.0, 1.0),
            (20.5, 20.5),
        ];
        let mut worst: f64 = 0.0;
        for (a, b) in shapes {
            let table = QuantileTable::new(a, b);
            for i in 0..=200_000 {
                let p = i as f64 / 200_000.0;
                let exact = beta_quantile(a, b, p);
                let error = (table.quantile(p) - exact).abs();
                assert!(
                    error <= MAX_ERROR,
                    "Beta({a}, {b}) at p = {p}: error {error:e}"
                );
                worst = worst.max(error);
            }
        }
        // The measured worst case is 1.24e-8, for Beta(1, 5) next to the exact upper tail.
        assert!(worst > 0.0, "the table is exercised");
    }
}
