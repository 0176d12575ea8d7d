//! Samplers, precision stopping and shards, through the library and the binary.
//!
//! * Stratification: with a monotone threshold on one uniform input, Latin hypercube and
//!   Sobol estimates of the probability are within `1 / 1024` per chunk of the truth (each
//!   chunk puts exactly one path in each of 1,024 strata, and a Sobol block's first 1,024
//!   points are balanced the same way), where plain Monte Carlo is only within its standard
//!   error. Each sampler gives the same bytes for any thread count.
//! * Precision: the run stops at the first fixed batch whose widest Wilson half-width is at
//!   or under the target, and its report is, byte for byte, that of a plain run of the same
//!   number of paths.
//! * Shards: the merged report of shards equals the single run's, byte for byte, in process
//!   and through `simulate --shard` / `simulate merge`; parts from different runs, missing or
//!   repeated shards, and other versions are refused with exit code 2.
//! * Replay: `simulate replay` of a report reruns it with the sampler the report names.

use assert_cmd::Command;
use breakeven::engine::Plan;
use breakeven::precision::{self, BATCH_CHUNKS, Target, widest_half_width};
use breakeven::report::{Exporter, Report, RunFacts, ScenarioReport};
use breakeven::sampler::Sampler;
use breakeven::scenario::{self, Scenario};
use breakeven::scenario_run;
use breakeven::shard::{self, Part, Shard};
use breakeven::simulation::{self, RunOptions};

const OPENAI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/openai.toml");

fn openai() -> Scenario {
    scenario::load(OPENAI.as_ref(), &[]).unwrap()
}

fn json(s: &Scenario, sampler: Sampler, seed: u64, paths: u64, threads: usize) -> String {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let plan = Plan::whole(seed, paths);
    let out = pool
        .install(|| simulation::run(s, &RunOptions::new(plan).sampler(sampler)))
        .unwrap();
    let report =
        Report::new(s, &out.summary, seed, paths, RunFacts::default()).with_sampler(sampler);
    report.json()
}

#[test]
fn stratified_samplers_estimate_a_monotone_probability_to_one_stratum() {
    // Revenue in 2025 is uniform on [0, 1]e9: P(revenue >= 0.3e9) = 0.7 exactly.
    let text = r#"
        [scenario]
        name = "one uniform"
        start_year = 2025
        horizon = 2025
        [streams.all]
        revenue = { dist = "uniform", min = 0.0, max = 1e9 }
        growth = 0.0
        [thresholds.above]
        metric = "revenue"
        year = 2025
        op = ">="
        value = 0.3e9
    "#;
    let s = scenario::parse(text, "u.toml", &[]).unwrap();
    let paths = 20 * 1024;
    for (sampler, tolerance) in [
        (Sampler::Lhs, 1.0 / 1024.0),
        (Sampler::Sobol, 1.0 / 1024.0),
        // Plain Monte Carlo: three standard errors.
        (Sampler::Mc, 3.0 * (0.21f64 / paths as f64).sqrt()),
    ] {
        let plan = Plan::whole(5, paths);
        let out = simulation::run(&s, &RunOptions::new(plan).sampler(sampler)).unwrap();
        let p = out.summary.threshold(0).probability;
        assert!(
            (p - 0.7).abs() <= tolerance,
            "{sampler:?}: {p} vs 0.7 (tolerance {tolerance})"
        );
    }
}

#[test]
fn every_sampler_gives_the_same_bytes_for_any_thread_count_and_names_itself() {
    let s = openai();
    for sampler in [Sampler::Lhs, Sampler::Sobol] {
        let one = json(&s, sampler, 3, 30_000, 1);
        assert_eq!(one, json(&s, sampler, 3, 30_000, 2), "{sampler:?}");
        assert!(one.contains(&format!("\"sampler\": \"{}\"", sampler.name())));
    }
}

const COIN: &str = r#"
    [scenario]
    name = "a coin"
    start_year = 2025
    horizon = 2025
    [streams.all]
    revenue = { dist = "uniform", min = 0.0, max = 1.0 }
    growth = 0.0
    [thresholds.heads]
    metric = "revenue"
    year = 2025
    op = ">="
    value = 0.5
"#;

#[test]
fn precision_stops_at_the_first_batch_that_meets_the_target() {
    let s = scenario::parse(COIN, "coin.toml", &[]).unwrap();
    let batch = BATCH_CHUNKS * 1024;
    let options = RunOptions::new(Plan::whole(9, 0));
    // p = 0.5 needs n >= (1.96 * 0.5 / 0.003)^2 = 106,700 paths: two batches.
    let target = Target {
        half_width: 0.003,
        max_paths: 10_000_000,
    };
    let run = precision::run(&s, &options, target).unwrap();
    assert!(run.reached);
    assert_eq!(run.outcome.paths, 2 * batch);
    assert!(run.widest_half_width <= 0.003);
    // One batch fewer would not have done.
    let first = scenario_run::run(&s, &RunOptions::new(Plan::whole(9, batch))).unwrap();
    assert!(widest_half_width(&s, &first.summary) > 0.003);
    // Byte for byte the report of a plain run of that many paths, and reproducible.
    let report = |summary, paths| {
        ScenarioReport::new(&s, summary, 9, Sampler::Mc, paths, RunFacts::default()).json()
    };
    let plain = scenario_run::run(&s, &RunOptions::new(Plan::whole(9, 2 * batch))).unwrap();
    assert_eq!(
        report(&run.outcome.summary, run.outcome.paths),
        report(&plain.summary, 2 * batch)
    );
    let again = precision::run(&s, &options, target).unwrap();
    assert_eq!(again.outcome.summary, run.outcome.summary);
}

#[test]
fn precision_stops_at_the_path_limit_when_the_target_is_out_of_reach() {
    let s = scenario::parse(COIN, "coin.toml", &[]).unwrap();
    let target = Target {
        half_width: 0.0001,
        max_paths: 100_000,
    };
    let run = precision::run(&s, &RunOptions::new(Plan::whole(2, 0)), target).unwrap();
    assert!(!run.reached);
    assert_eq!(run.outcome.paths, 100_000);
}

#[test]
fn merged_shards_give_the_single_run_report_byte_for_byte() {
    let s = openai();
    let (seed, paths) = (17, 40_000);
    let dir = tempfile::tempdir().unwrap();
    for sampler in [Sampler::Mc, Sampler::Sobol] {
        let mut parts = Vec::new();
        // Shards written in reverse, so nothing depends on order.
        for index in (0..5).rev() {
            let shard = Shard { index, count: 5 };
            let plan = shard.plan(seed, paths).unwrap();
            let out = scenario_run::run(&s, &RunOptions::new(plan).sampler(sampler)).unwrap();
            let file = dir.path().join(format!("part-{index}.json"));
            std::fs::write(
                &file,
                Part::new(&s, sampler, shard, &plan, &out.summary).to_json(),
            )
            .unwrap();
            parts.push((file.display().to_string(), Part::read(&file).unwrap()));
        }
        let merged = shard::merge(&parts).unwrap();
        let report = ScenarioReport::new(
            &merged.scenario,
            &merged.summary,
            merged.seed,
            merged.sampler,
            merged.paths,
            RunFacts::default(),
        );
        assert_eq!(report.json(), json(&s, sampler, seed, paths, 2));
    }
}

fn simulate(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("simulate")
        .unwrap()
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_binary_merges_shards_and_refuses_parts_that_do_not_belong_together() {
    let dir = tempfile::tempdir().unwrap();
    let part = |i: u32, seed: &str| {
        let file = dir.path().join(format!("part-{i}-{seed}.json"));
        let shard = format!("{i}/3");
        let out = simulate(&[
            OPENAI,
            "--paths",
            "20000",
            "--seed",
            seed,
            "--sampler",
            "lhs",
            "--shard",
            &shard,
            "--out",
            file.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        file.display().to_string()
    };
    let files: Vec<String> = (0..3).map(|i| part(i, "4")).collect();
    let merged = simulate(&["merge", &files[2], &files[0], &files[1], "--format", "json"]);
    assert!(merged.status.success());
    let single = simulate(&[
        OPENAI,
        "--paths",
        "20000",
        "--seed",
        "4",
        "--sampler",
        "lhs",
        "--format",
        "json",
    ]);
    assert_eq!(merged.stdout, single.stdout);

    let refused = |args: &[&str], expected: &str| {
        let out = simulate(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.contains(expected),
            "expected '{expected}' in: {stderr}"
        );
    };
    let other_seed = part(1, "5");
    refused(
        &["merge", &files[0], &other_seed, &files[2]],
        "the seed is 5",
    );
    refused(&["merge", &files[0], &files[1]], "shard 2 of 3 missing");
    refused(
        &["merge", &files[0], &files[1], &files[1], &files[2]],
        "are both shard 1/3",
    );
    let text = std::fs::read_to_string(&files[2]).unwrap();
    let old = dir.path().join("old.json");
    let version = format!("\"version\":\"{}\"", env!("CARGO_PKG_VERSION"));
    std::fs::write(&old, text.replace(&version, "\"version\":\"0.0.1\"")).unwrap();
    refused(
        &["merge", &files[0], &files[1], old.to_str().unwrap()],
        "written by breakeven 0.0.1",
    );
    refused(&["merge", "no-such-part.json"], "no-such-part.json");
    refused(
        &[OPENAI, "--paths", "2000", "--shard", "2/3"],
        "at least one chunk",
    );
}

#[test]
fn replaying_a_report_reuses_its_sampler() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("lhs.json");
    let out = simulate(&[
        OPENAI,
        "--paths",
        "5000",
        "--sampler",
        "lhs",
        "--format",
        "json",
        "--out",
        report.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let again = simulate(&["replay", report.to_str().unwrap(), "--format", "json"]);
    assert!(again.status.success());
    assert_eq!(again.stdout, std::fs::read(&report).unwrap());
}
