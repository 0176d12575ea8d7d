//! One run as a front end asks for it: a scenario's text and the name it was read from, its
//! `--set` overrides, and optional paths, seed and sampler, defaulted as `simulate FILE`
//! defaults them, run to its [`Report`]. The command line, the web server and the Python
//! package all run through here, so the same arguments give the same bytes everywhere.

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use crate::analysis::waterfall;
use crate::engine::{NoProgress, Plan, Progress};
use crate::report::{Report, RunFacts};
use crate::sampler::{Sampler, SamplerError};
use crate::scenario::{self, Override, Scenario, ScenarioError};
use crate::simulation::{self, PathError, RunError, RunOptions};

/// Paths when neither the request nor the scenario says: the 95% interval of any probability
/// is then at most ±0.31 percentage points.
pub const DEFAULT_PATHS: u64 = 100_000;
/// Seed when neither the request nor the scenario says.
pub const DEFAULT_SEED: u64 = 20_251_123;

/// What to run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRequest {
    /// `--set` overrides, applied in order before validation.
    pub overrides: Vec<Override>,
    /// `None`: the scenario's `[run] paths`, else [`DEFAULT_PATHS`].
    pub paths: Option<u64>,
    /// `None`: the scenario's `[run] seed`, else [`DEFAULT_SEED`].
    pub seed: Option<u64>,
    pub sampler: Sampler,
}

/// Refuses a network scenario (a file with `[entities]`): a run here gives a single firm's
/// [`Report`], and would otherwise report the network's first entity alone. Networks run with
/// `simulate FILE` and its analyses.
pub fn single_firm(scenario: &Scenario) -> Result<(), ScenarioError> {
    match scenario.network {
        None => Ok(()),
        Some(_) => Err(ScenarioError {
            origin: scenario.origin.clone(),
            line: None,
            key: Some("entities".into()),
            message: "a network scenario (a file with [entities]) runs with `simulate FILE`; \
                      this front end reports single firms"
                .into(),
        }),
    }
}

/// Why a requested run did not give a report.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunRequestError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The command line names the flag: `--sampler sobol: ...`.
    #[error("--sampler {}: {error}", .sampler.name())]
    Sampler {
        sampler: Sampler,
        error: SamplerError,
    },
    #[error(transparent)]
    Path(#[from] PathError),
}

/// A finished run: the scenario as compiled with the overrides, and its report (marked
/// partial when the run was cancelled).
#[derive(Debug, Clone)]
pub struct RunDone {
    pub scenario: Scenario,
    pub report: Report,
}

impl RunRequest {
    /// A request for the scenario as it is, with every default.
    pub fn new() -> RunRequest {
        RunRequest {
            overrides: Vec::new(),
            paths: None,
            seed: None,
            sampler: Sampler::Mc,
        }
    }

    /// The scenario `text` (read from `origin`) with the overrides.
    pub fn compile(&self, text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
        scenario::parse(text, origin, &self.overrides)
    }

    /// The paths and seed for `scenario`, with the defaults filled in.
    pub fn paths_and_seed(&self, scenario: &Scenario) -> (u64, u64) {
        (
            self.paths
                .or(scenario.defaults.paths)
                .unwrap_or(DEFAULT_PATHS),
            self.seed.or(scenario.defaults.seed).unwrap_or(DEFAULT_SEED),
        )
    }

    /// The command line that runs this request on the file `origin`.
    pub fn command(&self, origin: &str) -> String {
        let mut words = vec!["simulate".to_string(), quote(origin)];
        for o in &self.overrides {
            words.push("--set".to_string());
            words.push(quote(&o.to_string()));
        }
        if let Some(p) = self.paths {
            words.push(format!("--paths {p}"));
        }
        if let Some(s) = self.seed {
            words.push(format!("--seed {s}"));
        }
        if self.sampler != Sampler::Mc {
            words.push(format!("--sampler {}", self.sampler.name()));
        }
        words.join(" ")
    }

    /// Compiles and runs on the current rayon pool; `cancel` stops it at the next path.
    pub fn run(
        &self,
        text: &str,
        origin: &str,
        progress: &dyn Progress,
        cancel: &AtomicBool,
    ) -> Result<RunDone, RunRequestError> {
        let scenario = self.compile(text, origin)?;
        let report = self.run_compiled(&scenario, progress, cancel)?;
        Ok(RunDone { scenario, report })
    }

    /// Runs an already compiled scenario (this request's overrides already applied); a network
    /// file is refused (see [`single_firm`]).
    pub fn run_compiled(
        &self,
        scenario: &Scenario,
        progress: &dyn Progress,
        cancel: &AtomicBool,
    ) -> Result<Report, RunRequestError> {
        single_firm(scenario)?;
        let (paths, seed) = self.paths_and_seed(scenario);
        // The median path's waterfall in the default year, as `simulate FILE` gives it.
        let year = waterfall::default_year(scenario);
        let y = waterfall::year_index(scenario, year).expect("the default year is covered");
        let options = RunOptions::new(Plan::whole(seed, paths))
            .sampler(self.sampler)
            .progress(progress)
            .cancel(cancel)
            .keep(waterfall::ranking(y));
        let started = Instant::now();
        let error = |e| match e {
            RunError::Sampler(error) => RunRequestError::Sampler {
                sampler: self.sampler,
                error,
            },
            RunError::Path(e) => RunRequestError::Path(e),
        };
        let outcome = simulation::run(scenario, &options).map_err(error)?;
        let waterfall = if outcome.cancelled {
            None
        } else {
            let quiet = RunOptions {
                progress: &NoProgress,
                ..options
            };
            waterfall::median_path_of_run(scenario, &quiet, &outcome.summary, y).map_err(error)?
        };
        let facts = RunFacts {
            threads: rayon::current_num_threads(),
            elapsed: started.elapsed(),
        };
        Ok(Report::new(scenario, &outcome.summary, seed, paths, facts)
            .with_sampler(self.sampler)
            .with_waterfall(waterfall))
    }
}

impl Default for RunRequest {
    fn default() -> RunRequest {
        RunRequest::new()
    }
}

/// A word as a POSIX shell reads it back: bare when it is plain, else in single quotes.
fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_quotes_what_the_shell_would_split() {
        let request = RunRequest {
            overrides: vec![
                "capex.partner_share=0.3".parse().unwrap(),
                r#"capex.total={ dist = "uniform", min = 1e12, max = 2e12 }"#
                    .parse()
                    .unwrap(),
            ],
            paths: Some(20_000),
            seed: None,
            sampler: Sampler::Lhs,
        };
        assert_eq!(
            request.command("scenarios/openai.toml"),
            "simulate scenarios/openai.toml --set capex.partner_share=0.3 --set \
             'capex.total={ dist = \"uniform\", min = 1e12, max = 2e12 }' --paths 20000 \
             --sampler lhs"
        );
        assert_eq!(quote("it's"), r"'it'\''s'");
    }
}
