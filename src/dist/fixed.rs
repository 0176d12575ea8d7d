//! The fixed family: a constant, what an input given as a plain number becomes.

use std::fmt;

use super::Family;
use super::error::{DistError, finite, num};

/// A constant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fixed {
    value: f64,
}

impl Fixed {
    /// The constant `value`, which must be finite.
    pub fn new(value: f64) -> Result<Fixed, DistError> {
        Ok(Fixed {
            value: finite("", value)?,
        })
    }

    /// The constant.
    pub fn value(&self) -> f64 {
        self.value
    }
}

impl Family for Fixed {
    fn cdf(&self, x: f64) -> f64 {
        f64::from(x >= self.value)
    }

    fn quantile(&self, _p: f64) -> f64 {
        self.value
    }

    fn sampling_quantiles(&self, _p: &[f64], out: &mut [f64]) {
        out.fill(self.value);
    }

    fn mean(&self) -> f64 {
        self.value
    }

    fn variance(&self) -> f64 {
        0.0
    }

    fn support(&self) -> (f64, f64) {
        (self.value, self.value)
    }

    fn is_integer_valued(&self) -> bool {
        self.value.fract() == 0.0
    }
}

impl fmt::Display for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", num(self.value))
    }
}
