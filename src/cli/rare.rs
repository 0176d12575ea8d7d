//! `simulate rare FILE`: rare-event probabilities of a scenario's thresholds by subset
//! simulation, and the `--rare` estimates a run adds for its thresholds below 0.1%.
//!
//! An interrupted estimate (Ctrl-C) prints what the completed repetitions give, marked
//! partial, to standard output, leaves any `--out` file untouched, and exits with code 130.

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::Result;
use clap::Args;

use breakeven::rare::{self, Settings, target::Target};
use breakeven::report::rare::{RareReport, RareThreshold};
use breakeven::report::{Probability, RunFacts};
use breakeven::scenario::Scenario;

use super::output::{self, Destination};
use super::run::{DEFAULT_SEED, thread_pool};
use super::{InputError, ScenarioArgs, interrupt, progress};

pub const EXAMPLES: &str = "\
Examples:
  simulate rare scenarios/openai.toml
  simulate rare scenarios/openai.toml --threshold operating_break_even_by_2030
  simulate rare scenarios/openai.toml --threshold cash_payback_by_2035 \\
      --format markdown --out rare.md
  simulate scenarios/openai.toml --rare
  simulate rare scenarios/network.toml --threshold microsoft.default

Subset simulation (Au & Beck 2001) estimates each threshold's probability
through nested levels of conditional probability 0.1, with Markov chains in
standard-normal space, down to about 1e-16. The answer is the mean of
independent repetitions; its 95% interval comes from their spread (more
--repetitions give a more reliable one), and the gain is how many more plain
Monte Carlo paths the same precision would take. Without
--threshold every threshold of the scenario is estimated. A threshold no path
can meet under the scenario's inputs is reported as impossible, not as a number.
In a network file, --threshold names an event (oracle.default,
stargate.break_even, network.bain_end_customers_2030); without it every event
is estimated.";

/// How much work each estimate does.
#[derive(Args)]
pub struct RareSettingsArgs {
    /// Samples per level of each repetition (a multiple of 10, at least 100).
    #[arg(long, default_value_t = Settings::default().samples())]
    samples: usize,
    /// Independent repetitions; their spread gives the 95% interval (at least 2).
    #[arg(long, default_value_t = Settings::default().repetitions())]
    repetitions: usize,
    /// Levels at most: probabilities below about 0.1^LEVELS are reported as below that.
    #[arg(long, value_name = "LEVELS", default_value_t = Settings::default().max_levels())]
    max_levels: usize,
}

impl RareSettingsArgs {
    fn settings(&self) -> Result<Settings> {
        Settings::new(self.samples, self.repetitions, self.max_levels)
            .map_err(|e| InputError(format!("rare-event settings: {e}")).into())
    }
}

#[derive(Args)]
pub struct RareArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// A threshold to estimate, or in a network file an event (repeat for several)
    /// [default: every threshold or event].
    #[arg(long, value_name = "NAME")]
    threshold: Vec<String>,
    /// Random seed [default: the scenario's run.seed, else 20251123].
    #[arg(long)]
    seed: Option<u64>,
    #[command(flatten)]
    settings: RareSettingsArgs,
    /// Worker threads [default: one per core].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    #[command(flatten)]
    destination: Destination,
}

/// Shows a progress bar counting repetitions.
struct Repetitions<'a>(&'a progress::Bar);

impl rare::Progress for Repetitions<'_> {
    fn repetition(&self, _done: usize, _of: usize, _evaluations: u64) {
        breakeven::engine::Progress::advance(self.0, 1);
    }
}

/// Estimates each of `targets` (with its plain estimate, if any), stopping early once
/// `cancel` is set; the estimates of targets not reached are left out.
pub fn estimate_all(
    scenario: &Scenario,
    targets: &[(Target, Option<Probability>)],
    settings: &Settings,
    seed: u64,
    cancel: &AtomicBool,
) -> Result<Vec<RareThreshold>> {
    let bar = progress::Bar::counting("repetitions");
    breakeven::engine::Progress::start(&bar, (targets.len() * settings.repetitions()) as u64);
    let mut out = Vec::with_capacity(targets.len());
    for (target, plain) in targets {
        if cancel.load(Ordering::Relaxed) {
            break;
        }
        let estimate = target
            .estimate(scenario, settings, seed, &Repetitions(&bar), cancel)
            .map_err(|e| {
                InputError(format!(
                    "threshold {}: a path explored by subset simulation left the representable \
                     range: {e}",
                    target.name(scenario)
                ))
            })?;
        out.push(RareThreshold::new(scenario, target, estimate, *plain));
    }
    breakeven::engine::Progress::finish(&bar);
    Ok(out)
}

pub fn run(args: RareArgs) -> Result<ExitCode> {
    args.destination.check()?;
    let scenario = args.scenario.load()?;
    let settings = args.settings.settings()?;
    let seed = args.seed.or(scenario.defaults.seed).unwrap_or(DEFAULT_SEED);
    let mut chosen = Vec::new();
    for name in &args.threshold {
        match Target::named(&scenario, name) {
            Some(t) => chosen.push((t, None)),
            None => {
                let names: Vec<String> = Target::all(&scenario)
                    .iter()
                    .map(|t| t.name(&scenario))
                    .collect();
                return Err(InputError(format!(
                    "--threshold {name}: the scenario has no such threshold; it has: {}",
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                ))
                .into());
            }
        }
    }
    if args.threshold.is_empty() {
        chosen = Target::all(&scenario)
            .into_iter()
            .map(|t| (t, None))
            .collect();
    }
    if chosen.is_empty() {
        return Err(InputError("the scenario lists no thresholds to estimate".into()).into());
    }
    let cancel = interrupt::install()?;
    let pool = thread_pool(args.threads)?;
    let started = Instant::now();
    let results = pool.install(|| estimate_all(&scenario, &chosen, &settings, seed, cancel))?;
    let interrupted = cancel.load(Ordering::Relaxed);
    let facts = RunFacts {
        threads: pool.current_num_threads(),
        elapsed: started.elapsed(),
    };
    let mut report = RareReport::new(&scenario, seed, &settings, results, facts);
    report.partial |= interrupted;
    if interrupted {
        eprintln!(
            "interrupted: the estimates so far, marked partial, are on standard output{}",
            match &args.destination.out {
                Some(file) => format!(" ({} was not written)", file.display()),
                None => String::new(),
            }
        );
        output::write(args.destination.format().render(&report)?, None)?;
        return Ok(ExitCode::from(interrupt::EXIT_CODE));
    }
    args.destination.export(&report)?;
    Ok(ExitCode::SUCCESS)
}
