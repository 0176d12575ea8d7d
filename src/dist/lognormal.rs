//! The lognormal family, `exp(N(mu, sigma))`, also given by its 90% interval.

use std::fmt;

use super::Family;
use super::error::{DistError, finite, num, positive};
use super::normal::{Z90, normal_cdf, normal_quantile};
use crate::math;

/// Lognormal: `exp(N(mu, sigma))`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogNormal {
    mu: f64,
    sigma: f64,
}

impl LogNormal {
    /// `exp(N(mu, sigma))`, `sigma` positive.
    pub fn new(mu: f64, sigma: f64) -> Result<LogNormal, DistError> {
        finite("mu", mu)?;
        positive("sigma", sigma)?;
        Ok(LogNormal { mu, sigma })
    }

    /// The lognormal whose 5th and 95th percentiles are `low` and `high`.
    pub fn ci90(low: f64, high: f64) -> Result<LogNormal, DistError> {
        if !(low.is_finite() && high.is_finite() && low > 0.0 && low < high) {
            return Err(DistError::BadInterval { low, high });
        }
        let mu = 0.5 * (low.ln() + high.ln());
        let sigma = (high.ln() - low.ln()) / (2.0 * Z90);
        LogNormal::new(mu, sigma)
    }

    /// The mean of the logarithm.
    pub fn mu(&self) -> f64 {
        self.mu
    }

    /// The standard deviation of the logarithm.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }
}

impl Family for LogNormal {
    fn cdf(&self, x: f64) -> f64 {
        if x <= 0.0 {
            0.0
        } else {
            normal_cdf((x.ln() - self.mu) / self.sigma)
        }
    }

    fn quantile(&self, p: f64) -> f64 {
        (self.mu + self.sigma * normal_quantile(p)).exp()
    }

    /// By the fast [`math::normal_quantile`] and [`math::exp`].
    #[inline]
    fn sampling_quantile(&self, p: f64) -> f64 {
        math::exp(self.mu + self.sigma * math::normal_quantile(p))
    }

    fn mean(&self) -> f64 {
        (self.mu + 0.5 * self.sigma * self.sigma).exp()
    }

    fn variance(&self) -> f64 {
        let s2 = self.sigma * self.sigma;
        (s2.exp() - 1.0) * (2.0 * self.mu + s2).exp()
    }

    fn support(&self) -> (f64, f64) {
        (0.0, f64::INFINITY)
    }
}

impl fmt::Display for LogNormal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let LogNormal { mu, sigma } = *self;
        write!(
            f,
            "lognormal(median {}, 90% in [{}, {}])",
            num(mu.exp()),
            num((mu - Z90 * sigma).exp()),
            num((mu + Z90 * sigma).exp())
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::dist::Dist;

    #[test]
    fn ci90_puts_five_percent_in_each_tail() {
        let d = Dist::lognormal_ci90(10.0, 1000.0).unwrap();
        assert!((d.cdf(10.0) - 0.05).abs() < 1e-9);
        assert!((d.cdf(1000.0) - 0.95).abs() < 1e-9);
        assert!((d.quantile(0.5) - 100.0).abs() < 1e-6);
    }
}
