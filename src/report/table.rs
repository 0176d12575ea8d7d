//! The terminal report, at most 100 columns wide: thresholds first, then break-even, then
//! the median path's waterfall (when the run has one), then revenue against required revenue, then metric percentiles by year, then the run facts.

use std::fmt::Write;

use super::format::{optional, percent, thousands, value as amount, year};
use super::{Distribution, EventYears, MetricResult, Probability, Report};
use crate::analysis::waterfall::Waterfall;
use crate::model::Metric;
use crate::unit::Unit;

const WIDTH: usize = 100;
const LABEL: usize = 62;

fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        format!("{text:<width$}")
    } else {
        let cut: String = text.chars().take(width - 1).collect();
        format!("{cut}…")
    }
}

fn interval(p: &Probability) -> String {
    format!("[{}, {}]", percent(p.ci95[0]), percent(p.ci95[1]))
}

fn probability_row(out: &mut String, label: &str, p: &Probability) {
    let _ = writeln!(
        out,
        "  {} {:>9}  {:>22}",
        fit(label, LABEL),
        percent(p.probability),
        interval(p)
    );
}

fn value(metric: &MetricResult, x: Option<f64>) -> String {
    optional(metric.unit, x)
}

fn years_shown(n: usize) -> Vec<usize> {
    if n <= 16 {
        (0..n).collect()
    } else {
        let mut v: Vec<usize> = (0..n).step_by(5).collect();
        if v.last() != Some(&(n - 1)) {
            v.push(n - 1);
        }
        v
    }
}

fn event_line(out: &mut String, name: &str, e: &EventYears) {
    let _ = writeln!(
        out,
        "  {name:<18} P10 {} · median {} · P90 {}",
        year(e.p10_year),
        year(e.median_year),
        year(e.p90_year)
    );
}

fn money_line(out: &mut String, name: &str, d: &Distribution) {
    let f = |x: Option<f64>| optional(Unit::Usd, x);
    let _ = writeln!(
        out,
        "  {name:<18} P10 {} · median {} · P90 {}",
        f(d.p10),
        f(d.p50),
        f(d.p90)
    );
}

fn bar(share: f64, width: usize) -> String {
    let cells = share * width as f64;
    let full = cells.floor() as usize;
    let mut s = "█".repeat(full);
    if cells - (full as f64) >= 0.5 {
        s.push('▌');
    }
    s
}

/// The median path's waterfall: each line, and the running total after it.
fn waterfall(out: &mut String, rule: &str, w: &Waterfall) {
    let _ = writeln!(out, "\n{rule}");
    let _ = writeln!(
        out,
        "WATERFALL OF THE MEDIAN PATH IN {} (path {}: median EBIT of {} paths)",
        w.year,
        w.path,
        thousands(w.paths)
    );
    let _ = writeln!(out, "  {:<30}{:>14}{:>16}", "", "amount", "running total");
    let mut running = 0.0;
    for line in &w.lines {
        running += line.usd;
        let _ = writeln!(
            out,
            "  {:<30}{:>14}{:>16}",
            line.label,
            amount(Unit::Usd, line.usd),
            amount(Unit::Usd, running)
        );
    }
    let _ = writeln!(out, "  {:<30}{:>14}", "EBIT", amount(Unit::Usd, w.ebit));
}

/// Renders the report as text for a terminal.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let rule = "─".repeat(WIDTH);
    let _ = writeln!(out, "{}", r.scenario.name);
    let _ = writeln!(
        out,
        "{} · {}–{} · {} paths · seed {}",
        r.scenario.file,
        r.scenario.start_year,
        r.scenario.horizon,
        thousands(r.paths),
        r.seed
    );
    if r.partial {
        let _ = writeln!(
            out,
            "PARTIAL RESULT: interrupted after {} of {} paths; intervals reflect the paths run.",
            thousands(r.paths),
            thousands(r.paths_requested)
        );
    }

    let _ = writeln!(out, "\n{rule}");
    let _ = writeln!(
        out,
        "{:<64} {:>9}  {:>22}",
        "THRESHOLDS", "P(met)", "95% interval"
    );
    if r.thresholds.is_empty() {
        let _ = writeln!(out, "  (the scenario lists no thresholds)");
    }
    for t in &r.thresholds {
        probability_row(&mut out, &t.label, &t.estimate);
    }
    if !r.rare.is_empty() {
        let _ = writeln!(
            out,
            "\n  Rare thresholds (plain estimate below 0.1%), by subset simulation:"
        );
        super::rare::table_section(&mut out, &r.rare);
    }

    let be = &r.break_even;
    let _ = writeln!(out, "\n{rule}");
    let _ = writeln!(
        out,
        "{:<64} {:>9}  {:>22}",
        format!("BREAK-EVEN WITHIN THE HORIZON ({})", r.scenario.horizon),
        "P(yes)",
        "95% interval"
    );
    probability_row(
        &mut out,
        "Operating: EBIT >= 0 from some year through the horizon",
        &be.operating.within_horizon,
    );
    probability_row(
        &mut out,
        "Cash payback: cumulative free cash flow >= 0 through horizon",
        &be.cash_payback.within_horizon,
    );
    out.push('\n');
    event_line(&mut out, "Break-even year", &be.operating);
    event_line(&mut out, "Payback year", &be.cash_payback);
    money_line(&mut out, "Funding gap", &be.funding_gap);
    money_line(&mut out, "NPV of free cash", &be.npv);
    let _ = writeln!(
        out,
        "\n  {:<7}{:<44}{:>14}",
        "Year", "share of paths first breaking even for good", "P(EBIT >= 0)"
    );
    for (shown, p) in be.operating.by_year.iter().zip(&be.profitable_by_year) {
        let _ = writeln!(
            out,
            "  {:<7}{:<36}{:>8}{:>14}",
            shown.year,
            bar(shown.share, 34),
            percent(shown.share),
            percent(p.estimate.probability)
        );
    }
    let _ = writeln!(
        out,
        "  {:<7}{:<36}{:>8}",
        "never",
        bar(be.operating.never_share, 34),
        percent(be.operating.never_share)
    );

    if let Some(w) = &r.waterfall {
        waterfall(&mut out, &rule, w);
    }

    let revenue = r.metric(Metric::Revenue);
    let required = r.metric(Metric::RequiredRevenue);
    let _ = writeln!(out, "\n{rule}");
    let _ = writeln!(
        out,
        "REVENUE: ACHIEVED AGAINST REQUIRED (the revenue at which that year's EBIT is zero)"
    );
    let _ = writeln!(
        out,
        "  {:<7}{:>12}{:>12}{:>12}   {:>12}{:>12}{:>12}",
        "Year", "P10", "median", "P90", "req. P10", "req. median", "req. P90"
    );
    for y in years_shown(revenue.years.len()) {
        let a = &revenue.years[y].distribution;
        let b = &required.years[y].distribution;
        let _ = writeln!(
            out,
            "  {:<7}{:>12}{:>12}{:>12}   {:>12}{:>12}{:>12}",
            revenue.years[y].year,
            value(revenue, a.p10),
            value(revenue, a.p50),
            value(revenue, a.p90),
            value(required, b.p10),
            value(required, b.p50),
            value(required, b.p90)
        );
    }

    let _ = writeln!(out, "\n{rule}");
    let _ = writeln!(out, "METRICS BY YEAR");
    for m in super::KEY_METRICS {
        let metric = r.metric(m);
        let _ = writeln!(
            out,
            "\n  {} ({})",
            super::run::capitalise(metric.description),
            metric.name
        );
        let _ = writeln!(
            out,
            "  {:<7}{:>11}{:>11}{:>11}{:>11}{:>11}{:>11}{:>11}",
            "Year", "P5", "P10", "median", "P90", "P95", "mean", "sd"
        );
        for y in years_shown(metric.years.len()) {
            let d = &metric.years[y].distribution;
            let _ = writeln!(
                out,
                "  {:<7}{:>11}{:>11}{:>11}{:>11}{:>11}{:>11}{:>11}",
                metric.years[y].year,
                value(metric, d.p5),
                value(metric, d.p10),
                value(metric, d.p50),
                value(metric, d.p90),
                value(metric, d.p95),
                value(metric, d.mean),
                value(metric, d.sd)
            );
        }
    }

    let _ = writeln!(out, "\n{rule}");
    let secs = r.run.elapsed.as_secs_f64();
    let rate = if secs > 0.0 {
        format!("{} paths/s", thousands((r.paths as f64 / secs) as u64))
    } else {
        "–".into()
    };
    let _ = writeln!(
        out,
        "RUN  seed {} · {} paths · sampler {} · {} threads · {:.2} s · {}",
        r.seed,
        thousands(r.paths),
        r.sampler,
        r.run.threads,
        secs,
        rate
    );
    let _ = writeln!(
        out,
        "     Intervals are Wilson 95%. Percentiles are within ±{:.2}% (log-bucket histogram).",
        100.0 * r.quantile_relative_error
    );
    out
}
