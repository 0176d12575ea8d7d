//! The order in which a year's flows can be computed.
//!
//! A flow that is a share of a metric (`share = 0.4, of = "oracle.capex"`), or released in
//! tranches against one, needs that metric's value for the year, and the metric includes the
//! flows that feed it ([`FlowBase::fed_by`]): Oracle's capex includes the capex purchases
//! Oracle makes that are not carved from its own programme. So flows form a dependency graph,
//! and they are computed in a topological order of it (Kahn's algorithm, taking the earliest
//! flow in file order whenever several are ready, so the order is deterministic). A cycle,
//! for example A's flow a share of B's capex and B's flow a share of A's, has no such order:
//! it is an error naming the flows around it.

use super::{Amount, Flow, FlowBase, MetricRef};

/// The metric a flow's amount reads, if any.
pub fn reads(flow: &Flow) -> Option<MetricRef> {
    match &flow.amount {
        Amount::Schedule { .. } => None,
        Amount::Share { of, .. } | Amount::Tranche { of, .. } => Some(*of),
    }
}

/// Whether flow `g` must be computed before flow `f`.
fn feeds(g: &Flow, f: &Flow) -> bool {
    reads(f).is_some_and(|MetricRef { entity, metric }| FlowBase::fed_by(metric, entity, g))
}

/// Flow indices in dependency order, or the indices of the flows around a cycle, each
/// feeding the next and the last feeding the first.
pub fn dependency_order(flows: &[Flow]) -> Result<Vec<usize>, Vec<usize>> {
    let n = flows.len();
    let mut waiting: Vec<usize> = (0..n)
        .map(|f| (0..n).filter(|&g| feeds(&flows[g], &flows[f])).count())
        .collect();
    let mut done = vec![false; n];
    let mut order = Vec::with_capacity(n);
    while let Some(f) = (0..n).find(|&f| !done[f] && waiting[f] == 0) {
        done[f] = true;
        order.push(f);
        for (h, w) in waiting.iter_mut().enumerate() {
            if !done[h] && feeds(&flows[f], &flows[h]) {
                *w -= 1;
            }
        }
    }
    if order.len() == n {
        return Ok(order);
    }
    // Every flow left waits on another flow left: walk back along such edges from the
    // earliest until a flow repeats; the walk from its first visit is a cycle.
    let start = (0..n).find(|&f| !done[f]).expect("a flow is left");
    let mut walk = vec![start];
    loop {
        let f = *walk.last().expect("the walk is not empty");
        let g = (0..n)
            .find(|&g| !done[g] && feeds(&flows[g], &flows[f]))
            .expect("a flow left waits on another flow left");
        if let Some(at) = walk.iter().position(|&x| x == g) {
            let mut cycle = walk[at..].to_vec();
            // The walk went from each flow to one that feeds it; report feeders first.
            cycle.reverse();
            return Err(cycle);
        }
        walk.push(g);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ParamId, Profile};
    use crate::network::{Booking, FlowKind};

    fn purchase_capex(from: usize, to: usize, amount: Amount) -> Flow {
        Flow {
            name: format!("{from}to{to}"),
            from,
            to,
            kind: FlowKind::Purchase(Booking::Capex {
                life: ParamId(0),
                carved: false,
            }),
            amount,
        }
    }

    fn share_of(entity: usize, metric: FlowBase) -> Amount {
        Amount::Share {
            share: ParamId(0),
            of: MetricRef { entity, metric },
        }
    }

    fn schedule() -> Amount {
        Amount::Schedule {
            total: ParamId(0),
            start: 0,
            years: ParamId(0),
            profile: Profile::Flat,
        }
    }

    #[test]
    fn a_share_comes_after_the_flows_feeding_its_metric() {
        // 0: share of entity 1's revenue, fed by 1 (entity 2 -> 1, a share of 2's capex),
        // which 2 feeds (entity 2 buys more capex on a schedule).
        // The middle flow is a share of its payer's own capex, so it is carved from it and
        // does not feed it.
        let mut carved = purchase_capex(2, 1, share_of(2, FlowBase::Capex));
        carved.kind = FlowKind::Purchase(Booking::Capex {
            life: ParamId(0),
            carved: true,
        });
        let flows = vec![
            purchase_capex(0, 3, share_of(1, FlowBase::Revenue)),
            carved,
            purchase_capex(2, 3, schedule()),
        ];
        assert_eq!(dependency_order(&flows), Ok(vec![2, 1, 0]));
    }

    #[test]
    fn independent_flows_keep_file_order() {
        let flows = vec![
            purchase_capex(0, 1, schedule()),
            purchase_capex(1, 0, schedule()),
        ];
        assert_eq!(dependency_order(&flows), Ok(vec![0, 1]));
    }

    #[test]
    fn a_cycle_is_named_flow_by_flow() {
        // A's purchase is a share of B's capex, B's a share of A's capex.
        let flows = vec![
            purchase_capex(2, 3, schedule()),
            purchase_capex(0, 3, share_of(1, FlowBase::Capex)),
            purchase_capex(1, 3, share_of(0, FlowBase::Capex)),
        ];
        let cycle = dependency_order(&flows).unwrap_err();
        assert_eq!(cycle.len(), 2);
        assert!(cycle.contains(&1) && cycle.contains(&2));
        // Each flow feeds the next.
        for (i, &f) in cycle.iter().enumerate() {
            let next = cycle[(i + 1) % cycle.len()];
            assert!(feeds(&flows[f], &flows[next]));
        }
        // A flow that is a share of a metric it feeds itself is a cycle of one.
        let flows = vec![purchase_capex(0, 1, share_of(1, FlowBase::Revenue))];
        assert_eq!(dependency_order(&flows), Err(vec![0]));
    }
}
