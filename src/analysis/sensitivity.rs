//! Sensitivity: which uncertain inputs move an output, three ways.
//!
//! * **Tornado** (one-at-a-time swing): each uncertain input is fixed at its own 10th and then
//!   its 90th percentile (its quantile function), every other input stays random, and the
//!   output is estimated on the same paths each time (common random numbers), so the swing is
//!   the input's effect and little else.
//! * **Spearman rank correlation** of each input's drawn values with the output over a stored
//!   sample of paths (average ranks for ties, which a yes/no output has many of); under no
//!   association its standard error is about `1 / sqrt(n - 1)`.
//! * **What must be true**: the median of each input over the sampled paths that meet the
//!   event against those that miss it (for a metric output: above against below its median).
//!
//! Inputs are ranked by the tornado's swing.

use serde::Serialize;

use super::{AnalysisError, side_by_side, summarise};
use crate::dist::Dist;
use crate::engine::{Plan, Progress};
use crate::scenario::Scenario;
use crate::scenario_run::{self as any, Event, MetricKey, PathOutcome, ScenarioSummary};
use crate::simulation::RunOptions;
use crate::summary::EventInfo;
use crate::unit::Unit;

/// The most paths stored for rank correlations and medians.
pub const MAX_SAMPLE: u64 = 50_000;
/// Paths per tornado run unless the caller says.
pub const DEFAULT_PATHS: u64 = 20_000;

/// The two percentiles each input is fixed at.
pub const LOW: f64 = 0.10;
pub const HIGH: f64 = 0.90;

/// A statistic of a metric over paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Statistic {
    Median,
    Mean,
}

/// What the sensitivity is of.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Output {
    /// The probability of an event.
    Probability(Event),
    /// A statistic of a metric (of an entity, in a network) in a year index.
    Metric {
        metric: MetricKey,
        year: usize,
        statistic: Statistic,
    },
}

impl Output {
    /// `statistic` of the metric named `name` (`ENTITY.METRIC` in a network) in calendar year
    /// `year` of `scenario`.
    pub fn metric(
        scenario: &Scenario,
        name: &str,
        year: i32,
        statistic: Statistic,
    ) -> Result<Output, AnalysisError> {
        let metric = MetricKey::named(name, scenario)
            .map_err(|problem| AnalysisError::Usage(format!("--metric {name}: {problem}")))?;
        if year < scenario.start_year || year > scenario.horizon {
            return Err(AnalysisError::Usage(format!(
                "--year {year}: outside the simulated years {}–{}",
                scenario.start_year, scenario.horizon
            )));
        }
        Ok(Output::Metric {
            metric,
            year: (year - scenario.start_year) as usize,
            statistic,
        })
    }

    /// The output's value for a run.
    fn of_summary(&self, summary: &ScenarioSummary) -> f64 {
        match *self {
            Output::Probability(e) => summary.hits(e) as f64 / summary.paths() as f64,
            Output::Metric {
                metric,
                year,
                statistic,
            } => {
                let stats = summary.metric(metric, year);
                match statistic {
                    Statistic::Median => stats.quantile(0.5),
                    Statistic::Mean => stats.mean(),
                }
                .unwrap_or(f64::NAN)
            }
        }
    }

    /// The output's value on one path: 1 or 0 for an event, the metric for a metric.
    fn of_path(&self, path: PathOutcome, scenario: &Scenario) -> f64 {
        match *self {
            Output::Probability(e) => f64::from(u8::from(e.happened(path, scenario))),
            Output::Metric { metric, year, .. } => path.metric(metric, year),
        }
    }

    fn info(&self, scenario: &Scenario) -> OutputInfo {
        match *self {
            Output::Probability(e) => OutputInfo {
                name: e.name(scenario),
                label: format!("P({})", e.label(scenario)),
                unit: Unit::Probability,
            },
            Output::Metric {
                metric,
                year,
                statistic,
            } => OutputInfo {
                name: format!("{}_{}", metric.name(scenario), scenario.year(year)),
                label: format!(
                    "{} of {} in {}",
                    match statistic {
                        Statistic::Median => "median",
                        Statistic::Mean => "mean",
                    },
                    match metric.entity {
                        Some(_) => format!(
                            "{} ({})",
                            metric.metric.description(),
                            metric.name(scenario)
                        ),
                        None => metric.metric.description().to_string(),
                    },
                    scenario.year(year)
                ),
                unit: metric.metric.unit(),
            },
        }
    }
}

/// The output as outputs name it.
#[derive(Debug, Clone, Serialize)]
pub struct OutputInfo {
    pub name: String,
    pub label: String,
    /// `probability`, `USD` or `people`.
    pub unit: Unit,
}

/// One end of a tornado bar.
#[derive(Debug, Clone, Serialize)]
pub struct Swing {
    /// The value the input was fixed at.
    pub input: f64,
    /// The output with the input fixed there.
    pub output: f64,
    /// The Wilson 95% interval of the output, for a probability.
    pub ci95: Option<[f64; 2]>,
}

/// One uncertain input's effect on the output.
#[derive(Debug, Clone, Serialize)]
pub struct InputEffect {
    pub key: String,
    pub distribution: String,
    pub source: Option<String>,
    /// The output with the input at its 10th percentile.
    pub at_p10: Swing,
    /// The output with the input at its 90th percentile.
    pub at_p90: Swing,
    /// `at_p90.output - at_p10.output`.
    pub swing: f64,
    /// Spearman rank correlation of the input with the output over the sample.
    pub spearman: f64,
    /// Median of the input over sampled paths that meet the event (or are above the output's
    /// median); `None` when there are none.
    pub median_met: Option<f64>,
    /// Median of the input over the other sampled paths.
    pub median_missed: Option<f64>,
}

/// A finished sensitivity analysis.
#[derive(Debug, Clone, Serialize)]
pub struct Sensitivity {
    pub scenario: String,
    pub file: String,
    pub seed: u64,
    /// Paths of each tornado run.
    pub paths: u64,
    /// Paths stored for the rank correlations and medians.
    pub sample_paths: u64,
    pub output: OutputInfo,
    /// The event, for a probability output.
    pub event: Option<EventInfo>,
    /// The output with every input random.
    pub base: f64,
    pub base_ci95: Option<[f64; 2]>,
    /// How the sample is split for "what must be true".
    pub split: &'static str,
    /// Paths of the sample on the "met" side of the split.
    pub sample_met: u64,
    /// Uncertain inputs, largest swing first.
    pub inputs: Vec<InputEffect>,
}

/// Runs the tornado with `plan` and stores up to [`MAX_SAMPLE`] of its paths for the rank
/// correlations and medians.
pub fn analyse(
    scenario: &Scenario,
    output: Output,
    plan: &Plan,
    progress: &dyn Progress,
) -> Result<Sensitivity, AnalysisError> {
    let uncertain: Vec<usize> = (0..scenario.inputs.len())
        .filter(|&j| !scenario.inputs[j].dist.is_fixed())
        .collect();
    let n = plan.covered_paths();
    let sample_plan = Plan::whole(plan.seed, n.min(MAX_SAMPLE));
    progress.start(n * (1 + 2 * uncertain.len() as u64) + sample_plan.paths);

    let estimate = |summary: &ScenarioSummary| {
        let value = output.of_summary(summary);
        let ci = match output {
            Output::Probability(e) => Some(summary.probability(e).ci95),
            Output::Metric { .. } => None,
        };
        (value, ci)
    };
    // The base (no input fixed), then each input at its two ends, side by side; beside them,
    // the sample: each uncertain input's values and the output, path by path.
    let runs: Vec<Option<(usize, f64)>> = std::iter::once(None)
        .chain(
            uncertain
                .iter()
                .flat_map(|&j| [LOW, HIGH].map(|q| Some((j, q)))),
        )
        .collect();
    let tornado = || {
        side_by_side(&runs, |run| -> Result<Swing, AnalysisError> {
            let Some((j, q)) = *run else {
                let (output, ci95) = estimate(&summarise(scenario, plan, progress)?);
                return Ok(Swing {
                    input: f64::NAN,
                    output,
                    ci95,
                });
            };
            let input = scenario.inputs[j].dist.quantile(q);
            let mut fixed = scenario.clone();
            fixed.inputs[j].dist = Dist::fixed(input).expect("a quantile is finite");
            let (output, ci95) = estimate(&summarise(&fixed, plan, progress)?);
            Ok(Swing {
                input,
                output,
                ci95,
            })
        })
    };
    let sample = || -> Result<(Vec<Vec<f64>>, Vec<f64>), AnalysisError> {
        let m = sample_plan.paths as usize;
        let mut columns: Vec<Vec<f64>> = uncertain.iter().map(|_| Vec::with_capacity(m)).collect();
        let mut outputs = Vec::with_capacity(m);
        any::visit_paths(scenario, &RunOptions::new(sample_plan), |inputs, path| {
            for (column, &j) in columns.iter_mut().zip(&uncertain) {
                column.push(inputs[j]);
            }
            outputs.push(output.of_path(path, scenario));
        })?;
        progress.advance(sample_plan.paths);
        Ok((columns, outputs))
    };
    let (tornado, sample) = rayon::join(tornado, sample);
    let mut ends = tornado?.into_iter();
    let base_run = ends.next().expect("the base run");
    let (base, base_ci95) = (base_run.output, base_run.ci95);
    let mut swings = Vec::with_capacity(uncertain.len());
    while let (Some(low), Some(high)) = (ends.next(), ends.next()) {
        swings.push([low, high]);
    }
    let (columns, outputs) = sample?;
    progress.finish();

    let (met, split) = match output {
        Output::Probability(_) => (
            outputs.iter().map(|&y| y == 1.0).collect::<Vec<bool>>(),
            "paths that meet the event against paths that miss it",
        ),
        Output::Metric { .. } => {
            let median = median(outputs.clone()).unwrap_or(f64::NAN);
            (
                outputs.iter().map(|&y| y > median).collect(),
                "paths above the output's median against paths at or below it",
            )
        }
    };
    let output_ranks = ranks(&outputs);
    let mut inputs: Vec<InputEffect> = uncertain
        .iter()
        .zip(swings)
        .zip(&columns)
        .map(|((&j, [at_p10, at_p90]), column)| {
            let input = &scenario.inputs[j];
            let pick = |side: bool| {
                median(
                    column
                        .iter()
                        .zip(&met)
                        .filter(|&(_, &m)| m == side)
                        .map(|(&x, _)| x)
                        .collect(),
                )
            };
            InputEffect {
                key: input.key.clone(),
                distribution: input.dist.to_string(),
                source: input.source.clone(),
                swing: at_p90.output - at_p10.output,
                at_p10,
                at_p90,
                spearman: pearson(&ranks(column), &output_ranks),
                median_met: pick(true),
                median_missed: pick(false),
            }
        })
        .collect();
    inputs.sort_by(|a, b| {
        b.swing
            .abs()
            .total_cmp(&a.swing.abs())
            .then_with(|| b.spearman.abs().total_cmp(&a.spearman.abs()))
    });
    let event = match output {
        Output::Probability(e) => Some(e.info(scenario)),
        Output::Metric { .. } => None,
    };
    Ok(Sensitivity {
        scenario: scenario.name.clone(),
        file: scenario.origin.clone(),
        seed: plan.seed,
        paths: n,
        sample_paths: sample_plan.paths,
        output: output.info(scenario),
        event,
        base,
        base_ci95,
        split,
        sample_met: met.iter().filter(|&&m| m).count() as u64,
        inputs,
    })
}

/// The median (the mean of the two middle values for an even count); `None` when empty.
fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        0.5 * (values[n / 2 - 1] + values[n / 2])
    })
}

/// Ranks from 1, ties sharing their average rank.
fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        let rank = 0.5 * ((start + 1) + end) as f64;
        for &i in &order[start..end] {
            ranks[i] = rank;
        }
        start = end;
    }
    ranks
}

/// Pearson correlation; zero when either side does not vary.
fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    if x.len() < 2 {
        return 0.0;
    }
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx == 0.0 || syy == 0.0 {
        0.0
    } else {
        sxy / (sxx * syy).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_average_ties() {
        assert_eq!(ranks(&[3.0, 1.0, 2.0]), vec![3.0, 1.0, 2.0]);
        assert_eq!(ranks(&[0.0, 1.0, 0.0, 1.0]), vec![1.5, 3.5, 1.5, 3.5]);
    }

    #[test]
    fn spearman_of_a_monotone_transform_is_one() {
        let x: Vec<f64> = (0..100).map(|i| i as f64 * 0.37).collect();
        let y: Vec<f64> = x.iter().map(|v| v.exp()).collect();
        assert!((pearson(&ranks(&x), &ranks(&y)) - 1.0).abs() < 1e-12);
        let z: Vec<f64> = x.iter().map(|v| -v * v).collect();
        assert!((pearson(&ranks(&x), &ranks(&z)) + 1.0).abs() < 1e-12);
        assert_eq!(pearson(&x, &vec![1.0; 100]), 0.0);
    }

    #[test]
    fn medians() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }
}
