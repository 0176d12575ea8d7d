//! The Beta family scaled to `[min, max]`, which PERT is stored as. Its exact quantile is the
//! checked inverse in [`super::incomplete_beta`]; the samplers read a [`QuantileTable`] instead
//! where the shape parameters lie in [`quantile_table::SHAPES`].

use std::fmt;
use std::sync::{Arc, OnceLock};

use super::Family;
use super::error::{DistError, num, positive, range};
use super::incomplete_beta::{MAX_BETA_SHAPE, MIN_BETA_SHAPE, beta_cdf, beta_quantile};
use super::quantile_table::{self, QuantileTable};

/// Beta with shape parameters `alpha`, `beta`, scaled to `[min, max]`.
#[derive(Debug, Clone)]
pub struct Beta {
    alpha: f64,
    beta: f64,
    min: f64,
    max: f64,
    /// The quantile function for the samplers, tabulated on first use (see
    /// [`Family::sampling_quantile`]); only for shapes in [`quantile_table::SHAPES`].
    table: OnceLock<Arc<QuantileTable>>,
}

fn beta_shape(name: &'static str, value: f64) -> Result<f64, DistError> {
    positive(name, value)?;
    if (MIN_BETA_SHAPE..=MAX_BETA_SHAPE).contains(&value) {
        Ok(value)
    } else {
        Err(DistError::ShapeOutOfRange { name, value })
    }
}

impl Beta {
    /// Beta(`alpha`, `beta`) on `[min, max]`, both shapes in [`MIN_BETA_SHAPE`,
    /// `MAX_BETA_SHAPE`].
    pub fn new(alpha: f64, beta: f64, min: f64, max: f64) -> Result<Beta, DistError> {
        beta_shape("alpha", alpha)?;
        beta_shape("beta", beta)?;
        range(min, max)?;
        Ok(Beta::scaled(alpha, beta, min, max))
    }

    /// [`Beta::new`] for parameters already checked (PERT's).
    pub(super) fn scaled(alpha: f64, beta: f64, min: f64, max: f64) -> Beta {
        Beta {
            alpha,
            beta,
            min,
            max,
            table: OnceLock::new(),
        }
    }

    /// The first shape parameter.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// The second shape parameter.
    pub fn beta(&self) -> f64 {
        self.beta
    }

    /// The lower end.
    pub fn min(&self) -> f64 {
        self.min
    }

    /// The upper end.
    pub fn max(&self) -> f64 {
        self.max
    }

    /// The quantile table, for shape parameters it covers.
    fn table(&self) -> Option<&QuantileTable> {
        let (a, b) = (self.alpha, self.beta);
        if !(quantile_table::SHAPES.contains(&a) && quantile_table::SHAPES.contains(&b)) {
            return None;
        }
        Some(self.table.get_or_init(|| QuantileTable::shared(a, b)))
    }
}

impl Family for Beta {
    fn cdf(&self, x: f64) -> f64 {
        beta_cdf(
            self.alpha,
            self.beta,
            (x - self.min) / (self.max - self.min),
        )
    }

    fn quantile(&self, p: f64) -> f64 {
        self.min + (self.max - self.min) * beta_quantile(self.alpha, self.beta, p)
    }

    /// From the [`QuantileTable`], within [`quantile_table::MAX_ERROR`] of the range, for
    /// shape parameters in [`quantile_table::SHAPES`]; the exact quantile otherwise.
    fn sampling_quantile(&self, p: f64) -> f64 {
        match self.table() {
            Some(table) => self.min + (self.max - self.min) * table.quantile(p),
            None => self.quantile(p),
        }
    }

    #[inline(always)]
    fn sampling_quantiles(&self, p: &[f64], out: &mut [f64]) {
        let (min, max) = (self.min, self.max);
        match self.table() {
            Some(table) => {
                table.quantiles(p, out);
                for x in out.iter_mut().take(p.len()) {
                    *x = min + (max - min) * *x;
                }
            }
            None => {
                for (x, &p) in out.iter_mut().zip(p) {
                    *x = self.quantile(p.clamp(0.0, 1.0));
                }
            }
        }
    }

    fn mean(&self) -> f64 {
        self.min + (self.max - self.min) * self.alpha / (self.alpha + self.beta)
    }

    fn variance(&self) -> f64 {
        let (a, b) = (self.alpha, self.beta);
        let s = a + b;
        (self.max - self.min).powi(2) * a * b / (s * s * (s + 1.0))
    }

    fn support(&self) -> (f64, f64) {
        (self.min, self.max)
    }
}

impl fmt::Display for Beta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "beta({}, {}", num(self.alpha), num(self.beta))?;
        if self.min != 0.0 || self.max != 1.0 {
            write!(f, " on [{}, {}]", num(self.min), num(self.max))?;
        }
        write!(f, ")")
    }
}

#[cfg(test)]
mod tests {
    use crate::dist::Dist;

    #[test]
    fn beta_quantiles_invert_the_cdf_where_the_iteration_alone_does_not() {
        for (a, b) in [(0.1, 0.1), (0.01, 5.0), (0.5, 0.5), (1e6, 0.5), (2.0, 5.0)] {
            let d = Dist::beta(a, b, 0.0, 1.0).unwrap();
            for p in [1e-6, 0.05, 0.5, 0.95, 1.0 - 1e-6] {
                let x = d.quantile(p);
                assert!((0.0..=1.0).contains(&x));
                // Exact up to the CDF's flatness: x is the smallest double with cdf >= p,
                // within the bisection's last step.
                let below = d.cdf((x - 1e-15).max(0.0));
                assert!(
                    below <= p + 1e-9 && d.cdf(x) >= p - 1e-9,
                    "beta({a}, {b}) at {p}: {x}"
                );
            }
        }
    }
}
