//! The analyses against answers known in advance: sweeps with common random numbers, goal
//! seek against a closed form, the tornado on an input that dominates by construction,
//! calibration flagging a contradicted figure, the HTML report's structure, snapshots of the
//! sweep exporters, and the command line's refusals of bad input (exit code 2).
//!
//! Runs are seeded, so every test is deterministic; where a Monte Carlo error matters the
//! tolerance is derived from it (a binomial standard error, or the stated 95% interval).

use assert_cmd::Command;
use breakeven::analysis::Event;
use breakeven::analysis::calibrate::{self, Verdict};
use breakeven::analysis::sensitivity::{self, Output};
use breakeven::analysis::solve::{self, Answer, Problem};
use breakeven::analysis::sweep::{self, Axis, AxisSpec};
use breakeven::analysis::{Base, Parameter};
use breakeven::engine::{NoProgress, Plan};
use breakeven::simulation::{self, RunOptions};
use breakeven::summary::Event as FirmEvent;
use statrs::distribution::{Continuous, ContinuousCDF, Normal};

const OPENAI: &str = include_str!("../../scenarios/openai.toml");

fn base(text: &str) -> Base {
    Base::new(text.to_string(), "test.toml", vec![]).unwrap()
}

fn axis(base: &Base, spec: &str) -> Axis {
    Axis::new(base, &spec.parse::<AxisSpec>().unwrap()).unwrap()
}

fn simulate() -> Command {
    Command::cargo_bin("simulate").unwrap()
}

#[test]
fn partner_share_sweep_is_exactly_monotone_and_shares_random_numbers() {
    // Partner-built capacity costs its depreciation and operations plus a margin >= 0, so on
    // every path EBIT falls as the partner share rises, and with common random numbers the
    // probability of operating break-even can only fall, point by point, without noise.
    let b = base(OPENAI);
    let n = 8192;
    let plan = Plan::whole(7, n);
    let s = sweep::run(
        &b,
        &[axis(&b, "capex.partner_share=0..1:11")],
        &plan,
        &NoProgress,
    )
    .unwrap();
    let e = s.event_index("break_even").unwrap();
    let hits: Vec<u64> = s.points.iter().map(|p| p.probabilities[e].paths).collect();
    assert!(hits.windows(2).all(|w| w[1] <= w[0]), "{hits:?}");
    assert!(hits[0] > hits[10], "{hits:?}");

    // Nearby points (0.02 apart) differ by much less than two independent runs would: the
    // spread of the difference of two independent estimates is sqrt(2 p (1 - p) / n).
    let fine = sweep::run(
        &b,
        &[axis(&b, "capex.partner_share=0.4..0.6:11")],
        &plan,
        &NoProgress,
    )
    .unwrap();
    let hits: Vec<u64> = fine
        .points
        .iter()
        .map(|p| p.probabilities[e].paths)
        .collect();
    let p = hits[5] as f64 / n as f64;
    let independent_sd = (2.0 * p * (1.0 - p) / n as f64).sqrt();
    for w in hits.windows(2) {
        let step = (w[0] - w[1]) as f64 / n as f64;
        assert!(
            (0.0..independent_sd / 2.0).contains(&step),
            "step {step} vs independent sd {independent_sd}"
        );
    }
}

#[test]
fn visit_paths_sees_the_paths_run_counts() {
    let b = base(OPENAI);
    let s = b.scenario();
    let options = RunOptions::new(Plan::whole(3, 3000));
    let summary = simulation::run(s, &options).unwrap().summary;
    let mut seen = 0;
    let mut broke_even = 0;
    let visited = simulation::visit_paths(s, &options, |path| {
        assert_eq!(path.index, seen);
        seen += 1;
        broke_even += u64::from(path.trajectory.break_even.is_some());
    })
    .unwrap();
    assert_eq!((seen, visited), (3000, 3000));
    assert_eq!(broke_even, summary.hits(FirmEvent::BreakEven));
}

/// Revenue R0 ~ lognormal(ln 10e9, sigma) in 2025, growing at a fixed g into 2026.
const LOGNORMAL: &str = r#"
    [scenario]
    name = "lognormal revenue, fixed growth"
    start_year = 2025
    horizon = 2026
    [streams.all]
    revenue = { dist = "lognormal", ci90 = [5e9, 20e9] }
    growth = 0.5
    [thresholds.big_2026]
    metric = "revenue"
    year = 2026
    op = ">="
    value = 2e10
"#;

#[test]
fn goal_seek_finds_the_closed_form_growth_within_its_interval() {
    // P(R0 (1 + g) >= V) = 1 - Phi((ln(V / (1 + g)) - mu) / sigma), so the growth giving
    // probability P is g = V / exp(mu + sigma z) - 1 with z = Phi^-1(1 - P).
    let (mu, sigma, v, target) = (10e9f64.ln(), 2f64.ln() / 1.644_853_626_951_472_2, 2e10, 0.3);
    let normal = Normal::standard();
    let z = normal.inverse_cdf(1.0 - target);
    let truth = v / (mu + sigma * z).exp() - 1.0;

    let b = base(LOGNORMAL);
    let s = b.scenario();
    let n = 20_000;
    let problem = Problem::new(
        &b,
        Parameter::new("streams.all.growth", s).unwrap(),
        (0.0, 3.0),
        Event::named("big_2026", s).unwrap(),
        target,
        Some(1e-5),
    )
    .unwrap();
    let solution = solve::solve(&b, &problem, &Plan::whole(11, n), &NoProgress).unwrap();
    let Answer::Found { value, ci95, .. } = solution.answer else {
        panic!("the target is reachable: {solution:?}");
    };
    let (low, high) = (ci95[0].unwrap(), ci95[1].unwrap());
    assert!(
        low <= truth && truth <= high,
        "{truth} not in [{low}, {high}] (found {value})"
    );
    assert!(solution.monotone);

    // The interval's half-width is the probability's 95% half-width over the slope dP/dg.
    // Its width is set by the ~2 delta n paths that switch inside it (a count with relative
    // sd 1/sqrt(count)); allow three of those.
    let delta = 1.96 * (target * (1.0 - target) / n as f64).sqrt();
    let slope = normal.pdf(z) / (sigma * (1.0 + truth));
    let expected_half = delta / slope;
    let half = 0.5 * (high - low);
    // Each end is located to END_PRECISION of the width, by its bracket's midpoint: at most
    // END_PRECISION of the half-width more.
    let tolerance = 3.0 / (2.0 * delta * n as f64).sqrt() + solve::END_PRECISION;
    assert!(
        (half / expected_half - 1.0).abs() < tolerance,
        "half-width {half} vs delta method {expected_half} (tolerance {tolerance})"
    );
}

#[test]
fn goal_seek_says_when_the_target_is_out_of_reach() {
    let b = base(LOGNORMAL);
    let s = b.scenario();
    let problem = Problem::new(
        &b,
        Parameter::new("streams.all.growth", s).unwrap(),
        (0.0, 0.1),
        Event::named("big_2026", s).unwrap(),
        0.9,
        None,
    )
    .unwrap();
    let solution = solve::solve(&b, &problem, &Plan::whole(1, 2000), &NoProgress).unwrap();
    assert!(matches!(solution.answer, Answer::Unreachable));
    assert!(solution.crossings.is_empty());
    // Only the grid was evaluated.
    assert_eq!(solution.evaluations.len(), solve::GRID_POINTS);
}

#[test]
fn goal_seek_stops_bisecting_once_the_bracket_is_inside_the_interval() {
    // A tolerance of 1e-9 would take 29 halvings of a grid interval; the run cannot tell
    // values apart at a millionth of its 95% interval, so bisection stops far sooner.
    let b = base(LOGNORMAL);
    let s = b.scenario();
    let problem = Problem::new(
        &b,
        Parameter::new("streams.all.growth", s).unwrap(),
        (0.0, 3.0),
        Event::named("big_2026", s).unwrap(),
        0.3,
        Some(1e-9),
    )
    .unwrap();
    let solution = solve::solve(&b, &problem, &Plan::whole(5, 20_000), &NoProgress).unwrap();
    let [c] = solution.crossings.as_slice() else {
        panic!("one crossing: {solution:?}");
    };
    let (low, high) = (c.ci95[0].unwrap(), c.ci95[1].unwrap());
    assert!(low <= c.bracket[0] && c.bracket[1] <= high, "{c:?}");
    assert!(c.bracket[1] - c.bracket[0] > 1e-6, "{c:?}");
    // Both ends of the bracket were evaluated, and neither can be told from the target.
    for end in c.bracket {
        let e = solution
            .evaluations
            .iter()
            .find(|e| e.value == end)
            .expect("bracket ends are evaluated");
        let [lo, hi] = e.probability.ci95;
        assert!(lo <= 0.3 && 0.3 <= hi, "{end}: {e:?}");
    }
    // Bisecting a grid interval (width 3/8) to 1e-9 would take 29 evaluations after the grid,
    // before either end of the interval is sought; all of it together takes fewer.
    let grid_cell = 3.0 / (solve::GRID_POINTS - 1) as f64;
    let to_tolerance = solve::GRID_POINTS + (grid_cell / 1e-9).log2().ceil() as usize;
    assert!(
        solution.evaluations.len() < to_tolerance,
        "{} evaluations",
        solution.evaluations.len()
    );
}

/// Capex in 2029 is total / years when the programme (from 2025) lasts 5 years or more, and
/// zero otherwise: with total ~ uniform(0, 10e9), P(capex_2029 >= 1e9) is 0 for years < 5 and
/// 1 - years / 10 from 5 on. It rises, then falls.
const HUMP: &str = r#"
    [scenario]
    name = "a programme long enough to reach 2029, and no longer than needed"
    start_year = 2025
    horizon = 2030
    [capex]
    total = { dist = "uniform", min = 0.0, max = 10e9 }
    years = 3
    gpu_life_years = 30
    refresh = false
    [streams.all]
    revenue = 1e9
    growth = 0.1
    [thresholds.capex_2029]
    metric = "capex"
    year = 2029
    op = ">="
    value = 1e9
"#;

#[test]
fn goal_seek_reports_every_crossing_of_a_curve_that_rises_and_falls() {
    let b = base(HUMP);
    let s = b.scenario();
    // P = 0.5 at 5 years, 0.4 at 6, 0.3 at 7: the target 0.35 is crossed going up between
    // 4 and 5 years and going down between 6 and 7. At 4,000 paths the standard error is
    // below 0.008, so each side is certain.
    let problem = Problem::new(
        &b,
        Parameter::new("capex.years", s).unwrap(),
        (1.0, 20.0),
        Event::named("capex_2029", s).unwrap(),
        0.35,
        None,
    )
    .unwrap();
    let solution = solve::solve(&b, &problem, &Plan::whole(3, 4000), &NoProgress).unwrap();
    let brackets: Vec<([f64; 2], bool)> = solution
        .crossings
        .iter()
        .map(|c| (c.bracket, c.rising))
        .collect();
    assert_eq!(brackets, [([4.0, 5.0], true), ([6.0, 7.0], false)]);
    assert!(!solution.monotone);
    // The probability is the same at both ends of the range (zero), which bisection alone
    // would have called unreachable.
    assert_eq!(solution.at_from.probability, 0.0);
    assert_eq!(solution.at_to.probability, 0.0);
    let Answer::Found { bracket, .. } = solution.answer else {
        panic!("found: {solution:?}");
    };
    assert_eq!(bracket, [4.0, 5.0]);
    for e in &solution.evaluations {
        let years = e.value;
        let exact = if years < 5.0 {
            0.0
        } else {
            (1.0 - years / 10.0).max(0.0)
        };
        let se = (exact * (1.0 - exact) / 4000.0).sqrt();
        assert!(
            (e.probability.probability - exact).abs() <= 4.0 * se + 1e-12,
            "{years} years: {} against {exact}",
            e.probability.probability
        );
    }
}

#[test]
fn tornado_ranks_first_the_input_that_dominates() {
    // EBIT = revenue - R&D. Revenue spans 1-10B, R&D 4.5-5.5B, the discount rate does not
    // matter at all: revenue must come first, by swing and by rank correlation.
    let text = r#"
        [scenario]
        name = "one dominant input"
        start_year = 2025
        horizon = 2025
        [finance]
        discount_rate = { dist = "uniform", min = 0.05, max = 0.15 }
        [streams.all]
        revenue = { dist = "uniform", min = 1e9, max = 10e9 }
        growth = 0.0
        [costs]
        rnd = { dist = "uniform", min = 4.5e9, max = 5.5e9 }
    "#;
    let b = base(text);
    let s = b.scenario();
    let result = sensitivity::analyse(
        s,
        Output::Probability(Event::Firm(FirmEvent::BreakEven)),
        &Plan::whole(5, 4000),
        &NoProgress,
    )
    .unwrap();
    let keys: Vec<&str> = result.inputs.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys[0], "streams.all.revenue", "{keys:?}");
    assert_eq!(keys[2], "finance.discount_rate", "{keys:?}");
    // At revenue's P10 (1.9B) no path breaks even, at its P90 (9.1B) every path does.
    assert_eq!(result.inputs[0].at_p10.output, 0.0);
    assert_eq!(result.inputs[0].at_p90.output, 1.0);
    assert_eq!(result.inputs[2].swing, 0.0);
    let top_rho = result.inputs[0].spearman;
    assert!(
        result
            .inputs
            .iter()
            .all(|e| e.spearman.abs() <= top_rho.abs())
    );
    // What must be true: paths that break even have more revenue than those that do not.
    assert!(result.inputs[0].median_met.unwrap() > 5e9);
    assert!(result.inputs[0].median_missed.unwrap() < 5e9);
}

#[test]
fn calibration_flags_a_figure_the_scenario_contradicts() {
    let text = r#"
        [scenario]
        name = "ten billion"
        start_year = 2025
        horizon = 2026
        subject = "acme"
        [streams.all]
        revenue = { dist = "uniform", min = 9e9, max = 11e9 }
        growth = 1.0
    "#;
    let figures = r#"
[[figure]]
id = "acme_revenue_2025"
description = "agrees"
value = 10e9
unit = "USD"
source = "a"
subject = "acme"
metric = "revenue"
year = 2025
period = "year"

[[figure]]
id = "acme_revenue_2025_high"
description = "contradicts"
value = 30e9
unit = "USD"
source = "b"
subject = "acme"
metric = "revenue"
year = 2025
period = "year"

[[figure]]
id = "acme_revenue_h1_2025"
description = "half of the year"
value = 5e9
unit = "USD"
source = "c"
subject = "acme"
metric = "revenue"
year = 2025
period = "h1"

[[figure]]
id = "acme_run_rate"
description = "between 2025 (10B) and 2026 (20B): geometric mean 14.1B"
value = 14e9
unit = "USD/year"
source = "d"
subject = "acme"
metric = "revenue"
year = 2025
period = "run_rate_end"

[[figure]]
id = "other_company"
description = "another subject is ignored"
value = 1.0
unit = "USD"
source = "e"
subject = "other"
metric = "revenue"
year = 2025
period = "year"
"#;
    let figures = calibrate::parse_figures(figures, "figures.toml").unwrap();
    let b = base(text);
    let c = calibrate::calibrate(b.scenario(), &figures, &Plan::whole(2, 4000)).unwrap();
    let verdicts: Vec<(&str, Verdict)> = c
        .checks
        .iter()
        .map(|k| (k.id.as_str(), k.verdict))
        .collect();
    assert_eq!(
        verdicts,
        vec![
            ("acme_revenue_2025", Verdict::Consistent),
            ("acme_revenue_2025_high", Verdict::Contradicted),
            ("acme_revenue_h1_2025", Verdict::Consistent),
            ("acme_run_rate", Verdict::Consistent),
        ]
    );
    // Uniform on [9B, 11B]: the median is 10B and P10-P90 is [9.2B, 10.8B], within the
    // sampling error of a quantile from 4000 paths (about 0.02B).
    let k = &c.checks[0];
    assert!((k.model_median - 10e9).abs() < 0.1e9);
    assert!((k.model_p10 - 9.2e9).abs() < 0.1e9 && (k.model_p90 - 10.8e9).abs() < 0.1e9);
    assert_eq!(c.checks[1].percentile, 1.0);
}

#[test]
fn the_html_report_is_well_formed_and_embeds_every_chart() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.html");
    simulate()
        .args(["report", "scenarios/openai.toml", "--paths", "2000"])
        .args(["--analysis-paths", "400", "-o"])
        .arg(&out)
        .assert()
        .success();
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    // Parse it as XML: every tag closed and nested, every entity escaped.
    let svgs = crate::common::well_formed_svgs(&html);
    // Revenue, EBIT and cash fans, waterfall, break-even histogram, tornado, sweep curve,
    // heatmap.
    assert_eq!(svgs, 8);
    for section in [
        "headline",
        "revenue",
        "ebit-cash",
        "waterfall",
        "break-even",
        "sensitivity",
        "sweeps",
        "metrics",
        "calibration",
        "inputs",
    ] {
        assert!(
            html.contains(&format!("id=\"{section}\"")),
            "no section {section}"
        );
    }
    assert!(html.contains("openai_cash_2025"));
    // Self-contained: no scripts, no links to other files.
    for outside in ["<script", "<link", "src=", "href=", "url("] {
        assert!(!html.contains(outside), "{outside}");
    }
}

/// A small scenario for snapshots, read from standard input.
const SMALL: &str = r#"
    [scenario]
    name = "small"
    start_year = 2025
    horizon = 2027
    [capex]
    total = 30e9
    years = 2
    gpu_life_years = 2.5
    partner_share = { dist = "uniform", min = 0.2, max = 0.8 }
    partner_margin = 0.2
    [streams.all]
    revenue = { dist = "uniform", min = 5e9, max = 15e9 }
    growth = { dist = "uniform", min = 0.2, max = 0.8 }
    [costs]
    rnd = 5e9
    [thresholds.revenue_20b_2027]
    metric = "revenue"
    year = 2027
    op = ">="
    value = 20e9
"#;

fn sweep_output(format: &str) -> String {
    let out = simulate()
        .args(["sweep", "-", "--param", "capex.partner_share=0.2..0.8:3"])
        .args(["--paths", "1000", "--seed", "42", "--format", format])
        .write_stdin(SMALL)
        .assert()
        .success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

#[test]
fn sweep_csv_snapshot() {
    insta::assert_snapshot!(sweep_output("csv"));
}

#[test]
fn sweep_json_snapshot() {
    insta::assert_snapshot!(sweep_output("json"));
}

/// Runs the binary and checks that it refuses with exit code 2 and one error line holding
/// `needle`.
fn refuses(args: &[&str], needle: &str) {
    let out = simulate().args(args).assert().code(2);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains(needle), "{args:?}: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
}

#[test]
fn bad_analysis_input_is_refused_with_exit_code_2() {
    let f = "scenarios/openai.toml";
    refuses(
        &["sweep", f, "--param", "capex.partner_shar=0..1:3"],
        "nearest valid keys: capex.partner_share",
    );
    refuses(
        &["sweep", f, "--param", "capex.partner_share=0..1:0"],
        "STEPS must be at least 1",
    );
    refuses(
        &["sweep", f, "--param", "capex.partner_share=0..1:20000"],
        "more than the 10000 points",
    );
    refuses(
        &["sweep", f, "--param", "capex.partner_share=0.3..0.3:5"],
        "FROM equals TO",
    );
    refuses(
        &["sweep", f, "--param", "capex.partner_share=0..NaN:3"],
        "finite",
    );
    refuses(
        &["sweep", f, "--param", "scenario.name=0..1:3"],
        "holds a string, not a number",
    );
    refuses(
        &["sweep", f, "--param", "capex.profile=0..1:3"],
        "holds a string, not a number",
    );
    refuses(
        &[
            "sweep",
            f,
            "--param",
            "capex.partner_share=0..1:200",
            "--param",
            "capex.total=1e12..2e12:100",
        ],
        "more than the 10000",
    );
    refuses(
        &[
            "solve",
            f,
            "--param",
            "capex.partner_share=0..1",
            "--target",
            "1.5",
        ],
        "strictly between 0 and 1",
    );
    refuses(
        &[
            "solve",
            f,
            "--param",
            "capex.partner_share=0..1",
            "--target",
            "0",
        ],
        "strictly between 0 and 1",
    );
    refuses(
        &[
            "solve",
            f,
            "--param",
            "capex.partner_share=0..1",
            "--target",
            "0.5",
            "--threshold",
            "bain_2t",
        ],
        "no event named 'bain_2t'",
    );
    refuses(
        &["sensitivity", f, "--threshold", "paybak"],
        "did you mean payback",
    );
    refuses(
        &[
            "solve",
            f,
            "--param",
            "subscriptions.price",
            "--target",
            "0.5",
        ],
        "give the range to search",
    );
    // A value the scenario's validation refuses, at one point of the grid.
    refuses(
        &[
            "sweep",
            f,
            "--param",
            "capex.partner_share=0.5..1.5:3",
            "--paths",
            "100",
        ],
        "capex.partner_share",
    );
}

/// Sweeps and the sensitivity's tornado run their points side by side: the output must not
/// depend on the number of threads (nor, then, on which point finished first).
#[test]
fn sweep_and_sensitivity_are_the_same_for_any_thread_count() {
    let run = |args: &[&str], threads: &str| {
        let out = simulate()
            .args(args)
            .args(["--paths", "3000", "--format", "json", "--threads", threads])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let sweep = [
        "sweep",
        "scenarios/openai.toml",
        "--param",
        "capex.partner_share=0.2..0.8:4",
        "--param",
        "subscriptions.price=200..300:3",
    ];
    let sensitivity = ["sensitivity", "scenarios/openai.toml"];
    for args in [&sweep[..], &sensitivity[..]] {
        let one = run(args, "1");
        assert_eq!(one, run(args, "2"), "{args:?}");
        assert_eq!(one, run(args, "3"), "{args:?}");
    }
}
