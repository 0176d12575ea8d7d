//! A [`Calibration`] in every format: each figure of the scenario's subject in the sources
//! against the model's distribution, with one verdict word for every output ([`verdict`]).

use std::fmt::Write;

use super::Exporter;
use super::format::{thousands, value};
use super::sheet::{self, Cell, Sheet};
use crate::analysis::calibrate::{Calibration, Period, Verdict};
use crate::unit::Unit;

/// The verdict as every output says it (the JSON value too).
pub fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Consistent => "consistent",
        Verdict::Edge => "edge",
        Verdict::Contradicted => "contradicted",
    }
}

/// What the verdicts mean, said once in every output.
pub const VERDICTS: &str = "consistent: the source lies within the model's P10–P90 · edge: outside P10–P90 but within P5–P95 · contradicted: outside P5–P95";

/// The period as a reader says it.
pub fn period(p: Period) -> &'static str {
    match p {
        Period::Year => "year",
        Period::H1 => "H1 (half the year)",
        Period::RunRateEnd => "run rate at year end",
    }
}

impl Calibration {
    fn checks_sheet(&self) -> Sheet {
        let mut sheet = Sheet::new(
            "figures",
            "Figures against the model",
            &[
                "verdict",
                "id",
                "description",
                "source",
                "metric",
                "year",
                "period",
                "source value",
                "model P5",
                "model P10",
                "model median",
                "model P90",
                "model P95",
                "source at percentile",
                "reproduced by",
                "tolerance",
            ],
        )
        .note(VERDICTS);
        for k in &self.checks {
            let v = |x: f64| Cell::Value(x, k.unit);
            sheet.row(vec![
                Cell::text(verdict(k.verdict)),
                Cell::text(&k.id),
                Cell::text(&k.description),
                Cell::text(&k.source),
                Cell::text(&k.metric),
                Cell::Year(k.year),
                Cell::text(period(k.period)),
                v(k.value),
                v(k.model_p5),
                v(k.model_p10),
                v(k.model_median),
                v(k.model_p90),
                v(k.model_p95),
                Cell::Value(k.percentile, Unit::Share),
                Cell::source(k.reproduced_by.as_deref()),
                k.tolerance.map_or(Cell::Empty, v),
            ]);
        }
        for u in &self.uncovered {
            let mut row = vec![
                Cell::text("not compared"),
                Cell::text(&u.id),
                Cell::text(&u.reason),
            ];
            row.resize(16, Cell::Empty);
            sheet.row(row);
        }
        sheet
    }

    fn facts_sheet(&self) -> Sheet {
        sheet::facts(
            "Calibration facts",
            vec![
                ("scenario", Cell::text(&self.scenario)),
                ("file", Cell::text(&self.file)),
                ("figures", Cell::text(&self.figures)),
                ("subject", Cell::source(self.subject.as_deref())),
                ("seed", Cell::text(self.seed.to_string())),
                ("paths", Cell::Count(self.paths)),
                (
                    "figures consistent",
                    Cell::Count(self.with_verdict(Verdict::Consistent).count() as u64),
                ),
                (
                    "figures at the edge",
                    Cell::Count(self.with_verdict(Verdict::Edge).count() as u64),
                ),
                (
                    "figures contradicted",
                    Cell::Count(self.with_verdict(Verdict::Contradicted).count() as u64),
                ),
            ],
        )
    }
}

impl Exporter for Calibration {
    fn title(&self) -> String {
        format!("Calibration of {}", self.scenario)
    }

    fn table(&self) -> String {
        table(self)
    }

    fn csv(&self) -> String {
        sheet::csv(&self.checks_sheet())
    }

    fn sheets(&self) -> Vec<Sheet> {
        vec![self.checks_sheet(), self.facts_sheet()]
    }
}

fn table(c: &Calibration) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Calibration of {} against {} · subject {} · {} paths · seed {}",
        c.file,
        c.figures,
        c.subject
            .as_deref()
            .unwrap_or("(none: set [scenario] subject)"),
        thousands(c.paths),
        c.seed
    );
    let _ = writeln!(out, "{VERDICTS}\n");
    if c.checks.is_empty() && c.uncovered.is_empty() {
        let _ = writeln!(
            out,
            "No figures of this scenario's subject to compare with."
        );
        return out;
    }
    for k in &c.checks {
        let show = |x: f64| value(k.unit, x);
        let _ = writeln!(
            out,
            "{:<12} {}  ({}, {})",
            verdict(k.verdict),
            k.id,
            k.source,
            k.description
        );
        let _ = writeln!(
            out,
            "    {} {} {}: source {} · model median {} · P10–P90 {} – {} · source at P{:.0}",
            k.metric,
            k.year,
            period(k.period),
            show(k.value),
            show(k.model_median),
            show(k.model_p10),
            show(k.model_p90),
            100.0 * k.percentile
        );
        if let (Some(scenario), Some(tolerance)) = (&k.reproduced_by, k.tolerance) {
            let _ = writeln!(
                out,
                "    published figure: {scenario} reproduces it to within {} (its rounding)",
                show(tolerance)
            );
        }
    }
    for u in &c.uncovered {
        let _ = writeln!(out, "{:<12} {}: {}", "not compared", u.id, u.reason);
    }
    let _ = writeln!(
        out,
        "\n{} of {} figures consistent with the model (within its P10–P90), {} at the edge, {} contradicted.",
        c.with_verdict(Verdict::Consistent).count(),
        c.checks.len(),
        c.with_verdict(Verdict::Edge).count(),
        c.with_verdict(Verdict::Contradicted).count()
    );
    out
}
