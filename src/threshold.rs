//! Thresholds: yes/no tests of a path's outcome whose probability a run reports.
//!
//! A threshold compares a metric with a value, either in one year (`year = 2030`) or in any
//! year up to one (`by = 2030`), or compares a path-level quantity (funding gap, NPV,
//! break-even year, payback year). The value is a constant or a multiple of another metric of
//! the same path and year, e.g. Bain's test that revenue be at least 4x that year's capex.
//!
//! [`Threshold::margin`] says how far a path is from meeting a threshold, continuously where
//! the test allows: at or above zero exactly when the path meets it. Rare-event estimation
//! ([`crate::rare`]) climbs toward the threshold through the margin's levels.

use crate::model::{Block, Metric, PathResults, Trajectory};

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

    fn value(self, t: &impl PathResults, start_year: i32) -> f64 {
        let year = |y: Option<usize>| y.map_or(f64::INFINITY, |y| f64::from(start_year) + y as f64);
        match self {
            PathQuantity::FundingGap => t.funding_gap(),
            PathQuantity::Npv => t.npv(),
            PathQuantity::BreakEvenYear => year(t.break_even()),
            PathQuantity::PaybackYear => year(t.payback()),
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

/// `diff / scale` with the sign of `diff` kept exactly: zero counts as met unless `strict`.
#[inline]
fn signed(diff: f64, scale: f64, strict: bool) -> f64 {
    let m = diff / scale;
    if diff > 0.0 {
        m.max(f64::MIN_POSITIVE)
    } else if diff == 0.0 && !strict {
        0.0
    } else {
        m.min(-f64::MIN_POSITIVE)
    }
}

/// The margin of `left comparison right`, relative to `|right|` (at least 1).
#[inline]
pub(crate) fn compared(comparison: Comparison, left: f64, right: f64) -> f64 {
    let scale = right.abs().max(1.0);
    match comparison {
        Comparison::AtLeast => signed(left - right, scale, false),
        Comparison::Above => signed(left - right, scale, true),
        Comparison::AtMost => signed(right - left, scale, false),
        Comparison::Below => signed(right - left, scale, true),
    }
}

/// The margin of "the year-valued `quantity` (break-even or payback) falls within the
/// horizon": at or above zero exactly when `t.break_even` (`t.payback`) is some year.
pub fn within_horizon(quantity: PathQuantity, t: &Trajectory, start_year: i32) -> f64 {
    let years = t.series(Metric::Ebit).len();
    let horizon = f64::from(start_year) + years.saturating_sub(1) as f64;
    by_year(quantity, t, start_year, horizon)
}

/// The margin of "the year-valued `quantity` is at most calendar year `year`": the smallest,
/// over the years from `year` (within the horizon) to the horizon, of the quantity's running
/// measure (EBIT, or cumulative free cash flow) over its scale. A break-even (payback) year at
/// most `year` means exactly that the measure is at or above zero in all those years. Minus
/// infinity when `year` is before the start: no path can meet it.
fn by_year(quantity: PathQuantity, t: &Trajectory, start_year: i32, year: f64) -> f64 {
    let years = t.series(Metric::Ebit).len();
    if year < f64::from(start_year) || years == 0 {
        return f64::NEG_INFINITY;
    }
    let first = (year - f64::from(start_year)).min((years - 1) as f64) as usize;
    let mut margin = f64::INFINITY;
    match quantity {
        PathQuantity::BreakEvenYear => {
            for y in first..years {
                let ebit = t.get(Metric::Ebit, y);
                let scale = t
                    .get(Metric::Revenue, y)
                    .abs()
                    .max(t.get(Metric::Costs, y).abs())
                    .max(1.0);
                margin = margin.min(signed(ebit, scale, false));
            }
        }
        _ => {
            let (mut cumulative, mut scale) = (0.0, 1.0);
            for (y, &fcf) in t.series(Metric::FreeCashFlow).iter().enumerate() {
                cumulative += fcf;
                scale += fcf.abs();
                if y >= first {
                    margin = margin.min(signed(cumulative, scale, false));
                }
            }
        }
    }
    margin
}

impl Threshold {
    /// How far the path is from meeting the threshold: at or above zero exactly when
    /// [`Threshold::is_met`], otherwise negative; continuous in the path's numbers where the
    /// test allows. A metric against a target is `(left - right) / |right|` (the other way
    /// round for `<=` and `<`; the best year for `by`); a break-even or payback year is the
    /// worst year's EBIT (cumulative free cash flow) over its scale among the years that must
    /// stay at or above zero. Thresholds no path can meet (a break-even year before the start)
    /// have a margin of minus infinity on every path.
    pub fn margin(&self, t: &Trajectory, start_year: i32) -> f64 {
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
                    compared(self.comparison, t.get(*metric, y), right)
                };
                match *years {
                    Years::In(y) => in_year(y),
                    Years::By(y) => (0..=y).map(in_year).fold(f64::NEG_INFINITY, f64::max),
                }
            }
            Test::Path { quantity, value } => match quantity {
                PathQuantity::FundingGap | PathQuantity::Npv => {
                    compared(self.comparison, quantity.value(t, start_year), *value)
                }
                PathQuantity::BreakEvenYear | PathQuantity::PaybackYear => {
                    // The year is a whole calendar year or never: each comparison is "at most
                    // some year" or its negation.
                    let at_most = |year: f64| by_year(*quantity, t, start_year, year);
                    let not = |m: f64| signed(-m, 1.0, true);
                    match self.comparison {
                        Comparison::AtMost => at_most(value.floor()),
                        Comparison::Below => at_most(value.ceil() - 1.0),
                        Comparison::AtLeast => not(at_most(value.ceil() - 1.0)),
                        Comparison::Above => not(at_most(value.floor())),
                    }
                }
            },
        }
    }

    /// How many of `block`'s paths meet the threshold, each as [`Threshold::is_met`] decides:
    /// a test of one year's metric is counted across the block's lanes in one pass.
    pub fn met_in_block(&self, block: &Block, start_year: i32) -> u64 {
        let met = match &self.test {
            Test::Metric {
                metric,
                years: Years::In(y),
                target,
            } => {
                let row = block.row(*metric, *y);
                match *target {
                    Target::Value(v) => {
                        row.iter().filter(|&&x| self.comparison.holds(x, v)).count()
                    }
                    Target::Times { times, of } => row
                        .iter()
                        .zip(block.row(of, *y))
                        .filter(|&(&x, &o)| self.comparison.holds(x, times * o))
                        .count(),
                }
            }
            _ => (0..block.width())
                .filter(|&l| self.is_met(&block.lane(l), start_year))
                .count(),
        };
        met as u64
    }

    /// Whether the path meets the threshold.
    #[inline]
    pub fn is_met(&self, t: &impl PathResults, start_year: i32) -> bool {
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
