//! Analyses made of many runs of one scenario: sweeps ([`sweep`]), goal seek ([`solve`]),
//! sensitivity ([`sensitivity`]) and calibration against the sources' figures ([`calibrate`]).
//!
//! An analysis starts from a [`Base`]: the scenario's text and its `--set` overrides. A
//! [`Parameter`] is any key path `--set` accepts that holds a number or a distribution; a value
//! is applied as one more override and the scenario recompiled, so every value is validated
//! exactly as the file is. Every run of an analysis uses the same plan (seed and paths): each
//! path has the same key at every parameter value and each input draws from its own stream
//! (see [`crate::simulation`]), so the runs share common random numbers and the differences
//! between them come from the parameter, not from sampling noise.

pub mod calibrate;
pub mod compare;
pub mod sensitivity;
pub mod solve;
pub mod sweep;
pub mod waterfall;

use toml::Value;

use crate::engine::{Plan, Progress};
use crate::scenario::overrides::{key_paths, nearest_keys};
use crate::scenario::{self, Override, Scenario, ScenarioError};
pub use crate::scenario_run::Event;
use crate::scenario_run::{self as any, ScenarioSummary};
use crate::simulation::{RunError, RunOptions};
pub use crate::summary::EventInfo;
use crate::summary::UnknownEvent;

/// Why an analysis cannot run. Every variant is a problem with the input (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error(transparent)]
    Run(#[from] RunError),
    #[error("{origin}: --param {key}: no such key in the scenario{}", suggest(.suggestions))]
    UnknownParameter {
        origin: String,
        key: String,
        suggestions: Vec<String>,
    },
    #[error(
        "{origin}: --param {key}: holds {found}, not a number; a parameter must hold a number or a distribution"
    )]
    NotNumeric {
        origin: String,
        key: String,
        found: String,
    },
    #[error("{origin}: --param {key}: holds a whole number, so {value} cannot be tried")]
    NotWhole {
        origin: String,
        key: String,
        value: f64,
    },
    #[error("--param {key}={text}: {problem}")]
    Range {
        key: String,
        text: String,
        problem: sweep::RangeError,
    },
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    UnknownEvent(#[from] UnknownEvent),
    #[error("{file}{}: {key}: {message}", .line.map(|l| format!(":{l}")).unwrap_or_default())]
    Figures {
        file: String,
        line: Option<usize>,
        key: String,
        message: String,
    },
}

fn suggest(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!("; nearest valid keys: {}", suggestions.join(", "))
    }
}

/// A scenario's text and the overrides from the command line, from which an analysis compiles
/// the scenario again for every parameter value it tries.
#[derive(Debug, Clone)]
pub struct Base {
    text: String,
    origin: String,
    overrides: Vec<Override>,
    scenario: Scenario,
}

impl Base {
    /// Compiles `text` (read from `origin`) with `overrides`.
    pub fn new(
        text: String,
        origin: &str,
        overrides: Vec<Override>,
    ) -> Result<Base, ScenarioError> {
        let scenario = scenario::parse(&text, origin, &overrides)?;
        Ok(Base {
            text,
            origin: origin.to_string(),
            overrides,
            scenario,
        })
    }

    /// The scenario with the command line's overrides only.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The scenario with each parameter also set to its value.
    pub fn with(&self, settings: &[(&Parameter, f64)]) -> Result<Scenario, ScenarioError> {
        let mut overrides = self.overrides.clone();
        overrides.extend(settings.iter().map(|(p, x)| p.set(*x)));
        scenario::parse(&self.text, &self.origin, &overrides)
    }
}

/// A key path an analysis varies: an input (`capex.partner_share`, whose distribution a value
/// replaces), or a number in the file such as one parameter of a distribution
/// (`capex.partner_share.mode`) or a threshold's value.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    pub key: String,
    /// Whether the file holds a whole number (a TOML integer) there.
    whole: bool,
    /// The input this key is, or is a parameter of.
    input: Option<usize>,
}

impl Parameter {
    /// Checks that `key` names a number or an input of `scenario`.
    pub fn new(key: &str, scenario: &Scenario) -> Result<Parameter, AnalysisError> {
        let input = scenario.input_index(key);
        let parent_input = key
            .rsplit_once('.')
            .and_then(|(parent, _)| scenario.input_index(parent));
        let not_numeric = |found: String| AnalysisError::NotNumeric {
            origin: scenario.origin.clone(),
            key: key.to_string(),
            found,
        };
        let whole = match lookup(&scenario.document, key) {
            Some(Value::Integer(_)) => true,
            Some(Value::Float(_)) => false,
            Some(Value::Table(_)) if input.is_some() => false,
            Some(Value::Table(t)) => {
                let inner: Vec<String> = t.keys().map(|k| format!("{key}.{k}")).collect();
                return Err(not_numeric(format!(
                    "a table (of {})",
                    inner.into_iter().take(4).collect::<Vec<_>>().join(", ")
                )));
            }
            Some(other) => return Err(not_numeric(format!("a {}", other.type_str()))),
            // An omitted input with a default: setting it adds the key.
            None if input.is_some() => false,
            None => {
                let mut known = key_paths(&scenario.document);
                known.extend(scenario.inputs.iter().map(|i| i.key.clone()));
                known.sort();
                known.dedup();
                return Err(AnalysisError::UnknownParameter {
                    origin: scenario.origin.clone(),
                    key: key.to_string(),
                    suggestions: nearest_keys(key, &known),
                });
            }
        };
        Ok(Parameter {
            key: key.to_string(),
            whole,
            input: input.or(parent_input),
        })
    }

    /// The index of the input this key is, or is a parameter of.
    pub fn input(&self) -> Option<usize> {
        self.input
    }

    /// Whether the file holds a whole number at this key.
    pub fn is_whole(&self) -> bool {
        self.whole
    }

    /// Checks that `value` can be written at this key.
    pub fn check(&self, origin: &str, value: f64) -> Result<(), AnalysisError> {
        if self.whole && value.fract() != 0.0 {
            return Err(AnalysisError::NotWhole {
                origin: origin.to_string(),
                key: self.key.clone(),
                value,
            });
        }
        Ok(())
    }

    /// The override that sets this key to `value`.
    pub fn set(&self, value: f64) -> Override {
        let text = if self.whole && value.fract() == 0.0 && value.abs() < 9.0e15 {
            format!("{}", value as i64)
        } else {
            // Debug formatting round-trips and is valid TOML (`0.3`, `5.0`, `1e20`).
            format!("{value:?}")
        };
        Override {
            key: self.key.clone(),
            value: text,
        }
    }
}

/// The value at a dotted key path of a TOML table.
fn lookup<'a>(table: &'a toml::Table, key: &str) -> Option<&'a Value> {
    let mut segments = key.split('.');
    let mut value = table.get(segments.next()?)?;
    for segment in segments {
        value = value.as_table()?.get(segment)?;
    }
    Some(value)
}

/// Passes a run's progress on to the analysis's observer, which was told the analysis's total
/// once at the start.
struct Forward<'a>(&'a dyn Progress);

impl Progress for Forward<'_> {
    fn advance(&self, paths: u64) {
        self.0.advance(paths);
    }
}

/// `run` of each of `items`, side by side on the current rayon pool, in order; or the first
/// error in order, so that the outcome does not depend on the threads. Each run is itself
/// parallel over its chunks, but has a serial start and end (compiling, merging, reading its
/// summary) in which the other core would idle if the runs went one after another.
fn side_by_side<T: Sync, R: Send, E: Send>(
    items: &[T],
    run: impl Fn(&T) -> Result<R, E> + Sync + Send,
) -> Result<Vec<R>, E> {
    use rayon::prelude::*;
    let results: Vec<Result<R, E>> = items.par_iter().map(run).collect();
    results.into_iter().collect()
}

/// Runs `plan` for `scenario`, reporting progress to the analysis's observer.
fn summarise(
    scenario: &Scenario,
    plan: &Plan,
    progress: &dyn Progress,
) -> Result<ScenarioSummary, RunError> {
    let forward = Forward(progress);
    let options = RunOptions::new(*plan).progress(&forward);
    Ok(any::run(scenario, &options)?.summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"
        [scenario]
        name = "t"
        start_year = 2025
        horizon = 2027
        [capex]
        total = 1e9
        years = 2
        gpu_life_years = 2.5
        partner_share = { dist = "pert", min = 0.3, mode = 0.5, max = 0.6 }
        [streams.api]
        revenue = 1e9
        growth = 0.5
        [thresholds.big]
        metric = "revenue"
        year = 2027
        op = ">="
        value = 2e9
    "#;

    fn base() -> Base {
        Base::new(TEXT.to_string(), "t.toml", vec![]).unwrap()
    }

    #[test]
    fn parameters_are_inputs_or_numbers_in_the_file() {
        let b = base();
        let s = b.scenario();
        let share = Parameter::new("capex.partner_share", s).unwrap();
        assert_eq!(share.input(), s.input_index("capex.partner_share"));
        let mode = Parameter::new("capex.partner_share.mode", s).unwrap();
        assert_eq!(mode.input(), share.input());
        let years = Parameter::new("capex.years", s).unwrap();
        assert!(years.is_whole());
        assert_eq!(years.set(3.0).value, "3");
        assert!(years.check("t.toml", 2.5).is_err());
        // An omitted input with a default can be set.
        assert!(Parameter::new("capex.ops_share", s).is_ok());
        assert_eq!(share.set(0.3).value, "0.3");
        let compiled = b.with(&[(&share, 0.25)]).unwrap();
        let i = compiled.input_index("capex.partner_share").unwrap();
        assert_eq!(compiled.inputs[i].dist.quantile(0.5), 0.25);
    }

    #[test]
    fn unknown_and_non_numeric_keys_are_refused() {
        let b = base();
        let s = b.scenario();
        let err = Parameter::new("capex.partner_shar", s).unwrap_err();
        assert!(err.to_string().contains("capex.partner_share"), "{err}");
        let err = Parameter::new("scenario.name", s).unwrap_err();
        assert!(err.to_string().contains("a string, not a number"), "{err}");
        let err = Parameter::new("capex", s).unwrap_err();
        assert!(err.to_string().contains("a table"), "{err}");
        let err = Parameter::new("capex.partner_share.dist", s).unwrap_err();
        assert!(matches!(err, AnalysisError::NotNumeric { .. }), "{err}");
    }

    #[test]
    fn events_are_found_by_name() {
        let b = base();
        let s = b.scenario();
        use crate::summary::Event as Firm;
        assert_eq!(
            Event::named("big", s).unwrap(),
            Event::Firm(Firm::Threshold(0))
        );
        assert_eq!(
            Event::named("break_even", s).unwrap(),
            Event::Firm(Firm::BreakEven)
        );
        assert_eq!(
            Event::named("payback", s).unwrap(),
            Event::Firm(Firm::Payback)
        );
        let err = Event::named("bigg", s).unwrap_err();
        assert!(err.to_string().contains("did you mean big"), "{err}");
    }
}
