//! Numerical safety: long horizons and extreme growth stay finite or fail with a message that
//! names the year, the quantity and the input at fault; probabilities, intervals and quantiles
//! keep their invariants on any data.
//!
//! Expected failure years are computed by repeating the model's own floating-point steps, so
//! they are exact, not approximate.

use breakeven::engine::Plan;
use breakeven::model::{MAGNITUDE_LIMIT, Metric};
use breakeven::report::{Report, RunFacts};
use breakeven::scenario::{self, Override, Scenario};
use breakeven::simulation::{self, PathError, RunError, RunOptions};
use breakeven::stats::histogram::{DYNAMIC_RANGE, RELATIVE_ERROR, ZERO_BELOW};
use breakeven::stats::{MetricStats, Z95, wilson_interval};
use proptest::prelude::*;

const OPENAI: &str = include_str!("../../scenarios/openai.toml");

fn compile(text: &str, sets: &[&str]) -> Scenario {
    let overrides: Vec<Override> = sets.iter().map(|s| s.parse().unwrap()).collect();
    scenario::parse(text, "test.toml", &overrides).unwrap()
}

fn run(s: &Scenario, paths: u64) -> Result<Report, PathError> {
    let plan = Plan::whole(5, paths);
    let out = simulation::run(s, &RunOptions::new(plan)).map_err(|e| match e {
        RunError::Path(e) => e,
        other => panic!("{other}"),
    })?;
    Ok(Report::new(s, &out.summary, 5, paths, RunFacts::default()))
}

fn assert_finite(r: &Report) {
    for m in &r.metrics {
        for y in &m.years {
            let d = &y.distribution;
            for x in [d.mean, d.sd, d.min, d.p5, d.p10, d.p50, d.p90, d.p95, d.max] {
                let x = x.expect("every path recorded");
                assert!(
                    x.is_finite() && x.abs() <= MAGNITUDE_LIMIT,
                    "{} {}: {x}",
                    m.name,
                    y.year
                );
            }
        }
    }
}

#[test]
fn fifty_years_of_fast_growth_stay_finite() {
    let s = compile(
        OPENAI,
        &[
            "scenario.horizon=2074",
            "streams.api.terminal_growth=1.0",
            "streams.ads_and_devices.growth={ dist = \"uniform\", min = 0.5, max = 3.0 }",
            "streams.ads_and_devices.volatility=0.8",
            "costs.rnd_growth=0.5",
        ],
    );
    let r = run(&s, 20_000).expect("no path leaves the representable range");
    assert_finite(&r);
    // The API stream's growth never falls below 80% a year (it fades from [0.8, 1.6] toward
    // 100%): 1.8^49 = 3e12 before volatility and price shocks. Loosely: far more than 1e10.
    let revenue = r.metric(Metric::Revenue);
    let (first, last) = (
        revenue.years[0].distribution.p50,
        revenue.years[49].distribution.p50,
    );
    assert!(
        last.unwrap() > 1e10 * first.unwrap(),
        "{first:?} -> {last:?}"
    );
}

#[test]
fn lives_longer_than_any_integer_are_valid_and_endless_programmes_are_errors() {
    // A GPU life of 1e300 years never ends within the horizon: no refresh, so capex is the
    // flat programme, exactly. (The year counts used to wrap and gave -inf.)
    let s = compile(
        OPENAI,
        &[
            "capex.gpu_life_years=1e300",
            "capex.facility_life_years=1e300",
            "capex.profile=\"flat\"",
            "capex.years=5",
            "capex.total=1e12",
        ],
    );
    let r = run(&s, 2_000).unwrap();
    assert_finite(&r);
    let capex = r.metric(Metric::Capex);
    for y in 1..=5 {
        assert_eq!(capex.years[y].distribution.max, Some(2e11));
    }
    assert_eq!(capex.years[6].distribution.max, Some(0.0));
    // A programme of 1e300 years is a mistake, not a plan: rejected when checked.
    let overrides: Vec<Override> = ["capex.years=1e300"]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    let err = scenario::parse(OPENAI, "test.toml", &overrides).unwrap_err();
    assert_eq!(err.key.as_deref(), Some("capex.years"), "{err}");
}

#[test]
fn extreme_years_are_errors_and_one_year_scenarios_with_shocks_run() {
    let err = scenario::parse(
        &OPENAI.replace(
            "start_year = 2025\nhorizon = 2035",
            "start_year = -2147483648\nhorizon = 2147483647",
        ),
        "test.toml",
        &[],
    )
    .unwrap_err();
    assert_eq!(err.key.as_deref(), Some("scenario.start_year"), "{err}");
    // A shock's default first year is the year after the start, beyond a one-year horizon.
    let one_year = "[scenario]\nname = \"x\"\nstart_year = 2025\nhorizon = 2025\n\
        [streams.api]\nrevenue = 1e9\ngrowth = 0.1\n\
        [shocks.open]\nprobability = 0.5\nprice_factor = 0.1\nstreams = [\"api\"]\n";
    let r = run(&compile(one_year, &[]), 1_000).unwrap();
    assert_eq!(
        r.metric(Metric::Revenue).years[0].distribution.max,
        Some(1e9)
    );
}

const STREAM: &str = "[scenario]\nname = \"growth\"\nstart_year = 2025\nhorizon = 2100\n\
    [streams.api]\nrevenue = 1e10\ngrowth = 1000\n[costs]\nrnd = 1e9\n";

#[test]
fn overflow_names_the_year_the_quantity_and_the_growth_rate_not_the_level() {
    let err = run(&compile(STREAM, &[]), 100).unwrap_err();
    // The model's own steps: revenue *= (1 + g) * 1 each year (no volatility).
    let (mut revenue, mut years) = (1e10f64, 0);
    while revenue.abs() <= MAGNITUDE_LIMIT {
        revenue *= 1001.0;
        years += 1;
    }
    assert_eq!(err.error.year, 2025 + years, "{err}");
    assert_eq!(err.error.quantity, "revenue", "{err}");
    let suspect = err.suspect.clone().unwrap();
    assert_eq!(suspect.key, "streams.api.growth", "{err}");
    assert_eq!(suspect.value, 1000.0);
    let message = err.to_string();
    assert!(
        message.contains(&format!("in {}", 2025 + years))
            && message.contains("revenue")
            && message.contains("streams.api.growth = 1000"),
        "{message}"
    );
}

#[test]
fn cost_overflow_blames_its_growth_and_a_fat_tail_blames_the_draw() {
    let costs = "[scenario]\nname = \"costs\"\nstart_year = 2025\nhorizon = 2100\n\
        [streams.api]\nrevenue = 1e10\ngrowth = 0.1\n[costs]\nrnd = 7e9\nrnd_growth = 1000\n";
    let err = run(&compile(costs, &[]), 100).unwrap_err();
    assert_eq!(err.error.quantity, "costs", "{err}");
    assert_eq!(err.suspect.unwrap().key, "costs.rnd_growth");

    // Growth lognormal with a fat tail: about 5% of paths compound past the limit in 60
    // years. The level is random too, but moving it to its median cannot repair a path.
    let fat = "[scenario]\nname = \"fat tail\"\nstart_year = 2025\nhorizon = 2085\n\
        [streams.api]\nrevenue = { dist = \"uniform\", min = 1e9, max = 1e10 }\n\
        growth = { dist = \"lognormal\", mu = 0, sigma = 3 }\n\
        [costs]\nrnd = { dist = \"uniform\", min = 1e9, max = 2e9 }\n";
    let err = run(&compile(fat, &[]), 5_000).unwrap_err();
    let suspect = err.suspect.clone().unwrap();
    assert_eq!(suspect.key, "streams.api.growth", "{err}");
    assert!(suspect.value > 100.0, "{err}");
}

#[test]
fn npv_overflow_names_its_year_and_the_discount_rate() {
    let text = "[scenario]\nname = \"npv\"\nstart_year = 2025\nhorizon = 2100\n\
        [finance]\ndiscount_rate = -0.999999\n[streams.api]\nrevenue = 1e9\ngrowth = 0\n";
    let err = run(&compile(text, &[]), 100).unwrap_err();
    let discount = 1.0 / (1.0 + -0.999999f64);
    let (mut npv, mut factor, mut year) = (0.0f64, 1.0f64, 0);
    loop {
        npv += 1e9 * factor;
        factor *= discount;
        if npv.abs() > MAGNITUDE_LIMIT {
            break;
        }
        year += 1;
    }
    assert_eq!(err.error.quantity, "npv", "{err}");
    assert_eq!(err.error.year, 2025 + year, "{err}");
    assert_eq!(err.suspect.unwrap().key, "finance.discount_rate");
}

/// Finite values as a simulation produces them: any sign, tiny to huge, with repeats.
fn values() -> impl Strategy<Value = Vec<f64>> {
    let value = prop_oneof![
        -1e140..1e140f64,
        -1e3..1e3f64,
        -1e-5..1e-5f64,
        Just(0.0),
        Just(1e9),
        (0.0..1.0f64).prop_map(|u| 10f64.powf(280.0 * u - 140.0)),
    ];
    prop::collection::vec(value, 1..3000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn quantiles_are_monotone_within_the_extremes_and_the_stated_error(
        xs in values(),
        batch in 1usize..1100,
    ) {
        let mut stats = MetricStats::default();
        for part in xs.chunks(batch) {
            stats.add_batch(part);
        }
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        let (min, max) = (stats.min().unwrap(), stats.max().unwrap());
        prop_assert_eq!(min, sorted[0]);
        prop_assert_eq!(max, sorted[sorted.len() - 1]);
        let qs = [0.0, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 1.0];
        let mut previous = min;
        for q in qs {
            let x = stats.quantile(q).unwrap();
            prop_assert!(previous <= x && x <= max, "q {}: {} after {}", q, x, previous);
            previous = x;
            // Nearest rank, within the histogram's relative error (values below ZERO_BELOW
            // count as zero; magnitudes more than DYNAMIC_RANGE below the largest of their
            // sign are reported at that floor).
            let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
            let exact = sorted[rank - 1];
            let largest = if exact >= 0.0 { max.abs() } else { min.abs() };
            let tolerance = (RELATIVE_ERROR * exact.abs() + ZERO_BELOW)
                .max(2.0 * largest / DYNAMIC_RANGE);
            prop_assert!((x - exact).abs() <= tolerance, "q {}: {} vs exact {}", q, x, exact);
        }
        let mean = stats.mean().unwrap();
        prop_assert!(mean.is_finite() && min <= mean && mean <= max, "mean {} outside [{}, {}]", mean, min, max);
        prop_assert!(stats.sd().is_none_or(|sd| sd.is_finite() && sd >= 0.0));
    }

    #[test]
    fn wilson_intervals_lie_in_the_unit_interval_and_contain_the_estimate(
        trials in prop_oneof![1u64..100, 1u64..u64::MAX / 2],
        share in 0.0..=1.0f64,
    ) {
        let hits = ((trials as f64 * share) as u64).min(trials);
        let (low, high) = wilson_interval(hits, trials, Z95);
        let p = hits as f64 / trials as f64;
        prop_assert!(0.0 <= low && low <= p && p <= high && high <= 1.0, "{} of {}: [{}, {}]", hits, trials, low, high);
    }
}
