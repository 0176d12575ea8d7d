//! A [`Sensitivity`] analysis in every format: the tornado (each input at its P10 and P90),
//! the Spearman rank correlations, and "what must be true" (each input's median over paths
//! that meet the event against those that miss it).

use std::fmt::Write;

use super::Exporter;
use super::format::{compact, difference, percent, thousands, value};
use super::sheet::{self, Cell, Sheet};
use crate::analysis::sensitivity::{MAX_SAMPLE, Sensitivity};

impl Sensitivity {
    /// One row per uncertain input, by swing.
    fn inputs_sheet(&self) -> Sheet {
        let unit = self.output.unit;
        let mut sheet = Sheet::new(
            "inputs",
            "Tornado, rank correlation and what must be true",
            &[
                "rank",
                "input",
                "distribution",
                "P10 value",
                "output at P10",
                "P90 value",
                "output at P90",
                "swing",
                "spearman",
                "median where met",
                "median where missed",
                "source",
            ],
        )
        .note(format!(
            "Output: {}. With every input random: {}. Each input fixed at its own P10, then its P90, all else random, on the same {} paths; rank correlations and medians over {} paths; split: {}.",
            self.output.label,
            value(unit, self.base),
            thousands(self.paths),
            thousands(self.sample_paths),
            self.split
        ));
        for (i, e) in self.inputs.iter().enumerate() {
            sheet.row(vec![
                Cell::Count(i as u64 + 1),
                Cell::text(&e.key),
                Cell::text(&e.distribution),
                Cell::Number(e.at_p10.input),
                Cell::Value(e.at_p10.output, unit),
                Cell::Number(e.at_p90.input),
                Cell::Value(e.at_p90.output, unit),
                Cell::Value(e.swing, unit),
                Cell::Number(e.spearman),
                e.median_met.map_or(Cell::Empty, Cell::Number),
                e.median_missed.map_or(Cell::Empty, Cell::Number),
                Cell::source(e.source.as_deref()),
            ]);
        }
        sheet
    }

    fn facts_sheet(&self) -> Sheet {
        let unit = self.output.unit;
        let mut facts = vec![
            ("scenario", Cell::text(&self.scenario)),
            ("file", Cell::text(&self.file)),
            ("seed", Cell::text(self.seed.to_string())),
            ("output", Cell::text(&self.output.label)),
            ("paths per tornado run", Cell::Count(self.paths)),
            ("paths sampled", Cell::Count(self.sample_paths)),
            (
                "output with every input random",
                Cell::Value(self.base, unit),
            ),
        ];
        if let Some(ci) = self.base_ci95 {
            facts.push(("ci95 low", Cell::Value(ci[0], unit)));
            facts.push(("ci95 high", Cell::Value(ci[1], unit)));
        }
        sheet::facts("Sensitivity facts", facts)
    }
}

impl Exporter for Sensitivity {
    fn title(&self) -> String {
        format!("Sensitivity of {}", self.output.label)
    }

    fn table(&self) -> String {
        table(self)
    }

    fn csv(&self) -> String {
        sheet::csv(&self.inputs_sheet())
    }

    fn sheets(&self) -> Vec<Sheet> {
        vec![self.inputs_sheet(), self.facts_sheet()]
    }
}

fn table(s: &Sensitivity) -> String {
    let unit = s.output.unit;
    let show = |x: f64| value(unit, x);
    let mut out = String::new();
    let _ = writeln!(out, "{}", s.title());
    let _ = writeln!(
        out,
        "  {} · seed {} · {} paths per tornado run · all inputs random: {}{}\n",
        s.file,
        s.seed,
        thousands(s.paths),
        show(s.base),
        s.base_ci95
            .map(|ci| format!(" [{}, {}]", percent(ci[0]), percent(ci[1])))
            .unwrap_or_default()
    );
    let width = s
        .inputs
        .iter()
        .map(|e| e.key.len())
        .max()
        .unwrap_or(5)
        .max(5);
    let _ = writeln!(
        out,
        "TORNADO (input fixed at its P10 / P90, all else random, same paths), by swing"
    );
    let _ = writeln!(
        out,
        "  {:>3}  {:width$}  {:>22}  {:>22}  {:>10}",
        "#", "input", "at P10", "at P90", "swing"
    );
    for (i, e) in s.inputs.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {:>3}  {:width$}  {:>22}  {:>22}  {:>10}",
            i + 1,
            e.key,
            format!("{} → {}", compact(e.at_p10.input), show(e.at_p10.output)),
            format!("{} → {}", compact(e.at_p90.input), show(e.at_p90.output)),
            difference(unit, e.swing)
        );
    }
    let mut by_rho: Vec<_> = s.inputs.iter().collect();
    by_rho.sort_by(|a, b| b.spearman.abs().total_cmp(&a.spearman.abs()));
    let _ = writeln!(
        out,
        "\nSPEARMAN RANK CORRELATION with the output, over {} paths (|rho| < {:.3} is noise){}",
        thousands(s.sample_paths),
        2.0 / (s.sample_paths.max(2) as f64 - 1.0).sqrt(),
        if s.sample_paths == MAX_SAMPLE {
            " — the sample is capped"
        } else {
            ""
        }
    );
    for e in &by_rho {
        let _ = writeln!(out, "  {:width$}  {:+.3}", e.key, e.spearman);
    }
    let _ = writeln!(
        out,
        "\nWHAT MUST BE TRUE: median of each input over {} ({} of {} sampled paths on the first side)",
        s.split,
        thousands(s.sample_met),
        thousands(s.sample_paths)
    );
    let _ = writeln!(out, "  {:width$}  {:>12}  {:>12}", "input", "met", "missed");
    let median = |m: Option<f64>| m.map(compact).unwrap_or_else(|| "–".into());
    for e in &s.inputs {
        let _ = writeln!(
            out,
            "  {:width$}  {:>12}  {:>12}",
            e.key,
            median(e.median_met),
            median(e.median_missed)
        );
    }
    out
}
