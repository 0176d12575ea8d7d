//! Charts as SVG, drawn with plotters' SVG backend: the revenue fan chart, the EBIT and cash
//! fans, the median path's waterfall, the break-even year histogram, the tornado, sweep
//! curves, the two-parameter heatmap, and a network's end-customer against internal revenue
//! by year (its diagram is [`super::diagram`]).
//!
//! Text is written as SVG `<text>` in a generic `sans-serif` family, so a browser renders it
//! with its own fonts and no font files are needed to draw (plotters is built without its
//! font-rendering features and estimates text sizes for layout).

use plotters::coord::Shift;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::format::{self, percent, value};
use super::network::NetworkReport;
use super::{EventYears, Report};
use crate::analysis::sensitivity::Sensitivity;
use crate::analysis::sweep::Sweep;
use crate::analysis::waterfall::Waterfall;
use crate::model::Metric;
use crate::network::{NetworkMetric, NetworkTest};
use crate::scenario::Scenario;
use crate::threshold::{Target, Test, Years};
use crate::unit::Unit;

/// A chart could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error("cannot draw the chart: {0}")]
pub struct ChartError(String);

type Result<T> = std::result::Result<T, ChartError>;

fn fail<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError(e.to_string())
}

const WIDTH: u32 = 960;
const HEIGHT: u32 = 480;
const FONT: &str = "sans-serif";

const BLUE: RGBColor = RGBColor(31, 119, 180);
const ORANGE: RGBColor = RGBColor(230, 120, 20);
const GREEN: RGBColor = RGBColor(44, 160, 44);
const RED: RGBColor = RGBColor(200, 40, 40);
const PURPLE: RGBColor = RGBColor(148, 103, 189);
const GREY: RGBColor = RGBColor(140, 140, 140);
const PALETTE: [RGBColor; 6] = [BLUE, ORANGE, GREEN, RED, PURPLE, GREY];

/// Draws on a fresh white canvas and returns the SVG text.
fn draw(
    size: (u32, u32),
    paint: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<()>,
) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(fail)?;
        paint(&root)?;
        root.present().map_err(fail)?;
    }
    Ok(svg)
}

/// A probability on an axis: `35%`, `0.5%`, `0.01%`.
fn axis_percent(p: f64) -> String {
    let s = format!("{:.2}", 100.0 * p);
    format!("{}%", s.trim_end_matches('0').trim_end_matches('.'))
}

/// How a legend entry is drawn.
#[derive(Clone, Copy)]
enum Mark {
    /// A filled box: a band or a bar.
    Swatch(RGBAColor),
    Line(RGBColor),
    Dashed(RGBColor),
    /// A short vertical line.
    Rule(RGBColor),
    /// A filled diamond: a threshold tested in one year.
    Diamond(RGBColor),
}

const LEGEND_ROW: i32 = 22;

/// The height a legend of `entries` needs below a chart.
fn legend_height(entries: &[(String, Mark)]) -> u32 {
    (LEGEND_ROW * legend_rows(entries) + 12) as u32
}

fn legend_columns(entries: &[(String, Mark)]) -> usize {
    if entries.iter().all(|(label, _)| label.chars().count() <= 52) {
        2
    } else {
        1
    }
}

fn legend_rows(entries: &[(String, Mark)]) -> i32 {
    entries.len().div_ceil(legend_columns(entries)) as i32
}

/// Draws a legend into `area` (below the chart), in one or two columns.
fn legend(area: &DrawingArea<SVGBackend, Shift>, entries: &[(String, Mark)]) -> Result<()> {
    let columns = legend_columns(entries);
    let rows = legend_rows(entries) as usize;
    let width = area.dim_in_pixel().0 as i32;
    for (i, (label, mark)) in entries.iter().enumerate() {
        let x = 90 + (i / rows) as i32 * (width - 100) / columns as i32;
        let y = 6 + (i % rows) as i32 * LEGEND_ROW + LEGEND_ROW / 2;
        match *mark {
            Mark::Swatch(color) => area.draw(&Rectangle::new(
                [(x, y - 7), (x + 24, y + 7)],
                color.filled(),
            )),
            Mark::Line(color) => area.draw(&PathElement::new(
                [(x, y), (x + 24, y)],
                color.stroke_width(3),
            )),
            Mark::Dashed(color) => [0, 10, 20].iter().try_for_each(|&d| {
                area.draw(&PathElement::new(
                    [(x + d, y), (x + d + 5, y)],
                    color.stroke_width(3),
                ))
            }),
            Mark::Rule(color) => area.draw(&PathElement::new(
                [(x + 12, y - 8), (x + 12, y + 8)],
                color.stroke_width(2),
            )),
            Mark::Diamond(color) => area.draw(&Polygon::new(
                vec![(x + 12, y - 8), (x + 20, y), (x + 12, y + 8), (x + 4, y)],
                color.filled(),
            )),
        }
        .map_err(fail)?;
        let style = TextStyle::from((FONT, 15).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
        area.draw(&Text::new(label.clone(), (x + 32, y), style))
            .map_err(fail)?;
    }
    Ok(())
}

/// A revenue threshold on the fan chart: a mark at its year (`year = Y`), or a step that holds
/// from the start to its last year (`by = Y`).
struct Reference {
    label: String,
    value: f64,
    /// The calendar year it is tested in, or the last one.
    year: i32,
    /// `by`: any year up to `year` counts.
    by: bool,
}

/// The scenario's thresholds on revenue against a fixed value, such as Bain's $2T in 2030.
fn revenue_references(scenario: &Scenario) -> Vec<Reference> {
    scenario
        .thresholds
        .iter()
        .filter_map(|t| match &t.test {
            Test::Metric {
                metric: Metric::Revenue,
                years,
                target: Target::Value(v),
            } if *v > 0.0 => {
                let (y, by) = match *years {
                    Years::In(y) => (y, false),
                    Years::By(y) => (y, true),
                };
                Some(Reference {
                    label: t.label.clone(),
                    value: *v,
                    year: scenario.year(y),
                    by,
                })
            }
            _ => None,
        })
        .collect()
}

/// Ticks of a log axis from `low` to `high` at 1, 2 and 5 times each power of ten (only the
/// powers of ten when that would give more than 12).
fn log_ticks(low: f64, high: f64) -> Vec<f64> {
    let ticks = |mantissas: &[f64]| -> Vec<f64> {
        let (first, last) = (low.log10().floor() as i32, high.log10().ceil() as i32);
        (first..=last)
            .flat_map(|e| mantissas.iter().map(move |m| m * 10f64.powi(e)))
            .filter(|v| (low..=high).contains(v))
            .collect()
    };
    let fine = ticks(&[1.0, 2.0, 5.0]);
    if fine.len() > 12 { ticks(&[1.0]) } else { fine }
}

/// Revenue percentile bands by year (P5–P95 and P10–P90), the median, the median revenue
/// each year would need for EBIT to be zero, and the scenario's revenue thresholds (such as
/// Bain's $2T), on a log scale.
pub fn fan_chart(report: &Report, scenario: &Scenario) -> Result<String> {
    let revenue = &report.metric(Metric::Revenue).years;
    let required = &report.metric(Metric::RequiredRevenue).years;
    let references = revenue_references(scenario);
    let q = |y: &super::MetricYear, f: fn(&super::Distribution) -> Option<f64>| {
        f(&y.distribution).unwrap_or(0.0)
    };
    let mut values: Vec<f64> = revenue
        .iter()
        .flat_map(|y| [q(y, |d| d.p5), q(y, |d| d.p95)])
        .chain(required.iter().map(|y| q(y, |d| d.p50)))
        .chain(references.iter().map(|r| r.value))
        .filter(|v| *v > 0.0 && v.is_finite())
        .collect();
    values.sort_by(f64::total_cmp);
    let (low, high) = match (values.first(), values.last()) {
        (Some(&l), Some(&h)) => (l / 1.5, h * 1.5),
        _ => (1.0, 10.0),
    };
    let floor = |v: f64| v.max(low);
    let years = (report.scenario.start_year, report.scenario.horizon);
    // A one-year scenario has no band to fill: its percentiles are drawn as bars at that year,
    // on an axis one year wider on each side.
    let single = years.0 == years.1;
    let axis = if single {
        (years.0 - 1, years.1 + 1)
    } else {
        years
    };
    let reference_colors = [PURPLE, GREEN, ORANGE, GREY];
    let mut entries = vec![
        (
            "Revenue, P5–P95 of paths".to_string(),
            Mark::Swatch(BLUE.mix(0.15)),
        ),
        (
            "Revenue, P10–P90 of paths".to_string(),
            Mark::Swatch(BLUE.mix(0.3)),
        ),
        ("Revenue, median".to_string(), Mark::Line(BLUE)),
        (
            "Required revenue (EBIT = 0), median".to_string(),
            Mark::Dashed(RED),
        ),
    ];
    for (i, r) in references.iter().enumerate() {
        let color = reference_colors[i % reference_colors.len()];
        entries.push((
            format!("{} ({})", r.label, value(Unit::Usd, r.value)),
            if r.by {
                Mark::Dashed(color)
            } else {
                Mark::Diamond(color)
            },
        ));
    }
    let below = legend_height(&entries);
    draw((WIDTH, HEIGHT + below), |root| {
        let (top, bottom) = root.split_vertically(HEIGHT);
        legend(&bottom, &entries)?;
        let mut chart = ChartBuilder::on(&top)
            .caption(
                "Revenue by year: percentile bands against what break-even requires",
                (FONT, 22),
            )
            .margin(16)
            .x_label_area_size(50)
            .y_label_area_size(90)
            .build_cartesian_2d(
                axis.0..axis.1,
                (low..high)
                    .log_scale()
                    .with_key_points(log_ticks(low, high)),
            )
            .map_err(fail)?;
        chart
            .configure_mesh()
            .x_desc("Year")
            .y_desc("US dollars per year (log scale)")
            .x_labels((axis.1 - axis.0 + 1) as usize)
            .x_label_formatter(&|y| {
                if (years.0..=years.1).contains(y) {
                    y.to_string()
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|v| value(Unit::Usd, *v))
            .label_style((FONT, 15))
            .axis_desc_style((FONT, 16))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .draw()
            .map_err(fail)?;
        let band = |lo: fn(&super::Distribution) -> Option<f64>,
                    hi: fn(&super::Distribution) -> Option<f64>| {
            revenue
                .iter()
                .map(|y| (y.year, floor(q(y, lo))))
                .chain(revenue.iter().rev().map(|y| (y.year, floor(q(y, hi)))))
                .collect::<Vec<_>>()
        };
        for (points, alpha) in [
            (band(|d| d.p5, |d| d.p95), 0.15),
            (band(|d| d.p10, |d| d.p90), 0.3),
        ] {
            if single {
                // The band's two points (low, high) as one wide vertical stroke.
                chart
                    .draw_series(LineSeries::new(points, BLUE.mix(alpha).stroke_width(48)))
                    .map_err(fail)?;
            } else {
                chart
                    .draw_series(std::iter::once(Polygon::new(points, BLUE.mix(alpha))))
                    .map_err(fail)?;
            }
        }
        if single {
            chart
                .draw_series(
                    revenue
                        .iter()
                        .map(|y| Circle::new((y.year, floor(q(y, |d| d.p50))), 6, BLUE.filled())),
                )
                .map_err(fail)?;
        }
        chart
            .draw_series(LineSeries::new(
                revenue.iter().map(|y| (y.year, floor(q(y, |d| d.p50)))),
                BLUE.stroke_width(3),
            ))
            .map_err(fail)?;
        chart
            .draw_series(DashedLineSeries::new(
                required
                    .iter()
                    .flat_map(|y| {
                        let value = floor(q(y, |d| d.p50));
                        if single {
                            vec![(axis.0, value), (axis.1, value)]
                        } else {
                            vec![(y.year, value)]
                        }
                    })
                    .collect::<Vec<_>>(),
                10,
                6,
                RED.stroke_width(3),
            ))
            .map_err(fail)?;
        for (i, r) in references.iter().enumerate() {
            let color = reference_colors[i % reference_colors.len()];
            if r.by {
                // Met in any year up to its last: a dashed step from the start to that year.
                chart
                    .draw_series(DashedLineSeries::new(
                        [(years.0, r.value), (r.year, r.value)],
                        8,
                        6,
                        color.stroke_width(2),
                    ))
                    .map_err(fail)?;
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        [(r.year, r.value), (r.year, floor(r.value / 1.6))],
                        color.stroke_width(2),
                    )))
                    .map_err(fail)?;
            } else {
                // Tested in one year: a diamond at that year.
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at((r.year, r.value))
                            + Polygon::new(vec![(0, -9), (9, 0), (0, 9), (-9, 0)], color.filled()),
                    ))
                    .map_err(fail)?;
            }
        }
        Ok(())
    })
}

/// The share of paths first breaking even (for good) in each year, with "not within the
/// horizon" as its own bar.
pub fn event_year_histogram(event: &EventYears, title: &str) -> Result<String> {
    let bars: Vec<(String, f64, RGBColor)> = event
        .by_year
        .iter()
        .map(|y| (y.year.to_string(), y.share, BLUE))
        .chain(std::iter::once((
            "not within horizon".to_string(),
            event.never_share,
            GREY,
        )))
        .collect();
    // The year bars set the scale. A "not within horizon" bar more than twice the tallest of
    // them (87% against 6%, say) would squash them: it is cut at the top and labelled.
    let tallest_year = event.by_year.iter().map(|y| y.share).fold(0.0, f64::max);
    let cut = event.never_share > 2.0 * tallest_year.max(0.005);
    let top = if cut {
        tallest_year.max(0.005) * 1.6
    } else {
        bars.iter().map(|b| b.1).fold(0.0, f64::max).max(0.01) * 1.15
    };
    let last = bars.len() as i32 - 1;
    let shown = |share: f64| if cut { share.min(top * 0.9) } else { share };
    draw((WIDTH, HEIGHT), |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, 22))
            .margin(16)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d((0..last).into_segmented(), 0.0..top)
            .map_err(fail)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc("Year of break-even (EBIT >= 0 from then through the horizon)")
            .y_desc("Share of paths")
            .x_labels(bars.len())
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => bars
                    .get(*i as usize)
                    .map(|b| b.0.clone())
                    .unwrap_or_default(),
                SegmentValue::Last => String::new(),
            })
            .y_label_formatter(&|v| axis_percent(*v))
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 16))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .draw()
            .map_err(fail)?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, b)| {
                let i = i as i32;
                let mut bar = Rectangle::new(
                    [
                        (SegmentValue::Exact(i), 0.0),
                        (SegmentValue::Exact(i + 1), shown(b.1)),
                    ],
                    b.2.filled(),
                );
                bar.set_margin(0, 0, 6, 6);
                bar
            }))
            .map_err(fail)?;
        if cut {
            // A white gap across the cut bar, as on a broken axis.
            let mut gap = Rectangle::new(
                [
                    (SegmentValue::Exact(last), top * 0.74),
                    (SegmentValue::Exact(last + 1), top * 0.78),
                ],
                WHITE.filled(),
            );
            gap.set_margin(0, 0, 2, 2);
            chart.draw_series(std::iter::once(gap)).map_err(fail)?;
        }
        let label_style =
            TextStyle::from((FONT, 13).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom));
        chart
            .draw_series(
                bars.iter()
                    .enumerate()
                    .filter(|(_, b)| b.1 > 0.0)
                    .map(|(i, b)| {
                        let text = if cut && i as i32 == last {
                            format!("{} (bar cut)", percent(b.1))
                        } else {
                            percent(b.1)
                        };
                        Text::new(
                            text,
                            (SegmentValue::CenterOf(i as i32), shown(b.1)),
                            label_style.clone(),
                        )
                    }),
            )
            .map_err(fail)?;
        Ok(())
    })
}

/// An input's key path in words for a chart: `capex.partner_share` is "Build-out: partner
/// share", `streams.api.growth` "api stream: growth". Tables keep the key paths.
pub fn input_label(key: &str) -> String {
    let words = |s: &str| {
        s.split('_')
            .map(|w| match w {
                "gpu" => "GPU",
                "rnd" => "R&D",
                "sga" => "SG&A",
                "npv" => "NPV",
                w => w,
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let parts: Vec<&str> = key.split('.').collect();
    let (table, rest) = match parts.as_slice() {
        ["capex", rest @ ..] => ("Build-out".to_string(), rest),
        ["costs", rest @ ..] => ("Costs".to_string(), rest),
        ["finance", rest @ ..] => ("Finance".to_string(), rest),
        ["subscriptions", rest @ ..] => ("Subscriptions".to_string(), rest),
        ["streams", name, rest @ ..] => (format!("{} stream", words(name)), rest),
        ["shocks", name, rest @ ..] => (format!("{} shock", words(name)), rest),
        ["commitments", name, rest @ ..] => (format!("{} commitment", words(name)), rest),
        _ => return key.to_string(),
    };
    if rest.is_empty() {
        return table;
    }
    let rest: Vec<String> = rest.iter().map(|r| words(r)).collect();
    format!("{table}: {}", rest.join(", "))
}

/// The tornado: the output with each input at its P10 and its P90, largest swing on top, at
/// most `top` inputs.
pub fn tornado(s: &Sensitivity, top: usize) -> Result<String> {
    let shown: Vec<_> = s.inputs.iter().take(top).collect();
    if shown.is_empty() {
        return draw((WIDTH, 120), |root| {
            root.draw(&Text::new(
                "No uncertain inputs: nothing to rank.",
                (20, 50),
                (FONT, 18),
            ))
            .map_err(fail)
        });
    }
    let k = shown.len() as i32;
    let mut lo = s.base;
    let mut hi = s.base;
    for e in &shown {
        for v in [e.at_p10.output, e.at_p90.output] {
            if v.is_finite() {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
    }
    let pad = ((hi - lo) * 0.08).max(if s.output.unit == Unit::Probability {
        0.005
    } else {
        hi.abs() * 0.01 + 1e-9
    });
    let (lo, hi) = (lo - pad, hi + pad);
    let (lo, hi) = if s.output.unit == Unit::Probability {
        (lo.max(0.0), hi.min(1.0))
    } else {
        (lo, hi)
    };
    let unit = s.output.unit;
    let height = 140 + 34 * shown.len() as u32;
    let label_width = shown
        .iter()
        .map(|e| input_label(&e.key).chars().count())
        .max()
        .unwrap_or(10) as u32
        * 8
        + 20;
    let entries = [
        (
            "input fixed at its 10th percentile".to_string(),
            Mark::Swatch(BLUE.mix(0.85)),
        ),
        (
            "input fixed at its 90th percentile".to_string(),
            Mark::Swatch(ORANGE.mix(0.85)),
        ),
        (
            format!(
                "all inputs random: {} (this analysis's own {} paths, not the headline run's)",
                value(unit, s.base),
                format::thousands(s.paths)
            ),
            Mark::Rule(BLACK),
        ),
    ];
    let below = legend_height(&entries);
    draw((WIDTH, height + below), |root| {
        let (top, bottom) = root.split_vertically(height);
        legend(&bottom, &entries)?;
        let mut chart = ChartBuilder::on(&top)
            .caption(
                format!(
                    "Tornado, top {} of {} uncertain inputs: {}",
                    shown.len(),
                    s.inputs.len(),
                    s.output.label
                ),
                (FONT, 20),
            )
            .margin(16)
            .x_label_area_size(50)
            .y_label_area_size(label_width.clamp(120, 420))
            .build_cartesian_2d(lo..hi, (0..k - 1).into_segmented())
            .map_err(fail)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_desc(match unit {
                Unit::Probability => "Probability",
                Unit::Share => "Share",
                Unit::Usd => "US dollars",
                Unit::People => "People",
            })
            .x_label_formatter(&|v| {
                if unit.is_fraction() {
                    axis_percent(*v)
                } else {
                    value(unit, *v)
                }
            })
            .y_labels(shown.len())
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => shown
                    .get((k - 1 - i) as usize)
                    .map(|e| input_label(&e.key))
                    .unwrap_or_default(),
                SegmentValue::Last => String::new(),
            })
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 15))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .draw()
            .map_err(fail)?;
        let bar = |row: i32, value: f64, color: RGBColor| {
            let (a, b) = (s.base.min(value), s.base.max(value));
            let mut r = Rectangle::new(
                [
                    (a, SegmentValue::Exact(row)),
                    (b, SegmentValue::Exact(row + 1)),
                ],
                color.mix(0.85).filled(),
            );
            r.set_margin(5, 5, 0, 0);
            r
        };
        for (color, pick) in [(BLUE, 0usize), (ORANGE, 1usize)] {
            chart
                .draw_series(shown.iter().enumerate().map(|(i, e)| {
                    let row = k - 1 - i as i32;
                    let value = if pick == 0 {
                        e.at_p10.output
                    } else {
                        e.at_p90.output
                    };
                    bar(row, value, color)
                }))
                .map_err(fail)?;
        }
        chart
            .draw_series(std::iter::once(PathElement::new(
                [
                    (s.base, SegmentValue::Exact(0)),
                    (s.base, SegmentValue::Last),
                ],
                BLACK.stroke_width(2),
            )))
            .map_err(fail)?;
        Ok(())
    })
}

/// The base case of each swept parameter: the value the scenario gives it (an input's median
/// when it is uncertain), or `None` when it has none.
pub fn base_case(sweep: &Sweep, scenario: &Scenario) -> Vec<Option<f64>> {
    sweep
        .parameters
        .iter()
        .map(|p| {
            if let Some(i) = scenario.input_index(&p.key) {
                return Some(scenario.inputs[i].dist.quantile(0.5));
            }
            // A parameter of a distribution (`capex.partner_share.mode`): its value in the file.
            let mut parts = p.key.split('.');
            let mut value = scenario.document.get(parts.next()?)?;
            for part in parts {
                value = value.get(part)?;
            }
            value
                .as_float()
                .or_else(|| value.as_integer().map(|v| v as f64))
        })
        .collect()
}

/// A one-parameter sweep: each chosen event's probability against the parameter, with its
/// Wilson 95% band, and the parameter's base case (`base`, see [`base_case`]) marked.
pub fn sweep_curves(sweep: &Sweep, events: &[usize], base: &[Option<f64>]) -> Result<String> {
    let key = sweep
        .parameters
        .first()
        .map(|p| p.key.as_str())
        .unwrap_or("");
    let xs: Vec<f64> = sweep.points.iter().map(|p| p.values[0]).collect();
    let (x0, x1) = xs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    let (x0, x1) = if x0 < x1 {
        let pad = 0.03 * (x1 - x0);
        (x0 - pad, x1 + pad)
    } else {
        (x0 - 0.5, x0 + 0.5)
    };
    let mut y0 = 1.0f64;
    let mut y1 = 0.0f64;
    for p in &sweep.points {
        for &e in events {
            y0 = y0.min(p.probabilities[e].ci95[0]);
            y1 = y1.max(p.probabilities[e].ci95[1]);
        }
    }
    let pad = ((y1 - y0) * 0.1).max(0.01);
    let (y0, y1) = ((y0 - pad).max(0.0), (y1 + pad).min(1.0));
    let base = base
        .first()
        .copied()
        .flatten()
        .filter(|b| (x0..=x1).contains(b));
    let mut entries: Vec<(String, Mark)> = events
        .iter()
        .enumerate()
        .flat_map(|(n, &e)| {
            let color = PALETTE[n % PALETTE.len()];
            [
                (format!("P({})", sweep.events[e].label), Mark::Line(color)),
                (
                    "its Wilson 95% interval".to_string(),
                    Mark::Swatch(color.mix(0.2)),
                ),
            ]
        })
        .collect();
    if let Some(b) = base {
        entries.push((
            format!("base case: {key} = {}", format::compact(b)),
            Mark::Rule(GREY),
        ));
    }
    let below = legend_height(&entries);
    draw((WIDTH, HEIGHT + below), |root| {
        let (top, bottom) = root.split_vertically(HEIGHT);
        legend(&bottom, &entries)?;
        let mut chart = ChartBuilder::on(&top)
            .caption(
                format!("Sweep of {key} (same paths at every point)"),
                (FONT, 22),
            )
            .margin(16)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(fail)?;
        chart
            .configure_mesh()
            .x_desc(key)
            .y_desc("Probability")
            .x_label_formatter(&|v| format::compact(*v))
            .y_label_formatter(&|v| axis_percent(*v))
            .label_style((FONT, 15))
            .axis_desc_style((FONT, 16))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .draw()
            .map_err(fail)?;
        if let Some(b) = base {
            chart
                .draw_series(DashedLineSeries::new(
                    [(b, y0), (b, y1)],
                    6,
                    5,
                    GREY.stroke_width(2),
                ))
                .map_err(fail)?;
        }
        for (n, &e) in events.iter().enumerate() {
            let color = PALETTE[n % PALETTE.len()];
            let band: Vec<(f64, f64)> = sweep
                .points
                .iter()
                .map(|p| (p.values[0], p.probabilities[e].ci95[0]))
                .chain(
                    sweep
                        .points
                        .iter()
                        .rev()
                        .map(|p| (p.values[0], p.probabilities[e].ci95[1])),
                )
                .collect();
            chart
                .draw_series(std::iter::once(Polygon::new(band, color.mix(0.2))))
                .map_err(fail)?;
            chart
                .draw_series(LineSeries::new(
                    sweep
                        .points
                        .iter()
                        .map(|p| (p.values[0], p.probabilities[e].probability)),
                    color.stroke_width(3),
                ))
                .map_err(fail)?;
            chart
                .draw_series(sweep.points.iter().map(|p| {
                    Circle::new(
                        (p.values[0], p.probabilities[e].probability),
                        4,
                        color.filled(),
                    )
                }))
                .map_err(fail)?;
        }
        Ok(())
    })
}

/// The median path's waterfall: revenue as a rising bar, each cost as a falling bar from the
/// running total, and EBIT as the last bar from zero.
pub fn waterfall(w: &Waterfall) -> Result<String> {
    // (label, from, to, colour): each bar spans from..to.
    let mut bars: Vec<(String, f64, f64, RGBColor)> = Vec::new();
    let mut running = 0.0;
    // A zero cost (no commitments, say) gets no bar.
    for line in w
        .lines
        .iter()
        .filter(|l| l.usd != 0.0 || l.name == "revenue")
    {
        let next = running + line.usd;
        let color = if line.usd >= 0.0 { BLUE } else { RED };
        bars.push((line.label.to_string(), running, next, color));
        running = next;
    }
    bars.push((
        "EBIT".to_string(),
        0.0,
        w.ebit,
        if w.ebit >= 0.0 { GREEN } else { GREY },
    ));
    let lo = bars.iter().map(|b| b.1.min(b.2)).fold(0.0, f64::min);
    let hi = bars.iter().map(|b| b.1.max(b.2)).fold(0.0, f64::max);
    let pad = 0.08 * (hi - lo).max(1.0);
    let (lo, hi) = (if lo < 0.0 { lo - pad } else { 0.0 }, hi + pad);
    let last = bars.len() as i32 - 1;
    draw((WIDTH, HEIGHT), |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(
                format!(
                    "From revenue to EBIT in {}: the median path (path {} of {})",
                    w.year,
                    w.path,
                    format::thousands(w.paths)
                ),
                (FONT, 20),
            )
            .margin(16)
            .x_label_area_size(50)
            .y_label_area_size(90)
            .build_cartesian_2d((0..last).into_segmented(), lo..hi)
            .map_err(fail)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .y_desc(format!("US dollars in {}", w.year))
            .x_labels(bars.len())
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => bars
                    .get(*i as usize)
                    .map(|b| b.0.clone())
                    .unwrap_or_default(),
                SegmentValue::Last => String::new(),
            })
            .y_label_formatter(&|v| value(Unit::Usd, *v))
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 16))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .draw()
            .map_err(fail)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                [(SegmentValue::Exact(0), 0.0), (SegmentValue::Last, 0.0)],
                BLACK.stroke_width(1),
            )))
            .map_err(fail)?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, b)| {
                let i = i as i32;
                let mut bar = Rectangle::new(
                    [
                        (SegmentValue::Exact(i), b.1.min(b.2)),
                        (SegmentValue::Exact(i + 1), b.1.max(b.2)),
                    ],
                    b.3.mix(0.85).filled(),
                );
                bar.set_margin(0, 0, 10, 10);
                bar
            }))
            .map_err(fail)?;
        let above =
            TextStyle::from((FONT, 13).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom));
        chart
            .draw_series(bars.iter().enumerate().map(|(i, b)| {
                Text::new(
                    format::difference(Unit::Usd, b.2 - b.1),
                    (SegmentValue::CenterOf(i as i32), b.1.max(b.2)),
                    above.clone(),
                )
            }))
            .map_err(fail)?;
        Ok(())
    })
}

/// A metric's percentile bands by year (P5–P95, P10–P90) and its median, on a linear axis
/// with zero marked: for EBIT and cash, which go negative.
pub fn metric_fan(report: &Report, metric: Metric, title: &str) -> Result<String> {
    let years = &report.metric(metric).years;
    let q = |y: &super::MetricYear, f: fn(&super::Distribution) -> Option<f64>| {
        f(&y.distribution).unwrap_or(0.0)
    };
    let lo = years.iter().map(|y| q(y, |d| d.p5)).fold(0.0, f64::min);
    let hi = years.iter().map(|y| q(y, |d| d.p95)).fold(0.0, f64::max);
    let pad = 0.06 * (hi - lo).max(1.0);
    let (lo, hi) = (lo - pad, hi + pad);
    let span = (report.scenario.start_year, report.scenario.horizon);
    let axis = if span.0 == span.1 {
        (span.0 - 1, span.1 + 1)
    } else {
        span
    };
    let entries = vec![
        ("P5–P95 of paths".to_string(), Mark::Swatch(BLUE.mix(0.15))),
        ("P10–P90 of paths".to_string(), Mark::Swatch(BLUE.mix(0.3))),
        ("median".to_string(), Mark::Line(BLUE)),
        ("zero".to_string(), Mark::Line(BLACK)),
    ];
    let below = legend_height(&entries);
    draw((WIDTH / 2, HEIGHT + below), |root| {
        let (top, bottom) = root.split_vertically(HEIGHT);
        legend(&bottom, &entries)?;
        let mut chart = ChartBuilder::on(&top)
            .caption(title, (FONT, 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(80)
            .build_cartesian_2d(axis.0..axis.1, lo..hi)
            .map_err(fail)?;
        chart
            .configure_mesh()
            .x_labels(6)
            .x_label_formatter(&|y| y.to_string())
            .y_label_formatter(&|v| value(Unit::Usd, *v))
            .label_style((FONT, 13))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .draw()
            .map_err(fail)?;
        let band = |lo: fn(&super::Distribution) -> Option<f64>,
                    hi: fn(&super::Distribution) -> Option<f64>| {
            years
                .iter()
                .map(|y| (y.year, q(y, lo)))
                .chain(years.iter().rev().map(|y| (y.year, q(y, hi))))
                .collect::<Vec<_>>()
        };
        for (points, alpha) in [
            (band(|d| d.p5, |d| d.p95), 0.15),
            (band(|d| d.p10, |d| d.p90), 0.3),
        ] {
            chart
                .draw_series(std::iter::once(Polygon::new(points, BLUE.mix(alpha))))
                .map_err(fail)?;
        }
        chart
            .draw_series(std::iter::once(PathElement::new(
                [(axis.0, 0.0), (axis.1, 0.0)],
                BLACK.stroke_width(1),
            )))
            .map_err(fail)?;
        chart
            .draw_series(LineSeries::new(
                years.iter().map(|y| (y.year, q(y, |d| d.p50))),
                BLUE.stroke_width(3),
            ))
            .map_err(fail)?;
        chart
            .draw_series(
                years
                    .iter()
                    .map(|y| Circle::new((y.year, q(y, |d| d.p50)), 3, BLUE.filled())),
            )
            .map_err(fail)?;
        Ok(())
    })
}

/// The colour of probability `p` on a white-to-blue scale from `low` to `high`.
fn shade(p: f64, low: f64, high: f64) -> RGBColor {
    let t = if high > low {
        ((p - low) / (high - low)).clamp(0.0, 1.0)
    } else {
        0.5
    };
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
    RGBColor(mix(247, 8), mix(251, 48), mix(255, 107))
}

/// A two-parameter sweep: one event's probability in each cell of the grid, the cell nearest
/// the base case (`base`, see [`base_case`]) outlined.
pub fn heatmap(sweep: &Sweep, event: usize, base: &[Option<f64>]) -> Result<String> {
    let [a, b] = match sweep.parameters.as_slice() {
        [a, b] => [a, b],
        _ => return Err(ChartError("a heatmap needs a two-parameter sweep".into())),
    };
    let (na, nb) = (a.range.steps, b.range.steps);
    let xs: Vec<f64> = (0..na).map(|i| sweep.points[i * nb].values[0]).collect();
    let ys: Vec<f64> = (0..nb).map(|j| sweep.points[j].values[1]).collect();
    let probability =
        |i: usize, j: usize| sweep.points[i * nb + j].probabilities[event].probability;
    let all: Vec<f64> = (0..na)
        .flat_map(|i| (0..nb).map(move |j| (i, j)))
        .map(|(i, j)| probability(i, j))
        .collect();
    let low = all.iter().copied().fold(1.0, f64::min);
    let high = all.iter().copied().fold(0.0, f64::max);
    let label = sweep.events[event].label.clone();
    let show_numbers = na <= 15 && nb <= 15;
    // The cell nearest the base case, when both parameters have one inside the grid.
    let nearest = |values: &[f64], b: f64| {
        let (lo, hi) = (
            values[0].min(values[values.len() - 1]),
            values[0].max(values[values.len() - 1]),
        );
        (lo..=hi).contains(&b).then(|| {
            (0..values.len())
                .min_by(|&i, &j| (values[i] - b).abs().total_cmp(&(values[j] - b).abs()))
                .expect("a grid has points")
        })
    };
    let base_cell = match base {
        [Some(ba), Some(bb)] => nearest(&xs, *ba).zip(nearest(&ys, *bb)),
        _ => None,
    };
    draw((WIDTH, HEIGHT + 120), |root| {
        let (left, right) = root.split_horizontally(WIDTH - 130);
        let mut chart = ChartBuilder::on(&left)
            .caption(format!("P({label})"), (FONT, 18))
            .margin(16)
            .x_label_area_size(55)
            .y_label_area_size(90)
            .build_cartesian_2d(
                (0..na as i32 - 1).into_segmented(),
                (0..nb as i32 - 1).into_segmented(),
            )
            .map_err(fail)?;
        let name = |values: &[f64], v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => values
                .get(*i as usize)
                .map(|x| format::compact(*x))
                .unwrap_or_default(),
            SegmentValue::Last => String::new(),
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(a.key.as_str())
            .y_desc(b.key.as_str())
            .x_labels(na.min(15))
            .y_labels(nb.min(15))
            .x_label_formatter(&|v| name(&xs, v))
            .y_label_formatter(&|v| name(&ys, v))
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 16))
            .draw()
            .map_err(fail)?;
        chart
            .draw_series(
                (0..na)
                    .flat_map(|i| (0..nb).map(move |j| (i, j)))
                    .map(|(i, j)| {
                        let (x, y) = (i as i32, j as i32);
                        Rectangle::new(
                            [
                                (SegmentValue::Exact(x), SegmentValue::Exact(y)),
                                (SegmentValue::Exact(x + 1), SegmentValue::Exact(y + 1)),
                            ],
                            shade(probability(i, j), low, high).filled(),
                        )
                    }),
            )
            .map_err(fail)?;
        if show_numbers {
            let centre = Pos::new(HPos::Center, VPos::Center);
            chart
                .draw_series(
                    (0..na)
                        .flat_map(|i| (0..nb).map(move |j| (i, j)))
                        .map(|(i, j)| {
                            let p = probability(i, j);
                            let dark = high > low && (p - low) / (high - low) > 0.55;
                            let color: &'static RGBColor = if dark { &WHITE } else { &BLACK };
                            Text::new(
                                percent(p),
                                (
                                    SegmentValue::CenterOf(i as i32),
                                    SegmentValue::CenterOf(j as i32),
                                ),
                                TextStyle::from((FONT, 13).into_font())
                                    .color(color)
                                    .pos(centre),
                            )
                        }),
                )
                .map_err(fail)?;
        }
        if let Some((i, j)) = base_cell {
            let (x, y) = (i as i32, j as i32);
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [
                        (SegmentValue::Exact(x), SegmentValue::Exact(y)),
                        (SegmentValue::Exact(x + 1), SegmentValue::Exact(y + 1)),
                    ],
                    ORANGE.stroke_width(4),
                )))
                .map_err(fail)?;
        }
        // The colour scale.
        let steps = 40;
        let mut scale = ChartBuilder::on(&right)
            .margin_top(60)
            .margin_bottom(70)
            .margin_right(10)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..1.0, low..high.max(low + 1e-9))
            .map_err(fail)?;
        scale
            .configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_labels(6)
            .y_label_formatter(&|v| axis_percent(*v))
            .y_desc(format!("P({})", sweep.events[event].name))
            .axis_desc_style((FONT, 13))
            .label_style((FONT, 13))
            .draw()
            .map_err(fail)?;
        let span = (high - low).max(1e-9);
        scale
            .draw_series((0..steps).map(|s| {
                let p0 = low + span * s as f64 / steps as f64;
                let p1 = low + span * (s + 1) as f64 / steps as f64;
                Rectangle::new([(0.0, p0), (1.0, p1)], shade(p0, low, high).filled())
            }))
            .map_err(fail)?;
        Ok(())
    })
}

/// The network's thresholds on gross or end-customer revenue against a fixed value (Bain's
/// $2T), one line per value, labelled with the names of the thresholds at it.
fn network_references(scenario: &Scenario) -> Vec<Reference> {
    let Some(network) = &scenario.network else {
        return Vec::new();
    };
    let mut references: Vec<(f64, Vec<&str>)> = Vec::new();
    for t in &network.thresholds {
        if let NetworkTest::Aggregate {
            metric: NetworkMetric::GrossRevenue | NetworkMetric::EndCustomerRevenue,
            value,
            ..
        } = &t.test
            && *value > 0.0
        {
            match references.iter_mut().find(|(v, _)| v == value) {
                Some((_, names)) => names.push(&t.name),
                None => references.push((*value, vec![&t.name])),
            }
        }
    }
    references
        .into_iter()
        .map(|(value, names)| Reference {
            label: format!("Threshold {}", names.join(", ")),
            value,
            // The network chart draws these across every year.
            year: scenario.horizon,
            by: true,
        })
        .collect()
}

/// A network's revenue by year: end-customer and internal revenue, each as its P10–P90 band
/// and median, the median of gross revenue, and the network's revenue thresholds (such as
/// Bain's $2T).
pub fn network_revenue(report: &NetworkReport, scenario: &Scenario) -> Result<String> {
    let network = &report.network;
    let series = [
        ("End-customer revenue", &network.end_customer_revenue, BLUE),
        (
            "Internal revenue (paid by other entities)",
            &network.internal_revenue,
            ORANGE,
        ),
    ];
    let references = network_references(scenario);
    let q =
        |d: &super::Distribution, f: fn(&super::Distribution) -> Option<f64>| f(d).unwrap_or(0.0);
    let high = series
        .iter()
        .flat_map(|(_, s, _)| s.iter().map(|y| q(&y.distribution, |d| d.p90)))
        .chain(
            network
                .gross_revenue
                .iter()
                .map(|y| q(&y.distribution, |d| d.p50)),
        )
        .chain(references.iter().map(|r| r.value))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
        .max(1.0)
        * 1.08;
    let years = (report.scenario.start_year, report.scenario.horizon);
    let axis = if years.0 == years.1 {
        (years.0 - 1, years.1 + 1)
    } else {
        years
    };
    let mut entries = Vec::new();
    for (label, _, colour) in &series {
        entries.push((
            format!("{label}, P10–P90 of paths"),
            Mark::Swatch(colour.mix(0.22)),
        ));
        entries.push((format!("{label}, median"), Mark::Line(*colour)));
    }
    entries.push((
        "Gross revenue (both), median".to_string(),
        Mark::Dashed(GREY),
    ));
    let reference_colors = [RED, PURPLE, GREEN];
    for (i, r) in references.iter().enumerate() {
        entries.push((
            format!("{} ({})", r.label, value(Unit::Usd, r.value)),
            Mark::Dashed(reference_colors[i % reference_colors.len()]),
        ));
    }
    let below = legend_height(&entries);
    draw((WIDTH, HEIGHT + below), |root| {
        let (top, bottom) = root.split_vertically(HEIGHT);
        legend(&bottom, &entries)?;
        let mut chart = ChartBuilder::on(&top)
            .caption(
                "Network revenue by year: from end customers against from each other",
                (FONT, 22),
            )
            .margin(16)
            .x_label_area_size(50)
            .y_label_area_size(90)
            .build_cartesian_2d(axis.0..axis.1, 0.0..high)
            .map_err(fail)?;
        chart
            .configure_mesh()
            .x_desc("Year")
            .y_desc("US dollars per year")
            .x_labels((axis.1 - axis.0 + 1) as usize)
            .y_label_formatter(&|v| value(Unit::Usd, *v))
            .label_style((FONT, 15))
            .axis_desc_style((FONT, 16))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .draw()
            .map_err(fail)?;
        for (_, s, colour) in &series {
            let band: Vec<(i32, f64)> = s
                .iter()
                .map(|y| (y.year, q(&y.distribution, |d| d.p10)))
                .chain(
                    s.iter()
                        .rev()
                        .map(|y| (y.year, q(&y.distribution, |d| d.p90))),
                )
                .collect();
            chart
                .draw_series(std::iter::once(Polygon::new(band, colour.mix(0.22))))
                .map_err(fail)?;
        }
        for (_, s, colour) in &series {
            chart
                .draw_series(LineSeries::new(
                    s.iter().map(|y| (y.year, q(&y.distribution, |d| d.p50))),
                    colour.stroke_width(3),
                ))
                .map_err(fail)?;
        }
        chart
            .draw_series(DashedLineSeries::new(
                network
                    .gross_revenue
                    .iter()
                    .map(|y| (y.year, q(&y.distribution, |d| d.p50)))
                    .collect::<Vec<_>>(),
                10,
                6,
                GREY.stroke_width(2),
            ))
            .map_err(fail)?;
        for (i, r) in references.iter().enumerate() {
            chart
                .draw_series(DashedLineSeries::new(
                    [(axis.0, r.value), (axis.1, r.value)],
                    8,
                    6,
                    reference_colors[i % reference_colors.len()].stroke_width(2),
                ))
                .map_err(fail)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shades_run_from_white_to_blue() {
        assert_eq!(shade(0.0, 0.0, 1.0), RGBColor(247, 251, 255));
        assert_eq!(shade(1.0, 0.0, 1.0), RGBColor(8, 48, 107));
    }

    #[test]
    fn log_ticks_are_one_two_five() {
        let t = log_ticks(8e9, 3e12);
        assert_eq!(
            t,
            [1e10, 2e10, 5e10, 1e11, 2e11, 5e11, 1e12, 2e12].map(|x: f64| x)
        );
        // Over many decades only the powers of ten.
        assert_eq!(log_ticks(1.0, 1e9).len(), 10);
    }

    #[test]
    fn labels_say_what_an_input_is() {
        assert_eq!(
            input_label("capex.partner_share"),
            "Build-out: partner share"
        );
        assert_eq!(
            input_label("capex.gpu_life_years"),
            "Build-out: GPU life years"
        );
        assert_eq!(input_label("streams.api.growth"), "api stream: growth");
        assert_eq!(input_label("costs.rnd"), "Costs: R&D");
        assert_eq!(
            input_label("shocks.open_weights.price_factor"),
            "open weights shock: price factor"
        );
        assert_eq!(input_label("something.else"), "something.else");
    }

    fn scenario() -> Scenario {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/openai.toml"
        ))
        .unwrap();
        crate::scenario::parse(&text, "openai.toml", &[]).unwrap()
    }

    #[test]
    fn thresholds_are_marked_at_their_year_or_as_a_step() {
        let refs = revenue_references(&scenario());
        let bain = refs.iter().find(|r| r.value == 2e12).unwrap();
        assert_eq!((bain.year, bain.by), (2030, false));
        let few_years = refs.iter().find(|r| r.value == 100e9).unwrap();
        assert_eq!((few_years.year, few_years.by), (2029, true));
    }

    fn event(never: f64, years: &[f64]) -> EventYears {
        EventYears {
            within_horizon: crate::summary::Probability::from_counts(1, 2),
            definition: String::new(),
            p10_year: None,
            median_year: None,
            p90_year: None,
            by_year: years
                .iter()
                .enumerate()
                .map(|(i, &share)| super::super::YearShare {
                    year: 2030 + i as i32,
                    paths: 0,
                    share,
                })
                .collect(),
            never_share: never,
        }
    }

    #[test]
    fn a_dominant_never_bar_is_cut_and_labelled() {
        let svg = event_year_histogram(&event(0.875, &[0.0, 0.02, 0.065, 0.04]), "t").unwrap();
        assert!(svg.contains("87.5% (bar cut)"), "{svg}");
        // The year bars keep the scale: the axis stops at 1.6 x the tallest year (10.4%).
        let label = |text: &str| svg.lines().any(|l| l.trim() == text);
        assert!(label("10%") && !label("20%"), "{svg}");
        let svg = event_year_histogram(&event(0.1, &[0.3, 0.6]), "t").unwrap();
        assert!(!svg.contains("bar cut"));
    }
}
