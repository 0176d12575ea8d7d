//! The exact CDF of `Beta(a, b)` on the unit interval (statrs's regularised incomplete beta
//! function) and its checked inverse, with the range of shape parameters where they hold
//! precision. The Beta family and its [`super::quantile_table`] both stand on this file, which
//! imports neither.

use statrs::function::beta::{beta_reg, inv_beta_reg};

/// The range of Beta shape parameters (and PERT's `shape`) accepted: outside it the Beta
/// functions lose all precision in double arithmetic.
pub const MIN_BETA_SHAPE: f64 = 0.01;
/// See [`MIN_BETA_SHAPE`].
pub const MAX_BETA_SHAPE: f64 = 1e6;

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

/// `P(X <= x)` for `X ~ Beta(a, b)`, any `x`.
pub(crate) fn beta_cdf(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        0.0
    } else if x >= 1.0 {
        1.0
    } else {
        beta_reg(a, b, x)
    }
}
