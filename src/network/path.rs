//! One block of paths of a network, year by year.
//!
//! Each entity's build-out is simulated first, for the whole block, as a single firm's
//! ([`crate::model::Model::begin_block`]): it does not depend on the others. Then, for each
//! year, every entity's own numbers of the year (its end-customer revenue, capex and free cash
//! flow before any flow: [`crate::model::Model::own_year_block`]), then for each path of the
//! block:
//!
//! 1. every flow's contracted amount is computed in dependency order (see
//!    [`super::order`]), each share reading its metric with the flows that feed it included;
//!    loans add their service (interest on what is outstanding, principal after the term);
//! 2. the obligations are cleared ([`super::clearing`]): an entity's resources are its cash,
//!    its own free cash flow of the year, and its unused financing capacity; what it
//!    receives from others counts in full, except purchases, which count net of the payee's
//!    cost of revenue and SG&A;
//! 3. each flow is paid at its payer's cleared share and booked (see the module `network`);
//! 4. an entity whose cash would fall below zero draws outside equity, then debt, then the
//!    backstop, up to its capacities. One that cannot pay all it owes, or whose cash stays
//!    below zero with its capacities used, **defaults** that year.
//!
//! After a default the entity's contracts **stop**: from the next year no flow to or from it
//! is due (a bankrupt firm's contracts are terminated, and no one invests in or sells to
//! it), and it draws no more financing. Its own accounts run on, so its metrics stay defined.
//! The amounts its counterparties would have received from it are counted as revenue lost.
//!
//! Drawn outside debt pays `debt_rate` a year from the year after the draw and is not repaid
//! within the horizon; drawn equity and backstop cost nothing. Last in each year, each
//! entity's accounts of the year are booked with its flows, for the whole block
//! ([`crate::model::Model::account_year_block`]): one pass of the ledger, as for a single
//! firm. Its cash there excludes outside draws, so its funding gap is the need before
//! capacities, as for a single firm. A path fails at the first entity whose accounts leave
//! the representable range.
//!
//! A [`NetworkBlock`] holds every array lane-minor, as the model's blocks do (year `y` of
//! path `l` at `y * width + l`), and each step runs over the block's paths in turn, each
//! path's arithmetic in the same order as if it were alone: one path is a block of width one,
//! and gives the same numbers. [`NetworkLane`] reads one path of a block.

use crate::model::hurdle::charge_per_depreciation;
use crate::model::{
    Adjustments, BlockWorkspace, Lane, NumericError, ParamId, Trajectory, YearlyNumbers,
};

use super::clearing::{BlockClearing, Pairs};
use super::schedule::{depreciate, loan_service, released, schedule_weight, scheduled};
use super::summary::circularity;
use super::{Amount, Booking, FlowBase, FlowKind, Network, NetworkMetric};

/// Relative shortfall below which a payment counts as made in full.
const PAID_IN_FULL: f64 = 1e-9;

/// One entity on a block of paths. Every yearly array is lane-minor; per-path numbers hold
/// one value per path. `margins`, `capex`, `own_capex`, `own_free_cash_flow`,
/// `outside_interest`, `purchases_paid` and `drawn_in`, which only their own year reads, keep
/// every year for a block of one path and only the current year for a wider block (so that
/// a block's rows stay in cache).
#[derive(Debug, Clone)]
pub struct EntityPaths {
    /// The block's yearly random numbers (users, streams, shocks), from the entity's streams.
    yearly: YearlyNumbers,
    /// Its accounts, own tables first, then with the flows.
    workspace: BlockWorkspace,
    /// Its accounts with the flows, after a block of one path.
    trajectory: Trajectory,
    /// Its flows with the others, as they enter its accounts.
    pub adjustments: Adjustments,
    /// The share of each year's revenue left after cost of revenue and SG&A.
    pub margins: Vec<f64>,
    /// Revenue from its own streams and subscriptions.
    pub end_customer_revenue: Vec<f64>,
    capex: Vec<f64>,
    own_capex: Vec<f64>,
    /// Free cash flow of its own tables alone, before any flow.
    pub own_free_cash_flow: Vec<f64>,
    /// Interest on drawn outside debt, each year.
    pub outside_interest: Vec<f64>,
    /// Cash at each year end, outside funding drawn included.
    pub cash: Vec<f64>,
    /// Purchases paid to other entities each year (opex and capex).
    pub purchases_paid: Vec<f64>,
    /// Outside funding drawn each year.
    pub drawn_in: Vec<f64>,
    /// Per path: outside funding drawn over the horizon, of equity, debt and backstop (kind
    /// `k` of path `l` at `k * width + l`), and in all.
    pub drawn: Vec<f64>,
    pub funding_drawn: Vec<f64>,
    /// Per path: outside debt drawn so far.
    outside_debt: Vec<f64>,
    /// Per path: the year index in which it defaulted.
    pub default_year: Vec<Option<usize>>,
    /// The same as a number, infinite while it has not, for loops over the lanes.
    defaulted: Vec<f64>,
    /// Per path: whether it would have defaulted that year even if every other entity had
    /// paid it in full: its default starts a cascade rather than continuing one.
    pub default_unaided: Vec<bool>,
    /// Per path: revenue its counterparties' defaults cost it, purchases contracted but not
    /// paid.
    pub revenue_lost: Vec<f64>,
}

impl EntityPaths {
    /// The entity's accounts with its flows, after [`Network::simulate`] of one path.
    pub fn trajectory(&self) -> &Trajectory {
        &self.trajectory
    }
}

/// A block of network paths: their state and results, allocated once and reused.
#[derive(Debug, Clone)]
pub struct NetworkBlock {
    width: usize,
    years: usize,
    /// Years kept of the arrays that only their own year reads (`margins`, `capex`,
    /// `own_capex`, `own_free_cash_flow`, `outside_interest`, `purchases_paid`, `drawn_in`
    /// of each entity, `due` and `paid` of each flow): every year for one path, one row,
    /// reused year after year, for a block of paths (see [`NetworkBlock::kept_row`]).
    kept: usize,
    /// Per entity, in network order.
    pub entities: Vec<EntityPaths>,
    clearing: BlockClearing,
    /// The pairs of entities that owe each other (see [`Pairs`]); what the payer of pair `p`
    /// owes its payee this year (row `p`), and the part of it the payee can use (see
    /// [`super::clearing::Clearing::clear`]).
    pairs: Pairs,
    obligations: Vec<f64>,
    usable: Vec<f64>,
    /// Per flow: its pair, whether it is the first flow of its pair (in flow order), and a
    /// loan's pair of service (the borrower owes the lender), with the same.
    flow_pair: Vec<(usize, bool)>,
    service_pair: Vec<Option<(usize, bool)>>,
    /// Per entity: whether it pays capex purchases not carved from its own capex, which it
    /// depreciates.
    depreciates: Vec<bool>,
    /// Per row of `bases`: whether a flow reads it.
    base_read: Vec<bool>,
    /// Per entity: its own resources, and its cleared payments.
    resources: Vec<f64>,
    payments: Vec<f64>,
    /// Per entity: what it owes this year in all, and the share of it it pays.
    owed_in_all: Vec<f64>,
    /// Per path: whether the entity at hand may draw or default this year (see
    /// [`mark_short`]).
    flags: Vec<u8>,
    share_paid: Vec<f64>,
    /// One row: what an entity's capex purchases carved from its own capex owe this year.
    carved_owed: Vec<f64>,
    /// Two rows: end-customer and internal revenue of the network in a year.
    network_scratch: Vec<f64>,
    /// Per entity: its capex purchases carved from its own capex, as flow indices.
    carved: Vec<Vec<usize>>,
    /// Per flow: whether it carries nothing on any path this year (it is outside its
    /// schedule).
    idle: Vec<bool>,
    /// Per flow on a schedule: its length in years when it is the same on every path.
    schedule_years: Vec<Option<f64>>,
    /// Per flow: what is due this year (zero once stopped), and what would have been.
    owed: Vec<f64>,
    contracted: Vec<f64>,
    /// Per flow: a loan's interest and principal due this year.
    interest: Vec<f64>,
    principal: Vec<f64>,
    /// Per flow and year: a loan's disbursements.
    lent: Vec<Vec<f64>>,
    /// Per flow: a tranche's cumulative metric and what it has released.
    progress: Vec<f64>,
    released: Vec<f64>,
    /// Per flow and year: what was due (zero once stopped) and what was paid (for a loan:
    /// what was lent); for a block of paths, of the current year only (see `kept`).
    pub due: Vec<Vec<f64>>,
    pub paid: Vec<Vec<f64>>,
    /// Purchases paid by entity `i` to entity `j` over the horizon, row `i * n + j`.
    pub purchases: Vec<f64>,
    /// The year's metric values a flow can read: row `4 * entity + k`, `k` in
    /// [`FlowBase::ALL`] order.
    bases: Vec<f64>,
    /// Each network metric in each year: row `m * years + y`.
    network: Vec<f64>,
    /// Per flow: what it paid over the horizon (for a loan: what it lent).
    flow_paid: Vec<f64>,
    /// Per flow: the payer's revenue from the receiver over the horizon, at most what the
    /// flow paid (for an equity flow, the part of the investment that came back).
    returned: Vec<f64>,
}

/// One path of a [`NetworkBlock`], as events, thresholds and the run summary read it.
#[derive(Debug, Clone, Copy)]
pub struct NetworkLane<'a> {
    block: &'a NetworkBlock,
    l: usize,
}

impl<'a> NetworkLane<'a> {
    /// Entity `e`'s accounts with its flows.
    pub fn entity(self, e: usize) -> Lane<'a> {
        self.block.entities[e].workspace.block.lane(self.l)
    }

    /// The year index in which entity `e` defaulted.
    pub fn default_year(self, e: usize) -> Option<usize> {
        self.block.entities[e].default_year[self.l]
    }

    /// A network metric in year index `y`.
    pub fn network(self, m: NetworkMetric, y: usize) -> f64 {
        let b = self.block;
        b.network[(m as usize * b.years + y) * b.width + self.l]
    }
}

impl NetworkBlock {
    /// The row of year index `y` in the arrays that keep [`NetworkBlock::kept`] years.
    #[inline(always)]
    fn kept_row(&self, y: usize) -> usize {
        if self.kept == 1 { 0 } else { y }
    }

    /// Paths in the block.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Path `l` of the block.
    pub fn lane(&self, l: usize) -> NetworkLane<'_> {
        NetworkLane { block: self, l }
    }

    /// Entity `e`'s yearly random numbers, to fill from another source before
    /// [`Network::simulate_numbers`].
    pub fn yearly_mut(&mut self, e: usize) -> &mut YearlyNumbers {
        &mut self.entities[e].yearly
    }

    /// Entity `e`'s accounts with its flows, every series lane-minor (see
    /// [`crate::model::Block`]).
    pub(super) fn results(&self, e: usize) -> &crate::model::Block {
        &self.entities[e].workspace.block
    }

    /// Row `i` of the network metrics (see the field).
    pub(super) fn network_row(&self, i: usize) -> &[f64] {
        row(&self.network, i, self.width)
    }

    /// Row `f` of what the flows paid.
    pub(super) fn flow_paid_row(&self, f: usize) -> &[f64] {
        row(&self.flow_paid, f, self.width)
    }

    /// Row `f` of what came back to the flows' payers.
    pub(super) fn returned_row(&self, f: usize) -> &[f64] {
        row(&self.returned, f, self.width)
    }
}

/// An entity's financing inputs and starting cash, for a block's paths.
struct FinancingLanes<'a> {
    /// Outside equity, debt and backstop, in the order they are drawn.
    capacities: [&'a [f64]; 3],
    debt_rate: &'a [f64],
    starting_cash: &'a [f64],
}

impl<'a> FinancingLanes<'a> {
    fn of(entity: &super::Entity, v: &'a [f64], width: usize) -> FinancingLanes<'a> {
        let fin = &entity.financing;
        let at = |p: ParamId| p.lanes(v, width);
        FinancingLanes {
            capacities: [
                at(fin.equity_capacity),
                at(fin.debt_capacity),
                at(fin.backstop),
            ],
            debt_rate: at(fin.debt_rate),
            starting_cash: at(entity.model.finance.starting_cash),
        }
    }
}

/// Row `i` of a lane-minor array of `width` lanes.
#[inline(always)]
pub(super) fn row(array: &[f64], i: usize, width: usize) -> &[f64] {
    &array[i * width..(i + 1) * width]
}

/// Row `i` of a lane-minor array of `width` lanes, to write.
#[inline(always)]
fn row_mut(array: &mut [f64], i: usize, width: usize) -> &mut [f64] {
    &mut array[i * width..(i + 1) * width]
}

/// The `lanes` values of a lane-minor array from `start`.
#[inline(always)]
fn lanes_mut(array: &mut [f64], start: usize, lanes: usize) -> &mut [f64] {
    &mut array[start..start + lanes]
}

/// Adds `from` to `to`, lane by lane.
#[inline(always)]
fn add_lanes(to: &mut [f64], from: &[f64]) {
    for (t, x) in to.iter_mut().zip(from) {
        *t += x;
    }
}

/// Keeps in `first` the failure of the earliest path (the earlier entity on a tie).
fn keep_first(first: &mut Option<(usize, NumericError)>, failure: (usize, NumericError)) {
    if first.as_ref().is_none_or(|(l, _)| failure.0 < *l) {
        *first = Some(failure);
    }
}

/// Sets `to` to `0.0 + x` (the first addition to a sum from zero) when `first`, else adds
/// `x`, lane by lane.
#[inline(always)]
fn accumulate(to: &mut [f64], first: bool, x: &[f64]) {
    if first {
        for (t, x) in to.iter_mut().zip(x) {
            *t = 0.0 + x;
        }
    } else {
        add_lanes(to, x);
    }
}

/// [`accumulate`] of `x * m`, lane by lane.
#[inline(always)]
fn accumulate_product(to: &mut [f64], first: bool, x: &[f64], m: &[f64]) {
    if first {
        for ((t, x), m) in to.iter_mut().zip(x).zip(m) {
            *t = 0.0 + x * m;
        }
    } else {
        for ((t, x), m) in to.iter_mut().zip(x).zip(m) {
            *t += x * m;
        }
    }
}

/// Sets what a flow owes this year (and is due) on each lane: what it contracted, or nothing
/// once its payer or payee defaulted before year `year` (`defaulted`: their default years,
/// infinite while they have not). A function of its own, so that the loop vectorises
/// (inlined into both compilations of the year, see [`Network::simulate_numbers`]).
#[inline(always)]
fn owed_now(
    owed: &mut [f64],
    due: &mut [f64],
    contracted: &[f64],
    defaulted: [&[f64]; 2],
    year: f64,
) {
    let [payer, payee] = defaulted;
    for ((((o, d), &c), &payer), &payee) in owed
        .iter_mut()
        .zip(due.iter_mut())
        .zip(contracted)
        .zip(payer)
        .zip(payee)
    {
        *o = if (payer < year) | (payee < year) {
            0.0
        } else {
            c
        };
        *d = *o;
    }
}

/// A tranche flow's lanes (see [`release`]).
struct Tranche<'a> {
    per: &'a [f64],
    amount: &'a [f64],
    /// The receiver's metric of the year.
    base: &'a [f64],
}

/// A tranche flow's year, lane by lane: its progress grows by the year's metric, and it
/// contracts what its tranches released beyond what they had (`done`), up to lane `l`'s
/// `cap(l)`. A function of its own, so that the loop vectorises.
#[inline(always)]
fn release(
    x: Tranche<'_>,
    cap: impl Fn(usize) -> f64,
    progress: &mut [f64],
    done: &mut [f64],
    contracted: &mut [f64],
) {
    let lanes = contracted.len();
    let (per, amount, base) = (&x.per[..lanes], &x.amount[..lanes], &x.base[..lanes]);
    let (progress, done) = (&mut progress[..lanes], &mut done[..lanes]);
    for l in 0..lanes {
        progress[l] += base[l];
        let total = released(progress[l], per[l], amount[l], cap(l));
        contracted[l] = (total - done[l]).max(0.0);
        done[l] = total.max(done[l]);
    }
}

/// An entity's lanes that its cash before draws is computed from (see [`cash_before_draws`]).
struct CashLanes<'a> {
    previous: &'a [f64],
    own: &'a [f64],
    margins: &'a [f64],
    revenue: &'a [f64],
    capex: &'a [f64],
    financing: &'a [f64],
    debt_rate: &'a [f64],
    outside_debt: &'a [f64],
}

/// The year's cash before any outside draw, lane by lane: the previous cash, the own free
/// cash flow, the margin on revenue from others, less costs (after adding the interest on
/// outside debt to them, and to `interest_paid`) and capex paid to others, plus financing.
/// A function of its own, so that its slices do not alias and the loop vectorises (inlined
/// into both compilations of the year).
#[inline(always)]
fn cash_before_draws(
    x: CashLanes<'_>,
    costs: &mut [f64],
    interest_paid: &mut [f64],
    cash: &mut [f64],
) {
    let lanes = cash.len();
    let (costs, interest_paid) = (&mut costs[..lanes], &mut interest_paid[..lanes]);
    let (previous, own, margins, revenue) = (
        &x.previous[..lanes],
        &x.own[..lanes],
        &x.margins[..lanes],
        &x.revenue[..lanes],
    );
    let (capex, financing, debt_rate, outside_debt) = (
        &x.capex[..lanes],
        &x.financing[..lanes],
        &x.debt_rate[..lanes],
        &x.outside_debt[..lanes],
    );
    for l in 0..lanes {
        let interest = debt_rate[l] * outside_debt[l];
        interest_paid[l] = interest;
        costs[l] += interest;
        cash[l] =
            previous[l] + own[l] + margins[l] * revenue[l] - costs[l] - capex[l] + financing[l];
    }
}

/// Draws outside funding on the lanes whose cash is below zero and that have not defaulted
/// (`defaulted` infinite): from each capacity in turn (equity, debt, backstop) what is left of
/// it, up to what the cash lacks, adding each draw to what was drawn of that capacity, to the
/// year's draws and to the cash (and a debt draw to the outside debt). The other lanes are left
/// as they are. A function of its own, with selects rather than branches, so that it
/// vectorises.
#[inline(always)]
fn draw_outside(
    cash: &mut [f64],
    defaulted: &[f64],
    capacities: [&[f64]; 3],
    drawn: [&mut [f64]; 3],
    drawn_now: &mut [f64],
    outside_debt: &mut [f64],
) {
    let lanes = cash.len();
    let (defaulted, drawn_now, outside_debt) = (
        &defaulted[..lanes],
        &mut drawn_now[..lanes],
        &mut outside_debt[..lanes],
    );
    for (k, (capacity, drawn)) in capacities.into_iter().zip(drawn).enumerate() {
        draw_from(
            &capacity[..lanes],
            &mut drawn[..lanes],
            cash,
            defaulted,
            drawn_now,
            (k == 1).then_some(&mut *outside_debt),
        );
    }
}

/// One capacity's draws of [`draw_outside`].
#[inline(always)]
fn draw_from(
    capacity: &[f64],
    drawn: &mut [f64],
    cash: &mut [f64],
    defaulted: &[f64],
    drawn_now: &mut [f64],
    debt: Option<&mut [f64]>,
) {
    let lanes = cash.len();
    let (capacity, drawn, defaulted, drawn_now) = (
        &capacity[..lanes],
        &mut drawn[..lanes],
        &defaulted[..lanes],
        &mut drawn_now[..lanes],
    );
    match debt {
        Some(debt) => {
            let debt = &mut debt[..lanes];
            for l in 0..lanes {
                let (draws, x) = lane_draw(cash[l], defaulted[l], capacity[l], drawn[l]);
                drawn[l] = if draws { drawn[l] + x } else { drawn[l] };
                drawn_now[l] = if draws {
                    drawn_now[l] + x
                } else {
                    drawn_now[l]
                };
                cash[l] = if draws { cash[l] + x } else { cash[l] };
                debt[l] = if draws { debt[l] + x } else { debt[l] };
            }
        }
        None => {
            for l in 0..lanes {
                let (draws, x) = lane_draw(cash[l], defaulted[l], capacity[l], drawn[l]);
                drawn[l] = if draws { drawn[l] + x } else { drawn[l] };
                drawn_now[l] = if draws {
                    drawn_now[l] + x
                } else {
                    drawn_now[l]
                };
                cash[l] = if draws { cash[l] + x } else { cash[l] };
            }
        }
    }
}

/// Whether a lane draws on a capacity (its cash is below zero and it has not defaulted), and
/// how much: what is left of the capacity, up to what the cash lacks.
#[inline(always)]
fn lane_draw(cash: f64, defaulted: f64, capacity: f64, drawn: f64) -> (bool, f64) {
    let draws = (cash < 0.0) & (defaulted == f64::INFINITY);
    (draws, (capacity - drawn).max(0.0).min(-cash))
}

/// Sets `flags` to 1 on the lanes where an entity has not defaulted (`defaulted` infinite) and
/// its cash is below zero or it pays less than it owes, 0 elsewhere; returns whether any lane
/// is so. A function of its own, without branches, so that the loop vectorises.
#[inline(always)]
fn mark_short(
    flags: &mut [u8],
    defaulted: &[f64],
    cash: &[f64],
    payments: &[f64],
    owed: &[f64],
) -> bool {
    let lanes = flags.len();
    let (defaulted, cash, payments, owed) = (
        &defaulted[..lanes],
        &cash[..lanes],
        &payments[..lanes],
        &owed[..lanes],
    );
    let mut any = 0;
    for l in 0..lanes {
        let short = payments[l] < owed[l] * (1.0 - PAID_IN_FULL);
        flags[l] = u8::from((defaulted[l] == f64::INFINITY) & ((cash[l] < 0.0) | short));
        any |= flags[l];
    }
    any != 0
}

/// An entity's lanes that its own resources are computed from (see [`own_resources`]).
struct ResourceLanes<'a> {
    previous: &'a [f64],
    own: &'a [f64],
    debt_rate: &'a [f64],
    outside_debt: &'a [f64],
    carved: &'a [f64],
    capacities: [&'a [f64]; 3],
    drawn: [&'a [f64]; 3],
    defaulted: &'a [f64],
}

/// An entity's own resources in the year, lane by lane: its previous cash and own free cash
/// flow, less interest on outside debt, plus what its carved capex purchases owe (it need not
/// spend them twice), plus its unused financing capacity (none once it has defaulted before
/// year `year`). A function of its own, so that the loop vectorises (inlined into both
/// compilations of the year).
#[inline(always)]
fn own_resources(x: ResourceLanes<'_>, year: f64, resources: &mut [f64]) {
    let lanes = resources.len();
    let (previous, own, debt_rate, outside_debt, carved, defaulted) = (
        &x.previous[..lanes],
        &x.own[..lanes],
        &x.debt_rate[..lanes],
        &x.outside_debt[..lanes],
        &x.carved[..lanes],
        &x.defaulted[..lanes],
    );
    let [equity, debt, backstop] = x.capacities.map(|c| &c[..lanes]);
    let [drawn_equity, drawn_debt, drawn_backstop] = x.drawn.map(|d| &d[..lanes]);
    for l in 0..lanes {
        // As `Iterator::sum` sums: from -0.0, in order.
        let drawn = -0.0 + drawn_equity[l] + drawn_debt[l] + drawn_backstop[l];
        let unused = equity[l] + debt[l] + backstop[l] - drawn;
        let capacity = if defaulted[l] < year { 0.0 } else { unused };
        resources[l] = previous[l] + own[l] - debt_rate[l] * outside_debt[l] + carved[l] + capacity;
    }
}

fn base_index(metric: FlowBase) -> usize {
    match metric {
        FlowBase::Revenue => 0,
        FlowBase::EndCustomerRevenue => 1,
        FlowBase::Capex => 2,
        FlowBase::OwnCapex => 3,
    }
}

impl Network {
    /// A workspace for one path (a block of width one).
    pub fn workspace(&self) -> NetworkBlock {
        self.block(1)
    }

    /// A workspace for blocks of `width` paths.
    pub fn block(&self, width: usize) -> NetworkBlock {
        let n = self.entities.len();
        let years = self.years();
        let flows = self.flows.len();
        let yearly = vec![0.0; years * width];
        // What only its own year reads, one row reused each year in a block of paths (every
        // year's kept for one path, which explanations and tests read).
        let kept = if width == 1 { years } else { 1 };
        let own_year = vec![0.0; kept * width];
        let lanes = vec![0.0; width];
        let service =
            |f: &super::Flow| matches!(f.kind, FlowKind::Loan { .. }).then_some((f.to, f.from));
        let pairs = Pairs::new(
            n,
            self.flows
                .iter()
                .flat_map(|f| std::iter::once((f.from, f.to)).chain(service(f))),
        );
        // Whether a contribution to a pair is its first of the year, in the order the year's
        // loop adds them (flow by flow, a loan's service after its own).
        let mut seen = vec![false; pairs.len()];
        let mut first = |p: usize| (p, !std::mem::replace(&mut seen[p], true));
        let mut flow_pair = Vec::new();
        let mut service_pair = Vec::new();
        for f in &self.flows {
            let own = pairs.index(f.from, f.to).expect("a flow's pair");
            flow_pair.push(first(own));
            service_pair
                .push(service(f).map(|(i, j)| first(pairs.index(i, j).expect("a loan's pair"))));
        }
        NetworkBlock {
            width,
            years,
            kept,
            entities: self
                .entities
                .iter()
                .map(|e| EntityPaths {
                    yearly: YearlyNumbers::block(&e.model, width),
                    workspace: e.model.block_workspace(width),
                    trajectory: e.model.workspace().trajectory,
                    adjustments: Adjustments::block(years, width),
                    margins: own_year.clone(),
                    end_customer_revenue: yearly.clone(),
                    capex: own_year.clone(),
                    own_capex: own_year.clone(),
                    own_free_cash_flow: own_year.clone(),
                    outside_interest: own_year.clone(),
                    cash: yearly.clone(),
                    purchases_paid: own_year.clone(),
                    drawn_in: own_year.clone(),
                    drawn: vec![0.0; 3 * width],
                    funding_drawn: lanes.clone(),
                    outside_debt: lanes.clone(),
                    default_year: vec![None; width],
                    defaulted: vec![f64::INFINITY; width],
                    default_unaided: vec![false; width],
                    revenue_lost: lanes.clone(),
                })
                .collect(),
            clearing: BlockClearing::new(pairs.clone(), width),
            obligations: vec![0.0; pairs.len() * width],
            usable: vec![0.0; pairs.len() * width],
            flow_pair,
            service_pair,
            depreciates: (0..n)
                .map(|i| {
                    self.flows.iter().any(|f| {
                        f.from == i
                            && matches!(
                                f.kind,
                                FlowKind::Purchase(Booking::Capex { carved: false, .. })
                            )
                    })
                })
                .collect(),
            base_read: (0..4 * n)
                .map(|row| {
                    self.flows.iter().any(|f| match &f.amount {
                        Amount::Share { of, .. } | Amount::Tranche { of, .. } => {
                            4 * of.entity + base_index(of.metric) == row
                        }
                        Amount::Schedule { .. } => false,
                    })
                })
                .collect(),
            pairs,
            resources: vec![0.0; n * width],
            payments: vec![0.0; n * width],
            owed_in_all: vec![0.0; n * width],
            flags: vec![0; width],
            share_paid: vec![0.0; n * width],
            carved_owed: lanes.clone(),
            network_scratch: vec![0.0; 2 * width],
            carved: (0..n)
                .map(|i| {
                    (0..flows)
                        .filter(|&g| {
                            self.flows[g].from == i
                                && matches!(
                                    self.flows[g].kind,
                                    FlowKind::Purchase(Booking::Capex { carved: true, .. })
                                )
                        })
                        .collect()
                })
                .collect(),
            idle: vec![false; flows],
            schedule_years: vec![None; flows],
            owed: vec![0.0; flows * width],
            contracted: vec![0.0; flows * width],
            interest: vec![0.0; flows * width],
            principal: vec![0.0; flows * width],
            lent: vec![yearly.clone(); flows],
            progress: vec![0.0; flows * width],
            released: vec![0.0; flows * width],
            due: vec![own_year.clone(); flows],
            paid: vec![own_year; flows],
            purchases: vec![0.0; n * n * width],
            bases: vec![0.0; 4 * n * width],
            network: vec![0.0; NetworkMetric::ALL.len() * years * width],
            flow_paid: vec![0.0; flows * width],
            returned: vec![0.0; flows * width],
        }
    }

    /// Number of simulated years.
    pub fn years(&self) -> usize {
        self.entities[0].model.years
    }

    /// Simulates one path from its drawn inputs `v` with every entity's yearly random numbers
    /// from the default source for `path_key` (each entity from its own streams, salted by
    /// its qualified keys).
    pub fn simulate(
        &self,
        v: &[f64],
        path_key: u64,
        ws: &mut NetworkBlock,
    ) -> Result<(), NumericError> {
        self.simulate_block(v, &[path_key], ws).map_err(|(_, e)| e)
    }

    /// Simulates a block of paths from their drawn inputs `values` (input-major, lane-minor:
    /// input `j` of path `l` at `j * width + l`) with each path's yearly random numbers from
    /// the default source for its key in `keys`: each path exactly as [`Network::simulate`]
    /// would alone. A failure names the first path (lane) that left the representable range.
    pub fn simulate_block(
        &self,
        values: &[f64],
        keys: &[u64],
        ws: &mut NetworkBlock,
    ) -> Result<(), (usize, NumericError)> {
        for (entity, e) in self.entities.iter().zip(&mut ws.entities) {
            e.yearly.fill_block(&entity.model, keys);
        }
        self.simulate_numbers(values, ws)
    }

    /// Simulates a block of paths from their drawn inputs `values` and the yearly numbers
    /// already in the block ([`NetworkBlock::yearly_mut`]). Compiled for AVX2 too, and run
    /// so where the processor has it, as the single firm's year loop is
    /// ([`crate::model::Model::simulate_block`]): the same operations in the same order, so
    /// the same bits.
    pub fn simulate_numbers(
        &self,
        values: &[f64],
        ws: &mut NetworkBlock,
    ) -> Result<(), (usize, NumericError)> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2.
            return unsafe { self.simulate_numbers_avx2(values, ws) };
        }
        self.simulate_numbers_inline(values, ws)
    }

    /// [`Network::simulate_numbers`] compiled for AVX2: what it calls in the year loop is
    /// `#[inline(always)]`, so that it is compiled here again, for AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn simulate_numbers_avx2(
        &self,
        values: &[f64],
        ws: &mut NetworkBlock,
    ) -> Result<(), (usize, NumericError)> {
        self.simulate_numbers_inline(values, ws)
    }

    /// [`Network::simulate_numbers`]'s body, inlined into each of its two compilations.
    #[inline(always)]
    fn simulate_numbers_inline(
        &self,
        values: &[f64],
        ws: &mut NetworkBlock,
    ) -> Result<(), (usize, NumericError)> {
        let w = ws.width;
        for (entity, e) in self.entities.iter().zip(&mut ws.entities) {
            entity.model.begin_block(values, &mut e.workspace);
        }
        self.begin_flows(values, ws);
        for y in 0..ws.years {
            let year = y * w..(y + 1) * w;
            let k = ws.kept_row(y);
            let kept = k * w..(k + 1) * w;
            for (entity, e) in self.entities.iter().zip(&mut ws.entities) {
                let own = [
                    &mut e.end_customer_revenue[year.clone()],
                    &mut e.capex[kept.clone()],
                    &mut e.own_capex[kept.clone()],
                    &mut e.own_free_cash_flow[kept.clone()],
                    &mut e.margins[kept.clone()],
                ];
                entity
                    .model
                    .own_year_block(values, &e.yearly, y, &mut e.workspace, own);
            }
            self.flows_year(values, y, ws);
            for (entity, e) in self.entities.iter().zip(&mut ws.entities) {
                entity
                    .model
                    .account_year_block(values, &e.adjustments, y, &mut e.workspace);
            }
        }
        self.close_flows(ws);
        // A path fails at the first entity whose accounts with the flows leave the
        // representable range; lanes are independent, so a failure is the one the path alone
        // would give.
        let mut failed = None;
        for (entity, e) in self.entities.iter().zip(&mut ws.entities) {
            if let Err(failure) = entity.model.finish_block(&mut e.workspace) {
                keep_first(&mut failed, failure);
            }
        }
        if let Some(failure) = failed {
            return Err(failure);
        }
        if w == 1 {
            for e in &mut ws.entities {
                e.trajectory.take_lane(&e.workspace.block, 0);
            }
        }
        Ok(())
    }

    /// Sets the block's flows state for its first year: what accumulates over the years
    /// starts from zero.
    #[inline(always)]
    fn begin_flows(&self, v: &[f64], ws: &mut NetworkBlock) {
        let n = self.entities.len();
        let w = ws.width;
        // What accumulates over the years starts from zero; what is set year by year is
        // reset when its year begins.
        for (e, &depreciates) in ws.entities.iter_mut().zip(&ws.depreciates) {
            if depreciates {
                e.adjustments.depreciation.fill(0.0);
                e.adjustments.capital_charge.fill(0.0);
            }
            e.drawn.fill(0.0);
            e.outside_debt.fill(0.0);
            e.default_year.fill(None);
            e.defaulted.fill(f64::INFINITY);
            e.default_unaided.fill(false);
            e.revenue_lost.fill(0.0);
        }
        // What each flow paid over the horizon, summed year by year from -0.0.
        ws.flow_paid.fill(-0.0);
        for (f, flow) in self.flows.iter().enumerate() {
            match flow.kind {
                FlowKind::Loan { .. } => ws.lent[f].fill(0.0),
                FlowKind::Purchase(_) => {
                    row_mut(&mut ws.purchases, flow.from * n + flow.to, w).fill(0.0)
                }
                FlowKind::Equity { .. } => {}
            }
            match flow.amount {
                Amount::Tranche { .. } => {
                    row_mut(&mut ws.progress, f, w).fill(0.0);
                    row_mut(&mut ws.released, f, w).fill(0.0);
                }
                Amount::Schedule { years, .. } => {
                    let years = years.lanes(v, w);
                    ws.schedule_years[f] = years
                        .iter()
                        .all(|x| x.to_bits() == years[0].to_bits())
                        .then_some(years[0]);
                }
                Amount::Share { .. } => {}
            }
        }
    }

    /// Evaluates the flows, clearing and financing of year index `y` for the block's paths,
    /// whose entities' own numbers of the year are in `ws.entities` (see the module's
    /// documentation).
    // Lane indices run over several arrays at once.
    #[allow(clippy::needless_range_loop)]
    #[inline(always)]
    fn flows_year(&self, v: &[f64], y: usize, ws: &mut NetworkBlock) {
        let n = self.entities.len();
        let w = ws.width;
        let lanes = w;
        let at = |p: ParamId| p.lanes(v, w);
        let year = y * w..(y + 1) * w;
        // The row of the year in the arrays that keep one row in a block.
        let ky = ws.kept_row(y);
        let kept = ky * w..(ky + 1) * w;
        // A path's contracts with an entity stop from the year after its default.
        let yf = y as f64;
        for (i, e) in ws.entities.iter_mut().enumerate() {
            let a = &mut e.adjustments;
            for series in [&mut a.revenue, &mut a.costs, &mut a.capex, &mut a.financing] {
                series[year.clone()].fill(0.0);
            }
            for series in [&mut e.purchases_paid, &mut e.drawn_in] {
                series[kept.clone()].fill(0.0);
            }
            for (k, (from, r)) in [
                (&e.end_customer_revenue, y),
                (&e.end_customer_revenue, y),
                (&e.capex, ky),
                (&e.own_capex, ky),
            ]
            .into_iter()
            .enumerate()
            {
                if ws.base_read[4 * i + k] {
                    row_mut(&mut ws.bases, 4 * i + k, w).copy_from_slice(row(from, r, w));
                }
            }
        }
        // 1. What each flow carries this year, in dependency order.
        for &f in &self.order {
            let flow = &self.flows[f];
            let contracted = &mut row_mut(&mut ws.contracted, f, w)[..lanes];
            // Whether the flow's schedule pays nothing this year on every path.
            let mut outside_schedule = false;
            match &flow.amount {
                Amount::Schedule {
                    total,
                    start,
                    years,
                    profile,
                } => {
                    let (total, years) = (&at(*total)[..lanes], &at(*years)[..lanes]);
                    // Most schedules have the same length on every path: one weight for
                    // the year, as `scheduled` would compute it on each.
                    let same = ws.schedule_years[f];
                    match same.map(|years| schedule_weight(*start, years, profile, y)) {
                        Some(None) => {
                            contracted.fill(0.0);
                            outside_schedule = true;
                        }
                        Some(Some(weight)) => {
                            for (c, t) in contracted.iter_mut().zip(total) {
                                *c = t * weight;
                            }
                        }
                        None => {
                            for l in 0..lanes {
                                contracted[l] = scheduled(total[l], *start, years[l], profile, y);
                            }
                        }
                    }
                }
                Amount::Share { share, of } => {
                    let share = at(*share);
                    let base = row(&ws.bases, 4 * of.entity + base_index(of.metric), w);
                    for ((c, s), b) in contracted.iter_mut().zip(share).zip(base) {
                        *c = s * b;
                    }
                }
                Amount::Tranche {
                    per,
                    of,
                    amount,
                    cap,
                } => {
                    let (per, amount) = (&at(*per)[..lanes], &at(*amount)[..lanes]);
                    let base = &row(&ws.bases, 4 * of.entity + base_index(of.metric), w)[..lanes];
                    let progress = &mut row_mut(&mut ws.progress, f, w)[..lanes];
                    let done = &mut row_mut(&mut ws.released, f, w)[..lanes];
                    let tranche = Tranche { per, amount, base };
                    match cap {
                        Some(cap) => {
                            let cap = &at(*cap)[..lanes];
                            release(tranche, |l| cap[l], progress, done, contracted)
                        }
                        None => release(tranche, |_| f64::INFINITY, progress, done, contracted),
                    }
                }
            }
            let (payer, payee) = (
                &ws.entities[flow.from].defaulted[..lanes],
                &ws.entities[flow.to].defaulted[..lanes],
            );
            let due = &mut row_mut(&mut ws.due[f], ky, w)[..lanes];
            let owed = &mut ws.owed[f * w..f * w + lanes];
            owed_now(owed, due, &contracted[..lanes], [payer, payee], yf);
            // A flow outside its schedule on every path carries nothing this year, and is not
            // booked: its zeros would change no sum, since sums that start from +0.0 and only
            // add or subtract never become -0.0. A loan's service and a capex purchase's
            // depreciation are always booked.
            ws.idle[f] = outside_schedule
                && !matches!(
                    flow.kind,
                    FlowKind::Loan { .. }
                        | FlowKind::Purchase(Booking::Capex { carved: false, .. })
                );
            let owed = &row(&ws.owed, f, w)[..lanes];
            if ws.idle[f] {
                continue;
            }
            if let FlowKind::Purchase(booking) = &flow.kind {
                let mut feed = |row: usize| {
                    if ws.base_read[row] {
                        add_lanes(&mut row_mut(&mut ws.bases, row, w)[..lanes], owed);
                    }
                };
                feed(4 * flow.to);
                if matches!(booking, Booking::Capex { carved: false, .. }) {
                    for k in [2, 3] {
                        feed(4 * flow.from + k);
                    }
                }
            }
            if let FlowKind::Loan { rate, term } = &flow.kind {
                let (interest, principal) = (
                    row_mut(&mut ws.interest, f, w),
                    row_mut(&mut ws.principal, f, w),
                );
                let (rate, term) = (at(*rate), at(*term));
                for l in 0..lanes {
                    let active = payer[l] >= yf && payee[l] >= yf;
                    (interest[l], principal[l]) = if active {
                        loan_service(&ws.lent[f], w, l, term[l] as usize, rate[l], y)
                    } else {
                        (0.0, 0.0)
                    };
                }
            }
        }

        // 2. Clear the year's obligations: each pair's sum from zero, flow by flow.
        for (f, flow) in self.flows.iter().enumerate() {
            let owed = &row(&ws.owed, f, w)[..lanes];
            let (p, first) = ws.flow_pair[f];
            if ws.idle[f] {
                if first {
                    // `0.0 + 0.0`, the sums' start.
                    row_mut(&mut ws.obligations, p, w).fill(0.0);
                    row_mut(&mut ws.usable, p, w).fill(0.0);
                }
                continue;
            }
            accumulate(
                &mut row_mut(&mut ws.obligations, p, w)[..lanes],
                first,
                owed,
            );
            let usable = &mut row_mut(&mut ws.usable, p, w)[..lanes];
            match flow.kind {
                FlowKind::Purchase(_) => {
                    let margins = &row(&ws.entities[flow.to].margins, ky, w)[..lanes];
                    accumulate_product(usable, first, owed, margins);
                }
                _ => accumulate(usable, first, owed),
            }
            if let Some((back, first)) = ws.service_pair[f] {
                let (interest, principal) = (row(&ws.interest, f, w), row(&ws.principal, f, w));
                for l in 0..lanes {
                    let service = interest[l] + principal[l];
                    let (o, u) = (
                        &mut ws.obligations[back * w + l],
                        &mut ws.usable[back * w + l],
                    );
                    if first {
                        (*o, *u) = (0.0 + service, 0.0 + service);
                    } else {
                        *o += service;
                        *u += service;
                    }
                }
            }
        }
        for (i, (entity, e)) in self.entities.iter().zip(&ws.entities).enumerate() {
            let FinancingLanes {
                capacities: [equity, debt, backstop],
                debt_rate,
                starting_cash,
            } = FinancingLanes::of(entity, v, w);
            // What its capex purchases carved from its own capex owe this year, summed as
            // `Iterator::sum` sums: from -0.0, flow by flow.
            let carved = &mut ws.carved_owed[..lanes];
            carved.fill(-0.0);
            for &g in &ws.carved[i] {
                add_lanes(carved, &row(&ws.owed, g, w)[..lanes]);
            }
            let carved = &ws.carved_owed[..lanes];
            let previous = if y == 0 {
                &starting_cash[..lanes]
            } else {
                &row(&e.cash, y - 1, w)[..lanes]
            };
            let own = &row(&e.own_free_cash_flow, ky, w)[..lanes];
            let [drawn_equity, drawn_debt, drawn_backstop] =
                [0, 1, 2].map(|k| &row(&e.drawn, k, w)[..lanes]);
            let (defaulted, outside_debt) = (&e.defaulted[..lanes], &e.outside_debt[..lanes]);
            let (equity, debt, backstop, debt_rate) = (
                &equity[..lanes],
                &debt[..lanes],
                &backstop[..lanes],
                &debt_rate[..lanes],
            );
            let resources = &mut row_mut(&mut ws.resources, i, w)[..lanes];
            own_resources(
                ResourceLanes {
                    previous,
                    own,
                    debt_rate,
                    outside_debt,
                    carved,
                    capacities: [equity, debt, backstop],
                    drawn: [drawn_equity, drawn_debt, drawn_backstop],
                    defaulted,
                },
                yf,
                resources,
            );
        }
        ws.clearing.clear(
            lanes,
            &ws.obligations,
            &ws.usable,
            &ws.resources,
            &mut ws.owed_in_all,
            &mut ws.payments,
        );
        for ((share, &owed), &paid) in ws
            .share_paid
            .iter_mut()
            .zip(&ws.owed_in_all)
            .zip(&ws.payments)
        {
            *share = if owed > 0.0 {
                (paid / owed).min(1.0)
            } else {
                1.0
            };
        }

        // 3. Pay and book every flow at its payer's share.
        for (f, flow) in self.flows.iter().enumerate() {
            let (i, j) = (flow.from, flow.to);
            let owed = &row(&ws.owed, f, w)[..lanes];
            let paid = &mut row_mut(&mut ws.paid[f], ky, w)[..lanes];
            for ((p, o), s) in paid
                .iter_mut()
                .zip(owed)
                .zip(&row(&ws.share_paid, i, w)[..lanes])
            {
                *p = o * s;
            }
            let paid = &row(&ws.paid[f], ky, w)[..lanes];
            // What the flow paid over the horizon, as `Iterator::sum` sums: from -0.0 (set
            // when the block begins), year by year.
            add_lanes(&mut row_mut(&mut ws.flow_paid, f, w)[..lanes], paid);
            let at_y = y * w;
            if ws.idle[f] {
                continue;
            }
            match &flow.kind {
                FlowKind::Purchase(booking) => {
                    let payee = &mut ws.entities[j];
                    add_lanes(lanes_mut(&mut payee.adjustments.revenue, at_y, lanes), paid);
                    let contracted = &row(&ws.contracted, f, w)[..lanes];
                    for ((lost, c), p) in payee.revenue_lost.iter_mut().zip(contracted).zip(paid) {
                        *lost += c - p;
                    }
                    add_lanes(&mut row_mut(&mut ws.purchases, i * n + j, w)[..lanes], paid);
                    let payer = &mut ws.entities[i];
                    add_lanes(lanes_mut(&mut payer.purchases_paid, ky * w, lanes), paid);
                    let adjustments = &mut payer.adjustments;
                    match booking {
                        Booking::Opex => {
                            add_lanes(lanes_mut(&mut adjustments.costs, at_y, lanes), paid)
                        }
                        Booking::Capex { carved: true, .. } => {
                            // Part of the payer's own capex: what it did not pay, it
                            // did not spend.
                            let capex = lanes_mut(&mut adjustments.capex, at_y, lanes);
                            for ((x, o), p) in capex.iter_mut().zip(owed).zip(paid) {
                                *x -= o - p;
                            }
                        }
                        Booking::Capex {
                            life,
                            carved: false,
                        } => {
                            let life = at(*life);
                            let hurdle = at(self.entities[i].model.finance.hurdle_rate);
                            for l in 0..lanes {
                                let (paid, life) = (paid[l], life[l]);
                                adjustments.capex[at_y + l] += paid;
                                depreciate(paid, life, y, w, l, &mut adjustments.depreciation);
                                // The charge is linear in the cost: the depreciation of
                                // a cost scaled by the charge per unit of depreciation.
                                let charge = charge_per_depreciation(hurdle[l], life);
                                depreciate(
                                    paid * charge,
                                    life,
                                    y,
                                    w,
                                    l,
                                    &mut adjustments.capital_charge,
                                );
                            }
                        }
                    }
                }
                FlowKind::Equity { .. } => {
                    let investor =
                        lanes_mut(&mut ws.entities[i].adjustments.financing, at_y, lanes);
                    for (x, p) in investor.iter_mut().zip(paid) {
                        *x -= p;
                    }
                    add_lanes(
                        lanes_mut(&mut ws.entities[j].adjustments.financing, at_y, lanes),
                        paid,
                    );
                }
                FlowKind::Loan { .. } => {
                    ws.lent[f][at_y..at_y + lanes].copy_from_slice(&paid[..lanes]);
                    for l in 0..lanes {
                        ws.entities[i].adjustments.financing[at_y + l] -= paid[l];
                        ws.entities[j].adjustments.financing[at_y + l] += paid[l];
                        let share = ws.share_paid[j * w + l];
                        let interest = ws.interest[f * w + l] * share;
                        let principal = ws.principal[f * w + l] * share;
                        ws.entities[j].adjustments.costs[at_y + l] += interest;
                        ws.entities[i].adjustments.costs[at_y + l] -= interest;
                        ws.entities[j].adjustments.financing[at_y + l] -= principal;
                        ws.entities[i].adjustments.financing[at_y + l] += principal;
                    }
                }
            }
        }

        // 4. Cash, outside funding and defaults.
        for (i, (entity, e)) in self.entities.iter().zip(&mut ws.entities).enumerate() {
            let FinancingLanes {
                capacities,
                debt_rate,
                starting_cash,
            } = FinancingLanes::of(entity, v, w);
            let EntityPaths {
                adjustments: a,
                margins,
                own_free_cash_flow,
                outside_interest,
                cash: cash_at,
                drawn_in,
                drawn,
                outside_debt,
                default_year,
                defaulted,
                default_unaided,
                ..
            } = e;
            let at_y = y * w;
            let (before, from_y) = cash_at.split_at_mut(at_y);
            let previous = if y == 0 {
                &starting_cash[..lanes]
            } else {
                &before[at_y - w..at_y - w + lanes]
            };
            let year = at_y..at_y + lanes;
            let kept = ky * w..ky * w + lanes;
            let (own, margins, revenue) = (
                &own_free_cash_flow[kept.clone()],
                &margins[kept.clone()],
                &a.revenue[year.clone()],
            );
            let (costs, capex, financing) = (
                &mut a.costs[year.clone()],
                &a.capex[year.clone()],
                &a.financing[year.clone()],
            );
            let (interest_paid, drawn_now) =
                (&mut outside_interest[kept.clone()], &mut drawn_in[kept]);
            let cash_now = &mut from_y[..lanes];
            let (debt_rate, outside_debt) = (&debt_rate[..lanes], &mut outside_debt[..lanes]);
            let (owed_in_all, payments) = (
                &row(&ws.owed_in_all, i, w)[..lanes],
                &row(&ws.payments, i, w)[..lanes],
            );
            let defaulted = &mut defaulted[..lanes];
            // The year's cash before any draw, on every path at once, and how many paths
            // that have not defaulted must draw or may default.
            cash_before_draws(
                CashLanes {
                    previous,
                    own,
                    margins,
                    revenue,
                    capex,
                    financing,
                    debt_rate,
                    outside_debt,
                },
                costs,
                interest_paid,
                cash_now,
            );
            let flags = &mut ws.flags[..lanes];
            if !mark_short(flags, defaulted, cash_now, payments, owed_in_all) {
                continue;
            }
            // Draws, on those paths, then defaults.
            let (drawn_equity, rest) = drawn.split_at_mut(w);
            let (drawn_debt, drawn_backstop) = rest.split_at_mut(w);
            draw_outside(
                cash_now,
                defaulted,
                capacities,
                [drawn_equity, drawn_debt, drawn_backstop],
                &mut drawn_now[..lanes],
                outside_debt,
            );
            if !mark_short(flags, defaulted, cash_now, payments, owed_in_all) {
                continue;
            }
            for l in 0..lanes {
                let owed = owed_in_all[l];
                if flags[l] == 1 {
                    default_year[l] = Some(y);
                    defaulted[l] = yf;
                    // From zero over the pairs that pay it: the others' zeros change
                    // no sum.
                    let in_full = ws
                        .pairs
                        .owed_by(i)
                        .iter()
                        .fold(0.0, |sum, &(_, p)| sum + ws.usable[p * w + l]);
                    let resources = ws.resources[i * w + l];
                    default_unaided[l] = resources + in_full < owed * (1.0 - PAID_IN_FULL)
                        || resources + in_full - owed < 0.0;
                }
            }
        }
    }

    /// What the run summary reads of the block, after its last year.
    #[inline(always)]
    fn close_flows(&self, ws: &mut NetworkBlock) {
        let n = self.entities.len();
        let (w, years) = (ws.width, ws.years);
        for e in &mut ws.entities {
            // As `Iterator::sum` sums: from -0.0, in order.
            e.funding_drawn.fill(-0.0);
            for k in 0..3 {
                add_lanes(&mut e.funding_drawn, row(&e.drawn, k, w));
            }
        }
        let [gross, end, internal, circular] = [
            NetworkMetric::GrossRevenue,
            NetworkMetric::EndCustomerRevenue,
            NetworkMetric::InternalRevenue,
            NetworkMetric::Circularity,
        ]
        .map(|m| m as usize * years);
        for y in 0..years {
            // Entity by entity, from zero.
            let (end_row, internal_row) = ws.network_scratch.split_at_mut(w);
            end_row.fill(0.0);
            internal_row.fill(0.0);
            for e in &ws.entities {
                add_lanes(end_row, row(&e.end_customer_revenue, y, w));
                add_lanes(internal_row, row(&e.adjustments.revenue, y, w));
            }
            for l in 0..w {
                let (e, i) = (end_row[l], internal_row[l]);
                let g = e + i;
                ws.network[(gross + y) * w + l] = g;
                ws.network[(end + y) * w + l] = e;
                ws.network[(internal + y) * w + l] = i;
                ws.network[(circular + y) * w + l] = circularity(i, g);
            }
        }
        for (f, flow) in self.flows.iter().enumerate() {
            let paid = row(&ws.flow_paid, f, w);
            let back = row(&ws.purchases, flow.to * n + flow.from, w);
            for ((r, &b), &p) in row_mut(&mut ws.returned, f, w)
                .iter_mut()
                .zip(back)
                .zip(paid)
            {
                *r = b.min(p);
            }
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    /// `network.toml`, and the drawn inputs and keys of a block of 128 of its paths.
    pub(in crate::network) fn network_block_inputs()
    -> (crate::scenario::Scenario, Vec<f64>, Vec<u64>) {
        let text = include_str!("../../scenarios/network.toml");
        let scenario = crate::scenario::parse(text, "network.toml", &[]).unwrap();
        let w = 128;
        let mut v = vec![0.0; scenario.inputs.len() * w];
        for (j, input) in scenario.inputs.iter().enumerate() {
            for l in 0..w {
                let u = crate::rng::uniform(l as u64, j as u64, 0);
                v[j * w + l] = input.dist.quantile(u);
            }
        }
        let keys = (0..w as u64).map(crate::rng::mix64).collect();
        (scenario, v, keys)
    }

    /// A network block's year loop gives the same bits compiled for AVX2 (where the processor
    /// has it, as `simulate_numbers` runs it) and for plain x86-64 (its body called from
    /// here): 128 `network.toml` paths through both.
    #[test]
    fn both_compilations_of_a_network_block_give_the_same_bits() {
        let (scenario, v, keys) = network_block_inputs();
        let network = scenario.network.as_ref().unwrap();
        let w = keys.len();
        let (mut dispatched, mut plain) = (network.block(w), network.block(w));
        network.simulate_block(&v, &keys, &mut dispatched).unwrap();
        for (entity, e) in network.entities.iter().zip(&mut plain.entities) {
            e.yearly.fill_block(&entity.model, &keys);
        }
        network.simulate_numbers_inline(&v, &mut plain).unwrap();
        let bits = |x: &[f64]| -> Vec<u64> { x.iter().map(|x| x.to_bits()).collect() };
        for (a, b) in dispatched.entities.iter().zip(&plain.entities) {
            assert_eq!(
                bits(a.workspace.block.values()),
                bits(b.workspace.block.values())
            );
            assert_eq!(bits(&a.cash), bits(&b.cash));
            assert_eq!(bits(&a.funding_drawn), bits(&b.funding_drawn));
            assert_eq!(bits(&a.revenue_lost), bits(&b.revenue_lost));
            assert_eq!(a.default_year, b.default_year);
            assert_eq!(a.default_unaided, b.default_unaided);
        }
        assert_eq!(bits(&dispatched.network), bits(&plain.network));
        assert_eq!(bits(&dispatched.flow_paid), bits(&plain.flow_paid));
        assert_eq!(bits(&dispatched.returned), bits(&plain.returned));
        // Some paths default, so the clearing and the draws were exercised.
        assert!(
            dispatched
                .entities
                .iter()
                .any(|e| e.default_year.iter().any(Option::is_some))
        );
    }
}
