//! The accounts of one path: EBITDA, depreciation, EBIT, free cash flow, cash, the funding
//! gap, NPV, required revenue and the gap to it, and the break-even and payback years.
//!
//! Free cash flow is EBITDA minus own capex (no tax, no working capital, no new funding); cash
//! starts at `starting_cash`; the funding gap is the deepest point cash reaches below zero.
//! Required revenue is the revenue at which that year's EBIT would be zero, given that cost of
//! revenue and SG&A scale with revenue and everything else does not. Break-even (payback) is
//! the first year from which EBIT (cumulative free cash flow) stays at or above zero through
//! the horizon, so a brief positive year before the build-out does not count. Required revenue
//! for a return replaces depreciation by the capital charge at the hurdle rate (`hurdle`).

use super::capex::CapexYears;
use super::revenue::RevenueYears;
use super::{MAGNITUDE_LIMIT, Metric, Model, ParamId, Trajectory};

/// The compiled finance block.
#[derive(Debug, Clone)]
pub struct Finance {
    pub starting_cash: ParamId,
    pub discount_rate: ParamId,
    /// The return own capital must earn in `required_revenue_for_return`.
    pub hurdle_rate: ParamId,
}

/// The running accounts of one path between years.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    sga_share: f64,
    discount: f64,
    starting_cash: f64,
    cash: f64,
    lowest_cash: f64,
    npv: f64,
    discount_factor: f64,
    cor_share: f64,
    last_loss: Option<usize>,
    last_deficit: Option<usize>,
}

impl Ledger {
    /// Opens the accounts of a path whose inputs are `v`.
    pub fn open(model: &Model, v: &[f64], t: &mut Trajectory) -> Ledger {
        t.npv_out_of_range = None;
        let cash = model.finance.starting_cash.get(v);
        Ledger {
            sga_share: model.costs.sga_share.get(v),
            discount: 1.0 / (1.0 + model.finance.discount_rate.get(v)),
            starting_cash: cash,
            cash,
            lowest_cash: cash,
            npv: 0.0,
            discount_factor: 1.0,
            cor_share: 0.0,
            last_loss: None,
            last_deficit: None,
        }
    }

    /// Books year index `y` (after years `0..y`) from its capex and revenue into the
    /// trajectory.
    pub fn year(
        &mut self,
        model: &Model,
        v: &[f64],
        capex: &CapexYears,
        revenue: &RevenueYears,
        y: usize,
        t: &mut Trajectory,
    ) {
        let costs = &model.costs;
        let sga_share = self.sga_share;
        let revenue_total = revenue.subscription_revenue[y] + revenue.stream_revenue[y];
        self.cor_share = costs.cost_of_revenue_share(v, self.cor_share, y);
        let cor_share = self.cor_share;
        let commitments: f64 = model.commitments.iter().map(|c| c.payment(v, y)).sum();
        let fixed = costs.rnd(v, y) + capex.own_operations[y] + capex.rental[y] + commitments;
        let ebitda = revenue_total * (1.0 - cor_share - sga_share) - fixed;
        let depreciation = capex.own_depreciation[y];
        let ebit = ebitda - depreciation;
        let fcf = ebitda - capex.own_spend[y];
        self.cash += fcf;
        let cash = self.cash;
        self.lowest_cash = self.lowest_cash.min(cash);
        self.npv += fcf * self.discount_factor;
        self.discount_factor *= self.discount;
        let npv = self.npv;
        if t.npv_out_of_range.is_none() && (npv.is_nan() || npv.abs() > MAGNITUDE_LIMIT) {
            t.npv_out_of_range = Some(y);
        }
        if ebit < 0.0 {
            self.last_loss = Some(y);
        }
        if cash - self.starting_cash < 0.0 {
            self.last_deficit = Some(y);
        }

        let variable = 1.0 - cor_share - sga_share;
        let required = (fixed + depreciation) / variable;
        let required_for_return = (fixed + capex.own_capital_charge[y]) / variable;
        let row = [
            (Metric::Revenue, revenue_total),
            (Metric::SubscriptionRevenue, revenue.subscription_revenue[y]),
            (Metric::Users, revenue.users[y]),
            (Metric::PayingUsers, revenue.paying_users[y]),
            (Metric::Capex, capex.spend[y]),
            (Metric::OwnCapex, capex.own_spend[y]),
            (Metric::Depreciation, depreciation),
            (Metric::Rental, capex.rental[y]),
            (Metric::Costs, revenue_total - ebit),
            (Metric::Ebitda, ebitda),
            (Metric::Ebit, ebit),
            (Metric::FreeCashFlow, fcf),
            (Metric::Cash, cash),
            (Metric::RequiredRevenue, required),
            (Metric::RevenueGap, required - revenue_total),
            (Metric::RequiredRevenueForReturn, required_for_return),
        ];
        for (metric, value) in row {
            t.series_mut(metric)[y] = value;
        }
    }

    /// Closes the accounts after the horizon: break-even and payback years, funding gap, NPV.
    pub fn close(&self, model: &Model, t: &mut Trajectory) {
        let after = |last: Option<usize>| match last {
            None => Some(0),
            Some(y) if y + 1 < model.years => Some(y + 1),
            Some(_) => None,
        };
        t.break_even = after(self.last_loss);
        t.payback = after(self.last_deficit);
        t.funding_gap = (-self.lowest_cash).max(0.0);
        t.npv = self.npv;
    }
}
