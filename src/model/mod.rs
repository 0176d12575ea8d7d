//! The economics of one Monte Carlo path, year by year.
//!
//! A [`Model`] is compiled from a scenario: every input it reads is a [`ParamId`], an index
//! into the array of values drawn for the path, so the year loop does no lookups by name and
//! allocates nothing (all arrays live in a reusable [`Workspace`]). One call to
//! [`Model::simulate`] fills a [`Trajectory`]: the per-year [`Metric`]s and the path's
//! break-even year, payback year, funding gap and NPV. The engine simulates blocks of paths
//! together ([`Model::simulate_block`] into a [`Block`]): every array is lane-minor (year `y`
//! of path `l` at `y * width + l`), and one path is a block of width one, so both go through
//! the same code and give the same numbers.
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

use crate::math::normal_quantiles;
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

    /// The values a block of `width` paths drew for the input, from the block's values
    /// (input-major, lane-minor: input `j` of lane `l` at `j * width + l`).
    #[inline(always)]
    pub fn lanes(self, values: &[f64], width: usize) -> &[f64] {
        &values[self.0 * width..(self.0 + 1) * width]
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
        }
    }

    /// The metric's values for every year.
    #[inline]
    pub fn series(&self, metric: Metric) -> &[f64] {
        let i = metric as usize * self.years;
        &self.values[i..i + self.years]
    }

    /// The metric in year index `y`.
    #[inline]
    pub fn get(&self, metric: Metric, y: usize) -> f64 {
        self.values[metric as usize * self.years + y]
    }

    /// Takes the one path of `block`.
    fn take(&mut self, block: &Block) {
        self.take_lane(block, 0);
    }

    /// Takes path `l` of `block`.
    pub fn take_lane(&mut self, block: &Block, l: usize) {
        let w = block.width;
        for (x, lanes) in self.values.iter_mut().zip(block.values.chunks_exact(w)) {
            *x = lanes[l];
        }
        let lane = block.lane(l);
        self.break_even = lane.break_even();
        self.payback = lane.payback();
        self.funding_gap = lane.funding_gap();
        self.npv = lane.npv();
    }
}

/// What thresholds and events read of one path's results: a [`Trajectory`], or one lane of a
/// [`Block`].
pub trait PathResults {
    /// The metric in year index `y`.
    fn get(&self, metric: Metric, y: usize) -> f64;
    /// See [`Trajectory::break_even`].
    fn break_even(&self) -> Option<usize>;
    /// See [`Trajectory::payback`].
    fn payback(&self) -> Option<usize>;
    /// See [`Trajectory::funding_gap`].
    fn funding_gap(&self) -> Usd;
    /// See [`Trajectory::npv`].
    fn npv(&self) -> Usd;
}

impl PathResults for Trajectory {
    #[inline]
    fn get(&self, metric: Metric, y: usize) -> f64 {
        Trajectory::get(self, metric, y)
    }
    fn break_even(&self) -> Option<usize> {
        self.break_even
    }
    fn payback(&self) -> Option<usize> {
        self.payback
    }
    fn funding_gap(&self) -> Usd {
        self.funding_gap
    }
    fn npv(&self) -> Usd {
        self.npv
    }
}

/// The results of a block of paths simulated together. Every recorded series (each metric in
/// each year, metric-major, then the funding gap and the NPV) holds one value per path:
/// series `s` of lane `l` is at `s * width + l`, which is how the run summary takes them in.
#[derive(Debug, Clone)]
pub struct Block {
    width: usize,
    years: usize,
    values: Vec<f64>,
    closing: Vec<Closing>,
}

/// What a path's accounts give after its last year.
#[derive(Debug, Clone, Copy, Default)]
pub struct Closing {
    pub break_even: Option<usize>,
    pub payback: Option<usize>,
    pub funding_gap: Usd,
    pub npv: Usd,
    /// The first year index at which the running NPV left the representable range.
    pub npv_out_of_range: Option<usize>,
}

impl Block {
    /// Recorded series of a model of `years` simulated years: each metric in each year, the
    /// funding gap and the NPV.
    pub fn series_count(years: usize) -> usize {
        Metric::ALL.len() * years + 2
    }

    fn new(years: usize, width: usize) -> Block {
        Block {
            width,
            years,
            values: vec![0.0; Block::series_count(years) * width],
            closing: vec![Closing::default(); width],
        }
    }

    /// Paths per block.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Every series' values, series-major (see the type's documentation).
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The values of `metric` in year index `y`, one per path of the block.
    #[inline]
    pub fn row(&self, metric: Metric, y: usize) -> &[f64] {
        let series = metric as usize * self.years + y;
        &self.values[series * self.width..(series + 1) * self.width]
    }

    /// Path `l` of the block.
    #[inline]
    pub fn lane(&self, l: usize) -> Lane<'_> {
        Lane { block: self, l }
    }

    fn close(&mut self, l: usize, closing: Closing) {
        self.closing[l] = closing;
        let funding_gap = Metric::ALL.len() * self.years;
        self.values[funding_gap * self.width + l] = closing.funding_gap;
        self.values[(funding_gap + 1) * self.width + l] = closing.npv;
    }
}

/// One path of a [`Block`].
#[derive(Debug, Clone, Copy)]
pub struct Lane<'a> {
    block: &'a Block,
    l: usize,
}

impl PathResults for Lane<'_> {
    #[inline]
    fn get(&self, metric: Metric, y: usize) -> f64 {
        let b = self.block;
        b.values[(metric as usize * b.years + y) * b.width + self.l]
    }
    fn break_even(&self) -> Option<usize> {
        self.block.closing[self.l].break_even
    }
    fn payback(&self) -> Option<usize> {
        self.block.closing[self.l].payback
    }
    fn funding_gap(&self) -> Usd {
        self.block.closing[self.l].funding_gap
    }
    fn npv(&self) -> Usd {
        self.block.closing[self.l].npv
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

/// Everything a block of paths needs besides its inputs, allocated once and reused for every
/// block.
#[derive(Debug, Clone)]
pub struct BlockWorkspace {
    pub block: Block,
    capex: capex::CapexYears,
    revenue: revenue::RevenueYears,
    ledger: financials::Ledger,
    /// The block's hurdle rates, or zeros without a build-out.
    hurdle: Vec<f64>,
}

/// Everything one path needs besides its inputs, allocated once and reused for every path.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub trajectory: Trajectory,
    lanes: BlockWorkspace,
}

/// The yearly random numbers of a block of paths, one per process, simulated year after the
/// first (year index `y >= 1` uses entry `y - 1`) and path: a standard normal for the users'
/// volatility (when the scenario has subscriptions) and for each stream's, and a uniform in
/// [0, 1) for each competitive shock (the shock happens when it is below the shock's
/// probability).
///
/// All numbers live in one array: first the normals (users, then each stream), then the
/// uniforms (each shock), each process's numbers in year order, each year's numbers one per
/// path of the block (lane-minor). A block of one path is the common case outside the engine.
#[derive(Debug, Clone, PartialEq)]
pub struct YearlyNumbers {
    steps: usize,
    users: usize,
    streams: usize,
    shocks: usize,
    width: usize,
    numbers: Vec<f64>,
}

impl YearlyNumbers {
    /// Numbers for one path of a model: every normal 0, every uniform 1/2.
    pub fn new(model: &Model) -> YearlyNumbers {
        YearlyNumbers::block(model, 1)
    }

    /// Numbers for a block of `width` paths of a model: every normal 0, every uniform 1/2.
    pub fn block(model: &Model, width: usize) -> YearlyNumbers {
        YearlyNumbers::with_counts(
            model.years,
            model.subscriptions.is_some(),
            model.streams.len(),
            model.shocks.len(),
            width,
        )
    }

    /// Numbers for `years` simulated years of `streams` streams and `shocks` shocks, and of
    /// the users when `users`, for `width` paths.
    pub fn with_counts(
        years: usize,
        users: bool,
        streams: usize,
        shocks: usize,
        width: usize,
    ) -> YearlyNumbers {
        let steps = years.saturating_sub(1);
        let users = usize::from(users);
        let normals = (users + streams) * steps * width;
        let mut numbers = vec![0.0; normals + shocks * steps * width];
        numbers[normals..].fill(0.5);
        YearlyNumbers {
            steps,
            users,
            streams,
            shocks,
            width,
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

    /// Draws the numbers of the one path whose key is `key` from the default source (see
    /// [`YearlyNumbers::fill_block`]).
    pub fn fill(&mut self, model: &Model, key: u64) {
        self.fill_block(model, &[key]);
    }

    /// Draws the numbers of the block's paths whose keys are `keys` (one per lane) from the
    /// default source: the number of year index `y` of the process with salt `s`
    /// (`model.users_salt`, a stream's or a shock's own) is the counter-based uniform
    /// `uniform(key, s, y)` ([`crate::rng::uniform`]), through
    /// [`crate::math::normal_quantile`] for the normals.
    pub fn fill_block(&mut self, model: &Model, keys: &[u64]) {
        // Compiled a second time for AVX2, as `Model::simulate_block` is: the same bits.
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2.
            return unsafe { self.fill_block_avx2(model, keys) };
        }
        self.fill_block_inline(model, keys)
    }

    /// [`YearlyNumbers::fill_block`] compiled for AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn fill_block_avx2(&mut self, model: &Model, keys: &[u64]) {
        self.fill_block_inline(model, keys)
    }

    /// [`YearlyNumbers::fill_block`]'s body, inlined into each of its two compilations.
    #[inline(always)]
    fn fill_block_inline(&mut self, model: &Model, keys: &[u64]) {
        let (steps, w) = (self.steps, self.width);
        assert_eq!(keys.len(), w, "one key per path of the block");
        // One process's numbers, step by step: its uniforms, through a buffer from which the
        // normals are computed together (see `math::normal_quantiles`).
        #[inline(always)]
        fn fill(numbers: &mut [f64], keys: &[u64], salt: u64, normal: bool) {
            const PIECE: usize = 128;
            let salt = salted(salt);
            let mut buffer = [0.0; PIECE];
            for (i, step) in numbers.chunks_exact_mut(keys.len()).enumerate() {
                for (piece, keys) in step.chunks_mut(PIECE).zip(keys.chunks(PIECE)) {
                    let uniforms = &mut buffer[..piece.len()];
                    for (u, &key) in uniforms.iter_mut().zip(keys) {
                        *u = uniform_salted(key, salt, i as u64 + 1);
                    }
                    if normal {
                        normal_quantiles(uniforms, piece);
                    } else {
                        piece.copy_from_slice(uniforms);
                    }
                }
            }
        }
        let size = steps * w;
        if self.users == 1 {
            fill(&mut self.numbers[..size], keys, model.users_salt, true);
        }
        for (k, stream) in model.streams.iter().enumerate() {
            let start = (self.users + k) * size;
            fill(
                &mut self.numbers[start..start + size],
                keys,
                stream.salt,
                true,
            );
        }
        for (k, shock) in model.shocks.iter().enumerate() {
            let start = (self.users + self.streams + k) * size;
            fill(
                &mut self.numbers[start..start + size],
                keys,
                shock.salt,
                false,
            );
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
        (self.users + self.streams) * self.steps * self.width
    }

    /// The range of process `p`'s numbers (users first, then streams, then shocks).
    fn process(&self, p: usize) -> std::ops::Range<usize> {
        let size = self.steps * self.width;
        p * size..(p + 1) * size
    }

    /// The users' normals of one path, one per year after the first (empty without
    /// subscriptions).
    pub fn users(&self) -> &[f64] {
        debug_assert_eq!(self.width, 1);
        &self.numbers[..self.users * self.steps]
    }

    /// Stream `k`'s normals of one path.
    pub fn stream(&self, k: usize) -> &[f64] {
        debug_assert_eq!(self.width, 1);
        &self.numbers[self.process(self.users + k)]
    }

    /// Shock `k`'s uniforms of one path.
    pub fn shock(&self, k: usize) -> &[f64] {
        debug_assert_eq!(self.width, 1);
        &self.numbers[self.process(self.users + self.streams + k)]
    }

    /// The step's number of process `p` for every path of the block.
    #[inline(always)]
    fn lanes(&self, p: usize, step: usize) -> &[f64] {
        let start = (p * self.steps + step) * self.width;
        &self.numbers[start..start + self.width]
    }

    /// The users' normals of the block's paths at `step` (year index `step + 1`).
    #[inline]
    pub fn users_lanes(&self, step: usize) -> &[f64] {
        self.lanes(0, step)
    }

    /// Stream `k`'s normals of the block's paths at `step`.
    #[inline]
    pub fn stream_lanes(&self, k: usize, step: usize) -> &[f64] {
        self.lanes(self.users + k, step)
    }

    /// Shock `k`'s uniforms of the block's paths at `step`.
    #[inline]
    pub fn shock_lanes(&self, k: usize, step: usize) -> &[f64] {
        self.lanes(self.users + self.streams + k, step)
    }

    /// Copies the numbers of path `l` of the block into `one`, numbers of one path of the
    /// same model.
    pub fn copy_path(&self, l: usize, one: &mut YearlyNumbers) {
        debug_assert_eq!(one.numbers.len() * self.width, self.numbers.len());
        let lanes = self.numbers.chunks_exact(self.width);
        for (x, lanes) in one.numbers.iter_mut().zip(lanes) {
            *x = lanes[l];
        }
    }

    /// Mutable access to one path's numbers of one process: the users (`None`) or the stream
    /// `Some(k)`.
    pub fn normals_mut(&mut self, stream: Option<usize>) -> &mut [f64] {
        debug_assert_eq!(self.width, 1);
        let p = match stream {
            None => 0,
            Some(k) => self.users + k,
        };
        let range = self.process(p);
        &mut self.numbers[range]
    }

    /// Mutable access to one path's shock `k`'s uniforms.
    pub fn shock_mut(&mut self, k: usize) -> &mut [f64] {
        debug_assert_eq!(self.width, 1);
        let range = self.process(self.users + self.streams + k);
        &mut self.numbers[range]
    }
}

impl Model {
    /// A workspace for one path of this model.
    pub fn workspace(&self) -> Workspace {
        Workspace {
            trajectory: Trajectory::new(self.years),
            lanes: self.block_workspace(1),
        }
    }

    /// A workspace for blocks of `width` paths of this model.
    pub fn block_workspace(&self, width: usize) -> BlockWorkspace {
        BlockWorkspace {
            block: Block::new(self.years, width),
            capex: capex::CapexYears::new(self.years, width),
            revenue: revenue::RevenueYears::new(self.years, self.streams.len(), width),
            ledger: financials::Ledger::new(width),
            hurdle: vec![0.0; width],
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
        let result = self.simulate_block(v, yearly, &mut ws.lanes);
        ws.trajectory.take(&ws.lanes.block);
        result.map_err(|(_, e)| e)
    }

    /// Starts a path with input values `v`: its capex schedule for every year (spending does
    /// not depend on what happens later) and its opening accounts. Then [`Model::step`] each
    /// year in order, then [`Model::finish`]; [`Model::simulate`] does all three.
    pub fn begin(&self, v: &[f64], ws: &mut Workspace) {
        self.begin_block(v, &mut ws.lanes);
    }

    /// Simulates year index `y` of the path: its revenue and its accounts, into
    /// `ws.trajectory` (every metric of year `y` is set when it returns).
    pub fn step(&self, v: &[f64], yearly: &YearlyNumbers, y: usize, ws: &mut Workspace) {
        self.step_block(v, yearly, y, &mut ws.lanes);
        for m in Metric::ALL {
            let i = m as usize * self.years + y;
            ws.trajectory.values[i] = ws.lanes.block.values[i];
        }
    }

    /// Closes the path after its last year: break-even and payback years, funding gap, NPV,
    /// and the check that every number is in range.
    pub fn finish(&self, ws: &mut Workspace) -> Result<(), NumericError> {
        let result = self.finish_block(&mut ws.lanes);
        ws.trajectory.take(&ws.lanes.block);
        result.map_err(|(_, e)| e)
    }

    /// Simulates a block of paths from their input values `v` (input-major, lane-minor: input
    /// `j` of path `l` at `j * width + l`) and yearly random numbers, into `ws.block`: each
    /// path exactly as [`Model::simulate`] would alone. A failure names the first path (lane)
    /// that left the representable range.
    pub fn simulate_block(
        &self,
        v: &[f64],
        yearly: &YearlyNumbers,
        ws: &mut BlockWorkspace,
    ) -> Result<(), (usize, NumericError)> {
        // The same code compiled for AVX2 where the processor has it: the lane loops run four
        // lanes at a time instead of two, with the same operations in the same order, so the
        // same bits (Rust never fuses a multiply and an add).
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2.
            return unsafe { self.simulate_block_avx2(v, yearly, ws) };
        }
        self.simulate_block_inline(v, yearly, ws)
    }

    /// [`Model::simulate_block`] compiled for AVX2: everything it calls in the year loop is
    /// `#[inline(always)]`, so that it is compiled here again, for AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn simulate_block_avx2(
        &self,
        v: &[f64],
        yearly: &YearlyNumbers,
        ws: &mut BlockWorkspace,
    ) -> Result<(), (usize, NumericError)> {
        self.simulate_block_inline(v, yearly, ws)
    }

    /// [`Model::simulate_block`]'s body, inlined into each of its two compilations.
    #[inline(always)]
    fn simulate_block_inline(
        &self,
        v: &[f64],
        yearly: &YearlyNumbers,
        ws: &mut BlockWorkspace,
    ) -> Result<(), (usize, NumericError)> {
        self.begin_block(v, ws);
        for y in 0..self.years {
            self.step_block(v, yearly, y, ws);
        }
        self.finish_block(ws)
    }

    /// [`Model::begin`] for a block of paths.
    #[inline(always)]
    pub fn begin_block(&self, v: &[f64], ws: &mut BlockWorkspace) {
        let w = ws.block.width;
        // Without a build-out the capex arrays stay at the zeros they were created with.
        if let Some(c) = &self.capex {
            ws.hurdle
                .copy_from_slice(self.finance.hurdle_rate.lanes(v, w));
            c.simulate(v, &ws.hurdle, &mut ws.capex);
        }
        revenue::begin(self.subscriptions.as_ref(), v, &mut ws.revenue);
        ws.ledger.open(self, v);
    }

    /// The block's revenue lines of year index `y` (after years `0..y`).
    #[inline(always)]
    fn revenue_year_block(
        &self,
        v: &[f64],
        yearly: &YearlyNumbers,
        y: usize,
        ws: &mut BlockWorkspace,
    ) {
        revenue::year(
            self.subscriptions.as_ref(),
            &self.streams,
            &self.shocks,
            v,
            yearly,
            y,
            &mut ws.revenue,
        );
    }

    /// [`Model::step`] for a block of paths.
    #[inline(always)]
    fn step_block(&self, v: &[f64], yearly: &YearlyNumbers, y: usize, ws: &mut BlockWorkspace) {
        self.revenue_year_block(v, yearly, y, ws);
        ws.ledger.year(
            self,
            v,
            &ws.capex,
            &ws.revenue,
            None,
            y,
            &mut ws.block.values,
        );
    }

    /// A network entity's year index `y`, before its flows with the other entities: its
    /// revenue from its own streams and subscriptions, and into `own` the year's revenue,
    /// capex, own capex and free cash flow without flows, each as [`Model::simulate_block`]
    /// gives them, and its margin (see [`financials::Ledger::own_year`]). A network entity's block is
    /// [`Model::begin_block`], then for each year in order this, its flows of the year, and
    /// [`Model::account_year_block`], then [`Model::finish_block`].
    #[inline(always)]
    pub fn own_year_block(
        &self,
        v: &[f64],
        yearly: &YearlyNumbers,
        y: usize,
        ws: &mut BlockWorkspace,
        own: [&mut [f64]; 5],
    ) {
        self.revenue_year_block(v, yearly, y, ws);
        ws.ledger.own_year(self, v, &ws.capex, &ws.revenue, y, own);
    }

    /// Books year index `y` of a network entity's block (after [`Model::own_year_block`] of
    /// the year) with its flows with the others, `adjustments` (of the same width; rows up to
    /// `y` complete): its build-out and end-customer revenue are its own, the flows add to its
    /// lines.
    #[inline(always)]
    pub fn account_year_block(
        &self,
        v: &[f64],
        adjustments: &Adjustments,
        y: usize,
        ws: &mut BlockWorkspace,
    ) {
        ws.ledger.year(
            self,
            v,
            &ws.capex,
            &ws.revenue,
            Some(adjustments),
            y,
            &mut ws.block.values,
        );
    }

    /// [`Model::finish`] for a block of paths: closes its paths after their last year: break-even and payback years, funding
    /// gap, NPV, and the check that every number is in range.
    #[inline(always)]
    pub fn finish_block(&self, ws: &mut BlockWorkspace) -> Result<(), (usize, NumericError)> {
        ws.ledger.close(self, &mut ws.block);
        self.check_finite(&ws.block)
    }

    /// Fails on the first path with a non-finite or out-of-range number, naming its year.
    /// The test of every value is inlined into the year loop's compilations; finding the
    /// path at fault is not.
    #[inline(always)]
    fn check_finite(&self, block: &Block) -> Result<(), (usize, NumericError)> {
        let fine = block
            .values
            .iter()
            .fold(true, |all, &x| all & (x.abs() <= MAGNITUDE_LIMIT));
        if fine {
            return Ok(());
        }
        self.first_out_of_range(block)
    }

    /// The first path of `block` with a number out of range, and that number.
    #[inline(never)]
    fn first_out_of_range(&self, block: &Block) -> Result<(), (usize, NumericError)> {
        let ok = |x: f64| x.abs() <= MAGNITUDE_LIMIT;
        let w = block.width;
        let failing = (0..w)
            .find(|&l| block.values.iter().skip(l).step_by(w).any(|&x| !ok(x)))
            .expect("a value out of range is in some path");
        let path = block.lane(failing);
        for y in 0..self.years {
            for m in Metric::ALL {
                let x = path.get(m, y);
                if !ok(x) {
                    return Err((
                        failing,
                        NumericError {
                            year: self.start_year + y as i32,
                            quantity: m.name(),
                            value: x,
                        },
                    ));
                }
            }
        }
        // Every year-end cash balance is in range, so a funding gap out of range comes from
        // the starting cash.
        let closing = block.closing[failing];
        if !ok(closing.funding_gap) {
            return Err((
                failing,
                NumericError {
                    year: self.start_year,
                    quantity: "funding_gap",
                    value: closing.funding_gap,
                },
            ));
        }
        let y = closing.npv_out_of_range.unwrap_or(self.years - 1);
        Err((
            failing,
            NumericError {
                year: self.start_year + y as i32,
                quantity: "npv",
                value: closing.npv,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A block's year loop gives the same bits compiled for AVX2 (where the processor has it,
    /// as `simulate_block` runs it) and for plain x86-64 (its body called from here): 128
    /// `openai.toml` paths through both.
    /// `openai.toml`, and the inputs (their draw index `index`) and yearly numbers of a
    /// block of `w` paths of it.
    fn openai_block(w: usize, index: u64) -> (crate::scenario::Scenario, Vec<f64>, YearlyNumbers) {
        let text = include_str!("../../scenarios/openai.toml");
        let scenario = crate::scenario::parse(text, "openai.toml", &[]).unwrap();
        let mut v = vec![0.0; scenario.inputs.len() * w];
        for (j, input) in scenario.inputs.iter().enumerate() {
            for l in 0..w {
                let u = crate::rng::uniform(l as u64, j as u64, index);
                v[j * w + l] = input.dist.quantile(u);
            }
        }
        let keys: Vec<u64> = (0..w as u64).map(crate::rng::mix64).collect();
        let mut yearly = YearlyNumbers::block(&scenario.model, w);
        yearly.fill_block(&scenario.model, &keys);
        (scenario, v, yearly)
    }

    #[test]
    fn both_compilations_of_a_block_give_the_same_bits() {
        let w = 128;
        let (scenario, v, yearly) = openai_block(w, 0);
        let model = &scenario.model;
        let (mut dispatched, mut plain) = (model.block_workspace(w), model.block_workspace(w));
        model.simulate_block(&v, &yearly, &mut dispatched).unwrap();
        model
            .simulate_block_inline(&v, &yearly, &mut plain)
            .unwrap();
        let bits = |ws: &BlockWorkspace| -> Vec<u64> {
            ws.block.values.iter().map(|x| x.to_bits()).collect()
        };
        assert_eq!(bits(&dispatched), bits(&plain));
        let closings = |ws: &BlockWorkspace| -> Vec<(Option<usize>, Option<usize>, u64)> {
            ws.block
                .closing
                .iter()
                .map(|c| (c.break_even, c.payback, c.npv.to_bits()))
                .collect()
        };
        assert_eq!(closings(&dispatched), closings(&plain));
    }

    /// A block's count of the paths that meet a threshold is the count of its lanes that do,
    /// for every kind of test `openai.toml` has (one year's metric against a value and
    /// against a multiple of another metric, a metric by a year, path quantities).
    #[test]
    fn a_blocks_threshold_counts_are_its_lanes() {
        let w = 128;
        let (scenario, v, yearly) = openai_block(w, 7);
        let model = &scenario.model;
        let mut ws = model.block_workspace(w);
        model.simulate_block(&v, &yearly, &mut ws).unwrap();
        let start = scenario.start_year;
        let mut some_met = false;
        for t in &scenario.thresholds {
            let lanes = (0..w)
                .filter(|&l| t.is_met(&ws.block.lane(l), start))
                .count();
            assert_eq!(t.met_in_block(&ws.block, start), lanes as u64, "{}", t.name);
            some_met |= lanes > 0 && lanes < w;
        }
        assert!(some_met, "a threshold that some paths meet and some do not");
    }

    /// The same for the yearly numbers' draws: 128 paths of `openai.toml`'s users, streams
    /// and shocks through both compilations of `fill_block`.
    #[test]
    fn both_compilations_of_the_yearly_numbers_give_the_same_bits() {
        let text = include_str!("../../scenarios/openai.toml");
        let scenario = crate::scenario::parse(text, "openai.toml", &[]).unwrap();
        let model = &scenario.model;
        let keys: Vec<u64> = (0..128).map(crate::rng::mix64).collect();
        let (mut dispatched, mut plain) = (
            YearlyNumbers::block(model, keys.len()),
            YearlyNumbers::block(model, keys.len()),
        );
        dispatched.fill_block(model, &keys);
        plain.fill_block_inline(model, &keys);
        let bits =
            |n: &YearlyNumbers| -> Vec<u64> { n.as_slice().iter().map(|x| x.to_bits()).collect() };
        assert!(dispatched.normals() > 0);
        assert_eq!(bits(&dispatched), bits(&plain));
    }
}
