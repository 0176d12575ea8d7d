//! Calibration: the model against the figures in the sources.
//!
//! `seeds/figures.toml` ties some figures to a subject (e.g. `openai`), a metric, a year and a
//! period. For each such figure of the scenario's subject, the simulated quantity is computed
//! on every path of a run and compared with the source: its median, its 10th and 90th
//! percentiles, where the source falls among the paths, and a verdict: consistent when the
//! source lies within the model's P10–P90, at the edge when it lies outside P10–P90 but
//! within P5–P95, and contradicted when it lies outside P5–P95. Where sources disagree
//! (several figures for the same quantity), each is shown.
//!
//! Quantities: the per-year metrics `revenue`, `subscription_revenue`, `users`,
//! `paying_users`, `cash` and `capex`; `subscription_share` (subscription revenue over
//! revenue); and `rnd`, the model's R&D and staff cost plus its fixed compute commitments
//! (the sources' R&D spend is mostly rented compute, which scenarios list as commitments);
//! for the published analyses of `seeds/publications.toml`, `required_revenue`,
//! `revenue_gap`, `required_revenue_for_return` and the path-level `funding_gap`.
//! Periods: `year` (the annual value, or the year-end value for a stock), `h1` (half of the
//! annual value: the model is annual, so for a flow growing within the year this overstates
//! the first half), and `run_rate_end` (the annualised rate at the end of the year, taken as
//! the geometric mean of that year's and the next year's annual values, which is within a few
//! percent of the exact rate for exponential growth of up to 2x a year).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::AnalysisError;
use crate::engine::Plan;
use crate::model::{Metric, Trajectory};
use crate::scenario::Scenario;
use crate::scenario::location::line_of_key;
use crate::simulation::{self, RunOptions};
use crate::unit::Unit;

/// The interval a source must lie in to count as consistent with the model.
pub const INTERVAL: (f64, f64) = (0.10, 0.90);
/// Outside [`INTERVAL`] but inside this one, a source is at the edge; outside it, the model
/// contradicts the source.
pub const EDGE: (f64, f64) = (0.05, 0.95);

/// How a source compares with the model's distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Within the model's P10–P90.
    Consistent,
    /// Outside P10–P90 but within P5–P95.
    Edge,
    /// Outside P5–P95.
    Contradicted,
}

/// A figure as written in the figures file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFigure {
    id: String,
    description: String,
    value: Option<f64>,
    low: Option<f64>,
    high: Option<f64>,
    unit: String,
    source: String,
    subject: Option<String>,
    metric: Option<String>,
    year: Option<i32>,
    period: Option<String>,
    note: Option<String>,
    /// `"publication"` for the figures of `seeds/publications.toml`.
    kind: Option<String>,
    /// How far a reproduction may be from the figure: the publication's rounding.
    tolerance: Option<f64>,
    /// The scenario that reproduces a publication's figure with its inputs fixed.
    reproduced_by: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFigures {
    figure: Vec<RawFigure>,
}

/// What a figure measures in the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    Metric(Metric),
    /// Subscription revenue over revenue.
    SubscriptionShare,
    /// R&D and staff plus fixed commitments.
    Rnd,
    /// The path's funding gap (the deepest cash deficit), whatever the year.
    FundingGap,
}

impl Quantity {
    const NAMES: [&'static str; 12] = [
        "revenue",
        "subscription_revenue",
        "users",
        "paying_users",
        "cash",
        "capex",
        "subscription_share",
        "rnd",
        "required_revenue",
        "revenue_gap",
        "required_revenue_for_return",
        "funding_gap",
    ];

    fn from_name(name: &str) -> Option<Quantity> {
        Some(match name {
            "subscription_share" => Quantity::SubscriptionShare,
            "rnd" => Quantity::Rnd,
            "funding_gap" => Quantity::FundingGap,
            other if Quantity::NAMES.contains(&other) => {
                Quantity::Metric(Metric::from_name(other)?)
            }
            _ => return None,
        })
    }

    /// The unit the model measures the quantity in.
    fn unit(self) -> Unit {
        match self {
            Quantity::Metric(m) => m.unit(),
            Quantity::SubscriptionShare => Unit::Share,
            Quantity::Rnd | Quantity::FundingGap => Unit::Usd,
        }
    }

    /// Whether the quantity flows over a year (so a half year or a run rate makes sense).
    fn is_flow(self) -> bool {
        match self {
            Quantity::Metric(m) => !matches!(m, Metric::Users | Metric::PayingUsers | Metric::Cash),
            Quantity::Rnd => true,
            Quantity::SubscriptionShare | Quantity::FundingGap => false,
        }
    }

    /// The annual value in year index `y` on one path.
    fn annual(self, values: &[f64], t: &Trajectory, scenario: &Scenario, y: usize) -> f64 {
        match self {
            Quantity::Metric(m) => t.get(m, y),
            Quantity::SubscriptionShare => {
                let revenue = t.get(Metric::Revenue, y);
                if revenue > 0.0 {
                    t.get(Metric::SubscriptionRevenue, y) / revenue
                } else {
                    0.0
                }
            }
            Quantity::FundingGap => t.funding_gap,
            Quantity::Rnd => {
                let model = &scenario.model;
                model.costs.rnd(values, y)
                    + model
                        .commitments
                        .iter()
                        .map(|c| c.payment(values, y))
                        .sum::<f64>()
            }
        }
    }
}

/// Which part of a year a figure describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Year,
    H1,
    RunRateEnd,
}

impl Period {
    fn from_name(name: &str) -> Option<Period> {
        Some(match name {
            "year" => Period::Year,
            "h1" => Period::H1,
            "run_rate_end" => Period::RunRateEnd,
            _ => return None,
        })
    }
}

/// A figure a scenario can be calibrated against.
#[derive(Debug, Clone)]
pub struct Figure {
    pub id: String,
    pub description: String,
    pub value: f64,
    pub unit: String,
    pub source: String,
    pub note: Option<String>,
    pub subject: String,
    /// The quantity's name in the figures file.
    pub metric: String,
    pub quantity: Quantity,
    pub year: i32,
    pub period: Period,
    /// Where the figure comes from: `None` for the seeds, `publication` for a published analysis.
    pub kind: Option<String>,
    /// A publication's rounding: how far its reproduction may be from `value`.
    pub tolerance: Option<f64>,
    /// The scenario that reproduces a publication's figure with every input fixed.
    pub reproduced_by: Option<String>,
}

/// Reads the calibration figures (those with a `metric`) of a figures file.
pub fn load_figures(path: &Path) -> Result<Vec<Figure>, AnalysisError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| AnalysisError::Figures {
        file: file.clone(),
        line: None,
        key: "figures".into(),
        message: format!("cannot read the figures file: {e}"),
    })?;
    parse_figures(&text, &file)
}

/// The calibration figures of `seeds/figures.toml` and of the published analyses
/// (`seeds/publications.toml`), as built into the library.
pub fn bundled_figures() -> Result<Vec<Figure>, AnalysisError> {
    let mut figures = parse_figures(crate::seeds::FIGURES, crate::seeds::FIGURES_ORIGIN)?;
    figures.extend(parse_figures(
        crate::seeds::PUBLICATIONS,
        crate::seeds::PUBLICATIONS_ORIGIN,
    )?);
    Ok(figures)
}

/// Parses the calibration figures of a figures file's text; `file` names it in errors.
pub fn parse_figures(text: &str, file: &str) -> Result<Vec<Figure>, AnalysisError> {
    let error = |key: String, message: String| AnalysisError::Figures {
        file: file.to_string(),
        line: line_of_key(text, &key),
        key,
        message,
    };
    let raw: RawFigures = toml::from_str(text).map_err(|e| AnalysisError::Figures {
        file: file.to_string(),
        line: e
            .span()
            .map(|s| crate::scenario::location::line_of(text, s.start)),
        key: "figure".into(),
        message: e.message().trim().to_string(),
    })?;
    let mut figures = Vec::new();
    for (i, f) in raw.figure.into_iter().enumerate() {
        let Some(metric) = f.metric else { continue };
        let key = |field: &str| format!("figure[{i}].{field}");
        let quantity = Quantity::from_name(&metric).ok_or_else(|| {
            error(
                key("metric"),
                format!(
                    "{}: unknown metric '{metric}' (expected one of {})",
                    f.id,
                    Quantity::NAMES.join(", ")
                ),
            )
        })?;
        let period_name = f.period.ok_or_else(|| {
            error(
                key("period"),
                format!("{}: a figure with a metric needs a period", f.id),
            )
        })?;
        let period = Period::from_name(&period_name).ok_or_else(|| {
            error(
                key("period"),
                format!(
                    "{}: unknown period '{period_name}' (expected year, h1 or run_rate_end)",
                    f.id
                ),
            )
        })?;
        if period != Period::Year && !quantity.is_flow() {
            return Err(error(
                key("period"),
                format!(
                    "{}: '{metric}' is not a flow, so only period = \"year\" applies",
                    f.id
                ),
            ));
        }
        let year = f.year.ok_or_else(|| {
            error(
                key("year"),
                format!("{}: a figure with a metric needs a year", f.id),
            )
        })?;
        let subject = f.subject.ok_or_else(|| {
            error(
                key("subject"),
                format!(
                    "{}: a figure with a metric needs a subject (e.g. \"openai\")",
                    f.id
                ),
            )
        })?;
        let value = match (f.value, f.low, f.high) {
            (Some(v), None, None) if v.is_finite() => v,
            _ => {
                return Err(error(
                    key("value"),
                    format!("{}: a calibration figure needs one finite value", f.id),
                ));
            }
        };
        figures.push(Figure {
            id: f.id,
            description: f.description,
            value,
            unit: f.unit,
            source: f.source,
            note: f.note,
            subject,
            metric,
            quantity,
            year,
            period,
            kind: f.kind,
            tolerance: f.tolerance,
            reproduced_by: f.reproduced_by,
        });
    }
    Ok(figures)
}

/// One figure against the model.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub id: String,
    pub description: String,
    pub source: String,
    pub note: Option<String>,
    pub metric: String,
    pub year: i32,
    pub period: Period,
    /// The unit of the quantity in the model: `USD`, `people` or `share`.
    pub unit: Unit,
    /// The source's value.
    pub value: f64,
    pub model_p5: f64,
    pub model_p10: f64,
    pub model_median: f64,
    pub model_p90: f64,
    pub model_p95: f64,
    /// Share of paths at or below the source's value.
    pub percentile: f64,
    pub verdict: Verdict,
    /// `publication` for a published analysis's figure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The scenario that reproduces a publication's figure with every input fixed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reproduced_by: Option<String>,
    /// A publication's rounding: how far its reproduction may be from `value`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<f64>,
}

/// A figure of the subject the scenario cannot be compared with.
#[derive(Debug, Clone, Serialize)]
pub struct Uncovered {
    pub id: String,
    pub reason: String,
}

/// A finished calibration.
#[derive(Debug, Clone, Serialize)]
pub struct Calibration {
    pub scenario: String,
    pub file: String,
    pub subject: Option<String>,
    pub seed: u64,
    pub paths: u64,
    /// The interval a source must lie in, as quantiles.
    pub interval: [f64; 2],
    pub checks: Vec<Check>,
    pub uncovered: Vec<Uncovered>,
    /// How the figures file is named in the table (not in JSON: the same figures from the
    /// file or built in give the same document).
    #[serde(skip)]
    pub figures: String,
}

impl Calibration {
    /// The figures with this verdict.
    pub fn with_verdict(&self, verdict: Verdict) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(move |c| c.verdict == verdict)
    }
}

/// The `q`-quantile of sorted values (nearest rank).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
    sorted[rank - 1]
}

/// Compares the scenario with the figures of its subject on the paths of `plan`.
pub fn calibrate(
    scenario: &Scenario,
    figures: &[Figure],
    plan: &Plan,
) -> Result<Calibration, AnalysisError> {
    let mut covered = Vec::new();
    let mut uncovered = Vec::new();
    for f in figures
        .iter()
        .filter(|f| Some(&f.subject) == scenario.subject.as_ref())
    {
        let last = if f.period == Period::RunRateEnd {
            scenario.horizon - 1
        } else {
            scenario.horizon
        };
        if f.year < scenario.start_year || f.year > last {
            uncovered.push(Uncovered {
                id: f.id.clone(),
                reason: format!(
                    "{} is outside the years the scenario can compare ({}–{last})",
                    f.year, scenario.start_year
                ),
            });
        } else {
            covered.push(f);
        }
    }
    let mut samples: Vec<Vec<f64>> = covered
        .iter()
        .map(|_| Vec::with_capacity(plan.covered_paths() as usize))
        .collect();
    if !covered.is_empty() {
        simulation::visit_paths(scenario, &RunOptions::new(*plan), |path| {
            let (values, t) = (path.inputs, path.trajectory);
            for (f, sample) in covered.iter().zip(samples.iter_mut()) {
                let y = (f.year - scenario.start_year) as usize;
                let annual = f.quantity.annual(values, t, scenario, y);
                sample.push(match f.period {
                    Period::Year => annual,
                    Period::H1 => 0.5 * annual,
                    Period::RunRateEnd => {
                        let next = f.quantity.annual(values, t, scenario, y + 1);
                        (annual.max(0.0) * next.max(0.0)).sqrt()
                    }
                });
            }
        })?;
    }
    let checks = covered
        .iter()
        .zip(samples)
        .map(|(f, mut sample)| {
            sample.sort_by(f64::total_cmp);
            let (p10, p90) = (quantile(&sample, INTERVAL.0), quantile(&sample, INTERVAL.1));
            let (p5, p95) = (quantile(&sample, EDGE.0), quantile(&sample, EDGE.1));
            let at_or_below = sample.partition_point(|&x| x <= f.value);
            let verdict = if (p10..=p90).contains(&f.value) {
                Verdict::Consistent
            } else if (p5..=p95).contains(&f.value) {
                Verdict::Edge
            } else {
                Verdict::Contradicted
            };
            Check {
                id: f.id.clone(),
                description: f.description.clone(),
                source: f.source.clone(),
                note: f.note.clone(),
                metric: f.metric.clone(),
                year: f.year,
                period: f.period,
                unit: f.quantity.unit(),
                value: f.value,
                model_p5: p5,
                model_p10: p10,
                model_median: quantile(&sample, 0.5),
                model_p90: p90,
                model_p95: p95,
                percentile: at_or_below as f64 / sample.len() as f64,
                verdict,
                kind: f.kind.clone(),
                reproduced_by: f.reproduced_by.clone(),
                tolerance: f.tolerance,
            }
        })
        .collect();
    Ok(Calibration {
        scenario: scenario.name.clone(),
        file: scenario.origin.clone(),
        subject: scenario.subject.clone(),
        seed: plan.seed,
        paths: plan.covered_paths(),
        interval: [INTERVAL.0, INTERVAL.1],
        checks,
        uncovered,
        figures: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_without_a_metric_are_skipped_and_bad_ones_named() {
        let text = r#"
[[figure]]
id = "a"
description = "x"
value = 1.0
unit = "USD"
source = "s"

[[figure]]
id = "b"
description = "y"
value = 2.0
unit = "USD"
source = "s"
subject = "openai"
metric = "revenue"
year = 2025
period = "h1"
"#;
        let figures = parse_figures(text, "f.toml").unwrap();
        assert_eq!(figures.len(), 1);
        assert_eq!(figures[0].period, Period::H1);
        let bad = text.replace("\"h1\"", "\"q3\"");
        let err = parse_figures(&bad, "f.toml").unwrap_err().to_string();
        assert!(err.starts_with("f.toml:18: figure[1].period:"), "{err}");
        let stock = text.replace("\"revenue\"", "\"users\"");
        let err = parse_figures(&stock, "f.toml").unwrap_err().to_string();
        assert!(err.contains("not a flow"), "{err}");
    }

    #[test]
    fn nearest_rank_quantiles() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(quantile(&v, 0.1), 1.0);
        assert_eq!(quantile(&v, 0.5), 5.0);
        assert_eq!(quantile(&v, 0.9), 9.0);
    }
}
