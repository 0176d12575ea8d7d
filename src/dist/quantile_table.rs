//! A fast inverse CDF for the Beta family (Beta and PERT inputs).
//!
//! The exact inverse (statrs's `inv_beta_reg`, checked, in `incomplete_beta.rs` beside this
//! file, the only distribution code this one uses) takes about half a microsecond, which would
//! dominate a path that draws a dozen PERT inputs by inversion.
//! Instead the quantile function `Q` of `Beta(a, b)` is tabulated once per input at
//! `p = k / N` (`N` = [`INTERVALS`]) with its exact slope `Q'(p) = 1 / pdf(Q(p))`, and
//! evaluated by cubic Hermite interpolation between knots. Near `p = 0` the slope is infinite
//! (for `a > 1`), so the outer [`TAIL_INTERVALS`] intervals (`p < 1/64`) are tabulated in
//! `t = (64 p)^(1/a)` instead, in which `Q` is smooth with a finite slope at 0
//! (`Q(p) ~ (a B(a, b) p)^(1/a)`); the upper tail likewise in `(64 (1 - p))^(1/b)`.
//! Interpolated values are within [`MAX_ERROR`] of the exact quantile on the unit interval (a
//! test measures it on a fine grid, tails included, for shapes from flat to strongly skewed),
//! far below any Monte Carlo error. Evaluating costs a few multiplies, and in the tails one
//! [`crate::math::ln`] and one [`crate::math::exp`].

use std::collections::HashMap;
use std::ops::RangeInclusive;
use std::sync::{Arc, Mutex, OnceLock};

use statrs::function::beta::ln_beta;

use super::incomplete_beta::beta_quantile;
use crate::math;

/// Equal-probability intervals of the table.
pub const INTERVALS: usize = 1024;
/// Intervals at each end tabulated in the tail variable instead.
pub const TAIL_INTERVALS: usize = 16;
/// Knots of each tail's table, equally spaced in the tail variable.
pub const TAIL_KNOTS: usize = 128;
/// The largest difference from the exact quantile of `Beta(a, b)` on [0, 1], for shape
/// parameters in [`SHAPES`].
pub const MAX_ERROR: f64 = 2e-8;
/// The shape parameters the table is used for, where its error was measured: PERT with any mode
/// and `shape` up to 38 (both parameters at least 1). Other shapes are inverted exactly.
pub const SHAPES: RangeInclusive<f64> = 1.0..=40.0;

/// Shared tables by the bits of their shape parameters.
type Tables = HashMap<(u64, u64), Arc<QuantileTable>>;

/// The most tables [`QuantileTable::shared`] keeps (about 20 KiB each) before it starts over.
const MAX_SHARED: usize = 4096;

/// The probability below which the lower tail's table applies.
const P_T: f64 = TAIL_INTERVALS as f64 / INTERVALS as f64;

/// Cubic Hermite interpolation on a unit grid of knots, with slopes scaled to one interval.
/// Each knot is stored beside its slope, so an evaluation reads one or two cache lines.
/// `KNOTS` is the number of knots, so that every index is checked at compile time.
#[derive(Debug, Clone)]
struct Hermite<const KNOTS: usize> {
    /// (knot, slope) pairs.
    nodes: Box<[[f64; 2]; KNOTS]>,
}

impl<const KNOTS: usize> Hermite<KNOTS> {
    fn new(knots: Vec<f64>, slopes: Vec<f64>) -> Hermite<KNOTS> {
        let nodes: Vec<[f64; 2]> = knots.into_iter().zip(slopes).map(|(x, m)| [x, m]).collect();
        Hermite {
            nodes: nodes.try_into().expect("a knot and a slope per node"),
        }
    }

    /// The interpolant at `t` in [0, intervals].
    #[inline(always)]
    fn at(&self, t: f64) -> f64 {
        let k = (t as usize).min(KNOTS - 2);
        let s = t - k as f64;
        let ([x0, m0], [x1, m1]) = (self.nodes[k], self.nodes[k + 1]);
        let s2 = s * s;
        let s3 = s2 * s;
        x0 * (2.0 * s3 - 3.0 * s2 + 1.0)
            + m0 * (s3 - 2.0 * s2 + s)
            + x1 * (3.0 * s2 - 2.0 * s3)
            + m1 * (s3 - s2)
    }
}

/// The lower tail of `Beta(a, b)`, `p < P_T`, in `t = (p / P_T)^(1/a)`.
#[derive(Debug, Clone)]
struct Tail {
    a: f64,
    table: Hermite<{ TAIL_KNOTS + 1 }>,
}

impl Tail {
    fn new(a: f64, b: f64) -> Tail {
        let ln_norm = ln_beta(a, b);
        let h = 1.0 / TAIL_KNOTS as f64;
        let mut knots = Vec::with_capacity(TAIL_KNOTS + 1);
        let mut slopes = Vec::with_capacity(TAIL_KNOTS + 1);
        for k in 0..=TAIL_KNOTS {
            let t = k as f64 * h;
            if k == 0 {
                knots.push(0.0);
                // Q(p) ~ (a B p)^(1/a) = (a B P_T)^(1/a) t near t = 0.
                slopes.push(h * ((a.ln() + ln_norm + P_T.ln()) / a).exp());
                continue;
            }
            let p = P_T * t.powf(a);
            let x = beta_quantile(a, b, p);
            let ln_pdf = (a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln() - ln_norm;
            // dx/dt = (dp/dt) / pdf(x), dp/dt = a P_T t^(a-1).
            let dp_dt = a * P_T * t.powf(a - 1.0);
            knots.push(x);
            slopes.push(h * dp_dt / ln_pdf.exp());
        }
        Tail {
            a,
            table: Hermite::new(knots, slopes),
        }
    }

    /// The quantile at `p` in [0, P_T].
    #[inline(always)]
    fn quantile(&self, p: f64) -> f64 {
        if p <= 0.0 {
            return 0.0;
        }
        let t = math::exp(math::ln(p / P_T) / self.a);
        self.table.at(t * TAIL_KNOTS as f64)
    }
}

/// The tabulated quantile function of `Beta(a, b)` on [0, 1].
#[derive(Debug, Clone)]
pub struct QuantileTable {
    body: Hermite<{ INTERVALS + 1 }>,
    lower: Tail,
    /// The upper tail is the lower tail of `Beta(b, a)`, reflected.
    upper: Tail,
}

impl QuantileTable {
    /// Tabulates `Beta(a, b)` (about a millisecond).
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
            body: Hermite::new(knots, slopes),
            lower: Tail::new(a, b),
            upper: Tail::new(b, a),
        }
    }

    /// The table of `Beta(a, b)`, built once per process and shared: analyses compile a
    /// scenario again for every parameter value they try, and all but the input they vary keep
    /// their shapes.
    pub fn shared(a: f64, b: f64) -> Arc<QuantileTable> {
        static TABLES: OnceLock<Mutex<Tables>> = OnceLock::new();
        let key = (a.to_bits(), b.to_bits());
        let tables = TABLES.get_or_init(Default::default);
        if let Some(table) = tables.lock().expect("not poisoned").get(&key) {
            return Arc::clone(table);
        }
        // Built outside the lock; two threads may both build it, and the first one is kept.
        let table = Arc::new(QuantileTable::new(a, b));
        let mut tables = tables.lock().expect("not poisoned");
        if tables.len() >= MAX_SHARED {
            tables.clear();
        }
        Arc::clone(tables.entry(key).or_insert(table))
    }

    /// The `p`-quantile, `p` in [0, 1].
    #[inline]
    pub fn quantile(&self, p: f64) -> f64 {
        let p = p.clamp(0.0, 1.0);
        let t = p * INTERVALS as f64;
        self.tail(p, t).unwrap_or_else(|| self.body.at(t))
    }

    /// [`QuantileTable::quantile`] of each of `p`, into `out`, bit for bit: the body's
    /// interpolant for every element in one pass without a branch (its knots cover every `t`
    /// in `[0, INTERVALS]`, so it is defined in the tails too), then the tails' values where
    /// they apply (about one element in thirty-two).
    #[inline(always)]
    pub fn quantiles(&self, p: &[f64], out: &mut [f64]) {
        for (x, &p) in out.iter_mut().zip(p) {
            *x = self.body.at(p.clamp(0.0, 1.0) * INTERVALS as f64);
        }
        for (x, &p) in out.iter_mut().zip(p) {
            let p = p.clamp(0.0, 1.0);
            if let Some(tail) = self.tail(p, p * INTERVALS as f64) {
                *x = tail;
            }
        }
    }

    /// The quantile at `p` (`t = p INTERVALS`) if it lies in a tail.
    #[inline(always)]
    fn tail(&self, p: f64, t: f64) -> Option<f64> {
        if t < TAIL_INTERVALS as f64 {
            Some(self.lower.quantile(p))
        } else if t >= (INTERVALS - TAIL_INTERVALS) as f64 {
            Some(1.0 - self.upper.quantile(1.0 - p))
        } else {
            None
        }
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
            // A uniform grid, and a geometric one into each tail.
            let grid = (0..=200_000).map(|i| i as f64 / 200_000.0);
            let tails = (1..=300).flat_map(|k| {
                let p = 10f64.powf(-0.05 * k as f64);
                [p, 1.0 - p]
            });
            for p in grid.chain(tails) {
                let exact = beta_quantile(a, b, p);
                let error = (table.quantile(p) - exact).abs();
                assert!(
                    error <= MAX_ERROR,
                    "Beta({a}, {b}) at p = {p}: error {error:e}"
                );
                worst = worst.max(error);
            }
        }
        // The measured worst case is 1.24e-8 (Beta(1, 5), in the body next to the upper tail).
        assert!(worst > 0.0, "the table is exercised");
    }
}
