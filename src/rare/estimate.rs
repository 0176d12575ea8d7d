//! Independent repetitions of subset simulation combined into one answer with an honest
//! interval, its cost, and its gain over plain Monte Carlo.
//!
//! The answer is the mean `p` of `R` independent repetitions' estimates. Its coefficient of
//! variation `c` comes from their spread, measured two ways, and the larger is kept: the
//! sample standard deviation over `p sqrt(R)`, and `sqrt((exp(v) - 1) / R)` from the sample
//! variance `v` of the estimates' logarithms (the coefficient of variation of a lognormal with
//! that log-variance). A repetition's estimate is a product of level fractions, skewed to the
//! right; on scenarios whose events hinge on discrete draws (shocks) it is heavy-tailed, and
//! ten repetitions that happen to miss the rare large ones give a spread in `p` that is too
//! small, while the spread of the logarithms is less sensitive to it.
//!
//! The 95% interval is the wider, at each end, of two intervals: the lognormal one with mean
//! `p` and coefficient of variation `c`, `s^2 = ln(1 + c^2)`, `p exp(-s^2 / 2 +- t s)`; and
//! Cox's interval for the mean of a lognormal, `exp(m + v/2 +- t sqrt(v/R + v^2/(2(R-1))))`
//! with `m` the mean of the logarithms; `t` is Student's 97.5% quantile on `R - 1` degrees
//! of freedom. Measured on bundled scenarios (BENCHMARKS.md, "Rare events"), the interval
//! from the spread in `p` alone covered the mean of 1,000 repetitions in 90 of 100 estimates
//! where it should cover 95; this one in 92 to 96. Au and Beck's own coefficient of
//! variation (their eq. 28-29, from the chains' correlations) is reported beside it as a
//! check: it ignores the correlation between levels and is too small on scenarios.
//!
//! The gain is the ratio of the plain Monte Carlo paths that reach the same relative error,
//! `(1 - p) / (p c^2)`, to the evaluations used.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

use super::subset::{End, Run, RunSize};

/// How much work an estimate does; valid by construction ([`Settings::new`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Settings {
    /// Samples per level in each repetition, `N`: a multiple of 10, at least 100.
    samples: usize,
    /// Independent repetitions, at least 2.
    repetitions: usize,
    /// Conditional levels at most: probabilities below about `0.1^max_levels` are reported as
    /// below that floor.
    max_levels: usize,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            samples: 1500,
            repetitions: 10,
            max_levels: 16,
        }
    }
}

/// Why settings cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("samples per level must be a multiple of 10 and at least 100 (got {0})")]
    Samples(usize),
    #[error("repetitions must be at least 2, so that their spread gives an interval (got {0})")]
    Repetitions(usize),
    #[error("levels must be between 1 and 300 (got {0})")]
    Levels(usize),
}

impl Settings {
    /// Settings with `samples` per level, `repetitions` and at most `max_levels` levels.
    pub fn new(
        samples: usize,
        repetitions: usize,
        max_levels: usize,
    ) -> Result<Settings, SettingsError> {
        if samples < 100 || samples % 10 != 0 {
            return Err(SettingsError::Samples(samples));
        }
        if repetitions < 2 {
            return Err(SettingsError::Repetitions(repetitions));
        }
        if !(1..=300).contains(&max_levels) {
            return Err(SettingsError::Levels(max_levels));
        }
        Ok(Settings {
            samples,
            repetitions,
            max_levels,
        })
    }

    /// Samples per level in each repetition.
    pub fn samples(&self) -> usize {
        self.samples
    }

    /// Independent repetitions.
    pub fn repetitions(&self) -> usize {
        self.repetitions
    }

    /// Conditional levels at most.
    pub fn max_levels(&self) -> usize {
        self.max_levels
    }

    pub(crate) fn run_size(&self) -> RunSize {
        RunSize {
            samples: self.samples,
            max_levels: self.max_levels,
        }
    }
}

/// What the repetitions found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every repetition reached the event: `probability` is the estimate.
    Estimated,
    /// Some repetition went through every level allowed without reaching the event:
    /// `probability` is the largest probability of a last level formed, which the event's is
    /// very likely below.
    BelowFloor,
    /// In some repetition most samples of a level shared one score short of the event, so no
    /// higher level could be formed (a score that is flat where the paths are): `probability`
    /// is that level's, an upper estimate.
    Stalled,
    /// No path can meet the event: shown from the scenario, not from samples.
    Impossible,
    /// Every path meets the event: shown from the scenario, not from samples.
    Certain,
    /// Interrupted before any repetition finished.
    Unfinished,
}

/// A rare-event probability with its uncertainty and cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    pub status: Status,
    /// The estimate (see [`Status`] for what it means when not `estimated`).
    pub probability: Option<f64>,
    /// 95% interval from the repetitions (`estimated` only).
    pub ci95: Option<[f64; 2]>,
    /// Coefficient of variation of `probability`, from the spread of the repetitions.
    pub cov: Option<f64>,
    /// The same from Au and Beck's formula, averaged over repetitions, as a check.
    pub formula_cov: Option<f64>,
    /// Repetitions completed.
    pub repetitions: usize,
    /// Samples per level in each repetition.
    pub samples_per_level: usize,
    /// Levels of the deepest repetition, level 0 included.
    pub levels: usize,
    /// Model evaluations, over all repetitions (an interrupted one included).
    pub evaluations: u64,
    /// Plain Monte Carlo paths needed for the same coefficient of variation.
    pub plain_mc_paths: Option<f64>,
    /// `plain_mc_paths / evaluations`.
    pub gain: Option<f64>,
    /// Whether the run was interrupted: the answer holds only the repetitions completed.
    pub partial: bool,
}

/// Student's two-sided 95% quantile with `df` degrees of freedom.
fn t95(df: usize) -> f64 {
    StudentsT::new(0.0, 1.0, df as f64)
        .expect("positive degrees of freedom")
        .inverse_cdf(0.975)
}

impl Estimate {
    /// The answer known without sampling: probability 0 ([`Status::Impossible`]) or 1
    /// ([`Status::Certain`]), from one evaluation.
    pub fn known(certain: bool, settings: &Settings) -> Estimate {
        let p = if certain { 1.0 } else { 0.0 };
        Estimate {
            status: if certain {
                Status::Certain
            } else {
                Status::Impossible
            },
            probability: Some(p),
            ci95: Some([p, p]),
            cov: None,
            formula_cov: None,
            repetitions: 0,
            samples_per_level: settings.samples,
            levels: 0,
            evaluations: 1,
            plain_mc_paths: None,
            gain: None,
            partial: false,
        }
    }

    /// Combines completed repetitions; `evaluations` counts every evaluation made.
    pub fn from_runs(
        runs: &[Run],
        settings: &Settings,
        evaluations: u64,
        partial: bool,
    ) -> Estimate {
        let levels = runs.iter().map(|r| r.levels.len()).max().unwrap_or(0);
        let mut estimate = Estimate {
            status: Status::Unfinished,
            probability: None,
            ci95: None,
            cov: None,
            formula_cov: None,
            repetitions: runs.len(),
            samples_per_level: settings.samples,
            levels,
            evaluations,
            plain_mc_paths: None,
            gain: None,
            partial,
        };
        if runs.is_empty() {
            return estimate;
        }
        let worst = |end: End| {
            runs.iter()
                .filter(|r| r.end == end)
                .map(|r| r.probability)
                .reduce(f64::max)
        };
        if let Some(p) = worst(End::Stalled) {
            estimate.status = Status::Stalled;
            estimate.probability = Some(p);
            return estimate;
        }
        if let Some(p) = worst(End::Floor) {
            estimate.status = Status::BelowFloor;
            estimate.probability = Some(p);
            return estimate;
        }
        let r = runs.len() as f64;
        let mean = runs.iter().map(|x| x.probability).sum::<f64>() / r;
        estimate.status = Status::Estimated;
        estimate.probability = Some(mean);
        estimate.formula_cov =
            Some((runs.iter().map(|x| x.formula_cov2).sum::<f64>() / r / r).sqrt());
        if runs.len() < 2 {
            return estimate;
        }
        let variance = runs
            .iter()
            .map(|x| (x.probability - mean).powi(2))
            .sum::<f64>()
            / (r - 1.0);
        let log_mean = runs.iter().map(|x| x.probability.ln()).sum::<f64>() / r;
        let log_variance = runs
            .iter()
            .map(|x| (x.probability.ln() - log_mean).powi(2))
            .sum::<f64>()
            / (r - 1.0);
        let cov = (variance.sqrt() / (mean * r.sqrt())).max((log_variance.exp_m1() / r).sqrt());
        estimate.cov = Some(cov);
        let t = t95(runs.len() - 1);
        let s2 = cov.mul_add(cov, 1.0).ln();
        let half = t * s2.sqrt();
        let v = log_variance;
        let cox_centre = log_mean + 0.5 * v;
        let cox_half = t * (v / r + v * v / (2.0 * (r - 1.0))).sqrt();
        estimate.ci95 = Some([
            (mean * (-0.5 * s2 - half).exp()).min((cox_centre - cox_half).exp()),
            (mean * (-0.5 * s2 + half).exp())
                .max((cox_centre + cox_half).exp())
                .min(1.0),
        ]);
        if cov > 0.0 {
            let plain = (1.0 - mean) / (mean * cov * cov);
            estimate.plain_mc_paths = Some(plain);
            estimate.gain = Some(plain / evaluations as f64);
        }
        estimate
    }
}
