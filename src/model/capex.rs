//! The build-out: capital spending by vintage, GPU refresh, depreciation, power and operations,
//! and the rent paid for partner-built capacity.
//!
//! The programme's `total` is spread over `years` by a profile and split between GPUs/servers
//! (short life, refreshed at end of life at a replacement cost that falls by
//! `gpu_cost_decline` a year) and facilities (long life, refreshed at the same cost). Lives
//! may be fractional: a vintage with a life of 2.4 years is depreciated straight-line over 2.4
//! years (full-year convention in its first year), and its refresh is split 60/40 between the
//! 2nd and 3rd years after purchase, which keeps the expected refresh date at 2.4 years.
//! Capacity in service (at original cost) drives power and operations. The capital charge is
//! the depreciation schedule priced at a hurdle rate (`hurdle`). The partner share of
//! everything is built and owned by partners and charged back as rent: their depreciation plus
//! operations, marked up by `partner_margin`.

use super::ParamId;

/// How the programme's total is spread over its years.
#[derive(Debug, Clone, PartialEq)]
pub enum Profile {
    /// Equal amounts each year.
    Flat,
    /// Amounts rising linearly: 1, 2, ..., n (normalised).
    Ramp,
    /// Given weights, normalised to sum to one; their count is the number of years.
    Custom(Vec<f64>),
}

impl Profile {
    /// The share of the total spent in the `k`-th of `n` years (for a custom profile `n` is
    /// its number of weights). The shares of `k = 0..n` sum to one.
    #[inline]
    pub fn weight(&self, k: usize, n: f64) -> f64 {
        match self {
            Profile::Flat => 1.0 / n,
            Profile::Ramp => (k + 1) as f64 / (0.5 * n * (n + 1.0)),
            Profile::Custom(w) => w[k],
        }
    }
}

/// The compiled capex block of a scenario.
#[derive(Debug, Clone)]
pub struct Capex {
    pub total: ParamId,
    /// First programme year, as an offset from the scenario's start year.
    pub start: usize,
    /// Programme length in whole years (ignored by a custom profile).
    pub years: ParamId,
    pub profile: Profile,
    pub partner_share: ParamId,
    pub gpu_share: ParamId,
    pub gpu_life_years: ParamId,
    pub facility_life_years: ParamId,
    pub refresh: bool,
    pub gpu_cost_decline: ParamId,
    pub partner_margin: ParamId,
    pub ops_share: ParamId,
}

/// Per-year capex results for a block of `width` paths, lane-minor (year `y` of lane `l` at
/// `y * width + l`).
#[derive(Debug, Clone)]
pub struct CapexYears {
    width: usize,
    /// Build-out spending in each year, own and partner, refresh included.
    pub spend: Vec<f64>,
    /// Own share of that spending.
    pub own_spend: Vec<f64>,
    /// Depreciation of own assets.
    pub own_depreciation: Vec<f64>,
    /// The annuity on own assets at the hurdle rate over their lives (see `hurdle`).
    pub own_capital_charge: Vec<f64>,
    /// Power and operations of own capacity.
    pub own_operations: Vec<f64>,
    /// Rent charged back for partner-built capacity.
    pub rental: Vec<f64>,
    /// Each lane's capital charge per unit of depreciation of GPUs, then of facilities.
    charges: [Vec<f64>; 2],
    scratch: AssetScratch,
}

/// One path's years of one asset class.
#[derive(Debug, Clone)]
struct AssetScratch {
    programme: Vec<f64>,
    spend: Vec<f64>,
    depreciation: Vec<f64>,
    capacity: Vec<f64>,
}

impl CapexYears {
    /// Zeroed arrays for `years` years of `width` paths.
    pub fn new(years: usize, width: usize) -> CapexYears {
        let z = vec![0.0; years * width];
        let one = vec![0.0; years];
        CapexYears {
            width,
            spend: z.clone(),
            own_spend: z.clone(),
            own_depreciation: z.clone(),
            own_capital_charge: z.clone(),
            own_operations: z.clone(),
            rental: z,
            charges: [vec![0.0; width], vec![0.0; width]],
            scratch: AssetScratch {
                programme: one.clone(),
                spend: one.clone(),
                depreciation: one.clone(),
                capacity: one,
            },
        }
    }
}

/// One class of assets (GPUs or facilities) bought on the programme schedule.
struct AssetClass {
    share: f64,
    life: f64,
    cost_decline: f64,
}

impl Capex {
    /// Fills `out` for the block's paths whose inputs are `v` (input-major, lane-minor);
    /// `hurdle_rate` (one per lane) prices the capital charge.
    pub fn simulate(&self, v: &[f64], hurdle_rate: &[f64], out: &mut CapexYears) {
        let w = out.width;
        let lanes = |p: ParamId| p.lanes(v, w);
        let (total, years, gpu_share) =
            (lanes(self.total), lanes(self.years), lanes(self.gpu_share));
        let (partner_share, margin, ops_share) = (
            lanes(self.partner_share),
            lanes(self.partner_margin),
            lanes(self.ops_share),
        );
        let (gpu_life, facility_life, decline) = (
            lanes(self.gpu_life_years),
            lanes(self.facility_life_years),
            lanes(self.gpu_cost_decline),
        );
        // The charges first, lane by lane in a loop of their own: independent lanes overlap
        // their long chains of arithmetic.
        let [gpu_charge, facility_charge] = &mut out.charges;
        for (l, (gpu, facility)) in gpu_charge.iter_mut().zip(facility_charge).enumerate() {
            *gpu = super::hurdle::charge_per_depreciation(hurdle_rate[l], gpu_life[l]);
            *facility = super::hurdle::charge_per_depreciation(hurdle_rate[l], facility_life[l]);
        }
        for l in 0..w {
            self.fill_programme(total[l], years[l], &mut out.scratch.programme);
            let classes = [
                AssetClass {
                    share: gpu_share[l],
                    life: gpu_life[l],
                    cost_decline: decline[l],
                },
                AssetClass {
                    share: 1.0 - gpu_share[l],
                    life: facility_life[l],
                    cost_decline: 0.0,
                },
            ];
            let (partner_share, margin, ops_share) = (partner_share[l], margin[l], ops_share[l]);
            for (k, (class, charges)) in classes.iter().zip(&out.charges).enumerate() {
                run_asset_class(class, self.refresh, &mut out.scratch);
                let charge = charges[l];
                let s = &out.scratch;
                // The first class overwrites what the arrays held (the block before's
                // values): `0 + x`, the sum the classes' total starts from.
                let add = |total: &mut f64, x: f64| *total = if k == 0 { 0.0 } else { *total } + x;
                for y in 0..s.spend.len() {
                    let i = y * w + l;
                    let operations = ops_share * s.capacity[y];
                    add(&mut out.spend[i], s.spend[y]);
                    add(&mut out.own_spend[i], (1.0 - partner_share) * s.spend[y]);
                    add(
                        &mut out.own_depreciation[i],
                        (1.0 - partner_share) * s.depreciation[y],
                    );
                    add(
                        &mut out.own_capital_charge[i],
                        (1.0 - partner_share) * s.depreciation[y] * charge,
                    );
                    add(
                        &mut out.own_operations[i],
                        (1.0 - partner_share) * operations,
                    );
                    add(
                        &mut out.rental[i],
                        partner_share * (s.depreciation[y] + operations) * (1.0 + margin),
                    );
                }
            }
        }
    }

    fn fill_programme(&self, total: f64, years: f64, programme: &mut [f64]) {
        programme.fill(0.0);
        // In floating point: a programme may be longer than any integer type can count
        // (`years = 1e300` is a whole number); only its first simulated years are written.
        let n = match &self.profile {
            Profile::Custom(w) => w.len() as f64,
            _ => years,
        };
        let written = programme.len().saturating_sub(self.start).min(n as usize);
        for k in 0..written {
            programme[self.start + k] = total * self.profile.weight(k, n);
        }
    }
}

/// Spending (programme plus refresh), straight-line depreciation and capacity in service for
/// one asset class, written into the scratch arrays, in one pass over the years: what a year
/// depreciates, and what is in service, are running sums over the vintages still within their
/// life (O(years), not O(years^2) over vintages).
fn run_asset_class(class: &AssetClass, refresh: bool, s: &mut AssetScratch) {
    let years = s.spend.len();
    let life = class.life;
    // Year counts are kept in floating point and capped at the simulated years before they
    // become indices: a life of 1e300 years is valid and simply never ends in the horizon.
    let whole_years = life.floor();
    let frac = life - whole_years;
    let whole = whole_years.min(years as f64) as usize;
    let keep = 1.0 - class.cost_decline;
    // Used only when a refresh falls within the horizon, where `whole` is the true count.
    let refresh_first = keep.powi(whole as i32) * (1.0 - frac);
    let refresh_second = keep.powi(whole as i32 + 1) * frac;

    for y in 0..years {
        s.spend[y] = class.share * s.programme[y];
    }
    // A vintage bought in year v depreciates 1 / life of its cost in years v .. v + whole - 1
    // and, with a fractional life, `frac / life` of it in year v + whole. Without refresh it is
    // in service fully for `whole` years and for `frac` of the next; with refresh, for good.
    let mut spent_window = WindowSum::default();
    let mut built_window = WindowSum::default();
    let mut built_total = 0.0;
    for y in 0..years {
        let spent = s.spend[y];
        if refresh && spent != 0.0 {
            if whole >= 1 && y + whole < years {
                s.spend[y + whole] += spent * refresh_first;
            }
            if frac > 0.0 && y + whole + 1 < years {
                s.spend[y + whole + 1] += spent * refresh_second;
            }
        }
        let built = class.share * s.programme[y];
        let leaving = y.checked_sub(whole);
        spent_window.push(spent, leaving.map(|v| s.spend[v]));
        built_window.push(built, leaving.map(|v| class.share * s.programme[v]));
        let last_fraction = |x: &[f64], scale: f64| match leaving {
            Some(v) if frac > 0.0 => frac * scale * x[v],
            _ => 0.0,
        };
        s.depreciation[y] = spent_window.value() / life + last_fraction(&s.spend, 1.0) / life;
        built_total += built;
        s.capacity[y] = if refresh {
            built_total
        } else {
            built_window.value() + last_fraction(&s.programme, class.share)
        };
    }
}

/// The running sum of the last `n` values pushed, exactly zero whenever they all are.
#[derive(Debug, Default)]
struct WindowSum {
    sum: f64,
    nonzero: usize,
}

impl WindowSum {
    /// Adds `entering` and removes `leaving` (the value pushed `n` pushes ago, if any).
    #[inline]
    fn push(&mut self, entering: f64, leaving: Option<f64>) {
        self.sum += entering;
        self.nonzero += usize::from(entering != 0.0);
        if let Some(x) = leaving {
            self.sum -= x;
            self.nonzero -= usize::from(x != 0.0);
        }
        if self.nonzero == 0 {
            self.sum = 0.0;
        }
    }

    fn value(&self) -> f64 {
        self.sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capex(profile: Profile, refresh: bool) -> Capex {
        // Inputs: 0 total, 1 years, 2 partner share, 3 gpu share, 4 gpu life, 5 facility life,
        // 6 cost decline, 7 margin, 8 ops share.
        Capex {
            total: ParamId(0),
            start: 0,
            years: ParamId(1),
            profile,
            partner_share: ParamId(2),
            gpu_share: ParamId(3),
            gpu_life_years: ParamId(4),
            facility_life_years: ParamId(5),
            refresh,
            gpu_cost_decline: ParamId(6),
            partner_margin: ParamId(7),
            ops_share: ParamId(8),
        }
    }

    #[test]
    fn flat_programme_without_refresh_depreciates_to_its_cost() {
        let c = capex(Profile::Flat, false);
        let v = [100.0, 4.0, 0.0, 1.0, 2.5, 20.0, 0.0, 0.0, 0.0];
        let mut out = CapexYears::new(10, 1);
        c.simulate(&v, &[0.0], &mut out);
        assert_eq!(out.spend[..5], [25.0, 25.0, 25.0, 25.0, 0.0]);
        let dep: f64 = out.own_depreciation.iter().sum();
        assert!((dep - 100.0).abs() < 1e-9);
        // Each vintage: 10, 10, 5 over 2.5 years.
        assert!((out.own_depreciation[0] - 10.0).abs() < 1e-12);
        assert!((out.own_depreciation[2] - 25.0).abs() < 1e-12);
    }

    #[test]
    fn refresh_buys_again_at_falling_cost_on_a_fractional_life() {
        let c = capex(Profile::Custom(vec![1.0]), true);
        let v = [100.0, 1.0, 0.0, 1.0, 2.5, 20.0, 0.1, 0.0, 0.0];
        let mut out = CapexYears::new(4, 1);
        c.simulate(&v, &[0.0], &mut out);
        // Half refreshed after 2 years at 0.9^2, half after 3 years at 0.9^3; the year-2
        // refresh has not reached its own life by year 3.
        assert!((out.spend[2] - 100.0 * 0.5 * 0.81).abs() < 1e-9);
        assert!((out.spend[3] - 100.0 * 0.5 * 0.729).abs() < 1e-9);
    }

    #[test]
    fn the_capital_charge_is_the_annuity_on_each_vintage_over_its_life() {
        // One vintage of 100, GPUs for 4 years at 10%, refreshed: the charge is the closed-form
        // annuity 100 x 0.1 / (1 - 1.1^-4) = 31.547 in each year of its life, and again for
        // the refresh bought at the end of it (paid in perpetuity).
        let c = capex(Profile::Custom(vec![1.0]), true);
        let v = [100.0, 1.0, 0.0, 1.0, 4.0, 20.0, 0.0, 0.0, 0.0];
        let mut out = CapexYears::new(6, 1);
        c.simulate(&v, &[0.1], &mut out);
        let annuity = 100.0 * 0.1 / (1.0 - 1.1f64.powi(-4));
        for y in 0..6 {
            assert!(
                (out.own_capital_charge[y] - annuity).abs() < 1e-9,
                "{y}: {out:?}"
            );
        }
        // At a hurdle rate of zero it is the depreciation.
        c.simulate(&v, &[0.0], &mut out);
        assert_eq!(out.own_capital_charge, out.own_depreciation);
    }

    #[test]
    fn partner_share_moves_cost_from_depreciation_to_rent() {
        let c = capex(Profile::Ramp, false);
        let v = [300.0, 2.0, 0.5, 0.5, 2.0, 10.0, 0.0, 0.2, 0.05];
        let mut out = CapexYears::new(3, 1);
        c.simulate(&v, &[0.0], &mut out);
        assert_eq!(out.spend[..2], [100.0, 200.0]);
        assert_eq!(out.own_spend[..2], [50.0, 100.0]);
        // Year 0: GPU dep 50/2, facility dep 50/10: total 30, half partner.
        assert!((out.own_depreciation[0] - 15.0).abs() < 1e-12);
        let operations = 0.05 * 100.0;
        assert!((out.rental[0] - 0.5 * (30.0 + operations) * 1.2).abs() < 1e-12);
        assert!((out.own_operations[0] - 0.5 * operations).abs() < 1e-12);
    }

    /// The vintage-by-vintage definition, O(years^2): each vintage's depreciation, refresh and
    /// capacity written out year by year.
    fn by_vintage(class: &AssetClass, refresh: bool, programme: &[f64]) -> AssetScratch {
        let years = programme.len();
        let life = class.life;
        let whole = life.floor().min(years as f64) as usize;
        let frac = life - life.floor();
        let keep = 1.0 - class.cost_decline;
        let mut spend: Vec<f64> = programme.iter().map(|p| class.share * p).collect();
        let mut depreciation = vec![0.0; years];
        let mut capacity = vec![0.0; years];
        for y in 0..years {
            let spent = spend[y];
            for k in 0..life.ceil().min(years as f64) as usize {
                if y + k < years {
                    depreciation[y + k] += if k < whole {
                        spent / life
                    } else {
                        spent * (life - k as f64) / life
                    };
                }
            }
            if refresh {
                if whole >= 1 && y + whole < years {
                    spend[y + whole] += spent * keep.powi(whole as i32) * (1.0 - frac);
                }
                if frac > 0.0 && y + whole + 1 < years {
                    spend[y + whole + 1] += spent * keep.powi(whole as i32 + 1) * frac;
                }
            }
            for k in 0..years - y {
                let alive = if refresh {
                    1.0
                } else {
                    (life - k as f64).clamp(0.0, 1.0)
                };
                capacity[y + k] += class.share * programme[y] * alive;
            }
        }
        AssetScratch {
            programme: programme.to_vec(),
            spend,
            depreciation,
            capacity,
        }
    }

    #[test]
    fn running_sums_match_the_vintage_by_vintage_definition() {
        let programme = [
            0.0, 30.0, 50.0, 0.0, 20.0, 0.0, 0.0, 10.0, 0.0, 0.0, 0.0, 0.0,
        ];
        for life in [0.4, 1.0, 2.0, 2.4, 2.5, 3.0, 7.7, 11.0, 12.0, 30.0, 1e300] {
            for refresh in [false, true] {
                let class = AssetClass {
                    share: 0.7,
                    life,
                    cost_decline: 0.15,
                };
                let expected = by_vintage(&class, refresh, &programme);
                let z = vec![0.0; programme.len()];
                let mut s = AssetScratch {
                    programme: programme.to_vec(),
                    spend: z.clone(),
                    depreciation: z.clone(),
                    capacity: z,
                };
                run_asset_class(&class, refresh, &mut s);
                for (name, a, b) in [
                    ("spend", &s.spend, &expected.spend),
                    ("depreciation", &s.depreciation, &expected.depreciation),
                    ("capacity", &s.capacity, &expected.capacity),
                ] {
                    for (y, (x, e)) in a.iter().zip(b).enumerate() {
                        assert!(
                            (x - e).abs() <= 1e-12 * 100.0,
                            "life {life} refresh {refresh} {name}[{y}]: {x} vs {e}"
                        );
                        assert_eq!(*e == 0.0, *x == 0.0, "{name}[{y}] zero: {x} vs {e}");
                    }
                }
            }
        }
    }
}
