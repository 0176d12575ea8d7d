//! What results report, and how every result is rendered in every format.
//!
//! [`Report`] turns a run's [`RunSummary`] into the numbers a reader wants: threshold
//! probabilities with Wilson intervals, break-even and payback, metric percentiles by year,
//! and the inputs with their sources. Every result type (a run, a sweep, a goal seek, a
//! sensitivity analysis, a calibration, a comparison) implements [`Exporter`] in its own file
//! here and so renders as a terminal table, JSON, CSV, Markdown and Excel ([`Format`]);
//! [`html`] and [`svg`] draw the run and its analyses as charts. Timing and thread count are
//! run facts shown in the table only, so the JSON for a seed is byte-identical whatever the
//! threads.

pub mod calibration;
pub mod comparison;
pub mod csv;
pub mod diagram;
pub mod format;
pub mod html;
pub mod json;
pub mod network;
pub mod paths;
pub mod rare;
mod run;
pub use run::ScenarioReport;
pub mod sensitivity;
pub mod sheet;
pub mod solve;
pub mod svg;
pub mod sweep;
pub mod table;

use std::time::Duration;

use serde::Serialize;

use crate::analysis::waterfall::Waterfall;
use crate::model::Metric;
use crate::sampler::Sampler;
use crate::scenario::Scenario;
use crate::stats::{MetricStats, YearCounts, histogram};
pub use crate::summary::Probability;
use crate::summary::RunSummary;
use crate::unit::Unit;

pub use sheet::{Cell, Sheet};

/// The metrics the table and HTML reports show by year, in order (JSON, CSV and Markdown carry
/// all of them).
pub const KEY_METRICS: [Metric; 7] = [
    Metric::Revenue,
    Metric::RequiredRevenue,
    Metric::Capex,
    Metric::Ebit,
    Metric::FreeCashFlow,
    Metric::Cash,
    Metric::PayingUsers,
];

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A report for the terminal, 100 columns wide.
    Table,
    /// The stable machine-readable document.
    Json,
    /// Rows of numbers, for spreadsheets and data frames.
    Csv,
    /// Tables for documents.
    Markdown,
    /// An Excel workbook, one worksheet per table.
    Xlsx,
}

impl Format {
    /// Whether the format is binary (not for a terminal).
    pub fn is_binary(self) -> bool {
        self == Format::Xlsx
    }

    /// Renders a result in this format.
    pub fn render(self, result: &impl Exporter) -> Result<Vec<u8>, ExportError> {
        Ok(match self {
            Format::Table => result.table().into_bytes(),
            Format::Json => result.json().into_bytes(),
            Format::Csv => result.csv().into_bytes(),
            Format::Markdown => sheet::markdown(&result.title(), &result.sheets()).into_bytes(),
            Format::Xlsx => sheet::xlsx(&result.sheets())?,
        })
    }
}

/// Why a result could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write the Excel workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// A result every format can render, in the manner of hyperfine's `Exporter`: one
/// implementation per result type (a run's [`Report`], a sweep, a goal seek, a sensitivity
/// analysis, a calibration, a comparison), each in its own file of this module. JSON is the
/// result's serde serialisation; Markdown and Excel are made from its [`Sheet`]s.
pub trait Exporter: Serialize {
    /// The heading of the Markdown document.
    fn title(&self) -> String;
    /// The result for a terminal.
    fn table(&self) -> String;
    /// The result as CSV, numbers at full precision.
    fn csv(&self) -> String;
    /// The result as named tables of typed cells (Markdown sections, Excel worksheets).
    fn sheets(&self) -> Vec<Sheet>;
    /// The result as pretty JSON, ending in a newline.
    fn json(&self) -> String {
        json::render(self)
    }
}

/// The simulator's name and version, stamped on every output.
#[derive(Debug, Clone, Serialize)]
pub struct Simulator {
    pub name: &'static str,
    pub version: &'static str,
}

impl Simulator {
    pub const CURRENT: Simulator = Simulator {
        name: env!("CARGO_PKG_NAME"),
        version: env!("CARGO_PKG_VERSION"),
    };
}

/// The scenario a report is about.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioInfo {
    pub name: String,
    /// The file it was read from.
    pub file: String,
    pub description: String,
    pub start_year: i32,
    pub horizon: i32,
    /// Hash of the scenario after overrides (see `Scenario::fingerprint`).
    pub fingerprint: String,
    /// The scenario after `--set` overrides, as TOML: the run can be reproduced from it.
    pub document: String,
}

impl ScenarioInfo {
    /// What a report says of `scenario`.
    pub fn of(scenario: &Scenario) -> ScenarioInfo {
        ScenarioInfo {
            name: scenario.name.clone(),
            file: scenario.origin.clone(),
            description: scenario.description.clone(),
            start_year: scenario.start_year,
            horizon: scenario.horizon,
            fingerprint: scenario.fingerprint(),
            document: scenario.canonical_toml(),
        }
    }
}

/// One threshold's result.
#[derive(Debug, Clone, Serialize)]
pub struct ThresholdResult {
    /// The key in the scenario file.
    pub name: String,
    /// A readable description.
    pub label: String,
    #[serde(flatten)]
    pub estimate: Probability,
    pub source: Option<String>,
}

/// Percentiles and moments of one quantity.
#[derive(Debug, Clone, Serialize)]
pub struct Distribution {
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub min: Option<f64>,
    pub p5: Option<f64>,
    pub p10: Option<f64>,
    pub p50: Option<f64>,
    pub p90: Option<f64>,
    pub p95: Option<f64>,
    pub max: Option<f64>,
}

impl Distribution {
    pub fn of(stats: &MetricStats) -> Distribution {
        let q = |p| stats.quantile(p);
        Distribution {
            mean: stats.mean(),
            sd: stats.sd(),
            min: stats.min(),
            p5: q(0.05),
            p10: q(0.10),
            p50: q(0.50),
            p90: q(0.90),
            p95: q(0.95),
            max: stats.max(),
        }
    }
}

/// A metric in one year.
#[derive(Debug, Clone, Serialize)]
pub struct MetricYear {
    pub year: i32,
    #[serde(flatten)]
    pub distribution: Distribution,
}

impl MetricYear {
    /// The distribution in each of `years` simulated years of `scenario`, from `stats` of a
    /// year index.
    pub fn series<'a>(
        scenario: &Scenario,
        years: usize,
        stats: impl Fn(usize) -> &'a MetricStats,
    ) -> Vec<MetricYear> {
        (0..years)
            .map(|y| MetricYear {
                year: scenario.year(y),
                distribution: Distribution::of(stats(y)),
            })
            .collect()
    }
}

/// A metric over the years.
#[derive(Debug, Clone, Serialize)]
pub struct MetricResult {
    pub name: &'static str,
    /// `USD` or `people`.
    pub unit: Unit,
    pub description: &'static str,
    pub years: Vec<MetricYear>,
}

impl MetricResult {
    /// Every metric over the `years` simulated years of `scenario`, from `stats` of a metric
    /// and a year index.
    pub fn all<'a>(
        scenario: &Scenario,
        years: usize,
        stats: impl Fn(Metric, usize) -> &'a MetricStats,
    ) -> Vec<MetricResult> {
        Metric::ALL
            .iter()
            .map(|&m| MetricResult {
                name: m.name(),
                unit: m.unit(),
                description: m.description(),
                years: MetricYear::series(scenario, years, |y| stats(m, y)),
            })
            .collect()
    }
}

/// Paths whose event first (for good) happened in a year.
#[derive(Debug, Clone, Serialize)]
pub struct YearShare {
    pub year: i32,
    pub paths: u64,
    pub share: f64,
}

/// When an event happens, over paths.
#[derive(Debug, Clone, Serialize)]
pub struct EventYears {
    /// Probability that it happens within the horizon.
    #[serde(flatten)]
    pub within_horizon: Probability,
    /// What the event is.
    pub definition: String,
    /// Year percentiles; `None` means "not within the horizon".
    pub p10_year: Option<i32>,
    pub median_year: Option<i32>,
    pub p90_year: Option<i32>,
    pub by_year: Vec<YearShare>,
    /// Share of paths where it does not happen within the horizon.
    pub never_share: f64,
}

impl EventYears {
    /// Operating break-even of a run of `scenario` (EBIT at or above zero from a year on).
    pub fn break_even(counts: &YearCounts, scenario: &Scenario) -> EventYears {
        EventYears::of(
            counts,
            scenario.start_year,
            format!("EBIT >= 0 from this year through {}", scenario.horizon),
        )
    }

    /// Cash payback of a run of `scenario` (cumulative free cash flow at or above zero from a
    /// year on).
    pub fn payback(counts: &YearCounts, scenario: &Scenario) -> EventYears {
        EventYears::of(
            counts,
            scenario.start_year,
            format!(
                "cumulative free cash flow >= 0 from this year through {}",
                scenario.horizon
            ),
        )
    }

    pub fn of(counts: &YearCounts, start_year: i32, definition: String) -> EventYears {
        let total = counts.total();
        let year = |q| counts.quantile(q).map(|i| start_year + i as i32);
        let share = |n: u64| {
            if total == 0 {
                0.0
            } else {
                n as f64 / total as f64
            }
        };
        EventYears {
            within_horizon: Probability::from_counts(total - counts.never(), total),
            definition,
            p10_year: year(0.10),
            median_year: year(0.50),
            p90_year: year(0.90),
            by_year: counts
                .by_year()
                .iter()
                .enumerate()
                .map(|(i, &n)| YearShare {
                    year: start_year + i as i32,
                    paths: n,
                    share: share(n),
                })
                .collect(),
            never_share: share(counts.never()),
        }
    }
}

/// Break-even results.
#[derive(Debug, Clone, Serialize)]
pub struct BreakEven {
    /// Operating break-even: EBIT >= 0 from some year through the horizon.
    pub operating: EventYears,
    /// Cash payback: cumulative free cash flow >= 0 from some year through the horizon.
    pub cash_payback: EventYears,
    /// Probability of EBIT >= 0 in each year.
    pub profitable_by_year: Vec<YearProbability>,
    /// The deepest cash deficit over the horizon.
    pub funding_gap: Distribution,
    /// NPV of free cash flow.
    pub npv: Distribution,
}

/// A probability in one year.
#[derive(Debug, Clone, Serialize)]
pub struct YearProbability {
    pub year: i32,
    #[serde(flatten)]
    pub estimate: Probability,
}

/// An input as the report lists it.
#[derive(Debug, Clone, Serialize)]
pub struct InputInfo {
    pub key: String,
    pub distribution: String,
    pub source: Option<String>,
}

impl InputInfo {
    /// Every input of `scenario`, in its order.
    pub fn all(scenario: &Scenario) -> Vec<InputInfo> {
        scenario
            .inputs
            .iter()
            .map(|i| InputInfo {
                key: i.key.clone(),
                distribution: i.dist.to_string(),
                source: i.source.clone(),
            })
            .collect()
    }
}

/// Facts about how the run was made that do not change its numbers.
#[derive(Debug, Clone, Default)]
pub struct RunFacts {
    pub threads: usize,
    pub elapsed: Duration,
}

/// Everything a run reports.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub simulator: Simulator,
    pub scenario: ScenarioInfo,
    pub seed: u64,
    /// Paths simulated.
    pub paths: u64,
    /// True when the run was interrupted and covers fewer paths than asked.
    pub partial: bool,
    /// Paths asked for.
    pub paths_requested: u64,
    /// How inputs were drawn: `mc`, `lhs` or `sobol`.
    pub sampler: &'static str,
    /// Largest relative error of reported percentiles (from the quantile histogram).
    pub quantile_relative_error: f64,
    pub thresholds: Vec<ThresholdResult>,
    pub break_even: BreakEven,
    pub metrics: Vec<MetricResult>,
    pub inputs: Vec<InputInfo>,
    /// Subset-simulation estimates of the rare thresholds (`--rare`); absent without it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rare: Vec<rare::RareThreshold>,
    /// How the median path's revenue becomes its EBIT in one year; absent for merged shards
    /// and network scenarios (see [`crate::analysis::waterfall`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waterfall: Option<Waterfall>,
    #[serde(skip)]
    pub run: RunFacts,
}

impl Report {
    /// Builds the report of `summary`, a run of `scenario` with `seed` that was asked for
    /// `paths_requested` paths.
    pub fn new(
        scenario: &Scenario,
        summary: &RunSummary,
        seed: u64,
        paths_requested: u64,
        run: RunFacts,
    ) -> Report {
        let n = summary.paths();
        Report {
            simulator: Simulator::CURRENT,
            scenario: ScenarioInfo::of(scenario),
            seed,
            paths: n,
            partial: n < paths_requested,
            paths_requested,
            sampler: "mc",
            quantile_relative_error: histogram::RELATIVE_ERROR,
            thresholds: scenario
                .thresholds
                .iter()
                .enumerate()
                .map(|(i, t)| ThresholdResult {
                    name: t.name.clone(),
                    label: t.label.clone(),
                    estimate: summary.threshold(i),
                    source: t.source.clone(),
                })
                .collect(),
            break_even: BreakEven {
                operating: EventYears::break_even(summary.break_even(), scenario),
                cash_payback: EventYears::payback(summary.payback(), scenario),
                profitable_by_year: (0..summary.years())
                    .map(|y| YearProbability {
                        year: scenario.year(y),
                        estimate: summary.profitable(y),
                    })
                    .collect(),
                funding_gap: Distribution::of(summary.funding_gap()),
                npv: Distribution::of(summary.npv()),
            },
            metrics: MetricResult::all(scenario, summary.years(), |m, y| summary.metric(m, y)),
            inputs: InputInfo::all(scenario),
            rare: Vec::new(),
            waterfall: None,
            run,
        }
    }

    /// The report of a run whose inputs were drawn with `sampler` (`Report::new` assumes
    /// plain Monte Carlo).
    pub fn with_sampler(mut self, sampler: Sampler) -> Report {
        self.sampler = sampler.name();
        self
    }

    /// This report with rare-event estimates of some of its thresholds.
    pub fn with_rare(mut self, rare: Vec<rare::RareThreshold>) -> Report {
        self.rare = rare;
        self
    }

    /// This report with the waterfall of its median path.
    pub fn with_waterfall(mut self, waterfall: Option<Waterfall>) -> Report {
        self.waterfall = waterfall;
        self
    }

    /// The metric with this name.
    pub fn metric(&self, metric: Metric) -> &MetricResult {
        &self.metrics[metric as usize]
    }
}
