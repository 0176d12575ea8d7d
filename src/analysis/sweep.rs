//! Sweeps: the probability of every event, with its Wilson 95% interval, at each point of a
//! one-parameter curve or a two-parameter grid.
//!
//! Every point runs the same plan, so points share common random numbers: a parameter whose
//! effect on each path is monotone gives an exactly monotone curve. Ranges are guarded the way
//! hyperfine guards its parameter ranges: `FROM..TO:STEPS` with finite ends, at least one step,
//! one step only when `FROM == TO`, and at most [`MAX_POINTS`] points in the whole grid.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::{AnalysisError, Base, Parameter, side_by_side, summarise};
use crate::engine::{Plan, Progress};
use crate::scenario_run::Event;
use crate::summary::{EventInfo, Probability};

/// The most points a sweep may have, all axes together.
pub const MAX_POINTS: usize = 10_000;

/// Why a range is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RangeError {
    #[error("expected FROM..TO:STEPS, e.g. 0.2..0.8:7")]
    Syntax,
    #[error("expected FROM..TO, e.g. 0.2..0.8")]
    BoundsSyntax,
    #[error("'{0}' is not a number")]
    NotANumber(String),
    #[error("FROM and TO must be finite numbers, got {0} and {1}")]
    NotFinite(f64, f64),
    #[error("STEPS must be at least 1")]
    ZeroSteps,
    #[error("{0} steps is more than the {MAX_POINTS} points a sweep may have")]
    TooManySteps(usize),
    #[error("FROM equals TO, so the range has 1 point, not {0}")]
    EmptyWithSteps(usize),
    #[error("a range from {0} to {1} needs at least 2 steps")]
    OneStep(f64, f64),
}

/// `FROM..TO`: two finite numbers.
pub fn parse_bounds(text: &str) -> Result<(f64, f64), RangeError> {
    let (from, to) = text.split_once("..").ok_or(RangeError::BoundsSyntax)?;
    let number = |s: &str| {
        s.trim()
            .parse::<f64>()
            .map_err(|_| RangeError::NotANumber(s.trim().to_string()))
    };
    let (from, to) = (number(from)?, number(to)?);
    if !(from.is_finite() && to.is_finite()) {
        return Err(RangeError::NotFinite(from, to));
    }
    Ok((from, to))
}

/// `FROM..TO:STEPS`: `STEPS` evenly spaced values from `FROM` to `TO`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Range {
    pub from: f64,
    pub to: f64,
    pub steps: usize,
}

impl Range {
    /// A validated range.
    pub fn new(from: f64, to: f64, steps: usize) -> Result<Range, RangeError> {
        if !(from.is_finite() && to.is_finite()) {
            return Err(RangeError::NotFinite(from, to));
        }
        match steps {
            0 => Err(RangeError::ZeroSteps),
            s if s > MAX_POINTS => Err(RangeError::TooManySteps(s)),
            1 if from != to => Err(RangeError::OneStep(from, to)),
            s if s > 1 && from == to => Err(RangeError::EmptyWithSteps(s)),
            _ => Ok(Range { from, to, steps }),
        }
    }

    /// The values, rounded to 12 significant digits so that `0.2..0.8:7` gives 0.3, not
    /// 0.30000000000000004.
    pub fn values(&self) -> Vec<f64> {
        if self.steps == 1 {
            return vec![self.from];
        }
        let last = (self.steps - 1) as f64;
        (0..self.steps)
            .map(|i| {
                let x = self.from + (self.to - self.from) * (i as f64 / last);
                format!("{x:.11e}")
                    .parse()
                    .expect("a formatted float parses")
            })
            .collect()
    }
}

impl FromStr for Range {
    type Err = RangeError;

    fn from_str(text: &str) -> Result<Range, RangeError> {
        let (bounds, steps) = text.rsplit_once(':').ok_or(RangeError::Syntax)?;
        let (from, to) = parse_bounds(bounds).map_err(|e| match e {
            RangeError::BoundsSyntax => RangeError::Syntax,
            other => other,
        })?;
        let steps = steps
            .trim()
            .parse::<usize>()
            .map_err(|_| RangeError::NotANumber(steps.trim().to_string()))?;
        Range::new(from, to, steps)
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}:{}", self.from, self.to, self.steps)
    }
}

/// `key.path=FROM..TO:STEPS` as written on the command line.
#[derive(Debug, Clone, PartialEq)]
pub struct AxisSpec {
    pub key: String,
    pub text: String,
}

impl FromStr for AxisSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<AxisSpec, String> {
        let (key, text) = s
            .split_once('=')
            .ok_or_else(|| format!("expected key.path=FROM..TO:STEPS, got '{s}'"))?;
        Ok(AxisSpec {
            key: key.trim().to_string(),
            text: text.trim().to_string(),
        })
    }
}

/// One swept parameter and its range.
#[derive(Debug, Clone)]
pub struct Axis {
    pub parameter: Parameter,
    pub range: Range,
}

impl Axis {
    /// Checks the key against the scenario and the range, including that every value can be
    /// written at the key.
    pub fn new(base: &Base, spec: &AxisSpec) -> Result<Axis, AnalysisError> {
        let scenario = base.scenario();
        let parameter = Parameter::new(&spec.key, scenario)?;
        let range: Range = spec.text.parse().map_err(|problem| AnalysisError::Range {
            key: spec.key.clone(),
            text: spec.text.clone(),
            problem,
        })?;
        for x in range.values() {
            parameter.check(&scenario.origin, x)?;
        }
        Ok(Axis { parameter, range })
    }
}

/// A swept parameter, as outputs show it.
#[derive(Debug, Clone, Serialize)]
pub struct AxisInfo {
    pub key: String,
    #[serde(flatten)]
    pub range: Range,
}

/// The results at one point of the grid.
#[derive(Debug, Clone, Serialize)]
pub struct Point {
    /// The value of each parameter, in the order of [`Sweep::parameters`].
    pub values: Vec<f64>,
    /// Each event's probability, in the order of [`Sweep::events`].
    pub probabilities: Vec<Probability>,
}

/// A finished sweep.
#[derive(Debug, Clone, Serialize)]
pub struct Sweep {
    pub scenario: String,
    /// The scenario file.
    pub file: String,
    pub seed: u64,
    /// Paths at every point.
    pub paths: u64,
    pub parameters: Vec<AxisInfo>,
    pub events: Vec<EventInfo>,
    /// Points in row-major order: the last parameter varies fastest.
    pub points: Vec<Point>,
}

impl Sweep {
    /// The index of the event with this name.
    pub fn event_index(&self, name: &str) -> Option<usize> {
        self.events.iter().position(|e| e.name == name)
    }
}

/// Runs `plan` at every point of the grid spanned by `axes` (one or two).
pub fn run(
    base: &Base,
    axes: &[Axis],
    plan: &Plan,
    progress: &dyn Progress,
) -> Result<Sweep, AnalysisError> {
    if axes.is_empty() || axes.len() > 2 {
        return Err(AnalysisError::Usage(format!(
            "a sweep takes one or two --param, got {}",
            axes.len()
        )));
    }
    let points: usize = axes.iter().map(|a| a.range.steps).product();
    if points > MAX_POINTS {
        return Err(AnalysisError::Usage(format!(
            "the grid has {points} points, more than the {MAX_POINTS} a sweep may have"
        )));
    }
    let scenario = base.scenario();
    let events = Event::all(scenario);
    let grid: Vec<Vec<f64>> = match axes {
        [a] => a.range.values().into_iter().map(|x| vec![x]).collect(),
        [a, b] => {
            let inner = b.range.values();
            a.range
                .values()
                .into_iter()
                .flat_map(|x| inner.iter().map(move |&y| vec![x, y]))
                .collect()
        }
        _ => unreachable!("one or two axes were checked above"),
    };
    progress.start(plan.covered_paths() * grid.len() as u64);
    let results = side_by_side(&grid, |values| -> Result<Point, AnalysisError> {
        let settings: Vec<(&Parameter, f64)> = axes
            .iter()
            .map(|a| &a.parameter)
            .zip(values.iter().copied())
            .collect();
        let point = base.with(&settings)?;
        let summary = summarise(&point, plan, progress)?;
        Ok(Point {
            values: values.clone(),
            probabilities: events.iter().map(|&e| summary.probability(e)).collect(),
        })
    })?;
    progress.finish();
    Ok(Sweep {
        scenario: scenario.name.clone(),
        file: scenario.origin.clone(),
        seed: plan.seed,
        paths: plan.covered_paths(),
        parameters: axes
            .iter()
            .map(|a| AxisInfo {
                key: a.parameter.key.clone(),
                range: a.range,
            })
            .collect(),
        events: events.iter().map(|e| e.info(scenario)).collect(),
        points: results,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_guarded() {
        assert_eq!(
            "0.2..0.8:7".parse::<Range>().unwrap().values(),
            vec![0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
        );
        assert_eq!(
            "-1..1:3".parse::<Range>().unwrap().values(),
            vec![-1.0, 0.0, 1.0]
        );
        assert_eq!("5..5:1".parse::<Range>().unwrap().values(), vec![5.0]);
        assert_eq!(
            "1e9..3e9:2".parse::<Range>().unwrap().values(),
            vec![1e9, 3e9]
        );
        assert_eq!("0..1:0".parse::<Range>(), Err(RangeError::ZeroSteps));
        assert_eq!(
            "0..1:10001".parse::<Range>(),
            Err(RangeError::TooManySteps(10_001))
        );
        assert_eq!(
            "1..1:3".parse::<Range>(),
            Err(RangeError::EmptyWithSteps(3))
        );
        assert_eq!(
            "0..1:1".parse::<Range>(),
            Err(RangeError::OneStep(0.0, 1.0))
        );
        assert!(matches!(
            "NaN..1:3".parse::<Range>(),
            Err(RangeError::NotFinite(..))
        ));
        assert!(matches!(
            "0..inf:3".parse::<Range>(),
            Err(RangeError::NotFinite(..))
        ));
        assert_eq!("0..1".parse::<Range>(), Err(RangeError::Syntax));
        assert!(matches!(
            "0..x:3".parse::<Range>(),
            Err(RangeError::NotANumber(_))
        ));
        assert!(matches!(
            "0..1:-3".parse::<Range>(),
            Err(RangeError::NotANumber(_))
        ));
        assert_eq!(parse_bounds("0.1..0.9"), Ok((0.1, 0.9)));
    }
}
