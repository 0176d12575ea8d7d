//! Why a distribution's parameters are impossible ([`DistError`]), the checks the families'
//! constructors share, and the short number format of descriptions and errors ([`num`]).

/// Why a distribution's parameters are impossible.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DistError {
    #[error("{}must be a finite number, got {}", prefix(.name), num(*.value))]
    NotFinite { name: &'static str, value: f64 },
    #[error("min ({}) must be below max ({})", num(*.min), num(*.max))]
    EmptyRange { min: f64, max: f64 },
    #[error("the range [{}, {}] is too wide: max - min overflows", num(*.min), num(*.max))]
    TooWide { min: f64, max: f64 },
    #[error("mode ({}) must lie within [min, max] = [{}, {}]", num(*.mode), num(*.min), num(*.max))]
    ModeOutside { min: f64, mode: f64, max: f64 },
    #[error("{name} must be positive, got {}", num(*.value))]
    NotPositive { name: &'static str, value: f64 },
    #[error("{name} must lie in [0.01, 1e6], got {}", num(*.value))]
    ShapeOutOfRange { name: &'static str, value: f64 },
    #[error("a 90% interval needs 0 < low < high, got [{}, {}]", num(*.low), num(*.high))]
    BadInterval { low: f64, high: f64 },
    #[error("a discrete distribution needs at least one value")]
    NoValues,
    #[error("{values} values but {weights} weights")]
    WeightCount { values: usize, weights: usize },
    #[error("weight number {} is {}; weights must be finite and positive", .index + 1, num(*.weight))]
    BadWeight { index: usize, weight: f64 },
    #[error("truncation [{}, {}] keeps no probability mass", num(*.low), num(*.high))]
    TruncationEmpty { low: f64, high: f64 },
}

/// "name " before a message, or nothing for the value of a plain number.
fn prefix(name: &str) -> String {
    if name.is_empty() {
        String::new()
    } else {
        format!("{name} ")
    }
}

/// Short numbers for descriptions and errors: `1.4e12`, `0.35`, `2`.
pub fn num(x: f64) -> String {
    if x != 0.0 && (x.abs() >= 1e5 || x.abs() < 1e-3) {
        format!("{x:e}")
    } else {
        let s = format!("{x:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

pub(super) fn finite(name: &'static str, value: f64) -> Result<f64, DistError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(DistError::NotFinite { name, value })
    }
}

pub(super) fn positive(name: &'static str, value: f64) -> Result<f64, DistError> {
    if finite(name, value)? > 0.0 {
        Ok(value)
    } else {
        Err(DistError::NotPositive { name, value })
    }
}

/// `[min, max]` is a finite, non-empty range whose width is finite.
pub(super) fn range(min: f64, max: f64) -> Result<(), DistError> {
    finite("min", min)?;
    finite("max", max)?;
    if min >= max {
        Err(DistError::EmptyRange { min, max })
    } else if !(max - min).is_finite() {
        // Sampling min + u (max - min) would give inf, or NaN at u = 0.
        Err(DistError::TooWide { min, max })
    } else {
        Ok(())
    }
}

/// [`range`], and `mode` inside it.
pub(super) fn mode_within(min: f64, mode: f64, max: f64) -> Result<(), DistError> {
    range(min, max)?;
    finite("mode", mode)?;
    if (min..=max).contains(&mode) {
        Ok(())
    } else {
        Err(DistError::ModeOutside { min, mode, max })
    }
}
