//! Shards: splitting a run into disjoint slices that run anywhere, and merging them exactly.
//!
//! Shard `i` of `n` (counted from 0) covers chunks `floor(i C / n) .. floor((i + 1) C / n)` of
//! the run's `C` chunks. Chunk generators depend only on (seed, chunk), so the shards together
//! draw exactly the paths of a single run. A shard writes a [`Part`]: the simulator version,
//! the scenario (file name, fingerprint and canonical TOML), seed, paths, sampler, its index
//! and the run's shard count, and its [`Summary`]. Sums are kept as their exact partials and
//! histograms as integer counts, so [`merge`] rebuilds the very summary a single run makes, and
//! the report rendered from it is the same, byte for byte. Parts that do not belong together
//! (another scenario, seed, path count, sampler, shard count or simulator version), a shard
//! given twice and a missing shard are errors that name the files.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::engine::{CHUNK_PATHS, Plan};
use crate::report::Simulator;
use crate::sampler::Sampler;
use crate::scenario::{self, Scenario};
use crate::scenario_run::ScenarioSummary;
use crate::stats::Summary;

/// Identifies the part-file format; changes when its meaning does.
pub const PART_FORMAT: &str = "breakeven-part/1";

/// Shard `index` of `count`, counted from 0: `--shard 3/8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("expected I/N with 0 <= I < N (e.g. 0/4), got '{s}'");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = i.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// The slice of a run of `paths` paths with `seed` that this shard covers. Every shard
    /// must get at least one chunk of 1,024 paths.
    pub fn plan(self, seed: u64, paths: u64) -> Result<Plan, ShardError> {
        let chunks = paths.div_ceil(CHUNK_PATHS);
        if self.count > chunks {
            return Err(ShardError::TooManyShards {
                count: self.count,
                paths,
                chunks,
            });
        }
        let boundary =
            |i: u64| (u128::from(i) * u128::from(chunks) / u128::from(self.count)) as u64;
        let first_chunk = boundary(self.index);
        Ok(Plan {
            seed,
            paths,
            first_chunk,
            chunks: boundary(self.index + 1) - first_chunk,
        })
    }
}

/// The simulator that wrote a part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartSimulator {
    pub name: String,
    pub version: String,
}

/// The scenario a part belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartScenario {
    /// The file the shard read, as given on its command line (reports show it).
    pub file: String,
    /// See `Scenario::fingerprint`.
    pub fingerprint: String,
    /// The scenario after overrides, as canonical TOML: merging rebuilds it from this.
    pub document: String,
}

/// What one shard writes: its slice of a run, mergeable with the others.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    /// Always [`PART_FORMAT`].
    pub format: String,
    pub simulator: PartSimulator,
    pub scenario: PartScenario,
    pub seed: u64,
    /// Paths in the whole run (all shards).
    pub paths: u64,
    pub sampler: Sampler,
    pub shard: Shard,
    /// The chunks this shard ran: `first_chunk .. first_chunk + chunks`.
    pub first_chunk: u64,
    pub chunks: u64,
    /// The shard's accumulators.
    pub summary: Summary,
}

impl Part {
    /// The part for a completed shard run.
    pub fn new(
        scenario: &Scenario,
        sampler: Sampler,
        shard: Shard,
        plan: &Plan,
        summary: &ScenarioSummary,
    ) -> Part {
        Part {
            format: PART_FORMAT.to_string(),
            simulator: PartSimulator {
                name: Simulator::CURRENT.name.to_string(),
                version: Simulator::CURRENT.version.to_string(),
            },
            scenario: PartScenario {
                file: scenario.origin.clone(),
                fingerprint: scenario.fingerprint(),
                document: scenario.canonical_toml(),
            },
            seed: plan.seed,
            paths: plan.paths,
            sampler,
            shard,
            first_chunk: plan.first_chunk,
            chunks: plan.chunks,
            summary: summary.stats().clone(),
        }
    }

    /// The part as JSON. Floats are written with the shortest text that reads back to the
    /// same bits, and read back exactly (serde_json's `float_roundtrip`).
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string(self).expect("a part serialises");
        text.push('\n');
        text
    }

    /// Reads a part file.
    pub fn read(path: &Path) -> Result<Part, ShardError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ShardError::Unreadable {
            file: file.clone(),
            reason: e.to_string(),
        })?;
        let part: Part = serde_json::from_str(&text).map_err(|e| ShardError::Unreadable {
            file: file.clone(),
            reason: format!("not a part file: {e}"),
        })?;
        if part.format != PART_FORMAT {
            return Err(ShardError::Unreadable {
                file,
                reason: format!(
                    "part format '{}', this simulator reads '{PART_FORMAT}'",
                    part.format
                ),
            });
        }
        Ok(part)
    }
}

/// Why parts cannot be merged.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ShardError {
    #[error(
        "{count} shards for {paths} paths: each shard needs at least one chunk of 1024 paths, and \
         this run has {chunks}"
    )]
    TooManyShards { count: u64, paths: u64, chunks: u64 },
    #[error("{file}: {reason}")]
    Unreadable { file: String, reason: String },
    #[error("no part files to merge")]
    NoParts,
    #[error("{file}: {what} is {theirs}, but {first} has {ours}; parts must come from one run")]
    Mismatch {
        file: String,
        first: String,
        what: &'static str,
        theirs: String,
        ours: String,
    },
    #[error("{file}: written by {name} {theirs}; this is {ours}, merge with the same version")]
    Version {
        file: String,
        name: String,
        theirs: String,
        ours: String,
    },
    #[error("{file} and {other} are both shard {shard}")]
    Duplicate {
        file: String,
        other: String,
        shard: Shard,
    },
    #[error("shard{} {} of {count} missing", if .missing.len() > 1 { "s" } else { "" }, .missing.iter().map(u64::to_string).collect::<Vec<_>>().join(", "))]
    Missing { missing: Vec<u64>, count: u64 },
    #[error("{file}: {reason}")]
    Inconsistent { file: String, reason: String },
}

/// A merged run: the scenario rebuilt from the parts and the run's whole summary.
#[derive(Debug, Clone)]
pub struct Merged {
    pub scenario: Scenario,
    pub summary: ScenarioSummary,
    pub seed: u64,
    pub paths: u64,
    pub sampler: Sampler,
}

/// Checks that `parts` (with the files they came from) are all the shards of one run, and
/// merges them.
pub fn merge(parts: &[(String, Part)]) -> Result<Merged, ShardError> {
    let Some((first_file, first)) = parts.first() else {
        return Err(ShardError::NoParts);
    };
    let mut seen: Vec<Option<&str>> = vec![None; first.shard.count as usize];
    for (file, part) in parts {
        if part.simulator.version != Simulator::CURRENT.version
            || part.simulator.name != Simulator::CURRENT.name
        {
            return Err(ShardError::Version {
                file: file.clone(),
                name: part.simulator.name.clone(),
                theirs: part.simulator.version.clone(),
                ours: format!("{} {}", Simulator::CURRENT.name, Simulator::CURRENT.version),
            });
        }
        let mismatch = |what: &'static str, theirs: String, ours: String| {
            Err(ShardError::Mismatch {
                file: file.clone(),
                first: first_file.clone(),
                what,
                theirs,
                ours,
            })
        };
        if part.scenario.fingerprint != first.scenario.fingerprint {
            return mismatch(
                "the scenario fingerprint",
                part.scenario.fingerprint.clone(),
                first.scenario.fingerprint.clone(),
            );
        }
        if part.scenario.file != first.scenario.file {
            return mismatch(
                "the scenario file",
                part.scenario.file.clone(),
                first.scenario.file.clone(),
            );
        }
        if part.seed != first.seed {
            return mismatch("the seed", part.seed.to_string(), first.seed.to_string());
        }
        if part.paths != first.paths {
            return mismatch("paths", part.paths.to_string(), first.paths.to_string());
        }
        if part.sampler != first.sampler {
            return mismatch(
                "the sampler",
                part.sampler.name().into(),
                first.sampler.name().into(),
            );
        }
        if part.shard.count != first.shard.count {
            return mismatch(
                "the shard count",
                part.shard.count.to_string(),
                first.shard.count.to_string(),
            );
        }
        let slot = &mut seen[part.shard.index as usize];
        if let Some(other) = slot {
            return Err(ShardError::Duplicate {
                file: file.clone(),
                other: other.to_string(),
                shard: part.shard,
            });
        }
        *slot = Some(file);
    }
    let missing: Vec<u64> = (0..first.shard.count)
        .filter(|&i| seen[i as usize].is_none())
        .collect();
    if !missing.is_empty() {
        return Err(ShardError::Missing {
            missing,
            count: first.shard.count,
        });
    }

    let scenario =
        scenario::parse(&first.scenario.document, &first.scenario.file, &[]).map_err(|e| {
            ShardError::Inconsistent {
                file: first_file.clone(),
                reason: format!("its scenario does not compile: {e}"),
            }
        })?;
    if scenario.fingerprint() != first.scenario.fingerprint {
        return Err(ShardError::Inconsistent {
            file: first_file.clone(),
            reason: "its scenario does not match its fingerprint".into(),
        });
    }
    let mut summary = ScenarioSummary::empty(&scenario);
    for (file, part) in parts {
        let plan = part.shard.plan(part.seed, part.paths)?;
        let expected = plan.covered_paths();
        let wrong = if (part.first_chunk, part.chunks) != (plan.first_chunk, plan.chunks) {
            Some(format!(
                "covers chunks {}..{}, but shard {} is chunks {}..{}",
                part.first_chunk,
                part.first_chunk + part.chunks,
                part.shard,
                plan.first_chunk,
                plan.first_chunk + plan.chunks
            ))
        } else if !part.summary.same_layout(summary.stats()) {
            Some("its accumulators do not fit the scenario".into())
        } else if part.summary.paths != expected {
            Some(format!(
                "holds {} paths, but shard {} has {expected} (an interrupted run?)",
                part.summary.paths, part.shard
            ))
        } else {
            None
        };
        if let Some(reason) = wrong {
            return Err(ShardError::Inconsistent {
                file: file.clone(),
                reason,
            });
        }
        let part_summary = ScenarioSummary::from_stats(&scenario, part.summary.clone())
            .expect("the layout was checked");
        summary.merge(&part_summary);
    }
    Ok(Merged {
        scenario,
        summary,
        seed: first.seed,
        paths: first.paths,
        sampler: first.sampler,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_reject_bad_indices() {
        assert_eq!("2/5".parse::<Shard>(), Ok(Shard { index: 2, count: 5 }));
        for bad in ["5/5", "1/0", "-1/3", "a/b", "3"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn shard_plans_tile_the_chunks_in_order() {
        let paths = 10 * CHUNK_PATHS + 17;
        let mut next = 0;
        let mut covered = 0;
        for index in 0..4 {
            let plan = Shard { index, count: 4 }.plan(1, paths).unwrap();
            assert_eq!(plan.first_chunk, next);
            assert!(plan.chunks >= 2);
            next += plan.chunks;
            covered += plan.covered_paths();
        }
        assert_eq!(next, 11);
        assert_eq!(covered, paths);
        assert!(matches!(
            Shard {
                index: 0,
                count: 12
            }
            .plan(1, paths),
            Err(ShardError::TooManyShards { .. })
        ));
    }
}
