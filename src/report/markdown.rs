//! The report as Markdown tables, for documents and notes.

use std::fmt::Write;

use super::format::{people, percent, thousands, usd, year};
use super::{MetricResult, Probability, Report};

fn value(metric: &MetricResult, x: Option<f64>) -> String {
    match x {
        None => "–".into(),
        Some(x) if metric.unit == "people" => people(x),
        Some(x) => usd(x),
    }
}

fn cells(p: &Probability) -> String {
    format!(
        "{} | {} – {}",
        percent(p.probability),
        percent(p.ci95[0]),
        percent(p.ci95[1])
    )
}

fn escape(s: &str) -> String {
    s.replace('|', "\\|")
}

/// Renders the report as Markdown.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", escape(&r.scenario.name));
    let _ = writeln!(
        out,
        "`{}` · {}–{} · {} paths · seed {} · sampler {}{}\n",
        r.scenario.file,
        r.scenario.start_year,
        r.scenario.horizon,
        thousands(r.paths),
        r.seed,
        r.sampler,
        if r.partial {
            " · **partial (interrupted)**"
        } else {
            ""
        }
    );
    let _ = writeln!(out, "## Thresholds\n");
    let _ = writeln!(out, "| threshold | P(met) | 95% interval | source |");
    let _ = writeln!(out, "|---|---:|---:|---|");
    for t in &r.thresholds {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            escape(&t.label),
            cells(&t.estimate),
            escape(t.source.as_deref().unwrap_or(""))
        );
    }
    if !r.rare.is_empty() {
        let _ = writeln!(out, "\n### Rare thresholds, by subset simulation\n");
        super::rare::markdown_section(&mut out, &r.rare);
    }
    let be = &r.break_even;
    let _ = writeln!(out, "\n## Break-even by {}\n", r.scenario.horizon);
    let _ = writeln!(
        out,
        "| event | P(yes) | 95% interval | P10 year | median year | P90 year |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|");
    for (name, e) in [
        ("Operating (EBIT >= 0)", &be.operating),
        ("Cash payback", &be.cash_payback),
    ] {
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} |",
            cells(&e.within_horizon),
            year(e.p10_year),
            year(e.median_year),
            year(e.p90_year)
        );
    }
    let money = |x: Option<f64>| x.map_or_else(|| "–".to_string(), usd);
    let _ = writeln!(out, "\n| quantity | P10 | median | P90 | mean |");
    let _ = writeln!(out, "|---|---:|---:|---:|---:|");
    for (name, d) in [
        ("Funding gap", &be.funding_gap),
        ("NPV of free cash flow", &be.npv),
    ] {
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} |",
            money(d.p10),
            money(d.p50),
            money(d.p90),
            money(d.mean)
        );
    }
    let _ = writeln!(out, "\n## Metrics by year\n");
    for m in &r.metrics {
        let _ = writeln!(out, "### {} (`{}`)\n", m.description, m.name);
        let _ = writeln!(out, "| year | P5 | P10 | median | P90 | P95 | mean | sd |");
        let _ = writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|---:|");
        for y in &m.years {
            let d = &y.distribution;
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                y.year,
                value(m, d.p5),
                value(m, d.p10),
                value(m, d.p50),
                value(m, d.p90),
                value(m, d.p95),
                value(m, d.mean),
                value(m, d.sd)
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "## Inputs\n");
    let _ = writeln!(out, "| key | distribution | source |");
    let _ = writeln!(out, "|---|---|---|");
    for i in &r.inputs {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} |",
            i.key,
            escape(&i.distribution),
            escape(i.source.as_deref().unwrap_or(""))
        );
    }
    out
}
