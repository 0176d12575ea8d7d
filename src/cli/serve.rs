//! `simulate serve FILE`: the local web app; flags only, the server is `breakeven::serve`.

use std::io::{self, Read};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use clap::builder::RangedU64ValueParser;

use breakeven::serve::{self, Config, ServeError, Server};

pub const EXAMPLES: &str = "\
Examples:
  simulate serve scenarios/openai.toml
  curl -sG 127.0.0.1:8080/api/run -d paths=2000 -d set=capex.years=6

The page shows the headline probabilities, the revenue fan chart and the
break-even histogram, with a slider for each input that moves break-even most.
GET /api/run takes set=KEY=VALUE (any number of times), paths, seed, sampler
and format (json, csv, markdown, table) and answers with what
`simulate FILE --set KEY=VALUE --paths N ... --format F` prints. It binds to
127.0.0.1 unless --bind says otherwise; Ctrl-C stops it.";

#[derive(Args)]
pub struct ServeArgs {
    /// Scenario file (TOML), or `-` to read standard input.
    file: PathBuf,
    /// Port to listen on (0: any free port, printed at start).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to listen on; anything but 127.0.0.1 or ::1 lets other machines in.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// Worker threads for runs [default: one per core].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    /// Paths of a preview run (when a control moves).
    #[arg(long, default_value_t = serve::PREVIEW_PATHS, value_parser = super::values::count)]
    preview_paths: u64,
    /// The most paths one request may ask for.
    #[arg(long, default_value_t = serve::MAX_PATHS, value_parser = super::values::count)]
    max_paths: u64,
    /// Runs computed at once; further requests wait up to 10 s, then get status 503.
    #[arg(long, default_value_t = serve::MAX_RUNS, value_parser = RangedU64ValueParser::<usize>::new().range(1..64))]
    max_runs: usize,
    /// Inputs with a control on the page at first, by tornado rank (the page adds others).
    #[arg(long, default_value_t = serve::CONTROLS, value_parser = RangedU64ValueParser::<usize>::new().range(0..100))]
    controls: usize,
}

pub fn run(args: ServeArgs) -> Result<ExitCode> {
    let (text, origin) = if args.file.as_os_str() == "-" {
        let mut text = String::new();
        io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the scenario from standard input")?;
        (text, "-".to_string())
    } else {
        let origin = args.file.display().to_string();
        let text = std::fs::read_to_string(&args.file).map_err(|e| {
            breakeven::scenario::ScenarioError {
                origin: origin.clone(),
                line: None,
                key: None,
                message: format!("cannot read the scenario: {e}"),
            }
        })?;
        (text, origin)
    };
    let config = Config {
        text,
        origin,
        address: SocketAddr::new(args.bind, args.port),
        threads: args.threads.map(usize::from),
        preview_paths: args.preview_paths.min(args.max_paths),
        max_paths: args.max_paths,
        max_runs: args.max_runs,
        controls: args.controls,
    };
    eprintln!(
        "ranking the inputs of {} for the page's controls...",
        config.origin
    );
    let server = Server::bind(config).map_err(input_error)?;
    let address = server.local_addr()?;
    server.run(serve::ctrl_c(), || {
        eprintln!("serving http://{address}/ (Ctrl-C stops)")
    })?;
    eprintln!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// A scenario or ranking error is the user's input (exit code 2), as for `simulate FILE`.
fn input_error(e: ServeError) -> anyhow::Error {
    match e {
        ServeError::Scenario(e) => e.into(),
        ServeError::Ranking(e) => e.into(),
        other => other.into(),
    }
}
