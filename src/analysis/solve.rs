//! Goal seek: the parameter values at which an event's probability equals a target.
//!
//! At a fixed seed the estimated probability `p̂(x)` is a step function of the parameter `x`
//! (each path meets the event or not, and with common random numbers each path switches at
//! its own value of `x`). The search first evaluates a coarse grid of [`GRID_POINTS`] evenly
//! spaced values, both ends included, so that a curve that rises and then falls is seen: every
//! grid interval where `p̂(x) - target` changes sign holds a crossing, and every crossing is
//! reported. Each is bisected on that sign.
//!
//! A crossing's uncertainty is found by test inversion: its 95% interval is the set of `x`
//! around it whose Wilson 95% interval for `p̂(x)` (Wilson 1927) contains the target, i.e. the
//! values the Monte Carlo run cannot tell apart from the answer. Bisection stops at the
//! tolerance, or as soon as both ends of the bracket lie inside that interval: a narrower
//! bracket would only place this seed's step more finely, far below the Monte Carlo error.
//! The interval's ends are then found by bisection on the same test, each to a twentieth of the
//! interval's width (or the tolerance, when that is coarser). Two crossings closer together than
//! one grid interval can be missed; the evaluated points then show the curve is not monotone.

use serde::Serialize;

use super::sweep::{AxisSpec, parse_bounds};
use super::{AnalysisError, Base, Parameter, summarise};
use crate::engine::{Plan, Progress};
use crate::scenario_run::Event;
use crate::stats::{Z95, wilson_interval};
use crate::summary::{EventInfo, Probability};

/// Paths per evaluation unless the caller says.
pub const DEFAULT_PATHS: u64 = 20_000;
/// The default tolerance, as a share of the range's width.
pub const RELATIVE_TOLERANCE: f64 = 1e-3;
/// Values evaluated first, evenly spaced over the range with both ends.
pub const GRID_POINTS: usize = 9;
/// An end of a 95% interval is located to this share of the interval's width.
pub const END_PRECISION: f64 = 1.0 / 20.0;

/// The parameter and the range to search, from `KEY=FROM..TO` or `KEY` alone: without a
/// range, the support of the input the parameter replaces, when that is bounded.
pub fn parameter_and_range(
    text: &str,
    base: &Base,
) -> Result<(Parameter, (f64, f64)), AnalysisError> {
    let scenario = base.scenario();
    let (key, range) = match text.parse::<AxisSpec>() {
        Ok(spec) => (spec.key, Some(spec.text)),
        Err(_) => (text.trim().to_string(), None),
    };
    let parameter = Parameter::new(&key, scenario)?;
    let bounds = match range {
        Some(text) => parse_bounds(&text).map_err(|problem| AnalysisError::Range {
            key: key.clone(),
            text,
            problem,
        })?,
        None => {
            let support = scenario
                .input_index(&parameter.key)
                .map(|i| scenario.inputs[i].dist.support());
            match support {
                Some((lo, hi)) if lo.is_finite() && hi.is_finite() && lo < hi => (lo, hi),
                _ => {
                    return Err(AnalysisError::Usage(format!(
                        "--param {key}: give the range to search, e.g. --param {key}=FROM..TO \
                         (only an input with a bounded, non-constant distribution has a \
                         default range)"
                    )));
                }
            }
        }
    };
    Ok((parameter, bounds))
}

/// What to solve for.
#[derive(Debug, Clone)]
pub struct Problem {
    pub parameter: Parameter,
    /// The range searched, `from` < `to`.
    pub from: f64,
    pub to: f64,
    pub event: Event,
    /// The probability sought, strictly between 0 and 1.
    pub target: f64,
    /// Bisection stops when the bracket is this narrow, or lies inside the 95% interval.
    pub tolerance: f64,
}

impl Problem {
    /// A checked problem; `tolerance` defaults to [`RELATIVE_TOLERANCE`] of the range.
    pub fn new(
        base: &Base,
        parameter: Parameter,
        (from, to): (f64, f64),
        event: Event,
        target: f64,
        tolerance: Option<f64>,
    ) -> Result<Problem, AnalysisError> {
        if !(target > 0.0 && target < 1.0) {
            return Err(AnalysisError::Usage(format!(
                "--target {target}: a target probability must lie strictly between 0 and 1"
            )));
        }
        if !(from.is_finite() && to.is_finite() && from != to) {
            return Err(AnalysisError::Usage(format!(
                "--param {}: the range {from}..{to} must have two different finite ends",
                parameter.key
            )));
        }
        let (from, to) = (from.min(to), from.max(to));
        let tolerance = tolerance.unwrap_or(RELATIVE_TOLERANCE * (to - from));
        if !(tolerance > 0.0 && tolerance.is_finite()) {
            return Err(AnalysisError::Usage(format!(
                "--tolerance {tolerance}: must be a positive number"
            )));
        }
        let origin = &base.scenario().origin;
        parameter.check(origin, from)?;
        parameter.check(origin, to)?;
        Ok(Problem {
            parameter,
            from,
            to,
            event,
            target,
            tolerance,
        })
    }
}

/// The probability at one value of the parameter.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub value: f64,
    #[serde(flatten)]
    pub probability: Probability,
}

/// One value at which the probability crosses the target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Crossing {
    /// The middle of the final bracket.
    pub value: f64,
    /// The final bracket: the probability is on either side of the target at its ends.
    pub bracket: [f64; 2],
    /// The 95% interval of the value (test inversion); `None` where it reaches past that
    /// end of the range.
    pub ci95: [Option<f64>; 2],
    /// Whether the probability rises through the target as the value grows (else it falls).
    pub rising: bool,
}

/// The answer to a goal seek.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Answer {
    /// The probability crosses the target inside the range; this is the lowest crossing (all
    /// of them are in [`Solution::crossings`]).
    Found {
        /// The middle of the final bracket.
        value: f64,
        /// The final bracket: the probability is on either side of the target at its ends.
        bracket: [f64; 2],
        /// The 95% interval of the value (test inversion); `None` where it reaches past that
        /// end of the range.
        ci95: [Option<f64>; 2],
    },
    /// The probability stays on one side of the target over the whole range.
    Unreachable,
}

/// A finished goal seek.
#[derive(Debug, Clone, Serialize)]
pub struct Solution {
    pub scenario: String,
    pub file: String,
    pub seed: u64,
    /// Paths at every evaluation.
    pub paths: u64,
    pub parameter: String,
    pub range: [f64; 2],
    pub event: EventInfo,
    pub target: f64,
    /// The finest bracket allowed: the requested tolerance, or finer when a 95% interval
    /// came out narrower than ten times it.
    pub tolerance: f64,
    #[serde(flatten)]
    pub answer: Answer,
    /// Every crossing of the target found, in increasing order of value (empty when
    /// unreachable); more than one when the probability rises and falls over the range.
    pub crossings: Vec<Crossing>,
    /// The probability at each end of the range.
    pub at_from: Probability,
    pub at_to: Probability,
    /// Whether the evaluated points rise (or fall) with the parameter without reversing.
    pub monotone: bool,
    /// How many of the evaluations were the coarse grid.
    pub grid_points: usize,
    /// Every evaluation, in increasing order of the value.
    pub evaluations: Vec<Evaluation>,
}

/// The probability curve at a fixed seed, evaluated lazily and remembered.
struct Curve<'a> {
    base: &'a Base,
    problem: &'a Problem,
    plan: &'a Plan,
    progress: &'a dyn Progress,
    /// (value, hits), sorted by value.
    known: Vec<(f64, u64)>,
}

impl Curve<'_> {
    fn hits(&mut self, x: f64) -> Result<u64, AnalysisError> {
        let i = self.known.partition_point(|&(v, _)| v < x);
        match self.known.get(i) {
            Some(&(v, h)) if v == x => return Ok(h),
            _ => {}
        }
        let scenario = self.base.with(&[(&self.problem.parameter, x)])?;
        let summary = summarise(&scenario, self.plan, self.progress)?;
        let hits = summary.hits(self.problem.event);
        self.known.insert(i, (x, hits));
        Ok(hits)
    }

    /// The midpoint of `(low, high)`, rounded down for a whole-number parameter; `None` when
    /// no value lies strictly between them.
    fn midpoint(&self, low: f64, high: f64) -> Option<f64> {
        let mut mid = 0.5 * (low + high);
        if self.problem.parameter.is_whole() {
            mid = mid.floor();
        }
        (mid > low && mid < high).then_some(mid)
    }

    /// The known points from `low` to `high`, both included.
    fn between(&self, low: f64, high: f64) -> Vec<(f64, u64)> {
        self.known
            .iter()
            .copied()
            .filter(|&(v, _)| v >= low && v <= high)
            .collect()
    }
}

/// The tests a goal seek applies to a count of paths.
struct Tests {
    n: u64,
    target: f64,
}

impl Tests {
    fn estimate(&self, hits: u64) -> f64 {
        hits as f64 / self.n as f64
    }

    /// Whether the estimate is at or above the target.
    fn above(&self, hits: u64) -> bool {
        self.estimate(hits) >= self.target
    }

    /// Whether the Wilson 95% interval contains the target: the value cannot be told apart
    /// from the answer.
    fn inside(&self, hits: u64) -> bool {
        let (low, high) = wilson_interval(hits, self.n, Z95);
        low <= self.target && self.target <= high
    }
}

/// The grid's values: evenly spaced over the range with both ends, whole numbers for a
/// whole-number parameter.
fn grid(problem: &Problem) -> Vec<f64> {
    let (from, to) = (problem.from, problem.to);
    let mut values: Vec<f64> = (0..GRID_POINTS)
        .map(|i| match i {
            0 => from,
            i if i == GRID_POINTS - 1 => to,
            i => {
                let x = from + (to - from) * i as f64 / (GRID_POINTS - 1) as f64;
                if problem.parameter.is_whole() {
                    x.round()
                } else {
                    x
                }
            }
        })
        .collect();
    values.dedup();
    values
}

/// Bisects the crossing between the adjacent grid values `low` and `high` down to `step`, or
/// until both ends of the bracket are inside the 95% interval, then finds that interval.
fn crossing(
    curve: &mut Curve,
    tests: &Tests,
    (low, high): (f64, f64),
    step: f64,
) -> Result<Crossing, AnalysisError> {
    let low_above = tests.above(curve.hits(low)?);
    // The narrowest known bracket: the first change of side after `low`.
    let points = curve.between(low, high);
    let change = points
        .iter()
        .position(|&(_, h)| tests.above(h) != low_above)
        .expect("the grid values differ in side");
    let (mut a, mut b) = (points[change - 1], points[change]);
    while b.0 - a.0 > step && !(tests.inside(a.1) && tests.inside(b.1)) {
        let Some(mid) = curve.midpoint(a.0, b.0) else {
            break;
        };
        let h = curve.hits(mid)?;
        if tests.above(h) == low_above {
            a = (mid, h);
        } else {
            b = (mid, h);
        }
    }
    let ci95 = interval(curve, tests, (a, b), step)?;
    Ok(Crossing {
        value: 0.5 * (a.0 + b.0),
        bracket: [a.0, b.0],
        ci95,
        rising: !low_above,
    })
}

/// The 95% interval around the bracket `(a, b)`: the known points next to it whose Wilson
/// interval contains the target, widened by bisection until each end is located to a twentieth
/// of the interval's width, or to `step`.
fn interval(
    curve: &mut Curve,
    tests: &Tests,
    (a, b): ((f64, u64), (f64, u64)),
    step: f64,
) -> Result<[Option<f64>; 2], AnalysisError> {
    let (from, to) = (curve.problem.from, curve.problem.to);
    // Neither end is inside: the interval is narrower than the bracket, which holds it.
    if !tests.inside(a.1) && !tests.inside(b.1) {
        return Ok([Some(a.0), Some(b.0)]);
    }
    // For each side, the innermost point outside and the outermost inside, walking out from
    // the bracket through the known points; `None` outside when the range ends first.
    let walk = |curve: &Curve, start: f64, leftwards: bool| -> (f64, Option<f64>) {
        let mut inner = start;
        let points: Vec<(f64, u64)> = if leftwards {
            curve
                .known
                .iter()
                .rev()
                .filter(|p| p.0 <= start)
                .copied()
                .collect()
        } else {
            curve
                .known
                .iter()
                .filter(|p| p.0 >= start)
                .copied()
                .collect()
        };
        for (v, h) in points {
            if tests.inside(h) {
                inner = v;
            } else {
                return (inner, Some(v));
            }
        }
        (inner, None)
    };
    let start_low = if tests.inside(a.1) { a.0 } else { b.0 };
    let start_high = if tests.inside(b.1) { b.0 } else { a.0 };
    loop {
        let (inner_low, outer_low) = walk(curve, start_low, true);
        let (inner_high, outer_high) = walk(curve, start_high, false);
        let span = outer_high.unwrap_or(to) - outer_low.unwrap_or(from);
        let precision = step.max(END_PRECISION * span);
        let low_gap = outer_low.map(|o| (o, inner_low));
        let high_gap = outer_high.map(|o| (inner_high, o));
        let width = |gap: Option<(f64, f64)>| gap.map_or(0.0, |(x, y)| y - x);
        // Bisect the wider of the two ends still coarser than the precision.
        let widest = if width(low_gap) >= width(high_gap) {
            low_gap
        } else {
            high_gap
        };
        let mid = widest
            .filter(|&(x, y)| y - x > precision)
            .and_then(|(x, y)| curve.midpoint(x, y));
        match mid {
            Some(mid) => {
                curve.hits(mid)?;
            }
            None => {
                let end = |outer: Option<f64>, inner: f64| outer.map(|o| 0.5 * (o + inner));
                return Ok([end(outer_low, inner_low), end(outer_high, inner_high)]);
            }
        }
    }
}

/// Every crossing over the grid, each bisected down to `step`.
fn crossings(
    curve: &mut Curve,
    tests: &Tests,
    grid: &[f64],
    step: f64,
) -> Result<Vec<Crossing>, AnalysisError> {
    let mut found = Vec::new();
    for pair in grid.windows(2) {
        let (low, high) = (pair[0], pair[1]);
        if tests.above(curve.hits(low)?) != tests.above(curve.hits(high)?) {
            found.push(crossing(curve, tests, (low, high), step)?);
        }
    }
    // The estimate equal to the target at an end, without a crossing: that end is the answer.
    if found.is_empty() {
        for end in [curve.problem.from, curve.problem.to] {
            let h = curve.hits(end)?;
            if tests.estimate(h) == tests.target {
                let ci95 = interval(curve, tests, ((end, h), (end, h)), step)?;
                found.push(Crossing {
                    value: end,
                    bracket: [end, end],
                    ci95,
                    rising: true,
                });
                break;
            }
        }
    }
    Ok(found)
}

/// Solves `problem` at the seed and paths of `plan`.
pub fn solve(
    base: &Base,
    problem: &Problem,
    plan: &Plan,
    progress: &dyn Progress,
) -> Result<Solution, AnalysisError> {
    let n = plan.covered_paths();
    let mut curve = Curve {
        base,
        problem,
        plan,
        progress,
        known: Vec::new(),
    };
    let tests = Tests {
        n,
        target: problem.target,
    };
    let grid = grid(problem);
    // The grid plus about a dozen evaluations per crossing; a guess for the progress bar only.
    progress.start((grid.len() as u64 + 12) * n);
    for &x in &grid {
        curve.hits(x)?;
    }
    let grid_points = curve.known.len();
    let whole = problem.parameter.is_whole();
    let range = problem.to - problem.from;
    let mut step = if whole {
        problem.tolerance.max(1.0)
    } else {
        problem.tolerance
    };
    let found = loop {
        let found = crossings(&mut curve, &tests, &grid, step)?;
        // An interval narrower than ten steps says little about its width: refine, reusing
        // every evaluation so far, down to a billionth of the range.
        let narrow = found.iter().any(|c| {
            let width = c.ci95[1].unwrap_or(problem.to) - c.ci95[0].unwrap_or(problem.from);
            width < 10.0 * step
        });
        if !narrow || whole || step < 1e-9 * range {
            break found;
        }
        step /= 8.0;
    };
    progress.finish();

    let answer = match found.first() {
        Some(c) => Answer::Found {
            value: c.value,
            bracket: c.bracket,
            ci95: c.ci95,
        },
        None => Answer::Unreachable,
    };
    let evaluations: Vec<Evaluation> = curve
        .known
        .iter()
        .map(|&(value, hits)| Evaluation {
            value,
            probability: Probability::from_counts(hits, n),
        })
        .collect();
    let rises = curve.known.windows(2).all(|w| w[1].1 >= w[0].1);
    let falls = curve.known.windows(2).all(|w| w[1].1 <= w[0].1);
    let from_hits = curve.hits(problem.from)?;
    let to_hits = curve.hits(problem.to)?;
    let scenario = base.scenario();
    Ok(Solution {
        scenario: scenario.name.clone(),
        file: scenario.origin.clone(),
        seed: plan.seed,
        paths: n,
        parameter: problem.parameter.key.clone(),
        range: [problem.from, problem.to],
        event: problem.event.info(scenario),
        target: problem.target,
        tolerance: step,
        answer,
        crossings: found,
        at_from: Probability::from_counts(from_hits, n),
        at_to: Probability::from_counts(to_hits, n),
        monotone: rises || falls,
        grid_points,
        evaluations,
    })
}
