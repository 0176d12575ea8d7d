//! Arguments shared by the analysis subcommands: the scenario kept as text (each parameter
//! value recompiles it), and the seed, paths and threads of every run.

use std::io::{self, Read};
use std::path::Path;

use anyhow::{Context, Result};
use clap::Args;

use breakeven::analysis::Base;
use breakeven::engine::Plan;
use breakeven::scenario::{Scenario, ScenarioError};

use super::ScenarioArgs;
use super::run::DEFAULT_SEED;

#[derive(Args)]
pub struct SamplingArgs {
    /// Paths per run (each point, evaluation or bar) [default: see the command's help].
    #[arg(long, value_parser = super::values::count)]
    pub paths: Option<u64>,
    /// Random seed, the same for every run [default: the scenario's run.seed, else 20251123].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads [default: one per core].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
}

impl SamplingArgs {
    /// The plan of every run: `--paths`, else `default_paths`; `--seed`, else the scenario's,
    /// else the default seed.
    pub fn plan(&self, scenario: &Scenario, default_paths: u64) -> Plan {
        let seed = self.seed.or(scenario.defaults.seed).unwrap_or(DEFAULT_SEED);
        Plan::whole(seed, self.paths.unwrap_or(default_paths))
    }

    /// A rayon pool with the requested threads.
    pub fn pool(&self) -> Result<rayon::ThreadPool> {
        super::run::thread_pool(self.threads)
    }
}

impl ScenarioArgs {
    /// Reads the scenario's text and compiles it with the overrides.
    pub fn base(&self) -> Result<Base> {
        let file = self.file.as_deref().expect("clap requires the file");
        let (text, origin) = if file == Path::new("-") {
            let mut text = String::new();
            io::stdin()
                .read_to_string(&mut text)
                .context("cannot read the scenario from standard input")?;
            (text, "-".to_string())
        } else {
            let origin = file.display().to_string();
            let text = std::fs::read_to_string(file).map_err(|e| ScenarioError {
                origin: origin.clone(),
                line: None,
                key: None,
                message: format!("cannot read the scenario: {e}"),
            })?;
            (text, origin)
        };
        Ok(Base::new(text, &origin, self.set.clone())?)
    }
}
