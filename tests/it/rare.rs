//! Subset simulation against analytic tails: a lognormal input against thresholds at 1e-3 to
//! 1e-12 (exact by statrs), the coverage of its 95% interval over seeded repetitions, a sum of
//! three inputs against a numerically computed convolution, and the run's guarantees (same
//! answer for any thread count, cancellation marked partial, a flat score stalls).

use std::sync::atomic::AtomicBool;

use breakeven::dist::Dist;
use breakeven::rare::{self, Estimate, Score, Settings, Status};
use statrs::distribution::{Continuous, ContinuousCDF, LogNormal, Normal};

/// `ln(X / t)` for `X` lognormal(mu, sigma), drawn by inversion at `Phi(z_0)` through the
/// simulator's own quantile function; the other coordinates are ignored, as a scenario's
/// unrelated inputs would be.
struct LognormalTail {
    dist: Dist,
    threshold: f64,
    dimension: usize,
}

impl Score for LognormalTail {
    type Scratch = ();
    type Error = ();
    fn dimension(&self) -> usize {
        self.dimension
    }
    fn scratch(&self) {}
    fn score(&self, z: &[f64], _: &mut ()) -> Result<f64, ()> {
        Ok((self.dist.quantile(rare::uniform(z[0])) / self.threshold).ln())
    }
}

const MU: f64 = 23.0;
const SIGMA: f64 = 0.8;

/// The threshold a lognormal(MU, SIGMA) exceeds with probability `p`, and its exact tail.
fn lognormal_case(p: f64, dimension: usize) -> (LognormalTail, f64) {
    let exact = LogNormal::new(MU, SIGMA).unwrap();
    let threshold = (MU - SIGMA * Normal::standard().inverse_cdf(p)).exp();
    let tail = exact.sf(threshold);
    let score = LognormalTail {
        dist: Dist::lognormal(MU, SIGMA).unwrap(),
        threshold,
        dimension,
    };
    (score, tail)
}

fn estimate<S: Score<Error = ()>>(score: &S, settings: &Settings, seed: u64) -> Estimate {
    rare::estimate(
        score,
        settings,
        seed,
        &rare::NoProgress,
        &AtomicBool::new(false),
    )
    .unwrap()
}

/// The estimate is within `z` of its own log-scale standard error of `exact`.
fn assert_close(name: &str, e: &Estimate, exact: f64, z: f64) {
    assert_eq!(e.status, Status::Estimated, "{name}: {e:?}");
    let p = e.probability.unwrap();
    let s = e.cov.unwrap().mul_add(e.cov.unwrap(), 1.0).ln().sqrt();
    assert!(
        (p / exact).ln().abs() <= z * s,
        "{name}: {p:e} against exact {exact:e} (log-scale sd {s:.3})"
    );
}

#[test]
fn lognormal_tails_from_1e_3_to_1e_12() {
    let settings = Settings::default();
    for (p, budget) in [
        (1e-3, 60_000),
        (1e-6, 100_000),
        (1e-9, 200_000),
        (1e-12, 250_000),
    ] {
        let (score, exact) = lognormal_case(p, 20);
        assert!(
            (exact / p - 1.0).abs() < 1e-3,
            "threshold for {p:e}: tail {exact:e}"
        );
        let e = estimate(&score, &settings, 7);
        // 3.3 standard errors: a correct estimator fails one such check in about 1,000.
        assert_close(&format!("p = {p:e}"), &e, exact, 3.3);
        assert!(
            e.evaluations <= budget,
            "p = {p:e}: {} evaluations",
            e.evaluations
        );
        let [low, high] = e.ci95.unwrap();
        assert!(low < e.probability.unwrap() && e.probability.unwrap() < high);
        assert!(e.gain.unwrap() > 1.0, "{e:?}");
    }
}

/// The targets: p = 1e-6 within 25% (one standard error of the mean of the repetitions) from
/// at most 1e5 evaluations, as measured over 20 seeded estimates.
#[test]
fn one_in_a_million_within_a_quarter_from_a_hundred_thousand_evaluations() {
    let (score, exact) = lognormal_case(1e-6, 20);
    let settings = Settings::default();
    let ratios: Vec<f64> = (0..20)
        .map(|seed| {
            let e = estimate(&score, &settings, 100 + seed);
            assert!(e.evaluations <= 100_000, "{} evaluations", e.evaluations);
            e.probability.unwrap() / exact
        })
        .collect();
    let n = ratios.len() as f64;
    let mean = ratios.iter().sum::<f64>() / n;
    let rms = (ratios.iter().map(|r| (r - 1.0).powi(2)).sum::<f64>() / n).sqrt();
    assert!(
        rms <= 0.25,
        "relative error {rms:.3} (mean ratio {mean:.3})"
    );
}

/// How often the 95% interval holds the exact value in `trials` seeded estimates at 1e-6.
fn coverage(trials: u64) -> u64 {
    let (score, exact) = lognormal_case(1e-6, 20);
    let settings = Settings::default();
    (0..trials)
        .filter(|&seed| {
            let [low, high] = estimate(&score, &settings, 1_000 + seed).ci95.unwrap();
            low <= exact && exact <= high
        })
        .count() as u64
}

/// A smaller version of [`coverage_of_the_95_interval_in_100_repetitions`]: 30 estimates,
/// at least 25 covering (a 95% interval that truly covers 90% fails this 1 time in 12, one
/// that covers 95% about 1 time in 50... seeded, so the outcome is fixed).
#[test]
fn coverage_of_the_95_interval_in_30_repetitions() {
    let covered = coverage(30);
    assert!(covered >= 25, "covered {covered} of 30");
}

/// The coverage test: in at least 90 of 100 seeded estimates at 1e-6 the 95% interval
/// holds the exact value. About 10 s of one core:
/// `cargo test --release --test it rare::coverage_of_the_95_interval_in_100 -- --ignored`.
#[test]
#[ignore]
fn coverage_of_the_95_interval_in_100_repetitions() {
    let covered = coverage(100);
    println!("covered {covered} of 100");
    assert!(covered >= 90, "covered {covered} of 100");
}

/// `X1 + X2 + X3` with `X1` lognormal, `X2` normal and `X3` triangular: a tail that is no
/// single input's. The exact tail is the convolution
/// `P(S >= t) = int int f2(x2) f3(x3) P(X1 >= t - x2 - x3) dx2 dx3`, by Simpson's rule.
struct SumOfThree {
    dists: [Dist; 3],
    threshold: f64,
}

impl Score for SumOfThree {
    type Scratch = ();
    type Error = ();
    fn dimension(&self) -> usize {
        3
    }
    fn scratch(&self) {}
    fn score(&self, z: &[f64], _: &mut ()) -> Result<f64, ()> {
        let sum: f64 = self
            .dists
            .iter()
            .zip(z)
            .map(|(d, &z)| d.quantile(rare::uniform(z)))
            .sum();
        Ok(sum / self.threshold - 1.0)
    }
}

/// Simpson's rule for `f` on `[a, b]` with `n` (even) intervals.
fn simpson(f: impl Fn(f64) -> f64, a: f64, b: f64, n: usize) -> f64 {
    let h = (b - a) / n as f64;
    let inner: f64 = (1..n)
        .map(|i| f(a + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 })
        .sum();
    (f(a) + inner + f(b)) * h / 3.0
}

fn convolution_tail(t: f64) -> f64 {
    let x1 = LogNormal::new(0.0, 0.5).unwrap();
    let x2 = Normal::new(1.0, 0.3).unwrap();
    // Triangular(0, 0.5, 2): density rising to 0.8 at 0.5, falling to 0 at 2.
    let f3 = |x: f64| {
        if x <= 0.5 {
            1.6 * x
        } else {
            0.8 * (2.0 - x) / 1.5
        }
    };
    let inner = |x2: f64| {
        let g = |x3: f64| {
            f3(x3)
                * if t - x2 - x3 <= 0.0 {
                    1.0
                } else {
                    x1.sf(t - x2 - x3)
                }
        };
        simpson(g, 0.0, 0.5, 400) + simpson(g, 0.5, 2.0, 1200)
    };
    simpson(
        |x| x2.pdf(x) * inner(x),
        1.0 - 9.0 * 0.3,
        1.0 + 9.0 * 0.3,
        1800,
    )
}

#[test]
fn a_sum_of_three_inputs_against_its_convolution() {
    let threshold = 12.5;
    let exact = convolution_tail(threshold);
    assert!((1e-7..1e-5).contains(&exact), "exact tail {exact:e}");
    let score = SumOfThree {
        dists: [
            Dist::lognormal(0.0, 0.5).unwrap(),
            Dist::normal(1.0, 0.3).unwrap(),
            Dist::triangular(0.0, 0.5, 2.0).unwrap(),
        ],
        threshold,
    };
    let e = estimate(&score, &Settings::default(), 11);
    assert_close("sum of three", &e, exact, 3.3);
}

#[test]
fn any_thread_count_gives_the_same_estimate() {
    let (score, _) = lognormal_case(1e-5, 8);
    let settings = Settings::new(500, 3, 16).unwrap();
    let on = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| estimate(&score, &settings, 5))
    };
    let one = on(1);
    assert_eq!(one, on(2));
    assert_eq!(one, on(4));
}

#[test]
fn settings_are_checked() {
    assert!(Settings::new(1505, 10, 16).is_err());
    assert!(Settings::new(50, 10, 16).is_err());
    assert!(Settings::new(1000, 1, 16).is_err());
    assert!(Settings::new(1000, 10, 0).is_err());
    assert_eq!(Settings::new(1500, 10, 16).unwrap(), Settings::default());
}

#[test]
fn a_cancelled_estimate_is_partial_and_holds_no_number() {
    let (score, _) = lognormal_case(1e-6, 4);
    let e = rare::estimate(
        &score,
        &Settings::default(),
        1,
        &rare::NoProgress,
        &AtomicBool::new(true),
    )
    .unwrap();
    assert!(e.partial);
    assert_eq!(e.status, Status::Unfinished);
    assert_eq!(e.probability, None);
}

/// A score that is flat short of the event: no level can be formed above it.
struct Flat;

impl Score for Flat {
    type Scratch = ();
    type Error = ();
    fn dimension(&self) -> usize {
        2
    }
    fn scratch(&self) {}
    fn score(&self, z: &[f64], _: &mut ()) -> Result<f64, ()> {
        Ok(if z[0] > 1.0 { -1.0 } else { -2.0 })
    }
}

#[test]
fn a_flat_score_stalls_rather_than_inventing_levels() {
    let e = estimate(&Flat, &Settings::default(), 3);
    assert_eq!(e.status, Status::Stalled, "{e:?}");
    // The level formed is {z_0 > 1}: probability 1 - Phi(1) = 0.159.
    let p = e.probability.unwrap();
    assert!((p - 0.1587).abs() < 0.03, "{p}");
}

#[test]
fn an_event_beyond_the_levels_allowed_is_below_the_floor() {
    let (score, _) = lognormal_case(1e-9, 2);
    let settings = Settings::new(1500, 10, 4).unwrap();
    let e = estimate(&score, &settings, 3);
    assert_eq!(e.status, Status::BelowFloor, "{e:?}");
    assert!(e.probability.unwrap() < 1e-3);
}

/// The figures in BENCHMARKS.md ("Rare events"): for each tail, 100 seeded estimates with the
/// default settings; prints the mean ratio to the exact value, the relative RMS error, the
/// mean evaluations, the interval's coverage and the mean gain over plain Monte Carlo.
/// `cargo test --release --test it rare::measure_the_analytic_tails -- --ignored --nocapture`
#[test]
#[ignore]
fn measure_the_analytic_tails() {
    let settings = Settings::default();
    println!("| p | mean ratio | relative RMS error | evaluations | coverage of 95% | gain |");
    println!("|---|---|---|---|---|---|");
    for p in [1e-3, 1e-6, 1e-9, 1e-12] {
        let (score, exact) = lognormal_case(p, 20);
        let runs: Vec<Estimate> = (0..100)
            .map(|s| estimate(&score, &settings, 5_000 + s))
            .collect();
        let ratio = |e: &Estimate| e.probability.unwrap() / exact;
        let mean = runs.iter().map(ratio).sum::<f64>() / 100.0;
        let rms = (runs.iter().map(|e| (ratio(e) - 1.0).powi(2)).sum::<f64>() / 100.0).sqrt();
        let evaluations = runs.iter().map(|e| e.evaluations as f64).sum::<f64>() / 100.0;
        let covered = runs
            .iter()
            .filter(|e| {
                let [low, high] = e.ci95.unwrap();
                low <= exact && exact <= high
            })
            .count();
        // The gain at the measured error: plain Monte Carlo paths for that error over the
        // evaluations used.
        let gain = (1.0 - exact) / (exact * rms * rms) / evaluations;
        println!("| {p:e} | {mean:.3} | {rms:.3} | {evaluations:.0} | {covered}/100 | {gain:.0} |");
    }
}
