//! Compiling `[entities]` and `[flows]` into a [`Network`].
//!
//! Each entity is compiled exactly as a single-firm file, with every key path under
//! `entities.NAME.`; its `[financing]` capacities default to zero. Each flow is checked
//! against the entities (who pays, who receives, which metric it is a share of), and the
//! flows are put in dependency order, a cycle of shares being an error. Top-level thresholds
//! name an entity's metric (`oracle.ebit`) or a network metric (`network.circularity`).

#[cfg(test)]
use crate::model::Metric;
use crate::model::ParamId;
use crate::network::{
    Amount, Booking, Entity, Financing, Flow, FlowBase, FlowKind, MetricRef, Network,
    NetworkMetric, NetworkTest, NetworkThreshold, order,
};
use crate::threshold::{Comparison, Years};

use super::compile::{
    Domain, FirmTables, Inputs, Problem, Span, compile_firm, compile_schedule, compile_threshold,
    problem,
};
use super::overrides::nearest_keys;
use super::raw::{RawFlow, RawParam, RawScenario, RawThreshold};

/// Top-level tables that describe one firm, and so belong under an entity in a network file.
const FIRM_TABLES: [&str; 7] = [
    "finance",
    "capex",
    "commitments",
    "subscriptions",
    "streams",
    "shocks",
    "costs",
];

/// Compiles the entities, flows and thresholds of a file with `[entities]`.
pub(super) fn compile(
    raw: &RawScenario,
    document: &toml::Table,
    span: &Span,
    inputs: &mut Inputs,
) -> Result<Network, Problem> {
    if let Some(table) = FIRM_TABLES.iter().find(|t| document.contains_key(**t)) {
        return Err(problem(
            *table,
            format!(
                "a file with [entities] describes each firm under [entities.NAME]; \
                 move [{table}] into one of them"
            ),
        ));
    }
    let mut entities: Vec<Entity> = Vec::new();
    for (name, e) in &raw.entities {
        let key = format!("entities.{name}");
        check_name(&key, name)?;
        let label = e.label.clone().unwrap_or_else(|| name.clone());
        if let Some(other) = entities.iter().find(|o| o.label == label) {
            return Err(problem(
                format!("{key}.label"),
                format!(
                    "two entities are named '{label}' (entities.{} and {key})",
                    other.name
                ),
            ));
        }
        let prefix = format!("{key}.");
        let (model, thresholds) = compile_firm(&FirmTables::of_entity(e), &prefix, span, inputs)?;
        let f = e.financing.as_ref();
        let capacity = |inputs: &mut Inputs, field: &str, raw: Option<&RawParam>| {
            let id = inputs.optional(
                &format!("{key}.financing.{field}"),
                raw,
                0.0,
                Domain::NonNegative,
            )?;
            attach_source(inputs, id, raw, f.and_then(|f| f.source.as_ref()));
            Ok::<ParamId, Problem>(id)
        };
        let financing = Financing {
            equity_capacity: capacity(
                inputs,
                "equity_capacity",
                f.and_then(|f| f.equity_capacity.as_ref()),
            )?,
            debt_capacity: capacity(
                inputs,
                "debt_capacity",
                f.and_then(|f| f.debt_capacity.as_ref()),
            )?,
            debt_rate: {
                let raw_rate = f.and_then(|f| f.debt_rate.as_ref());
                let id = inputs.optional(
                    &format!("{key}.financing.debt_rate"),
                    raw_rate,
                    0.0,
                    Domain::Rate,
                )?;
                attach_source(inputs, id, raw_rate, f.and_then(|f| f.source.as_ref()));
                id
            },
            backstop: capacity(inputs, "backstop", f.and_then(|f| f.backstop.as_ref()))?,
        };
        entities.push(Entity {
            name: name.clone(),
            label,
            model,
            thresholds,
            financing,
        });
    }

    let mut flows = Vec::new();
    for (name, f) in &raw.flows {
        flows.push(compile_flow(name, f, &entities, span, inputs)?);
    }
    check_carved_shares(&flows, &raw.flows, &entities, inputs)?;
    let order = order::dependency_order(&flows).map_err(|mut cycle| {
        // Start from the flow written first; each flow in the cycle feeds the next.
        let first = (0..cycle.len())
            .min_by_key(|&k| cycle[k])
            .expect("a cycle has a flow");
        cycle.rotate_left(first);
        let steps: Vec<String> = (0..cycle.len())
            .map(|k| {
                let flow = &flows[cycle[k]];
                let feeder = &flows[cycle[(k + cycle.len() - 1) % cycle.len()]];
                let of = order::reads(flow).expect("a flow in a cycle reads a metric");
                format!(
                    "flows.{} is a share of {}.{}, which flows.{} feeds",
                    flow.name,
                    entities[of.entity].name,
                    of.metric.name(),
                    feeder.name
                )
            })
            .collect();
        problem(
            format!("flows.{}.of", flows[cycle[0]].name),
            format!(
                "these shares depend on each other in a circle and cannot be computed: {}; \
                 base one of them on a schedule or on end_customer_revenue",
                steps.join("; ")
            ),
        )
    })?;

    let thresholds = raw
        .thresholds
        .iter()
        .map(|(name, t)| compile_network_threshold(name, t, &entities, span))
        .collect::<Result<Vec<_>, _>>()?;

    Ok(Network {
        entities,
        flows,
        order,
        thresholds,
    })
}

/// Entity names are used in keys (`openai.capex`, `openai.default`): lowercase letters,
/// digits and underscores, starting with a letter; `network` is reserved.
fn check_name(key: &str, name: &str) -> Result<(), Problem> {
    let ok = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        return Err(problem(
            key,
            format!(
                "an entity name is used in keys such as '{name}.capex', so it must be lowercase \
                 letters, digits and '_', starting with a letter (give a readable name as 'label')"
            ),
        ));
    }
    if name == "network" {
        return Err(problem(
            key,
            "'network' is reserved for network metrics such as network.end_customer_revenue",
        ));
    }
    Ok(())
}

/// Gives an input without a source of its own the table's `source`.
fn attach_source(
    inputs: &mut Inputs,
    id: ParamId,
    raw: Option<&RawParam>,
    source: Option<&String>,
) {
    if let (Some(_), Some(source)) = (raw, source) {
        inputs.list[id.0]
            .source
            .get_or_insert_with(|| source.clone());
    }
}

fn entity_index(key: &str, name: &str, entities: &[Entity]) -> Result<usize, Problem> {
    entities.iter().position(|e| e.name == name).ok_or_else(|| {
        let names: Vec<String> = entities.iter().map(|e| e.name.clone()).collect();
        let near = nearest_keys(name, &names);
        let hint = if near.is_empty() {
            format!("entities: {}", names.join(", "))
        } else {
            format!("did you mean {}?", near.join(" or "))
        };
        problem(key, format!("no entity named '{name}'; {hint}"))
    })
}

/// Parses `ENTITY.METRIC` into a metric a flow can depend on.
fn metric_ref(key: &str, text: &str, entities: &[Entity]) -> Result<MetricRef, Problem> {
    let names: Vec<&str> = FlowBase::ALL.iter().map(|m| m.name()).collect();
    let Some((entity, metric)) = text.split_once('.') else {
        return Err(problem(
            key,
            format!(
                "'{text}' should name an entity's metric, e.g. '{}.capex' (metrics: {})",
                entities[0].name,
                names.join(", ")
            ),
        ));
    };
    let entity = entity_index(key, entity, entities)?;
    let metric = FlowBase::from_name(metric).ok_or_else(|| {
        problem(
            key,
            format!(
                "unknown metric '{metric}' in '{text}'; a flow can be a share of {}",
                names.join(", ")
            ),
        )
    })?;
    Ok(MetricRef { entity, metric })
}

fn compile_flow(
    name: &str,
    f: &RawFlow,
    entities: &[Entity],
    span: &Span,
    inputs: &mut Inputs,
) -> Result<Flow, Problem> {
    let key = format!("flows.{name}");
    let k = |field: &str| format!("{key}.{field}");
    let from = entity_index(&k("from"), &f.from, entities)?;
    let to = entity_index(&k("to"), &f.to, entities)?;
    if from == to {
        return Err(problem(
            k("to"),
            format!(
                "a flow goes from one entity to another, but both are '{}'",
                f.to
            ),
        ));
    }
    let first_input = inputs.list.len();
    let amount = compile_amount(&key, f, to, entities, span, inputs)?;
    let only = |field: &str, present: bool, kinds: &str| {
        if present {
            Err(problem(
                k(field),
                format!("'{field}' applies only to {kinds}"),
            ))
        } else {
            Ok(())
        }
    };
    let kind = match f.kind.as_str() {
        "equity" => {
            only("as", f.booked_as.is_some(), "purchases")?;
            only("rate", f.rate.is_some(), "loans")?;
            only("term", f.term.is_some(), "loans")?;
            only(
                "life_years",
                f.life_years.is_some(),
                "purchases booked as capex",
            )?;
            if let Some(stake) = f
                .stake
                .filter(|s| !(s.is_finite() && (0.0..=1.0).contains(s)))
            {
                return Err(problem(
                    k("stake"),
                    format!("a stake is a share and must lie in [0, 1], got {stake}"),
                ));
            }
            FlowKind::Equity { stake: f.stake }
        }
        "purchase" => {
            only("stake", f.stake.is_some(), "equity")?;
            only("rate", f.rate.is_some(), "loans")?;
            only("term", f.term.is_some(), "loans")?;
            match f.booked_as.as_deref() {
                Some("opex") => {
                    only(
                        "life_years",
                        f.life_years.is_some(),
                        "purchases booked as capex",
                    )?;
                    FlowKind::Purchase(Booking::Opex)
                }
                Some("capex") => {
                    let life = match (&f.life_years, &entities[from].model.capex) {
                        (Some(raw), _) => inputs.required(&k("life_years"), raw, Domain::Life)?,
                        (None, Some(capex)) => capex.gpu_life_years,
                        (None, None) => {
                            return Err(problem(
                                k("life_years"),
                                format!(
                                    "a purchase booked as capex is depreciated over the payer's \
                                     GPU life, and '{}' has no [capex]: give life_years",
                                    f.from
                                ),
                            ));
                        }
                    };
                    let carved = matches!(
                        &amount,
                        Amount::Share { of, .. } if of.entity == from
                            && matches!(of.metric, FlowBase::Capex | FlowBase::OwnCapex)
                    );
                    FlowKind::Purchase(Booking::Capex { life, carved })
                }
                Some(other) => {
                    return Err(problem(
                        k("as"),
                        format!("a purchase is booked as \"opex\" or \"capex\", got '{other}'"),
                    ));
                }
                None => {
                    return Err(problem(
                        k("as"),
                        "missing: a purchase is booked as \"opex\" (services, compute rental) or \"capex\" (chips, buildings)",
                    ));
                }
            }
        }
        "loan" => {
            only("as", f.booked_as.is_some(), "purchases")?;
            only("stake", f.stake.is_some(), "equity")?;
            only(
                "life_years",
                f.life_years.is_some(),
                "purchases booked as capex",
            )?;
            let term = match &f.term {
                Some(raw) => inputs.required(&k("term"), raw, Domain::WholeYears)?,
                None => {
                    return Err(problem(
                        k("term"),
                        "missing: a loan needs a term, the whole years until each amount lent is repaid",
                    ));
                }
            };
            let rate = match &f.rate {
                Some(raw) => inputs.required(&k("rate"), raw, Domain::Rate)?,
                None => {
                    return Err(problem(
                        k("rate"),
                        "missing: a loan needs a yearly interest rate",
                    ));
                }
            };
            FlowKind::Loan { rate, term }
        }
        other => {
            return Err(problem(
                k("kind"),
                format!("unknown kind '{other}' (expected equity, purchase or loan)"),
            ));
        }
    };
    if let Some(source) = &f.source {
        for input in &mut inputs.list[first_input..] {
            input.source.get_or_insert_with(|| source.clone());
        }
    }
    Ok(Flow {
        name: name.to_string(),
        from,
        to,
        kind,
        amount,
    })
}

fn compile_amount(
    key: &str,
    f: &RawFlow,
    to: usize,
    entities: &[Entity],
    span: &Span,
    inputs: &mut Inputs,
) -> Result<Amount, Problem> {
    let k = |field: &str| format!("{key}.{field}");
    let forms = [f.total.is_some(), f.share.is_some(), f.tranche.is_some()];
    if forms.iter().filter(|x| **x).count() != 1 {
        return Err(problem(
            key,
            "give the amount as exactly one of 'total' (a schedule), 'share' with 'of' \
             (a share of an entity's metric) or 'tranche'",
        ));
    }
    let schedule_fields =
        f.start_year.is_some() || f.years.is_some() || f.profile.is_some() || f.weights.is_some();
    if let Some(total) = &f.total {
        let total = inputs.required(&k("total"), total, Domain::NonNegative)?;
        let start = span.offset(&k("start_year"), f.start_year.unwrap_or(span.start))?;
        let (profile, years) = compile_schedule(
            &k(""),
            f.profile.as_deref(),
            f.weights.as_deref(),
            f.years.as_ref(),
            Some(1.0),
            inputs,
        )?;
        return Ok(Amount::Schedule {
            total,
            start,
            years,
            profile,
        });
    }
    if schedule_fields {
        let field = ["start_year", "years", "profile", "weights"]
            .into_iter()
            .zip([
                f.start_year.is_some(),
                f.years.is_some(),
                f.profile.is_some(),
                f.weights.is_some(),
            ])
            .find(|(_, present)| *present)
            .map(|(field, _)| field)
            .expect("a schedule field is present");
        return Err(problem(
            k(field),
            format!("'{field}' belongs to a schedule given by 'total'"),
        ));
    }
    if let Some(share) = &f.share {
        let Some(of) = &f.of else {
            return Err(problem(
                k("of"),
                "missing: a share needs 'of', the metric it is a share of (e.g. \"oracle.capex\")",
            ));
        };
        let share = inputs.required(&k("share"), share, Domain::Share)?;
        let of = metric_ref(&k("of"), of, entities)?;
        return Ok(Amount::Share { share, of });
    }
    if f.of.is_some() {
        return Err(problem(
            k("of"),
            "'of' goes with 'share'; a tranche names its metric inside 'tranche'",
        ));
    }
    let t = f.tranche.as_ref().expect("one form is present");
    let tk = |field: &str| format!("{key}.tranche.{field}");
    let of = metric_ref(&tk("of"), &t.of, entities)?;
    if of.entity != to {
        return Err(problem(
            tk("of"),
            format!(
                "tranches are released against the receiver's progress: name a metric of '{}'",
                entities[to].name
            ),
        ));
    }
    Ok(Amount::Tranche {
        per: inputs.required(&tk("per"), &t.per, Domain::Positive)?,
        of,
        amount: inputs.required(&tk("amount"), &t.amount, Domain::NonNegative)?,
        cap: t
            .cap
            .as_ref()
            .map(|c| inputs.required(&tk("cap"), c, Domain::NonNegative))
            .transpose()?,
    })
}

/// Carved purchases split the payer's own capex among payees, so their shares of one metric
/// must not sum above one.
fn check_carved_shares(
    flows: &[Flow],
    raw: &indexmap::IndexMap<String, RawFlow>,
    entities: &[Entity],
    inputs: &Inputs,
) -> Result<(), Problem> {
    for (i, f) in flows.iter().enumerate() {
        let Amount::Share { of, .. } = &f.amount else {
            continue;
        };
        if !matches!(
            f.kind,
            FlowKind::Purchase(Booking::Capex { carved: true, .. })
        ) {
            continue;
        }
        let sum: f64 = flows[..=i]
            .iter()
            .filter_map(|g| match (&g.kind, &g.amount) {
                (
                    FlowKind::Purchase(Booking::Capex { carved: true, .. }),
                    Amount::Share { share, of: o },
                ) if o == of => Some(inputs.support(*share).1),
                _ => None,
            })
            .sum();
        if sum > 1.0 + 1e-12 {
            let name = raw.get_index(i).map(|(n, _)| n.as_str()).unwrap_or(&f.name);
            return Err(problem(
                format!("flows.{name}.share"),
                format!(
                    "the capex purchases that are shares of {}.{} can sum to {sum}, more than \
                     all of it",
                    entities[of.entity].name,
                    of.metric.name()
                ),
            ));
        }
    }
    Ok(())
}

/// A top-level threshold of a network file.
fn compile_network_threshold(
    name: &str,
    t: &RawThreshold,
    entities: &[Entity],
    span: &Span,
) -> Result<NetworkThreshold, Problem> {
    let key = format!("thresholds.{name}");
    let Some((scope, metric)) = t.metric.split_once('.') else {
        return Err(problem(
            format!("{key}.metric"),
            format!(
                "in a network file a top-level threshold names an entity's metric \
                 ('{}.{}') or a network metric ('network.end_customer_revenue')",
                entities[0].name, t.metric
            ),
        ));
    };
    if scope == "network" {
        let metric = NetworkMetric::from_name(metric).ok_or_else(|| {
            let names: Vec<&str> = NetworkMetric::ALL.iter().map(|m| m.name()).collect();
            problem(
                format!("{key}.metric"),
                format!(
                    "unknown network metric '{metric}' (expected one of {})",
                    names.join(", ")
                ),
            )
        })?;
        let comparison = Comparison::parse(&t.op).ok_or_else(|| {
            problem(
                format!("{key}.op"),
                format!("unknown comparison '{}' (expected >=, >, <= or <)", t.op),
            )
        })?;
        let years = match (t.year, t.by) {
            (Some(y), None) => Years::In(span.offset(&format!("{key}.year"), y)?),
            (None, Some(y)) => Years::By(span.offset(&format!("{key}.by"), y)?),
            _ => {
                return Err(problem(
                    key,
                    "a network metric needs exactly one of 'year' (in that year) or 'by' (in any year up to it)",
                ));
            }
        };
        let value = match (t.value, t.times, &t.of) {
            (Some(v), None, None) if v.is_finite() => v,
            _ => {
                return Err(problem(
                    format!("{key}.value"),
                    "a network metric is compared with a finite 'value'",
                ));
            }
        };
        let when = match years {
            Years::In(y) => format!("in {}", span.start + y as i32),
            Years::By(y) => format!("by {}", span.start + y as i32),
        };
        let shown = if value.abs() >= 1e5 {
            format!("{value:e}")
        } else {
            format!("{value}")
        };
        return Ok(NetworkThreshold {
            name: name.to_string(),
            label: t.label.clone().unwrap_or_else(|| {
                format!(
                    "network.{} {} {shown} {when}",
                    metric.name(),
                    comparison.symbol()
                )
            }),
            test: NetworkTest::Aggregate {
                metric,
                years,
                comparison,
                value,
            },
            source: t.source.clone(),
        });
    }
    let entity = entity_index(&format!("{key}.metric"), scope, entities)?;
    let unqualified = |m: &str| -> Result<String, Problem> {
        match m.split_once('.') {
            Some((e, rest)) if e == scope => Ok(rest.to_string()),
            Some(_) => Err(problem(
                format!("{key}.of"),
                format!("'of' must be a metric of the same entity, '{scope}'"),
            )),
            None => Ok(m.to_string()),
        }
    };
    let local = RawThreshold {
        metric: metric.to_string(),
        of: t.of.as_deref().map(unqualified).transpose()?,
        ..t.clone()
    };
    let mut threshold = compile_threshold(&key, name, &local, span)?;
    if t.label.is_none() {
        threshold.label = format!("{scope}.{}", threshold.label);
    }
    Ok(NetworkThreshold {
        name: name.to_string(),
        label: threshold.label.clone(),
        source: threshold.source.clone(),
        test: NetworkTest::Entity { entity, threshold },
    })
}

/// The metric names an entity threshold may use, for the check that `Metric` covers them.
#[cfg(test)]
fn entity_metric_names() -> Vec<&'static str> {
    Metric::ALL.iter().map(|m| m.name()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_bases_are_entity_metrics_or_end_customer_revenue() {
        let names = entity_metric_names();
        for base in FlowBase::ALL {
            assert!(
                names.contains(&base.name()) || base == FlowBase::EndCustomerRevenue,
                "{}",
                base.name()
            );
        }
    }
}
