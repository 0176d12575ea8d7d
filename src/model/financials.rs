//! The accounts of one path: EBITDA, depreciation, EBIT, free cash flow, cash, the funding
//! gap, NPV, required revenue and the gap to it, and the break-even and payback years.
//!
//! Free cash flow is EBITDA minus own capex (no tax, no working capital, no new funding); cash
//! starts at `starting_cash`; the funding gap is the deepest point cash reaches below zero.
//! Required revenue is the revenue at which that year's EBIT would be zero, given that cost of
//! revenue and SG&A scale with revenue and everything else does not. Break-even (payback) is
//! the first year from which EBIT (cumulative free cash flow) stays at or above zero through
//! the horizon, so a brief positive year before the build-out does not count.

use super::capex::CapexYears;
use super::revenue::RevenueYears;
use super::{MAGNITUDE_LIMIT, Metric, Model, ParamId, Trajectory};

/// The compiled finance block.
#[derive(Debug, Clone)]
pub struct Finance {
    pub starting_cash: ParamId,
    pub discount_rate: ParamId,
}

/// Fills the trajectory from the capex and revenue years of one path.
pub fn account(
    model: &Model,
    v: &[f64],
    capex: &CapexYears,
    revenue: &RevenueYears,
    t: &mut Trajectory,
) {
    let costs = &model.costs;
    t.npv_out_of_range = None;
    let sga_share = costs.sga_share.get(v);
    let discount = 1.0 / (1.0 + model.finance.discount_rate.get(v));
    let mut cash = model.finance.starting_cash.get(v);
    let starting_cash = cash;
    let mut lowest_cash = cash;
    let mut npv = 0.0;
    let mut discount_factor = 1.0;
    let mut cor_share = 0.0;
    let mut last_loss = None;
    let mut last_deficit = None;

    for y in 0..model.years {
        let revenue_total = revenue.subscription_revenue[y] + revenue.stream_revenue[y];
        cor_share = costs.cost_of_revenue_share(v, cor_share, y);
        let commitments: f64 = model.commitments.iter().map(|c| c.payment(v, y)).sum();
        let fixed = costs.rnd(v, y) + capex.own_operations[y] + capex.rental[y] + commitments;
        let ebitda = revenue_total * (1.0 - cor_share - sga_share) - fixed;
        let depreciation = capex.own_depreciation[y];
        let ebit = ebitda - depreciation;
        let fcf = ebitda - capex.own_spend[y];
        cash += fcf;
        lowest_cash = lowest_cash.min(cash);
        npv += fcf * discount_factor;
        discount_factor *= discount;
        if t.npv_out_of_range.is_none() && (npv.is_nan() || npv.abs() > MAGNITUDE_LIMIT) {
            t.npv_out_of_range = Some(y);
        }
        if ebit < 0.0 {
            last_loss = Some(y);
        }
        if cash - starting_cash < 0.0 {
            last_deficit = Some(y);
        }

        let required = (fixed + depreciation) / (1.0 - cor_share - sga_share);
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
        ];
        for (metric, value) in row {
            t.series_mut(metric)[y] = value;
        }
    }
    let after = |last: Option<usize>| match last {
        None => Some(0),
        Some(y) if y + 1 < model.years => Some(y + 1),
        Some(_) => None,
    };
    t.break_even = after(last_loss);
    t.payback = after(last_deficit);
    t.funding_gap = (-lowest_cash).max(0.0);
    t.npv = npv;
}
