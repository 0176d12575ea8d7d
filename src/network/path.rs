//! One path of a network, year by year.
//!
//! Each entity's own tables are simulated first, as a single firm ([`Model::simulate`]): its
//! build-out, end-customer revenue and costs do not depend on the others. Then, for each year:
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
//! within the horizon; drawn equity and backstop cost nothing. The entity's trajectory
//! ([`Model::reaccount`]) holds its accounts with the flows; its cash there excludes outside
//! draws, so its funding gap is the need before capacities, as for a single firm.

use crate::model::hurdle::charge_per_depreciation;
use crate::model::{Adjustments, Metric, NumericError, Trajectory, Workspace, YearlyNumbers};

use super::clearing::Clearing;
use super::schedule::{depreciate, loan_service, released, scheduled};
use super::{Amount, Booking, FlowBase, FlowKind, Network};

/// Relative shortfall below which a payment counts as made in full.
const PAID_IN_FULL: f64 = 1e-9;

/// The state and results of one entity on one path.
#[derive(Debug, Clone)]
pub struct EntityPath {
    workspace: Workspace,
    /// Its yearly random numbers (users, streams, shocks), from its own streams.
    pub yearly: YearlyNumbers,
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
    /// The entity's accounts with its flows (after [`Network::simulate`]).
    pub fn trajectory(&self) -> &Trajectory {
        &self.workspace.trajectory
    }

    /// Outside funding drawn, all kinds.
    pub fn funding_drawn(&self) -> f64 {
        self.drawn.iter().sum()
    }
}

/// Everything one network path needs, allocated once and reused.
#[derive(Debug, Clone)]
pub struct NetworkWorkspace {
    /// Per entity, in network order.
    pub entities: Vec<EntityPath>,
    clearing: Clearing,
    obligations: Vec<f64>,
    usable: Vec<f64>,
    resources: Vec<f64>,
    payments: Vec<f64>,
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

fn base_index(metric: FlowBase) -> usize {
    match metric {
        FlowBase::Revenue => 0,
        FlowBase::EndCustomerRevenue => 1,
        FlowBase::Capex => 2,
        FlowBase::OwnCapex => 3,
    }
}

impl Network {
    /// A workspace sized for this network.
    pub fn workspace(&self) -> NetworkWorkspace {
        let n = self.entities.len();
        let years = self.years();
        let flows = self.flows.len();
        NetworkWorkspace {
            entities: self
                .entities
                .iter()
                .map(|e| EntityPath {
                    workspace: e.model.workspace(),
                    yearly: YearlyNumbers::new(&e.model),
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
        ws: &mut NetworkWorkspace,
    ) -> Result<(), NumericError> {
        for (entity, e) in self.entities.iter().zip(&mut ws.entities) {
            e.yearly.fill(&entity.model, path_key);
        }
        self.simulate_numbers(v, ws)
    }

    /// Simulates one path from its drawn inputs `v` and the yearly numbers already in
    /// `ws.entities[i].yearly`.
    pub fn simulate_numbers(
        &self,
        v: &[f64],
        ws: &mut NetworkWorkspace,
    ) -> Result<(), NumericError> {
        let n = self.entities.len();
        let years = self.years();
        for (entity, e) in self.entities.iter().zip(&mut ws.entities) {
            entity.model.simulate(v, &e.yearly, &mut e.workspace)?;
            let t = &e.workspace.trajectory;
            e.end_customer_revenue
                .copy_from_slice(t.series(Metric::Revenue));
            e.capex.copy_from_slice(t.series(Metric::Capex));
            e.own_capex.copy_from_slice(t.series(Metric::OwnCapex));
            e.own_free_cash_flow
                .copy_from_slice(t.series(Metric::FreeCashFlow));
            entity.model.costs.margins(v, &mut e.margins);
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
                let carved: f64 = self
                    .flows
                    .iter()
                    .enumerate()
                    .filter(|(_, g)| {
                        g.from == i
                            && matches!(
                                g.kind,
                                FlowKind::Purchase(Booking::Capex { carved: true, .. })
                            )
                    })
                    .map(|(g, _)| ws.owed[g])
                    .sum();
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
            let share_paid = |i: usize, ws: &NetworkWorkspace| {
                let owed: f64 = ws.obligations[i * n..(i + 1) * n].iter().sum();
                if owed > 0.0 {
                    (ws.payments[i] / owed).min(1.0)
                } else {
                    1.0
                }
            };
            for (f, flow) in self.flows.iter().enumerate() {
                let (i, j) = (flow.from, flow.to);
                let paid = ws.owed[f] * share_paid(i, ws);
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
                        let share = share_paid(j, ws);
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
                let owed: f64 = ws.obligations[i * n..(i + 1) * n].iter().sum();
                let short = ws.payments[i] < owed * (1.0 - PAID_IN_FULL);
                if e.default_year.is_none() && (short || cash < 0.0) {
                    e.default_year = Some(y);
                    let in_full: f64 = (0..n).map(|j| ws.usable[j * n + i]).sum();
                    e.default_unaided = ws.resources[i] + in_full < owed * (1.0 - PAID_IN_FULL)
                        || ws.resources[i] + in_full - owed < 0.0;
                }
            }
        }

        for (entity, e) in self.entities.iter().zip(&mut ws.entities) {
            entity
                .model
                .reaccount(v, &e.adjustments, &mut e.workspace)?;
        }
        Ok(())
    }
}
