//! Subset simulation on network scenarios: every event's margin agrees with the event on
//! every path, the estimate is the same for a seed whatever the threads, it agrees with plain
//! Monte Carlo where both see the event, and a network that decides an event says so.

use std::sync::atomic::AtomicBool;

use breakeven::engine::Plan;
use breakeven::network::event::NetworkEvent;
use breakeven::network::run::{run, visit_paths};
use breakeven::rare::network::EventScore;
use breakeven::rare::{self, Estimate, Settings, Status};
use breakeven::scenario::{self, Scenario};
use breakeven::simulation::RunOptions;

use super::network::TWO_FIRMS;
use statrs::distribution::{ContinuousCDF, LogNormal, Normal};

fn load(path: &str) -> Scenario {
    scenario::load(std::path::Path::new(path), &[]).unwrap()
}

fn event(s: &Scenario, name: &str) -> NetworkEvent {
    NetworkEvent::named(name, s.network.as_ref().unwrap()).unwrap()
}

fn rare_estimate(s: &Scenario, name: &str, settings: &Settings, seed: u64) -> Estimate {
    super::rare_scenario::estimated(&EventScore::new(s, event(s, name)), settings, seed)
}

#[test]
fn every_events_margin_is_at_or_above_zero_exactly_when_it_happens() {
    let s = load("scenarios/network.toml");
    let network = s.network.as_ref().unwrap();
    let events = NetworkEvent::all(network);
    let paths = 20_000;
    let mut happened = vec![0u64; events.len()];
    let (mut one, mut key) = (network.workspace(), 0);
    // The run's inputs, each path alone with yearly numbers of its own key: any path will do.
    visit_paths(&s, &RunOptions::new(Plan::whole(5, paths)), |v, _| {
        key += 1;
        network.simulate(v, key, &mut one).unwrap();
        for (k, e) in events.iter().enumerate() {
            let margin = e.margin(network, s.start_year, v, &one);
            let did = e.happened(network, s.start_year, one.lane(0));
            assert_eq!(margin >= 0.0, did, "{}: margin {margin}", e.name(network));
            assert!(!margin.is_nan(), "{}", e.name(network));
            happened[k] += u64::from(did);
        }
    })
    .unwrap();
    // Both sides are seen for every kind of event: thresholds, break-even, payback, default.
    let both = |name: &str| {
        let k = events.iter().position(|&e| e == event(&s, name)).unwrap();
        0 < happened[k] && happened[k] < paths
    };
    for name in [
        "network.openai_break_even_2030",
        "openai.break_even",
        "amd.payback",
        "oracle.default",
        "microsoft.default",
    ] {
        assert!(both(name), "{name}");
    }
}

/// The same estimate, bit for bit, for a seed on one thread and on two, and another for
/// another seed.
#[test]
fn an_event_estimate_is_the_same_whatever_the_threads() {
    let s = load("scenarios/network.toml");
    let settings = Settings::new(300, 3, 8).unwrap();
    let on = |threads: usize, seed: u64| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| rare_estimate(&s, "stargate.break_even", &settings, seed))
    };
    let one = on(1, 7);
    assert_eq!(one, on(2, 7));
    assert_ne!(one.probability, on(2, 8).probability);
}

/// Where both methods see the event (network.toml's Stargate break-even, about 8e-4, and
/// Microsoft's default, about 2e-4: a default's margin and a break-even's whose paths tie
/// where counterparties default), the rare estimates and 200,000 plain paths agree: each
/// difference within 3.3 standard errors of the difference (a correct pair fails about 1
/// time in 1,000).
#[test]
fn event_estimates_agree_with_plain_monte_carlo() {
    let s = load("scenarios/network.toml");
    let paths = 200_000;
    let outcome = run(&s, &RunOptions::new(Plan::whole(11, paths))).unwrap();
    let network = s.network.as_ref().unwrap();
    for (name, low, high) in [
        ("stargate.break_even", 3e-4, 3e-3),
        ("microsoft.default", 5e-5, 1e-3),
    ] {
        let hits = event(&s, name).hits(&outcome.summary);
        let mc = hits as f64 / paths as f64;
        let mc_se = (mc * (1.0 - mc) / paths as f64).sqrt();
        let e = rare_estimate(&s, name, &Settings::default(), 11);
        assert_eq!(e.status, Status::Estimated, "{name}: {e:?}");
        let p = e.probability.unwrap();
        let se = p * e.cov.unwrap();
        assert!(
            (p - mc).abs() <= 3.3 * (se * se + mc_se * mc_se).sqrt(),
            "{name}: subset {p:e} (se {se:e}) against plain {mc:e} (se {mc_se:e})"
        );
        assert!(mc > low && mc < high, "{name}: plain {mc:e}");
        assert!(e.evaluations < 100_000, "{name}: {}", e.evaluations);
        assert_eq!(event(&s, name).name(network), name);
    }
}

#[test]
fn a_network_that_decides_an_event_reports_it_impossible_or_certain() {
    // Two firms whose inputs are all fixed: one path, which decides every event.
    let s = scenario::parse(TWO_FIRMS, "two.toml", &[]).unwrap();
    let network = s.network.as_ref().unwrap();
    let mut happened = Vec::new();
    visit_paths(&s, &RunOptions::new(Plan::whole(1, 1)), |_, path| {
        for e in NetworkEvent::all(network) {
            let did = e.happened(network, s.start_year, path);
            let score = EventScore::new(&s, e);
            assert_eq!(
                score.certain_outcome().unwrap(),
                Some(did),
                "{}",
                e.name(network)
            );
            happened.push((e, did));
        }
    })
    .unwrap();
    assert!(
        happened.iter().any(|&(_, did)| did) && happened.iter().any(|&(_, did)| !did),
        "both certain and impossible events"
    );
    for (e, did) in happened {
        let estimate = rare::network::estimate_event(
            &s,
            e,
            &Settings::default(),
            1,
            &rare::NoProgress,
            &AtomicBool::new(false),
        )
        .unwrap();
        let status = if did {
            Status::Certain
        } else {
            Status::Impossible
        };
        assert_eq!((estimate.status, estimate.evaluations), (status, 1));
    }
    // With an uncertain input the outcome depends on the point, and the lab's default is
    // estimated.
    let set: [scenario::Override; 1] = [
        r#"entities.lab.streams.api.revenue={ dist = "uniform", min = 0, max = 60e9 }"#
            .parse()
            .unwrap(),
    ];
    let uncertain = scenario::parse(TWO_FIRMS, "u.toml", &set).unwrap();
    let score = EventScore::new(&uncertain, event(&uncertain, "lab.default"));
    assert_eq!(score.certain_outcome().unwrap(), None);
}

/// The two firms of [`TWO_FIRMS`] with the lab's revenue lognormal(23, 0.8), its one
/// uncertain input, and a network threshold on end-customer revenue (the lab's) in the first
/// year at `value`: its probability is the lognormal's tail there.
pub fn lognormal_network(value: f64) -> String {
    let lognormal = r#"revenue = { dist = "lognormal", mu = 23.0, sigma = 0.8 }"#;
    let text = TWO_FIRMS.replacen("revenue = 10e9", lognormal, 1);
    assert_ne!(text, TWO_FIRMS);
    format!(
        "{text}\n[thresholds.big_first_year]\nmetric = \"network.end_customer_revenue\"\n\
         year = 2025\nop = \">=\"\nvalue = {value:e}\n"
    )
}

#[test]
fn a_network_threshold_tail_against_its_exact_value() {
    let law = LogNormal::new(23.0, 0.8).unwrap();
    for p in [1e-4, 1e-8] {
        let value = (23.0 - 0.8 * Normal::standard().inverse_cdf(p)).exp();
        let s = scenario::parse(&lognormal_network(value), "lognormal.toml", &[]).unwrap();
        let exact = law.sf(value);
        let e = rare_estimate(&s, "network.big_first_year", &Settings::default(), 23);
        assert_eq!(e.status, Status::Estimated, "{p:e}: {e:?}");
        let estimate = e.probability.unwrap();
        let sd = e.cov.unwrap().mul_add(e.cov.unwrap(), 1.0).ln().sqrt();
        // 3.3 log-scale standard errors: a correct estimator fails about 1 in 1,000.
        assert!(
            (estimate / exact).ln().abs() <= 3.3 * sd,
            "{p:e}: {estimate:e} against {exact:e} (sd {sd:.3})"
        );
    }
}

/// The repetition test of the interval on network events: for each event, 100 estimates
/// (seeds 1000-1099) and in how many of them the 95% interval holds the mean of all their
/// 1,000 repetitions, with the estimates' actual spread against the coefficient of variation
/// they report. About ten minutes on two cores:
/// `cargo test --release --test it rare_network::intervals_on -- --ignored --nocapture`.
#[test]
#[ignore]
fn intervals_on_network_events_in_100_repetitions() {
    let s = load("scenarios/network.toml");
    for name in ["microsoft.default", "stargate.break_even"] {
        let estimates: Vec<Estimate> = (0..100)
            .map(|seed| rare_estimate(&s, name, &Settings::default(), 1000 + seed))
            .collect();
        let (covered, spread, reported, mean) =
            super::rare_scenario::coverage_of_the_mean(&estimates);
        let evaluations = estimates.iter().map(|e| e.evaluations).sum::<u64>() as f64 / 100.0;
        println!(
            "{name}: mean {mean:.3e}, covered {covered} of 100; spread {spread:.3}, reported cov \
             (rms) {reported:.3}; {evaluations:.0} evaluations per estimate"
        );
        assert!(covered >= 90, "{name}: covered {covered} of 100");
    }
}
