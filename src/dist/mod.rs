//! Probability distributions for uncertain scenario inputs.
//!
//! A [`Dist`] is a family ([`Shape`]: one type per family, one file each) and an optional
//! truncation. It is built from validated parameters (its constructors reject impossible ones,
//! the way `rand_distr::Normal::new` does). Every distribution has a CDF and a quantile
//! function, and is drawn by inversion: [`Dist::sampling_quantile`] at a uniform, on the
//! truncated probability range for a truncated distribution, so tests can compare samples with
//! the analytic CDF. PERT ([`Pert`]) is the Beta-PERT of Vose (2008), stored as its [`Beta`].
//! For PERT and Beta, [`Dist::sampling_quantile`] reads the quantile function from a table
//! built on first use, within [`quantile_table::MAX_ERROR`] of the range; normal and lognormal
//! use the fast [`crate::math::normal_quantile`] and [`crate::math::exp`].
//!
//! Files, from the bottom: `error.rs` (parameter checks and [`DistError`]),
//! `incomplete_beta.rs` (the exact Beta CDF and quantile), `quantile_table.rs` (on top of
//! it), one file per family, `truncation.rs`, and this file: [`Dist`] and the `Family` trait
//! each family implements, dispatched once per call ([`Dist::sampling_quantiles`] draws a
//! whole block of uniforms per call).

use std::fmt;

mod beta;
mod discrete;
mod error;
mod fixed;
mod incomplete_beta;
mod lognormal;
mod normal;
mod pert;
pub mod quantile_table;
mod triangular;
mod truncation;
mod uniform;

pub use beta::Beta;
pub use discrete::Discrete;
pub use error::{DistError, num};
pub use fixed::Fixed;
pub use incomplete_beta::{MAX_BETA_SHAPE, MIN_BETA_SHAPE};
pub use lognormal::LogNormal;
pub use normal::{Normal, Z90, normal_cdf, normal_quantile};
pub use pert::Pert;
pub use triangular::Triangular;
pub use uniform::Uniform;

use truncation::Truncation;

/// What every family provides, untruncated; [`Dist`] adds truncation on top. Quantile
/// arguments lie in `[0, 1]`.
trait Family: fmt::Display {
    /// `P(X <= x)`.
    fn cdf(&self, x: f64) -> f64;

    /// The exact quantile function: the smallest `x` with `cdf(x) >= p`.
    fn quantile(&self, p: f64) -> f64;

    /// The quantile function as the samplers use it: [`Family::quantile`] unless the family
    /// has a faster one.
    #[inline(always)]
    fn sampling_quantile(&self, p: f64) -> f64 {
        self.quantile(p)
    }

    /// [`Family::sampling_quantile`] of every uniform in `p` (clamped to `[0, 1]`), into
    /// `out`: one call per block of paths, the loop inside the family.
    #[inline(always)]
    fn sampling_quantiles(&self, p: &[f64], out: &mut [f64]) {
        for (x, &p) in out.iter_mut().zip(p) {
            *x = self.sampling_quantile(p.clamp(0.0, 1.0));
        }
    }

    fn mean(&self) -> f64;

    fn variance(&self) -> f64;

    /// The smallest and largest values (infinite when unbounded).
    fn support(&self) -> (f64, f64);

    /// True when every possible value is a whole number.
    fn is_integer_valued(&self) -> bool {
        false
    }
}

/// The family and parameters of a distribution, before truncation.
#[derive(Debug, Clone)]
pub enum Shape {
    Fixed(Fixed),
    Uniform(Uniform),
    Triangular(Triangular),
    Pert(Pert),
    Normal(Normal),
    LogNormal(LogNormal),
    Beta(Beta),
    Discrete(Discrete),
}

impl Shape {
    /// The family behind the shape: the one `match` over families.
    fn family(&self) -> &dyn Family {
        match self {
            Shape::Fixed(d) => d,
            Shape::Uniform(d) => d,
            Shape::Triangular(d) => d,
            Shape::Pert(d) => d,
            Shape::Normal(d) => d,
            Shape::LogNormal(d) => d,
            Shape::Beta(d) => d,
            Shape::Discrete(d) => d,
        }
    }
}

/// A ready-to-sample distribution: a [`Shape`] and an optional truncation.
#[derive(Debug, Clone)]
pub struct Dist {
    shape: Shape,
    truncation: Option<Truncation>,
}

impl Dist {
    fn from_shape(shape: Shape) -> Dist {
        Dist {
            shape,
            truncation: None,
        }
    }

    /// A constant.
    pub fn fixed(value: f64) -> Result<Dist, DistError> {
        Ok(Dist::from_shape(Shape::Fixed(Fixed::new(value)?)))
    }

    /// Uniform on `[min, max]`.
    pub fn uniform(min: f64, max: f64) -> Result<Dist, DistError> {
        Ok(Dist::from_shape(Shape::Uniform(Uniform::new(min, max)?)))
    }

    /// Triangular on `[min, max]` with its peak at `mode`.
    pub fn triangular(min: f64, mode: f64, max: f64) -> Result<Dist, DistError> {
        let triangular = Triangular::new(min, mode, max)?;
        Ok(Dist::from_shape(Shape::Triangular(triangular)))
    }

    /// Beta-PERT on `[min, max]` with the given mode; `shape` is 4 in the classic PERT.
    pub fn pert(min: f64, mode: f64, max: f64, shape: f64) -> Result<Dist, DistError> {
        let pert = Pert::new(min, mode, max, shape)?;
        Ok(Dist::from_shape(Shape::Pert(pert)))
    }

    /// Normal with the given mean and standard deviation.
    pub fn normal(mean: f64, sd: f64) -> Result<Dist, DistError> {
        Ok(Dist::from_shape(Shape::Normal(Normal::new(mean, sd)?)))
    }

    /// Lognormal: `exp(N(mu, sigma))`.
    pub fn lognormal(mu: f64, sigma: f64) -> Result<Dist, DistError> {
        Ok(Dist::from_shape(Shape::LogNormal(LogNormal::new(
            mu, sigma,
        )?)))
    }

    /// Lognormal whose 5th and 95th percentiles are `low` and `high`.
    pub fn lognormal_ci90(low: f64, high: f64) -> Result<Dist, DistError> {
        Ok(Dist::from_shape(Shape::LogNormal(LogNormal::ci90(
            low, high,
        )?)))
    }

    /// Beta with shape parameters `alpha`, `beta`, scaled to `[min, max]` (0 and 1 by default).
    pub fn beta(alpha: f64, beta: f64, min: f64, max: f64) -> Result<Dist, DistError> {
        Ok(Dist::from_shape(Shape::Beta(Beta::new(
            alpha, beta, min, max,
        )?)))
    }

    /// Discrete: `values[i]` with probability proportional to `weights[i]` (equal if `None`).
    pub fn discrete(values: Vec<f64>, weights: Option<Vec<f64>>) -> Result<Dist, DistError> {
        Ok(Dist::from_shape(Shape::Discrete(Discrete::new(
            values, weights,
        )?)))
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
        self.shape.family().is_integer_valued()
    }

    /// The smallest and largest values the distribution can produce (infinite when unbounded).
    pub fn support(&self) -> (f64, f64) {
        let (lo, hi) = self.shape.family().support();
        match self.truncation {
            Some(t) => (lo.max(t.low), hi.min(t.high)),
            None => (lo, hi),
        }
    }

    /// The cumulative distribution function `P(X <= x)`, truncation included.
    pub fn cdf(&self, x: f64) -> f64 {
        let p = self.shape.family().cdf(x);
        match self.truncation {
            Some(t) => t.cdf(p),
            None => p,
        }
    }

    /// The quantile function: the smallest `x` with `cdf(x) >= p`, for `p` in `[0, 1]`.
    pub fn quantile(&self, p: f64) -> f64 {
        let family = self.shape.family();
        self.within_truncation(p, |p| family.quantile(p))
    }

    /// The quantile function as the samplers use it (`lhs`, `sobol` and correlated inputs):
    /// [`Dist::quantile`], except for Beta and PERT shapes whose two shape parameters lie in
    /// [`quantile_table::SHAPES`], which read a table built on first use, within
    /// [`quantile_table::MAX_ERROR`] of the range (see [`quantile_table`]), and for normal and
    /// lognormal shapes, which use [`crate::math`]'s fast functions.
    pub fn sampling_quantile(&self, p: f64) -> f64 {
        let family = self.shape.family();
        self.within_truncation(p, |p| family.sampling_quantile(p))
    }

    /// [`Dist::sampling_quantile`] of every uniform in `p`, into `out`, with the same
    /// results: the family is dispatched once for all of them, not once per value, and
    /// statically (not through [`Shape::family`]), so that a caller compiled for other
    /// instructions (see `crate::sampler`) compiles the family's loop for them too.
    #[inline(always)]
    pub fn sampling_quantiles(&self, p: &[f64], out: &mut [f64]) {
        match &self.shape {
            Shape::Fixed(d) => self.quantiles_of(d, p, out),
            Shape::Uniform(d) => self.quantiles_of(d, p, out),
            Shape::Triangular(d) => self.quantiles_of(d, p, out),
            Shape::Pert(d) => self.quantiles_of(d, p, out),
            Shape::Normal(d) => self.quantiles_of(d, p, out),
            Shape::LogNormal(d) => self.quantiles_of(d, p, out),
            Shape::Beta(d) => self.quantiles_of(d, p, out),
            Shape::Discrete(d) => self.quantiles_of(d, p, out),
        }
    }

    /// [`Dist::sampling_quantiles`] for the shape's `family`.
    #[inline(always)]
    fn quantiles_of<F: Family>(&self, family: &F, p: &[f64], out: &mut [f64]) {
        match &self.truncation {
            Some(t) => t.sampling_quantiles(family, p, out),
            None => family.sampling_quantiles(p, out),
        }
    }

    /// Clamps `p` to `[0, 1]` and applies an untruncated quantile function to it, mapped onto
    /// the truncated probability range if there is one.
    #[inline]
    fn within_truncation(&self, p: f64, untruncated: impl Fn(f64) -> f64) -> f64 {
        let p = p.clamp(0.0, 1.0);
        match self.truncation {
            Some(t) => t.quantile(p, untruncated),
            None => untruncated(p),
        }
    }

    /// The mean, when it has a closed form (untruncated distributions).
    pub fn mean(&self) -> Option<f64> {
        match self.truncation {
            Some(_) => None,
            None => Some(self.shape.family().mean()),
        }
    }

    /// The variance, when it has a closed form (untruncated distributions).
    pub fn variance(&self) -> Option<f64> {
        match self.truncation {
            Some(_) => None,
            None => Some(self.shape.family().variance()),
        }
    }
}

impl fmt::Display for Dist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.shape.family())?;
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
    fn block_draws_are_the_single_draws_bit_for_bit() {
        let dists = [
            Dist::fixed(2.5).unwrap(),
            Dist::uniform(1.0, 3.0).unwrap(),
            Dist::triangular(0.0, 0.2, 1.0).unwrap(),
            Dist::pert(0.35, 0.5, 0.65, 4.0).unwrap(),
            Dist::normal(5.0, 2.0).unwrap(),
            Dist::lognormal(1.0, 0.5).unwrap(),
            Dist::beta(2.0, 5.0, 0.0, 1.0).unwrap(),
            // Outside the table's shapes: the exact quantile.
            Dist::beta(0.5, 50.0, 0.0, 1.0).unwrap(),
            Dist::discrete(vec![5.0, 6.0, 7.0], Some(vec![1.0, 1.0, 2.0])).unwrap(),
            Dist::normal(0.0, 1.0).unwrap().truncate(-0.5, 2.0).unwrap(),
            Dist::lognormal(0.0, 2.0)
                .unwrap()
                .truncate(0.5, 3.0)
                .unwrap(),
            Dist::pert(0.0, 0.2, 1.0, 4.0)
                .unwrap()
                .truncate(0.1, 0.9)
                .unwrap(),
        ];
        // More than one truncation chunk, the ends of [0, 1], and a little outside it.
        let mut p: Vec<f64> = (0..300).map(|i| crate::rng::uniform(i, 3, 0)).collect();
        p.extend([0.0, 1.0, -0.25, 1.25]);
        let mut out = vec![f64::NAN; p.len()];
        for d in &dists {
            d.sampling_quantiles(&p, &mut out);
            for (&p, &x) in p.iter().zip(&out) {
                assert_eq!(x.to_bits(), d.sampling_quantile(p).to_bits(), "{d} at {p}");
            }
        }
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
