//! The triangular family on `[min, max]` with its peak at `mode`.

use std::fmt;

use super::Family;
use super::error::{DistError, mode_within, num};

/// Triangular on `[min, max]` with its peak at `mode`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Triangular {
    min: f64,
    mode: f64,
    max: f64,
}

impl Triangular {
    /// Triangular on `[min, max]`, `mode` within it.
    pub fn new(min: f64, mode: f64, max: f64) -> Result<Triangular, DistError> {
        mode_within(min, mode, max)?;
        Ok(Triangular { min, mode, max })
    }

    /// The lower end.
    pub fn min(&self) -> f64 {
        self.min
    }

    /// The peak.
    pub fn mode(&self) -> f64 {
        self.mode
    }

    /// The upper end.
    pub fn max(&self) -> f64 {
        self.max
    }
}

impl Family for Triangular {
    fn cdf(&self, x: f64) -> f64 {
        let Triangular { min, mode, max } = *self;
        if x <= min {
            0.0
        } else if x >= max {
            1.0
        } else if x <= mode {
            (x - min).powi(2) / ((max - min) * (mode - min))
        } else {
            1.0 - (max - x).powi(2) / ((max - min) * (max - mode))
        }
    }

    fn quantile(&self, p: f64) -> f64 {
        let Triangular { min, mode, max } = *self;
        let split = (mode - min) / (max - min);
        if p <= split {
            min + (p * (max - min) * (mode - min)).sqrt()
        } else {
            max - ((1.0 - p) * (max - min) * (max - mode)).sqrt()
        }
    }

    fn mean(&self) -> f64 {
        (self.min + self.mode + self.max) / 3.0
    }

    fn variance(&self) -> f64 {
        let Triangular { min, mode, max } = *self;
        (min * min + mode * mode + max * max - min * mode - min * max - mode * max) / 18.0
    }

    fn support(&self) -> (f64, f64) {
        (self.min, self.max)
    }
}

impl fmt::Display for Triangular {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "triangular({}, {}, {})",
            num(self.min),
            num(self.mode),
            num(self.max)
        )
    }
}
