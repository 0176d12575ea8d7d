//! The normal family, and the standard normal's exact CDF and quantile (statrs's `erfc` and
//! its inverse) that the lognormal family and the rare-event code share.

use std::fmt;

use statrs::function::erf::{erfc, erfc_inv};

use super::Family;
use super::error::{DistError, finite, num, positive};
use crate::math;

/// The z-score of the 95th percentile of the standard normal: a 90% interval spans ±1.6449 sd.
pub const Z90: f64 = 1.644_853_626_951_472_2;

/// Standard normal CDF.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// Standard normal quantile.
pub fn normal_quantile(p: f64) -> f64 {
    -std::f64::consts::SQRT_2 * erfc_inv(2.0 * p)
}

/// Normal with a mean and a standard deviation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Normal {
    mean: f64,
    sd: f64,
}

impl Normal {
    /// Normal with the given mean and (positive) standard deviation.
    pub fn new(mean: f64, sd: f64) -> Result<Normal, DistError> {
        finite("mean", mean)?;
        positive("sd", sd)?;
        Ok(Normal { mean, sd })
    }

    /// The mean.
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// The standard deviation.
    pub fn sd(&self) -> f64 {
        self.sd
    }
}

impl Family for Normal {
    fn cdf(&self, x: f64) -> f64 {
        normal_cdf((x - self.mean) / self.sd)
    }

    fn quantile(&self, p: f64) -> f64 {
        self.mean + self.sd * normal_quantile(p)
    }

    /// By the fast [`math::normal_quantile`].
    #[inline]
    fn sampling_quantile(&self, p: f64) -> f64 {
        self.mean + self.sd * math::normal_quantile(p)
    }

    fn mean(&self) -> f64 {
        self.mean
    }

    fn variance(&self) -> f64 {
        self.sd * self.sd
    }

    fn support(&self) -> (f64, f64) {
        (f64::NEG_INFINITY, f64::INFINITY)
    }
}

impl fmt::Display for Normal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "normal(mean {}, sd {})", num(self.mean), num(self.sd))
    }
}
