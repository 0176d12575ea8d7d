//! `simulate check`: validate a scenario and list its inputs with their sources, its rank
//! correlations, then the citations of the seed articles those sources name.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::{ScenarioArgs, output};

pub const EXAMPLES: &str = "\
Examples:
  simulate check scenarios/openai.toml
  simulate check scenarios/openai.toml --set capex.years=8
  cat scenarios/openai.toml | simulate check -";

#[derive(Args)]
pub struct CheckArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
}

pub fn run(args: CheckArgs) -> Result<ExitCode> {
    let s = args.scenario.load()?;
    let uncertain = s.inputs.iter().filter(|i| !i.dist.is_fixed()).count();
    let mut out = format!(
        "ok: {} — {} ({}–{}), {} inputs of which {} uncertain, {} thresholds\n\n",
        s.origin,
        s.name,
        s.start_year,
        s.horizon,
        s.inputs.len(),
        uncertain,
        s.thresholds.len()
            + s.network.as_ref().map_or(0, |n| {
                n.thresholds.len() + n.entities.iter().map(|e| e.thresholds.len()).sum::<usize>()
            })
    );
    let width = s.inputs.iter().map(|i| i.key.len()).max().unwrap_or(0);
    for i in &s.inputs {
        out.push_str(&format!(
            "  {:width$}  {}  [{}]\n",
            i.key,
            i.dist,
            i.source.as_deref().unwrap_or("no source")
        ));
    }
    let pairs = &s.correlations.pairs;
    if !pairs.is_empty() {
        out.push_str(
            "\nRank correlations (Spearman, imposed with a Gaussian copula; each input keeps its \
             distribution):\n",
        );
        let width = pairs
            .iter()
            .map(|p| s.inputs[p.a].key.len() + s.inputs[p.b].key.len() + 3)
            .max()
            .unwrap_or(0);
        for p in pairs {
            let names = format!("{} ~ {}", s.inputs[p.a].key, s.inputs[p.b].key);
            out.push_str(&format!(
                "  {names:width$}  rho {:+.2}  [{}]\n",
                p.rho,
                p.source.as_deref().unwrap_or("no source")
            ));
        }
    }
    let cited = s.citations();
    if !cited.is_empty() {
        out.push_str("\nSources cited (seeds/sources.toml):\n");
        for seed in cited {
            out.push_str(&format!("  {}\n", seed.citation()));
        }
    }
    output::write(&out, None)?;
    Ok(ExitCode::SUCCESS)
}
