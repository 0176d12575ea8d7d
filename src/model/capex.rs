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
    /// The programme's spending, then one asset class's, by year and lane, after `years + 1`
    /// rows of zeros: what a lag reaching before the first year reads.
    programme: Vec<f64>,
    class_spend: Vec<f64>,
    /// One asset class's constants and running sums, per lane.
    lanes: Vec<ClassLane>,
}

impl CapexYears {
    /// Zeroed arrays for `years` years of `width` paths.
    pub fn new(years: usize, width: usize) -> CapexYears {
        let z = vec![0.0; years * width];
        let padded = vec![0.0; (2 * years + 1) * width];
        CapexYears {
            width,
            spend: z.clone(),
            own_spend: z.clone(),
            own_depreciation: z.clone(),
            own_capital_charge: z.clone(),
            own_operations: z.clone(),
            rental: z,
            charges: [vec![0.0; width], vec![0.0; width]],
            programme: padded.clone(),
            class_spend: padded,
            lanes: vec![ClassLane::default(); width],
        }
    }
}

/// One lane's asset class (GPUs or facilities) bought on the programme schedule: its
/// constants, and the running sums of the vintages within their life.
#[derive(Debug, Clone, Copy, Default)]
struct ClassLane {
    share: f64,
    life: f64,
    /// The fractional part of the life.
    frac: f64,
    /// Where in the padded arrays this lane's year 0 reads the vintage bought `whole` years
    /// before (leaving the window), and the vintages whose first and second refreshes fall in
    /// it (the zeros when there are none); year `y` reads `y * width` further on.
    leaving: usize,
    first: usize,
    second: usize,
    /// The share of a vintage's cost its first and second refreshes cost.
    first_cost: f64,
    second_cost: f64,
    /// What the vintages within their whole life spent (refresh included) and cost.
    spent: WindowSum,
    built: WindowSum,
    /// Everything built so far, at original cost (what is in service, with refresh).
    built_total: f64,
}

impl Capex {
    /// Fills `out` for the block's paths whose inputs are `v` (input-major, lane-minor);
    /// `hurdle_rate` (one per lane) prices the capital charge.
    ///
    /// Each asset class runs year by year across the lanes, in one pass over the years: what
    /// a year depreciates, and what is in service, are running sums over the vintages still
    /// within their life (O(years), not O(years^2) over vintages), and a lane's refresh and
    /// leaving vintages are read back at its own lags.
    #[inline(always)]
    pub fn simulate(&self, v: &[f64], hurdle_rate: &[f64], out: &mut CapexYears) {
        let w = out.width;
        let years = out.spend.len() / w;
        let lanes = |p: ParamId| p.lanes(v, w);
        let (gpu_share, partner_share, margin, ops_share) = (
            lanes(self.gpu_share),
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
        self.fill_programme(
            lanes(self.total),
            lanes(self.years),
            years,
            &mut out.programme,
        );
        let classes = Classes {
            refresh: self.refresh,
            partner_share,
            margin,
            ops_share,
        };
        for (l, lane) in out.lanes.iter_mut().enumerate() {
            *lane = ClassLane::new(
                gpu_share[l],
                gpu_life[l],
                decline[l],
                self.refresh,
                years,
                w,
                l,
            );
        }
        classes.add(out, 0);
        for (l, lane) in out.lanes.iter_mut().enumerate() {
            let share = 1.0 - gpu_share[l];
            *lane = ClassLane::new(share, facility_life[l], 0.0, self.refresh, years, w, l);
        }
        classes.add(out, 1);
    }

    /// The programme's spending of each lane in each of the `years` years, after the padding
    /// rows (which stay zero).
    fn fill_programme(&self, total: &[f64], years_of: &[f64], years: usize, out: &mut [f64]) {
        let w = total.len();
        for (l, (&total, &programme_years)) in total.iter().zip(years_of).enumerate() {
            // In floating point: a programme may be longer than any integer type can count
            // (`years = 1e300` is a whole number); only its first simulated years are written.
            let n = match &self.profile {
                Profile::Custom(w) => w.len() as f64,
                _ => programme_years,
            };
            let written = years.saturating_sub(self.start).min(n as usize);
            for y in 0..years {
                out[(years + 1 + y) * w + l] = match y.checked_sub(self.start) {
                    Some(k) if k < written => total * self.profile.weight(k, n),
                    _ => 0.0,
                };
            }
        }
    }
}

impl ClassLane {
    /// Lane `l` of `width`, with its class's share of the programme, life and yearly cost
    /// decline, over `years` years.
    fn new(
        share: f64,
        life: f64,
        cost_decline: f64,
        refresh: bool,
        years: usize,
        width: usize,
        l: usize,
    ) -> ClassLane {
        // Year counts are kept in floating point and capped at the simulated years before they
        // become indices: a life of 1e300 years is valid and simply never ends in the horizon.
        let whole_years = life.floor();
        let frac = life - whole_years;
        let whole = whole_years.min(years as f64) as usize;
        let keep = 1.0 - cost_decline;
        // Year 0 of the padded arrays is row `years + 1`; a lag of `years + 1` reads zeros
        // throughout.
        let none = years + 1;
        let (first_lag, first_cost) = if refresh && whole >= 1 {
            (whole, keep.powi(whole as i32) * (1.0 - frac))
        } else {
            (none, 0.0)
        };
        let (second_lag, second_cost) = if refresh && frac > 0.0 {
            (whole + 1, keep.powi(whole as i32 + 1) * frac)
        } else {
            (none, 0.0)
        };
        let row = |lag: usize| (years + 1 - lag) * width + l;
        ClassLane {
            share,
            life,
            frac,
            leaving: row(whole),
            first: row(first_lag),
            second: row(second_lag),
            first_cost,
            second_cost,
            ..ClassLane::default()
        }
    }
}

/// What both asset classes share: whether assets are refreshed, and each lane's partner share,
/// partner margin and operations share.
struct Classes<'a> {
    refresh: bool,
    partner_share: &'a [f64],
    margin: &'a [f64],
    ops_share: &'a [f64],
}

impl Classes<'_> {
    /// Runs the asset class set up in `out.lanes` (class `k`, whose capital charges are
    /// `out.charges[k]`) year by year across the lanes, and adds its results to `out`'s.
    #[inline(always)]
    fn add(&self, out: &mut CapexYears, k: usize) {
        match (k == 0, self.refresh) {
            (true, true) => self.add_class::<true, true>(out, k),
            (true, false) => self.add_class::<true, false>(out, k),
            (false, true) => self.add_class::<false, true>(out, k),
            (false, false) => self.add_class::<false, false>(out, k),
        }
    }

    /// [`Classes::add`], compiled for the first class or not and with refresh or not. The
    /// `FIRST` class overwrites what the results held (the block before's values) with
    /// `0 + x`, the sum the classes' total starts from.
    #[inline(always)]
    fn add_class<const FIRST: bool, const REFRESH: bool>(&self, out: &mut CapexYears, k: usize) {
        let w = out.width;
        let years = out.spend.len() / w;
        let add = |total: &mut f64, x: f64| *total = if FIRST { 0.0 } else { *total } + x;
        let (partner_share, margin, ops_share) = (
            &self.partner_share[..w],
            &self.margin[..w],
            &self.ops_share[..w],
        );
        for y in 0..years {
            let at = y * w;
            let rows = at..at + w;
            let (spend, own_spend) = (
                &mut out.spend[rows.clone()],
                &mut out.own_spend[rows.clone()],
            );
            let (own_depreciation, own_capital_charge) = (
                &mut out.own_depreciation[rows.clone()],
                &mut out.own_capital_charge[rows.clone()],
            );
            let (own_operations, rental) =
                (&mut out.own_operations[rows.clone()], &mut out.rental[rows]);
            let this_year = (years + 1) * w + at;
            let charges = &out.charges[k][..w];
            for (l, c) in out.lanes[..w].iter_mut().enumerate() {
                let built = c.share * out.programme[this_year + l];
                // The refreshes of the vintages bought `whole + 1` and then `whole` years ago
                // (in that order, as a vintage adds its refreshes to later years).
                let mut spent = built;
                if REFRESH {
                    let second = out.class_spend[c.second + at];
                    if second != 0.0 {
                        spent += second * c.second_cost;
                    }
                    let first = out.class_spend[c.first + at];
                    if first != 0.0 {
                        spent += first * c.first_cost;
                    }
                }
                out.class_spend[this_year + l] = spent;
                // A vintage bought in year v depreciates 1 / life of its cost in years
                // v .. v + whole - 1 and, with a fractional life, `frac / life` of it in year
                // v + whole. Without refresh it is in service fully for `whole` years and for
                // `frac` of the next; with refresh, for good.
                let spent_leaving = out.class_spend[c.leaving + at];
                c.spent.push(spent, spent_leaving);
                let spent_last = if c.frac > 0.0 {
                    c.frac * spent_leaving
                } else {
                    0.0
                };
                let depreciation = c.spent.sum / c.life + spent_last / c.life;
                let capacity = if REFRESH {
                    c.built_total += built;
                    c.built_total
                } else {
                    let programme_leaving = out.programme[c.leaving + at];
                    c.built.push(built, c.share * programme_leaving);
                    let built_last = if c.frac > 0.0 {
                        c.frac * c.share * programme_leaving
                    } else {
                        0.0
                    };
                    c.built.sum + built_last
                };
                let own = 1.0 - partner_share[l];
                let operations = ops_share[l] * capacity;
                add(&mut spend[l], spent);
                add(&mut own_spend[l], own * spent);
                add(&mut own_depreciation[l], own * depreciation);
                add(&mut own_capital_charge[l], own * depreciation * charges[l]);
                add(&mut own_operations[l], own * operations);
                add(
                    &mut rental[l],
                    partner_share[l] * (depreciation + operations) * (1.0 + margin[l]),
                );
            }
        }
    }
}

/// The running sum of the last `n` values pushed, exactly zero whenever they all are.
#[derive(Debug, Clone, Copy, Default)]
struct WindowSum {
    sum: f64,
    nonzero: u32,
}

impl WindowSum {
    /// Adds `entering` and removes `leaving` (the value pushed `n` pushes ago, or zero).
    #[inline]
    fn push(&mut self, entering: f64, leaving: f64) {
        self.sum += entering;
        self.nonzero += u32::from(entering != 0.0);
        self.sum -= leaving;
        self.nonzero -= u32::from(leaving != 0.0);
        if self.nonzero == 0 {
            self.sum = 0.0;
        }
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

    /// One asset class, for the vintage-by-vintage definition.
    struct AssetClass {
        share: f64,
        life: f64,
        cost_decline: f64,
    }

    /// The vintage-by-vintage definition, O(years^2): each vintage's depreciation, refresh and
    /// capacity written out year by year. Returns spending, depreciation and capacity.
    fn by_vintage(class: &AssetClass, refresh: bool, programme: &[f64]) -> [Vec<f64>; 3] {
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
        [spend, depreciation, capacity]
    }

    #[test]
    fn running_sums_match_the_vintage_by_vintage_definition() {
        let programme = [
            0.0, 30.0, 50.0, 0.0, 20.0, 0.0, 0.0, 10.0, 0.0, 0.0, 0.0, 0.0,
        ];
        let years = programme.len();
        let lives = [0.4, 1.0, 2.0, 2.4, 2.5, 3.0, 7.7, 11.0, 12.0, 30.0, 1e300];
        // Each life is one lane's GPUs, and another lane's facilities, in one block.
        let w = lives.len();
        let c = Capex {
            total: ParamId(0),
            start: 0,
            years: ParamId(1),
            profile: Profile::Custom(programme.to_vec()),
            partner_share: ParamId(2),
            gpu_share: ParamId(3),
            gpu_life_years: ParamId(4),
            facility_life_years: ParamId(5),
            refresh: false,
            gpu_cost_decline: ParamId(6),
            partner_margin: ParamId(7),
            ops_share: ParamId(8),
        };
        let facility_life = |l: usize| lives[(l + 3) % w];
        let mut v = vec![0.0; 9 * w];
        for l in 0..w {
            for (input, value) in [
                (0, 1.0),
                (1, 1.0),
                (3, 0.7),
                (4, lives[l]),
                (5, facility_life(l)),
                (6, 0.15),
                (8, 1.0),
            ] {
                v[input * w + l] = value;
            }
        }
        for refresh in [false, true] {
            let c = Capex {
                refresh,
                ..c.clone()
            };
            let mut out = CapexYears::new(years, w);
            c.simulate(&v, &vec![0.0; w], &mut out);
            for l in 0..w {
                let gpu = AssetClass {
                    share: 0.7,
                    life: lives[l],
                    cost_decline: 0.15,
                };
                let facility = AssetClass {
                    share: 1.0 - 0.7,
                    life: facility_life(l),
                    cost_decline: 0.0,
                };
                let (a, b) = (
                    by_vintage(&gpu, refresh, &programme),
                    by_vintage(&facility, refresh, &programme),
                );
                for (name, got, k) in [
                    ("spend", &out.spend, 0),
                    ("depreciation", &out.own_depreciation, 1),
                    ("capacity", &out.own_operations, 2),
                ] {
                    for y in 0..years {
                        let (x, e) = (got[y * w + l], a[k][y] + b[k][y]);
                        assert!(
                            (x - e).abs() <= 1e-12 * 100.0,
                            "lane {l} refresh {refresh} {name}[{y}]: {x} vs {e}"
                        );
                        assert_eq!(e == 0.0, x == 0.0, "{name}[{y}] zero: {x} vs {e}");
                    }
                }
            }
        }
    }
}
