//! Truncation: a distribution restricted to `[low, high]` and renormalised. A continuous family
//! keeps its own CDF and quantile, read on the probability range `[cdf(low), cdf(high)]`; a
//! discrete one keeps the values inside; a fixed value must lie inside.

use super::error::DistError;
use super::{Dist, Family, Shape};

/// The bounds of a truncated continuous distribution and their probabilities under the
/// untruncated one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Truncation {
    pub(super) low: f64,
    pub(super) high: f64,
    p_low: f64,
    p_high: f64,
}

/// Uniforms mapped at a time by [`Truncation::sampling_quantiles`] (a block of paths).
const CHUNK: usize = 128;

impl Truncation {
    /// The truncated CDF from the untruncated one, `p = cdf(x)`.
    pub(super) fn cdf(&self, p: f64) -> f64 {
        ((p - self.p_low) / (self.p_high - self.p_low)).clamp(0.0, 1.0)
    }

    /// Applies an untruncated quantile function to `p` in `[0, 1]` mapped onto the truncated
    /// probability range, and clamps the result to the bounds.
    #[inline]
    pub(super) fn quantile(&self, p: f64, untruncated: impl Fn(f64) -> f64) -> f64 {
        untruncated(self.probability(p)).clamp(self.low, self.high)
    }

    /// [`Truncation::quantile`] of every uniform in `p` with the family's block sampler: the
    /// uniforms are mapped a block at a time, the family is dispatched once per block.
    #[inline(always)]
    pub(super) fn sampling_quantiles<F: Family>(&self, family: &F, p: &[f64], out: &mut [f64]) {
        let mut mapped = [0.0; CHUNK];
        for (p, out) in p.chunks(CHUNK).zip(out.chunks_mut(CHUNK)) {
            let mapped = &mut mapped[..p.len()];
            for (q, &p) in mapped.iter_mut().zip(p) {
                *q = self.probability(p.clamp(0.0, 1.0));
            }
            // A mapped uniform lies in [0, 1], so the family's own clamp leaves it as it is:
            // the same values as `quantile` gives one at a time.
            family.sampling_quantiles(mapped, out);
            for x in out.iter_mut() {
                *x = x.clamp(self.low, self.high);
            }
        }
    }

    /// `p` in `[0, 1]` mapped onto `[p_low, p_high]`.
    #[inline]
    fn probability(&self, p: f64) -> f64 {
        self.p_low + p * (self.p_high - self.p_low)
    }
}

impl Dist {
    /// Restricts the distribution to `[low, high]` (within any earlier truncation),
    /// renormalised. A discrete distribution keeps the values inside; a fixed value must lie
    /// inside.
    pub fn truncate(self, low: f64, high: f64) -> Result<Dist, DistError> {
        if low.is_nan() || high.is_nan() || low >= high {
            return Err(DistError::EmptyRange {
                min: low,
                max: high,
            });
        }
        match &self.shape {
            Shape::Fixed(fixed) => {
                if (low..=high).contains(&fixed.value()) {
                    Ok(self)
                } else {
                    Err(DistError::TruncationEmpty { low, high })
                }
            }
            Shape::Discrete(discrete) => Ok(Dist::from_shape(Shape::Discrete(
                discrete.restricted(low, high)?,
            ))),
            _ => {
                // Truncating again narrows the bounds; the probabilities are the family's.
                let (lo, hi) = match self.truncation {
                    Some(t) => (low.max(t.low), high.min(t.high)),
                    None => (low, high),
                };
                let family = self.shape.family();
                let p_low = family.cdf(lo);
                let p_high = family.cdf(hi);
                if p_high - p_low <= 1e-12 || p_high.is_nan() || p_low.is_nan() {
                    return Err(DistError::TruncationEmpty { low, high });
                }
                Ok(Dist {
                    truncation: Some(Truncation {
                        low: lo,
                        high: hi,
                        p_low,
                        p_high,
                    }),
                    ..self
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::dist::{Dist, DistError};

    #[test]
    fn truncated_samples_stay_inside() {
        let d = Dist::lognormal(0.0, 2.0)
            .unwrap()
            .truncate(0.5, 3.0)
            .unwrap();
        for i in 0..10_000 {
            let x = d.sampling_quantile(crate::rng::uniform(i, 2, 0));
            assert!((0.5..=3.0).contains(&x));
        }
        assert_eq!(d.support(), (0.5, 3.0));
    }

    #[test]
    fn truncating_twice_keeps_the_intersection() {
        let normal = Dist::normal(0.0, 1.0).unwrap();
        let twice = normal
            .clone()
            .truncate(-1.0, 2.0)
            .unwrap()
            .truncate(0.0, 5.0);
        let once = normal.clone().truncate(0.0, 2.0).unwrap();
        let twice = twice.unwrap();
        assert_eq!(twice.truncation(), Some((0.0, 2.0)));
        for p in [0.0, 0.1, 0.5, 0.9, 1.0] {
            assert_eq!(twice.quantile(p), once.quantile(p));
            assert_eq!(twice.cdf(once.quantile(p)), once.cdf(once.quantile(p)));
        }
        let disjoint = normal.truncate(-1.0, 0.0).unwrap().truncate(1.0, 2.0);
        assert!(matches!(disjoint, Err(DistError::TruncationEmpty { .. })));
    }
}
