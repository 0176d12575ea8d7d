//! A [`Sweep`] in every format: for the terminal, one block per event (a column of values for
//! one parameter, a matrix for two); for CSV, Markdown and Excel, one row per point and event.

use std::fmt::Write;

use super::Exporter;
use super::format::{compact, percent, thousands};
use super::run::probability_cells;
use super::sheet::{self, Cell, Sheet};
use crate::analysis::sweep::Sweep;

impl Sweep {
    /// One row per point and event: the parameters' values, the event, its probability and
    /// interval, the paths that met it.
    fn points_sheet(&self) -> Sheet {
        let mut columns: Vec<&str> = self.parameters.iter().map(|p| p.key.as_str()).collect();
        columns.extend(["event", "probability", "ci95_low", "ci95_high", "paths_met"]);
        let mut sheet =
            Sheet::new("sweep", "Probabilities at every point", &columns).note(format!(
                "{} paths per point, the same paths at every point (seed {}).",
                thousands(self.paths),
                self.seed
            ));
        for point in &self.points {
            for (event, p) in self.events.iter().zip(&point.probabilities) {
                let mut row: Vec<Cell> = point.values.iter().map(|&v| Cell::Number(v)).collect();
                row.push(Cell::text(&event.name));
                row.extend(probability_cells(p));
                sheet.row(row);
            }
        }
        sheet
    }

    fn facts_sheet(&self) -> Sheet {
        let mut facts = vec![
            ("scenario", Cell::text(&self.scenario)),
            ("file", Cell::text(&self.file)),
            ("seed", Cell::text(self.seed.to_string())),
            ("paths per point", Cell::Count(self.paths)),
        ];
        for p in &self.parameters {
            facts.push(("parameter", Cell::text(format!("{}={}", p.key, p.range))));
        }
        for e in &self.events {
            facts.push(("event", Cell::text(format!("{}: {}", e.name, e.label))));
        }
        sheet::facts("Sweep facts", facts)
    }
}

impl Exporter for Sweep {
    fn title(&self) -> String {
        let keys: Vec<&str> = self.parameters.iter().map(|p| p.key.as_str()).collect();
        format!("Sweep of {} · {}", keys.join(" × "), self.scenario)
    }

    fn table(&self) -> String {
        table(self)
    }

    fn csv(&self) -> String {
        sheet::csv(&self.points_sheet())
    }

    fn sheets(&self) -> Vec<Sheet> {
        vec![self.points_sheet(), self.facts_sheet()]
    }
}

/// One block per event: a column of values for one parameter, a matrix for two.
fn table(s: &Sweep) -> String {
    let mut out = String::new();
    let keys: Vec<&str> = s.parameters.iter().map(|p| p.key.as_str()).collect();
    let _ = writeln!(
        out,
        "Sweep of {} · {} · {} paths per point · seed {} (the same paths at every point)\n",
        keys.join(" × "),
        s.file,
        s.paths,
        s.seed
    );
    for (e, event) in s.events.iter().enumerate() {
        let _ = writeln!(out, "{} — {}", event.name, event.label);
        match s.parameters.len() {
            1 => {
                let width = keys[0].len().max(10);
                let _ = writeln!(
                    out,
                    "  {:>width$}  {:>8}  {:>20}",
                    keys[0], "P", "95% interval"
                );
                for point in &s.points {
                    let p = &point.probabilities[e];
                    let bar = "█".repeat((p.probability * 30.0).round() as usize);
                    let line = format!(
                        "  {:>width$}  {:>8}  {:>20}  {bar}",
                        compact(point.values[0]),
                        percent(p.probability),
                        format!("[{}, {}]", percent(p.ci95[0]), percent(p.ci95[1]))
                    );
                    let _ = writeln!(out, "{}", line.trim_end());
                }
            }
            _ => {
                let columns = s.parameters[1].range.steps;
                let _ = writeln!(out, "  rows: {}, columns: {}", keys[0], keys[1]);
                let _ = write!(out, "  {:>10}", "");
                for point in s.points.iter().take(columns) {
                    let _ = write!(out, " {:>8}", compact(point.values[1]));
                }
                out.push('\n');
                for row in s.points.chunks(columns) {
                    let _ = write!(out, "  {:>10}", compact(row[0].values[0]));
                    for point in row {
                        let _ = write!(out, " {:>8}", percent(point.probabilities[e].probability));
                    }
                    out.push('\n');
                }
            }
        }
        out.push('\n');
    }
    out
}
