//! A Monte Carlo break-even simulator for the AI infrastructure build-out.
//!
//! A scenario file (TOML) describes a build-out: capex and who pays for it, GPU lives and
//! refresh, subscription and other revenue, costs, competitive price shocks, and thresholds
//! such as Bain's $2 trillion of revenue a year by 2030. Every number may be uncertain. The
//! simulator draws many paths in parallel, reproducibly for a seed, and reports the probability
//! of each threshold, of break-even and payback, and the distribution of every metric by year.
//!
//! ```
//! use breakeven::{engine::Plan, report::{Report, RunFacts}, scenario, simulation};
//!
//! let text = r#"
//!     [scenario]
//!     name = "One stream"
//!     start_year = 2025
//!     horizon = 2030
//!     [streams.api]
//!     revenue = 10e9
//!     growth = { dist = "uniform", min = 0.1, max = 0.6 }
//!     [costs]
//!     rnd = 15e9
//!     [thresholds.profitable_2030]
//!     metric = "ebit"
//!     year = 2030
//!     op = ">="
//!     value = 0
//! "#;
//! let scenario = scenario::parse(text, "example.toml", &[]).unwrap();
//! let plan = Plan::whole(42, 20_000);
//! let outcome = simulation::run(&scenario, &simulation::RunOptions::new(plan)).unwrap();
//! let report = Report::new(&scenario, &outcome.summary, 42, 20_000, RunFacts::default());
//! // EBIT >= 0 in 2030 needs (1 + g)^5 >= 1.5, i.e. g >= 8.4%: always true here.
//! assert_eq!(report.thresholds[0].estimate.probability, 1.0);
//! ```

pub mod analysis;
pub mod correlation;
pub mod count;
pub mod dist;
pub mod engine;
pub mod math;
pub mod model;
pub mod network;
pub mod plausibility;
pub mod precision;
pub mod rare;
pub mod replay;
pub mod report;
pub mod rng;
pub mod run_request;
pub mod sampler;
pub mod scenario;
pub mod scenario_run;
pub mod seeds;
#[cfg(feature = "serve")]
pub mod serve;
pub mod shard;
pub mod simulation;
pub mod stats;
pub mod summary;
pub mod threshold;
pub mod unit;
