//! The HTML report: one self-contained file (inline CSS and SVG, no scripts, no external
//! assets) with the headline probabilities, the charts, the metric tables, the calibration
//! table and the inputs with their sources; for a network ([`render_network`]), its
//! diagram, end-customer against internal revenue, the entity and contagion tables instead. The markup is also well-formed XML, so it can be
//! checked by an XML parser.

use std::fmt::Write;

use super::format::{compact, difference, optional, percent, thousands, value, year};
use super::network::NetworkReport;
use super::svg::{self, ChartError};
use super::{Distribution, MetricResult, Probability, Report, ScenarioInfo, Simulator, diagram};
use crate::analysis::calibrate::{Calibration, Period, Verdict};
use crate::analysis::sensitivity::Sensitivity;
use crate::analysis::sweep::Sweep;
use crate::dist::{Dist, Shape};
use crate::model::Metric;
use crate::scenario::Scenario;
use crate::unit::Unit;

/// Everything the report shows; the analyses are optional.
pub struct Document<'a> {
    pub report: &'a Report,
    pub scenario: &'a Scenario,
    /// Tornado, rank correlations and "what must be true".
    pub sensitivity: Option<&'a Sensitivity>,
    /// A one-parameter sweep.
    pub curve: Option<&'a Sweep>,
    /// A two-parameter sweep.
    pub grid: Option<&'a Sweep>,
    /// The event the sweeps plot, by name.
    pub event: &'a str,
    pub calibration: Option<&'a Calibration>,
    /// Why an optional part is missing, shown in its place.
    pub notes: Vec<String>,
    /// The command that made the report.
    pub command: String,
}

const STYLE: &str = "
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
  color: #1d2330; background: #f5f6f8; margin: 0; line-height: 1.45; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 32px 64px; background: #fff; }
h1 { font-size: 28px; margin: 8px 0 4px; }
h2 { font-size: 21px; margin: 36px 0 10px; padding-top: 10px; border-top: 2px solid #e3e6ec; }
h3 { font-size: 16px; margin: 20px 0 6px; }
p.meta, p.note { color: #5a6270; font-size: 14px; margin: 4px 0; }
table { border-collapse: collapse; font-size: 14px; margin: 8px 0 16px; width: 100%; }
th, td { border-bottom: 1px solid #e3e6ec; padding: 5px 8px; text-align: right; vertical-align: top; white-space: nowrap; }
th { background: #f0f2f6; font-weight: 600; }
td.l, th.l { text-align: left; white-space: normal; }
td.src { text-align: left; color: #5a6270; font-size: 13px; max-width: 420px; white-space: normal; }
tr.bad td { background: #fff1f0; }
.ok { color: #1a7f37; font-weight: 600; }
.no { color: #c62828; font-weight: 600; }
.edge { color: #b26a00; font-weight: 600; }
figure { margin: 12px 0 24px; }
div.pair { display: flex; gap: 12px; }
div.pair figure { flex: 1; min-width: 0; }
figure svg { width: 100%; height: auto; border: 1px solid #e3e6ec; }
figcaption { color: #5a6270; font-size: 13px; margin-top: 4px; }
.big { font-size: 22px; font-weight: 700; }
code { background: #f0f2f6; padding: 1px 4px; border-radius: 3px; font-size: 13px; }
td.l code { overflow-wrap: anywhere; }
";

/// Escapes text for HTML (and XML).
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn interval(p: &Probability) -> String {
    format!("{} – {}", percent(p.ci95[0]), percent(p.ci95[1]))
}

/// A distribution parameter in a few characters: `0.35`, `1.4T`.
fn number(x: f64) -> String {
    super::format::number(x, 4)
}

/// A distribution's family and its parameters, named.
fn family_and_parameters(d: &Dist) -> (&'static str, String) {
    let (family, mut parameters) = match d.shape() {
        Shape::Fixed(f) => ("fixed", number(f.value())),
        Shape::Uniform(u) => (
            "uniform",
            format!("min {}, max {}", number(u.min()), number(u.max())),
        ),
        Shape::Triangular(t) => (
            "triangular",
            format!(
                "min {}, mode {}, max {}",
                number(t.min()),
                number(t.mode()),
                number(t.max())
            ),
        ),
        Shape::Pert(p) => (
            "pert",
            format!(
                "min {}, mode {}, max {}, shape {}",
                number(p.min()),
                number(p.mode()),
                number(p.max()),
                number(p.shape())
            ),
        ),
        Shape::Normal(n) => (
            "normal",
            format!("mean {}, sd {}", number(n.mean()), number(n.sd())),
        ),
        Shape::LogNormal(l) => (
            "lognormal",
            format!(
                "mu {}, sigma {} (median {}, 90% in [{}, {}])",
                number(l.mu()),
                number(l.sigma()),
                number(d.quantile(0.5)),
                number(d.quantile(0.05)),
                number(d.quantile(0.95))
            ),
        ),
        Shape::Beta(b) => (
            "beta",
            format!(
                "alpha {}, beta {} on [{}, {}]",
                number(b.alpha()),
                number(b.beta()),
                number(b.min()),
                number(b.max())
            ),
        ),
        Shape::Discrete(discrete) => {
            let weights = discrete.weights();
            let total: f64 = weights.iter().sum();
            let pairs: Vec<String> = discrete
                .values()
                .iter()
                .zip(weights)
                .map(|(v, w)| format!("{}: {}", number(*v), number(w / total)))
                .collect();
            ("discrete", pairs.join(", "))
        }
    };
    if let Some((low, high)) = d.truncation() {
        let _ = write!(
            parameters,
            "; truncated to [{}, {}]",
            number(low),
            number(high)
        );
    }
    (family, parameters)
}

fn value_of(metric: &MetricResult, x: Option<f64>) -> String {
    optional(metric.unit, x)
}

fn figure(out: &mut String, svg: &str, caption: &str) {
    let _ = writeln!(
        out,
        "<figure>{svg}<figcaption>{}</figcaption></figure>",
        esc(caption)
    );
}

fn headline(out: &mut String, r: &Report) {
    out.push_str("<h2 id=\"headline\">Headline probabilities</h2>\n<table>\n<thead><tr><th class=\"l\">Event</th><th>P</th><th>95% interval</th><th>Paths</th><th class=\"l\">Source</th></tr></thead>\n<tbody>\n");
    let mut row = |label: &str, p: &Probability, source: Option<&str>| {
        let _ = writeln!(
            out,
            "<tr><td class=\"l\">{}</td><td class=\"big\">{}</td><td>{}</td><td>{}</td><td class=\"src\">{}</td></tr>",
            esc(label),
            percent(p.probability),
            interval(p),
            thousands(p.paths),
            esc(source.unwrap_or(""))
        );
    };
    for t in &r.thresholds {
        row(&t.label, &t.estimate, t.source.as_deref());
    }
    let be = &r.break_even;
    row(
        &format!(
            "Operating break-even by {}: {}",
            r.scenario.horizon, be.operating.definition
        ),
        &be.operating.within_horizon,
        None,
    );
    row(
        &format!(
            "Cash payback by {}: {}",
            r.scenario.horizon, be.cash_payback.definition
        ),
        &be.cash_payback.within_horizon,
        None,
    );
    out.push_str("</tbody>\n</table>\n");
    let _ = writeln!(
        out,
        "<p class=\"note\">Break-even year: P10 {}, median {}, P90 {}. Payback year: P10 {}, median {}, P90 {}. Funding gap: median {} (P10 {}, P90 {}). NPV of free cash flow: median {}. Intervals are Wilson 95% intervals over {} paths.</p>",
        year(be.operating.p10_year),
        year(be.operating.median_year),
        year(be.operating.p90_year),
        year(be.cash_payback.p10_year),
        year(be.cash_payback.median_year),
        year(be.cash_payback.p90_year),
        super::format::value(Unit::Usd, be.funding_gap.p50.unwrap_or(f64::NAN)),
        super::format::value(Unit::Usd, be.funding_gap.p10.unwrap_or(f64::NAN)),
        super::format::value(Unit::Usd, be.funding_gap.p90.unwrap_or(f64::NAN)),
        super::format::value(Unit::Usd, be.npv.p50.unwrap_or(f64::NAN)),
        thousands(r.paths)
    );
}

fn metric_tables(out: &mut String, r: &Report) {
    out.push_str("<h2 id=\"metrics\">Metrics by year</h2>\n<p class=\"note\">Percentiles over paths, within ±0.2% of the exact sample percentile; the JSON and CSV outputs carry all sixteen metrics.</p>\n");
    for m in super::KEY_METRICS {
        let metric = r.metric(m);
        let mut title = metric.description.to_string();
        if let Some(first) = title.get(..1) {
            title = first.to_uppercase() + &title[1..];
        }
        let _ = writeln!(
            out,
            "<h3>{} <code>{}</code></h3>\n<table>\n<thead><tr><th class=\"l\">Year</th><th>P5</th><th>P10</th><th>Median</th><th>P90</th><th>P95</th><th>Mean</th></tr></thead>\n<tbody>",
            esc(&title),
            metric.name
        );
        for y in &metric.years {
            let d: &Distribution = &y.distribution;
            let _ = writeln!(
                out,
                "<tr><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                y.year,
                value_of(metric, d.p5),
                value_of(metric, d.p10),
                value_of(metric, d.p50),
                value_of(metric, d.p90),
                value_of(metric, d.p95),
                value_of(metric, d.mean)
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
}

fn sensitivity_table(out: &mut String, s: &Sensitivity) {
    let unit = s.output.unit;
    let show = |x: f64| value(unit, x);
    let _ = writeln!(
        out,
        "<p class=\"note\">Tornado: {} paths per bar (common random numbers). Rank correlation and medians: a sample of {} paths, {} of them on the \"met\" side ({}); a Spearman coefficient within ±{:.3} is indistinguishable from zero.</p>",
        thousands(s.paths),
        thousands(s.sample_paths),
        thousands(s.sample_met),
        esc(s.split),
        2.0 / (s.sample_paths.max(2) as f64 - 1.0).sqrt()
    );
    out.push_str("<table>\n<thead><tr><th>#</th><th class=\"l\">Input</th><th>At P10</th><th>At P90</th><th>Swing</th><th>Spearman</th><th>Median if met</th><th>Median if missed</th></tr></thead>\n<tbody>\n");
    for (i, e) in s.inputs.iter().enumerate() {
        let median = |m: Option<f64>| m.map(compact).unwrap_or_else(|| "–".into());
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"l\"><code>{}</code></td><td>{} → {}</td><td>{} → {}</td><td>{}</td><td>{:+.3}</td><td>{}</td><td>{}</td></tr>",
            i + 1,
            esc(&e.key),
            compact(e.at_p10.input),
            show(e.at_p10.output),
            compact(e.at_p90.input),
            show(e.at_p90.output),
            difference(unit, e.swing),
            e.spearman,
            median(e.median_met),
            median(e.median_missed)
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn calibration_table(out: &mut String, c: &Calibration) {
    let _ = writeln!(
        out,
        "<p class=\"note\">Each figure of subject <code>{}</code> in the figures file against the model over {} paths. Verdicts: consistent (the source lies within the model's P10–P90), edge (outside P10–P90 but within P5–P95), contradicted (outside P5–P95). <code>h1</code> is half of the annual value; <code>run_rate_end</code> is the geometric mean of that year's and the next year's annual values. Source at: the share of paths at or below the source's value.</p>",
        esc(c.subject.as_deref().unwrap_or("")),
        thousands(c.paths)
    );
    out.push_str("<table>\n<thead><tr><th class=\"l\">Figure</th><th class=\"l\">Quantity</th><th>Source</th><th>Model P10</th><th>Median</th><th>Model P90</th><th>Source at</th><th>Verdict</th></tr></thead>\n<tbody>\n");
    for k in &c.checks {
        let show = |x: f64| value(k.unit, x);
        let period = match k.period {
            Period::Year => "year",
            Period::H1 => "h1",
            Period::RunRateEnd => "run rate, year end",
        };
        let _ = writeln!(
            out,
            "<tr{}><td class=\"l\"><code>{}</code><br/><span class=\"src\">{} ({})</span></td><td class=\"l\">{} {} ({})</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>P{:.0}</td><td>{}</td></tr>",
            if k.verdict == Verdict::Contradicted {
                " class=\"bad\""
            } else {
                ""
            },
            esc(&k.id),
            esc(&k.description),
            esc(&k.source),
            esc(&k.metric),
            k.year,
            period,
            show(k.value),
            show(k.model_p10),
            show(k.model_median),
            show(k.model_p90),
            100.0 * k.percentile,
            match k.verdict {
                Verdict::Consistent => "<span class=\"ok\">consistent</span>",
                Verdict::Edge => "<span class=\"edge\">edge</span>",
                Verdict::Contradicted => "<span class=\"no\">contradicted</span>",
            }
        );
    }
    out.push_str("</tbody>\n</table>\n");
    for u in &c.uncovered {
        let _ = writeln!(
            out,
            "<p class=\"note\">Not compared: <code>{}</code> — {}</p>",
            esc(&u.id),
            esc(&u.reason)
        );
    }
}

fn inputs_table(out: &mut String, s: &Scenario) {
    out.push_str("<h2 id=\"inputs\">Inputs</h2>\n<table>\n<thead><tr><th class=\"l\">Key</th><th class=\"l\">Distribution</th><th class=\"l\">Parameters</th><th class=\"l\">Source</th></tr></thead>\n<tbody>\n");
    for i in &s.inputs {
        let (family, parameters) = family_and_parameters(&i.dist);
        let _ = writeln!(
            out,
            "<tr><td class=\"l\"><code>{}</code></td><td class=\"l\">{}</td><td class=\"l\">{}</td><td class=\"src\">{}</td></tr>",
            esc(&i.key),
            family,
            esc(&parameters),
            esc(i.source.as_deref().unwrap_or("none given"))
        );
    }
    out.push_str("</tbody>\n</table>\n");
    if !s.correlations.pairs.is_empty() {
        out.push_str("<h3 id=\"correlations\">Rank correlations</h3>\n<p class=\"note\">Spearman rank correlations between inputs, imposed with a Gaussian copula: each input keeps its own distribution, only which values come together changes.</p>\n<table>\n<thead><tr><th class=\"l\">Input</th><th class=\"l\">Input</th><th>Rank correlation</th><th class=\"l\">Source</th></tr></thead>\n<tbody>\n");
        for p in &s.correlations.pairs {
            let _ = writeln!(
                out,
                "<tr><td class=\"l\"><code>{}</code></td><td class=\"l\"><code>{}</code></td><td>{:+.2}</td><td class=\"src\">{}</td></tr>",
                esc(&s.inputs[p.a].key),
                esc(&s.inputs[p.b].key),
                p.rho,
                esc(p.source.as_deref().unwrap_or("no source"))
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    let cited = s.citations();
    if !cited.is_empty() {
        out.push_str("<h3 id=\"sources\">Sources cited</h3>\n<ul class=\"sources\">\n");
        for seed in cited {
            let _ = writeln!(out, "<li>{}</li>", esc(&seed.citation()));
        }
        out.push_str("</ul>\n");
    }
}

/// The page's head, title and the line saying what was run.
fn page_start(out: &mut String, info: &ScenarioInfo, paths: u64, seed: u64) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        esc(&info.name)
    );
    let _ = writeln!(
        out,
        "<h1>{}</h1>\n<p class=\"meta\">{}</p>\n<p class=\"meta\"><code>{}</code> · {}–{} · {} paths · seed {} · scenario fingerprint <code>{}</code> · {} {}</p>",
        esc(&info.name),
        esc(&info.description),
        esc(&info.file),
        info.start_year,
        info.horizon,
        thousands(paths),
        seed,
        esc(&info.fingerprint),
        Simulator::CURRENT.name,
        Simulator::CURRENT.version
    );
}

/// The analyses a report may carry, for either kind of scenario.
pub struct Analyses<'a> {
    /// Tornado, rank correlations and "what must be true".
    pub sensitivity: Option<&'a Sensitivity>,
    /// A one-parameter sweep.
    pub curve: Option<&'a Sweep>,
    /// A two-parameter sweep.
    pub grid: Option<&'a Sweep>,
    /// The event the sweeps plot, by name.
    pub event: &'a str,
}

/// The sensitivity and sweep sections; the sweeps mark the base case of `scenario`.
fn analyses(out: &mut String, a: &Analyses, scenario: &Scenario) -> Result<(), ChartError> {
    out.push_str("<h2 id=\"sensitivity\">Which inputs matter</h2>\n");
    match a.sensitivity {
        Some(s) => {
            figure(
                out,
                &svg::tornado(s, 15)?,
                "Each uncertain input fixed at its own 10th and 90th percentile while all others stay random, on the same paths; inputs ranked by the swing.",
            );
            sensitivity_table(out, s);
        }
        None => out.push_str("<p class=\"note\">No sensitivity analysis in this report.</p>\n"),
    }

    out.push_str("<h2 id=\"sweeps\">Sweeps</h2>\n");
    if let Some(sweep) = a.curve {
        let events: Vec<usize> = sweep.event_index(a.event).into_iter().collect();
        figure(
            out,
            &svg::sweep_curves(sweep, &events, &svg::base_case(sweep, scenario))?,
            &format!(
                "{} paths at each point, the same paths at every point (common random numbers); band: Wilson 95% interval; grey dashed line: the base case (the value the scenario gives the input; its median when uncertain).",
                thousands(sweep.paths)
            ),
        );
    }
    if let Some(sweep) = a.grid
        && let Some(e) = sweep.event_index(a.event)
    {
        figure(
            out,
            &svg::heatmap(sweep, e, &svg::base_case(sweep, scenario))?,
            &format!(
                "Probability in each cell of a two-parameter grid, {} paths per cell, the same paths in every cell; orange outline: the cell nearest the base case (each input at the value the scenario gives it, its median when uncertain).",
                thousands(sweep.paths)
            ),
        );
    }
    Ok(())
}

/// The inputs, the notes and the closing line.
fn page_end(out: &mut String, scenario: &Scenario, notes: &[String], command: &str) {
    inputs_table(out, scenario);
    if !notes.is_empty() {
        out.push_str("<h2 id=\"notes\">Notes</h2>\n");
        for n in notes {
            let _ = writeln!(out, "<p class=\"note\">{}</p>", esc(n));
        }
    }
    let _ = write!(
        out,
        "<p class=\"meta\">Made with <code>{}</code>. Every chart and table above is in this file; it needs no network and no scripts.</p>\n</main>\n</body>\n</html>\n",
        esc(command)
    );
}

/// Renders the report.
pub fn render(doc: &Document) -> Result<String, ChartError> {
    let r = doc.report;
    let mut out = String::new();
    page_start(&mut out, &r.scenario, r.paths, r.seed);
    headline(&mut out, r);

    out.push_str("<h2 id=\"revenue\">Revenue against required revenue</h2>\n");
    figure(
        &mut out,
        &svg::fan_chart(r, doc.scenario)?,
        "Bands: the share of paths whose revenue lies within them each year. Required revenue: the revenue at which that year's EBIT would be zero (median over paths). Revenue thresholds: a diamond at the year a threshold is tested in; a dashed step up to the last year of a threshold met in any year until then (`by`).",
    );
    out.push_str("<h2 id=\"ebit-cash\">EBIT and cash</h2>\n<div class=\"pair\">\n");
    figure(
        &mut out,
        &svg::metric_fan(r, Metric::Ebit, "EBIT (operating profit) by year")?,
        "Bands: the share of paths whose EBIT lies within them each year.",
    );
    figure(
        &mut out,
        &svg::metric_fan(r, Metric::Cash, "Cash at year end")?,
        "Starting cash plus cumulative free cash flow (no new funding); its low point is the funding gap.",
    );
    out.push_str("</div>\n");
    if let Some(w) = &r.waterfall {
        let _ = writeln!(
            out,
            "<h2 id=\"waterfall\">From revenue to EBIT: the median path in {}</h2>",
            w.year
        );
        figure(
            &mut out,
            &svg::waterfall(w)?,
            &format!(
                "Path {}: {}. Every bar is that one path's number, so the bars add up to its EBIT.",
                w.path, w.definition
            ),
        );
    }
    out.push_str("<h2 id=\"break-even\">When does it break even?</h2>\n");
    figure(
        &mut out,
        &svg::event_year_histogram(&r.break_even.operating, "Year of operating break-even")?,
        "Share of paths whose EBIT turns non-negative in that year and stays so through the horizon; the grey bar holds the paths that do not break even within the horizon (cut, with its share written on it, when it would dwarf the years).",
    );

    analyses(
        &mut out,
        &Analyses {
            sensitivity: doc.sensitivity,
            curve: doc.curve,
            grid: doc.grid,
            event: doc.event,
        },
        doc.scenario,
    )?;

    metric_tables(&mut out, r);

    out.push_str("<h2 id=\"calibration\">Calibration against the sources</h2>\n");
    match doc.calibration {
        Some(c) if !c.checks.is_empty() => calibration_table(&mut out, c),
        _ => out.push_str(
            "<p class=\"note\">No figures of this scenario's subject to compare with.</p>\n",
        ),
    }

    page_end(&mut out, doc.scenario, &doc.notes, &doc.command);
    Ok(out)
}

/// Everything the report of a network shows; the analyses are optional.
pub struct NetworkDocument<'a> {
    pub report: &'a NetworkReport,
    pub scenario: &'a Scenario,
    pub analyses: Analyses<'a>,
    /// Why an optional part is missing, shown in its place.
    pub notes: Vec<String>,
    /// The command that made the report.
    pub command: String,
}

fn optional_percent(p: Option<f64>) -> String {
    p.map_or("–".to_string(), percent)
}

fn usd(x: Option<f64>) -> String {
    x.map_or("–".to_string(), |x| value(Unit::Usd, x))
}

/// Renders the report of a network: its thresholds, the diagram, end-customer against
/// internal revenue, the entities, the round trips of equity, contagion, the analyses and
/// the inputs.
pub fn render_network(doc: &NetworkDocument) -> Result<String, ChartError> {
    let r = doc.report;
    let mut out = String::new();
    page_start(&mut out, &r.scenario, r.paths, r.seed);

    out.push_str("<h2 id=\"headline\">Headline probabilities</h2>\n<table>\n<thead><tr><th class=\"l\">Threshold</th><th>P</th><th>95% interval</th><th>Paths</th><th class=\"l\">Source</th></tr></thead>\n<tbody>\n");
    for t in &r.thresholds {
        let _ = writeln!(
            out,
            "<tr><td class=\"l\">{}</td><td class=\"big\">{}</td><td>{}</td><td>{}</td><td class=\"src\">{}</td></tr>",
            esc(&t.label),
            percent(t.estimate.probability),
            interval(&t.estimate),
            thousands(t.estimate.paths),
            esc(t.source.as_deref().unwrap_or(""))
        );
    }
    out.push_str("</tbody>\n</table>\n");

    out.push_str("<h2 id=\"diagram\">Who pays whom</h2>\n");
    figure(
        &mut out,
        &diagram::network(r),
        "Entities coloured by their probability of default within the horizon; arrows are flows, their width growing with the median amount paid over the horizon (width proportional to its square root; flows of one kind between the same two entities drawn as one arrow, their medians added). Hover an arrow or a node for its figures.",
    );

    out.push_str("<h2 id=\"revenue\">Revenue from end customers and from each other</h2>\n");
    figure(
        &mut out,
        &svg::network_revenue(r, doc.scenario)?,
        "End-customer revenue comes from outside the network (consumers, enterprises, governments); internal revenue is what the entities pay each other for purchases. Bands: P10–P90 over paths; lines: medians. Dashed horizontal lines: the file's revenue thresholds.",
    );
    out.push_str("<table>\n<thead><tr><th>Year</th><th>Gross P50</th><th>End-customer P50</th><th>Internal P50</th><th>Circularity P50</th><th>Circularity P5–P95</th></tr></thead>\n<tbody>\n");
    let n = &r.network;
    for k in 0..n.gross_revenue.len() {
        let c = &n.circularity[k].distribution;
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} – {}</td></tr>",
            n.gross_revenue[k].year,
            usd(n.gross_revenue[k].distribution.p50),
            usd(n.end_customer_revenue[k].distribution.p50),
            usd(n.internal_revenue[k].distribution.p50),
            optional_percent(c.p50),
            optional_percent(c.p5),
            optional_percent(c.p95)
        );
    }
    out.push_str("</tbody>\n</table>\n<p class=\"note\">Circularity: internal revenue over gross revenue, path by path.</p>\n");

    let horizon = r.scenario.horizon;
    out.push_str("<h2 id=\"entities\">Entities</h2>\n<table>\n<thead><tr><th class=\"l\">Entity</th><th>Break-even</th><th>Payback</th><th>Default<br/>(95% interval)</th><th>Default year<br/>P50</th><th>Funding drawn<br/>P50</th><th>Revenue lost<br/>mean</th>");
    let _ = writeln!(
        out,
        "<th>End-customer<br/>{horizon} P50</th><th>Internal<br/>{horizon} P50</th></tr></thead>\n<tbody>"
    );
    for (name, e) in &r.entities {
        let last = e.end_customer_revenue.len().saturating_sub(1);
        let _ = writeln!(
            out,
            "<tr><td class=\"l\"><code>{}</code><br/>{}</td><td>{}</td><td>{}</td><td><span class=\"big\">{}</span><br/>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(name),
            esc(&e.label),
            percent(e.break_even.within_horizon.probability),
            percent(e.payback.within_horizon.probability),
            percent(e.default.within_horizon.probability),
            interval(&e.default.within_horizon),
            year(e.default.median_year),
            usd(e.funding_drawn.p50),
            usd(e.revenue_lost.mean),
            usd(e
                .end_customer_revenue
                .get(last)
                .and_then(|y| y.distribution.p50)),
            usd(e
                .internal_revenue
                .get(last)
                .and_then(|y| y.distribution.p50))
        );
    }
    let _ = writeln!(
        out,
        "</tbody>\n</table>\n<p class=\"note\">Break-even: EBIT &gt;= 0 from some year through {horizon}, flows included; payback: cumulative free cash flow &gt;= 0 through {horizon}; default: the first year an entity cannot pay what it owes, or its cash stays below zero with its financing capacities used. Funding drawn: outside equity, debt and backstop. Revenue lost: what others owed it and did not pay.</p>"
    );

    if !n.round_trips.is_empty() {
        out.push_str("<h2 id=\"round-trips\">Round trips of equity</h2>\n<table>\n<thead><tr><th class=\"l\">Flow</th><th class=\"l\">Investor → receiver</th><th>Invested, mean</th><th>Returned, mean</th><th>Share returned</th></tr></thead>\n<tbody>\n");
        for rt in &n.round_trips {
            let _ = writeln!(
                out,
                "<tr><td class=\"l\"><code>{}</code></td><td class=\"l\">{} → {}</td><td>{}</td><td>{}</td><td class=\"big\">{}</td></tr>",
                esc(&rt.flow),
                esc(&rt.investor),
                esc(&rt.receiver),
                usd(rt.invested.mean),
                usd(rt.returned.mean),
                optional_percent(rt.share_returned)
            );
        }
        out.push_str("</tbody>\n</table>\n<p class=\"note\">Returned: the investor's revenue from the receiver over the horizon, at most what it invested, path by path; money that returns through a third entity is not traced.</p>\n");
    }

    out.push_str("<h2 id=\"contagion\">Contagion</h2>\n<p class=\"note\">P(column defaults | row defaults), over the paths where the row's entity defaults; n/a where it never does.</p>\n<table>\n<thead><tr><th class=\"l\">Given</th>");
    let names: Vec<&String> = r.entities.keys().collect();
    for b in &names {
        let _ = write!(out, "<th>{}</th>", esc(b));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for a in &names {
        let _ = write!(out, "<tr><td class=\"l\">{}</td>", esc(a));
        for b in &names {
            let cell = if a == b {
                "–".to_string()
            } else {
                n.contagion
                    .pairs
                    .iter()
                    .find(|p| &p.given == *a && &p.defaults == *b)
                    .and_then(|p| p.estimate.as_ref())
                    .map_or("n/a".to_string(), |p| percent(p.probability))
            };
            let _ = write!(out, "<td>{cell}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    let c = &n.contagion;
    let starters: Vec<String> = c
        .starters
        .iter()
        .filter(|s| s.paths > 0)
        .take(3)
        .map(|s| format!("{} ({} of cascades)", esc(&s.entity), percent(s.share)))
        .collect();
    let _ = writeln!(
        out,
        "<p class=\"note\">Cascades (more than one default on a path): {} ({}). Most often started by: {}.</p>",
        percent(c.cascades.probability),
        interval(&c.cascades),
        if starters.is_empty() {
            "none".to_string()
        } else {
            starters.join(", ")
        }
    );

    analyses(&mut out, &doc.analyses, doc.scenario)?;
    page_end(&mut out, doc.scenario, &doc.notes, &doc.command);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(esc("a < b & \"c\""), "a &lt; b &amp; &quot;c&quot;");
    }

    #[test]
    fn names_distribution_parameters() {
        let d = Dist::pert(0.35, 0.5, 0.65, 4.0).unwrap();
        assert_eq!(
            family_and_parameters(&d),
            ("pert", "min 0.35, mode 0.5, max 0.65, shape 4".to_string())
        );
        let t = Dist::normal(0.0, 1.0).unwrap().truncate(-1.0, 2.0).unwrap();
        assert_eq!(
            family_and_parameters(&t).1,
            "mean 0, sd 1; truncated to [-1, 2]"
        );
    }
}
