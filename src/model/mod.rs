//! The economics of one Monte Carlo path, year by year.
//!
//! A [`Model`] is compiled from a scenario: every input it reads is a [`ParamId`], an index
//! into the array of values drawn for the path, so the year loop does no lookups by name and
//! allocates nothing (all arrays live in a reusable [`Workspace`]). One call to
//! [`Model::simulate`] fills a [`Trajectory`]: the per-year [`Metric`]s and the path's
//! break-even year, payback year, funding gap and NPV.
//!
//! The model owns no random streams: a path's yearly random numbers (the user and stream
//! volatility normals, the shocks' uniforms) come in as [`YearlyNumbers`], filled by the
//! default source ([`YearlyNumbers::fill`]) or by any other (a rare-event method's Markov
//! chain, say), so that the same inputs and numbers always give the same trajectory.

pub mod capex;
pub mod costs;
pub mod financials;
pub mod hurdle;
pub mod revenue;

use crate::math::normal_quantile;
use crate::rng::{salted, uniform_salted};

pub use capex::{Capex, Profile};
pub use costs::{Commitment, Costs};
pub use financials::{Adjustments, Finance};
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
    RequiredRevenueForReturn,
}

pub use crate::unit::Unit;

impl Metric {
    /// Every per-year metric, in report order.
    pub const ALL: [Metric; 16] = [
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
        Metric::RequiredRevenueForReturn,
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
            Metric::RequiredRevenueForReturn => "required_revenue_for_return",
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
            Metric::RequiredRevenueForReturn => {
                "revenue that would earn the hurdle rate on own capital (annuity, not depreciation)"
            }
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
    ledger: financials::Ledger,
}

/// The yearly random numbers of one path, one per process and simulated year after the first
/// (year index `y >= 1` uses entry `y - 1`): a standard normal for the users' volatility (when
/// the scenario has subscriptions) and for each stream's, and a uniform in [0, 1) for each
/// competitive shock (the shock happens when it is below the shock's probability).
///
/// All numbers live in one array: first the normals (users, then each stream), then the
/// uniforms (each shock), each process's numbers in year order.
#[derive(Debug, Clone, PartialEq)]
pub struct YearlyNumbers {
    steps: usize,
    users: usize,
    streams: usize,
    shocks: usize,
    numbers: Vec<f64>,
}

impl YearlyNumbers {
    /// Numbers for a model: every normal 0, every uniform 1/2.
    pub fn new(model: &Model) -> YearlyNumbers {
        YearlyNumbers::with_counts(
            model.years,
            model.subscriptions.is_some(),
            model.streams.len(),
            model.shocks.len(),
        )
    }

    /// Numbers for `years` simulated years of `streams` streams and `shocks` shocks, and of
    /// the users when `users`.
    pub fn with_counts(years: usize, users: bool, streams: usize, shocks: usize) -> YearlyNumbers {
        let steps = years.saturating_sub(1);
        let users = usize::from(users);
        let normals = (users + streams) * steps;
        let mut numbers = vec![0.0; normals + shocks * steps];
        numbers[normals..].fill(0.5);
        YearlyNumbers {
            steps,
            users,
            streams,
            shocks,
            numbers,
        }
    }

    /// The numbers of a path drawn by the default source: each process's from its own
    /// counter-based uniforms of the path's key (see [`YearlyNumbers::fill`]).
    pub fn for_path(model: &Model, key: u64) -> YearlyNumbers {
        let mut numbers = YearlyNumbers::new(model);
        numbers.fill(model, key);
        numbers
    }

    /// Draws the numbers of the path whose key is `key` from the default source: the number
    /// of year index `y` of the process with salt `s` (`model.users_salt`, a stream's or a
    /// shock's own) is the counter-based uniform `uniform(key, s, y)`
    /// ([`crate::rng::uniform`]), through [`crate::math::normal_quantile`] for the normals.
    pub fn fill(&mut self, model: &Model, key: u64) {
        let steps = self.steps;
        let fill = |numbers: &mut [f64], salt: u64, normal: bool| {
            let salt = salted(salt);
            for (i, x) in numbers.iter_mut().enumerate() {
                let u = uniform_salted(key, salt, i as u64 + 1);
                *x = if normal { normal_quantile(u) } else { u };
            }
        };
        if self.users == 1 {
            fill(&mut self.numbers[..steps], model.users_salt, true);
        }
        for (k, stream) in model.streams.iter().enumerate() {
            let start = (self.users + k) * steps;
            fill(&mut self.numbers[start..start + steps], stream.salt, true);
        }
        for (k, shock) in model.shocks.iter().enumerate() {
            let start = (self.users + self.streams + k) * steps;
            fill(&mut self.numbers[start..start + steps], shock.salt, false);
        }
    }

    /// Simulated years after the first: how many numbers each process has.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// Every number, normals first (see the type's documentation).
    pub fn as_slice(&self) -> &[f64] {
        &self.numbers
    }

    /// Every number, to fill from another source.
    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        &mut self.numbers
    }

    /// How many of the numbers are standard normals (the rest are uniforms).
    pub fn normals(&self) -> usize {
        (self.users + self.streams) * self.steps
    }

    /// The users' normals, one per year after the first (empty without subscriptions).
    pub fn users(&self) -> &[f64] {
        &self.numbers[..self.users * self.steps]
    }

    /// Stream `k`'s normals.
    pub fn stream(&self, k: usize) -> &[f64] {
        let start = (self.users + k) * self.steps;
        &self.numbers[start..start + self.steps]
    }

    /// Shock `k`'s uniforms.
    pub fn shock(&self, k: usize) -> &[f64] {
        let start = (self.users + self.streams + k) * self.steps;
        &self.numbers[start..start + self.steps]
    }

    /// Mutable access to one process's numbers: the users (`None`) or the stream `Some(k)`.
    pub fn normals_mut(&mut self, stream: Option<usize>) -> &mut [f64] {
        let start = match stream {
            None => 0,
            Some(k) => (self.users + k) * self.steps,
        };
        &mut self.numbers[start..start + self.steps]
    }

    /// Mutable access to shock `k`'s uniforms.
    pub fn shock_mut(&mut self, k: usize) -> &mut [f64] {
        let start = (self.users + self.streams + k) * self.steps;
        &mut self.numbers[start..start + self.steps]
    }
}

impl Model {
    /// A workspace sized for this model.
    pub fn workspace(&self) -> Workspace {
        Workspace {
            trajectory: Trajectory::new(self.years),
            capex: capex::CapexYears::new(self.years),
            revenue: revenue::RevenueYears::new(self.years, self.streams.len()),
            ledger: financials::Ledger::default(),
        }
    }

    /// Simulates one path from its input values `v` and its yearly random numbers, into
    /// `ws.trajectory`. The same values and numbers always give the same trajectory.
    pub fn simulate(
        &self,
        v: &[f64],
        yearly: &YearlyNumbers,
        ws: &mut Workspace,
    ) -> Result<(), NumericError> {
        self.begin(v, ws);
        for y in 0..self.years {
            self.step(v, yearly, y, ws);
        }
        self.finish(ws)
    }

    /// Starts a path with input values `v`: its capex schedule for every year (spending does
    /// not depend on what happens later) and its opening accounts. Then [`Model::step`] each
    /// year in order, then [`Model::finish`]; [`Model::simulate`] does all three.
    pub fn begin(&self, v: &[f64], ws: &mut Workspace) {
        // Without a build-out the capex arrays stay at the zeros they were created with.
        if let Some(c) = &self.capex {
            c.simulate(v, self.finance.hurdle_rate.get(v), &mut ws.capex);
        }
        revenue::begin(self.subscriptions.as_ref(), v, &mut ws.revenue);
        ws.ledger = financials::Ledger::open(self, v, &mut ws.trajectory);
    }

    /// Simulates year index `y` of the path: its revenue and its accounts, into
    /// `ws.trajectory` (every metric of year `y` is set when it returns).
    pub fn step(&self, v: &[f64], yearly: &YearlyNumbers, y: usize, ws: &mut Workspace) {
        revenue::year(
            self.subscriptions.as_ref(),
            &self.streams,
            &self.shocks,
            v,
            yearly,
            y,
            &mut ws.revenue,
        );
        ws.ledger
            .year(self, v, &ws.capex, &ws.revenue, None, y, &mut ws.trajectory);
    }

    /// Redoes the accounts of the path last simulated in `ws` (same inputs `v`) with a network
    /// entity's adjustments: its build-out and end-customer revenue stay (they do not depend
    /// on other entities), its flows with them are added.
    pub fn reaccount(
        &self,
        v: &[f64],
        adjustments: &Adjustments,
        ws: &mut Workspace,
    ) -> Result<(), NumericError> {
        ws.ledger = financials::Ledger::open(self, v, &mut ws.trajectory);
        for y in 0..self.years {
            ws.ledger.year(
                self,
                v,
                &ws.capex,
                &ws.revenue,
                Some(adjustments),
                y,
                &mut ws.trajectory,
            );
        }
        self.finish(ws)
    }

    /// Closes the path after its last year: break-even and payback years, funding gap, NPV,
    /// and the check that every number is in range.
    pub fn finish(&self, ws: &mut Workspace) -> Result<(), NumericError> {
        ws.ledger.close(self, &mut ws.trajectory);
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
