//! Analyses, shards and precision runs of network files, through the interface they share
//! with single firms (`breakeven::scenario_run`).
//!
//! The test network has an analytic answer: the lab owes the cloud 50 in 2025 and has only
//! its starting cash `c ~ U(0, M)`, so it defaults exactly when `c < 50`: P(lab.default) =
//! 50 / M. Sweeps, goal seek and sensitivity over the entity-qualified key
//! `entities.lab.finance.starting_cash` must find that answer; shards of `network.toml` must
//! merge into the single run's report byte for byte, and a precision run's report must be
//! that of a plain run of the paths it took.

use assert_cmd::Command;
use breakeven::analysis::sensitivity::{self, Output};
use breakeven::analysis::solve::{self, Answer, Problem};
use breakeven::analysis::sweep::{self, Axis, AxisSpec};
use breakeven::analysis::{Base, Event, Parameter};
use breakeven::engine::{NoProgress, Plan};
use breakeven::precision::{self, Target};
use breakeven::report::{Exporter, RunFacts, ScenarioReport};
use breakeven::sampler::Sampler;
use breakeven::scenario;
use breakeven::scenario_run;
use breakeven::simulation::RunOptions;

const OWED_FIFTY: &str = r#"
[scenario]
name = "Owed fifty"
start_year = 2025
horizon = 2027

[entities.lab]
finance = { starting_cash = { dist = "uniform", min = 0, max = 100 } }

[entities.cloud]
finance = { starting_cash = 10 }

[flows.compute]
from = "lab"
to = "cloud"
kind = "purchase"
as = "opex"
total = 50
years = 1

[thresholds.cloud_paid]
metric = "cloud.revenue"
year = 2025
op = ">="
value = 50
"#;

const CASH: &str = "entities.lab.finance.starting_cash";

fn base() -> Base {
    Base::new(OWED_FIFTY.to_string(), "owed.toml", vec![]).unwrap()
}

/// Whether `hits` of `n` is within four standard errors of `p`.
fn near(hits: u64, n: u64, p: f64) -> bool {
    let se = (p * (1.0 - p) / n as f64).sqrt();
    (hits as f64 / n as f64 - p).abs() <= 4.0 * se + 1e-12
}

#[test]
fn network_events_are_named_by_entity_and_network() {
    let b = base();
    let s = b.scenario();
    let names: Vec<String> = Event::all(s).iter().map(|e| e.name(s)).collect();
    for name in [
        "network.cloud_paid",
        "lab.break_even",
        "lab.payback",
        "lab.default",
        "cloud.default",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} not in {names:?}");
    }
    // A top-level threshold may be named without `network.`.
    assert_eq!(
        Event::named("cloud_paid", s).unwrap(),
        Event::named("network.cloud_paid", s).unwrap()
    );
    // A single firm's default event does not exist in a network: the error suggests.
    let err = Event::named("lab.defualt", s).unwrap_err().to_string();
    assert!(err.contains("did you mean lab.default"), "{err}");
    assert_eq!(
        Event::chosen(None, s).unwrap().name(s),
        "lab.break_even",
        "the default event is the first entity's break-even"
    );
}

#[test]
fn a_sweep_over_an_entity_key_finds_the_analytic_default_probability() {
    let b = base();
    let spec: AxisSpec = format!("{CASH}.max=100..400:4").parse().unwrap();
    let axis = Axis::new(&b, &spec).unwrap();
    let n = 20_000;
    let result = sweep::run(&b, &[axis], &Plan::whole(3, n), &NoProgress).unwrap();
    let lab = result.event_index("lab.default").unwrap();
    let paid = result.event_index("network.cloud_paid").unwrap();
    let mut previous = u64::MAX;
    for point in &result.points {
        let m = point.values[0];
        let p = &point.probabilities[lab];
        assert!(near(p.paths, n, 50.0 / m), "M = {m}: {p:?}");
        // The cloud is paid in full exactly when the lab does not default.
        assert_eq!(point.probabilities[paid].paths, n - p.paths);
        // Common random numbers: a wider range of cash can only mean fewer defaults.
        assert!(p.paths <= previous);
        previous = p.paths;
    }
    // Each point is the run of the file with that value set.
    let set = scenario::parse(
        OWED_FIFTY,
        "owed.toml",
        &[scenario::Override {
            key: format!("{CASH}.max"),
            value: "300.0".into(),
        }],
    )
    .unwrap();
    let run = scenario_run::run(&set, &RunOptions::new(Plan::whole(3, n))).unwrap();
    let event = Event::named("lab.default", &set).unwrap();
    assert_eq!(
        run.summary.hits(event),
        result.points[2].probabilities[lab].paths
    );
}

#[test]
fn goal_seek_over_an_entity_key_finds_the_analytic_value() {
    // P(lab.default) = 50 / M = 0.25 at M = 200.
    let b = base();
    let s = b.scenario();
    let problem = Problem::new(
        &b,
        Parameter::new(&format!("{CASH}.max"), s).unwrap(),
        (60.0, 1000.0),
        Event::named("lab.default", s).unwrap(),
        0.25,
        None,
    )
    .unwrap();
    let solution = solve::solve(&b, &problem, &Plan::whole(5, 20_000), &NoProgress).unwrap();
    let Answer::Found { value, ci95, .. } = solution.answer else {
        panic!("the target is reachable: {solution:?}");
    };
    let (low, high) = (ci95[0].unwrap(), ci95[1].unwrap());
    assert!(
        low <= 200.0 && 200.0 <= high,
        "200 not in [{low}, {high}] ({value})"
    );
    assert!(solution.monotone);
}

#[test]
fn sensitivity_of_a_default_to_an_entity_input_is_exact_at_the_ends() {
    // With the cash fixed at its P10 (10) the lab always defaults, at its P90 (90) never; the
    // rank correlation of U with 1{U < 1/2} is -sqrt(3)/2.
    let b = base();
    let s = b.scenario();
    let event = Event::named("lab.default", s).unwrap();
    let n = 20_000;
    let result = sensitivity::analyse(
        s,
        Output::Probability(event),
        &Plan::whole(9, n),
        &NoProgress,
    )
    .unwrap();
    let [effect] = result.inputs.as_slice() else {
        panic!("one uncertain input: {:?}", result.inputs);
    };
    assert_eq!(effect.key, CASH);
    assert_eq!(effect.at_p10.output, 1.0);
    assert_eq!(effect.at_p90.output, 0.0);
    let rho = -(3.0_f64).sqrt() / 2.0;
    assert!(
        (effect.spearman - rho).abs() < 4.0 / (n as f64).sqrt(),
        "{} vs {rho}",
        effect.spearman
    );
    assert!(near((result.base * n as f64).round() as u64, n, 0.5));
    // A metric of an entity is named ENTITY.METRIC.
    let metric = scenario_run::MetricKey::named("cloud.revenue", s).unwrap();
    let err = scenario_run::MetricKey::named("revenue", s).unwrap_err();
    assert!(err.contains("ENTITY.METRIC"), "{err}");
    let revenue = sensitivity::analyse(
        s,
        Output::Metric {
            metric,
            year: 0,
            statistic: sensitivity::Statistic::Mean,
        },
        &Plan::whole(9, 4096),
        &NoProgress,
    )
    .unwrap();
    // The cloud receives min(c, 50): 10 at the cash's P10, 50 at its P90.
    assert!((revenue.inputs[0].at_p10.output - 10.0).abs() < 1e-9);
    assert!((revenue.inputs[0].at_p90.output - 50.0).abs() < 1e-9);
}

#[test]
fn a_network_precision_run_is_the_plain_run_of_its_paths() {
    let s = scenario::parse(OWED_FIFTY, "owed.toml", &[]).unwrap();
    // p = 1/2 needs n >= (1.96 * 0.5 / 0.003)^2 = 106,700 paths: two batches of 65,536.
    let target = Target {
        half_width: 0.003,
        max_paths: 1_000_000,
    };
    let run = precision::run(&s, &RunOptions::new(Plan::whole(4, 0)), target).unwrap();
    assert!(run.reached);
    let batch = precision::BATCH_CHUNKS * 1024;
    assert_eq!(run.outcome.paths, 2 * batch);
    let report = |summary, paths| {
        ScenarioReport::new(&s, summary, 4, Sampler::Mc, paths, RunFacts::default()).json()
    };
    let plain = scenario_run::run(&s, &RunOptions::new(Plan::whole(4, 2 * batch))).unwrap();
    assert_eq!(
        report(&run.outcome.summary, run.outcome.paths),
        report(&plain.summary, 2 * batch)
    );
}

fn simulate(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("simulate")
        .unwrap()
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn network_toml_shards_merge_into_the_single_run_byte_for_byte() {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/network.toml");
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<String> = (0..3)
        .rev()
        .map(|i| {
            let part = dir.path().join(format!("part-{i}.json"));
            let shard = format!("{i}/3");
            let out = simulate(&[
                file,
                "--paths",
                "6000",
                "--shard",
                &shard,
                "--out",
                part.to_str().unwrap(),
            ]);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            part.display().to_string()
        })
        .collect();
    for format in ["json", "csv"] {
        let mut args = vec!["merge"];
        args.extend(files.iter().map(String::as_str));
        args.extend(["--format", format]);
        let merged = simulate(&args);
        assert!(
            merged.status.success(),
            "{}",
            String::from_utf8_lossy(&merged.stderr)
        );
        let single = simulate(&[file, "--paths", "6000", "--format", format]);
        assert!(merged.stdout == single.stdout, "{format} differs");
    }
    // A network part does not merge with a single firm's.
    let firm = dir.path().join("firm.json");
    let openai = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/openai.toml");
    let out = simulate(&[
        openai,
        "--paths",
        "6000",
        "--shard",
        "1/3",
        "--out",
        firm.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let out = simulate(&["merge", &files[2], firm.to_str().unwrap(), &files[0]]);
    assert_eq!(out.status.code(), Some(2));
}

/// Two flows of one kind from the lab to the cloud (drawn as one arrow, medians added), an
/// opposite purchase and an equity flow.
const FOUR_FLOWS: &str = r#"
[scenario]
name = "Four flows"
start_year = 2025
horizon = 2027

[entities.lab]
finance = { starting_cash = 1000 }

[entities.cloud]
finance = { starting_cash = 1000 }

[flows.rent]
from = "lab"
to = "cloud"
kind = "purchase"
as = "opex"
total = 90
years = 3

[flows.more_rent]
from = "lab"
to = "cloud"
kind = "purchase"
as = "opex"
total = 30
years = 3

[flows.services]
from = "cloud"
to = "lab"
kind = "purchase"
as = "opex"
total = 30
years = 3

[flows.stake]
from = "cloud"
to = "lab"
kind = "equity"
total = 10
"#;

#[test]
fn the_diagram_draws_one_arrow_per_direction_and_kind_with_width_by_median() {
    use breakeven::report::diagram;
    use breakeven::report::network::NetworkReport;
    let s = scenario::parse(FOUR_FLOWS, "four.toml", &[]).unwrap();
    let run = scenario_run::run(&s, &RunOptions::new(Plan::whole(1, 1024))).unwrap();
    let scenario_run::ScenarioSummary::Network(summary) = &run.summary else {
        panic!("a network summary");
    };
    let report = NetworkReport::new(&s, summary, 1, Sampler::Mc, 1024);
    let svg = diagram::network(&report);
    let widths: Vec<(String, f64)> = svg
        .match_indices("<g class=\"flow\" data-kind=\"")
        .map(|(i, _)| {
            let rest = &svg[i + 27..];
            let kind = rest[..rest.find('"').unwrap()].to_string();
            let w = &rest[rest.find("data-width=\"").unwrap() + 12..];
            (kind, w[..w.find('"').unwrap()].parse().unwrap())
        })
        .collect();
    // lab -> cloud purchases (120), cloud -> lab purchase (30), cloud -> lab equity (10).
    assert_eq!(widths.len(), 3, "{widths:?}");
    assert!(
        svg.contains("lab → cloud: purchase (2 flows), median $120"),
        "{svg}"
    );
    let width = |kind: &str, k: usize| {
        widths
            .iter()
            .filter(|(w, _)| w == kind)
            .nth(k)
            .map(|(_, x)| *x)
            .unwrap()
    };
    // Widest first; width grows with the square root of the median: 1.5 + 20.5 sqrt(m / 120).
    let expected = |m: f64| 1.5 + 20.5 * (m / 120.0_f64).sqrt();
    assert!((width("purchase", 0) - expected(120.0)).abs() < 0.01);
    assert!((width("purchase", 1) - expected(30.0)).abs() < 0.01);
    assert!((width("equity", 0) - expected(10.0)).abs() < 0.01);
    // Both entities are drawn, with their default probability.
    assert_eq!(svg.matches("<circle").count(), 2 + 3);
    assert!(svg.contains(">lab</text>") && svg.contains(">cloud</text>"));
}

#[test]
fn the_html_report_of_a_network_is_well_formed_and_has_its_sections() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("network.html");
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/network.toml");
    let run = simulate(&[
        "report",
        file,
        "--paths",
        "2000",
        "--analysis-paths",
        "200",
        "--threshold",
        "oracle.default",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let html = std::fs::read_to_string(&out).unwrap();
    // Parse it as XML: every tag closed and nested, every entity escaped.
    let svgs = crate::common::well_formed_svgs(&html);
    // Diagram, revenue chart, tornado, sweep curve, heatmap.
    assert_eq!(svgs, 5);
    for section in [
        "headline",
        "diagram",
        "revenue",
        "entities",
        "round-trips",
        "contagion",
        "sensitivity",
        "sweeps",
        "inputs",
    ] {
        assert!(
            html.contains(&format!("id=\"{section}\"")),
            "no section {section}"
        );
    }
    assert!(html.contains("P(Oracle (AI cloud): defaults by 2035)"));
    for outside in ["<script", "<link", "src=", "href=", "url("] {
        assert!(!html.contains(outside), "{outside}");
    }
}

#[test]
fn front_ends_that_report_a_single_firm_refuse_a_network_rather_than_report_its_first_entity() {
    let s = scenario::parse(OWED_FIFTY, "owed.toml", &[]).unwrap();
    let never = std::sync::atomic::AtomicBool::new(false);
    let err = breakeven::run_request::RunRequest::new()
        .run_compiled(&s, &NoProgress, &never)
        .unwrap_err();
    assert!(
        err.to_string().contains("runs with `simulate FILE`"),
        "{err}"
    );
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/network.toml");
    let out = simulate(&["serve", file, "--port", "0"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error: ") && stderr.contains("entities"),
        "{stderr}"
    );
}
