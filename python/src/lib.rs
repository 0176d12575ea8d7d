//! `breakeven._native`: the library's runs, shards, analyses and per-path values for the
//! Python package `breakeven` (whose `__init__.py` checks the arguments' types and wraps the
//! results).
//!
//! Every call takes the scenario as text with the name it was read from, and overrides as
//! `key.path=VALUE` strings, exactly as the command line has them, and answers with the same
//! JSON the command line prints. The engine runs on its own thread with the GIL released;
//! the calling thread checks for signals every 50 ms, so Ctrl-C (KeyboardInterrupt) cancels a
//! run within a path of each worker.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError, mpsc};
use std::time::Duration;

use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use breakeven::analysis::sensitivity::{self as sensitivity_analysis, Output, Statistic};
use breakeven::analysis::solve::{self as goal_seek, Problem};
use breakeven::analysis::sweep::{Axis, AxisSpec};
use breakeven::analysis::waterfall;
use breakeven::analysis::{AnalysisError, Base, Event};
use breakeven::engine::{NoProgress, Plan};
use breakeven::model::Metric;
use breakeven::report::paths::{DEFAULT_METRICS, PathColumns};
use breakeven::report::{Exporter, RunFacts, ScenarioReport, json};
use breakeven::run_request::{DEFAULT_PATHS, DEFAULT_SEED, RunRequest, RunRequestError};
use breakeven::sampler::Sampler;
use breakeven::scenario::{self, Override, Scenario, ScenarioError as LibScenarioError};
use breakeven::shard::{self, Part, Shard};
use breakeven::simulation::{self, RunError, RunOptions};

create_exception!(
    _native,
    ScenarioError,
    PyValueError,
    "A scenario that cannot be used: `file`, `line` (or None), `key` (or None) and `message` \
     say where and why; str() is the line the command line prints after `error: `."
);

/// How often the calling thread looks for Ctrl-C while the engine runs.
const SIGNAL_CHECK: Duration = Duration::from_millis(50);

/// A scenario error as the Python exception.
fn scenario_error(py: Python<'_>, e: &LibScenarioError) -> PyErr {
    let err = ScenarioError::new_err(e.to_string());
    let value = err.value(py);
    let set = || -> PyResult<()> {
        value.setattr("file", &e.origin)?;
        value.setattr("line", e.line)?;
        value.setattr("key", e.key.clone())?;
        value.setattr("message", &e.message)?;
        Ok(())
    };
    set().map(|()| err).unwrap_or_else(|e| e)
}

/// A failing path is the input's fault too: a ScenarioError naming the input most likely at
/// fault, with the command line's text.
fn path_error(py: Python<'_>, origin: &str, e: &simulation::PathError) -> PyErr {
    let err = ScenarioError::new_err(e.to_string());
    let value = err.value(py);
    let set = || -> PyResult<()> {
        value.setattr("file", origin)?;
        value.setattr("line", None::<usize>)?;
        value.setattr("key", e.suspect.as_ref().map(|s| s.key.clone()))?;
        value.setattr("message", e.to_string())?;
        Ok(())
    };
    set().map(|()| err).unwrap_or_else(|e| e)
}

fn request_error(py: Python<'_>, origin: &str, e: &RunRequestError) -> PyErr {
    match e {
        RunRequestError::Scenario(e) => scenario_error(py, e),
        RunRequestError::Path(e) => path_error(py, origin, e),
        other => PyValueError::new_err(other.to_string()),
    }
}

fn analysis_error(py: Python<'_>, origin: &str, e: &AnalysisError) -> PyErr {
    match e {
        AnalysisError::Scenario(e) => scenario_error(py, e),
        AnalysisError::Run(RunError::Path(e)) => path_error(py, origin, e),
        other => PyValueError::new_err(other.to_string()),
    }
}

fn parse_overrides(overrides: &[String]) -> PyResult<Vec<Override>> {
    overrides
        .iter()
        .map(|o| {
            o.parse::<Override>()
                .map_err(|e| PyValueError::new_err(format!("set: {e}")))
        })
        .collect()
}

fn parse_sampler(name: &str) -> PyResult<Sampler> {
    [Sampler::Mc, Sampler::Lhs, Sampler::Sobol]
        .into_iter()
        .find(|s| s.name() == name)
        .ok_or_else(|| {
            PyValueError::new_err(format!(
                "sampler must be 'mc', 'lhs' or 'sobol', got {name:?}"
            ))
        })
}

/// A run's request from the Python arguments, as the command line would make it.
fn run_request(
    overrides: &[String],
    paths: Option<u64>,
    seed: Option<u64>,
    sampler: &str,
) -> PyResult<RunRequest> {
    Ok(RunRequest {
        overrides: parse_overrides(overrides)?,
        paths,
        seed,
        sampler: parse_sampler(sampler)?,
    })
}

/// Compiles the request's scenario, refusing a network file (`what` does not support one yet,
/// as on the command line).
fn compile_single_firm(
    py: Python<'_>,
    request: &RunRequest,
    text: &str,
    origin: &str,
    what: &str,
) -> PyResult<Scenario> {
    let scenario = request
        .compile(text, origin)
        .map_err(|e| scenario_error(py, &e))?;
    if scenario.network.is_some() {
        return Err(PyValueError::new_err(format!(
            "{origin}: {what} do not support network scenarios (files with [entities]) yet"
        )));
    }
    Ok(scenario)
}

/// The base scenario of an analysis: the text compiled with the overrides.
fn analysis_base(py: Python<'_>, text: &str, origin: &str, overrides: &[String]) -> PyResult<Base> {
    Base::new(text.to_string(), origin, parse_overrides(overrides)?)
        .map_err(|e| scenario_error(py, &e))
}

/// The plan of an analysis's runs: `paths`, else `default_paths`; the seed, else the
/// scenario's `[run] seed`, else the command line's default.
fn plan(scenario: &Scenario, paths: Option<u64>, seed: Option<u64>, default_paths: u64) -> Plan {
    let seed = seed.or(scenario.defaults.seed).unwrap_or(DEFAULT_SEED);
    Plan::whole(seed, paths.unwrap_or(default_paths))
}

/// Runs `job` on its own thread, in a pool of `threads` workers (one per core when `None`),
/// with the GIL released; a signal (Ctrl-C) sets the job's cancel flag, waits for it to stop
/// and raises.
fn interruptible<T: Send>(
    py: Python<'_>,
    threads: Option<usize>,
    job: impl FnOnce(&AtomicBool) -> T + Send,
) -> PyResult<T> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        pool = pool.num_threads(t);
    }
    let pool = pool
        .build()
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start the worker threads: {e}")))?;
    let cancel = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let (done, finished) = mpsc::channel();
        // A receiver is not Sync; the lock lets the GIL-free closure borrow it.
        let finished = Mutex::new(finished);
        let receive = |timeout: Option<Duration>| {
            let rx = finished.lock().unwrap_or_else(PoisonError::into_inner);
            match timeout {
                Some(t) => rx.recv_timeout(t),
                None => rx.recv().map_err(|_| mpsc::RecvTimeoutError::Disconnected),
            }
        };
        let (pool, cancel) = (&pool, &cancel);
        scope.spawn(move || {
            let _ = done.send(pool.install(|| job(cancel)));
        });
        loop {
            match py.detach(|| receive(Some(SIGNAL_CHECK))) {
                Ok(result) => return Ok(result),
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(PyRuntimeError::new_err("the run failed unexpectedly"));
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
            if let Err(signal) = py.check_signals() {
                cancel.store(true, Ordering::SeqCst);
                py.detach(|| {
                    let _ = receive(None);
                });
                return Err(signal);
            }
        }
    })
}

/// `simulate FILE --set ... --format json`: the report's JSON.
#[pyfunction]
#[pyo3(signature = (text, origin, overrides, paths=None, seed=None, threads=None, sampler="mc"))]
#[allow(clippy::too_many_arguments)]
fn run(
    py: Python<'_>,
    text: &str,
    origin: &str,
    overrides: Vec<String>,
    paths: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
    sampler: &str,
) -> PyResult<String> {
    let request = run_request(&overrides, paths, seed, sampler)?;
    let scenario = request
        .compile(text, origin)
        .map_err(|e| scenario_error(py, &e))?;
    if scenario.network.is_some() {
        return run_network(py, &scenario, &request, threads);
    }
    let report = interruptible(py, threads, |cancel| {
        request.run_compiled(&scenario, &NoProgress, cancel)
    })?
    .map_err(|e| request_error(py, origin, &e))?;
    if report.partial {
        return Err(PyRuntimeError::new_err("the run was cancelled"));
    }
    Ok(json::render(&report))
}

/// A network scenario's run (`simulate NETWORK --format json`): the network report's JSON,
/// with its entities.
fn run_network(
    py: Python<'_>,
    scenario: &Scenario,
    request: &RunRequest,
    threads: Option<usize>,
) -> PyResult<String> {
    let (paths, seed) = request.paths_and_seed(scenario);
    let sampler = request.sampler;
    let outcome = interruptible(py, threads, |cancel| {
        let options = RunOptions::new(Plan::whole(seed, paths))
            .sampler(sampler)
            .progress(&NoProgress)
            .cancel(cancel);
        breakeven::scenario_run::run(scenario, &options)
    })?
    .map_err(|e| match e {
        RunError::Path(e) => path_error(py, &scenario.origin, &e),
        other => PyValueError::new_err(format!("--sampler {}: {other}", sampler.name())),
    })?;
    if outcome.cancelled {
        return Err(PyRuntimeError::new_err("the run was cancelled"));
    }
    let facts = RunFacts::default();
    Ok(ScenarioReport::new(scenario, &outcome.summary, seed, sampler, paths, facts).json())
}

/// `simulate FILE --shard INDEX/COUNT`: the part file's JSON.
#[pyfunction]
#[pyo3(signature = (text, origin, overrides, index, count, paths=None, seed=None, threads=None, sampler="mc"))]
#[allow(clippy::too_many_arguments)]
fn run_shard(
    py: Python<'_>,
    text: &str,
    origin: &str,
    overrides: Vec<String>,
    index: u64,
    count: u64,
    paths: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
    sampler: &str,
) -> PyResult<String> {
    let request = run_request(&overrides, paths, seed, sampler)?;
    let scenario = request
        .compile(text, origin)
        .map_err(|e| scenario_error(py, &e))?;
    let (paths, seed) = request.paths_and_seed(&scenario);
    let shard: Shard = format!("{index}/{count}")
        .parse()
        .map_err(|e: String| PyValueError::new_err(format!("shard: {e}")))?;
    let plan = shard
        .plan(seed, paths)
        .map_err(|e| PyValueError::new_err(format!("shard {shard}: {e}")))?;
    let sampler = request.sampler;
    let outcome = interruptible(py, threads, |cancel| {
        let options = RunOptions::new(plan)
            .sampler(sampler)
            .progress(&NoProgress)
            .cancel(cancel);
        breakeven::scenario_run::run(&scenario, &options)
    })?
    .map_err(|e| match e {
        RunError::Path(e) => path_error(py, origin, &e),
        other => PyValueError::new_err(format!("--sampler {}: {other}", sampler.name())),
    })?;
    if outcome.cancelled {
        return Err(PyRuntimeError::new_err("the shard was cancelled"));
    }
    Ok(Part::new(&scenario, sampler, shard, &plan, &outcome.summary).to_json())
}

/// `simulate merge PART... --format json`: the merged report's JSON, from (name, JSON text)
/// pairs.
#[pyfunction]
fn merge(parts: Vec<(String, String)>) -> PyResult<String> {
    let parts = parts
        .into_iter()
        .map(|(name, text)| {
            serde_json::from_str::<Part>(&text)
                .map(|p| (name.clone(), p))
                .map_err(|e| PyValueError::new_err(format!("{name}: not a part file: {e}")))
        })
        .collect::<PyResult<Vec<_>>>()?;
    let merged = shard::merge(&parts).map_err(|e| PyValueError::new_err(e.to_string()))?;
    // As `simulate merge`: the median path's waterfall from the run's first paths.
    let scenario = &merged.scenario;
    let y = waterfall::year_index(scenario, waterfall::default_year(scenario))
        .expect("the default year is covered");
    let waterfall = waterfall::of_run(scenario, merged.seed, merged.paths, merged.sampler, y)
        .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    let report = breakeven::report::ScenarioReport::new(
        &merged.scenario,
        &merged.summary,
        merged.seed,
        merged.sampler,
        merged.paths,
        RunFacts::default(),
    )
    .with_waterfall(waterfall);
    Ok(json::render(&report))
}

/// `simulate sensitivity FILE --format json`: the tornado, rank correlations and "what must
/// be true" of an event (`threshold`) or of a metric's statistic in a year.
#[pyfunction]
#[pyo3(signature = (text, origin, overrides, paths=None, seed=None, threads=None, threshold=None, metric=None, year=None, statistic="median"))]
#[allow(clippy::too_many_arguments)]
fn sensitivity(
    py: Python<'_>,
    text: &str,
    origin: &str,
    overrides: Vec<String>,
    paths: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
    threshold: Option<&str>,
    metric: Option<&str>,
    year: Option<i32>,
    statistic: &str,
) -> PyResult<String> {
    let base = analysis_base(py, text, origin, &overrides)?;
    let scenario = base.scenario();
    let output = match (metric, year) {
        (Some(name), Some(year)) => {
            let statistic = match statistic {
                "median" => Statistic::Median,
                "mean" => Statistic::Mean,
                other => {
                    return Err(PyValueError::new_err(format!(
                        "statistic must be 'median' or 'mean', got {other:?}"
                    )));
                }
            };
            Output::metric(scenario, name, year, statistic)
                .map_err(|e| analysis_error(py, origin, &e))?
        }
        (None, None) => Output::Probability(
            Event::named(threshold.unwrap_or(Event::BREAK_EVEN), scenario)
                .map_err(|e| analysis_error(py, origin, &AnalysisError::from(e)))?,
        ),
        _ => return Err(PyValueError::new_err("metric and year go together")),
    };
    let plan = plan(scenario, paths, seed, sensitivity_analysis::DEFAULT_PATHS);
    let result = interruptible(py, threads, |_| {
        sensitivity_analysis::analyse(scenario, output, &plan, &NoProgress)
    })?
    .map_err(|e| analysis_error(py, origin, &e))?;
    Ok(result.json())
}

/// `simulate sweep FILE --param KEY=FROM..TO:STEPS [--param ...] --format json`.
#[pyfunction]
#[pyo3(signature = (text, origin, overrides, params, paths=None, seed=None, threads=None))]
#[allow(clippy::too_many_arguments)]
fn sweep(
    py: Python<'_>,
    text: &str,
    origin: &str,
    overrides: Vec<String>,
    params: Vec<String>,
    paths: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
) -> PyResult<String> {
    let base = analysis_base(py, text, origin, &overrides)?;
    let scenario = base.scenario();
    let plan = plan(
        scenario,
        paths,
        seed,
        scenario.defaults.paths.unwrap_or(DEFAULT_PATHS),
    );
    if params.is_empty() || params.len() > 2 {
        return Err(PyValueError::new_err(format!(
            "a sweep takes one or two params, got {}",
            params.len()
        )));
    }
    let axes = params
        .iter()
        .map(|p| {
            let spec: AxisSpec = p
                .parse()
                .map_err(|e: String| PyValueError::new_err(format!("param: {e}")))?;
            Axis::new(&base, &spec).map_err(|e| analysis_error(py, origin, &e))
        })
        .collect::<PyResult<Vec<_>>>()?;
    let result = interruptible(py, threads, |_| {
        breakeven::analysis::sweep::run(&base, &axes, &plan, &NoProgress)
    })?
    .map_err(|e| analysis_error(py, origin, &e))?;
    Ok(result.json())
}

/// `simulate solve FILE --param KEY[=FROM..TO] --target P [--threshold NAME] [--tolerance T]
/// --format json`: without a range, the input's own bounded support is searched.
#[pyfunction]
#[pyo3(signature = (text, origin, overrides, param, target, threshold="break_even", tolerance=None, paths=None, seed=None, threads=None))]
#[allow(clippy::too_many_arguments)]
fn solve(
    py: Python<'_>,
    text: &str,
    origin: &str,
    overrides: Vec<String>,
    param: &str,
    target: f64,
    threshold: &str,
    tolerance: Option<f64>,
    paths: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
) -> PyResult<String> {
    let base = analysis_base(py, text, origin, &overrides)?;
    let scenario = base.scenario();
    let plan = plan(scenario, paths, seed, goal_seek::DEFAULT_PATHS);
    let (parameter, bounds) =
        goal_seek::parameter_and_range(param, &base).map_err(|e| analysis_error(py, origin, &e))?;
    let event = Event::named(threshold, scenario)
        .map_err(|e| analysis_error(py, origin, &AnalysisError::from(e)))?;
    let problem = Problem::new(&base, parameter, bounds, event, target, tolerance)
        .map_err(|e| analysis_error(py, origin, &e))?;
    let solution = interruptible(py, threads, |_| {
        goal_seek::solve(&base, &problem, &plan, &NoProgress)
    })?
    .map_err(|e| analysis_error(py, origin, &e))?;
    Ok(solution.json())
}

/// `simulate compare A [B] [--set ...] --format json`: B is `b` (text, origin) when given,
/// else A with the overrides; both on the same paths.
#[pyfunction]
#[pyo3(signature = (text, origin, b, overrides, paths=None, seed=None, threads=None, sampler="mc"))]
#[allow(clippy::too_many_arguments)]
fn compare(
    py: Python<'_>,
    text: &str,
    origin: &str,
    b: Option<(String, String)>,
    overrides: Vec<String>,
    paths: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
    sampler: &str,
) -> PyResult<String> {
    let sampler = parse_sampler(sampler)?;
    let parsed = parse_overrides(&overrides)?;
    if b.is_none() && parsed.is_empty() {
        return Err(PyValueError::new_err(
            "compare needs a second scenario or at least one override to make B from A",
        ));
    }
    let a = scenario::parse(text, origin, &[]).map_err(|e| scenario_error(py, &e))?;
    let (text_b, origin_b) = b.unwrap_or_else(|| (text.to_string(), origin.to_string()));
    let b = scenario::parse(&text_b, &origin_b, &parsed).map_err(|e| scenario_error(py, &e))?;
    let plan = plan(&a, paths, seed, a.defaults.paths.unwrap_or(DEFAULT_PATHS));
    let result = interruptible(py, threads, |_| {
        breakeven::analysis::compare::compare(
            &a,
            &b,
            overrides.clone(),
            &plan,
            sampler,
            &NoProgress,
        )
    })?
    .map_err(|e| analysis_error(py, origin, &e))?;
    Ok(result.json())
}

/// Per-path values, the columns of `simulate FILE --paths-out` (same names, same order, same
/// values; a year not within the horizon is NaN): `names`, and `data`, the little-endian f64
/// bytes of a paths x columns row-major array for `numpy.frombuffer`. `metrics` by year,
/// else the command line's default ones.
#[pyfunction]
#[pyo3(signature = (text, origin, overrides, paths=None, seed=None, sampler="mc", metrics=None))]
#[allow(clippy::too_many_arguments)]
fn path_values<'py>(
    py: Python<'py>,
    text: &str,
    origin: &str,
    overrides: Vec<String>,
    paths: Option<u64>,
    seed: Option<u64>,
    sampler: &str,
    metrics: Option<Vec<String>>,
) -> PyResult<Bound<'py, PyDict>> {
    let request = run_request(&overrides, paths, seed, sampler)?;
    let scenario = compile_single_firm(py, &request, text, origin, "per-path values")?;
    let metrics = match metrics {
        None => DEFAULT_METRICS.to_vec(),
        Some(names) => names
            .iter()
            .map(|m| {
                Metric::from_name(m).ok_or_else(|| {
                    let names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
                    PyValueError::new_err(format!(
                        "unknown metric {m:?} (expected one of {})",
                        names.join(", ")
                    ))
                })
            })
            .collect::<PyResult<Vec<Metric>>>()?,
    };
    let (paths, seed) = request.paths_and_seed(&scenario);
    let sampler = request.sampler;
    let columns = PathColumns::new(&scenario, &metrics);
    let names = columns.names(&scenario);
    let (visited, data) = interruptible(py, Some(1), |cancel| {
        let mut data = Vec::with_capacity(paths as usize * names.len());
        let options = RunOptions::new(Plan::whole(seed, paths))
            .sampler(sampler)
            .progress(&NoProgress)
            .cancel(cancel);
        simulation::visit_paths(&scenario, &options, |path| {
            columns.values(&scenario, path, &mut data);
        })
        .map(|visited| (visited, data))
    })?
    .map_err(|e| match e {
        RunError::Path(e) => path_error(py, origin, &e),
        other => PyValueError::new_err(format!("--sampler {}: {other}", sampler.name())),
    })?;
    if visited < paths {
        return Err(PyRuntimeError::new_err("the run was cancelled"));
    }
    let raw: Vec<u8> = data.iter().flat_map(|x| x.to_le_bytes()).collect();
    let out = PyDict::new(py);
    out.set_item("names", names)?;
    out.set_item("data", PyBytes::new(py, &raw))?;
    out.set_item("paths", paths)?;
    Ok(out)
}

/// Compiles a scenario and returns its canonical TOML, or raises ScenarioError (`simulate
/// check`).
#[pyfunction]
#[pyo3(signature = (text, origin, overrides))]
fn check(py: Python<'_>, text: &str, origin: &str, overrides: Vec<String>) -> PyResult<String> {
    scenario::parse(text, origin, &parse_overrides(&overrides)?)
        .map(|s| s.canonical_toml())
        .map_err(|e| scenario_error(py, &e))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ScenarioError", m.py().get_type::<ScenarioError>())?;
    m.add("VERSION", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(run_shard, m)?)?;
    m.add_function(wrap_pyfunction!(merge, m)?)?;
    m.add_function(wrap_pyfunction!(sensitivity, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(solve, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(path_values, m)?)?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    Ok(())
}
