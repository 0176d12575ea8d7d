//! The integration tests, as one test binary: one link instead of one per file. Each module
//! tests one concern (see the `//!` at its top); `common` holds helpers they share.

mod adversarial;
mod analysis;
mod charts;
mod cli_contract;
mod common;
mod compare;
mod correlation;
mod distributions;
mod engine;
mod examples;
mod export;
mod malformed;
mod native_build;
mod network;
mod network_analysis;
mod new_user;
mod numerical;
mod paths;
mod paths_out;
mod plausibility;
mod published;
mod rare;
mod rare_cli;
mod rare_network;
mod rare_scenario;
mod sampling;
mod serve;
mod waterfall;
