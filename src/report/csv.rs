//! The report as CSV: one row per number, in long form, for spreadsheets and pandas.
//!
//! Columns: `section,name,year,statistic,value,ci95_low,ci95_high,note`. Sections are
//! `run`, `threshold`, `rare` (with `--rare`: probability, evaluations and gain, the estimate
//! in words as the note), `break_even`, `waterfall` (the median path's lines in one year, in
//! USD, costs negative, then its `ebit` with the path's index as the note), `metric` and
//! `input`; statistics are `probability`,
//! `mean`, `sd`, `min`, `p5`, `p10`, `p50`, `p90`, `p95`, `max`, `share`, and for `run` the
//! simulator version, the scenario's file and fingerprint (the hash of the scenario after
//! overrides), the seed, the path count and whether the run was partial. `note` carries an input's source.

use super::{Distribution, Report};

struct Rows {
    writer: ::csv::Writer<Vec<u8>>,
}

impl Rows {
    fn row(&mut self, cells: [&str; 8]) {
        self.writer
            .write_record(cells)
            .expect("writing CSV to memory cannot fail");
    }

    fn number(&mut self, section: &str, name: &str, year: &str, stat: &str, value: f64) {
        self.row([section, name, year, stat, &value.to_string(), "", "", ""]);
    }

    fn probability(&mut self, section: &str, name: &str, year: &str, p: &super::Probability) {
        self.row([
            section,
            name,
            year,
            "probability",
            &p.probability.to_string(),
            &p.ci95[0].to_string(),
            &p.ci95[1].to_string(),
            "",
        ]);
    }

    fn distribution(&mut self, section: &str, name: &str, year: &str, d: &Distribution) {
        let stats = [
            ("mean", d.mean),
            ("sd", d.sd),
            ("min", d.min),
            ("p5", d.p5),
            ("p10", d.p10),
            ("p50", d.p50),
            ("p90", d.p90),
            ("p95", d.p95),
            ("max", d.max),
        ];
        for (stat, v) in stats {
            if let Some(v) = v {
                self.number(section, name, year, stat, v);
            }
        }
    }
}

/// Renders the report as CSV.
pub fn render(r: &Report) -> String {
    let mut rows = Rows {
        writer: ::csv::Writer::from_writer(Vec::new()),
    };
    rows.row([
        "section",
        "name",
        "year",
        "statistic",
        "value",
        "ci95_low",
        "ci95_high",
        "note",
    ]);
    rows.row([
        "run",
        "simulator",
        "",
        "version",
        r.simulator.version,
        "",
        "",
        "",
    ]);
    rows.row([
        "run",
        "scenario",
        "",
        "file",
        &r.scenario.file,
        "",
        "",
        &r.scenario.name,
    ]);
    rows.row([
        "run",
        "scenario",
        "",
        "fingerprint",
        &r.scenario.fingerprint,
        "",
        "",
        "",
    ]);
    rows.row(["run", "seed", "", "value", &r.seed.to_string(), "", "", ""]);
    rows.row([
        "run",
        "paths",
        "",
        "value",
        &r.paths.to_string(),
        "",
        "",
        "",
    ]);
    rows.row([
        "run",
        "partial",
        "",
        "value",
        if r.partial { "true" } else { "false" },
        "",
        "",
        "",
    ]);
    for t in &r.thresholds {
        rows.probability("threshold", &t.name, "", &t.estimate);
    }
    for t in &r.rare {
        let e = &t.rare;
        let text = |x: Option<f64>| x.map_or(String::new(), |x| x.to_string());
        let [low, high] = e.ci95.map_or([None, None], |[l, h]| [Some(l), Some(h)]);
        rows.row([
            "rare",
            &t.name,
            "",
            "probability",
            &text(e.probability),
            &text(low),
            &text(high),
            &t.in_words,
        ]);
        rows.row([
            "rare",
            &t.name,
            "",
            "evaluations",
            &e.evaluations.to_string(),
            "",
            "",
            "",
        ]);
        if let Some(g) = e.gain {
            rows.number("rare", &t.name, "", "gain", g);
        }
    }
    let be = &r.break_even;
    rows.probability("break_even", "operating", "", &be.operating.within_horizon);
    rows.probability(
        "break_even",
        "cash_payback",
        "",
        &be.cash_payback.within_horizon,
    );
    for (name, e) in [
        ("operating_year", &be.operating),
        ("payback_year", &be.cash_payback),
    ] {
        for y in &e.by_year {
            rows.number("break_even", name, &y.year.to_string(), "share", y.share);
        }
        rows.number("break_even", name, "never", "share", e.never_share);
    }
    for p in &be.profitable_by_year {
        rows.probability(
            "break_even",
            "ebit_non_negative",
            &p.year.to_string(),
            &p.estimate,
        );
    }
    rows.distribution("break_even", "funding_gap", "", &be.funding_gap);
    rows.distribution("break_even", "npv", "", &be.npv);
    if let Some(w) = &r.waterfall {
        let year = w.year.to_string();
        for line in &w.lines {
            rows.row([
                "waterfall",
                line.name,
                &year,
                "usd",
                &line.usd.to_string(),
                "",
                "",
                "",
            ]);
        }
        let path = format!("median path {} of {}", w.path, w.paths);
        rows.row([
            "waterfall",
            "ebit",
            &year,
            "usd",
            &w.ebit.to_string(),
            "",
            "",
            &path,
        ]);
    }
    for m in &r.metrics {
        for y in &m.years {
            rows.distribution("metric", m.name, &y.year.to_string(), &y.distribution);
        }
    }
    for i in &r.inputs {
        rows.row([
            "input",
            &i.key,
            "",
            "distribution",
            &i.distribution,
            "",
            "",
            i.source.as_deref().unwrap_or(""),
        ]);
    }
    let bytes = rows
        .writer
        .into_inner()
        .expect("flushing CSV to memory cannot fail");
    String::from_utf8(bytes).expect("CSV of UTF-8 strings is UTF-8")
}
