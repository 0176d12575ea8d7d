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

use breakeven::analysis::sensitivity::{Output, Statistic, analyse};
use breakeven::analysis::solve::Problem;
use breakeven::analysis::sweep::{Axis, AxisSpec, parse_bounds};
use breakeven::analysis::waterfall;
use breakeven::analysis::{AnalysisError, Base, Event, Parameter};
use breakeven::engine::{NoProgress, Plan};
use breakeven::model::Metric;
use breakeven::report::{Exporter, RunFacts, json};
use breakeven::run_request::{RunRequest, RunRequestError};
use breakeven::sampler::Sampler;
use breakeven::scenario::{self, Override, ScenarioError as LibScenarioError};
use breakeven::scenario_run::MetricKey;
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
    let request = RunRequest {
        overrides: parse_overrides(&overrides)?,
        paths,
        seed,
        sampler: parse_sampler(sampler)?,
    };
    let done = interruptible(py, threads, |cancel| {
        request.run(text, origin, &NoProgress, cancel)
    })?
    .map_err(|e| request_error(py, origin, &e))?;
    if done.report.partial {
        return Err(PyRuntimeError::new_err("the run was cancelled"));
    }
    Ok(json::render(&done.report))
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
    let request = RunRequest {
        overrides: parse_overrides(&overrides)?,
        paths,
        seed,
        sampler: parse_sampler(sampler)?,
    };
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
        let options = RunOptions {
            plan,
            sampler,
            progress: &NoProgress,
            cancel,
        };
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
#[pyo3(signature = (text, origin, overrides, paths, seed=None, threads=None, threshold=None, metric=None, year=None, statistic="median"))]
#[allow(clippy::too_many_arguments)]
fn sensitivity(
    py: Python<'_>,
    text: &str,
    origin: &str,
    overrides: Vec<String>,
    paths: u64,
    seed: Option<u64>,
    threads: Option<usize>,
    threshold: Option<&str>,
    metric: Option<&str>,
    year: Option<i32>,
    statistic: &str,
) -> PyResult<String> {
    let base = Base::new(text.to_string(), origin, parse_overrides(&overrides)?)
        .map_err(|e| scenario_error(py, &e))?;
    let scenario = base.scenario();
    let output = match (metric, year) {
        (Some(name), Some(year)) => {
            let metric = MetricKey::named(name, scenario)
                .map_err(|problem| PyValueError::new_err(format!("metric {name:?}: {problem}")))?;
            if year < scenario.start_year || year > scenario.horizon {
                return Err(PyValueError::new_err(format!(
                    "year {year} is outside the simulated years {}-{}",
                    scenario.start_year, scenario.horizon
                )));
            }
            let statistic = match statistic {
                "median" => Statistic::Median,
                "mean" => Statistic::Mean,
                other => {
                    return Err(PyValueError::new_err(format!(
                        "statistic must be 'median' or 'mean', got {other:?}"
                    )));
                }
            };
            Output::Metric {
                metric,
                year: (year - scenario.start_year) as usize,
                statistic,
            }
        }
        (None, None) => Output::Probability(
            Event::named(threshold.unwrap_or(Event::BREAK_EVEN), scenario)
                .map_err(|e| analysis_error(py, origin, &AnalysisError::from(e)))?,
        ),
        _ => return Err(PyValueError::new_err("metric and year go together")),
    };
    let seed = seed
        .or(scenario.defaults.seed)
        .unwrap_or(breakeven::run_request::DEFAULT_SEED);
    let plan = Plan::whole(seed, paths);
    let result = interruptible(py, threads, |_| {
        analyse(scenario, output, &plan, &NoProgress)
    })?
    .map_err(|e| analysis_error(py, origin, &e))?;
    Ok(result.json())
}

/// The analyses' shared start: the base scenario and the plan of every run (`paths`, else
/// `default_paths`; the seed as the command line defaults it).
fn analysis_base(
    py: Python<'_>,
    text: &str,
    origin: &str,
    overrides: &[String],
    paths: Option<u64>,
    seed: Option<u64>,
    default_paths: u64,
) -> PyResult<(Base, Plan)> {
    let base = Base::new(text.to_string(), origin, parse_overrides(overrides)?)
        .map_err(|e| scenario_error(py, &e))?;
    let scenario = base.scenario();
    let seed = seed
        .or(scenario.defaults.seed)
        .unwrap_or(breakeven::run_request::DEFAULT_SEED);
    let paths = paths.unwrap_or(default_paths);
    Ok((base, Plan::whole(seed, paths)))
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
    let default_paths = scenario::parse(text, origin, &parse_overrides(&overrides)?)
        .map_err(|e| scenario_error(py, &e))?
        .defaults
        .paths
        .unwrap_or(breakeven::run_request::DEFAULT_PATHS);
    let (base, plan) = analysis_base(py, text, origin, &overrides, paths, seed, default_paths)?;
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

/// `simulate solve FILE --param KEY=FROM..TO --target P [--threshold NAME] [--tolerance T]
/// --format json` (the range is required here).
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
    let (base, plan) = analysis_base(py, text, origin, &overrides, paths, seed, 20_000)?;
    let spec: AxisSpec = param.parse().map_err(|_| {
        PyValueError::new_err(format!(
            "param must be KEY=FROM..TO (the range to search), got {param:?}"
        ))
    })?;
    let scenario = base.scenario();
    let parameter =
        Parameter::new(&spec.key, scenario).map_err(|e| analysis_error(py, origin, &e))?;
    let bounds = parse_bounds(&spec.text).map_err(|problem| {
        analysis_error(
            py,
            origin,
            &AnalysisError::Range {
                key: spec.key.clone(),
                text: spec.text.clone(),
                problem,
            },
        )
    })?;
    let event = Event::named(threshold, scenario)
        .map_err(|e| analysis_error(py, origin, &AnalysisError::from(e)))?;
    let problem = Problem::new(&base, parameter, bounds, event, target, tolerance)
        .map_err(|e| analysis_error(py, origin, &e))?;
    let solution = interruptible(py, threads, |_| {
        breakeven::analysis::solve::solve(&base, &problem, &plan, &NoProgress)
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
    let seed = seed
        .or(a.defaults.seed)
        .unwrap_or(breakeven::run_request::DEFAULT_SEED);
    let plan = Plan::whole(
        seed,
        paths
            .or(a.defaults.paths)
            .unwrap_or(breakeven::run_request::DEFAULT_PATHS),
    );
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

/// Per-path values: every input's draw, the break-even and payback year index (-1 for not
/// within the horizon), the funding gap and NPV, each threshold met (1.0 or 0.0), and each of
/// `metrics` in every year. Columns are little-endian f64 bytes for `numpy.frombuffer`;
/// metric columns are paths x years, row-major.
#[pyfunction]
#[pyo3(signature = (text, origin, overrides, paths=None, seed=None, sampler="mc", metrics=vec![]))]
#[allow(clippy::too_many_arguments)]
fn path_values<'py>(
    py: Python<'py>,
    text: &str,
    origin: &str,
    overrides: Vec<String>,
    paths: Option<u64>,
    seed: Option<u64>,
    sampler: &str,
    metrics: Vec<String>,
) -> PyResult<Bound<'py, PyDict>> {
    let request = RunRequest {
        overrides: parse_overrides(&overrides)?,
        paths,
        seed,
        sampler: parse_sampler(sampler)?,
    };
    let scenario = request
        .compile(text, origin)
        .map_err(|e| scenario_error(py, &e))?;
    let metrics = metrics
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
        .collect::<PyResult<Vec<Metric>>>()?;
    let (paths, seed) = request.paths_and_seed(&scenario);
    let sampler = request.sampler;
    let years = scenario.years();
    let inputs = scenario.inputs.len();
    let thresholds = scenario.thresholds.len();
    let columns = interruptible(py, Some(1), |cancel| {
        let n = paths as usize;
        let mut input_columns = vec![Vec::with_capacity(n); inputs];
        let mut threshold_columns = vec![Vec::with_capacity(n); thresholds];
        let mut metric_columns = vec![Vec::with_capacity(n * years); metrics.len()];
        let mut scalars = [(); 4].map(|_| Vec::with_capacity(n));
        let options = RunOptions {
            plan: Plan::whole(seed, paths),
            sampler,
            progress: &NoProgress,
            cancel,
        };
        let year_index = |y: Option<usize>| y.map_or(-1.0, |y| y as f64);
        simulation::visit_paths(&scenario, &options, |path| {
            for (column, &x) in input_columns.iter_mut().zip(path.inputs) {
                column.push(x);
            }
            let t = path.trajectory;
            for (column, threshold) in threshold_columns.iter_mut().zip(&scenario.thresholds) {
                column.push(f64::from(u8::from(
                    threshold.is_met(t, scenario.start_year),
                )));
            }
            scalars[0].push(year_index(t.break_even));
            scalars[1].push(year_index(t.payback));
            scalars[2].push(t.funding_gap);
            scalars[3].push(t.npv);
            for (column, &m) in metric_columns.iter_mut().zip(&metrics) {
                column.extend_from_slice(t.series(m));
            }
        })
        .map(|visited| {
            (
                visited,
                input_columns,
                threshold_columns,
                scalars,
                metric_columns,
            )
        })
    })?
    .map_err(|e| match e {
        RunError::Path(e) => path_error(py, origin, &e),
        other => PyValueError::new_err(format!("--sampler {}: {other}", sampler.name())),
    })?;
    let (visited, input_columns, threshold_columns, scalars, metric_columns) = columns;
    if visited < paths {
        return Err(PyRuntimeError::new_err("the run was cancelled"));
    }
    let bytes = |v: &[f64]| {
        let raw: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
        PyBytes::new(py, &raw)
    };
    let out = PyDict::new(py);
    let section = |entries: Vec<(String, Bound<'py, PyBytes>)>| -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in entries {
            d.set_item(k, v)?;
        }
        Ok(d)
    };
    out.set_item(
        "inputs",
        section(
            scenario
                .inputs
                .iter()
                .zip(&input_columns)
                .map(|(i, c)| (i.key.clone(), bytes(c)))
                .collect(),
        )?,
    )?;
    out.set_item(
        "thresholds",
        section(
            scenario
                .thresholds
                .iter()
                .zip(&threshold_columns)
                .map(|(t, c)| (t.name.clone(), bytes(c)))
                .collect(),
        )?,
    )?;
    out.set_item(
        "outcomes",
        section(
            [
                "break_even_year_index",
                "payback_year_index",
                "funding_gap",
                "npv",
            ]
            .iter()
            .zip(&scalars)
            .map(|(k, c)| (k.to_string(), bytes(c)))
            .collect(),
        )?,
    )?;
    out.set_item(
        "metrics",
        section(
            metrics
                .iter()
                .zip(&metric_columns)
                .map(|(m, c)| (m.name().to_string(), bytes(c)))
                .collect(),
        )?,
    )?;
    out.set_item("paths", paths)?;
    out.set_item("start_year", scenario.start_year)?;
    out.set_item("years", years)?;
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
