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
use super::costs::Costs;
use super::revenue::RevenueYears;
use super::{MAGNITUDE_LIMIT, Metric, Model, ParamId};

/// The compiled finance block.
#[derive(Debug, Clone)]
pub struct Finance {
    pub starting_cash: ParamId,
    pub discount_rate: ParamId,
    /// The return own capital must earn in `required_revenue_for_return`.
    pub hurdle_rate: ParamId,
}

/// A network entity's flows with other entities, per year, added to its own accounts: for a
/// block of paths, lane-minor (year `y` of path `l` at `y * width + l`), as the model's arrays.
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
    /// Zero adjustments for `years` years of one path.
    pub fn new(years: usize) -> Adjustments {
        Adjustments::block(years, 1)
    }

    /// Zero adjustments for `years` years of a block of `width` paths.
    pub fn block(years: usize, width: usize) -> Adjustments {
        let z = vec![0.0; years * width];
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
#[derive(Debug, Clone, Copy, Default)]
struct Accounts {
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
    npv_out_of_range: Option<usize>,
}

/// The running accounts of a block of paths between years, one per lane.
#[derive(Debug, Clone)]
pub struct Ledger {
    lanes: Vec<Accounts>,
    /// A row of zeros: the adjustments of a firm that is not in a network.
    zeros: Vec<f64>,
}

/// The lanes of row `i` of a lane-minor array of `width` lanes.
#[inline(always)]
fn row(array: &[f64], i: usize, width: usize) -> &[f64] {
    &array[i * width..(i + 1) * width]
}

impl Ledger {
    /// A ledger for blocks of `width` paths.
    pub fn new(width: usize) -> Ledger {
        Ledger {
            lanes: vec![Accounts::default(); width],
            zeros: vec![0.0; width],
        }
    }

    /// Opens the accounts of the block's paths whose inputs are `v`.
    pub fn open(&mut self, model: &Model, v: &[f64]) {
        let w = self.lanes.len();
        let cash = model.finance.starting_cash.lanes(v, w);
        let sga = model.costs.sga_share.lanes(v, w);
        let rate = model.finance.discount_rate.lanes(v, w);
        for (l, a) in self.lanes.iter_mut().enumerate() {
            *a = Accounts {
                sga_share: sga[l],
                discount: 1.0 / (1.0 + rate[l]),
                starting_cash: cash[l],
                cash: cash[l],
                lowest_cash: cash[l],
                npv: 0.0,
                discount_factor: 1.0,
                cor_share: 0.0,
                last_loss: None,
                last_deficit: None,
                financed: 0.0,
                npv_out_of_range: None,
            };
        }
    }

    /// Books year index `y` (after years `0..y`) from its capex and revenue, and a network
    /// entity's adjustments if any (of the same block of paths), into `out`: the block's
    /// series, series-major and lane-minor (see [`super::Block`]).
    #[allow(clippy::too_many_arguments)]
    pub fn year(
        &mut self,
        model: &Model,
        v: &[f64],
        capex: &CapexYears,
        revenue: &RevenueYears,
        adjustments: Option<&Adjustments>,
        y: usize,
        out: &mut [f64],
    ) {
        let w = self.lanes.len();
        let zeros = &self.zeros[..];
        let adjust = |field: fn(&Adjustments) -> &Vec<f64>| {
            adjustments.map_or(zeros, |a| row(field(a), y, w))
        };
        let (adjust_revenue, adjust_costs) = (adjust(|a| &a.revenue), adjust(|a| &a.costs));
        let (adjust_capex, adjust_depreciation) =
            (adjust(|a| &a.capex), adjust(|a| &a.depreciation));
        let financing = adjust(|a| &a.financing);
        let adjust_charge = adjust(|a| &a.capital_charge);
        let costs = &model.costs;
        let lanes = |p: ParamId| p.lanes(v, w);
        let (cor_start, cor_long_run, cor_speed) = (
            lanes(costs.cost_of_revenue_share),
            lanes(costs.cost_of_revenue_share_long_run),
            lanes(costs.cost_of_revenue_speed),
        );
        let (rnd, rnd_growth) = (lanes(costs.rnd), lanes(costs.rnd_growth));
        let (subscription, streams) = (
            row(&revenue.subscription_revenue, y, w),
            row(&revenue.stream_revenue, y, w),
        );
        let (users, paying_users) = (row(&revenue.users, y, w), row(&revenue.paying_users, y, w));
        let (operations, rental) = (row(&capex.own_operations, y, w), row(&capex.rental, y, w));
        let (own_depreciation, own_spend) = (
            row(&capex.own_depreciation, y, w),
            row(&capex.own_spend, y, w),
        );
        let (spend, capital_charge) = (
            row(&capex.spend, y, w),
            row(&capex.own_capital_charge, y, w),
        );
        // This year's row of each metric: series `m * years + y`, `w` lanes long.
        let mut series = out.chunks_exact_mut(w).skip(y).step_by(model.years);
        let rows: [&mut [f64]; Metric::ALL.len()] =
            std::array::from_fn(|_| series.next().expect("a row per metric"));
        for (l, a) in self.lanes.iter_mut().enumerate() {
            let sga_share = a.sga_share;
            let revenue_total = subscription[l] + streams[l] + adjust_revenue[l];
            a.cor_share = Costs::cost_of_revenue_share_at(
                cor_start[l],
                cor_long_run[l],
                cor_speed[l],
                a.cor_share,
                y,
            );
            let cor_share = a.cor_share;
            // -0.0, as `Iterator::sum` starts from.
            let mut commitments = -0.0;
            for c in &model.commitments {
                commitments += c.payment_at(c.total.lanes(v, w)[l], y);
            }
            let fixed = Costs::rnd_at(rnd[l], rnd_growth[l], y)
                + operations[l]
                + rental[l]
                + commitments
                + adjust_costs[l];
            let ebitda = revenue_total * (1.0 - cor_share - sga_share) - fixed;
            let depreciation = own_depreciation[l] + adjust_depreciation[l];
            let ebit = ebitda - depreciation;
            let own_capex = own_spend[l] + adjust_capex[l];
            let fcf = ebitda - own_capex;
            a.financed += financing[l];
            a.cash += fcf + financing[l];
            let cash = a.cash;
            a.lowest_cash = a.lowest_cash.min(cash);
            a.npv += fcf * a.discount_factor;
            a.discount_factor *= a.discount;
            let npv = a.npv;
            if a.npv_out_of_range.is_none() && (npv.is_nan() || npv.abs() > MAGNITUDE_LIMIT) {
                a.npv_out_of_range = Some(y);
            }
            if ebit < 0.0 {
                a.last_loss = Some(y);
            }
            if cash - a.financed - a.starting_cash < 0.0 {
                a.last_deficit = Some(y);
            }

            let variable = 1.0 - cor_share - sga_share;
            let required = (fixed + depreciation) / variable;
            let required_for_return = (fixed + capital_charge[l] + adjust_charge[l]) / variable;
            let row = [
                (Metric::Revenue, revenue_total),
                (Metric::SubscriptionRevenue, subscription[l]),
                (Metric::Users, users[l]),
                (Metric::PayingUsers, paying_users[l]),
                (Metric::Capex, spend[l] + adjust_capex[l]),
                (Metric::OwnCapex, own_capex),
                (Metric::Depreciation, depreciation),
                (Metric::Rental, rental[l]),
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
                rows[metric as usize][l] = value;
            }
        }
    }

    /// Closes the accounts after the horizon: break-even and payback years, funding gap, NPV,
    /// written into `block`.
    pub fn close(&self, model: &Model, block: &mut super::Block) {
        let after = |last: Option<usize>| match last {
            None => Some(0),
            Some(y) if y + 1 < model.years => Some(y + 1),
            Some(_) => None,
        };
        for (l, a) in self.lanes.iter().enumerate() {
            block.close(
                l,
                super::Closing {
                    break_even: after(a.last_loss),
                    payback: after(a.last_deficit),
                    funding_gap: (-a.lowest_cash).max(0.0),
                    npv: a.npv,
                    npv_out_of_range: a.npv_out_of_range,
                },
            );
        }
    }
}
