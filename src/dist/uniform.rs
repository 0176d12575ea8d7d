//! The uniform family on `[min, max]`.

use std::fmt;

use super::Family;
use super::error::{DistError, num, range};

/// Uniform on `[min, max]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Uniform {
    min: f64,
    max: f64,
}

impl Uniform {
    /// Uniform on `[min, max]`: a finite range, `min < max`.
    pub fn new(min: f64, max: f64) -> Result<Uniform, DistError> {
        range(min, max)?;
        Ok(Uniform { min, max })
    }

    /// The lower end.
    pub fn min(&self) -> f64 {
        self.min
    }

    /// The upper end.
    pub fn max(&self) -> f64 {
        self.max
    }
}

impl Family for Uniform {
    fn cdf(&self, x: f64) -> f64 {
        ((x - self.min) / (self.max - self.min)).clamp(0.0, 1.0)
    }

    fn quantile(&self, p: f64) -> f64 {
        self.min + p * (self.max - self.min)
    }

    fn mean(&self) -> f64 {
        0.5 * (self.min + self.max)
    }

    fn variance(&self) -> f64 {
        (self.max - self.min).powi(2) / 12.0
    }

    fn support(&self) -> (f64, f64) {
        (self.min, self.max)
    }
}

impl fmt::Display for Uniform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "uniform({}, {})", num(self.min), num(self.max))
    }
}
