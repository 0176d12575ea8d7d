//! Thresholds: yes/no tests of a path's outcome whose probability a run reports.
//!
//! A threshold compares a metric with a value, either in one year (`year = 2030`) or in any
//! year up to one (`by = 2030`), or compares a path-level quantity (funding gap, NPV,
//! break-even year, payback year). The value is a constant or a multiple of another metric of
//! the same path and year, e.g. Bain's test that revenue be at least 4x that year's capex.

use crate::model::{Metric, Trajectory};

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    AtLeast,
    Above,
    AtMost,
    Below,
}

impl Comparison {
    /// Parses `>=`, `>`, `<=` or `<`.
    pub fn parse(s: &str) -> Option<Comparison> {
        Some(match s {
            ">=" => Comparison::AtLeast,
            ">" => Comparison::Above,
            "<=" => Comparison::AtMost,
            "<" => Comparison::Below,
            _ => return None,
        })
    }

    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::AtLeast => ">=",
            Comparison::Above => ">",
            Comparison::AtMost => "<=",
            Comparison::Below => "<",
        }
    }

    #[inline]
    pub fn holds(self, left: f64, right: f64) -> bool {
        match self {
            Comparison::AtLeast => left >= right,
            Comparison::Above => left > right,
            Comparison::AtMost => left <= right,
            Comparison::Below => left < right,
        }
    }
}

/// A path-level quantity a threshold can test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathQuantity {
    FundingGap,
    Npv,
    /// The break-even year as a calendar year; never counts as infinitely late.
    BreakEvenYear,
    /// The payback year as a calendar year; never counts as infinitely late.
    PaybackYear,
}

impl PathQuantity {
    /// Every path-level quantity.
    pub const ALL: [PathQuantity; 4] = [
        PathQuantity::FundingGap,
        PathQuantity::Npv,
        PathQuantity::BreakEvenYear,
        PathQuantity::PaybackYear,
    ];

    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            PathQuantity::FundingGap => "funding_gap",
            PathQuantity::Npv => "npv",
            PathQuantity::BreakEvenYear => "break_even_year",
            PathQuantity::PaybackYear => "payback_year",
        }
    }

    /// Looks a quantity up by name.
    pub fn from_name(name: &str) -> Option<PathQuantity> {
        PathQuantity::ALL.into_iter().find(|q| q.name() == name)
    }

    fn value(self, t: &Trajectory, start_year: i32) -> f64 {
        let year = |y: Option<usize>| y.map_or(f64::INFINITY, |y| f64::from(start_year) + y as f64);
        match self {
            PathQuantity::FundingGap => t.funding_gap,
            PathQuantity::Npv => t.npv,
            PathQuantity::BreakEvenYear => year(t.break_even),
            PathQuantity::PaybackYear => year(t.payback),
        }
    }
}

/// Which years of a metric a threshold looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Years {
    /// One year index.
    In(usize),
    /// Any year index up to and including this one.
    By(usize),
}

/// The right-hand side of a metric comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    Value(f64),
    /// `times` x another metric of the same path and year.
    Times {
        times: f64,
        of: Metric,
    },
}

/// What a threshold tests.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// A per-year metric against a target.
    Metric {
        metric: Metric,
        years: Years,
        target: Target,
    },
    /// A path-level quantity against a value.
    Path { quantity: PathQuantity, value: f64 },
}

/// A compiled threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    /// The key in the scenario file.
    pub name: String,
    /// A readable label.
    pub label: String,
    pub test: Test,
    pub comparison: Comparison,
    pub source: Option<String>,
}

impl Threshold {
    /// Whether the path meets the threshold.
    #[inline]
    pub fn is_met(&self, t: &Trajectory, start_year: i32) -> bool {
        match &self.test {
            Test::Metric {
                metric,
                years,
                target,
            } => {
                let in_year = |y: usize| {
                    let right = match *target {
                        Target::Value(v) => v,
                        Target::Times { times, of } => times * t.get(of, y),
                    };
                    self.comparison.holds(t.get(*metric, y), right)
                };
                match *years {
                    Years::In(y) => in_year(y),
                    Years::By(y) => (0..=y).any(in_year),
                }
            }
            Test::Path { quantity, value } => {
                self.comparison.holds(quantity.value(t, start_year), *value)
            }
        }
    }
}
