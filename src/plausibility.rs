//! Plausibility warnings: what a scenario or a run may legally hold but probably does not
//! mean. A growth rate above [`GROWTH_LIMIT`] (a percentage typed as a number: `growth = 50`
//! for 50%), a scenario with no revenue or no costs (its break-even is then certain or
//! impossible by construction), revenue above world GDP ([`WORLD_GDP_USD`]), and percentiles
//! clipped at the quantile histogram's floor. Front ends print them and go on, or with
//! `--strict` refuse the input ([`Warning::into_error`]).

use std::fmt;

use crate::model::{Metric, ParamId};
use crate::scenario::schema::{Unit, spec_of};
use crate::scenario::{Override, Scenario, ScenarioError, location};
use crate::stats::histogram::DYNAMIC_RANGE;
use crate::summary::RunSummary;

/// A growth rate above this (500% a year) is probably a percentage written as a number.
pub const GROWTH_LIMIT: f64 = 5.0;

/// World GDP in US dollars: about $110 trillion at current prices in 2024 (public figure:
/// IMF, World Economic Outlook database, October 2024). No firm's revenue can exceed it.
pub const WORLD_GDP_USD: f64 = 110e12;

/// Something allowed but probably not meant, located (file, line, key) and displayed as a
/// [`ScenarioError`] is.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning(pub ScenarioError);

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Warning {
    /// The warning as an input error (`--strict`).
    pub fn into_error(self) -> ScenarioError {
        ScenarioError {
            message: format!("{} (an error under --strict)", self.0.message),
            ..self.0
        }
    }
}

/// The warnings about `scenario`, compiled from `text` with `overrides`, before it runs.
pub fn of_scenario(scenario: &Scenario, text: &str, overrides: &[Override]) -> Vec<Warning> {
    let at = |key: &str, message: String| {
        let from_set = overrides.iter().find(|o| {
            key == o.key
                || key.starts_with(&format!("{}.", o.key))
                || o.key.starts_with(&format!("{key}."))
        });
        let (line, message) = match from_set {
            Some(o) => (None, format!("(from --set {o}) {message}")),
            None => (location::line_of_key(text, key), message),
        };
        Warning(ScenarioError {
            origin: scenario.origin.clone(),
            line,
            key: Some(key.to_string()),
            message,
        })
    };
    let mut warnings = Vec::new();
    for input in &scenario.inputs {
        let is_growth = input
            .key
            .rsplit('.')
            .next()
            .is_some_and(|k| k.contains("growth"))
            && spec_of(&input.key).is_some_and(|s| s.unit == Unit::RatePerYear);
        if !is_growth {
            continue;
        }
        let high = input.dist.quantile(0.99);
        if high > GROWTH_LIMIT {
            let what = if input.dist.is_fixed() {
                format!("a growth rate of {high}")
            } else {
                format!("a growth rate whose P99 is {high:.4}")
            };
            warnings.push(at(
                &input.key,
                format!(
                    "{what} is {:.0}% a year, above {:.0}%: a percentage written as a number? \
                     Rates are fractions (0.5 = 50% a year)",
                    100.0 * high,
                    100.0 * GROWTH_LIMIT
                ),
            ));
        }
    }
    if scenario.network.is_some() {
        return warnings;
    }
    let model = &scenario.model;
    let whole = |message: &str| {
        Warning(ScenarioError {
            origin: scenario.origin.clone(),
            line: None,
            key: None,
            message: message.to_string(),
        })
    };
    if model.streams.is_empty() && model.subscriptions.is_none() {
        warnings.push(whole(
            "the scenario has no revenue (no [subscriptions], no [streams.NAME]): every path \
             loses money, so it never breaks even",
        ));
    }
    let zero = |id: ParamId| {
        let d = &scenario.inputs[id.0].dist;
        d.is_fixed() && d.quantile(0.5) == 0.0
    };
    let costs = &model.costs;
    let no_costs = model.capex.is_none()
        && model.commitments.is_empty()
        && zero(costs.rnd)
        && zero(costs.sga_share)
        && zero(costs.cost_of_revenue_share)
        && zero(costs.cost_of_revenue_share_long_run);
    if no_costs {
        warnings.push(whole(
            "the scenario has no costs (no [capex], no [commitments], and [costs] all zero): \
             every path with revenue breaks even in its first year",
        ));
    }
    warnings
}

/// The warnings about a run's results: revenue above world GDP, and metrics whose P5 and P10
/// are both at the quantile histogram's floor (values more than 65,536 times smaller than the
/// largest of their sign, which the histogram reports at that floor).
pub fn of_run(scenario: &Scenario, summary: &RunSummary) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let warn = |key: String, message: String| {
        Warning(ScenarioError {
            origin: scenario.origin.clone(),
            line: None,
            key: Some(key),
            message,
        })
    };
    let above = (0..summary.years()).find_map(|y| {
        let max = summary.metric(Metric::Revenue, y).max()?;
        (max > WORLD_GDP_USD).then_some((y, max))
    });
    if let Some((y, max)) = above {
        warnings.push(warn(
            "revenue".into(),
            format!(
                "some paths' revenue exceeds world GDP (about $110T in 2024, IMF World Economic \
                 Outlook, October 2024) from {}: the largest is {}; check the growth rates and \
                 levels",
                scenario.year(y),
                crate::report::format::value(crate::unit::Unit::Usd, max)
            ),
        ));
    }
    for metric in Metric::ALL {
        let clipped: Vec<i32> = (0..summary.years())
            .filter(|&y| {
                let s = summary.metric(metric, y);
                match (s.quantile(0.05), s.quantile(0.10), s.min(), s.max()) {
                    (Some(p5), Some(p10), Some(min), Some(max)) if p5 == p10 && p5 != 0.0 => {
                        let extreme = if p5 > 0.0 { max } else { -min };
                        p5.abs() <= 2.0 * extreme / DYNAMIC_RANGE
                    }
                    _ => false,
                }
            })
            .map(|y| scenario.year(y))
            .collect();
        if let (Some(first), Some(last)) = (clipped.first(), clipped.last()) {
            let years = if first == last {
                first.to_string()
            } else {
                format!("{first}–{last} ({} years)", clipped.len())
            };
            warnings.push(warn(
                metric.name().into(),
                format!(
                    "P5 and P10 are clipped at the percentile histogram's floor in {years}: \
                     the values span more than a factor of {DYNAMIC_RANGE} within one sign, so \
                     the lower percentiles are reported at that floor (the mean, sd, min and \
                     max stay exact)"
                ),
            ));
        }
    }
    warnings
}
