//! Operating costs other than the build-out: cost of revenue, R&D and staff, SG&A, and fixed
//! compute commitments.
//!
//! Cost of revenue (serving and other variable costs, excluding the build-out's own
//! depreciation and rent, which `capex` accounts for) is a share of revenue that moves
//! geometrically from its start value toward a long-run value. R&D and staff start at a level
//! and grow at a rate. SG&A is a share of revenue. Commitments are fixed contracts paid evenly
//! over their years.

use super::ParamId;

/// The compiled cost block.
#[derive(Debug, Clone)]
pub struct Costs {
    pub cost_of_revenue_share: ParamId,
    pub cost_of_revenue_share_long_run: ParamId,
    pub cost_of_revenue_speed: ParamId,
    pub rnd: ParamId,
    pub rnd_growth: ParamId,
    pub sga_share: ParamId,
}

/// A compiled fixed commitment, such as a multi-year compute contract.
#[derive(Debug, Clone)]
pub struct Commitment {
    pub name: String,
    /// First year of payments, as an offset from the scenario's start year.
    pub start: usize,
    /// Number of yearly payments.
    pub years: usize,
    /// Total paid over all years.
    pub total: ParamId,
}

impl Costs {
    /// Cost of revenue as a share of revenue in year index `y`.
    #[inline]
    pub fn cost_of_revenue_share(&self, v: &[f64], previous: f64, y: usize) -> f64 {
        Costs::cost_of_revenue_share_at(
            self.cost_of_revenue_share.get(v),
            self.cost_of_revenue_share_long_run.get(v),
            self.cost_of_revenue_speed.get(v),
            previous,
            y,
        )
    }

    /// [`Costs::cost_of_revenue_share`] from the inputs' values: the share in year index `y`
    /// after `previous` the year before.
    #[inline(always)]
    pub fn cost_of_revenue_share_at(
        start: f64,
        long_run: f64,
        speed: f64,
        previous: f64,
        y: usize,
    ) -> f64 {
        if y == 0 {
            start
        } else {
            long_run + (previous - long_run) * (1.0 - speed)
        }
    }

    /// R&D and staff cost in year index `y`.
    #[inline]
    pub fn rnd(&self, v: &[f64], y: usize) -> f64 {
        Costs::rnd_at(self.rnd.get(v), self.rnd_growth.get(v), y)
    }

    /// R&D and staff cost in year index `y` from a level `rnd` growing at `growth`.
    #[inline(always)]
    pub fn rnd_at(rnd: f64, growth: f64, y: usize) -> f64 {
        rnd * crate::math::powi(1.0 + growth, y as u32)
    }
}

impl Commitment {
    /// The payment due in year index `y`.
    #[inline]
    pub fn payment(&self, v: &[f64], y: usize) -> f64 {
        self.payment_at(self.total.get(v), y)
    }

    /// The payment due in year index `y` of a commitment whose total is `total`.
    #[inline(always)]
    pub fn payment_at(&self, total: f64, y: usize) -> f64 {
        if y >= self.start && y < self.start + self.years {
            total / self.years as f64
        } else {
            0.0
        }
    }
}
