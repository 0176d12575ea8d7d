//! The network diagram as SVG: entities as nodes on an ellipse, coloured by their
//! probability of default, and flows as curved arrows whose width grows with the median
//! amount paid over the horizon (area-true: the width is proportional to its square root).
//! Flows of one kind from one entity to another are drawn as one arrow, their medians added;
//! arrows between the same two entities bend apart, so opposite flows never overlap.
//! Hand-written SVG: plotters draws charts on axes, and a diagram has none.

use std::fmt::Write;

use super::format::{percent, value};
use super::network::NetworkReport;
use crate::unit::Unit;

const WIDTH: f64 = 1000.0;
const HEIGHT: f64 = 700.0;
const NODE_RADIUS: f64 = 52.0;
/// The widest arrow, for the largest median.
const MAX_STROKE: f64 = 22.0;
const MIN_STROKE: f64 = 1.5;

/// The colour and legend of each kind of flow.
const KINDS: [(&str, &str, &str); 3] = [
    ("purchase", "#1f77b4", "purchase (the payee's revenue)"),
    ("equity", "#2ca02c", "equity (cash, not revenue)"),
    ("loan", "#9467bd", "loan (amount lent)"),
];

fn kind_colour(kind: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(k, ..)| *k == kind)
        .map_or("#8c8c8c", |(_, c, _)| c)
}

/// A node's fill: green at P(default) = 0 through amber to red at 1.
fn default_fill(p: f64) -> String {
    let p = p.clamp(0.0, 1.0);
    let (r, g, b) = if p < 0.5 {
        let t = p / 0.5;
        (200.0 + 55.0 * t, 235.0 - 20.0 * t, 200.0 - 90.0 * t)
    } else {
        let t = (p - 0.5) / 0.5;
        (255.0, 215.0 - 115.0 * t, 110.0 - 10.0 * t)
    };
    format!("#{:02x}{:02x}{:02x}", r as u8, g as u8, b as u8)
}

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One arrow: flows of one kind from one entity to another.
struct Arrow {
    from: usize,
    to: usize,
    kind: &'static str,
    median: f64,
    flows: usize,
}

/// The diagram of a network report.
pub fn network(r: &NetworkReport) -> String {
    let names: Vec<&String> = r.entities.keys().collect();
    let n = names.len();
    let (cx, cy) = (WIDTH / 2.0, HEIGHT / 2.0 - 20.0);
    let (rx, ry) = (WIDTH / 2.0 - 110.0, HEIGHT / 2.0 - 110.0);
    let position: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let a = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / n as f64;
            (cx + rx * a.cos(), cy + ry * a.sin())
        })
        .collect();
    let index = |name: &str| names.iter().position(|e| *e == name);

    let mut arrows: Vec<Arrow> = Vec::new();
    for f in &r.network.flows {
        let (Some(from), Some(to)) = (index(&f.from), index(&f.to)) else {
            continue;
        };
        let median = f.paid.p50.unwrap_or(0.0).max(0.0);
        match arrows
            .iter_mut()
            .find(|a| a.from == from && a.to == to && a.kind == f.kind)
        {
            Some(a) => {
                a.median += median;
                a.flows += 1;
            }
            None => arrows.push(Arrow {
                from,
                to,
                kind: f.kind,
                median,
                flows: 1,
            }),
        }
    }
    let largest = arrows.iter().map(|a| a.median).fold(0.0, f64::max);
    let stroke = |m: f64| {
        if largest > 0.0 {
            MIN_STROKE + (MAX_STROKE - MIN_STROKE) * (m / largest).sqrt()
        } else {
            MIN_STROKE
        }
    };

    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" \
         viewBox=\"0 0 {WIDTH} {HEIGHT}\" font-family=\"sans-serif\" role=\"img\" \
         aria-label=\"Network diagram\">\n<rect width=\"{WIDTH}\" height=\"{HEIGHT}\" \
         fill=\"#ffffff\"/>\n"
    );
    let _ = writeln!(
        svg,
        "<text x=\"{}\" y=\"30\" font-size=\"20\" text-anchor=\"middle\">Who pays whom: \
         median paid over the horizon</text>",
        WIDTH / 2.0
    );

    // Arrows, widest first so thin ones stay visible on top.
    let mut order: Vec<usize> = (0..arrows.len()).collect();
    order.sort_by(|&a, &b| arrows[b].median.total_cmp(&arrows[a].median));
    let mut labels = String::new();
    for &k in &order {
        let a = &arrows[k];
        let (x0, y0) = position[a.from];
        let (x1, y1) = position[a.to];
        let (dx, dy) = (x1 - x0, y1 - y0);
        let length = (dx * dx + dy * dy).sqrt().max(1.0);
        let (ux, uy) = (dx / length, dy / length);
        // Bend to the right of travel: opposite arrows bend apart. Kinds bend by different
        // amounts, so arrows of two kinds in one direction do not coincide.
        let kind_rank = KINDS.iter().position(|(kk, ..)| *kk == a.kind).unwrap_or(0) as f64;
        let bend = length * (0.10 + 0.07 * kind_rank);
        let (mx, my) = ((x0 + x1) / 2.0 - uy * bend, (y0 + y1) / 2.0 + ux * bend);
        // Start and end on the nodes' rims, along the tangents towards the control point.
        let rim = |(px, py): (f64, f64), extra: f64| {
            let (tx, ty) = (mx - px, my - py);
            let t = (tx * tx + ty * ty).sqrt().max(1.0);
            (
                px + tx / t * (NODE_RADIUS + extra),
                py + ty / t * (NODE_RADIUS + extra),
            )
        };
        let (sx, sy) = rim((x0, y0), 2.0);
        let (tip_x, tip_y) = rim((x1, y1), 3.0);
        let colour = kind_colour(a.kind);
        let width = stroke(a.median);
        // The head: a triangle along the curve's direction at its end, the curve stopping
        // at its base.
        let (hx, hy) = {
            let (tx, ty) = (tip_x - mx, tip_y - my);
            let t = (tx * tx + ty * ty).sqrt().max(1.0);
            (tx / t, ty / t)
        };
        let head_length = 12.0 + 0.7 * width;
        let head_half = 6.0 + 0.8 * width;
        let (ex, ey) = (tip_x - hx * head_length, tip_y - hy * head_length);
        let title = format!(
            "{} → {}: {} ({} flow{}), median {}",
            names[a.from],
            names[a.to],
            a.kind,
            a.flows,
            if a.flows == 1 { "" } else { "s" },
            value(Unit::Usd, a.median)
        );
        let _ = writeln!(
            svg,
            "<g class=\"flow\" data-kind=\"{}\" data-width=\"{width:.2}\" opacity=\"0.75\">\
             <title>{}</title><path d=\"M{sx:.1},{sy:.1} Q{mx:.1},{my:.1} {ex:.1},{ey:.1}\" \
             fill=\"none\" stroke=\"{colour}\" stroke-width=\"{width:.1}\"/><polygon \
             points=\"{tip_x:.1},{tip_y:.1} {:.1},{:.1} {:.1},{:.1}\" fill=\"{colour}\"/></g>",
            a.kind,
            esc(&title),
            ex - hy * head_half,
            ey + hx * head_half,
            ex + hy * head_half,
            ey - hx * head_half,
        );
        // The label at the curve's midpoint (t = 1/2 of the quadratic Bezier).
        let (lx, ly) = (
            0.25 * sx + 0.5 * mx + 0.25 * ex,
            0.25 * sy + 0.5 * my + 0.25 * ey,
        );
        if a.median > 0.0 {
            let _ = writeln!(
                labels,
                "<text x=\"{lx:.1}\" y=\"{:.1}\" font-size=\"12.5\" font-weight=\"600\" text-anchor=\"middle\" \
                 fill=\"{colour}\" stroke=\"#ffffff\" stroke-width=\"2.5\" \
                 paint-order=\"stroke\">{}</text>",
                ly + 4.0,
                esc(&value(Unit::Usd, a.median))
            );
        }
    }
    svg.push_str(&labels);

    for (i, (name, e)) in r.entities.iter().enumerate() {
        let (x, y) = position[i];
        let p = e.default.within_horizon.probability;
        let _ = writeln!(
            svg,
            "<g><title>{}: P(default) {}</title><circle cx=\"{x:.1}\" cy=\"{y:.1}\" \
             r=\"{NODE_RADIUS}\" fill=\"{}\" stroke=\"#1d2330\" stroke-width=\"1.5\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"15\" font-weight=\"bold\" \
             text-anchor=\"middle\">{}</text><text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"12\" \
             text-anchor=\"middle\">default {}</text></g>",
            esc(&e.label),
            percent(p),
            default_fill(p),
            y - 2.0,
            esc(name),
            y + 15.0,
            percent(p)
        );
    }

    // Legend: kinds of flow, then node colours.
    let mut x = 24.0;
    let y = HEIGHT - 28.0;
    for (_, colour, label) in KINDS {
        let _ = writeln!(
            svg,
            "<line x1=\"{x}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{colour}\" \
             stroke-width=\"6\"/><polygon points=\"{},{y} {},{} {},{}\" fill=\"{colour}\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"13\">{}</text>",
            x + 22.0,
            x + 36.0,
            x + 22.0,
            y - 7.0,
            x + 22.0,
            y + 7.0,
            x + 46.0,
            y + 4.5,
            esc(label)
        );
        x += 60.0 + 7.0 * label.len() as f64;
    }
    let _ = writeln!(
        svg,
        "<text x=\"{x}\" y=\"{}\" font-size=\"13\">P(default):</text>",
        y + 4.5
    );
    x += 84.0;
    for (p, label) in [(0.0, "0"), (0.5, "50%"), (1.0, "100%")] {
        let _ = writeln!(
            svg,
            "<circle cx=\"{x}\" cy=\"{y}\" r=\"8\" fill=\"{}\" stroke=\"#1d2330\"/><text \
             x=\"{}\" y=\"{}\" font-size=\"13\">{label}</text>",
            default_fill(p),
            x + 14.0,
            y + 4.5
        );
        x += 34.0 + 8.0 * label.len() as f64;
    }
    svg.push_str("</svg>");
    svg
}
