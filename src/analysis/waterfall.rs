//! The waterfall of a run's median path in one year: how that path's revenue becomes its EBIT,
//! line by line (cost of revenue, SG&A, R&D and staff, rent to partners, power and operations
//! of own capacity, fixed commitments, depreciation).
//!
//! The median path is one real path of the run, not a column of medians: the path whose EBIT
//! in the chosen year has rank ⌊(n − 1)/2⌋ among the run's first n paths (n at most
//! [`MAX_RANKED`]), ties broken by the lower path index. It is therefore the same path for a
//! seed whatever the number of threads, and the same for a sharded run's merge, and
//! its bars add up to its EBIT (medians of each line would not). Every line but EBIT is
//! computed again from the path's inputs with the model's own cost rules, so that the sum of
//! the lines equals the path's EBIT up to rounding (the tests check it does).
//!
//! A run asked to keep its first paths' EBIT ([`ranking`]) is ranked from what it kept; a
//! sharded run's merge, which has no paths, simulates its first paths again
//! ([`median_path`]); either way only the median's own chunk is simulated for its lines.

use std::sync::atomic::Ordering;

use rayon::prelude::*;
use serde::Serialize;

use crate::engine::{CHUNK_PATHS, Plan};
use crate::model::capex::CapexYears;
use crate::model::{Metric, Model};
use crate::sampler::Sampler;
use crate::scenario::Scenario;
use crate::simulation::{self, PathView, RunError, RunOptions};
use crate::summary::{KeepFirst, RunSummary};

/// The year a waterfall shows unless the user says: 2030, Bain's year.
pub const DEFAULT_YEAR: i32 = 2030;

/// The median path is that of the run's first this many paths (a random sample of a larger
/// run: every path is an independent draw), which bounds the ranking's time and memory.
pub const MAX_RANKED: u64 = 100_000;

/// Chunks per parallel task of the ranking pass.
const TASK_CHUNKS: u64 = 8;

/// One line of the waterfall.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    /// A stable name: `revenue`, `cost_of_revenue`, `sga`, `rnd`, `rent`, `operations`,
    /// `commitments`, `depreciation`.
    pub name: &'static str,
    pub label: &'static str,
    /// US dollars in the year: revenue positive, costs negative.
    pub usd: f64,
}

/// The waterfall of the median path in one year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Waterfall {
    pub year: i32,
    /// How the path was chosen, in words.
    pub definition: String,
    /// The chosen path's index in the run (its row in `--paths-out`).
    pub path: u64,
    /// The paths it was the median of: the run's first `paths` (at most [`MAX_RANKED`]).
    pub paths: u64,
    /// Revenue, then each cost as a negative amount.
    pub lines: Vec<Line>,
    /// The path's EBIT in the year: the sum of the lines.
    pub ebit: f64,
}

impl Waterfall {
    /// The sum of the lines (equal to `ebit` up to rounding).
    pub fn total(&self) -> f64 {
        self.lines.iter().map(|l| l.usd).sum()
    }
}

/// The year index of calendar year `year` in `scenario`, if within its years.
pub fn year_index(scenario: &Scenario, year: i32) -> Option<usize> {
    (scenario.start_year..=scenario.horizon)
        .contains(&year)
        .then(|| (year - scenario.start_year) as usize)
}

/// The year a waterfall shows when the user does not choose: [`DEFAULT_YEAR`] if the
/// scenario covers it, else its horizon (its start year if it starts after 2030).
pub fn default_year(scenario: &Scenario) -> i32 {
    DEFAULT_YEAR.clamp(scenario.start_year, scenario.horizon)
}

/// What a run keeps so that [`median_path_of_run`] need not simulate its first paths again:
/// EBIT in year index `y` of its first [`MAX_RANKED`] paths.
pub fn ranking(y: usize) -> KeepFirst {
    KeepFirst {
        metric: Metric::Ebit,
        year: y,
        paths: MAX_RANKED,
    }
}

/// The waterfall of the median path (by EBIT in year index `y`) of the run `options.plan`
/// describes (a whole run, from chunk 0) that produced `summary`. The ranking uses what the
/// summary kept of the run's first paths when it was run with [`ranking`]`(y)`, and simulates
/// them again otherwise (see [`median_path`]); the path found is the same.
pub fn median_path_of_run(
    scenario: &Scenario,
    options: &RunOptions,
    summary: &RunSummary,
    y: usize,
) -> Result<Option<Waterfall>, RunError> {
    let ranked_paths = options.plan.paths.min(MAX_RANKED);
    let kept = summary
        .first_paths()
        .filter(|kept| kept.request == ranking(y))
        .and_then(|kept| kept.indexed())
        .filter(|ranked| {
            ranked.len() as u64 == ranked_paths && ranked.first().is_none_or(|&(_, i)| i == 0)
        });
    match kept {
        Some(ranked) if options.plan.first_chunk == 0 => median_of(scenario, options, ranked, y),
        _ => median_path(scenario, options, y),
    }
}

/// The waterfall of the median path (by EBIT in year index `y`) among the first
/// [`MAX_RANKED`] paths (all of them in a smaller run) of the run `options.plan` describes (a
/// whole run, from chunk 0), drawn as [`simulation::run`] draws them. The ranking pass
/// simulates those paths again, in parallel on the current rayon pool, keeping 16 bytes per
/// path. Since it needs only the run's seed, paths and sampler, the merge of a sharded run
/// finds the same path. `None` when the plan has no paths or `options.cancel` was set.
pub fn median_path(
    scenario: &Scenario,
    options: &RunOptions,
    y: usize,
) -> Result<Option<Waterfall>, RunError> {
    let plan = options.plan;
    let ranked_paths = plan.paths.min(MAX_RANKED);
    let chunks = ranked_paths.div_ceil(CHUNK_PATHS);
    let tasks: Vec<Plan> = (0..chunks.div_ceil(TASK_CHUNKS))
        .map(|t| Plan {
            first_chunk: t * TASK_CHUNKS,
            chunks: TASK_CHUNKS.min(chunks - t * TASK_CHUNKS),
            ..plan
        })
        .collect();
    let ranked: Vec<Vec<(f64, u64)>> = tasks
        .par_iter()
        .map(|&task| {
            let mut ebits = Vec::with_capacity(task.covered_paths() as usize);
            let quiet = RunOptions {
                plan: task,
                progress: &crate::engine::NoProgress,
                ..*options
            };
            simulation::visit_paths(scenario, &quiet, |p| {
                if p.index < ranked_paths {
                    ebits.push((p.trajectory.get(Metric::Ebit, y), p.index));
                }
            })?;
            Ok(ebits)
        })
        .collect::<Result<_, RunError>>()?;
    if options.cancel.load(Ordering::Relaxed) {
        return Ok(None);
    }
    median_of(scenario, options, ranked.into_iter().flatten().collect(), y)
}

/// The waterfall of the median of `ranked` (each path's EBIT in year index `y` and its
/// index), simulating that one path's chunk of the run `options` describes again.
fn median_of(
    scenario: &Scenario,
    options: &RunOptions,
    mut ranked: Vec<(f64, u64)>,
    y: usize,
) -> Result<Option<Waterfall>, RunError> {
    if ranked.is_empty() {
        return Ok(None);
    }
    let k = (ranked.len() - 1) / 2;
    let (_, &mut (_, path), _) =
        ranked.select_nth_unstable_by(k, |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let chunk = RunOptions {
        plan: Plan {
            first_chunk: path / CHUNK_PATHS,
            chunks: 1,
            ..options.plan
        },
        progress: &crate::engine::NoProgress,
        keep: None,
        ..*options
    };
    let mut lines = None;
    simulation::visit_paths(scenario, &chunk, |p| {
        if p.index == path {
            lines = Some(path_lines(&scenario.model, p, y));
        }
    })?;
    let Some(lines) = lines else {
        return Ok(None);
    };
    let year = scenario.year(y);
    Ok(Some(Waterfall {
        year,
        definition: format!(
            "the path whose EBIT in {year} is the median of the run's first n paths (n = min(paths, {MAX_RANKED}); rank ⌊(n−1)/2⌋ from the lowest, ties to the lower path index)"
        ),
        path,
        paths: ranked.len() as u64,
        ebit: lines.1,
        lines: lines.0,
    }))
}

/// The waterfall of the whole run of `scenario` with `seed`, `paths` and `sampler` (a
/// sharded run's merge, say) in year index `y`; `None` for a network scenario, which has none
/// yet.
pub fn of_run(
    scenario: &Scenario,
    seed: u64,
    paths: u64,
    sampler: Sampler,
    y: usize,
) -> Result<Option<Waterfall>, RunError> {
    if scenario.network.is_some() {
        return Ok(None);
    }
    let options = RunOptions::new(Plan::whole(seed, paths)).sampler(sampler);
    median_path(scenario, &options, y)
}

/// The lines of path `p` in year index `y`, and its EBIT.
fn path_lines(model: &Model, p: &PathView, y: usize) -> (Vec<Line>, f64) {
    let v = p.inputs;
    let t = p.trajectory;
    let costs = &model.costs;
    let revenue = t.get(Metric::Revenue, y);
    let mut cor_share = 0.0;
    for year in 0..=y {
        cor_share = costs.cost_of_revenue_share(v, cor_share, year);
    }
    let mut capex = CapexYears::new(model.years, 1);
    if let Some(c) = &model.capex {
        c.simulate(v, &[model.finance.hurdle_rate.get(v)], &mut capex);
    }
    let commitments: f64 = model.commitments.iter().map(|c| c.payment(v, y)).sum();
    let line = |name, label, usd: f64| Line { name, label, usd };
    // A cost as a negative amount; a zero cost stays +0 (not -0) in the JSON.
    let cost = |name, label, usd: f64| line(name, label, 0.0 - usd);
    let lines = vec![
        line("revenue", "Revenue", revenue),
        cost("cost_of_revenue", "Cost of revenue", revenue * cor_share),
        cost("sga", "SG&A", revenue * costs.sga_share.get(v)),
        cost("rnd", "R&D and staff", costs.rnd(v, y)),
        cost("rent", "Rent to partners", t.get(Metric::Rental, y)),
        cost(
            "operations",
            "Power and operations",
            capex.own_operations[y],
        ),
        cost("commitments", "Commitments", commitments),
        cost(
            "depreciation",
            "Depreciation",
            t.get(Metric::Depreciation, y),
        ),
    ];
    (lines, t.get(Metric::Ebit, y))
}
