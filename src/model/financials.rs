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

/// A year index kept in a lane array, as `f64` so that a select on a float comparison
/// vectorises: `NONE` is no year yet.
const NONE: f64 = -1.0;

/// The year in a lane array of years, if any.
#[inline]
fn year_of(y: f64) -> Option<usize> {
    (y >= 0.0).then_some(y as usize)
}

/// The running accounts of a block of paths between years, each a lane array (one value
/// per path), so that the year's loop over the lanes vectorises.
#[derive(Debug, Clone)]
pub struct Ledger {
    width: usize,
    sga_share: Vec<f64>,
    discount: Vec<f64>,
    starting_cash: Vec<f64>,
    cash: Vec<f64>,
    lowest_cash: Vec<f64>,
    npv: Vec<f64>,
    discount_factor: Vec<f64>,
    cor_share: Vec<f64>,
    /// The last year with EBIT < 0, or `NONE`.
    last_loss: Vec<f64>,
    /// The last year with cumulative free cash flow < 0, or `NONE`.
    last_deficit: Vec<f64>,
    /// Cash from equity and loan principal so far, which payback does not count.
    financed: Vec<f64>,
    /// The first year the NPV was NaN or beyond [`MAGNITUDE_LIMIT`], or `NONE`.
    npv_out_of_range: Vec<f64>,
    /// This year's fixed commitments, per lane.
    commitments: Vec<f64>,
    /// A network entity's year, from [`Ledger::own_year`] for [`Ledger::year`]: its cost of
    /// revenue share, and its own fixed costs (R&D, operations, rental, commitments) before
    /// its flows.
    own_cor_share: Vec<f64>,
    own_fixed: Vec<f64>,
    /// Scratch: the powers of R&D growth, lane by lane.
    power: Vec<f64>,
    /// A row of zeros: the adjustments of a firm that is not in a network.
    zeros: Vec<f64>,
}

/// [`Costs::rnd_at`] of every lane into `out` (`power` is scratch): the multiplications of
/// [`crate::math::powi`] in the same order on each lane, so the same bits, each one across
/// the lanes so that they vectorise.
#[inline(always)]
fn rnd_lanes(rnd: &[f64], growth: &[f64], y: usize, power: &mut [f64], out: &mut [f64]) {
    let lanes = out.len();
    let (rnd, growth, power) = (&rnd[..lanes], &growth[..lanes], &mut power[..lanes]);
    for l in 0..lanes {
        power[l] = 1.0 + growth[l];
        out[l] = 1.0;
    }
    let mut n = y as u32;
    loop {
        if n & 1 == 1 {
            for l in 0..lanes {
                out[l] *= power[l];
            }
        }
        n >>= 1;
        if n == 0 {
            break;
        }
        for p in power.iter_mut() {
            *p *= *p;
        }
    }
    for l in 0..lanes {
        // rnd * power: a product is the same either way round.
        out[l] *= rnd[l];
    }
}

/// The lanes of row `i` of a lane-minor array of `width` lanes.
#[inline(always)]
fn row(array: &[f64], i: usize, width: usize) -> &[f64] {
    &array[i * width..(i + 1) * width]
}

impl Ledger {
    /// A ledger for blocks of `width` paths.
    pub fn new(width: usize) -> Ledger {
        let z = vec![0.0; width];
        Ledger {
            width,
            sga_share: z.clone(),
            discount: z.clone(),
            starting_cash: z.clone(),
            cash: z.clone(),
            lowest_cash: z.clone(),
            npv: z.clone(),
            discount_factor: z.clone(),
            cor_share: z.clone(),
            last_loss: z.clone(),
            last_deficit: z.clone(),
            financed: z.clone(),
            npv_out_of_range: z.clone(),
            commitments: z.clone(),
            own_cor_share: z.clone(),
            own_fixed: z.clone(),
            power: z.clone(),
            zeros: z,
        }
    }

    /// Opens the accounts of the block's paths whose inputs are `v`.
    #[inline(always)]
    pub fn open(&mut self, model: &Model, v: &[f64]) {
        let w = self.width;
        let cash = model.finance.starting_cash.lanes(v, w);
        self.sga_share
            .copy_from_slice(model.costs.sga_share.lanes(v, w));
        let rate = model.finance.discount_rate.lanes(v, w);
        for (d, &r) in self.discount.iter_mut().zip(rate) {
            *d = 1.0 / (1.0 + r);
        }
        self.starting_cash.copy_from_slice(cash);
        self.cash.copy_from_slice(cash);
        self.lowest_cash.copy_from_slice(cash);
        self.npv.fill(0.0);
        self.discount_factor.fill(1.0);
        self.cor_share.fill(0.0);
        self.last_loss.fill(NONE);
        self.last_deficit.fill(NONE);
        self.financed.fill(0.0);
        self.npv_out_of_range.fill(NONE);
    }

    /// Books year index `y` of the block's paths (after years `0..y`) and writes every metric
    /// of the year into the block's values `out` (see [`super::Block`]). `adjustments` (a
    /// network entity's flows, of the same block of paths) add to the year's lines; with them,
    /// [`Ledger::own_year`] of the year came first, and its cost of revenue share and own
    /// fixed costs are taken from there rather than computed again (the same numbers).
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
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
        let w = self.width;
        let zeros = &self.zeros[..w];
        let adjust = |field: fn(&Adjustments) -> &Vec<f64>| {
            adjustments.map_or(zeros, |a| &row(field(a), y, w)[..w])
        };
        let (adjust_revenue, adjust_costs) = (adjust(|a| &a.revenue), adjust(|a| &a.costs));
        let (adjust_capex, adjust_depreciation) =
            (adjust(|a| &a.capex), adjust(|a| &a.depreciation));
        let financing = adjust(|a| &a.financing);
        let adjust_charge = adjust(|a| &a.capital_charge);
        let costs = &model.costs;
        let lanes = |p: ParamId| &p.lanes(v, w)[..w];
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
        let networked = adjustments.is_some();
        let commitments = &mut self.commitments[..w];
        if !networked {
            commitments.fill(-0.0);
            for c in &model.commitments {
                for (sum, &total) in commitments.iter_mut().zip(lanes(c.total)) {
                    *sum += c.payment_at(total, y);
                }
            }
        }
        let mut series = out.chunks_exact_mut(w).skip(y).step_by(model.years);
        let [
            revenue_row,
            subscription_row,
            users_row,
            paying_users_row,
            capex_row,
            own_capex_row,
            depreciation_row,
            rental_row,
            costs_row,
            ebitda_row,
            ebit_row,
            fcf_row,
            cash_row,
            required_row,
            gap_row,
            required_for_return_row,
        ]: [&mut [f64]; Metric::ALL.len()] =
            std::array::from_fn(|_| &mut series.next().expect("a row per metric")[..w]);
        subscription_row.copy_from_slice(subscription);
        users_row.copy_from_slice(users);
        paying_users_row.copy_from_slice(paying_users);
        rental_row.copy_from_slice(rental);
        // The year in a few passes over the lanes, each with few enough arrays to vectorise;
        // each value is computed as one expression would, so the bits are the same.
        // Revenue, the cost of revenue's share and depreciation, with the adjustments.
        let cor_share = &mut self.cor_share[..w];
        let (own_cor_share, own_fixed) = (&self.own_cor_share[..w], &self.own_fixed[..w]);
        for l in 0..w {
            revenue_row[l] = subscription[l] + streams[l] + adjust_revenue[l];
            cor_share[l] = if networked {
                own_cor_share[l]
            } else {
                Costs::cost_of_revenue_share_at(
                    cor_start[l],
                    cor_long_run[l],
                    cor_speed[l],
                    cor_share[l],
                    y,
                )
            };
            depreciation_row[l] = own_depreciation[l] + adjust_depreciation[l];
        }
        // Fixed costs, held in the costs' row until the next pass.
        let commitments = &self.commitments[..w];
        if networked {
            for l in 0..w {
                costs_row[l] = own_fixed[l] + adjust_costs[l];
            }
        } else {
            // R&D first (`Costs::rnd_at` of every lane), then the rest added to it in order.
            rnd_lanes(rnd, rnd_growth, y, &mut self.power[..w], costs_row);
            for l in 0..w {
                costs_row[l] =
                    costs_row[l] + operations[l] + rental[l] + commitments[l] + adjust_costs[l];
            }
        }
        let (sga_share, cor_share) = (&self.sga_share[..w], &self.cor_share[..w]);
        for l in 0..w {
            let (revenue_total, fixed, depreciation) =
                (revenue_row[l], costs_row[l], depreciation_row[l]);
            let (cor, sga) = (cor_share[l], sga_share[l]);
            let ebitda = revenue_total * (1.0 - cor - sga) - fixed;
            let ebit = ebitda - depreciation;
            let variable = 1.0 - cor - sga;
            let required = (fixed + depreciation) / variable;
            ebitda_row[l] = ebitda;
            ebit_row[l] = ebit;
            costs_row[l] = revenue_total - ebit;
            required_row[l] = required;
            gap_row[l] = required - revenue_total;
            required_for_return_row[l] = (fixed + capital_charge[l] + adjust_charge[l]) / variable;
        }
        for l in 0..w {
            let own_capex = own_spend[l] + adjust_capex[l];
            own_capex_row[l] = own_capex;
            capex_row[l] = spend[l] + adjust_capex[l];
            fcf_row[l] = ebitda_row[l] - own_capex;
        }
        // Cash, NPV and the years they mark.
        let (cash, lowest_cash) = (&mut self.cash[..w], &mut self.lowest_cash[..w]);
        let (npv, discount_factor) = (&mut self.npv[..w], &mut self.discount_factor[..w]);
        let (discount, financed) = (&self.discount[..w], &mut self.financed[..w]);
        let starting_cash = &self.starting_cash[..w];
        for l in 0..w {
            let fcf = fcf_row[l];
            financed[l] += financing[l];
            cash[l] += fcf + financing[l];
            let c = cash[l];
            cash_row[l] = c;
            lowest_cash[l] = lowest_cash[l].min(c);
            npv[l] += fcf * discount_factor[l];
            discount_factor[l] *= discount[l];
        }
        let year = y as f64;
        let (last_loss, last_deficit) = (&mut self.last_loss[..w], &mut self.last_deficit[..w]);
        let out_of_range = &mut self.npv_out_of_range[..w];
        for l in 0..w {
            // `|`, not `||`: both tests on every lane, without a branch.
            let bad = npv[l].is_nan() | (npv[l].abs() > MAGNITUDE_LIMIT);
            out_of_range[l] = if out_of_range[l] == NONE && bad {
                year
            } else {
                out_of_range[l]
            };
            last_loss[l] = if ebit_row[l] < 0.0 {
                year
            } else {
                last_loss[l]
            };
            last_deficit[l] = if cash_row[l] - financed[l] - starting_cash[l] < 0.0 {
                year
            } else {
                last_deficit[l]
            };
        }
    }

    /// A network entity's numbers of year index `y` before any flow with the others, for the
    /// block's paths (after years `0..y` and before [`Ledger::year`] of `y`), each as
    /// [`Ledger::year`] computes it without adjustments: `own[0]` revenue, `own[1]` capex,
    /// `own[2]` own capex, `own[3]` free cash flow, and `own[4]` the share of revenue left
    /// after cost of revenue and SG&A. Books nothing but the year's cost of revenue share and
    /// own fixed costs, which [`Ledger::year`] of the year then reads.
    #[inline(always)]
    pub fn own_year(
        &mut self,
        model: &Model,
        v: &[f64],
        capex: &CapexYears,
        revenue: &RevenueYears,
        y: usize,
        own: [&mut [f64]; 5],
    ) {
        let w = self.width;
        let costs = &model.costs;
        let lanes = |p: ParamId| &p.lanes(v, w)[..w];
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
        let (operations, rental) = (row(&capex.own_operations, y, w), row(&capex.rental, y, w));
        let (own_spend, spend) = (row(&capex.own_spend, y, w), row(&capex.spend, y, w));
        let commitments = &mut self.commitments[..w];
        commitments.fill(-0.0);
        for c in &model.commitments {
            for (sum, &total) in commitments.iter_mut().zip(lanes(c.total)) {
                *sum += c.payment_at(total, y);
            }
        }
        let [own_revenue, own_capex_total, own_capex, own_fcf, margin] = own;
        let (own_revenue, own_capex_total, own_capex, own_fcf, margin) = (
            &mut own_revenue[..w],
            &mut own_capex_total[..w],
            &mut own_capex[..w],
            &mut own_fcf[..w],
            &mut margin[..w],
        );
        // In passes over the lanes with few enough arrays to vectorise, each value computed
        // as one expression would (see `Ledger::year`). The adjustments of a firm alone are
        // zeros, added as `Ledger::year` adds them.
        let (sga_share, cor_share) = (&self.sga_share[..w], &self.cor_share[..w]);
        let (own_cor_share, own_fixed) = (&mut self.own_cor_share[..w], &mut self.own_fixed[..w]);
        for l in 0..w {
            own_cor_share[l] = Costs::cost_of_revenue_share_at(
                cor_start[l],
                cor_long_run[l],
                cor_speed[l],
                cor_share[l],
                y,
            );
        }
        let commitments = &self.commitments[..w];
        rnd_lanes(rnd, rnd_growth, y, &mut self.power[..w], own_fixed);
        for l in 0..w {
            // As one sum from the R&D, in the order `Costs::rnd_at(..) + operations + ..`.
            let sum = own_fixed[l] + operations[l];
            own_fixed[l] = sum + rental[l] + commitments[l];
        }
        for l in 0..w {
            own_revenue[l] = subscription[l] + streams[l] + 0.0;
            margin[l] = 1.0 - own_cor_share[l] - sga_share[l];
            own_capex_total[l] = spend[l] + 0.0;
            own_capex[l] = own_spend[l] + 0.0;
        }
        for l in 0..w {
            let ebitda = own_revenue[l] * margin[l] - (own_fixed[l] + 0.0);
            own_fcf[l] = ebitda - own_capex[l];
        }
    }

    /// Closes the accounts after the horizon: break-even and payback years, funding gap, NPV,
    /// written into `block`.
    pub fn close(&self, model: &Model, block: &mut super::Block) {
        let after = |last: f64| match year_of(last) {
            None => Some(0),
            Some(y) if y + 1 < model.years => Some(y + 1),
            Some(_) => None,
        };
        for l in 0..self.width {
            block.close(
                l,
                super::Closing {
                    break_even: after(self.last_loss[l]),
                    payback: after(self.last_deficit[l]),
                    funding_gap: (-self.lowest_cash[l]).max(0.0),
                    npv: self.npv[l],
                    npv_out_of_range: year_of(self.npv_out_of_range[l]),
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// R&D of every lane at once gives the bits of `Costs::rnd_at` lane by lane.
    #[test]
    fn rnd_of_the_lanes_is_rnd_at_of_each() {
        let w = 37;
        let rnd: Vec<f64> = (0..w).map(|l| 1e9 * (1.0 + l as f64 * 0.37)).collect();
        let growth: Vec<f64> = (0..w).map(|l| -0.3 + (l as f64 * 0.618).fract()).collect();
        let (mut power, mut out) = (vec![0.0; w], vec![0.0; w]);
        for y in 0..40 {
            rnd_lanes(&rnd, &growth, y, &mut power, &mut out);
            for l in 0..w {
                let alone = Costs::rnd_at(rnd[l], growth[l], y);
                assert_eq!(out[l].to_bits(), alone.to_bits(), "year {y}, lane {l}");
            }
        }
    }
}
