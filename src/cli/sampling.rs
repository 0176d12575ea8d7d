//! Arguments shared by the analysis subcommands: the scenario kept as text (each parameter
//! value recompiles it), and the seed, paths and threads of every run.

use anyhow::Result;
use clap::Args;

use breakeven::analysis::Base;
use breakeven::engine::Plan;
use breakeven::plausibility;
use breakeven::scenario::Scenario;

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
    /// Reads the scenario's text and compiles it with the overrides, and reports its
    /// plausibility warnings.
    pub fn base(&self) -> Result<Base> {
        let (text, origin) = self.text()?;
        let base = Base::new(text.clone(), &origin, self.set.clone())?;
        super::warn(
            plausibility::of_scenario(base.scenario(), &text, &self.set),
            self.strict,
        )?;
        Ok(base)
    }
}
