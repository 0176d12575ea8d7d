//! The adversarial campaign: the bundled scenarios, mutated by proptest into malformed and
//! extreme ones, must never crash the simulator nor make it print a wrong number.
//!
//! Each case starts from a bundled scenario (`scenarios/openai.toml`, the network of
//! `scenarios/network.toml` and the scenarios in `tests/data/`) and applies one to three mutations: delete a key, duplicate a line, change a
//! value's type, put an extreme number at a numeric leaf (0, -1, ±1e308, NaN, ±inf, 5e-324,
//! i64 extremes, an integer too large for any TOML reader), replace an input by an empty or a
//! very long discrete list or by a distribution with impossible parameters, stretch the
//! horizon to up to 200 years, set an extreme growth rate, nest values thousands deep, or grow
//! the file to megabytes (a long comment, thousands of thresholds or streams).
//!
//! Invariant, checked in-process for every case: the scenario is rejected with one error line
//! naming a key (or, for text that is not TOML, a line); or it runs and every reported number
//! is finite, every probability lies in [0, 1] inside its interval, and quantiles are monotone;
//! or a path fails with a message naming the year, the quantity and (for a single firm) the
//! input most likely at fault. A network's report is checked the same way: its thresholds,
//! every entity's events and distributions, the network's series, round trips and contagion. Every 10th case also runs the `simulate` binary: exit 0 with a JSON report on stdout
//! and nothing on stderr, or exit 2 with exactly one `error:` line; never a panic, never exit
//! 101, never longer than [`HANG_BOUND`].
//!
//! The run is seeded: `ADVERSARIAL_SEED` (default 20251123) and `PROPTEST_CASES` (default
//! 240) choose a longer campaign, e.g.
//! `PROPTEST_CASES=20000 ADVERSARIAL_SEED=7 cargo test --release --test it adversarial -- --nocapture`.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use breakeven::engine::Plan;
use breakeven::model::Metric;
use breakeven::report::network::NetworkReport;
use breakeven::report::{Distribution, Probability, Report, RunFacts, ScenarioReport};
use breakeven::sampler::Sampler;
use breakeven::scenario::{self, Scenario};
use breakeven::scenario_run;
use breakeven::simulation::{RunError, RunOptions};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use toml::{Table, Value};

/// The longest a binary case may run before it counts as a hang.
const HANG_BOUND: Duration = Duration::from_secs(30);
/// Paths per in-process case: one chunk.
const PATHS: u64 = 256;

fn bases() -> Vec<(&'static str, String)> {
    let mut bases = vec![
        (
            "openai.toml",
            include_str!("../../scenarios/openai.toml").to_string(),
        ),
        (
            "network.toml",
            include_str!("../../scenarios/network.toml").to_string(),
        ),
    ];
    for name in ["industry.toml", "open-weights.toml", "bull-gdp.toml"] {
        let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
        if let Ok(text) = std::fs::read_to_string(path) {
            bases.push((name, text));
        }
    }
    bases
}

/// A step of a path into a TOML document.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Item(usize),
}

type Path = Vec<Step>;

fn path_text(path: &Path) -> String {
    let mut s = String::new();
    for step in path {
        match step {
            Step::Key(k) if s.is_empty() => s.push_str(k),
            Step::Key(k) => {
                s.push('.');
                s.push_str(k);
            }
            Step::Item(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// Every path in the document, tables, arrays and leaves, in document order.
fn all_paths(doc: &Table) -> Vec<Path> {
    fn walk(prefix: &Path, value: &Value, out: &mut Vec<Path>) {
        match value {
            Value::Table(t) => {
                for (k, v) in t {
                    let mut p = prefix.clone();
                    p.push(Step::Key(k.clone()));
                    out.push(p.clone());
                    walk(&p, v, out);
                }
            }
            Value::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    let mut p = prefix.clone();
                    p.push(Step::Item(i));
                    out.push(p.clone());
                    walk(&p, v, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(&Vec::new(), &Value::Table(doc.clone()), &mut out);
    out
}

fn get<'a>(doc: &'a Table, path: &Path) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let Step::Key(k) = first else { return None };
    let mut v = doc.get(k)?;
    for step in rest {
        v = match (step, v) {
            (Step::Key(k), Value::Table(t)) => t.get(k)?,
            (Step::Item(i), Value::Array(a)) => a.get(*i)?,
            _ => return None,
        };
    }
    Some(v)
}

fn get_mut<'a>(doc: &'a mut Table, path: &Path) -> Option<&'a mut Value> {
    let (first, rest) = path.split_first()?;
    let Step::Key(k) = first else { return None };
    let mut v = doc.get_mut(k)?;
    for step in rest {
        v = match (step, v) {
            (Step::Key(k), Value::Table(t)) => t.get_mut(k)?,
            (Step::Item(i), Value::Array(a)) => a.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(v)
}

fn remove(doc: &mut Table, path: &Path) {
    let Some((last, parent)) = path.split_last() else {
        return;
    };
    let container = if parent.is_empty() {
        None
    } else {
        get_mut(doc, &parent.to_vec())
    };
    match (last, container) {
        (Step::Key(k), None) => {
            doc.remove(k);
        }
        (Step::Key(k), Some(Value::Table(t))) => {
            t.remove(k);
        }
        (Step::Item(i), Some(Value::Array(a))) if *i < a.len() => {
            a.remove(*i);
        }
        _ => {}
    }
}

/// Paths of the scenario's inputs: values under the input tables that are numbers or
/// distribution tables.
fn input_paths(doc: &Table) -> Vec<Path> {
    all_paths(doc)
        .into_iter()
        .filter(|p| {
            let Some(Step::Key(section)) = p.first() else {
                return false;
            };
            let depth = match section.as_str() {
                "finance" | "capex" | "subscriptions" | "costs" => 2,
                "streams" | "shocks" | "commitments" => 3,
                _ => return false,
            };
            p.len() == depth
                && match get(doc, p) {
                    Some(Value::Float(_) | Value::Integer(_)) => true,
                    Some(Value::Table(t)) => t.contains_key("dist") || t.contains_key("value"),
                    _ => false,
                }
        })
        .collect()
}

fn numeric_paths(doc: &Table) -> Vec<Path> {
    all_paths(doc)
        .into_iter()
        .filter(|p| matches!(get(doc, p), Some(Value::Float(_) | Value::Integer(_))))
        .collect()
}

/// Marker replaced by a literal after serialisation, for text TOML values cannot hold.
const HUGE_INTEGER: &str = "__HUGE_INTEGER__";

#[derive(Debug, Clone, Copy)]
enum Extreme {
    Zero,
    MinusOne,
    Max,
    Min,
    Nan,
    Inf,
    MinusInf,
    Subnormal,
    I64Max,
    I64Min,
    /// An integer literal beyond i64: not valid TOML.
    Huge,
}

impl Extreme {
    fn value(self) -> Value {
        match self {
            Extreme::Zero => Value::Float(0.0),
            Extreme::MinusOne => Value::Integer(-1),
            Extreme::Max => Value::Float(1e308),
            Extreme::Min => Value::Float(-1e308),
            Extreme::Nan => Value::Float(f64::NAN),
            Extreme::Inf => Value::Float(f64::INFINITY),
            Extreme::MinusInf => Value::Float(f64::NEG_INFINITY),
            Extreme::Subnormal => Value::Float(5e-324),
            Extreme::I64Max => Value::Integer(i64::MAX),
            Extreme::I64Min => Value::Integer(i64::MIN),
            Extreme::Huge => Value::String(HUGE_INTEGER.into()),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum NewType {
    String,
    Bool,
    Array,
    Table,
    Datetime,
}

impl NewType {
    fn value(self) -> Value {
        match self {
            NewType::String => Value::String("not a number".into()),
            NewType::Bool => Value::Boolean(true),
            NewType::Array => Value::Array(vec![Value::Integer(1), Value::Integer(2)]),
            NewType::Table => {
                let mut t = Table::new();
                t.insert("x".into(), Value::Integer(1));
                Value::Table(t)
            }
            NewType::Datetime => Value::Datetime("1979-05-27T07:32:00Z".parse().unwrap()),
        }
    }
}

/// Distribution tables with impossible or hostile parameters.
const IMPOSSIBLE: [&str; 25] = [
    r#"{ dist = "uniform", min = 2, max = 1 }"#,
    r#"{ dist = "uniform", min = -1e308, max = 1e308 }"#,
    r#"{ dist = "triangular", min = 0, mode = 5, max = 1 }"#,
    r#"{ dist = "pert", min = 0, mode = 0.5, max = 1, shape = -4 }"#,
    r#"{ dist = "normal", mean = 0.5, sd = -1 }"#,
    r#"{ dist = "normal", mean = 0.5, sd = 0 }"#,
    r#"{ dist = "normal", mean = 0.5, sd = 1e308 }"#,
    r#"{ dist = "lognormal", ci90 = [5, 1] }"#,
    r#"{ dist = "lognormal", ci90 = [0, 1] }"#,
    r#"{ dist = "lognormal", ci90 = [1] }"#,
    r#"{ dist = "lognormal", mu = 1000, sigma = 1 }"#,
    r#"{ dist = "lognormal", mu = 0, sigma = 1e308 }"#,
    r#"{ dist = "beta", alpha = 0, beta = 1 }"#,
    r#"{ dist = "beta", alpha = 1e-300, beta = 1e300 }"#,
    r#"{ dist = "beta", alpha = 0.01, beta = 0.01, truncate = [0.2, 0.9] }"#,
    r#"{ dist = "pert", min = 0, mode = 0.5, max = 1, shape = 1e300 }"#,
    r#"{ dist = "pert", min = 0.1, mode = 0.1, max = 0.2, shape = 1e6, truncate = [0.1, 0.15] }"#,
    r#"{ dist = "discrete", values = [1, 2], weights = [1] }"#,
    r#"{ dist = "discrete", values = [1, 2], weights = [-1, 2] }"#,
    r#"{ dist = "discrete", values = [1, 2], weights = [1e308, 1e308] }"#,
    r#"{ dist = "uniform", min = 0, max = 1, truncate = [1, 0] }"#,
    r#"{ dist = "normal", mean = 0, sd = 1, truncate = [50, 60] }"#,
    r#"{ dist = "normal", mean = 0.5, sd = 0.1, truncate = [-inf, inf] }"#,
    r#"{ dist = "cauchy", min = 0, max = 1 }"#,
    r#"{ dist = "uniform", min = 0, max = 1, scale = 2 }"#,
];

#[derive(Debug, Clone)]
enum Mutation {
    Delete(Index),
    DuplicateLine(Index),
    ChangeType(Index, NewType),
    Extreme(Index, Extreme),
    EmptyDiscrete(Index),
    LongDiscrete(Index, usize),
    Impossible(Index, usize),
    Horizon(i64),
    Growth(Index, f64),
    DeepNesting(usize, bool),
    LongComment(usize),
    ManyThresholds(usize),
    ManyStreams(usize),
}

impl Mutation {
    /// Whether, applied alone, any error it causes must name the mutated key's table.
    fn is_local(&self) -> bool {
        matches!(self, Mutation::ChangeType(..) | Mutation::Extreme(..))
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let extreme = prop_oneof![
        Just(Extreme::Zero),
        Just(Extreme::MinusOne),
        Just(Extreme::Max),
        Just(Extreme::Min),
        Just(Extreme::Nan),
        Just(Extreme::Inf),
        Just(Extreme::MinusInf),
        Just(Extreme::Subnormal),
        Just(Extreme::I64Max),
        Just(Extreme::I64Min),
        Just(Extreme::Huge),
    ];
    let new_type = prop_oneof![
        Just(NewType::String),
        Just(NewType::Bool),
        Just(NewType::Array),
        Just(NewType::Table),
        Just(NewType::Datetime),
    ];
    prop_oneof![
        3 => any::<Index>().prop_map(Mutation::Delete),
        2 => any::<Index>().prop_map(Mutation::DuplicateLine),
        3 => (any::<Index>(), new_type).prop_map(|(i, t)| Mutation::ChangeType(i, t)),
        6 => (any::<Index>(), extreme).prop_map(|(i, e)| Mutation::Extreme(i, e)),
        1 => any::<Index>().prop_map(Mutation::EmptyDiscrete),
        1 => (any::<Index>(), prop_oneof![Just(1000usize), Just(200_000)])
            .prop_map(|(i, n)| Mutation::LongDiscrete(i, n)),
        3 => (any::<Index>(), 0..IMPOSSIBLE.len()).prop_map(|(i, k)| Mutation::Impossible(i, k)),
        2 => prop_oneof![Just(0i64), Just(1), Just(49), Just(199), Just(200), Just(-1)]
            .prop_map(Mutation::Horizon),
        2 => (
            any::<Index>(),
            prop_oneof![Just(3.0), Just(10.0), Just(1000.0), Just(-0.999_999), Just(1e6)]
        )
            .prop_map(|(i, g)| Mutation::Growth(i, g)),
        1 => (prop_oneof![Just(10usize), Just(1000), Just(200_000)], any::<bool>())
            .prop_map(|(d, t)| Mutation::DeepNesting(d, t)),
        1 => prop_oneof![Just(1usize << 20), Just(4 << 20)].prop_map(Mutation::LongComment),
        1 => prop_oneof![Just(100usize), Just(3000)].prop_map(Mutation::ManyThresholds),
        1 => prop_oneof![Just(50usize), Just(1500)].prop_map(Mutation::ManyStreams),
    ]
}

#[derive(Debug, Clone)]
struct Case {
    base: Index,
    mutations: Vec<Mutation>,
}

fn case() -> impl Strategy<Value = Case> {
    (any::<Index>(), prop::collection::vec(mutation(), 1..=3))
        .prop_map(|(base, mutations)| Case { base, mutations })
}

/// A case made concrete: the scenario text, and the key a local mutation touched.
struct Built {
    text: String,
    local_key: Option<String>,
    /// Whether the text is expected not to be TOML (the error then names a line, not a key).
    not_toml: bool,
}

fn pick(paths: &[Path], i: &Index) -> Option<Path> {
    (!paths.is_empty()).then(|| paths[i.index(paths.len())].clone())
}

fn build(case: &Case, bases: &[(&str, String)]) -> Built {
    let (_, base) = &bases[case.base.index(bases.len())];
    let mut doc: Table = toml::from_str(base).expect("bundled scenarios parse");
    let mut local_key = None;
    let mut text_edits: Vec<&Mutation> = Vec::new();
    let mut not_toml = false;
    for m in &case.mutations {
        match m {
            Mutation::Delete(i) => {
                if let Some(p) = pick(&all_paths(&doc), i) {
                    remove(&mut doc, &p);
                }
            }
            Mutation::ChangeType(i, t) => {
                if let Some(p) = pick(&all_paths(&doc), i) {
                    *get_mut(&mut doc, &p).unwrap() = t.value();
                    local_key = Some(path_text(&p));
                }
            }
            Mutation::Extreme(i, e) => {
                if let Some(p) = pick(&numeric_paths(&doc), i) {
                    *get_mut(&mut doc, &p).unwrap() = e.value();
                    local_key = Some(path_text(&p));
                    not_toml |= matches!(e, Extreme::Huge);
                }
            }
            Mutation::EmptyDiscrete(i)
            | Mutation::LongDiscrete(i, _)
            | Mutation::Impossible(i, _) => {
                if let Some(p) = pick(&input_paths(&doc), i) {
                    let text = match m {
                        Mutation::EmptyDiscrete(_) => {
                            r#"{ dist = "discrete", values = [] }"#.into()
                        }
                        Mutation::LongDiscrete(_, n) => {
                            // Values spread over [0.5, 1.5] times the input's typical scale.
                            let values: Vec<String> = (0..*n)
                                .map(|k| format!("{}", 1.0 + (k % 97) as f64 / 97.0))
                                .collect();
                            format!(
                                "{{ dist = \"discrete\", values = [{}] }}",
                                values.join(", ")
                            )
                        }
                        Mutation::Impossible(_, k) => IMPOSSIBLE[*k].to_string(),
                        _ => unreachable!(),
                    };
                    let value: Table = toml::from_str(&format!("v = {text}")).unwrap();
                    *get_mut(&mut doc, &p).unwrap() = value["v"].clone();
                }
            }
            Mutation::Horizon(years) => {
                if let Some(Value::Table(s)) = doc.get_mut("scenario") {
                    let start = s
                        .get("start_year")
                        .and_then(Value::as_integer)
                        .unwrap_or(2025);
                    s.insert("horizon".into(), Value::Integer(start + years));
                }
            }
            Mutation::Growth(i, g) => {
                let growth: Vec<Path> = input_paths(&doc)
                    .into_iter()
                    .filter(|p| path_text(p).contains("growth"))
                    .collect();
                if let Some(p) = pick(&growth, i) {
                    *get_mut(&mut doc, &p).unwrap() = Value::Float(*g);
                }
            }
            Mutation::DuplicateLine(_)
            | Mutation::DeepNesting(..)
            | Mutation::LongComment(_)
            | Mutation::ManyThresholds(_)
            | Mutation::ManyStreams(_) => text_edits.push(m),
        }
    }
    let mut text = toml::to_string(&doc).expect("a table serialises");
    text = text.replace(
        &format!("\"{HUGE_INTEGER}\""),
        "123456789012345678901234567890",
    );
    for m in text_edits {
        match m {
            Mutation::DuplicateLine(i) => {
                let lines: Vec<&str> = text.lines().collect();
                let assignments: Vec<usize> = (0..lines.len())
                    .filter(|&k| lines[k].contains(" = "))
                    .collect();
                if let Some(&k) = assignments.get(i.index(assignments.len().max(1))) {
                    let mut out: Vec<&str> = lines.clone();
                    out.insert(k + 1, lines[k]);
                    text = out.join("\n") + "\n";
                    not_toml = true;
                }
            }
            Mutation::DeepNesting(depth, tables) => {
                not_toml |= *depth > 100;
                let (open, close) = if *tables {
                    ("{ a = ", " }")
                } else {
                    ("[", "]")
                };
                text = format!(
                    "{text}\n[nested]\nvalue = {}1{}\n",
                    open.repeat(*depth),
                    close.repeat(*depth)
                );
            }
            Mutation::LongComment(bytes) => {
                let line = format!("# {}\n", "x".repeat(98));
                text = format!("{}{text}", line.repeat(bytes / 100));
            }
            Mutation::ManyThresholds(n) => {
                for k in 0..*n {
                    text.push_str(&format!(
                        "\n[thresholds.generated_{k}]\nmetric = \"revenue\"\nby = 2030\nop = \">=\"\nvalue = {}e9\n",
                        k % 500
                    ));
                }
            }
            Mutation::ManyStreams(n) => {
                for k in 0..*n {
                    text.push_str(&format!(
                        "\n[streams.generated_{k}]\nrevenue = {{ dist = \"uniform\", min = 1e6, max = 1e9 }}\ngrowth = {{ dist = \"normal\", mean = 0.1, sd = 0.3, truncate = [-0.5, 2] }}\nvolatility = 0.2\n",
                    ));
                }
            }
            _ => unreachable!(),
        }
    }
    let local = case.mutations.len() == 1 && case.mutations[0].is_local();
    Built {
        text,
        local_key: if local { local_key } else { None },
        not_toml,
    }
}

/// What a case ended as, for the campaign's tally.
#[derive(Debug, Default)]
struct Tally {
    cases: u64,
    rejected: u64,
    ran: u64,
    path_errors: u64,
    binary_runs: u64,
    slowest_binary: Duration,
}

fn check_probability(p: &Probability, what: &str) -> Result<(), TestCaseError> {
    let [lo, hi] = p.ci95;
    prop_assert!(
        (0.0..=1.0).contains(&p.probability)
            && 0.0 <= lo
            && lo <= p.probability
            && p.probability <= hi
            && hi <= 1.0,
        "{what}: probability {} outside [0, 1] or its interval [{lo}, {hi}]",
        p.probability
    );
    Ok(())
}

fn check_distribution(d: &Distribution, what: &str) -> Result<(), TestCaseError> {
    let all = [d.mean, d.sd, d.min, d.p5, d.p10, d.p50, d.p90, d.p95, d.max];
    for x in all.into_iter().flatten() {
        prop_assert!(x.is_finite(), "{what}: {x} is not finite");
    }
    let ordered = [d.min, d.p5, d.p10, d.p50, d.p90, d.p95, d.max];
    for pair in ordered.windows(2) {
        if let (Some(a), Some(b)) = (pair[0], pair[1]) {
            prop_assert!(a <= b, "{what}: quantiles not monotone: {ordered:?}");
        }
    }
    if let (Some(mean), Some(min), Some(max)) = (d.mean, d.min, d.max) {
        let slack = 1e-12 * min.abs().max(max.abs());
        prop_assert!(
            min - slack <= mean && mean <= max + slack,
            "{what}: mean {mean} outside [{min}, {max}]"
        );
    }
    Ok(())
}

fn check_report(r: &Report) -> Result<(), TestCaseError> {
    for t in &r.thresholds {
        check_probability(&t.estimate, &t.name)?;
    }
    let be = &r.break_even;
    check_probability(&be.operating.within_horizon, "operating break-even")?;
    check_probability(&be.cash_payback.within_horizon, "cash payback")?;
    for p in &be.profitable_by_year {
        check_probability(&p.estimate, "profitable in a year")?;
    }
    check_distribution(&be.funding_gap, "funding_gap")?;
    check_distribution(&be.npv, "npv")?;
    for m in &r.metrics {
        for y in &m.years {
            check_distribution(&y.distribution, &format!("{} {}", m.name, y.year))?;
        }
    }
    Ok(())
}

fn check_network_report(r: &NetworkReport) -> Result<(), TestCaseError> {
    for t in &r.thresholds {
        check_probability(&t.estimate, &t.name)?;
    }
    for (name, e) in &r.entities {
        for (what, ev) in [
            ("break-even", &e.break_even),
            ("payback", &e.payback),
            ("default", &e.default),
        ] {
            check_probability(&ev.within_horizon, &format!("{name} {what}"))?;
        }
        for t in &e.thresholds {
            check_probability(&t.estimate, &format!("{name} {}", t.name))?;
        }
        for (what, d) in [
            ("funding_drawn", &e.funding_drawn),
            ("funding_gap", &e.funding_gap),
            ("npv", &e.npv),
            ("revenue_lost", &e.revenue_lost),
        ] {
            check_distribution(d, &format!("{name} {what}"))?;
        }
        for m in &e.metrics {
            for y in &m.years {
                check_distribution(&y.distribution, &format!("{name} {} {}", m.name, y.year))?;
            }
        }
    }
    let n = &r.network;
    for (what, series) in [
        ("gross", &n.gross_revenue),
        ("end-customer", &n.end_customer_revenue),
        ("internal", &n.internal_revenue),
        ("circularity", &n.circularity),
    ] {
        for y in series {
            check_distribution(&y.distribution, &format!("network {what} {}", y.year))?;
        }
    }
    for y in &n.circularity {
        if let (Some(lo), Some(hi)) = (y.distribution.min, y.distribution.max) {
            prop_assert!(
                (0.0..=1.0).contains(&lo) && (0.0..=1.0).contains(&hi),
                "circularity {} outside [0, 1]: {lo}..{hi}",
                y.year
            );
        }
    }
    for rt in &n.round_trips {
        check_distribution(&rt.invested, &rt.flow)?;
        check_distribution(&rt.returned, &rt.flow)?;
        if let Some(share) = rt.share_returned {
            prop_assert!((0.0..=1.0).contains(&share), "{}: share {share}", rt.flow);
        }
    }
    for p in &n.contagion.pairs {
        if let Some(e) = &p.estimate {
            check_probability(e, &format!("{} | {}", p.defaults, p.given))?;
        }
    }
    check_probability(&n.contagion.cascades, "cascades")?;
    Ok(())
}

fn run_in_process(s: &Scenario, tally: &Mutex<Tally>) -> Result<(), TestCaseError> {
    let plan = Plan::whole(1, PATHS);
    match scenario_run::run(s, &RunOptions::new(plan)) {
        Ok(outcome) => {
            let report = ScenarioReport::new(
                s,
                &outcome.summary,
                1,
                Sampler::Mc,
                PATHS,
                RunFacts::default(),
            );
            match &report {
                ScenarioReport::Firm(r) => check_report(r)?,
                ScenarioReport::Network(r) => check_network_report(r)?,
            }
            tally.lock().unwrap().ran += 1;
        }
        Err(RunError::Sampler(e)) => prop_assert!(false, "mc refused a scenario: {e}"),
        Err(RunError::Path(e)) => {
            let message = e.to_string();
            prop_assert!(!message.contains('\n'), "multi-line error: {message}");
            prop_assert!(
                e.error.year >= s.start_year && e.error.year <= s.horizon,
                "year {} outside the scenario: {message}",
                e.error.year
            );
            let quantities: Vec<&str> = Metric::ALL
                .iter()
                .map(|m| m.name())
                .chain(["npv", "funding_gap"])
                .collect();
            prop_assert!(quantities.contains(&e.error.quantity), "{message}");
            // A single firm's error names the input most likely at fault; a network's path
            // has no such analysis yet.
            let suspect = e.suspect.as_ref();
            prop_assert!(
                s.network.is_some() || suspect.is_some_and(|x| s.input_index(&x.key).is_some()),
                "no input named: {message}"
            );
            tally.lock().unwrap().path_errors += 1;
        }
    }
    Ok(())
}

fn check_error_names_key(e: &scenario::ScenarioError, built: &Built) -> Result<(), TestCaseError> {
    let message = e.to_string();
    prop_assert!(!message.contains('\n'), "multi-line error: {message}");
    prop_assert!(e.key.is_some(), "no key named: {message}");
    if built.not_toml {
        prop_assert!(e.line.is_some(), "no line named: {message}");
        return Ok(());
    }
    if let (Some(key), Some(local)) = (&e.key, &built.local_key) {
        let section = |k: &str| k.split(['.', '[']).next().unwrap_or("").to_string();
        prop_assert!(
            key.starts_with(local.as_str())
                || local.starts_with(key.as_str())
                || section(key) == section(local),
            "the mutation was at {local}, the error names {key}: {message}"
        );
    }
    Ok(())
}

/// Runs the binary on the case, with a deadline.
fn run_binary(text: &str, tally: &Mutex<Tally>) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("case.toml");
    std::fs::write(&file, text).unwrap();
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_simulate"))
        .arg(&file)
        .args(["--paths", "300", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Drain both pipes on threads so that a large report cannot block the child.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).map(|_| s)
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        err.read_to_string(&mut s).map(|_| s)
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > HANG_BOUND {
            child.kill().unwrap();
            return Err(TestCaseError::fail(format!(
                "the binary ran longer than {HANG_BOUND:?}"
            )));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = started.elapsed();
    let stdout = out.join().unwrap().unwrap();
    let stderr = err.join().unwrap().unwrap();
    {
        let mut t = tally.lock().unwrap();
        t.binary_runs += 1;
        t.slowest_binary = t.slowest_binary.max(elapsed);
    }
    prop_assert!(!stderr.contains("panicked"), "panic: {stderr}");
    match status.code() {
        Some(0) => {
            prop_assert!(stderr.is_empty(), "exit 0 with diagnostics: {stderr}");
            let json: serde_json::Value = serde_json::from_str(&stdout)
                .map_err(|e| TestCaseError::fail(format!("stdout is not JSON: {e}")))?;
            prop_assert_eq!(&json["partial"], &serde_json::Value::Bool(false));
        }
        Some(2) => {
            prop_assert!(stdout.is_empty(), "exit 2 with output on stdout");
            prop_assert_eq!(stderr.lines().count(), 1, "not one line: {}", stderr);
            prop_assert!(stderr.starts_with("error: "), "{}", stderr);
        }
        other => {
            return Err(TestCaseError::fail(format!(
                "exit {other:?} (expected 0 or 2): {stderr}"
            )));
        }
    }
    Ok(())
}

#[test]
fn mutated_scenarios_never_crash_nor_mislead() {
    let cases: u32 = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(240);
    let seed: u64 = std::env::var("ADVERSARIAL_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_251_123);
    let mut seed_bytes = [0u8; 32];
    for (k, chunk) in seed_bytes.chunks_mut(8).enumerate() {
        chunk.copy_from_slice(&(seed ^ k as u64).to_le_bytes());
    }
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(
        config,
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let bases = bases();
    let tally = Mutex::new(Tally::default());
    let started = Instant::now();
    let result = runner.run(&case(), |case| {
        let built = build(&case, &bases);
        let number = {
            let mut t = tally.lock().unwrap();
            t.cases += 1;
            t.cases
        };
        match scenario::parse(&built.text, "case.toml", &[]) {
            Err(e) => {
                check_error_names_key(&e, &built)?;
                tally.lock().unwrap().rejected += 1;
            }
            Ok(s) => run_in_process(&s, &tally)?,
        }
        if number % 10 == 0 {
            run_binary(&built.text, &tally)?;
        }
        Ok(())
    });
    let t = tally.lock().unwrap();
    eprintln!(
        "adversarial campaign: seed {seed}, {} cases in {:.1} s: {} rejected with an error naming the key, \
         {} ran with finite reports, {} stopped by a path error naming year, quantity and input; \
         {} binary runs, slowest {:.2} s (bound {HANG_BOUND:?})",
        t.cases,
        started.elapsed().as_secs_f64(),
        t.rejected,
        t.ran,
        t.path_errors,
        t.binary_runs,
        t.slowest_binary.as_secs_f64()
    );
    if let Err(e) = result {
        panic!("{e}");
    }
    assert!(t.cases >= u64::from(cases), "only {} cases ran", t.cases);
}
