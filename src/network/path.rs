//! One block of paths of a network, year by year.
//!
//! Each entity's own tables are simulated first, for the whole block, as a single firm's
//! ([`crate::model::Model::simulate_block`]): its build-out, end-customer revenue and costs do not depend
//! on the others. Then each path of the block is evaluated alone, for each year:
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
//! within the horizon; drawn equity and backstop cost nothing. Last, each entity's accounts
//! are redone with its flows for the whole block
//! ([`crate::model::Model::reaccount_block`]); its cash there
//! excludes outside draws, so its funding gap is the need before capacities, as for a single
//! firm.
//!
//! A [`NetworkBlock`] holds a block's results lane-minor, as the model's blocks do, and
//! [`NetworkLane`] reads one path of it; [`NetworkWorkspace`] is the state of the path being
//! evaluated (after a block of one path, that path's). One path is a block of width one, so
//! both go through the same code and give the same numbers.

use crate::model::hurdle::charge_per_depreciation;
use crate::model::{
    Adjustments, BlockWorkspace, Lane, Metric, NumericError, PathResults, Trajectory, YearlyNumbers,
};

use super::clearing::Clearing;
use super::schedule::{depreciate, loan_service, released, scheduled};
use super::summary::circularity;
use super::{Amount, Booking, FlowBase, FlowKind, Network, NetworkMetric};

/// Relative shortfall below which a payment counts as made in full.
const PAID_IN_FULL: f64 = 1e-9;

/// The state and results of one entity on the path being evaluated.
#[derive(Debug, Clone)]
pub struct EntityPath {
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
    /// Outside funding drawn over the horizon: equity, debt, backstop.
    pub drawn: [f64; 3],
    outside_debt: f64,
    /// The year index in which it defaulted.
    pub default_year: Option<usize>,
    /// Whether it would have defaulted that year even if every other entity had paid it in
    /// full: its default starts a cascade rather than continuing one.
    pub default_unaided: bool,
    /// Revenue its counterparties' defaults cost it: purchases contracted but not paid.
    pub revenue_lost: f64,
}

impl EntityPath {
    /// The entity's accounts with its flows (after [`Network::simulate`] of one path).
    pub fn trajectory(&self) -> &Trajectory {
        &self.trajectory
    }

    /// Outside funding drawn, all kinds.
    pub fn funding_drawn(&self) -> f64 {
        self.drawn.iter().sum()
    }
}

/// The state of the network path being evaluated, allocated once and reused for every path.
#[derive(Debug, Clone)]
pub struct NetworkWorkspace {
    /// Per entity, in network order.
    pub entities: Vec<EntityPath>,
    clearing: Clearing,
    obligations: Vec<f64>,
    usable: Vec<f64>,
    resources: Vec<f64>,
    payments: Vec<f64>,
    /// Per entity: what it owes this year in all, and the share of it it pays.
    owed_in_all: Vec<f64>,
    share_paid: Vec<f64>,
    /// Per entity: its capex purchases carved from its own capex, as flow indices.
    carved: Vec<Vec<usize>>,
    /// Per flow: what is due this year (zero once stopped), and what would have been.
    owed: Vec<f64>,
    contracted: Vec<f64>,
    /// Per flow: a loan's (interest, principal) due this year.
    service: Vec<(f64, f64)>,
    /// Per flow: a loan's disbursements by year.
    lent: Vec<Vec<f64>>,
    /// Per flow: a tranche's cumulative metric and what it has released.
    progress: Vec<f64>,
    released: Vec<f64>,
    /// Per flow and year: what was due (zero once stopped) and what was paid (for a loan:
    /// what was lent).
    pub due: Vec<Vec<f64>>,
    pub paid: Vec<Vec<f64>>,
    /// Purchases paid by entity `i` to entity `j` over the horizon, at `i * n + j`.
    pub purchases: Vec<f64>,
    /// The year's metric values a flow can read, per entity, in [`FlowBase::ALL`] order.
    bases: Vec<[f64; 4]>,
    /// The path's inputs.
    inputs: Vec<f64>,
}

impl NetworkWorkspace {
    /// The end-customer and internal revenue of the whole network in year index `y`.
    pub fn revenue(&self, y: usize) -> (f64, f64) {
        self.entities.iter().fold((0.0, 0.0), |(end, internal), e| {
            (
                end + e.end_customer_revenue[y],
                internal + e.adjustments.revenue[y],
            )
        })
    }
}

/// One entity's part of a block of paths.
#[derive(Debug, Clone)]
pub(super) struct EntityBlock {
    /// The block's yearly random numbers (users, streams, shocks), from the entity's streams.
    pub(super) yearly: YearlyNumbers,
    /// Its accounts, own tables first, then with the flows.
    pub(super) workspace: BlockWorkspace,
    /// Its flows with the others, lane-minor.
    pub(super) adjustments: Adjustments,
    /// Revenue from its own streams and subscriptions, lane-minor.
    pub(super) end_customer_revenue: Vec<f64>,
    /// Per path: outside funding drawn, revenue lost to others' defaults, the default year,
    /// and whether the default was unaided (see [`EntityPath`]).
    pub(super) funding_drawn: Vec<f64>,
    pub(super) revenue_lost: Vec<f64>,
    pub(super) default_year: Vec<Option<usize>>,
    pub(super) default_unaided: Vec<bool>,
}

/// The results of a block of network paths, each as [`NetworkWorkspace`] would hold it
/// alone, lane-minor (year `y` of path `l` at `y * width + l`). Allocated once and reused.
#[derive(Debug, Clone)]
pub struct NetworkBlock {
    width: usize,
    pub(super) entities: Vec<EntityBlock>,
    /// Each network metric in each year: series `m * years + y`, lane-minor.
    pub(super) network: Vec<f64>,
    /// Per flow: what it paid over the horizon (for a loan: what it lent), lane-minor.
    pub(super) flow_paid: Vec<f64>,
    /// Per flow: the payer's revenue from the receiver over the horizon, at most what the
    /// flow paid (for an equity flow, the part of the investment that came back).
    pub(super) returned: Vec<f64>,
    /// The path being evaluated.
    path: NetworkWorkspace,
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
        b.network[(m as usize * b.years() + y) * b.width + self.l]
    }
}

impl NetworkBlock {
    /// Paths in the block.
    pub fn width(&self) -> usize {
        self.width
    }

    fn years(&self) -> usize {
        self.path.entities[0].cash.len()
    }

    /// Path `l` of the block.
    pub fn lane(&self, l: usize) -> NetworkLane<'_> {
        NetworkLane { block: self, l }
    }

    /// The state of the last path evaluated: for a block of one path, that path's.
    pub fn path(&self) -> &NetworkWorkspace {
        &self.path
    }

    /// [`NetworkBlock::path`], owned.
    pub fn into_path(self) -> NetworkWorkspace {
        self.path
    }

    /// Entity `e`'s yearly random numbers, to fill from another source before
    /// [`Network::simulate_numbers`].
    pub fn yearly_mut(&mut self, e: usize) -> &mut YearlyNumbers {
        &mut self.entities[e].yearly
    }
}

/// Row `i` of a lane-minor array of `width` lanes.
#[inline(always)]
pub(super) fn row(array: &[f64], i: usize, width: usize) -> &[f64] {
    &array[i * width..(i + 1) * width]
}

/// Keeps in `first` the failure of the earliest path (the earlier entity on a tie).
fn keep_first(first: &mut Option<(usize, NumericError)>, failure: (usize, NumericError)) {
    if first.as_ref().is_none_or(|(l, _)| failure.0 < *l) {
        *first = Some(failure);
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
        let years = self.years();
        let flows = self.flows.len();
        NetworkBlock {
            width,
            entities: self
                .entities
                .iter()
                .map(|e| EntityBlock {
                    yearly: YearlyNumbers::block(&e.model, width),
                    workspace: e.model.block_workspace(width),
                    adjustments: Adjustments::block(years, width),
                    end_customer_revenue: vec![0.0; years * width],
                    funding_drawn: vec![0.0; width],
                    revenue_lost: vec![0.0; width],
                    default_year: vec![None; width],
                    default_unaided: vec![false; width],
                })
                .collect(),
            network: vec![0.0; NetworkMetric::ALL.len() * years * width],
            flow_paid: vec![0.0; flows * width],
            returned: vec![0.0; flows * width],
            path: self.path_workspace(),
        }
    }

    fn path_workspace(&self) -> NetworkWorkspace {
        let n = self.entities.len();
        let years = self.years();
        let flows = self.flows.len();
        NetworkWorkspace {
            entities: self
                .entities
                .iter()
                .map(|e| EntityPath {
                    trajectory: e.model.workspace().trajectory,
                    adjustments: Adjustments::new(years),
                    margins: vec![0.0; years],
                    end_customer_revenue: vec![0.0; years],
                    capex: vec![0.0; years],
                    own_capex: vec![0.0; years],
                    own_free_cash_flow: vec![0.0; years],
                    outside_interest: vec![0.0; years],
                    cash: vec![0.0; years],
                    purchases_paid: vec![0.0; years],
                    drawn_in: vec![0.0; years],
                    drawn: [0.0; 3],
                    outside_debt: 0.0,
                    default_year: None,
                    default_unaided: false,
                    revenue_lost: 0.0,
                })
                .collect(),
            clearing: Clearing::new(n),
            obligations: vec![0.0; n * n],
            usable: vec![0.0; n * n],
            resources: vec![0.0; n],
            payments: vec![0.0; n],
            owed_in_all: vec![0.0; n],
            share_paid: vec![0.0; n],
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
            owed: vec![0.0; flows],
            contracted: vec![0.0; flows],
            service: vec![(0.0, 0.0); flows],
            lent: vec![vec![0.0; years]; flows],
            progress: vec![0.0; flows],
            released: vec![0.0; flows],
            due: vec![vec![0.0; years]; flows],
            paid: vec![vec![0.0; years]; flows],
            purchases: vec![0.0; n * n],
            bases: vec![[0.0; 4]; n],
            inputs: Vec::new(),
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
    /// already in the block ([`NetworkBlock::yearly_mut`]).
    pub fn simulate_numbers(
        &self,
        values: &[f64],
        ws: &mut NetworkBlock,
    ) -> Result<(), (usize, NumericError)> {
        let w = ws.width;
        let years = self.years();
        // A path fails at the first entity whose own tables, then at the first whose accounts
        // with the flows, leave the representable range: the paths before the first failing
        // one are evaluated in full, so a failure is the one the paths alone would give.
        let mut failed = None;
        for (entity, e) in self.entities.iter().zip(&mut ws.entities) {
            if let Err(failure) = entity
                .model
                .simulate_block(values, &e.yearly, &mut e.workspace)
            {
                keep_first(&mut failed, failure);
            }
            let revenue = Metric::Revenue as usize * years * w;
            e.end_customer_revenue
                .copy_from_slice(&e.workspace.block.values()[revenue..revenue + years * w]);
        }
        let evaluated = failed.as_ref().map_or(w, |(l, _)| *l);
        ws.path.inputs.resize(values.len() / w, 0.0);
        for l in 0..evaluated {
            self.simulate_lane(values, l, ws);
        }
        let mut reaccount_failed = None;
        for (entity, e) in self.entities.iter().zip(&mut ws.entities) {
            if let Err(failure) =
                entity
                    .model
                    .reaccount_block(values, &e.adjustments, &mut e.workspace)
            {
                if failure.0 < evaluated {
                    keep_first(&mut reaccount_failed, failure);
                }
            }
        }
        if let Some(failure) = reaccount_failed.or(failed) {
            return Err(failure);
        }
        if w == 1 {
            for (e, path) in ws.entities.iter().zip(&mut ws.path.entities) {
                path.trajectory.take_lane(&e.workspace.block, 0);
            }
        }
        Ok(())
    }

    /// Evaluates path `l` of the block, whose entities' own tables are simulated, into
    /// `ws.path`, and keeps its results in the block.
    fn simulate_lane(&self, values: &[f64], l: usize, block: &mut NetworkBlock) {
        let w = block.width;
        let ws = &mut block.path;
        for (x, lanes) in ws.inputs.iter_mut().zip(values.chunks_exact(w)) {
            *x = lanes[l];
        }
        for ((entity, e), own) in self
            .entities
            .iter()
            .zip(&mut ws.entities)
            .zip(&block.entities)
        {
            let t = own.workspace.block.lane(l);
            for y in 0..e.cash.len() {
                e.end_customer_revenue[y] = t.get(Metric::Revenue, y);
                e.capex[y] = t.get(Metric::Capex, y);
                e.own_capex[y] = t.get(Metric::OwnCapex, y);
                e.own_free_cash_flow[y] = t.get(Metric::FreeCashFlow, y);
            }
            entity.model.costs.margins(&ws.inputs, &mut e.margins);
        }
        self.clear_path(ws);
        let n = self.entities.len();
        for (e, own) in ws.entities.iter().zip(&mut block.entities) {
            let a = (&e.adjustments, &mut own.adjustments);
            for (from, to) in [
                (&a.0.revenue, &mut a.1.revenue),
                (&a.0.costs, &mut a.1.costs),
                (&a.0.capex, &mut a.1.capex),
                (&a.0.depreciation, &mut a.1.depreciation),
                (&a.0.capital_charge, &mut a.1.capital_charge),
                (&a.0.financing, &mut a.1.financing),
            ] {
                for (y, &x) in from.iter().enumerate() {
                    to[y * w + l] = x;
                }
            }
            own.funding_drawn[l] = e.funding_drawn();
            own.revenue_lost[l] = e.revenue_lost;
            own.default_year[l] = e.default_year;
            own.default_unaided[l] = e.default_unaided;
        }
        let years = self.years();
        for y in 0..years {
            let (end, internal) = ws.revenue(y);
            let gross = end + internal;
            for (m, x) in [
                (NetworkMetric::GrossRevenue, gross),
                (NetworkMetric::EndCustomerRevenue, end),
                (NetworkMetric::InternalRevenue, internal),
                (NetworkMetric::Circularity, circularity(internal, gross)),
            ] {
                block.network[(m as usize * years + y) * w + l] = x;
            }
        }
        for (f, flow) in self.flows.iter().enumerate() {
            let paid: f64 = ws.paid[f].iter().sum();
            block.flow_paid[f * w + l] = paid;
            block.returned[f * w + l] = ws.purchases[flow.to * n + flow.from].min(paid);
        }
    }

    /// Evaluates the path whose inputs are `ws.inputs` and whose entities' own series are in
    /// `ws.entities`: the flows, clearing and financing of every year.
    fn clear_path(&self, ws: &mut NetworkWorkspace) {
        let n = self.entities.len();
        let years = self.years();
        let v = &ws.inputs[..];
        for e in &mut ws.entities {
            e.adjustments.clear();
            e.purchases_paid.fill(0.0);
            e.drawn_in.fill(0.0);
            e.drawn = [0.0; 3];
            e.outside_debt = 0.0;
            e.default_year = None;
            e.default_unaided = false;
            e.revenue_lost = 0.0;
        }
        for l in &mut ws.lent {
            l.fill(0.0);
        }
        ws.progress.fill(0.0);
        ws.released.fill(0.0);
        for p in &mut ws.paid {
            p.fill(0.0);
        }
        ws.purchases.fill(0.0);

        for y in 0..years {
            let stopped = |e: &EntityPath| e.default_year.is_some_and(|d| d < y);
            for (b, e) in ws.bases.iter_mut().zip(&ws.entities) {
                *b = [
                    e.end_customer_revenue[y],
                    e.end_customer_revenue[y],
                    e.capex[y],
                    e.own_capex[y],
                ];
            }
            // 1. What each flow carries this year, in dependency order.
            for &f in &self.order {
                let flow = &self.flows[f];
                let active = !stopped(&ws.entities[flow.from]) && !stopped(&ws.entities[flow.to]);
                let base = |of: super::MetricRef, bases: &[[f64; 4]]| {
                    bases[of.entity][base_index(of.metric)]
                };
                let contracted = match &flow.amount {
                    Amount::Schedule {
                        total,
                        start,
                        years,
                        profile,
                    } => scheduled(total.get(v), *start, years.get(v), profile, y),
                    Amount::Share { share, of } => share.get(v) * base(*of, &ws.bases),
                    Amount::Tranche {
                        per,
                        of,
                        amount,
                        cap,
                    } => {
                        ws.progress[f] += base(*of, &ws.bases);
                        let cap = cap.map_or(f64::INFINITY, |c| c.get(v));
                        let total = released(ws.progress[f], per.get(v), amount.get(v), cap);
                        let due = (total - ws.released[f]).max(0.0);
                        ws.released[f] = total.max(ws.released[f]);
                        due
                    }
                };
                ws.contracted[f] = contracted;
                let owed = if active { contracted } else { 0.0 };
                ws.owed[f] = owed;
                ws.due[f][y] = owed;
                if let FlowKind::Purchase(booking) = &flow.kind {
                    ws.bases[flow.to][0] += owed;
                    if matches!(booking, Booking::Capex { carved: false, .. }) {
                        ws.bases[flow.from][2] += owed;
                        ws.bases[flow.from][3] += owed;
                    }
                }
                ws.service[f] = match &flow.kind {
                    FlowKind::Loan { rate, term } if active => {
                        loan_service(&ws.lent[f], term.get(v) as usize, rate.get(v), y)
                    }
                    _ => (0.0, 0.0),
                };
            }

            // 2. Clear the year's obligations.
            ws.obligations.fill(0.0);
            ws.usable.fill(0.0);
            for (f, flow) in self.flows.iter().enumerate() {
                let (i, j) = (flow.from, flow.to);
                ws.obligations[i * n + j] += ws.owed[f];
                let net = match flow.kind {
                    FlowKind::Purchase(_) => ws.entities[j].margins[y],
                    _ => 1.0,
                };
                ws.usable[i * n + j] += ws.owed[f] * net;
                let (interest, principal) = ws.service[f];
                ws.obligations[j * n + i] += interest + principal;
                ws.usable[j * n + i] += interest + principal;
            }
            for (i, (entity, e)) in self.entities.iter().zip(&ws.entities).enumerate() {
                let fin = &entity.financing;
                let capacity = if e.default_year.is_some() {
                    0.0
                } else {
                    fin.equity_capacity.get(v) + fin.debt_capacity.get(v) + fin.backstop.get(v)
                        - e.funding_drawn()
                };
                let carved: f64 = ws.carved[i].iter().map(|&g| ws.owed[g]).sum();
                let previous = if y == 0 {
                    entity.model.finance.starting_cash.get(v)
                } else {
                    e.cash[y - 1]
                };
                ws.resources[i] = previous + e.own_free_cash_flow[y]
                    - fin.debt_rate.get(v) * e.outside_debt
                    + carved
                    + capacity;
            }
            ws.clearing
                .clear(&ws.obligations, &ws.usable, &ws.resources, &mut ws.payments);

            // 3. Pay and book every flow at its payer's share.
            for i in 0..n {
                let owed: f64 = ws.obligations[i * n..(i + 1) * n].iter().sum();
                ws.owed_in_all[i] = owed;
                ws.share_paid[i] = if owed > 0.0 {
                    (ws.payments[i] / owed).min(1.0)
                } else {
                    1.0
                };
            }
            for (f, flow) in self.flows.iter().enumerate() {
                let (i, j) = (flow.from, flow.to);
                let paid = ws.owed[f] * ws.share_paid[i];
                ws.paid[f][y] = paid;
                match &flow.kind {
                    FlowKind::Purchase(booking) => {
                        ws.entities[j].adjustments.revenue[y] += paid;
                        ws.entities[j].revenue_lost += ws.contracted[f] - paid;
                        ws.purchases[i * n + j] += paid;
                        ws.entities[i].purchases_paid[y] += paid;
                        let payer = &mut ws.entities[i].adjustments;
                        match booking {
                            Booking::Opex => payer.costs[y] += paid,
                            Booking::Capex { carved: true, .. } => {
                                // Part of the payer's own capex: what it did not pay, it
                                // did not spend.
                                payer.capex[y] -= ws.owed[f] - paid;
                            }
                            Booking::Capex {
                                life,
                                carved: false,
                            } => {
                                let life = life.get(v);
                                payer.capex[y] += paid;
                                depreciate(paid, life, y, &mut payer.depreciation);
                                // The charge is linear in the cost: the depreciation of a
                                // cost scaled by the charge per unit of depreciation.
                                let charge = charge_per_depreciation(
                                    self.entities[i].model.finance.hurdle_rate.get(v),
                                    life,
                                );
                                depreciate(paid * charge, life, y, &mut payer.capital_charge);
                            }
                        }
                    }
                    FlowKind::Equity { .. } => {
                        ws.entities[i].adjustments.financing[y] -= paid;
                        ws.entities[j].adjustments.financing[y] += paid;
                    }
                    FlowKind::Loan { .. } => {
                        ws.entities[i].adjustments.financing[y] -= paid;
                        ws.entities[j].adjustments.financing[y] += paid;
                        ws.lent[f][y] = paid;
                        let (interest, principal) = ws.service[f];
                        let share = ws.share_paid[j];
                        let (interest, principal) = (interest * share, principal * share);
                        ws.entities[j].adjustments.costs[y] += interest;
                        ws.entities[i].adjustments.costs[y] -= interest;
                        ws.entities[j].adjustments.financing[y] -= principal;
                        ws.entities[i].adjustments.financing[y] += principal;
                    }
                }
            }

            // 4. Cash, outside funding and defaults.
            for (i, (entity, e)) in self.entities.iter().zip(&mut ws.entities).enumerate() {
                let fin = &entity.financing;
                let interest = fin.debt_rate.get(v) * e.outside_debt;
                e.outside_interest[y] = interest;
                e.adjustments.costs[y] += interest;
                let a = &e.adjustments;
                let previous = if y == 0 {
                    entity.model.finance.starting_cash.get(v)
                } else {
                    e.cash[y - 1]
                };
                let mut cash = previous + e.own_free_cash_flow[y] + e.margins[y] * a.revenue[y]
                    - a.costs[y]
                    - a.capex[y]
                    + a.financing[y];
                if cash < 0.0 && e.default_year.is_none() {
                    let capacities = [
                        fin.equity_capacity.get(v),
                        fin.debt_capacity.get(v),
                        fin.backstop.get(v),
                    ];
                    for (k, capacity) in capacities.into_iter().enumerate() {
                        let draw = (capacity - e.drawn[k]).max(0.0).min(-cash);
                        e.drawn[k] += draw;
                        e.drawn_in[y] += draw;
                        cash += draw;
                        if k == 1 {
                            e.outside_debt += draw;
                        }
                    }
                }
                e.cash[y] = cash;
                let owed = ws.owed_in_all[i];
                let short = ws.payments[i] < owed * (1.0 - PAID_IN_FULL);
                if e.default_year.is_none() && (short || cash < 0.0) {
                    e.default_year = Some(y);
                    let in_full: f64 = (0..n).map(|j| ws.usable[j * n + i]).sum();
                    e.default_unaided = ws.resources[i] + in_full < owed * (1.0 - PAID_IN_FULL)
                        || ws.resources[i] + in_full - owed < 0.0;
                }
            }
        }
    }
}
