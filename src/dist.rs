//! Probability distributions for uncertain scenario inputs.
//!
//! A [`Dist`] is built from validated parameters (its constructors reject impossible ones, the
//! way `rand_distr::Normal::new` does). Every distribution has a CDF and a quantile function,
//! and is drawn by inversion: [`Dist::sampling_quantile`] at a uniform, on the truncated
//! probability range for a truncated distribution, so tests can compare samples with the
//! analytic CDF. PERT is the Beta-PERT of Vose (2008): a Beta on `[min, max]` with
//! `alpha = 1 + shape (mode - min) / (max - min)`, `beta = 1 + shape (max - mode) / (max - min)`.
//! For PERT and Beta, [`Dist::sampling_quantile`] reads the quantile function from a table
//! built on first use, within [`crate::quantile_table::MAX_ERROR`] of the range; normal and
//! lognormal use the fast [`crate::math::normal_quantile`] and [`crate::math::exp`].

use std::fmt;
use std::sync::{Arc, OnceLock};

use statrs::function::beta::{beta_reg, inv_beta_reg};
use statrs::function::erf::{erfc, erfc_inv};

use crate::math;
use crate::quantile_table::{self, QuantileTable};

/// The z-score of the 95th percentile of the standard normal: a 90% interval spans ±1.6449 sd.
pub const Z90: f64 = 1.644_853_626_951_472_2;

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

/// The family and parameters of a distribution, before truncation.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    Fixed(f64),
    Uniform {
        min: f64,
        max: f64,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
    Pert {
        min: f64,
        mode: f64,
        max: f64,
        shape: f64,
    },
    Normal {
        mean: f64,
        sd: f64,
    },
    LogNormal {
        mu: f64,
        sigma: f64,
    },
    Beta {
        alpha: f64,
        beta: f64,
        min: f64,
        max: f64,
    },
    Discrete {
        values: Vec<f64>,
        weights: Vec<f64>,
    },
}

/// A ready-to-sample distribution: a [`Shape`], an optional truncation, and the precomputed
/// state its quantile function needs.
#[derive(Debug, Clone)]
pub struct Dist {
    shape: Shape,
    truncation: Option<Truncation>,
    /// PERT and Beta shapes as their Beta: `(alpha, beta, min, max)`.
    scaled: Option<(f64, f64, f64, f64)>,
    /// The quantile function of PERT and Beta shapes for the samplers, tabulated on first use (see
    /// [`Dist::sampling_quantile`]).
    beta_table: OnceLock<Arc<QuantileTable>>,
    /// Cumulative normalised weights for discrete shapes.
    cumulative: Vec<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Truncation {
    low: f64,
    high: f64,
    p_low: f64,
    p_high: f64,
}

fn finite(name: &'static str, value: f64) -> Result<f64, DistError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(DistError::NotFinite { name, value })
    }
}

/// The range of Beta shape parameters (and PERT's `shape`) accepted: outside it the Beta
/// functions lose all precision in double arithmetic.
pub const MIN_BETA_SHAPE: f64 = 0.01;
/// See [`MIN_BETA_SHAPE`].
pub const MAX_BETA_SHAPE: f64 = 1e6;

fn beta_shape(name: &'static str, value: f64) -> Result<f64, DistError> {
    positive(name, value)?;
    if (MIN_BETA_SHAPE..=MAX_BETA_SHAPE).contains(&value) {
        Ok(value)
    } else {
        Err(DistError::ShapeOutOfRange { name, value })
    }
}

fn positive(name: &'static str, value: f64) -> Result<f64, DistError> {
    if finite(name, value)? > 0.0 {
        Ok(value)
    } else {
        Err(DistError::NotPositive { name, value })
    }
}

fn range(min: f64, max: f64) -> Result<(), DistError> {
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

fn mode_within(min: f64, mode: f64, max: f64) -> Result<(), DistError> {
    range(min, max)?;
    finite("mode", mode)?;
    if (min..=max).contains(&mode) {
        Ok(())
    } else {
        Err(DistError::ModeOutside { min, mode, max })
    }
}

/// Standard normal CDF.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// Standard normal quantile.
pub fn normal_quantile(p: f64) -> f64 {
    -std::f64::consts::SQRT_2 * erfc_inv(2.0 * p)
}

impl Dist {
    fn from_shape(shape: Shape) -> Dist {
        let cumulative = match &shape {
            Shape::Discrete { weights, .. } => {
                let total: f64 = weights.iter().sum();
                let mut acc = 0.0;
                weights
                    .iter()
                    .map(|w| {
                        acc += w / total;
                        acc
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        Dist {
            scaled: scaled_beta(&shape),
            shape,
            truncation: None,
            beta_table: OnceLock::new(),
            cumulative,
        }
    }

    /// A constant.
    pub fn fixed(value: f64) -> Result<Dist, DistError> {
        Ok(Dist::from_shape(Shape::Fixed(finite("", value)?)))
    }

    /// Uniform on `[min, max]`.
    pub fn uniform(min: f64, max: f64) -> Result<Dist, DistError> {
        range(min, max)?;
        Ok(Dist::from_shape(Shape::Uniform { min, max }))
    }

    /// Triangular on `[min, max]` with its peak at `mode`.
    pub fn triangular(min: f64, mode: f64, max: f64) -> Result<Dist, DistError> {
        mode_within(min, mode, max)?;
        Ok(Dist::from_shape(Shape::Triangular { min, mode, max }))
    }

    /// Beta-PERT on `[min, max]` with the given mode; `shape` is 4 in the classic PERT.
    pub fn pert(min: f64, mode: f64, max: f64, shape: f64) -> Result<Dist, DistError> {
        mode_within(min, mode, max)?;
        // PERT's Beta shapes lie in [1, 1 + shape].
        if !(finite("shape", shape)? > 0.0 && shape <= MAX_BETA_SHAPE) {
            return Err(DistError::ShapeOutOfRange {
                name: "shape",
                value: shape,
            });
        }
        Ok(Dist::from_shape(Shape::Pert {
            min,
            mode,
            max,
            shape,
        }))
    }

    /// Normal with the given mean and standard deviation.
    pub fn normal(mean: f64, sd: f64) -> Result<Dist, DistError> {
        finite("mean", mean)?;
        positive("sd", sd)?;
        Ok(Dist::from_shape(Shape::Normal { mean, sd }))
    }

    /// Lognormal: `exp(N(mu, sigma))`.
    pub fn lognormal(mu: f64, sigma: f64) -> Result<Dist, DistError> {
        finite("mu", mu)?;
        positive("sigma", sigma)?;
        Ok(Dist::from_shape(Shape::LogNormal { mu, sigma }))
    }

    /// Lognormal whose 5th and 95th percentiles are `low` and `high`.
    pub fn lognormal_ci90(low: f64, high: f64) -> Result<Dist, DistError> {
        if !(low.is_finite() && high.is_finite() && low > 0.0 && low < high) {
            return Err(DistError::BadInterval { low, high });
        }
        let mu = 0.5 * (low.ln() + high.ln());
        let sigma = (high.ln() - low.ln()) / (2.0 * Z90);
        Dist::lognormal(mu, sigma)
    }

    /// Beta with shape parameters `alpha`, `beta`, scaled to `[min, max]` (0 and 1 by default).
    pub fn beta(alpha: f64, beta: f64, min: f64, max: f64) -> Result<Dist, DistError> {
        beta_shape("alpha", alpha)?;
        beta_shape("beta", beta)?;
        range(min, max)?;
        Ok(Dist::from_shape(Shape::Beta {
            alpha,
            beta,
            min,
            max,
        }))
    }

    /// Discrete: `values[i]` with probability proportional to `weights[i]` (equal if `None`).
    pub fn discrete(values: Vec<f64>, weights: Option<Vec<f64>>) -> Result<Dist, DistError> {
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
        if !weights.iter().sum::<f64>().is_finite() {
            return Err(DistError::NotFinite {
                name: "sum of weights",
                value: weights.iter().sum(),
            });
        }
        Ok(Dist::from_shape(Shape::Discrete { values, weights }))
    }

    /// Restricts the distribution to `[low, high]`, renormalised. A discrete distribution keeps
    /// the values inside; a fixed value must lie inside.
    pub fn truncate(self, low: f64, high: f64) -> Result<Dist, DistError> {
        if low.is_nan() || high.is_nan() || low >= high {
            return Err(DistError::EmptyRange {
                min: low,
                max: high,
            });
        }
        match self.shape {
            Shape::Fixed(v) => {
                if (low..=high).contains(&v) {
                    Ok(self)
                } else {
                    Err(DistError::TruncationEmpty { low, high })
                }
            }
            Shape::Discrete { values, weights } => {
                let (values, weights): (Vec<f64>, Vec<f64>) = values
                    .into_iter()
                    .zip(weights)
                    .filter(|(v, _)| (low..=high).contains(v))
                    .unzip();
                if values.is_empty() {
                    return Err(DistError::TruncationEmpty { low, high });
                }
                Dist::discrete(values, Some(weights))
            }
            _ => {
                let p_low = self.cdf(low);
                let p_high = self.cdf(high);
                if p_high - p_low <= 1e-12 || p_high.is_nan() || p_low.is_nan() {
                    return Err(DistError::TruncationEmpty { low, high });
                }
                Ok(Dist {
                    truncation: Some(Truncation {
                        low,
                        high,
                        p_low,
                        p_high,
                    }),
                    ..self
                })
            }
        }
    }

    /// The family and parameters.
    pub fn shape(&self) -> &Shape {
        &self.shape
    }

    /// The truncation bounds, if any.
    pub fn truncation(&self) -> Option<(f64, f64)> {
        self.truncation.map(|t| (t.low, t.high))
    }

    /// True for a constant.
    pub fn is_fixed(&self) -> bool {
        matches!(self.shape, Shape::Fixed(_))
    }

    /// True when every possible value is a whole number.
    pub fn is_integer_valued(&self) -> bool {
        match &self.shape {
            Shape::Fixed(v) => v.fract() == 0.0,
            Shape::Discrete { values, .. } => values.iter().all(|v| v.fract() == 0.0),
            _ => false,
        }
    }

    /// The smallest and largest values the distribution can produce (infinite when unbounded).
    pub fn support(&self) -> (f64, f64) {
        let (lo, hi) = match &self.shape {
            Shape::Fixed(v) => (*v, *v),
            Shape::Uniform { min, max }
            | Shape::Triangular { min, max, .. }
            | Shape::Pert { min, max, .. }
            | Shape::Beta { min, max, .. } => (*min, *max),
            Shape::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY),
            Shape::LogNormal { .. } => (0.0, f64::INFINITY),
            Shape::Discrete { values, .. } => values
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                }),
        };
        match self.truncation {
            Some(t) => (lo.max(t.low), hi.min(t.high)),
            None => (lo, hi),
        }
    }

    /// The cumulative distribution function `P(X <= x)`, truncation included.
    pub fn cdf(&self, x: f64) -> f64 {
        let p = self.untruncated_cdf(x);
        match self.truncation {
            Some(t) => ((p - t.p_low) / (t.p_high - t.p_low)).clamp(0.0, 1.0),
            None => p,
        }
    }

    fn untruncated_cdf(&self, x: f64) -> f64 {
        match &self.shape {
            Shape::Fixed(v) => f64::from(x >= *v),
            Shape::Uniform { min, max } => ((x - min) / (max - min)).clamp(0.0, 1.0),
            Shape::Triangular { min, mode, max } => {
                if x <= *min {
                    0.0
                } else if x >= *max {
                    1.0
                } else if x <= *mode {
                    (x - min).powi(2) / ((max - min) * (mode - min))
                } else {
                    1.0 - (max - x).powi(2) / ((max - min) * (max - mode))
                }
            }
            Shape::Pert { .. } | Shape::Beta { .. } => {
                let (a, b, min, max) = scaled_beta(&self.shape).expect("a Beta form");
                beta_cdf(a, b, (x - min) / (max - min))
            }
            Shape::Normal { mean, sd } => normal_cdf((x - mean) / sd),
            Shape::LogNormal { mu, sigma } => {
                if x <= 0.0 {
                    0.0
                } else {
                    normal_cdf((x.ln() - mu) / sigma)
                }
            }
            Shape::Discrete { values, .. } => values
                .iter()
                .zip(self.cumulative_weights())
                .filter(|(v, _)| **v <= x)
                .map(|(_, w)| w)
                .sum(),
        }
    }

    fn cumulative_weights(&self) -> impl Iterator<Item = f64> + '_ {
        let mut previous = 0.0;
        self.cumulative.iter().map(move |&c| {
            let w = c - previous;
            previous = c;
            w
        })
    }

    /// The quantile function: the smallest `x` with `cdf(x) >= p`, for `p` in `[0, 1]`.
    pub fn quantile(&self, p: f64) -> f64 {
        self.within_truncation(p, |p| self.untruncated_quantile(p))
    }

    /// Applies an untruncated quantile function to `p` mapped onto the truncated probability
    /// range, and clamps the result to the truncation bounds.
    #[inline]
    fn within_truncation(&self, p: f64, untruncated: impl Fn(f64) -> f64) -> f64 {
        let p = p.clamp(0.0, 1.0);
        match self.truncation {
            Some(t) => untruncated(t.p_low + p * (t.p_high - t.p_low)).clamp(t.low, t.high),
            None => untruncated(p),
        }
    }

    /// The quantile function as the samplers use it (`lhs`, `sobol` and correlated inputs):
    /// [`Dist::quantile`], except for Beta and PERT shapes whose two shape parameters lie in
    /// [`quantile_table::SHAPES`], which read a table built on first use, within
    /// [`quantile_table::MAX_ERROR`] of the range (see [`crate::quantile_table`]).
    pub fn sampling_quantile(&self, p: f64) -> f64 {
        self.within_truncation(p, |p| self.untruncated_sampling_quantile(p))
    }

    /// [`Dist::sampling_quantile`] of every uniform in `p`, into `out`, with the same
    /// results: the family is matched once for all of them, not once per value.
    pub fn sampling_quantiles(&self, p: &[f64], out: &mut [f64]) {
        let each = |out: &mut [f64], f: &dyn Fn(f64) -> f64| {
            for (x, &p) in out.iter_mut().zip(p) {
                *x = f(p.clamp(0.0, 1.0));
            }
        };
        if self.truncation.is_some() {
            return each(out, &|p| self.sampling_quantile(p));
        }
        match self.shape {
            Shape::Fixed(v) => out.fill(v),
            Shape::Uniform { min, max } => {
                for (x, &p) in out.iter_mut().zip(p) {
                    *x = min + p.clamp(0.0, 1.0) * (max - min);
                }
            }
            Shape::Normal { mean, sd } => {
                for (x, &p) in out.iter_mut().zip(p) {
                    *x = mean + sd * math::normal_quantile(p.clamp(0.0, 1.0));
                }
            }
            Shape::LogNormal { mu, sigma } => {
                for (x, &p) in out.iter_mut().zip(p) {
                    *x = math::exp(mu + sigma * math::normal_quantile(p.clamp(0.0, 1.0)));
                }
            }
            _ => match self.table() {
                Some((table, min, max)) => {
                    for (x, &p) in out.iter_mut().zip(p) {
                        *x = min + (max - min) * table.quantile(p.clamp(0.0, 1.0));
                    }
                }
                None => each(out, &|p| self.untruncated_quantile(p)),
            },
        }
    }

    /// The quantile table of a PERT or Beta shape whose shape parameters it covers, with the
    /// shape's range.
    fn table(&self) -> Option<(&QuantileTable, f64, f64)> {
        let (a, b, min, max) = self.scaled?;
        if !(quantile_table::SHAPES.contains(&a) && quantile_table::SHAPES.contains(&b)) {
            return None;
        }
        let table = self.beta_table.get_or_init(|| QuantileTable::shared(a, b));
        Some((table, min, max))
    }

    fn untruncated_sampling_quantile(&self, p: f64) -> f64 {
        match self.shape {
            Shape::Normal { mean, sd } => return mean + sd * math::normal_quantile(p),
            Shape::LogNormal { mu, sigma } => {
                return math::exp(mu + sigma * math::normal_quantile(p));
            }
            _ => {}
        }
        match self.table() {
            Some((table, min, max)) => min + (max - min) * table.quantile(p),
            None => self.untruncated_quantile(p),
        }
    }

    fn untruncated_quantile(&self, p: f64) -> f64 {
        match &self.shape {
            Shape::Fixed(v) => *v,
            Shape::Uniform { min, max } => min + p * (max - min),
            Shape::Triangular { min, mode, max } => {
                let split = (mode - min) / (max - min);
                if p <= split {
                    min + (p * (max - min) * (mode - min)).sqrt()
                } else {
                    max - ((1.0 - p) * (max - min) * (max - mode)).sqrt()
                }
            }
            Shape::Pert { .. } | Shape::Beta { .. } => {
                let (a, b, min, max) = scaled_beta(&self.shape).expect("a Beta form");
                min + (max - min) * beta_quantile(a, b, p)
            }
            Shape::Normal { mean, sd } => mean + sd * normal_quantile(p),
            Shape::LogNormal { mu, sigma } => (mu + sigma * normal_quantile(p)).exp(),
            Shape::Discrete { values, .. } => {
                let i = self.cumulative.partition_point(|&c| c < p);
                values[i.min(values.len() - 1)]
            }
        }
    }

    /// The mean, when it has a closed form (untruncated distributions).
    pub fn mean(&self) -> Option<f64> {
        if self.truncation.is_some() {
            return None;
        }
        Some(match &self.shape {
            Shape::Fixed(v) => *v,
            Shape::Uniform { min, max } => 0.5 * (min + max),
            Shape::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            Shape::Pert {
                min,
                mode,
                max,
                shape,
            } => (min + shape * mode + max) / (shape + 2.0),
            Shape::Beta {
                alpha,
                beta,
                min,
                max,
            } => min + (max - min) * alpha / (alpha + beta),
            Shape::Normal { mean, .. } => *mean,
            Shape::LogNormal { mu, sigma } => (mu + 0.5 * sigma * sigma).exp(),
            Shape::Discrete { values, .. } => values
                .iter()
                .zip(self.cumulative_weights())
                .map(|(v, w)| v * w)
                .sum(),
        })
    }

    /// The variance, when it has a closed form (untruncated distributions).
    pub fn variance(&self) -> Option<f64> {
        let mean = self.mean()?;
        Some(match &self.shape {
            Shape::Fixed(_) => 0.0,
            Shape::Uniform { min, max } => (max - min).powi(2) / 12.0,
            Shape::Triangular { min, mode, max } => {
                (min * min + mode * mode + max * max - min * mode - min * max - mode * max) / 18.0
            }
            Shape::Pert { .. } | Shape::Beta { .. } => {
                let (a, b, min, max) = scaled_beta(&self.shape).expect("a Beta form");
                let s = a + b;
                (max - min).powi(2) * a * b / (s * s * (s + 1.0))
            }
            Shape::Normal { sd, .. } => sd * sd,
            Shape::LogNormal { mu, sigma } => {
                let s2 = sigma * sigma;
                (s2.exp() - 1.0) * (2.0 * mu + s2).exp()
            }
            Shape::Discrete { values, .. } => values
                .iter()
                .zip(self.cumulative_weights())
                .map(|(v, w)| w * (v - mean).powi(2))
                .sum(),
        })
    }
}

/// PERT and Beta shapes as a Beta(a, b) scaled to [min, max]: `(a, b, min, max)`; `None` for
/// other shapes. PERT's parameters follow Vose (2008), see the module docs.
fn scaled_beta(shape: &Shape) -> Option<(f64, f64, f64, f64)> {
    match *shape {
        Shape::Pert {
            min,
            mode,
            max,
            shape,
        } => {
            let width = max - min;
            Some((
                1.0 + shape * (mode - min) / width,
                1.0 + shape * (max - mode) / width,
                min,
                max,
            ))
        }
        Shape::Beta {
            alpha,
            beta,
            min,
            max,
        } => Some((alpha, beta, min, max)),
        _ => None,
    }
}

/// The inverse of the regularised incomplete beta function. statrs's iteration (AS 109) is
/// used where it is reliable and its answer checks out; otherwise bisection on the CDF, which
/// always ends. The iteration never ends on non-finite intermediates (shapes like 1e-300) and
/// is far off in the tails for shapes well below 1 (beta(0.1, 0.1) at p = 0.05: the CDF of
/// its answer is 0.06).
pub(crate) fn beta_quantile(a: f64, b: f64, p: f64) -> f64 {
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    if (0.5..=MAX_BETA_SHAPE).contains(&a) && (0.5..=MAX_BETA_SHAPE).contains(&b) {
        let x = inv_beta_reg(a, b, p);
        if (0.0..=1.0).contains(&x) && (beta_reg(a, b, x) - p).abs() <= 1e-10 {
            return x;
        }
    }
    let (mut low, mut high) = (0.0f64, 1.0f64);
    loop {
        let mid = 0.5 * (low + high);
        if mid <= low || mid >= high {
            return high;
        }
        if beta_cdf(a, b, mid) < p {
            low = mid;
        } else {
            high = mid;
        }
    }
}

fn beta_cdf(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        0.0
    } else if x >= 1.0 {
        1.0
    } else {
        beta_reg(a, b, x)
    }
}

/// Values of a discrete distribution written out in its description; the rest are counted.
const SHOWN_VALUES: usize = 20;

/// Short numbers for descriptions and errors: `1.4e12`, `0.35`, `2`.
pub fn num(x: f64) -> String {
    if x != 0.0 && (x.abs() >= 1e5 || x.abs() < 1e-3) {
        format!("{x:e}")
    } else {
        let s = format!("{x:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

impl fmt::Display for Dist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.shape {
            Shape::Fixed(v) => write!(f, "{}", num(*v))?,
            Shape::Uniform { min, max } => write!(f, "uniform({}, {})", num(*min), num(*max))?,
            Shape::Triangular { min, mode, max } => write!(
                f,
                "triangular({}, {}, {})",
                num(*min),
                num(*mode),
                num(*max)
            )?,
            Shape::Pert {
                min,
                mode,
                max,
                shape,
            } => {
                write!(f, "pert({}, {}, {}", num(*min), num(*mode), num(*max))?;
                if *shape != 4.0 {
                    write!(f, ", shape {}", num(*shape))?;
                }
                write!(f, ")")?
            }
            Shape::Normal { mean, sd } => {
                write!(f, "normal(mean {}, sd {})", num(*mean), num(*sd))?
            }
            Shape::LogNormal { mu, sigma } => write!(
                f,
                "lognormal(median {}, 90% in [{}, {}])",
                num(mu.exp()),
                num((mu - Z90 * sigma).exp()),
                num((mu + Z90 * sigma).exp())
            )?,
            Shape::Beta {
                alpha,
                beta,
                min,
                max,
            } => {
                write!(f, "beta({}, {}", num(*alpha), num(*beta))?;
                if *min != 0.0 || *max != 1.0 {
                    write!(f, " on [{}, {}]", num(*min), num(*max))?;
                }
                write!(f, ")")?
            }
            Shape::Discrete { values, weights } => {
                write!(f, "discrete(")?;
                let total: f64 = weights.iter().sum();
                for (i, (v, w)) in values.iter().zip(weights).take(SHOWN_VALUES).enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{}: {}", num(*v), num(w / total))?;
                }
                if values.len() > SHOWN_VALUES {
                    write!(f, ", … {} more", values.len() - SHOWN_VALUES)?;
                }
                write!(f, ")")?
            }
        }
        if let Some(t) = self.truncation {
            write!(f, " truncated to [{}, {}]", num(t.low), num(t.high))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_reject_impossible_parameters() {
        assert!(matches!(
            Dist::uniform(2.0, 1.0),
            Err(DistError::EmptyRange { .. })
        ));
        assert!(Dist::triangular(0.0, 2.0, 1.0).is_err());
        assert!(matches!(
            Dist::uniform(-1e308, 1e308),
            Err(DistError::TooWide { .. })
        ));
        assert!(Dist::normal(0.0, 0.0).is_err());
        assert!(Dist::normal(f64::NAN, 1.0).is_err());
        assert!(Dist::lognormal_ci90(2.0, 1.0).is_err());
        assert!(Dist::lognormal_ci90(-1.0, 1.0).is_err());
        assert!(Dist::discrete(vec![], None).is_err());
        assert!(Dist::discrete(vec![1.0, 2.0], Some(vec![1.0])).is_err());
        assert!(Dist::discrete(vec![1.0], Some(vec![0.0])).is_err());
        assert!(Dist::beta(0.0, 1.0, 0.0, 1.0).is_err());
        assert!(Dist::beta(1e-300, 1e300, 0.0, 1.0).is_err());
        assert!(Dist::pert(0.0, 0.5, 1.0, 1e300).is_err());
        assert!(Dist::fixed(f64::INFINITY).is_err());
        assert!(
            Dist::normal(0.0, 1.0)
                .unwrap()
                .truncate(50.0, 60.0)
                .is_err()
        );
        assert!(Dist::fixed(3.0).unwrap().truncate(0.0, 1.0).is_err());
    }

    #[test]
    fn ci90_puts_five_percent_in_each_tail() {
        let d = Dist::lognormal_ci90(10.0, 1000.0).unwrap();
        assert!((d.cdf(10.0) - 0.05).abs() < 1e-9);
        assert!((d.cdf(1000.0) - 0.95).abs() < 1e-9);
        assert!((d.quantile(0.5) - 100.0).abs() < 1e-6);
    }

    #[test]
    fn quantile_inverts_cdf() {
        let dists = [
            Dist::uniform(1.0, 3.0).unwrap(),
            Dist::triangular(0.0, 0.2, 1.0).unwrap(),
            Dist::pert(0.35, 0.5, 0.65, 4.0).unwrap(),
            Dist::normal(5.0, 2.0).unwrap(),
            Dist::lognormal(1.0, 0.5).unwrap(),
            Dist::beta(2.0, 5.0, 0.0, 1.0).unwrap(),
            Dist::normal(0.0, 1.0).unwrap().truncate(-0.5, 2.0).unwrap(),
        ];
        for d in &dists {
            for p in [0.01, 0.1, 0.5, 0.9, 0.99] {
                let x = d.quantile(p);
                assert!(
                    (d.cdf(x) - p).abs() < 1e-7,
                    "{d}: p {p} -> {x} -> {}",
                    d.cdf(x)
                );
            }
        }
    }

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
    fn display_is_readable() {
        assert_eq!(
            Dist::triangular(1.0e12, 1.4e12, 1.6e12)
                .unwrap()
                .to_string(),
            "triangular(1e12, 1.4e12, 1.6e12)"
        );
        assert_eq!(
            Dist::pert(0.35, 0.5, 0.65, 4.0).unwrap().to_string(),
            "pert(0.35, 0.5, 0.65)"
        );
        let long = Dist::discrete((0..1000).map(f64::from).collect(), None).unwrap();
        assert!(
            long.to_string().ends_with("19: 0.001, … 980 more)"),
            "{long}"
        );
    }
}
