//! Reproducing a run from its own JSON report.
//!
//! A JSON report carries everything its numbers depend on: the simulator's version, the
//! scenario after `--set` overrides as canonical TOML (`scenario.document`), the file name it
//! was read from, the seed, the paths asked for, the sampler and the waterfall's year. [`read`] rebuilds the
//! scenario and the plan from it; the same version then reproduces the same JSON byte for
//! byte. A report from another version is refused unless the caller accepts that its numbers
//! may differ.

use serde::Deserialize;

use crate::report::Simulator;
use crate::sampler::Sampler;
use crate::scenario::{self, Scenario, ScenarioError};

/// The fields of a JSON report that a replay needs.
#[derive(Deserialize)]
struct Recorded {
    simulator: RecordedSimulator,
    scenario: RecordedScenario,
    seed: u64,
    paths_requested: u64,
    sampler: String,
    /// Present when the run estimated rare thresholds (`--rare`).
    #[serde(default)]
    rare: Option<serde::de::IgnoredAny>,
    /// Present when the run drew its median path's waterfall.
    #[serde(default)]
    waterfall: Option<RecordedWaterfall>,
}

#[derive(Deserialize)]
struct RecordedWaterfall {
    year: i32,
}

#[derive(Deserialize)]
struct RecordedSimulator {
    name: String,
    version: String,
}

#[derive(Deserialize)]
struct RecordedScenario {
    file: String,
    document: String,
}

/// A run rebuilt from a report.
#[derive(Debug, Clone)]
pub struct Replay {
    /// The scenario exactly as the recorded run used it, named as it was.
    pub scenario: Scenario,
    pub seed: u64,
    /// The paths the recorded run asked for (a partial run is replayed in full).
    pub paths: u64,
    /// How the recorded run drew its inputs.
    pub sampler: Sampler,
    /// Whether it estimated its rare thresholds by subset simulation (`--rare`).
    pub rare: bool,
    /// The year of its median path's waterfall, if it had one.
    pub waterfall_year: Option<i32>,
    /// The version that made the report.
    pub recorded_version: String,
}

/// Why a report cannot be replayed.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("{origin}: not a JSON report of {name}: {reason}", name = Simulator::CURRENT.name)]
    NotAReport { origin: String, reason: String },
    #[error(
        "{origin}: made by {name} {recorded}, this is {current}; a different version may give \
         different numbers (run that version, or pass --any-version to rerun anyway)",
        name = Simulator::CURRENT.name,
        current = Simulator::CURRENT.version
    )]
    Version { origin: String, recorded: String },
    #[error("{origin}: sampler '{sampler}' is not known to this version (it knows mc, lhs, sobol)")]
    Sampler { origin: String, sampler: String },
    #[error("{origin}: scenario.document does not compile: {error}")]
    Scenario {
        origin: String,
        error: ScenarioError,
    },
}

/// Rebuilds the run recorded in the JSON report `text`; `origin` names the report in errors.
/// With `any_version`, a report made by another version is accepted.
pub fn read(text: &str, origin: &str, any_version: bool) -> Result<Replay, ReplayError> {
    let origin = origin.to_string();
    let recorded: Recorded = serde_json::from_str(text).map_err(|e| ReplayError::NotAReport {
        origin: origin.clone(),
        reason: e.to_string(),
    })?;
    if recorded.simulator.name != Simulator::CURRENT.name {
        return Err(ReplayError::NotAReport {
            origin,
            reason: format!("it was made by '{}'", recorded.simulator.name),
        });
    }
    if recorded.simulator.version != Simulator::CURRENT.version && !any_version {
        return Err(ReplayError::Version {
            origin,
            recorded: recorded.simulator.version,
        });
    }
    let sampler = match recorded.sampler.as_str() {
        "mc" => Sampler::Mc,
        "lhs" => Sampler::Lhs,
        "sobol" => Sampler::Sobol,
        _ => {
            return Err(ReplayError::Sampler {
                origin,
                sampler: recorded.sampler,
            });
        }
    };
    let scenario = scenario::parse(&recorded.scenario.document, &recorded.scenario.file, &[])
        .map_err(|error| ReplayError::Scenario {
            origin: origin.clone(),
            error,
        })?;
    Ok(Replay {
        scenario,
        seed: recorded.seed,
        paths: recorded.paths_requested,
        sampler,
        rare: recorded.rare.is_some(),
        waterfall_year: recorded.waterfall.map(|w| w.year),
        recorded_version: recorded.simulator.version,
    })
}
