//! A [`Comparison`] of two scenarios in every format: each shared event's probability in A
//! and in B with the paired difference and its 95% interval (beside the wider interval two
//! independent runs would give), then the funding gap, the NPV and every metric's median and
//! mean in A and B with their differences.

use std::fmt::Write;

use super::Exporter;
use super::format::{difference, optional, percent, thousands};
use super::sheet::{self, Cell, Sheet};
use crate::analysis::compare::{Comparison, QuantityComparison};
use crate::unit::Unit;

/// The metrics the terminal table shows (every format else shows all of them).
const TABLE_METRICS: [&str; 5] = ["revenue", "ebit", "free_cash_flow", "cash", "paying_users"];

fn interval(unit: Unit, ci: [f64; 2]) -> String {
    format!("[{}, {}]", difference(unit, ci[0]), difference(unit, ci[1]))
}

impl Comparison {
    fn describe(&self) -> String {
        let b = if self.b.file == self.a.file {
            "the same file".to_string()
        } else {
            format!("`{}`", self.b.file)
        };
        let set = if self.overrides.is_empty() {
            String::new()
        } else {
            format!(" with {}", self.overrides.join(", "))
        };
        format!(
            "A: `{}` · B: {b}{set} · {} paths, each run in both (same path keys: common random numbers) · seed {} · sampler {}",
            self.a.file,
            thousands(self.paths),
            self.seed,
            self.sampler
        )
    }

    fn events_sheet(&self) -> Sheet {
        let mut sheet = Sheet::new(
            "events",
            "Events in A and B",
            &[
                "event",
                "description",
                "P(A)",
                "P(B)",
                "B - A",
                "ci95 low (paired)",
                "ci95 high (paired)",
                "ci95 low (independent)",
                "ci95 high (independent)",
                "paths met in both",
                "in A only",
                "in B only",
                "in neither",
            ],
        )
        .note(self.describe())
        .note("The paired interval counts the four cells of each event path by path (Newcombe 1998, method 10); the independent one is what two separate runs of the same size would give.");
        for e in &self.events {
            let p = |x: f64| Cell::Value(x, Unit::Probability);
            sheet.row(vec![
                Cell::text(&e.name),
                Cell::text(&e.label),
                p(e.a.probability),
                p(e.b.probability),
                p(e.difference),
                p(e.ci95[0]),
                p(e.ci95[1]),
                p(e.ci95_independent[0]),
                p(e.ci95_independent[1]),
                Cell::Count(e.cells.both),
                Cell::Count(e.cells.a_only),
                Cell::Count(e.cells.b_only),
                Cell::Count(e.cells.neither),
            ]);
        }
        if !self.unmatched_events.is_empty() {
            sheet.notes.push(format!(
                "Not compared (in one scenario only): {}.",
                self.unmatched_events.join(", ")
            ));
        }
        sheet
    }

    fn quantity_row(first: Vec<Cell>, q: &QuantityComparison, unit: Unit) -> Vec<Cell> {
        let mut row = first;
        row.extend([
            Cell::optional(q.a.median, unit),
            Cell::optional(q.b.median, unit),
            Cell::optional(q.median_difference, unit),
            Cell::optional(q.a.mean, unit),
            Cell::optional(q.b.mean, unit),
            Cell::optional(q.mean_difference, unit),
            Cell::optional(q.mean_difference_ci95.map(|c| c[0]), unit),
            Cell::optional(q.mean_difference_ci95.map(|c| c[1]), unit),
        ]);
        row
    }

    const QUANTITY_COLUMNS: [&str; 8] = [
        "median A",
        "median B",
        "median B - A",
        "mean A",
        "mean B",
        "mean B - A",
        "ci95 low (paired)",
        "ci95 high (paired)",
    ];

    fn metrics_sheet(&self) -> Sheet {
        let mut columns = vec!["quantity", "year"];
        columns.extend(Self::QUANTITY_COLUMNS);
        let mut sheet = Sheet::new("metrics", "Metrics in A and B", &columns).note(
            "Medians and means in each scenario; the interval is that of the mean of the per-path differences.",
        );
        for (name, q) in [("funding_gap", &self.funding_gap), ("npv", &self.npv)] {
            sheet.row(Self::quantity_row(
                vec![Cell::text(name), Cell::Empty],
                q,
                Unit::Usd,
            ));
        }
        for m in &self.metrics {
            for y in &m.years {
                sheet.row(Self::quantity_row(
                    vec![Cell::text(m.name), Cell::year(y.year)],
                    y,
                    m.unit,
                ));
            }
        }
        sheet
    }

    fn facts_sheet(&self) -> Sheet {
        sheet::facts(
            "Comparison facts",
            vec![
                ("scenario A", Cell::text(&self.a.name)),
                ("file A", Cell::text(&self.a.file)),
                ("fingerprint A", Cell::text(&self.a.fingerprint)),
                ("scenario B", Cell::text(&self.b.name)),
                ("file B", Cell::text(&self.b.file)),
                ("fingerprint B", Cell::text(&self.b.fingerprint)),
                ("overrides of B", Cell::text(self.overrides.join(" "))),
                ("seed", Cell::text(self.seed.to_string())),
                ("paths", Cell::Count(self.paths)),
                ("sampler", Cell::text(self.sampler)),
            ],
        )
    }
}

impl Exporter for Comparison {
    fn title(&self) -> String {
        format!(
            "Comparison: {} (A) against {} (B)",
            self.a.name, self.b.name
        )
    }

    fn table(&self) -> String {
        table(self)
    }

    /// One CSV of both tables: events then quantities, in long form.
    fn csv(&self) -> String {
        let mut sheet = Sheet::new(
            "comparison",
            "",
            &[
                "section",
                "name",
                "year",
                "statistic",
                "a",
                "b",
                "difference",
                "ci95_low",
                "ci95_high",
                "ci95_low_independent",
                "ci95_high_independent",
            ],
        );
        for e in &self.events {
            sheet.row(vec![
                Cell::text("event"),
                Cell::text(&e.name),
                Cell::Empty,
                Cell::text("probability"),
                Cell::Number(e.a.probability),
                Cell::Number(e.b.probability),
                Cell::Number(e.difference),
                Cell::Number(e.ci95[0]),
                Cell::Number(e.ci95[1]),
                Cell::Number(e.ci95_independent[0]),
                Cell::Number(e.ci95_independent[1]),
            ]);
        }
        let quantity =
            |sheet: &mut Sheet, name: &str, year: Option<i32>, q: &QuantityComparison| {
                let num = |x: Option<f64>| x.map_or(Cell::Empty, Cell::Number);
                let year = year.map_or(Cell::Empty, Cell::Year);
                sheet.row(vec![
                    Cell::text("quantity"),
                    Cell::text(name),
                    year.clone(),
                    Cell::text("median"),
                    num(q.a.median),
                    num(q.b.median),
                    num(q.median_difference),
                ]);
                sheet.row(vec![
                    Cell::text("quantity"),
                    Cell::text(name),
                    year,
                    Cell::text("mean"),
                    num(q.a.mean),
                    num(q.b.mean),
                    num(q.mean_difference),
                    num(q.mean_difference_ci95.map(|c| c[0])),
                    num(q.mean_difference_ci95.map(|c| c[1])),
                ]);
            };
        quantity(&mut sheet, "funding_gap", None, &self.funding_gap);
        quantity(&mut sheet, "npv", None, &self.npv);
        for m in &self.metrics {
            for y in &m.years {
                quantity(&mut sheet, m.name, y.year, y);
            }
        }
        sheet::csv(&sheet)
    }

    fn sheets(&self) -> Vec<Sheet> {
        vec![
            self.events_sheet(),
            self.metrics_sheet(),
            self.facts_sheet(),
        ]
    }
}

fn table(c: &Comparison) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", c.title());
    let _ = writeln!(out, "{}\n", c.describe().replace('`', ""));
    let _ = writeln!(
        out,
        "{:<44} {:>8} {:>8} {:>10}  {:>24}  {:>24}",
        "EVENT", "P(A)", "P(B)", "B - A", "95% paired", "95% if independent"
    );
    for e in &c.events {
        let label: String = if e.name.chars().count() > 44 {
            e.name.chars().take(43).chain(['…']).collect()
        } else {
            e.name.clone()
        };
        let _ = writeln!(
            out,
            "{:<44} {:>8} {:>8} {:>10}  {:>24}  {:>24}",
            label,
            percent(e.a.probability),
            percent(e.b.probability),
            difference(Unit::Probability, e.difference),
            interval(Unit::Probability, e.ci95),
            interval(Unit::Probability, e.ci95_independent)
        );
    }
    if !c.unmatched_events.is_empty() {
        let _ = writeln!(
            out,
            "  not compared (in one scenario only): {}",
            c.unmatched_events.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "\n{:<26} {:>10} {:>10} {:>10}   {:>10} {:>10} {:>10}  {:>24}",
        "QUANTITY",
        "median A",
        "median B",
        "B - A",
        "mean A",
        "mean B",
        "B - A",
        "95% paired (mean)"
    );
    let row = |out: &mut String, name: String, q: &QuantityComparison, unit: Unit| {
        let _ = writeln!(
            out,
            "{:<26} {:>10} {:>10} {:>10}   {:>10} {:>10} {:>10}  {:>24}",
            name,
            optional(unit, q.a.median),
            optional(unit, q.b.median),
            q.median_difference
                .map_or("–".into(), |d| difference(unit, d)),
            optional(unit, q.a.mean),
            optional(unit, q.b.mean),
            q.mean_difference
                .map_or("–".into(), |d| difference(unit, d)),
            q.mean_difference_ci95
                .map_or("–".into(), |ci| interval(unit, ci))
        );
    };
    row(&mut out, "funding gap".into(), &c.funding_gap, Unit::Usd);
    row(&mut out, "NPV of free cash flow".into(), &c.npv, Unit::Usd);
    for m in c.metrics.iter().filter(|m| TABLE_METRICS.contains(&m.name)) {
        let years = &m.years;
        let shown: Vec<usize> = if years.len() <= 4 {
            (0..years.len()).collect()
        } else {
            let last = years.len() - 1;
            vec![0, last / 2, last]
        };
        for i in shown {
            let y = &years[i];
            row(
                &mut out,
                format!(
                    "{} {}",
                    m.name,
                    y.year.map_or(String::new(), |y| y.to_string())
                ),
                y,
                m.unit,
            );
        }
    }
    let _ = writeln!(
        out,
        "\nB - A is B's value less A's. Every metric and year: --format csv, json, markdown or xlsx."
    );
    out
}
