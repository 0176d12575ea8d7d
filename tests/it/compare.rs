//! `compare`: two scenarios on common random numbers. The paired interval of a difference of
//! probabilities is checked against an analytic case, for coverage and for width, and against
//! the interval two independent runs would give.

use assert_cmd::Command;
use breakeven::analysis::compare::{self, Comparison};
use breakeven::engine::{NoProgress, Plan};
use breakeven::sampler::Sampler;
use breakeven::scenario::{self, Override};

/// Revenue in 2025 is uniform on [0, 1e9]; the threshold `big` asks for at least `value`.
const TEXT: &str = r#"
[scenario]
name = "uniform revenue"
start_year = 2025
horizon = 2026
[streams.api]
revenue = { dist = "uniform", min = 0.0, max = 1e9 }
growth = 0.0
[costs]
rnd = 1e8
[thresholds.big]
metric = "revenue"
year = 2025
op = ">="
value = 6e8
"#;

fn comparison(seed: u64, paths: u64) -> Comparison {
    let a = scenario::parse(TEXT, "a.toml", &[]).unwrap();
    let set = Override {
        key: "thresholds.big.value".into(),
        value: "5e8".into(),
    };
    let b = scenario::parse(TEXT, "a.toml", &[set]).unwrap();
    compare::compare(
        &a,
        &b,
        vec![],
        &Plan::whole(seed, paths),
        Sampler::Mc,
        &NoProgress,
    )
    .unwrap()
}

#[test]
fn paired_outcomes_share_their_paths() {
    let c = comparison(1, 5000);
    let big = c.events.iter().find(|e| e.name == "big").unwrap();
    // Every path that has revenue >= 6e8 also has it >= 5e8: nothing is met in A only.
    assert_eq!(big.cells.a_only, 0);
    assert_eq!(
        big.cells.both + big.cells.a_only + big.cells.b_only + big.cells.neither,
        5000
    );
    assert_eq!(big.difference, big.cells.b_only as f64 / 5000.0);
    // Only the threshold differs: revenue is the same on every path, so its mean difference
    // is zero exactly, with an interval of zero width.
    let revenue = c.metrics.iter().find(|m| m.name == "revenue").unwrap();
    assert_eq!(revenue.years[0].mean_difference, Some(0.0));
    assert_eq!(revenue.years[0].mean_difference_ci95, Some([0.0, 0.0]));
}

#[test]
fn the_paired_interval_covers_and_is_as_narrow_as_theory_says() {
    // p_A = 0.4, p_B = 0.5; the difference d = 1 exactly when revenue lies in [5e8, 6e8),
    // with probability 0.1, so sd(d) = sqrt(0.1 * 0.9); two independent runs would have
    // sd = sqrt(0.4 * 0.6 + 0.5 * 0.5).
    let (replicates, paths) = (400u64, 2000u64);
    let truth = 0.1;
    let (mut covered, mut paired_width, mut independent_width) = (0u64, 0.0, 0.0);
    for seed in 0..replicates {
        let c = comparison(1000 + seed, paths);
        let e = c.events.iter().find(|e| e.name == "big").unwrap();
        covered += u64::from(e.ci95[0] <= truth && truth <= e.ci95[1]);
        paired_width += (e.ci95[1] - e.ci95[0]) / replicates as f64;
        independent_width += (e.ci95_independent[1] - e.ci95_independent[0]) / replicates as f64;
    }
    let coverage = covered as f64 / replicates as f64;
    // Binomial standard error of the coverage over 400 replicates: 0.011; allow 3.5 of them.
    let se = (0.95f64 * 0.05 / replicates as f64).sqrt();
    assert!((coverage - 0.95).abs() < 3.5 * se, "coverage {coverage}");
    let n = paths as f64;
    let expected_paired = 2.0 * 1.959_964 * (0.1f64 * 0.9 / n).sqrt();
    let expected_independent = 2.0 * 1.959_964 * ((0.4f64 * 0.6 + 0.5 * 0.5) / n).sqrt();
    // Score intervals differ from the normal ones by O(1/n); the widths vary by a few percent
    // between replicates, and their mean over 400 by much less.
    assert!(
        (paired_width / expected_paired - 1.0).abs() < 0.05,
        "paired width {paired_width} against {expected_paired}"
    );
    assert!(
        (independent_width / expected_independent - 1.0).abs() < 0.05,
        "independent width {independent_width} against {expected_independent}"
    );
    // sqrt(0.09 / 0.49) = 0.43: pairing more than halves the interval here.
    let ratio = paired_width / independent_width;
    assert!(
        (ratio - (0.09f64 / 0.49).sqrt()).abs() < 0.03,
        "ratio {ratio}"
    );
}

#[test]
fn the_same_seed_gives_the_same_comparison_whatever_the_threads() {
    let run = |threads: &str| {
        let out = Command::cargo_bin("simulate")
            .unwrap()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "compare",
                "scenarios/openai.toml",
                "--set",
                "capex.partner_share=0.3",
            ])
            .args(["--paths", "3000", "--format", "json", "--threads", threads])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    let json: serde_json::Value = serde_json::from_slice(&one).unwrap();
    assert_eq!(json["overrides"][0], "capex.partner_share=0.3");
    assert!(json["events"].as_array().unwrap().len() >= 2);
}

#[test]
fn compare_without_a_second_scenario_or_a_set_is_a_usage_error() {
    Command::cargo_bin("simulate")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["compare", "scenarios/openai.toml"])
        .assert()
        .code(2);
}
