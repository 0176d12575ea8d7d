//! The economics of one Monte Carlo path, year by year.
//!
//! A [`Model`] is compiled from a scenario: every input it reads is a [`ParamId`], an index
//! into the array of values drawn for the path, so the year loop does no lookups by name and
//! allocates nothing (all arrays live in a reusable [`Workspace`]). One call to
//! [`Model::simulate`] fills a [`Trajectory`]: the per-year [`Metric`]s and the path's
//! break-even year, payback year, funding gap and NPV.

pub mod capex;
pub mod costs;
pub mod financials;
pub mod revenue;

use rand::SeedableRng;
use rand_xoshiro::SplitMix64;

pub use capex::{Capex, Profile};
pub use costs::{Commitment, Costs};
pub use financials::Finance;
pub use revenue::{Shock, Stream, Subscriptions};

/// US dollars.
pub type Usd = f64;

/// The largest magnitude any simulated quantity may reach. Beyond it (or at NaN) a path is an
/// error rather than a number: squares and sums of such values would overflow.
pub const MAGNITUDE_LIMIT: f64 = 1e140;

/// Index of an input in the per-path array of drawn values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamId(pub usize);

impl ParamId {
    /// The value this path drew for the input.
    #[inline(always)]
    pub fn get(self, values: &[f64]) -> f64 {
        values[self.0]
    }
}

/// What is measured per year on every path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    Revenue,
    SubscriptionRevenue,
    Users,
    PayingUsers,
    Capex,
    OwnCapex,
    Depreciation,
    Rental,
    Costs,
    Ebitda,
    Ebit,
    FreeCashFlow,
    Cash,
    RequiredRevenue,
    RevenueGap,
}

/// How a metric's numbers are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Usd,
    People,
}

impl Metric {
    /// Every per-year metric, in report order.
    pub const ALL: [Metric; 15] = [
        Metric::Revenue,
        Metric::SubscriptionRevenue,
        Metric::Users,
        Metric::PayingUsers,
        Metric::Capex,
        Metric::OwnCapex,
        Metric::Depreciation,
        Metric::Rental,
        Metric::Costs,
        Metric::Ebitda,
        Metric::Ebit,
        Metric::FreeCashFlow,
        Metric::Cash,
        Metric::RequiredRevenue,
        Metric::RevenueGap,
    ];

    /// The name used in scenario files and outputs.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Revenue => "revenue",
            Metric::SubscriptionRevenue => "subscription_revenue",
            Metric::Users => "users",
            Metric::PayingUsers => "paying_users",
            Metric::Capex => "capex",
            Metric::OwnCapex => "own_capex",
            Metric::Depreciation => "depreciation",
            Metric::Rental => "rental",
            Metric::Costs => "costs",
            Metric::Ebitda => "ebitda",
            Metric::Ebit => "ebit",
            Metric::FreeCashFlow => "free_cash_flow",
            Metric::Cash => "cash",
            Metric::RequiredRevenue => "required_revenue",
            Metric::RevenueGap => "revenue_gap",
        }
    }

    /// One line saying what the metric is.
    pub fn description(self) -> &'static str {
        match self {
            Metric::Revenue => "total revenue",
            Metric::SubscriptionRevenue => "subscription revenue",
            Metric::Users => "users (free and paying)",
            Metric::PayingUsers => "paying subscribers",
            Metric::Capex => "build-out spending, own and partner, refresh included",
            Metric::OwnCapex => "own share of build-out spending",
            Metric::Depreciation => "depreciation of own assets",
            Metric::Rental => "rent for partner-built capacity",
            Metric::Costs => "all costs, depreciation included (revenue - EBIT)",
            Metric::Ebitda => "EBITDA",
            Metric::Ebit => "EBIT (operating profit)",
            Metric::FreeCashFlow => "free cash flow (EBITDA - own capex)",
            Metric::Cash => "cash at year end",
            Metric::RequiredRevenue => "revenue that would make that year's EBIT zero",
            Metric::RevenueGap => "required revenue minus revenue (negative: a surplus)",
        }
    }

    /// The unit of the metric.
    pub fn unit(self) -> Unit {
        match self {
            Metric::Users | Metric::PayingUsers => Unit::People,
            _ => Unit::Usd,
        }
    }

    /// Looks a metric up by its name.
    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// The compiled economics of a scenario.
#[derive(Debug, Clone)]
pub struct Model {
    pub start_year: i32,
    /// Number of simulated years, start and horizon included.
    pub years: usize,
    pub capex: Option<Capex>,
    pub commitments: Vec<Commitment>,
    pub subscriptions: Option<Subscriptions>,
    pub streams: Vec<Stream>,
    pub shocks: Vec<Shock>,
    pub costs: Costs,
    pub finance: Finance,
    /// Salt of the yearly user-number shocks' random stream.
    pub users_salt: u64,
}

/// One path's results.
#[derive(Debug, Clone)]
pub struct Trajectory {
    years: usize,
    values: Vec<f64>,
    /// First year index from which EBIT stays at or above zero to the horizon.
    pub break_even: Option<usize>,
    /// First year index from which cumulative free cash flow stays at or above zero.
    pub payback: Option<usize>,
    /// The deepest cash deficit below zero over the horizon (zero if cash never goes negative).
    pub funding_gap: Usd,
    /// Net present value of free cash flows at the discount rate, start year undiscounted.
    pub npv: Usd,
    /// The first year index at which the running NPV left the representable range.
    npv_out_of_range: Option<usize>,
}

impl Trajectory {
    fn new(years: usize) -> Trajectory {
        Trajectory {
            years,
            values: vec![0.0; years * Metric::ALL.len()],
            break_even: None,
            payback: None,
            funding_gap: 0.0,
            npv: 0.0,
            npv_out_of_range: None,
        }
    }

    /// The metric's values for every year.
    #[inline]
    pub fn series(&self, metric: Metric) -> &[f64] {
        let i = metric as usize * self.years;
        &self.values[i..i + self.years]
    }

    #[inline]
    fn series_mut(&mut self, metric: Metric) -> &mut [f64] {
        let i = metric as usize * self.years;
        &mut self.values[i..i + self.years]
    }

    /// The metric in year index `y`.
    #[inline]
    pub fn get(&self, metric: Metric, y: usize) -> f64 {
        self.values[metric as usize * self.years + y]
    }
}

/// A path whose arithmetic left the representable range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{quantity} is {value:.3e} in {year}, beyond what the simulator can represent")]
pub struct NumericError {
    pub year: i32,
    pub quantity: &'static str,
    pub value: f64,
}

/// Everything one path needs besides its inputs, allocated once and reused for every path.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub trajectory: Trajectory,
    capex: capex::CapexYears,
    revenue: revenue::RevenueYears,
    stream_rngs: Vec<SplitMix64>,
    shock_rngs: Vec<SplitMix64>,
}

/// A well-mixed 64-bit hash (the SplitMix64 finaliser).
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The salt of the random stream named `name` (an input's key path, or a yearly process
/// such as `streams.api`): FNV-1a, then mixed. Naming streams rather than numbering them keeps
/// every draw of a path unchanged when inputs are added to or removed from a scenario.
pub fn stream_salt(name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    mix64(h)
}

/// The random stream with salt `salt` of the path whose key is `path_key`.
#[inline]
pub fn path_stream(path_key: u64, salt: u64) -> SplitMix64 {
    SplitMix64::seed_from_u64(mix64(
        path_key ^ mix64(salt.wrapping_add(0x9e37_79b9_7f4a_7c15)),
    ))
}

impl Model {
    /// A workspace sized for this model.
    pub fn workspace(&self) -> Workspace {
        Workspace {
            trajectory: Trajectory::new(self.years),
            capex: capex::CapexYears::new(self.years),
            revenue: revenue::RevenueYears::new(self.years, self.streams.len()),
            stream_rngs: vec![SplitMix64::seed_from_u64(0); self.streams.len()],
            shock_rngs: vec![SplitMix64::seed_from_u64(0); self.shocks.len()],
        }
    }

    /// Simulates one path from its drawn inputs `v`; `path_key` seeds its per-year shocks.
    pub fn simulate(
        &self,
        v: &[f64],
        path_key: u64,
        ws: &mut Workspace,
    ) -> Result<(), NumericError> {
        // Without a build-out the capex arrays stay at the zeros they were created with.
        if let Some(c) = &self.capex {
            c.simulate(v, &mut ws.capex);
        }
        let mut users_rng = path_stream(path_key, self.users_salt);
        for (r, s) in ws.stream_rngs.iter_mut().zip(&self.streams) {
            *r = path_stream(path_key, s.salt);
        }
        for (r, s) in ws.shock_rngs.iter_mut().zip(&self.shocks) {
            *r = path_stream(path_key, s.salt);
        }
        revenue::simulate(
            self.subscriptions.as_ref(),
            &self.streams,
            &self.shocks,
            v,
            revenue::RevenueRandom {
                users: &mut users_rng,
                streams: &mut ws.stream_rngs,
                shocks: &mut ws.shock_rngs,
            },
            &mut ws.revenue,
        );
        financials::account(self, v, &ws.capex, &ws.revenue, &mut ws.trajectory);
        self.check_finite(&ws.trajectory)
    }

    /// Fails on the first non-finite or out-of-range metric, naming its year.
    fn check_finite(&self, t: &Trajectory) -> Result<(), NumericError> {
        let ok = |x: f64| x.abs() <= MAGNITUDE_LIMIT;
        let fine = t.values.iter().all(|&x| ok(x)) && ok(t.npv) && ok(t.funding_gap);
        if fine {
            return Ok(());
        }
        for y in 0..self.years {
            for m in Metric::ALL {
                let x = t.get(m, y);
                if !ok(x) {
                    return Err(NumericError {
                        year: self.start_year + y as i32,
                        quantity: m.name(),
                        value: x,
                    });
                }
            }
        }
        // Every year-end cash balance is in range, so a funding gap out of range comes from
        // the starting cash.
        if !ok(t.funding_gap) {
            return Err(NumericError {
                year: self.start_year,
                quantity: "funding_gap",
                value: t.funding_gap,
            });
        }
        let y = t.npv_out_of_range.unwrap_or(self.years - 1);
        Err(NumericError {
            year: self.start_year + y as i32,
            quantity: "npv",
            value: t.npv,
        })
    }
}
