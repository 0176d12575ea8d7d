//! Rare-event estimates in every format: the probability in plain words ("about 1 in 4
//! million (95%: 1 in 9 million to 1 in 2 million)"), beside the plain Monte Carlo estimate
//! when there is one, with the evaluations used and the gain over plain Monte Carlo.
//!
//! [`RareReport`] is the result of `simulate rare`; a run with `--rare` carries the same
//! [`RareThreshold`]s in its own report (see [`super::Report::rare`] and
//! [`super::network::NetworkReport::rare`]): a firm's thresholds or a network's events.

use std::fmt::Write;

use serde::Serialize;

use super::format::{percent, thousands};
use super::sheet::{self, Cell, Sheet};
use super::{Exporter, Probability, Simulator};
use crate::rare::target::Target;
use crate::rare::{Estimate, Settings, Status, subset};
use crate::scenario::Scenario;

/// How the rare estimates were made.
#[derive(Debug, Clone, Serialize)]
pub struct Method {
    /// `subset simulation`.
    pub name: &'static str,
    /// The conditional probability of each level.
    pub p0: f64,
    pub samples_per_level: usize,
    pub repetitions: usize,
    pub max_levels: usize,
}

impl Method {
    /// The method with `settings`.
    pub fn of(settings: &Settings) -> Method {
        Method {
            name: "subset simulation",
            p0: subset::P0,
            samples_per_level: settings.samples(),
            repetitions: settings.repetitions(),
            max_levels: settings.max_levels(),
        }
    }
}

/// One threshold's rare-event estimate.
#[derive(Debug, Clone, Serialize)]
pub struct RareThreshold {
    /// The threshold's key in the scenario.
    pub name: String,
    pub label: String,
    /// The estimate in plain words.
    pub in_words: String,
    /// The subset-simulation estimate.
    pub rare: Estimate,
    /// The plain Monte Carlo estimate, when the rare one accompanies a run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plain: Option<Probability>,
    pub source: Option<String>,
}

impl RareThreshold {
    /// The result for `target`, one of `scenario`'s thresholds or events.
    pub fn new(
        scenario: &Scenario,
        target: &Target,
        rare: Estimate,
        plain: Option<Probability>,
    ) -> RareThreshold {
        RareThreshold {
            name: target.name(scenario),
            label: target.label(scenario),
            in_words: in_words(&rare),
            rare,
            plain,
            source: target.source(scenario),
        }
    }
}

/// The result of `simulate rare`.
#[derive(Debug, Clone, Serialize)]
pub struct RareReport {
    pub simulator: Simulator,
    pub scenario: RareScenario,
    pub seed: u64,
    pub method: Method,
    /// True when interrupted: some thresholds hold only the repetitions completed, or none.
    pub partial: bool,
    pub thresholds: Vec<RareThreshold>,
    /// Wall time and threads, for the table only (JSON stays the same for any threads).
    #[serde(skip)]
    pub facts: super::RunFacts,
}

/// The scenario a rare report is about.
#[derive(Debug, Clone, Serialize)]
pub struct RareScenario {
    pub name: String,
    pub file: String,
    pub fingerprint: String,
}

impl RareReport {
    pub fn new(
        scenario: &Scenario,
        seed: u64,
        settings: &Settings,
        thresholds: Vec<RareThreshold>,
        facts: super::RunFacts,
    ) -> RareReport {
        RareReport {
            simulator: Simulator::CURRENT,
            scenario: RareScenario {
                name: scenario.name.clone(),
                file: scenario.origin.clone(),
                fingerprint: scenario.fingerprint(),
            },
            seed,
            method: Method::of(settings),
            partial: thresholds.iter().any(|t| t.rare.partial),
            thresholds,
            facts,
        }
    }
}

/// `n` with two significant digits in words: `340,000`, `4.2 million`, `1.5 trillion`,
/// `3.4 x 10^17`.
fn count_in_words(n: f64) -> String {
    let two = |x: f64| {
        let digits = x.log10().floor();
        let unit = 10f64.powf(digits - 1.0);
        (x / unit).round() * unit
    };
    let n = two(n.max(1.0));
    let scaled = |x: f64, word: &str| {
        let v = two(x);
        if v >= 10.0 || v == v.trunc() {
            format!("{v:.0} {word}")
        } else {
            format!("{v:.1} {word}")
        }
    };
    if n < 1e6 {
        thousands(n as u64)
    } else if n < 1e9 {
        scaled(n / 1e6, "million")
    } else if n < 1e12 {
        scaled(n / 1e9, "billion")
    } else if n < 1e15 {
        scaled(n / 1e12, "trillion")
    } else {
        let e = n.log10().floor();
        let m = n / 10f64.powf(e);
        if (m - 1.0).abs() < 0.05 {
            format!("10^{e:.0}")
        } else {
            format!("{m:.1} x 10^{e:.0}")
        }
    }
}

/// A probability in words: a percentage from 1%, `1 in N` below.
pub fn odds(p: f64) -> String {
    if p >= 0.01 {
        percent(p)
    } else if p <= 0.0 {
        "0".to_string()
    } else {
        format!("1 in {}", count_in_words(1.0 / p))
    }
}

/// An estimate in plain words: "about 1 in 4.2 million (95%: 1 in 9.1 million to 1 in 2
/// million)".
pub fn in_words(e: &Estimate) -> String {
    let p = e.probability.unwrap_or(0.0);
    let text = match e.status {
        Status::Estimated => match e.ci95 {
            Some([low, high]) => {
                format!("about {} (95%: {} to {})", odds(p), odds(low), odds(high))
            }
            None => format!("about {}", odds(p)),
        },
        Status::BelowFloor => {
            let levels = e.levels.saturating_sub(1);
            format!(
                "below about {} (not reached within {levels} levels of 1 in 10)",
                odds(subset::P0.powi(levels as i32))
            )
        }
        Status::Stalled => format!(
            "at most about {} (the paths stop differing short of the threshold; see README, \
             \"Rare thresholds\")",
            odds(p)
        ),
        Status::Impossible => "impossible under the scenario's inputs".to_string(),
        Status::Certain => "certain under the scenario's inputs".to_string(),
        Status::Unfinished => "interrupted before an estimate".to_string(),
    };
    if e.partial && e.status != Status::Unfinished {
        format!("{text}, partial: {} repetitions", e.repetitions)
    } else {
        text
    }
}

/// The evaluations and the gain of an estimate, for tables: `85,181 evaluations; plain
/// Monte Carlo needs 38 million paths (450x) for the same precision`.
fn cost(e: &Estimate) -> String {
    let plain = match (e.plain_mc_paths, e.gain) {
        (Some(paths), Some(gain)) => format!(
            "; plain Monte Carlo: {} paths for this precision ({}x)",
            count_in_words(paths),
            if gain >= 10.0 {
                thousands(gain.round() as u64)
            } else {
                format!("{gain:.1}")
            }
        ),
        _ => String::new(),
    };
    format!("{} evaluations{plain}", thousands(e.evaluations))
}

/// The rare section of a terminal report: per threshold its label, the estimate in words,
/// and what it cost.
pub fn table_section(out: &mut String, thresholds: &[RareThreshold]) {
    for t in thresholds {
        let _ = writeln!(out, "  {}", fit(&t.label, 98));
        let _ = writeln!(out, "      {}", t.in_words);
        if t.rare.status == Status::Estimated {
            let _ = writeln!(out, "      {}", cost(&t.rare));
        }
    }
}

/// `text` cut to `width` characters.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let cut: String = text.chars().take(width - 1).collect();
        format!("{cut}…")
    }
}

impl Exporter for RareReport {
    fn title(&self) -> String {
        format!("Rare thresholds: {}", self.scenario.name)
    }

    fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{}", self.scenario.name);
        let _ = writeln!(
            out,
            "  {} · seed {} · subset simulation, p0 = {}, {} samples per level, {} repetitions",
            self.scenario.file,
            self.seed,
            self.method.p0,
            thousands(self.method.samples_per_level as u64),
            self.method.repetitions
        );
        if self.partial {
            let _ = writeln!(out, "PARTIAL RESULT: interrupted (Ctrl-C)");
        }
        let _ = writeln!(out, "\nRare thresholds");
        table_section(&mut out, &self.thresholds);
        let _ = writeln!(
            out,
            "\n  {} threads · {:.2} s",
            self.facts.threads,
            self.facts.elapsed.as_secs_f64()
        );
        out
    }

    fn csv(&self) -> String {
        sheet::csv(&sheet(&self.thresholds))
    }

    fn sheets(&self) -> Vec<Sheet> {
        let facts = sheet::facts(
            "Method",
            vec![
                ("scenario", Cell::text(&self.scenario.name)),
                ("file", Cell::text(&self.scenario.file)),
                ("fingerprint", Cell::text(&self.scenario.fingerprint)),
                ("seed", Cell::text(self.seed.to_string())),
                ("method", Cell::text(self.method.name)),
                ("p0", Cell::Number(self.method.p0)),
                (
                    "samples per level",
                    Cell::Count(self.method.samples_per_level as u64),
                ),
                ("repetitions", Cell::Count(self.method.repetitions as u64)),
                ("levels at most", Cell::Count(self.method.max_levels as u64)),
                ("partial", Cell::text(self.partial.to_string())),
            ],
        );
        vec![sheet(&self.thresholds), facts]
    }
}

/// The rare estimates as one table: one row per threshold, numbers at full precision.
pub fn sheet(thresholds: &[RareThreshold]) -> Sheet {
    let mut sheet = Sheet::new(
        "rare",
        "Rare thresholds, by subset simulation",
        &[
            "name",
            "threshold",
            "in words",
            "status",
            "probability",
            "ci95 low",
            "ci95 high",
            "cov",
            "cov (Au-Beck)",
            "evaluations",
            "plain MC paths for this precision",
            "gain",
            "plain MC probability",
        ],
    )
    .note(
        "Each probability is the mean of independent repetitions of subset simulation; the \
         95% interval comes from their spread in the probability and in its logarithm (see \
         README, \"Rare thresholds\").",
    );
    let number = |x: Option<f64>| x.map_or(Cell::Empty, Cell::Number);
    for t in thresholds {
        let e = &t.rare;
        let status = serde_json::to_value(e.status).expect("serialisable");
        sheet.row(vec![
            Cell::text(&t.name),
            Cell::text(&t.label),
            Cell::text(&t.in_words),
            Cell::text(status.as_str().unwrap_or_default()),
            number(e.probability),
            number(e.ci95.map(|c| c[0])),
            number(e.ci95.map(|c| c[1])),
            number(e.cov),
            number(e.formula_cov),
            Cell::Count(e.evaluations),
            number(e.plain_mc_paths),
            number(e.gain),
            number(t.plain.map(|p| p.probability)),
        ]);
    }
    sheet
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_as_words() {
        assert_eq!(count_in_words(4_000_000.0), "4 million");
        assert_eq!(count_in_words(4_240_000.0), "4.2 million");
        assert_eq!(count_in_words(338_512.0), "340,000");
        assert_eq!(count_in_words(2_700.4), "2,700");
        assert_eq!(count_in_words(1.5e12), "1.5 trillion");
        assert_eq!(count_in_words(9.9e8), "990 million");
        assert_eq!(count_in_words(1e16), "10^16");
        assert_eq!(count_in_words(3.4e17), "3.4 x 10^17");
        assert_eq!(odds(0.25), "25.0%");
        assert_eq!(odds(2.5e-7), "1 in 4 million");
    }
}
