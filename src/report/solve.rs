//! A goal seek's [`Solution`] in every format: the answer with its 95% interval and bracket,
//! and every evaluation of the probability.

use std::fmt::Write;

use super::Exporter;
use super::format::{compact, number, percent};
use super::run::probability_cells;
use super::sheet::{self, Cell, Sheet};
use crate::analysis::solve::{Answer, Solution};
use crate::unit::Unit;

/// A parameter value with about six significant digits: `0.369629`, `245.337B`.
fn precise(x: f64) -> String {
    number(x, 6)
}

impl Solution {
    fn answer_sheet(&self) -> Sheet {
        let mut facts = vec![
            ("scenario", Cell::text(&self.scenario)),
            ("file", Cell::text(&self.file)),
            ("seed", Cell::text(self.seed.to_string())),
            ("paths per evaluation", Cell::Count(self.paths)),
            ("parameter", Cell::text(&self.parameter)),
            ("range from", Cell::Number(self.range[0])),
            ("range to", Cell::Number(self.range[1])),
            ("event", Cell::text(&self.event.name)),
            ("event description", Cell::text(&self.event.label)),
            ("target", Cell::Value(self.target, Unit::Probability)),
            ("tolerance", Cell::Number(self.tolerance)),
            ("evaluations", Cell::Count(self.evaluations.len() as u64)),
            ("monotone", Cell::text(self.monotone.to_string())),
            ("grid points", Cell::Count(self.grid_points as u64)),
        ];
        match &self.answer {
            Answer::Found {
                value,
                bracket,
                ci95,
            } => {
                facts.push(("status", Cell::text("found")));
                facts.push(("value", Cell::Number(*value)));
                facts.push((
                    "ci95 low",
                    ci95[0].map_or(Cell::text("below range"), Cell::Number),
                ));
                facts.push((
                    "ci95 high",
                    ci95[1].map_or(Cell::text("above range"), Cell::Number),
                ));
                facts.push(("bracket low", Cell::Number(bracket[0])));
                facts.push(("bracket high", Cell::Number(bracket[1])));
            }
            Answer::Unreachable => facts.push(("status", Cell::text("unreachable"))),
        }
        let mut sheet = sheet::facts("Goal seek", facts);
        sheet.name = "answer".into();
        sheet
    }

    fn crossings_sheet(&self) -> Sheet {
        let mut sheet = Sheet::new(
            "crossings",
            "Every crossing of the target",
            &[
                &self.parameter,
                "direction",
                "ci95 low",
                "ci95 high",
                "bracket low",
                "bracket high",
            ],
        );
        for c in &self.crossings {
            let bound = |b: Option<f64>, side: &str| b.map_or(Cell::text(side), Cell::Number);
            sheet.row(vec![
                Cell::Number(c.value),
                Cell::text(if c.rising { "rising" } else { "falling" }),
                bound(c.ci95[0], "below range"),
                bound(c.ci95[1], "above range"),
                Cell::Number(c.bracket[0]),
                Cell::Number(c.bracket[1]),
            ]);
        }
        sheet
    }

    fn evaluations_sheet(&self) -> Sheet {
        let mut sheet = Sheet::new(
            "evaluations",
            "Evaluations",
            &[
                &self.parameter,
                "probability",
                "ci95_low",
                "ci95_high",
                "paths_met",
            ],
        );
        for e in &self.evaluations {
            let mut row = vec![Cell::Number(e.value)];
            row.extend(probability_cells(&e.probability));
            sheet.row(row);
        }
        sheet
    }
}

impl Exporter for Solution {
    fn title(&self) -> String {
        format!(
            "Goal seek: {} such that P({}) = {}",
            self.parameter,
            self.event.name,
            percent(self.target)
        )
    }

    fn table(&self) -> String {
        table(self)
    }

    fn csv(&self) -> String {
        sheet::csv(&self.evaluations_sheet())
    }

    fn sheets(&self) -> Vec<Sheet> {
        vec![
            self.answer_sheet(),
            self.crossings_sheet(),
            self.evaluations_sheet(),
        ]
    }
}

fn table(s: &Solution) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", s.title());
    let _ = writeln!(out, "  event: {}", s.event.label);
    let _ = writeln!(
        out,
        "  {} · seed {} · {} paths per evaluation · {} evaluations · range {}..{}\n",
        s.file,
        s.seed,
        s.paths,
        s.evaluations.len(),
        compact(s.range[0]),
        compact(s.range[1])
    );
    let ends = format!(
        "P = {} [{}, {}] at {} and {} [{}, {}] at {}",
        percent(s.at_from.probability),
        percent(s.at_from.ci95[0]),
        percent(s.at_from.ci95[1]),
        precise(s.range[0]),
        percent(s.at_to.probability),
        percent(s.at_to.ci95[0]),
        percent(s.at_to.ci95[1]),
        precise(s.range[1])
    );
    match &s.answer {
        Answer::Found {
            value,
            bracket,
            ci95,
        } => {
            let bound = |b: Option<f64>, past: f64, side: &str| match b {
                Some(x) => precise(x),
                None => format!("{side} {}", precise(past)),
            };
            let _ = writeln!(out, "  {} = {}", s.parameter, precise(*value));
            let _ = writeln!(
                out,
                "  95% interval: {} to {}  (values whose Wilson 95% interval of P contains the target)",
                bound(ci95[0], s.range[0], "below"),
                bound(ci95[1], s.range[1], "above")
            );
            let _ = writeln!(
                out,
                "  bracket: [{}, {}] (tolerance {})",
                precise(bracket[0]),
                precise(bracket[1]),
                compact(s.tolerance)
            );
            let _ = writeln!(out, "  {ends}");
        }
        Answer::Unreachable => {
            let _ = writeln!(
                out,
                "  not reachable inside the range: {ends}; the target {} lies outside.",
                percent(s.target)
            );
        }
    }
    if s.crossings.len() > 1 {
        let _ = writeln!(
            out,
            "\n  The probability crosses the target {} times (the first is shown above):",
            s.crossings.len()
        );
        for c in &s.crossings {
            let _ = writeln!(
                out,
                "    {} = {} ({}), 95% interval {} to {}",
                s.parameter,
                precise(c.value),
                if c.rising { "rising" } else { "falling" },
                c.ci95[0].map_or_else(|| format!("below {}", precise(s.range[0])), precise),
                c.ci95[1].map_or_else(|| format!("above {}", precise(s.range[1])), precise),
            );
        }
    }
    if !s.monotone {
        let _ = writeln!(
            out,
            "  warning: the probability does not move one way over the evaluated values ({} grid points, then bisection); every crossing found is listed.",
            s.grid_points
        );
    }
    out
}
