//! The `simulate` command line: parses arguments, calls the library, writes the report.

mod progress;

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use breakeven::engine::Plan;
use breakeven::report::{Format, Report, RunFacts};
use breakeven::scenario::{self, Override, Scenario, ScenarioError};
use breakeven::simulation::{self, PathError};

/// Paths when neither the command line nor the scenario says: the 95% interval of any
/// probability is then at most ±0.31 percentage points.
const DEFAULT_PATHS: u64 = 100_000;
/// Seed when neither the command line nor the scenario says.
const DEFAULT_SEED: u64 = 20_251_123;

const EXAMPLES: &str = "\
Examples:
  simulate scenarios/openai.toml
  simulate scenarios/openai.toml --paths 1000000 --seed 7 --format json > out.json
  simulate scenarios/openai.toml --set capex.partner_share=0.3
  simulate scenarios/openai.toml --set capex.partner_share.mode=0.4 --out report.md --format markdown
  simulate check scenarios/my.toml

Exit codes: 0 success, 1 internal error, 2 bad input or usage.";

#[derive(Parser)]
#[command(
    name = "simulate",
    version,
    about = "Monte Carlo break-even simulator for the AI infrastructure build-out",
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_help = EXAMPLES
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Simulate a scenario and report (the default when a file is given).
    #[command(after_help = EXAMPLES)]
    Run(RunArgs),
    /// Validate a scenario and list its inputs, without simulating.
    #[command(
        after_help = "Examples:\n  simulate check scenarios/openai.toml\n  simulate check scenarios/openai.toml --set capex.years=8"
    )]
    Check(CheckArgs),
}

#[derive(Args)]
struct ScenarioArgs {
    /// Scenario file (TOML), or `-` to read standard input.
    #[arg(required = true)]
    file: Option<PathBuf>,
    /// Override an input: key.path=VALUE (a number, a TOML value, or a distribution table).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<Override>,
}

#[derive(Args)]
struct RunArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Number of paths [default: the scenario's run.paths, else 100000].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    paths: Option<u64>,
    /// Random seed [default: the scenario's run.seed, else 20251123].
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads [default: one per core].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Args)]
struct CheckArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
}

/// A usage or input error: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct InputError(String);

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err:#}");
            if is_input_error(&err) {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn is_input_error(err: &anyhow::Error) -> bool {
    err.chain()
        .any(|e| e.is::<ScenarioError>() || e.is::<PathError>() || e.is::<InputError>())
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Some(Command::Run(args)) => simulate(args),
        Some(Command::Check(args)) => check(args),
        None => simulate(cli.run),
    }
}

fn load(args: &ScenarioArgs) -> Result<Scenario> {
    let file = args.file.as_deref().expect("clap requires the file");
    if file == Path::new("-") {
        let mut text = String::new();
        io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the scenario from standard input")?;
        Ok(scenario::parse(&text, "-", &args.set)?)
    } else {
        Ok(scenario::load(file, &args.set)?)
    }
}

fn simulate(args: RunArgs) -> Result<ExitCode> {
    let scenario = load(&args.scenario)?;
    let paths = args
        .paths
        .or(scenario.defaults.paths)
        .unwrap_or(DEFAULT_PATHS);
    let seed = args.seed.or(scenario.defaults.seed).unwrap_or(DEFAULT_SEED);
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(t) = args.threads {
        pool = pool.num_threads(usize::from(t));
    }
    let pool = pool.build().context("cannot start the worker threads")?;
    let plan = Plan::whole(seed, paths);
    let progress = progress::Bar::new();
    let cancel = AtomicBool::new(false);
    let started = Instant::now();
    let outcome = pool.install(|| simulation::run(&scenario, &plan, &progress, &cancel))?;
    let facts = RunFacts {
        threads: pool.current_num_threads(),
        elapsed: started.elapsed(),
    };
    let report = Report::new(&scenario, &outcome.summary, seed, paths, facts);
    write_output(&args.format.render(&report), args.out.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

fn check(args: CheckArgs) -> Result<ExitCode> {
    let s = load(&args.scenario)?;
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
    write_output(&out, None)?;
    Ok(ExitCode::SUCCESS)
}

/// Writes to standard output, or atomically to a file: a temporary file in the same folder,
/// renamed over the target once complete, so no reader ever sees half a report.
fn write_output(text: &str, out: Option<&Path>) -> Result<()> {
    match out {
        None => {
            let mut stdout = io::stdout().lock();
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
        }
        Some(path) => {
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            let mut tmp = tempfile::NamedTempFile::new_in(dir)
                .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
            tmp.write_all(text.as_bytes())?;
            tmp.as_file().sync_all()?;
            tmp.persist(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    Ok(())
}
