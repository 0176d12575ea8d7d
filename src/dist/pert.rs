//! The Beta-PERT family of Vose (2008), stored as its Beta: PERT(min, mode, max, shape) is
//! Beta(alpha, beta) on `[min, max]` with `alpha = 1 + shape (mode - min) / (max - min)` and
//! `beta = 1 + shape (max - mode) / (max - min)`. Everything but the mean and the description
//! is the Beta's.

use std::fmt;

use super::Family;
use super::beta::Beta;
use super::error::{DistError, finite, mode_within, num};
use super::incomplete_beta::MAX_BETA_SHAPE;

/// Beta-PERT on `[min, max]` with a mode and a shape (4 in the classic PERT).
#[derive(Debug, Clone)]
pub struct Pert {
    mode: f64,
    shape: f64,
    /// The same distribution as a scaled Beta, which holds `min` and `max`.
    beta: Beta,
}

impl Pert {
    /// Beta-PERT on `[min, max]`, `mode` within it, `shape` in (0, [`MAX_BETA_SHAPE`]].
    pub fn new(min: f64, mode: f64, max: f64, shape: f64) -> Result<Pert, DistError> {
        mode_within(min, mode, max)?;
        // PERT's Beta shapes lie in [1, 1 + shape].
        if !(finite("shape", shape)? > 0.0 && shape <= MAX_BETA_SHAPE) {
            return Err(DistError::ShapeOutOfRange {
                name: "shape",
                value: shape,
            });
        }
        let width = max - min;
        let alpha = 1.0 + shape * (mode - min) / width;
        let beta = 1.0 + shape * (max - mode) / width;
        Ok(Pert {
            mode,
            shape,
            beta: Beta::scaled(alpha, beta, min, max),
        })
    }

    /// The lower end.
    pub fn min(&self) -> f64 {
        self.beta.min()
    }

    /// The most likely value.
    pub fn mode(&self) -> f64 {
        self.mode
    }

    /// The upper end.
    pub fn max(&self) -> f64 {
        self.beta.max()
    }

    /// How strongly the distribution peaks at the mode.
    pub fn shape(&self) -> f64 {
        self.shape
    }

    /// The same distribution as a scaled Beta.
    pub fn as_beta(&self) -> &Beta {
        &self.beta
    }
}

impl Family for Pert {
    fn cdf(&self, x: f64) -> f64 {
        self.beta.cdf(x)
    }

    fn quantile(&self, p: f64) -> f64 {
        self.beta.quantile(p)
    }

    fn sampling_quantile(&self, p: f64) -> f64 {
        self.beta.sampling_quantile(p)
    }

    #[inline(always)]
    fn sampling_quantiles(&self, p: &[f64], out: &mut [f64]) {
        self.beta.sampling_quantiles(p, out);
    }

    /// PERT's own form, `(min + shape mode + max) / (shape + 2)`.
    fn mean(&self) -> f64 {
        (self.min() + self.shape * self.mode + self.max()) / (self.shape + 2.0)
    }

    fn variance(&self) -> f64 {
        self.beta.variance()
    }

    fn support(&self) -> (f64, f64) {
        self.beta.support()
    }
}

impl fmt::Display for Pert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "pert({}, {}, {}",
            num(self.min()),
            num(self.mode),
            num(self.max())
        )?;
        if self.shape != 4.0 {
            write!(f, ", shape {}", num(self.shape))?;
        }
        write!(f, ")")
    }
}

#[cfg(test)]
mod tests {
    use crate::dist::{Dist, Shape};

    #[test]
    fn pert_is_stored_as_the_beta_of_vose() {
        let d = Dist::pert(10.0, 13.0, 20.0, 4.0).unwrap();
        let Shape::Pert(pert) = d.shape() else {
            panic!("a PERT shape")
        };
        let beta = pert.as_beta();
        assert_eq!((beta.min(), beta.max()), (10.0, 20.0));
        assert!((beta.alpha() - 2.2).abs() < 1e-15 && (beta.beta() - 3.8).abs() < 1e-15);
        // The same quantiles and variance as that Beta; the mean by PERT's own formula.
        let same = Dist::beta(beta.alpha(), beta.beta(), 10.0, 20.0).unwrap();
        for p in [0.0, 0.01, 0.3, 0.77, 1.0] {
            assert_eq!(d.quantile(p), same.quantile(p));
            assert_eq!(d.sampling_quantile(p), same.sampling_quantile(p));
        }
        assert_eq!(d.variance(), same.variance());
        assert!((d.mean().unwrap() - same.mean().unwrap()).abs() < 1e-12);
    }
}
