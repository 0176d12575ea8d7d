//! Correlated inputs: the achieved Spearman rank correlations match the requested ones within
//! sampling error, for every sampler and with truncated marginals, every marginal keeps its
//! distribution (Kolmogorov–Smirnov against the input's own CDF), and bad `[correlations]`
//! are errors that name the inputs, the key and the line.
//!
//! Tolerance for a Spearman correlation: with Fisher's transform `z = atanh(r)`, the sample
//! Spearman correlation of a bivariate normal sample has `var(z) ~= 1.06 / (n - 3)` (Fieller,
//! Hartley & Pearson 1957, Biometrika 44). A Gaussian copula gives the ranks of a bivariate
//! normal, and inverse CDFs keep ranks, so the bound applies to any continuous marginals. We
//! allow four standard errors. Latin hypercube sampling never has more than `n / (n - 1)`
//! times the variance of independent sampling (Owen 1997, "Monte Carlo variance of scrambled
//! net quadrature"), so the same bound is used for it.

use crate::common::ks_statistic;

use assert_cmd::Command;
use breakeven::engine::CHUNK_PATHS;
use breakeven::rng::chunk_rng;
use breakeven::sampler::{InputDraw, Sampler};
use breakeven::scenario::{self, Scenario};
use rand::Rng;

const SCENARIO: &str = r#"
[scenario]
name = "correlated"
start_year = 2025
horizon = 2026

[subscriptions]
users = 7e8
user_ceiling = { dist = "lognormal", ci90 = [1.5e9, 4e9], truncate = [1.6e9, 3.5e9] }
user_growth = { dist = "uniform", min = 0.3, max = 0.8 }
paying_share = 0.058
conversion = { dist = "pert", min = 0.03, mode = 0.045, max = 0.07 }
churn = { dist = "normal", mean = 0.35, sd = 0.1, truncate = [0.25, 0.5] }
price = 240

[correlations]
pairs = [
  { a = "subscriptions.user_growth", b = "subscriptions.conversion", rho = 0.6 },
  { a = "subscriptions.conversion", b = "subscriptions.churn", rho = -0.4 },
  { a = "subscriptions.user_ceiling", b = "subscriptions.user_growth", rho = 0.3 },
]
"#;

const N: usize = 50 * CHUNK_PATHS as usize;

/// Draws `N` paths' inputs; returns one column per input.
fn columns(s: &Scenario, sampler: Sampler) -> Vec<Vec<f64>> {
    let draw = InputDraw::new(s, sampler, 11).unwrap();
    let mut scratch = draw.scratch();
    let mut values = draw.initial_values();
    let mut columns = vec![Vec::with_capacity(N); s.inputs.len()];
    for chunk in 0..(N as u64 / CHUNK_PATHS) {
        let mut rng = chunk_rng(11, chunk);
        draw.begin_chunk(CHUNK_PATHS as usize, &rng, &mut scratch);
        for i in 0..CHUNK_PATHS as usize {
            let key = rng.next_u64();
            let global = chunk * CHUNK_PATHS + i as u64;
            draw.draw(i, global, key, &mut scratch, &mut values);
            for (column, &v) in columns.iter_mut().zip(&values) {
                column.push(v);
            }
        }
    }
    columns
}

/// Ranks 0..n (the inputs here are continuous, so without ties).
fn ranks(xs: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
    let mut r = vec![0.0; xs.len()];
    for (rank, &i) in order.iter().enumerate() {
        r[i] = rank as f64;
    }
    r
}

fn spearman(x: &[f64], y: &[f64]) -> f64 {
    let (rx, ry) = (ranks(x), ranks(y));
    let n = x.len() as f64;
    let mean = (n - 1.0) / 2.0;
    let cov: f64 = rx
        .iter()
        .zip(&ry)
        .map(|(a, b)| (a - mean) * (b - mean))
        .sum();
    let var: f64 = rx.iter().map(|a| (a - mean) * (a - mean)).sum();
    cov / var
}

#[test]
fn achieved_rank_correlations_match_the_requested_ones() {
    let s = scenario::parse(SCENARIO, "c.toml", &[]).unwrap();
    let se = (1.06 / (N as f64 - 3.0)).sqrt();
    for sampler in [Sampler::Mc, Sampler::Lhs, Sampler::Sobol] {
        let cols = columns(&s, sampler);
        let col = |key: &str| &cols[s.input_index(key).unwrap()];
        let cases = [
            ("subscriptions.user_growth", "subscriptions.conversion", 0.6),
            ("subscriptions.conversion", "subscriptions.churn", -0.4),
            (
                "subscriptions.user_ceiling",
                "subscriptions.user_growth",
                0.3,
            ),
            // Pairs that are not listed are uncorrelated, even within a group.
            (
                "subscriptions.user_ceiling",
                "subscriptions.conversion",
                0.0,
            ),
        ];
        for (a, b, rho) in cases {
            let r = spearman(col(a), col(b));
            assert!(
                (r.atanh() - f64::atanh(rho)).abs() <= 4.0 * se,
                "{sampler:?}: spearman({a}, {b}) = {r:.4}, requested {rho} (4 se in z = {:.4})",
                4.0 * se
            );
        }
    }
}

#[test]
fn correlation_leaves_every_marginal_unchanged() {
    // KS critical value at alpha = 0.001: 1.949 / sqrt(n).
    let s = scenario::parse(SCENARIO, "c.toml", &[]).unwrap();
    let critical = 1.949 / (N as f64).sqrt();
    for sampler in [Sampler::Mc, Sampler::Lhs, Sampler::Sobol] {
        let cols = columns(&s, sampler);
        for (input, col) in s.inputs.iter().zip(&cols) {
            if input.dist.is_fixed() {
                continue;
            }
            let (lo, hi) = input.dist.support();
            assert!(col.iter().all(|x| (lo..=hi).contains(x)), "{}", input.key);
            let d = ks_statistic(col, |x| input.dist.cdf(x));
            assert!(
                d < critical,
                "{sampler:?} {}: KS {d} >= {critical}",
                input.key
            );
        }
    }
}

fn check_error(extra: &str, expected: &[&str]) {
    let text = format!(
        "{}\n[correlations]\npairs = [\n{extra}\n]\n",
        SCENARIO.split("[correlations]").next().unwrap()
    );
    let out = Command::cargo_bin("simulate")
        .unwrap()
        .args(["check", "-"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    for e in expected {
        assert!(stderr.contains(e), "expected '{e}' in: {stderr}");
    }
}

#[test]
fn inconsistent_unknown_and_fixed_inputs_are_errors_naming_them() {
    check_error(
        r#"{ a = "subscriptions.user_growth", b = "subscriptions.conversion", rho = 0.9 },
           { a = "subscriptions.conversion", b = "subscriptions.churn", rho = 0.9 },
           { a = "subscriptions.user_growth", b = "subscriptions.churn", rho = -0.9 },"#,
        &[
            "-:",
            "correlations.pairs",
            "subscriptions.user_growth, subscriptions.conversion, subscriptions.churn",
            "not positive semi-definite",
        ],
    );
    check_error(
        r#"{ a = "subscriptions.user_growth", b = "subscriptions.conversoin", rho = 0.5 },"#,
        &[
            "-:19: correlations.pairs[0].b",
            "not an input",
            "did you mean subscriptions.conversion",
        ],
    );
    check_error(
        r#"{ a = "subscriptions.price", b = "subscriptions.conversion", rho = 0.5 },"#,
        &["correlations.pairs[0].a", "is fixed"],
    );
    check_error(
        r#"{ a = "subscriptions.churn", b = "subscriptions.conversion", rho = 1.5 },"#,
        &["correlations.pairs[0].rho", "[-1, 1]"],
    );
    check_error(
        r#"{ a = "subscriptions.churn", b = "subscriptions.churn", rho = 0.5 },"#,
        &["correlations.pairs[0].b", "itself"],
    );
    check_error(
        r#"{ a = "subscriptions.churn", b = "subscriptions.conversion", rho = 0.5, weight = 1 },"#,
        &["correlations.pairs[0]", "weight"],
    );
}

#[test]
fn an_input_fixed_by_set_leaves_its_correlations_and_the_rest_still_apply() {
    // A sweep or goal seek fixes a correlated input with --set: its pairs no longer apply, the
    // others keep their correlation.
    let set = ["subscriptions.conversion=0.05".parse().unwrap()];
    let s = scenario::parse(SCENARIO, "c.toml", &set).unwrap();
    let cols = columns(&s, Sampler::Mc);
    let col = |key: &str| &cols[s.input_index(key).unwrap()];
    assert!(col("subscriptions.conversion").iter().all(|&x| x == 0.05));
    let r = spearman(
        col("subscriptions.user_ceiling"),
        col("subscriptions.user_growth"),
    );
    let se = (1.06 / (N as f64 - 3.0)).sqrt();
    assert!((r.atanh() - f64::atanh(0.3)).abs() <= 4.0 * se, "{r}");
    // As an analysis does, fixing an input of the compiled scenario directly.
    let mut fixed = scenario::parse(SCENARIO, "c.toml", &[]).unwrap();
    let j = fixed.input_index("subscriptions.user_growth").unwrap();
    fixed.inputs[j].dist = breakeven::dist::Dist::fixed(0.5).unwrap();
    let cols = columns(&fixed, Sampler::Lhs);
    assert!(cols[j].iter().all(|&x| x == 0.5));
}
