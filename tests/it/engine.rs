//! The whole engine against closed-form answers, and its reproducibility.
//!
//! Tolerances are three standard errors of the Monte Carlo estimate (a binomial proportion's
//! sqrt(p(1-p)/n), a mean's sd/sqrt(n)), plus the stated relative error of the quantile
//! histogram where a percentile is checked. The runs are seeded, so the tests are
//! deterministic.

use assert_cmd::Command;
use breakeven::engine::Plan;
use breakeven::model::Metric;
use breakeven::report::{Report, RunFacts};
use breakeven::scenario;
use breakeven::simulation::{self, RunOptions};
use breakeven::stats::histogram::RELATIVE_ERROR;
use statrs::distribution::{ContinuousCDF, Normal};

fn run(text: &str, paths: u64, seed: u64) -> Report {
    let s = scenario::parse(text, "test.toml", &[]).unwrap();
    let plan = Plan::whole(seed, paths);
    let out = simulation::run(&s, &RunOptions::new(plan)).unwrap();
    Report::new(&s, &out.summary, seed, paths, RunFacts::default())
}

fn within_binomial_error(estimate: f64, truth: f64, n: u64) {
    let se = (truth * (1.0 - truth) / n as f64).sqrt();
    assert!(
        (estimate - truth).abs() <= 3.0 * se,
        "estimate {estimate} vs analytic {truth} (3 se = {})",
        3.0 * se
    );
}

const N: u64 = 200_000;

#[test]
fn lognormal_revenue_against_a_fixed_threshold() {
    // Revenue in the start year is lognormal(mu, sigma): P(R >= V) = 1 - Phi((ln V - mu)/sigma).
    let text = r#"
        [scenario]
        name = "lognormal revenue"
        start_year = 2025
        horizon = 2025
        [streams.all]
        revenue = { dist = "lognormal", mu = 25.0, sigma = 0.5 }
        growth = 0.0
        [thresholds.big]
        metric = "revenue"
        year = 2025
        op = ">="
        value = 1e11
    "#;
    let r = run(text, N, 1);
    let z = (1e11f64.ln() - 25.0) / 0.5;
    let truth = 1.0 - Normal::standard().cdf(z);
    within_binomial_error(r.thresholds[0].estimate.probability, truth, N);
    let [lo, hi] = r.thresholds[0].estimate.ci95;
    assert!(
        lo <= truth && truth <= hi,
        "the 95% interval [{lo}, {hi}] misses {truth}"
    );
}

#[test]
fn growth_with_yearly_volatility_matches_the_lognormal_it_implies() {
    // R_t = R0 (1+g)^t prod exp(sigma Z - sigma^2/2): ln R_t is normal with mean
    // ln R0 + t ln(1+g) - t sigma^2/2 and variance t sigma^2; E[R_t] = R0 (1+g)^t.
    let text = r#"
        [scenario]
        name = "volatile growth"
        start_year = 2025
        horizon = 2030
        [streams.all]
        revenue = 10e9
        growth = 0.3
        volatility = 0.2
        [thresholds.above_30b]
        metric = "revenue"
        year = 2030
        op = ">="
        value = 30e9
        [thresholds.ever_above_40b]
        metric = "revenue"
        by = 2030
        op = ">"
        value = 40e9
    "#;
    let r = run(text, N, 2);
    let (t, sigma, r0, g) = (5.0, 0.2, 10e9f64, 0.3f64);
    let mu = r0.ln() + t * (1.0 + g).ln() - t * sigma * sigma / 2.0;
    let sd = (t * sigma * sigma).sqrt();
    let truth = 1.0 - Normal::new(mu, sd).unwrap().cdf(30e9f64.ln());
    within_binomial_error(r.thresholds[0].estimate.probability, truth, N);

    let revenue_2030 = &r.metric(Metric::Revenue).years[5].distribution;
    let mean = r0 * (1.0 + g).powf(t);
    let sd_value = mean * ((sd * sd).exp() - 1.0).sqrt();
    let se = sd_value / (N as f64).sqrt();
    assert!((revenue_2030.mean.unwrap() - mean).abs() <= 3.0 * se);
    // Median exp(mu): the sample median's standard error is 1 / (2 f(m) sqrt(n)).
    let median = mu.exp();
    let density = 1.0 / (median * sd * (2.0 * std::f64::consts::PI).sqrt());
    let se_median = 1.0 / (2.0 * density * (N as f64).sqrt());
    let tolerance = 3.0 * se_median + RELATIVE_ERROR * median;
    assert!((revenue_2030.p50.unwrap() - median).abs() <= tolerance);
    // "By 2030" can only be more likely than "in 2030" for a higher bar.
    assert!(r.thresholds[1].estimate.probability > 0.0);
}

#[test]
fn uniform_growth_threshold_is_a_linear_probability() {
    // R_2030 = R0 (1+g)^5 >= V  <=>  g >= (V/R0)^(1/5) - 1, with g uniform on [0.1, 0.6].
    let text = r#"
        [scenario]
        name = "uniform growth"
        start_year = 2025
        horizon = 2030
        [streams.all]
        revenue = 10e9
        growth = { dist = "uniform", min = 0.1, max = 0.6 }
        [thresholds.reach]
        metric = "revenue"
        year = 2030
        op = ">="
        value = 50e9
    "#;
    let r = run(text, N, 3);
    let g_star = 5.0f64.powf(0.2) - 1.0;
    let truth = (0.6 - g_star) / 0.5;
    within_binomial_error(r.thresholds[0].estimate.probability, truth, N);
}

#[test]
fn a_deterministic_scenario_matches_the_hand_computed_accounts() {
    // Capex 100 over two years (50, 50), all GPUs with a 2-year life, no refresh, no partner:
    // depreciation 25, 50, 25, 0. Revenue 80 a year, R&D 20 a year, no other costs.
    // EBIT = 60 - depreciation = 35, 10, 35, 60; FCF = 60 - capex = 10, 10, 60, 60.
    // Cash from 5: 15, 25, 85, 145. Break-even in 2025 (EBIT never negative), payback 2025.
    let text = r#"
        [scenario]
        name = "by hand"
        start_year = 2025
        horizon = 2028
        [finance]
        starting_cash = 5
        discount_rate = 0.1
        [capex]
        total = 100
        years = 2
        gpu_life_years = 2
        refresh = false
        [streams.all]
        revenue = 80
        growth = 0
        [costs]
        rnd = 20
        [thresholds.ebit_2026]
        metric = "ebit"
        year = 2026
        op = ">="
        value = 10
        [thresholds.ebit_2026_strict]
        metric = "ebit"
        year = 2026
        op = ">"
        value = 10
    "#;
    let r = run(text, 3000, 4);
    let exact = |m: Metric| -> Vec<f64> {
        r.metric(m)
            .years
            .iter()
            .map(|y| {
                let d = &y.distribution;
                assert_eq!(d.min, d.max, "{} is deterministic", m.name());
                d.min.unwrap()
            })
            .collect()
    };
    assert_eq!(exact(Metric::Depreciation), [25.0, 50.0, 25.0, 0.0]);
    assert_eq!(exact(Metric::Ebit), [35.0, 10.0, 35.0, 60.0]);
    assert_eq!(exact(Metric::FreeCashFlow), [10.0, 10.0, 60.0, 60.0]);
    assert_eq!(exact(Metric::Cash), [15.0, 25.0, 85.0, 145.0]);
    assert_eq!(exact(Metric::RequiredRevenue), [45.0, 70.0, 45.0, 20.0]);
    let npv = 10.0 + 10.0 / 1.1 + 60.0 / 1.21 + 60.0 / 1.331;
    assert!((r.break_even.npv.mean.unwrap() - npv).abs() < 1e-9);
    assert_eq!(r.break_even.operating.median_year, Some(2025));
    assert_eq!(r.break_even.funding_gap.max, Some(0.0));
    assert_eq!(r.thresholds[0].estimate.probability, 1.0);
    assert_eq!(r.thresholds[1].estimate.probability, 0.0);
}

fn simulate_json(args: &[&str]) -> Vec<u8> {
    let out = Command::cargo_bin("simulate")
        .unwrap()
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn same_seed_gives_byte_identical_json_for_any_thread_count() {
    let base = ["scenarios/openai.toml", "--paths", "30000", "--seed", "11"];
    let one = simulate_json(&[&base[..], &["--threads", "1"]].concat());
    let two = simulate_json(&[&base[..], &["--threads", "2"]].concat());
    let three = simulate_json(&[&base[..], &["--threads", "3"]].concat());
    assert!(one == two, "1 and 2 threads differ");
    assert!(one == three, "1 and 3 threads differ");
    let other_seed = simulate_json(&["scenarios/openai.toml", "--paths", "30000", "--seed", "12"]);
    assert!(one != other_seed, "different seeds gave the same output");
}

#[test]
fn json_has_the_documented_top_level_keys() {
    let out = simulate_json(&["scenarios/openai.toml", "--paths", "2000"]);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    for key in [
        "scenario",
        "seed",
        "paths",
        "thresholds",
        "break_even",
        "metrics",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    let t = &v["thresholds"][0];
    for key in ["name", "probability", "ci95"] {
        assert!(t.get(key).is_some(), "threshold missing {key}");
    }
    assert_eq!(v["paths"], 2000);
}

#[test]
fn changing_or_adding_an_input_leaves_every_other_draw_unchanged() {
    // Common random numbers: each input and each yearly process draws from its own stream
    // named by its key, so revenue cannot change when only cost inputs change or are added,
    // even when the new inputs (capex, compiled before the streams) shift every input's index.
    let base = r#"
        [scenario]
        name = "crn"
        start_year = 2025
        horizon = 2030
        [streams.api]
        revenue = { dist = "lognormal", ci90 = [5e9, 20e9] }
        growth = { dist = "uniform", min = 0.1, max = 0.9 }
        volatility = 0.2
        [costs]
        cost_of_revenue_share = { dist = "uniform", min = 0.2, max = 0.4 }
        rnd = 10e9
    "#;
    let changed = base.replace(
        "rnd = 10e9",
        "rnd = { dist = \"uniform\", min = 5e9, max = 20e9 }\n[capex]\ntotal = { dist = \"uniform\", min = 1e10, max = 5e10 }\nyears = 3\ngpu_life_years = { dist = \"uniform\", min = 2, max = 3 }",
    );
    let a = run(base, 5000, 9);
    let b = run(&changed, 5000, 9);
    let revenue = |r: &Report| serde_json::to_string(&r.metric(Metric::Revenue).years).unwrap();
    assert_eq!(revenue(&a), revenue(&b));
    let ebit = |r: &Report| serde_json::to_string(&r.metric(Metric::Ebit).years).unwrap();
    assert_ne!(ebit(&a), ebit(&b), "the cost change must show in EBIT");
}
