//! Goal seek: the parameter value at which an event's probability equals a target.
//!
//! At a fixed seed the estimated probability `p̂(x)` is a step function of the parameter `x`
//! (each path meets the event or not, and with common random numbers each path switches at
//! its own value of `x`), so the search is bisection on the sign of `p̂(x) - target` inside a
//! bracket where it changes, down to a tolerance in `x`. Its uncertainty is found by test
//! inversion: the 95% interval is the set of `x` whose Wilson 95% interval for `p̂(x)` (Wilson
//! 1927) contains the target, i.e. the values the Monte Carlo run cannot tell apart from the
//! answer. Its ends are found by the same bisection on the Wilson bounds. This assumes the
//! probability moves one way across the range; when the evaluated points say otherwise the
//! solution says so, and the answer is one crossing among several.

use serde::Serialize;

use super::{AnalysisError, Base, Parameter, summarise};
use crate::engine::{Plan, Progress};
use crate::stats::{Z95, wilson_interval};
use crate::summary::{Event, EventInfo, Probability};

/// The default tolerance, as a share of the range's width.
pub const RELATIVE_TOLERANCE: f64 = 1e-3;

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
    /// Bisection stops when the bracket is this narrow.
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

/// The answer to a goal seek.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Answer {
    /// The probability crosses the target inside the range.
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
    /// The bracket width reached: the requested tolerance, or finer when the 95% interval
    /// came out narrower than ten times it.
    pub tolerance: f64,
    #[serde(flatten)]
    pub answer: Answer,
    /// The probability at each end of the range.
    pub at_from: Probability,
    pub at_to: Probability,
    /// Whether the evaluated points rise (or fall) with the parameter without reversing.
    pub monotone: bool,
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

    /// A bracket, no wider than the tolerance, where `statistic(hits) >= target` changes inside
    /// the range; `None` when it does not change. The search starts from the narrowest
    /// bracket known.
    fn crossing(
        &mut self,
        statistic: &dyn Fn(u64) -> f64,
        step: f64,
    ) -> Result<Option<(f64, f64)>, AnalysisError> {
        let target = self.problem.target;
        let above = |h: u64| statistic(h) >= target;
        let at_from = above(self.hits(self.problem.from)?);
        if at_from == above(self.hits(self.problem.to)?) {
            return Ok(None);
        }
        let first_change = self
            .known
            .iter()
            .position(|&(_, h)| above(h) != at_from)
            .expect("the ends differ");
        let (mut low, mut high) = (self.known[first_change - 1].0, self.known[first_change].0);
        while high - low > step {
            let mut mid = 0.5 * (low + high);
            if self.problem.parameter.is_whole() {
                mid = mid.floor();
            }
            if mid <= low || mid >= high {
                break;
            }
            if above(self.hits(mid)?) == at_from {
                low = mid;
            } else {
                high = mid;
            }
        }
        Ok(Some((low, high)))
    }
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
    // Two ends plus three bisections; a guess for the progress bar only.
    let width = (problem.to - problem.from) / problem.tolerance;
    let guess = 2 + 3 * width.log2().ceil().max(1.0) as u64;
    progress.start(guess * n);
    let from_hits = curve.hits(problem.from)?;
    let to_hits = curve.hits(problem.to)?;
    let rising = to_hits >= from_hits;

    let estimate = |h: u64| h as f64 / n as f64;
    let wilson_low = |h: u64| wilson_interval(h, n, Z95).0;
    let wilson_high = |h: u64| wilson_interval(h, n, Z95).1;
    let touches = |h: u64| estimate(h) == problem.target;

    let middle = |(low, high): (f64, f64)| 0.5 * (low + high);
    let whole = problem.parameter.is_whole();
    let mut step = if whole {
        problem.tolerance.max(1.0)
    } else {
        problem.tolerance
    };
    let answer = loop {
        let answer = match curve.crossing(&estimate, step)? {
            None if !(touches(from_hits) || touches(to_hits)) => Answer::Unreachable,
            found => {
                let end = if touches(from_hits) {
                    problem.from
                } else {
                    problem.to
                };
                let bracket = found.unwrap_or((end, end));
                // Rising: the upper Wilson bound reaches the target first, the lower one last.
                let (first, last): (&dyn Fn(u64) -> f64, &dyn Fn(u64) -> f64) = if rising {
                    (&wilson_high, &wilson_low)
                } else {
                    (&wilson_low, &wilson_high)
                };
                let low = curve.crossing(first, step)?.map(middle);
                let high = curve.crossing(last, step)?.map(middle);
                Answer::Found {
                    value: middle(bracket),
                    bracket: [bracket.0, bracket.1],
                    ci95: [low, high],
                }
            }
        };
        // An interval narrower than ten steps says little about its width: refine, reusing
        // every evaluation so far, down to a billionth of the range.
        let narrow = match &answer {
            Answer::Found { ci95, .. } => {
                let width = ci95[1].unwrap_or(problem.to) - ci95[0].unwrap_or(problem.from);
                width < 10.0 * step
            }
            Answer::Unreachable => false,
        };
        if !narrow || whole || step < 1e-9 * (problem.to - problem.from) {
            break answer;
        }
        step /= 8.0;
    };
    progress.finish();

    let evaluations: Vec<Evaluation> = curve
        .known
        .iter()
        .map(|&(value, hits)| Evaluation {
            value,
            probability: Probability::from_counts(hits, n),
        })
        .collect();
    let monotone = curve.known.windows(2).all(|w| {
        if rising {
            w[1].1 >= w[0].1
        } else {
            w[1].1 <= w[0].1
        }
    });
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
        at_from: Probability::from_counts(from_hits, n),
        at_to: Probability::from_counts(to_hits, n),
        monotone,
        evaluations,
    })
}
