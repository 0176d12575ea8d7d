//! The discrete family: given values with given (or equal) weights, drawn through their
//! cumulative normalised weights.

use std::fmt;

use super::Family;
use super::error::{DistError, finite, num};

/// Values of a discrete distribution written out in its description; the rest are counted.
const SHOWN_VALUES: usize = 20;

/// `values[i]` with probability proportional to `weights[i]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Discrete {
    values: Vec<f64>,
    weights: Vec<f64>,
    /// Cumulative normalised weights, for the CDF and the quantile.
    cumulative: Vec<f64>,
}

impl Discrete {
    /// `values[i]` with probability proportional to `weights[i]` (equal if `None`): at least
    /// one finite value, and as many finite positive weights with a finite sum.
    pub fn new(values: Vec<f64>, weights: Option<Vec<f64>>) -> Result<Discrete, DistError> {
        if values.is_empty() {
            return Err(DistError::NoValues);
        }
        for v in &values {
            finite("value", *v)?;
        }
        let weights = weights.unwrap_or_else(|| vec![1.0; values.len()]);
        if weights.len() != values.len() {
            return Err(DistError::WeightCount {
                values: values.len(),
                weights: weights.len(),
            });
        }
        for (index, &weight) in weights.iter().enumerate() {
            if !(weight.is_finite() && weight > 0.0) {
                return Err(DistError::BadWeight { index, weight });
            }
        }
        let total: f64 = weights.iter().sum();
        if !total.is_finite() {
            return Err(DistError::NotFinite {
                name: "sum of weights",
                value: total,
            });
        }
        let mut acc = 0.0;
        let cumulative = weights
            .iter()
            .map(|w| {
                acc += w / total;
                acc
            })
            .collect();
        Ok(Discrete {
            values,
            weights,
            cumulative,
        })
    }

    /// The values in `[low, high]` with their weights, renormalised.
    pub(super) fn restricted(&self, low: f64, high: f64) -> Result<Discrete, DistError> {
        let (values, weights): (Vec<f64>, Vec<f64>) = self
            .values
            .iter()
            .zip(&self.weights)
            .filter(|(v, _)| (low..=high).contains(*v))
            .unzip();
        if values.is_empty() {
            return Err(DistError::TruncationEmpty { low, high });
        }
        Discrete::new(values, Some(weights))
    }

    /// The values, as given.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The weights, as given (not normalised).
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// The normalised weights, from the cumulative ones.
    fn probabilities(&self) -> impl Iterator<Item = f64> + '_ {
        let mut previous = 0.0;
        self.cumulative.iter().map(move |&c| {
            let w = c - previous;
            previous = c;
            w
        })
    }
}

impl Family for Discrete {
    fn cdf(&self, x: f64) -> f64 {
        self.values
            .iter()
            .zip(self.probabilities())
            .filter(|(v, _)| **v <= x)
            .map(|(_, w)| w)
            .sum()
    }

    fn quantile(&self, p: f64) -> f64 {
        let i = self.cumulative.partition_point(|&c| c < p);
        self.values[i.min(self.values.len() - 1)]
    }

    fn mean(&self) -> f64 {
        self.values
            .iter()
            .zip(self.probabilities())
            .map(|(v, w)| v * w)
            .sum()
    }

    fn variance(&self) -> f64 {
        let mean = self.mean();
        self.values
            .iter()
            .zip(self.probabilities())
            .map(|(v, w)| w * (v - mean).powi(2))
            .sum()
    }

    fn support(&self) -> (f64, f64) {
        self.values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            })
    }

    fn is_integer_valued(&self) -> bool {
        self.values.iter().all(|v| v.fract() == 0.0)
    }
}

impl fmt::Display for Discrete {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "discrete(")?;
        let total: f64 = self.weights.iter().sum();
        let shown = self.values.iter().zip(&self.weights).take(SHOWN_VALUES);
        for (i, (v, w)) in shown.enumerate() {
            if i > 0 {
                write!(f, ", ")?;
            }
            write!(f, "{}: {}", num(*v), num(w / total))?;
        }
        if self.values.len() > SHOWN_VALUES {
            write!(f, ", … {} more", self.values.len() - SHOWN_VALUES)?;
        }
        write!(f, ")")
    }
}

#[cfg(test)]
mod tests {
    use crate::dist::Dist;

    #[test]
    fn discrete_samples_only_its_values_and_truncation_filters() {
        let d = Dist::discrete(vec![5.0, 6.0, 7.0], Some(vec![1.0, 1.0, 2.0])).unwrap();
        for i in 0..1000 {
            let x = d.sampling_quantile(crate::rng::uniform(i, 1, 0));
            assert!([5.0, 6.0, 7.0].contains(&x));
        }
        assert_eq!(d.quantile(0.0), 5.0);
        assert_eq!(d.quantile(0.3), 6.0);
        assert_eq!(d.quantile(0.9), 7.0);
        let t = d.truncate(5.5, 10.0).unwrap();
        assert_eq!(t.support(), (6.0, 7.0));
        assert!(t.is_integer_valued());
    }
}
