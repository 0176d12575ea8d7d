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
//!
//! A firm in a network also has [`Adjustments`]: what other entities pay it and it pays them
//! (see `crate::network`). They enter the same accounts: internal revenue is revenue (with its
//! cost of revenue and SG&A), purchases and interest are fixed costs, capex purchases are own
//! capex with their depreciation (and their capital charge in required revenue for a return),
//! and equity and loan principal are cash that is not free cash
//! flow (so they move cash and the funding gap, but not payback).

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

/// A network entity's flows with other entities, per year, added to its own accounts.
#[derive(Debug, Clone, PartialEq)]
pub struct Adjustments {
    /// Revenue from other entities.
    pub revenue: Vec<f64>,
    /// Costs paid to others (opex purchases, net interest), beside R&D and operations.
    pub costs: Vec<f64>,
    /// Capex purchases, added to own capex.
    pub capex: Vec<f64>,
    /// Depreciation of those purchases.
    pub depreciation: Vec<f64>,
    /// Their capital charge at the hurdle rate (see `super::hurdle`), which
    /// `required_revenue_for_return` counts in place of their depreciation.
    pub capital_charge: Vec<f64>,
    /// Cash in (positive) or out that is not free cash flow: equity, loan principal.
    pub financing: Vec<f64>,
}

impl Adjustments {
    /// Zero adjustments for `years` years.
    pub fn new(years: usize) -> Adjustments {
        let z = vec![0.0; years];
        Adjustments {
            revenue: z.clone(),
            costs: z.clone(),
            capex: z.clone(),
            depreciation: z.clone(),
            capital_charge: z.clone(),
            financing: z,
        }
    }

    /// Sets every adjustment back to zero.
    pub fn clear(&mut self) {
        for v in [
            &mut self.revenue,
            &mut self.costs,
            &mut self.capex,
            &mut self.depreciation,
            &mut self.capital_charge,
            &mut self.financing,
        ] {
            v.fill(0.0);
        }
    }
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
    /// Cash from equity and loan principal so far, which payback does not count.
    financed: f64,
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
            financed: 0.0,
        }
    }

    /// Books year index `y` (after years `0..y`) from its capex and revenue, and a network
    /// entity's adjustments if any, into the trajectory.
    #[allow(clippy::too_many_arguments)]
    pub fn year(
        &mut self,
        model: &Model,
        v: &[f64],
        capex: &CapexYears,
        revenue: &RevenueYears,
        adjustments: Option<&Adjustments>,
        y: usize,
        t: &mut Trajectory,
    ) {
        let adjust =
            |field: fn(&Adjustments) -> &Vec<f64>| adjustments.map_or(0.0, |a| field(a)[y]);
        let costs = &model.costs;
        let sga_share = self.sga_share;
        let revenue_total =
            revenue.subscription_revenue[y] + revenue.stream_revenue[y] + adjust(|a| &a.revenue);
        self.cor_share = costs.cost_of_revenue_share(v, self.cor_share, y);
        let cor_share = self.cor_share;
        let commitments: f64 = model.commitments.iter().map(|c| c.payment(v, y)).sum();
        let fixed = costs.rnd(v, y)
            + capex.own_operations[y]
            + capex.rental[y]
            + commitments
            + adjust(|a| &a.costs);
        let ebitda = revenue_total * (1.0 - cor_share - sga_share) - fixed;
        let depreciation = capex.own_depreciation[y] + adjust(|a| &a.depreciation);
        let ebit = ebitda - depreciation;
        let own_capex = capex.own_spend[y] + adjust(|a| &a.capex);
        let fcf = ebitda - own_capex;
        let financing = adjust(|a| &a.financing);
        self.financed += financing;
        self.cash += fcf + financing;
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
        if cash - self.financed - self.starting_cash < 0.0 {
            self.last_deficit = Some(y);
        }

        let variable = 1.0 - cor_share - sga_share;
        let required = (fixed + depreciation) / variable;
        let required_for_return =
            (fixed + capex.own_capital_charge[y] + adjust(|a| &a.capital_charge)) / variable;
        let row = [
            (Metric::Revenue, revenue_total),
            (Metric::SubscriptionRevenue, revenue.subscription_revenue[y]),
            (Metric::Users, revenue.users[y]),
            (Metric::PayingUsers, revenue.paying_users[y]),
            (Metric::Capex, capex.spend[y] + adjust(|a| &a.capex)),
            (Metric::OwnCapex, own_capex),
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
