//! A run's [`Report`] in every format: the terminal table ([`super::table`]), CSV
//! ([`super::csv`]), JSON, and the sheets that Markdown and Excel are made of: headline,
//! thresholds, break-even, funding gap and NPV, the median path's waterfall, one sheet per
//! metric (rows years, columns percentiles and moments), inputs with their sources, run facts.
//! [`ScenarioReport`] is the report of either kind of scenario, a firm's or a network's.

use super::format::{percent, thousands};
use super::sheet::{self, Cell, Sheet};
use serde::Serialize;

use super::network::NetworkReport;
use super::{Distribution, Exporter, Probability, Report, RunFacts};
use crate::analysis::waterfall::Waterfall;
use crate::sampler::Sampler;
use crate::scenario::Scenario;
use crate::scenario_run::ScenarioSummary;
use crate::unit::Unit;

/// The probability, its interval and its paths, as cells.
pub(super) fn probability_cells(p: &Probability) -> [Cell; 4] {
    [
        Cell::Value(p.probability, Unit::Probability),
        Cell::Value(p.ci95[0], Unit::Probability),
        Cell::Value(p.ci95[1], Unit::Probability),
        Cell::Count(p.paths),
    ]
}

/// The columns of [`distribution_cells`].
pub(super) const DISTRIBUTION_COLUMNS: [&str; 9] = [
    "P5", "P10", "median", "P90", "P95", "mean", "sd", "min", "max",
];

/// A distribution's percentiles and moments, as cells in `unit`.
pub(super) fn distribution_cells(d: &Distribution, unit: Unit) -> Vec<Cell> {
    [d.p5, d.p10, d.p50, d.p90, d.p95, d.mean, d.sd, d.min, d.max]
        .into_iter()
        .map(|x| Cell::optional(x, unit))
        .collect()
}

impl Report {
    fn headline_sheet(&self) -> Sheet {
        let be = &self.break_even;
        let mut sheet = Sheet::new(
            "headline",
            "Headline",
            &["event", "probability", "ci95 low", "ci95 high", "paths"],
        )
        .note(format!(
            "`{}` · {}–{} · {} paths · seed {} · sampler {}{}",
            self.scenario.file,
            self.scenario.start_year,
            self.scenario.horizon,
            thousands(self.paths),
            self.seed,
            self.sampler,
            if self.partial {
                " · **partial (interrupted)**"
            } else {
                ""
            }
        ));
        let events = self
            .thresholds
            .iter()
            .map(|t| (t.label.as_str(), &t.estimate))
            .chain([
                (
                    "Operating break-even within the horizon",
                    &be.operating.within_horizon,
                ),
                (
                    "Cash payback within the horizon",
                    &be.cash_payback.within_horizon,
                ),
            ]);
        for (label, p) in events {
            let mut row = vec![Cell::text(label)];
            row.extend(probability_cells(p));
            sheet.row(row);
        }
        sheet
    }

    fn thresholds_sheet(&self) -> Sheet {
        let mut sheet = Sheet::new(
            "thresholds",
            "Thresholds",
            &[
                "name",
                "threshold",
                "P(met)",
                "ci95 low",
                "ci95 high",
                "paths met",
                "source",
            ],
        )
        .note("Share of paths that meet each threshold, with its Wilson 95% interval.");
        for t in &self.thresholds {
            let mut row = vec![Cell::text(&t.name), Cell::text(&t.label)];
            row.extend(probability_cells(&t.estimate));
            row.push(Cell::source(t.source.as_deref()));
            sheet.row(row);
        }
        sheet
    }

    fn break_even_sheet(&self) -> Sheet {
        let be = &self.break_even;
        let mut sheet = Sheet::new(
            "break-even",
            format!("Break-even by {}", self.scenario.horizon),
            &[
                "year",
                "share first breaking even for good",
                "share first paying back for good",
                "P(EBIT >= 0)",
                "ci95 low",
                "ci95 high",
            ],
        )
        .note(format!(
            "Operating break-even (EBIT >= 0 from some year through the horizon): {} [{}, {}]; median year {}. Cash payback: {} [{}, {}]; median year {}.",
            percent(be.operating.within_horizon.probability),
            percent(be.operating.within_horizon.ci95[0]),
            percent(be.operating.within_horizon.ci95[1]),
            super::format::year(be.operating.median_year),
            percent(be.cash_payback.within_horizon.probability),
            percent(be.cash_payback.within_horizon.ci95[0]),
            percent(be.cash_payback.within_horizon.ci95[1]),
            super::format::year(be.cash_payback.median_year),
        ));
        let rows = be
            .operating
            .by_year
            .iter()
            .zip(&be.cash_payback.by_year)
            .zip(&be.profitable_by_year);
        for ((op, pay), p) in rows {
            sheet.row(vec![
                Cell::Year(op.year),
                Cell::Value(op.share, Unit::Share),
                Cell::Value(pay.share, Unit::Share),
                Cell::Value(p.estimate.probability, Unit::Probability),
                Cell::Value(p.estimate.ci95[0], Unit::Probability),
                Cell::Value(p.estimate.ci95[1], Unit::Probability),
            ]);
        }
        sheet.row(vec![
            Cell::text("never"),
            Cell::Value(be.operating.never_share, Unit::Share),
            Cell::Value(be.cash_payback.never_share, Unit::Share),
        ]);
        sheet
    }

    fn funding_sheet(&self) -> Sheet {
        let mut columns = vec!["quantity"];
        columns.extend(DISTRIBUTION_COLUMNS);
        let mut sheet = Sheet::new("funding gap and NPV", "Funding gap and NPV", &columns).note(
            "The funding gap is the deepest the cash balance goes below zero; the NPV is that of free cash flow.",
        );
        let be = &self.break_even;
        for (name, d) in [
            ("funding gap", &be.funding_gap),
            ("NPV of free cash flow", &be.npv),
        ] {
            let mut row = vec![Cell::text(name)];
            row.extend(distribution_cells(d, Unit::Usd));
            sheet.row(row);
        }
        sheet
    }

    fn waterfall_sheet(w: &Waterfall) -> Sheet {
        let mut sheet = Sheet::new(
            "waterfall",
            format!("Waterfall of the median path in {}", w.year),
            &["line", "amount", "running total"],
        )
        .note(format!(
            "Path {}: {}. Costs are negative; the lines add up to EBIT.",
            w.path, w.definition
        ));
        let mut running = 0.0;
        for line in &w.lines {
            running += line.usd;
            sheet.row(vec![
                Cell::text(line.label),
                Cell::Value(line.usd, Unit::Usd),
                Cell::Value(running, Unit::Usd),
            ]);
        }
        sheet.row(vec![
            Cell::text("EBIT"),
            Cell::Value(w.ebit, Unit::Usd),
            Cell::Empty,
        ]);
        sheet
    }

    fn metric_sheets(&self) -> Vec<Sheet> {
        let mut columns = vec!["year"];
        columns.extend(DISTRIBUTION_COLUMNS);
        self.metrics
            .iter()
            .map(|m| {
                let mut sheet = Sheet::new(
                    m.name,
                    format!(
                        "{} (`{}`, {})",
                        capitalise(m.description),
                        m.name,
                        m.unit.name()
                    ),
                    &columns,
                );
                for y in &m.years {
                    let mut row = vec![Cell::Year(y.year)];
                    row.extend(distribution_cells(&y.distribution, m.unit));
                    sheet.row(row);
                }
                sheet
            })
            .collect()
    }

    fn inputs_sheet(&self) -> Sheet {
        let mut sheet = Sheet::new("inputs", "Inputs", &["key", "distribution", "source"]);
        for i in &self.inputs {
            sheet.row(vec![
                Cell::text(&i.key),
                Cell::text(&i.distribution),
                Cell::source(i.source.as_deref()),
            ]);
        }
        sheet
    }

    fn facts_sheet(&self) -> Sheet {
        let secs = self.run.elapsed.as_secs_f64();
        sheet::facts(
            "Run facts",
            vec![
                ("scenario", Cell::text(&self.scenario.name)),
                ("file", Cell::text(&self.scenario.file)),
                ("description", Cell::text(&self.scenario.description)),
                ("start year", Cell::Year(self.scenario.start_year)),
                ("horizon", Cell::Year(self.scenario.horizon)),
                ("fingerprint", Cell::text(&self.scenario.fingerprint)),
                (
                    "simulator",
                    Cell::text(format!(
                        "{} {}",
                        self.simulator.name, self.simulator.version
                    )),
                ),
                ("seed", Cell::text(self.seed.to_string())),
                ("paths", Cell::Count(self.paths)),
                ("paths requested", Cell::Count(self.paths_requested)),
                ("partial", Cell::text(self.partial.to_string())),
                ("sampler", Cell::text(self.sampler)),
                (
                    "percentile relative error",
                    Cell::Value(self.quantile_relative_error, Unit::Share),
                ),
                ("threads", Cell::Count(self.run.threads as u64)),
                ("wall time (s)", Cell::Number(secs)),
            ],
        )
    }
}

impl Exporter for Report {
    fn title(&self) -> String {
        self.scenario.name.clone()
    }

    fn table(&self) -> String {
        super::table::render(self)
    }

    fn csv(&self) -> String {
        super::csv::render(self)
    }

    fn sheets(&self) -> Vec<Sheet> {
        let mut sheets = vec![
            self.headline_sheet(),
            self.thresholds_sheet(),
            self.break_even_sheet(),
            self.funding_sheet(),
        ];
        if !self.rare.is_empty() {
            sheets.insert(2, super::rare::sheet(&self.rare));
        }
        if let Some(w) = &self.waterfall {
            sheets.push(Report::waterfall_sheet(w));
        }
        sheets.extend(self.metric_sheets());
        sheets.push(self.inputs_sheet());
        sheets.push(self.facts_sheet());
        sheets
    }
}

/// The text with its first letter upper-case.
pub(super) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The report of a run of either kind of scenario: a single firm's [`Report`] or a
/// network's [`NetworkReport`], rendered as that report is.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum ScenarioReport {
    Firm(Box<Report>),
    Network(Box<NetworkReport>),
}

impl ScenarioReport {
    /// The report of `summary`, a run of `scenario` with `seed` and `sampler` that was asked
    /// for `paths_requested` paths.
    pub fn new(
        scenario: &Scenario,
        summary: &ScenarioSummary,
        seed: u64,
        sampler: Sampler,
        paths_requested: u64,
        facts: RunFacts,
    ) -> ScenarioReport {
        match summary {
            ScenarioSummary::Firm(s) => ScenarioReport::Firm(Box::new(
                Report::new(scenario, s, seed, paths_requested, facts).with_sampler(sampler),
            )),
            ScenarioSummary::Network(s) => ScenarioReport::Network(Box::new(NetworkReport::new(
                scenario,
                s,
                seed,
                sampler,
                paths_requested,
            ))),
        }
    }

    /// A firm's report with the waterfall of its median path (a network's has none yet).
    pub fn with_waterfall(self, waterfall: Option<Waterfall>) -> ScenarioReport {
        match self {
            ScenarioReport::Firm(r) => ScenarioReport::Firm(Box::new(r.with_waterfall(waterfall))),
            network => network,
        }
    }

    /// This report with rare-event estimates of some of its thresholds or events.
    pub fn with_rare(self, rare: Vec<super::rare::RareThreshold>) -> ScenarioReport {
        match self {
            ScenarioReport::Firm(r) => ScenarioReport::Firm(Box::new(r.with_rare(rare))),
            ScenarioReport::Network(mut r) => {
                r.rare = rare;
                ScenarioReport::Network(r)
            }
        }
    }

    /// Marks the report partial (an interrupted run).
    pub fn mark_partial(&mut self) {
        match self {
            ScenarioReport::Firm(r) => r.partial = true,
            ScenarioReport::Network(r) => r.partial = true,
        }
    }
}

impl Exporter for ScenarioReport {
    fn title(&self) -> String {
        match self {
            ScenarioReport::Firm(r) => r.title(),
            ScenarioReport::Network(r) => r.title(),
        }
    }

    fn table(&self) -> String {
        match self {
            ScenarioReport::Firm(r) => r.table(),
            ScenarioReport::Network(r) => r.table(),
        }
    }

    fn csv(&self) -> String {
        match self {
            ScenarioReport::Firm(r) => r.csv(),
            ScenarioReport::Network(r) => r.csv(),
        }
    }

    fn sheets(&self) -> Vec<Sheet> {
        match self {
            ScenarioReport::Firm(r) => r.sheets(),
            ScenarioReport::Network(r) => r.sheets(),
        }
    }
}
