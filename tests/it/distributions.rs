//! Every distribution against analytic answers from statrs: the sample mean and variance within
//! a tolerance derived from the Monte Carlo standard error, and a Kolmogorov–Smirnov test of
//! the whole sample against statrs's CDF. Samples are drawn as the engine draws them: by
//! inversion (`Dist::sampling_quantile`) at counter-based uniforms. Seeded, so the outcome is
//! deterministic.

use crate::common::ks_statistic;

use breakeven::dist::Dist;
use breakeven::rng::uniform;
use statrs::distribution::{Beta, ContinuousCDF, LogNormal, Normal, Triangular, Uniform};
use statrs::statistics::Distribution as Moments;

const N: usize = 200_000;
/// Standard errors allowed: a correct sampler fails one such check in about 16,000.
const Z: f64 = 4.0;
/// The KS critical value at alpha = 0.001 is 1.949 / sqrt(n).
const KS_CRITICAL: f64 = 1.949;

fn sample(d: &Dist, seed: u64) -> Vec<f64> {
    (0..N as u64)
        .map(|i| d.sampling_quantile(uniform(i, seed, 0)))
        .collect()
}

/// Checks the sample mean and variance against the analytic ones. The standard error of the
/// mean is sd / sqrt(n); that of the variance is estimated from the sample's fourth moment.
fn check_moments(name: &str, xs: &[f64], mean: f64, variance: f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let deviations: Vec<f64> = xs.iter().map(|x| (x - m) * (x - m)).collect();
    let v = deviations.iter().sum::<f64>() / (n - 1.0);
    let se_mean = (variance / n).sqrt();
    let var_of_sq = deviations.iter().map(|d| (d - v) * (d - v)).sum::<f64>() / (n - 1.0);
    let se_var = (var_of_sq / n).sqrt();
    assert!(
        (m - mean).abs() <= Z * se_mean,
        "{name}: mean {m} vs {mean} (se {se_mean})"
    );
    assert!(
        (v - variance).abs() <= Z * se_var,
        "{name}: variance {v} vs {variance} (se {se_var})"
    );
}

fn check_ks(name: &str, xs: &mut [f64], cdf: impl Fn(f64) -> f64) {
    let d = ks_statistic(xs, cdf);
    let critical = KS_CRITICAL / (xs.len() as f64).sqrt();
    assert!(d < critical, "{name}: KS statistic {d} >= {critical}");
}

fn check_continuous(
    name: &str,
    ours: Dist,
    theirs: &(impl ContinuousCDF<f64, f64> + Moments<f64>),
    seed: u64,
) {
    let mean = theirs.mean().unwrap();
    let variance = theirs.variance().unwrap();
    assert!(
        (ours.mean().unwrap() - mean).abs() <= 1e-12 * mean.abs().max(1.0),
        "{name}: analytic mean"
    );
    assert!(
        (ours.variance().unwrap() - variance).abs() <= 1e-9 * variance,
        "{name}: analytic variance"
    );
    let mut xs = sample(&ours, seed);
    check_moments(name, &xs, mean, variance);
    check_ks(name, &mut xs, |x| theirs.cdf(x));
}

#[test]
fn uniform_matches_statrs() {
    check_continuous(
        "uniform",
        Dist::uniform(2.0, 3.0).unwrap(),
        &Uniform::new(2.0, 3.0).unwrap(),
        1,
    );
}

#[test]
fn triangular_matches_statrs() {
    check_continuous(
        "triangular",
        Dist::triangular(1.0e12, 1.4e12, 1.6e12).unwrap(),
        &Triangular::new(1.0e12, 1.6e12, 1.4e12).unwrap(),
        2,
    );
}

#[test]
fn normal_matches_statrs() {
    check_continuous(
        "normal",
        Dist::normal(0.05, 0.02).unwrap(),
        &Normal::new(0.05, 0.02).unwrap(),
        3,
    );
}

#[test]
fn lognormal_matches_statrs() {
    check_continuous(
        "lognormal",
        Dist::lognormal(1.0, 0.6).unwrap(),
        &LogNormal::new(1.0, 0.6).unwrap(),
        4,
    );
    // Given by its 90% interval: mu and sigma follow from the 5th and 95th percentiles.
    let ci = Dist::lognormal_ci90(40e9, 120e9).unwrap();
    let mu = 0.5 * (40e9f64.ln() + 120e9f64.ln());
    let sigma = (120e9f64.ln() - 40e9f64.ln()) / (2.0 * 1.644_853_626_951_472_2);
    check_continuous("lognormal ci90", ci, &LogNormal::new(mu, sigma).unwrap(), 5);
}

#[test]
fn beta_matches_statrs() {
    check_continuous(
        "beta",
        Dist::beta(2.0, 5.0, 0.0, 1.0).unwrap(),
        &Beta::new(2.0, 5.0).unwrap(),
        6,
    );
}

#[test]
fn scaled_beta_and_pert_match_a_scaled_statrs_beta() {
    // PERT(min, mode, max) is Beta(1 + 4 (mode-min)/(max-min), 1 + 4 (max-mode)/(max-min)).
    let (min, mode, max) = (0.35, 0.5, 0.7);
    let a = 1.0 + 4.0 * (mode - min) / (max - min);
    let b = 1.0 + 4.0 * (max - mode) / (max - min);
    let unit = Beta::new(a, b).unwrap();
    let width = max - min;
    let mean = min + width * unit.mean().unwrap();
    let variance = width * width * unit.variance().unwrap();
    for (name, d, seed) in [
        ("pert", Dist::pert(min, mode, max, 4.0).unwrap(), 7),
        ("scaled beta", Dist::beta(a, b, min, max).unwrap(), 8),
    ] {
        assert!(
            (d.mean().unwrap() - mean).abs() < 1e-12,
            "{name}: analytic mean"
        );
        assert!(
            (d.variance().unwrap() - variance).abs() < 1e-12,
            "{name}: analytic variance"
        );
        let mut xs = sample(&d, seed);
        check_moments(name, &xs, mean, variance);
        check_ks(name, &mut xs, |x| unit.cdf((x - min) / width));
    }
}

#[test]
fn truncated_normal_matches_the_renormalised_statrs_cdf() {
    let (mu, sd, lo, hi) = (0.5, 0.3, 0.0, 1.0);
    let d = Dist::normal(mu, sd).unwrap().truncate(lo, hi).unwrap();
    let base = Normal::new(mu, sd).unwrap();
    let mass = base.cdf(hi) - base.cdf(lo);
    // Truncated normal moments (Johnson, Kotz & Balakrishnan).
    let pdf = |x: f64| {
        (-0.5 * ((x - mu) / sd).powi(2)).exp() / (sd * (2.0 * std::f64::consts::PI).sqrt())
    };
    let (a, b) = ((lo - mu) / sd, (hi - mu) / sd);
    let mean = mu + sd * sd * (pdf(lo) - pdf(hi)) / mass;
    let variance = sd
        * sd
        * (1.0 + (a * sd * pdf(lo) - b * sd * pdf(hi)) / mass
            - (sd * (pdf(lo) - pdf(hi)) / mass).powi(2));
    let mut xs = sample(&d, 9);
    assert!(xs.iter().all(|x| (lo..=hi).contains(x)));
    check_moments("truncated normal", &xs, mean, variance);
    check_ks("truncated normal", &mut xs, |x| {
        ((base.cdf(x) - base.cdf(lo)) / mass).clamp(0.0, 1.0)
    });
}

#[test]
fn truncated_lognormal_and_pert_follow_their_truncated_cdfs() {
    let base = Dist::lognormal(0.0, 1.0).unwrap();
    let d = base.clone().truncate(0.5, 4.0).unwrap();
    let statrs_base = LogNormal::new(0.0, 1.0).unwrap();
    let (flo, fhi) = (statrs_base.cdf(0.5), statrs_base.cdf(4.0));
    let mut xs = sample(&d, 10);
    check_ks("truncated lognormal", &mut xs, |x| {
        ((statrs_base.cdf(x) - flo) / (fhi - flo)).clamp(0.0, 1.0)
    });

    let pert = Dist::pert(0.0, 0.2, 1.0, 4.0).unwrap();
    let unit = Beta::new(1.8, 4.2).unwrap();
    let t = pert.truncate(0.1, 0.6).unwrap();
    let (flo, fhi) = (unit.cdf(0.1), unit.cdf(0.6));
    let mut xs = sample(&t, 11);
    check_ks("truncated pert", &mut xs, |x| {
        ((unit.cdf(x) - flo) / (fhi - flo)).clamp(0.0, 1.0)
    });
}

#[test]
fn discrete_frequencies_match_weights() {
    let values = vec![5.0, 6.0, 8.0];
    let weights = vec![0.5, 0.3, 0.2];
    let d = Dist::discrete(values.clone(), Some(weights.clone())).unwrap();
    let xs = sample(&d, 12);
    let mean: f64 = values.iter().zip(&weights).map(|(v, w)| v * w).sum();
    let variance: f64 = values
        .iter()
        .zip(&weights)
        .map(|(v, w)| w * (v - mean).powi(2))
        .sum();
    assert!((d.mean().unwrap() - mean).abs() < 1e-12);
    assert!((d.variance().unwrap() - variance).abs() < 1e-12);
    check_moments("discrete", &xs, mean, variance);
    for (v, w) in values.iter().zip(&weights) {
        let share = xs.iter().filter(|x| *x == v).count() as f64 / N as f64;
        let se = (w * (1.0 - w) / N as f64).sqrt();
        assert!(
            (share - w).abs() <= Z * se,
            "value {v}: share {share} vs {w}"
        );
    }
    assert!(xs.iter().all(|x| values.contains(x)));
}

#[test]
fn fixed_is_constant() {
    let d = Dist::fixed(240.0).unwrap();
    assert!(sample(&d, 13).iter().all(|&x| x == 240.0));
    assert_eq!(d.variance(), Some(0.0));
}
