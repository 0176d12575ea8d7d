//! Scenario files: reading, overriding, validating and compiling them.
//!
//! Loading happens in two stages. The text is parsed into a TOML document, `--set` overrides
//! edit that document, and serde turns it into the [`raw`] types, which mirror the file and
//! check only syntax and types. [`compile`](self::compile) then validates meaning and builds
//! the [`Scenario`]: ready-to-sample distributions for every input and a [`Model`] that refers
//! to them by index. Only the compiled form reaches the engine. Every error names the file,
//! the line where there is one, and the key path.

mod compile;
pub mod location;
mod network;
pub mod overrides;
pub mod raw;
pub mod schema;
pub mod template;

use std::fmt;
use std::path::Path;

use crate::correlation::Correlations;
use crate::dist::Dist;
use crate::model::Model;
use crate::network::Network;
use crate::threshold::Threshold;

pub use overrides::Override;

/// One input of the scenario: a key path, its distribution and where its numbers come from.
#[derive(Debug, Clone)]
pub struct Input {
    /// The key path in the file, e.g. `capex.partner_share`.
    pub key: String,
    pub dist: Dist,
    /// The `source` given in the file, or `"default"` for an omitted input with a default.
    pub source: Option<String>,
    /// Salt of the input's own random stream, from its key (see `model::stream_salt`).
    pub salt: u64,
}

/// Run settings a scenario may carry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunDefaults {
    pub paths: Option<u64>,
    pub seed: Option<u64>,
}

/// A validated, compiled scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    /// What it models (e.g. `openai`), naming the figures it is calibrated against.
    pub subject: Option<String>,
    /// Where it was read from (a file name or `-`).
    pub origin: String,
    pub start_year: i32,
    pub horizon: i32,
    /// Every input, in file order; a path draws one value for each.
    pub inputs: Vec<Input>,
    pub model: Model,
    pub thresholds: Vec<Threshold>,
    /// The entities and flows of a file with `[entities]`; `None` for a single firm. For a
    /// network, `model` is its first entity and `thresholds` is empty: a network run
    /// evaluates the network (see [`crate::network`]).
    pub network: Option<Network>,
    /// Rank correlations between inputs.
    pub correlations: Correlations,
    pub defaults: RunDefaults,
    /// The document after overrides, from which the scenario can be rebuilt.
    pub document: toml::Table,
}

impl Scenario {
    /// The calendar year of a year index.
    pub fn year(&self, index: usize) -> i32 {
        self.start_year + index as i32
    }

    /// Number of simulated years.
    pub fn years(&self) -> usize {
        self.model.years
    }

    /// The scenario after overrides as canonical TOML: comments and layout dropped, keys in
    /// file order. Compiling it gives this scenario again.
    pub fn canonical_toml(&self) -> String {
        toml::to_string(&self.document).expect("a parsed TOML table serialises")
    }

    /// A short hash (the first 16 hex digits of SHA-256) of [`Scenario::canonical_toml`]: equal
    /// fingerprints mean the same inputs, whatever the file's comments or layout.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(self.canonical_toml().as_bytes());
        digest[..8].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Every `source` the scenario gives: its inputs', thresholds' and correlations'.
    pub fn sources(&self) -> impl Iterator<Item = &str> {
        let inputs = self.inputs.iter().filter_map(|i| i.source.as_deref());
        let thresholds = self.thresholds.iter().filter_map(|t| t.source.as_deref());
        let pairs = self
            .correlations
            .pairs
            .iter()
            .filter_map(|p| p.source.as_deref());
        inputs.chain(thresholds).chain(pairs)
    }

    /// The seed articles its sources cite, each once, with their citations.
    pub fn citations(&self) -> Vec<&'static crate::seeds::Seed> {
        crate::seeds::citations(self.sources())
    }

    /// The index of the input with this key path.
    pub fn input_index(&self, key: &str) -> Option<usize> {
        self.inputs.iter().position(|i| i.key == key)
    }
}

/// A scenario that cannot be used, and where the problem is.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioError {
    /// The file name (or `-` for standard input).
    pub origin: String,
    /// The 1-based line, where the problem is on one.
    pub line: Option<usize>,
    /// The key path, where the problem is at one.
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.origin)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ": {key}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ScenarioError {}

/// Reads and compiles a scenario file, applying `overrides` first.
pub fn load(path: &Path, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ScenarioError {
        origin: origin.clone(),
        line: None,
        key: None,
        message: format!("cannot read the scenario: {e}"),
    })?;
    parse(&text, &origin, overrides)
}

/// Compiles scenario text; `origin` names it in errors.
pub fn parse(text: &str, origin: &str, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    let error = |line: Option<usize>, key: Option<String>, message: String| ScenarioError {
        origin: origin.to_string(),
        line,
        key,
        message,
    };
    let mut document: toml::Table = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| location::line_of(text, s.start));
        // Name the key being written on that line; failing that, quote the offending text.
        let key = line.and_then(|l| location::key_at_line(text, l));
        let quoted = e
            .span()
            .and_then(|s| text.get(s))
            .map(str::trim)
            .filter(|s| key.is_none() && !s.is_empty() && s.len() <= 40 && !s.contains('\n'))
            .map(|s| format!(" at `{s}`"))
            .unwrap_or_default();
        error(
            line,
            key,
            format!("invalid TOML: {}{quoted}", e.message().trim()),
        )
    })?;
    for o in overrides {
        overrides::apply(&mut document, o)
            .map_err(|e| error(None, Some(o.key.clone()), format!("--set {o}: {e}")))?;
    }
    // Keys that came from the command line are reported as such rather than by line.
    let locate = |key: &str| -> (Option<usize>, String) {
        let from_set = overrides.iter().find(|o| {
            key == o.key
                || key.starts_with(&format!("{}.", o.key))
                || o.key.starts_with(&format!("{key}."))
        });
        match from_set {
            Some(o) => (None, format!("(from --set {o}) ")),
            None => (location::line_of_key(text, key), String::new()),
        }
    };
    let raw: raw::RawScenario =
        serde_path_to_error::deserialize(toml::Value::Table(document.clone())).map_err(|e| {
            let mut key = e.path().to_string();
            let message = e.inner().message().trim().to_string();
            // A missing field is named by its own key path, not its table's.
            if let Some(field) = message
                .strip_prefix("missing field `")
                .and_then(|m| m.split('`').next())
            {
                key = if key == "." {
                    field.to_string()
                } else {
                    format!("{key}.{field}")
                };
            }
            let (line, note) = locate(&key);
            let key = (key != ".").then_some(key);
            error(line, key, format!("{note}{message}"))
        })?;
    let overridden: Vec<&str> = overrides.iter().map(|o| o.key.as_str()).collect();
    compile::compile(&raw, origin, document, &overridden).map_err(|p| {
        let (line, note) = locate(&p.key);
        error(line, Some(p.key), format!("{note}{}", p.message))
    })
}
