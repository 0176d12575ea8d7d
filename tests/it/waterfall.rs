//! The median path's waterfall: the path chosen is the median of the run's EBIT in the year
//! (checked against `--paths-out`), its lines are the model's own costs (checked by hand on a
//! scenario whose every line is known) and add up to its EBIT, it is the same whatever the
//! threads, and every format carries it.

use assert_cmd::Command;
use serde_json::Value;

use breakeven::analysis::waterfall;
use breakeven::engine::Plan;
use breakeven::scenario;
use breakeven::simulation::RunOptions;

fn simulate() -> Command {
    let mut c = Command::cargo_bin("simulate").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn json(args: &[&str]) -> Value {
    let out = simulate()
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn line(w: &Value, name: &str) -> f64 {
    w["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == name)
        .unwrap_or_else(|| panic!("no line {name}"))["usd"]
        .as_f64()
        .unwrap()
}

/// Revenue R ~ uniform(50e9, 150e9), flat; cost of revenue 40% moving halfway to 20% each
/// year (25% in 2027); SG&A 10%; R&D 10e9 growing 10% (12.1e9 in 2027); a 6e9 commitment over
/// 2026–2028 (2e9 in 2027); no build-out. EBIT in 2027 = 0.65 R - 14.1e9.
const BY_HAND: &str = r#"
[scenario]
name = "By hand"
start_year = 2025
horizon = 2028
[streams.api]
revenue = { dist = "uniform", min = 50e9, max = 150e9 }
growth = 0
[costs]
cost_of_revenue_share = 0.4
cost_of_revenue_share_long_run = 0.2
cost_of_revenue_speed = 0.5
rnd = 10e9
rnd_growth = 0.1
sga_share = 0.1
[commitments.contract]
total = 6e9
start_year = 2026
years = 3
"#;

#[test]
fn lines_are_the_models_costs_of_the_median_path() {
    let s = scenario::parse(BY_HAND, "by-hand.toml", &[]).unwrap();
    let n = 4001;
    let options = RunOptions::new(Plan::whole(7, n));
    let w = waterfall::median_path(&s, &options, 2).unwrap().unwrap();
    assert_eq!((w.year, w.paths), (2027, n));
    let get = |name: &str| w.lines.iter().find(|l| l.name == name).unwrap().usd;
    let r = get("revenue");
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1.0);
    assert!(close(get("cost_of_revenue"), -0.25 * r));
    assert!(close(get("sga"), -0.1 * r));
    assert!(close(get("rnd"), -12.1e9));
    assert!(close(get("commitments"), -2e9));
    for zero in ["rent", "operations", "depreciation"] {
        assert_eq!(get(zero), 0.0, "{zero}");
    }
    assert!(close(w.ebit, 0.65 * r - 14.1e9));
    assert!(close(w.total(), w.ebit));
    // EBIT rises with R, so the median path's revenue is the sample median of R: within four
    // standard errors (the range over 2 sqrt(n), uniform density) of the true median 100e9.
    let se = 100e9 / (2.0 * (n as f64).sqrt());
    assert!((r - 100e9).abs() < 4.0 * se, "median revenue {r:e}");
}

#[test]
fn median_path_is_the_median_of_paths_out_and_adds_up() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("paths.csv");
    let report = json(&[
        "scenarios/openai.toml",
        "--paths",
        "3001",
        "--seed",
        "5",
        "--paths-out",
        csv.to_str().unwrap(),
    ]);
    let w = &report["waterfall"];
    assert_eq!(w["year"], 2030);
    let mut reader = csv::Reader::from_path(&csv).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (ebit, revenue) = (col("ebit_2030"), col("revenue_2030"));
    let mut rows: Vec<(f64, u64, f64)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[ebit].parse().unwrap(),
                r[0].parse().unwrap(),
                r[revenue].parse().unwrap(),
            )
        })
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let median = rows[(rows.len() - 1) / 2];
    assert_eq!(w["path"].as_u64().unwrap(), median.1);
    assert_eq!(w["ebit"].as_f64().unwrap(), median.0);
    assert_eq!(line(w, "revenue"), median.2);
    // The lines are computed again from the path's inputs; their sum is the model's EBIT.
    let sum: f64 = w["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["usd"].as_f64().unwrap())
        .sum();
    assert!(
        (sum - median.0).abs() <= 1e-9 * median.0.abs(),
        "{sum} vs {}",
        median.0
    );
    for cost in [
        "cost_of_revenue",
        "sga",
        "rnd",
        "rent",
        "operations",
        "depreciation",
    ] {
        assert!(
            line(w, cost) < 0.0,
            "{cost} should be a cost in openai.toml"
        );
    }
}

#[test]
fn same_for_any_thread_count_and_replayed_with_its_year() {
    let args = [
        "scenarios/openai.toml",
        "--paths",
        "5000",
        "--waterfall-year",
        "2028",
    ];
    let one = json(&[&args[..], &["--threads", "1"]].concat());
    let two = json(&[&args[..], &["--threads", "2"]].concat());
    assert_eq!(one, two);
    assert_eq!(one["waterfall"]["year"], 2028);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("run.json");
    std::fs::write(&file, serde_json::to_string(&one).unwrap()).unwrap();
    let again = json(&["replay", file.to_str().unwrap()]);
    assert_eq!(again["waterfall"], one["waterfall"]);
}

#[test]
fn a_year_outside_the_scenario_is_an_input_error() {
    let out = simulate()
        .args([
            "scenarios/openai.toml",
            "--paths",
            "1000",
            "--waterfall-year",
            "2040",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--waterfall-year 2040") && err.contains("2025–2035"),
        "{err}"
    );
}

#[test]
fn every_format_carries_it() {
    let run = |format: &str| {
        let out = simulate()
            .args([
                "scenarios/openai.toml",
                "--paths",
                "2000",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let report = json(&["scenarios/openai.toml", "--paths", "2000"]);
    let ebit = report["waterfall"]["ebit"].as_f64().unwrap();
    assert!(run("table").contains("WATERFALL OF THE MEDIAN PATH IN 2030"));
    assert!(run("markdown").contains("Waterfall of the median path in 2030"));
    let csv = run("csv");
    let row = csv
        .lines()
        .find(|l| l.starts_with("waterfall,ebit,2030,usd,"))
        .expect("CSV waterfall row");
    assert_eq!(row.split(',').nth(4).unwrap().parse::<f64>().unwrap(), ebit);
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("run.xlsx");
    simulate()
        .args([
            "scenarios/openai.toml",
            "--paths",
            "2000",
            "--format",
            "xlsx",
            "--out",
        ])
        .arg(&book)
        .assert()
        .success();
    use calamine::{Reader, Xlsx, open_workbook};
    let mut xlsx: Xlsx<_> = open_workbook(&book).unwrap();
    let sheet = xlsx.worksheet_range("waterfall").unwrap();
    let last = sheet
        .rows()
        .find(|r| matches!(&r[0], calamine::Data::String(s) if s == "EBIT"))
        .expect("EBIT row");
    assert_eq!(last[1].to_string().parse::<f64>().unwrap(), ebit);
}

#[test]
fn the_html_report_draws_it_with_the_ebit_and_cash_fans() {
    let out = simulate()
        .args([
            "report",
            "scenarios/openai.toml",
            "--paths",
            "2000",
            "--analysis-paths",
            "300",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = String::from_utf8_lossy(&out.stdout);
    for part in [
        "id=\"waterfall\"",
        "From revenue to EBIT in 2030",
        "EBIT (operating profit) by year",
        "Cash at year end",
    ] {
        assert!(html.contains(part), "the report lacks {part}");
    }
}

#[test]
fn a_larger_run_ranks_its_first_hundred_thousand_paths() {
    let s = scenario::parse(BY_HAND, "by-hand.toml", &[]).unwrap();
    let run = |paths| {
        let options = RunOptions::new(Plan::whole(3, paths));
        waterfall::median_path(&s, &options, 2).unwrap().unwrap()
    };
    let large = run(150_000);
    assert_eq!(large.paths, waterfall::MAX_RANKED);
    assert!(large.path < waterfall::MAX_RANKED);
    // The first 100,000 paths of a larger run are those of a run of 100,000 paths.
    assert_eq!(large, run(waterfall::MAX_RANKED));
}

#[test]
fn a_run_that_keeps_its_first_paths_finds_the_same_median_path() {
    let openai = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/openai.toml");
    let s = scenario::load(openai.as_ref(), &[]).unwrap();
    let y = waterfall::year_index(&s, waterfall::DEFAULT_YEAR).unwrap();
    for (paths, threads) in [(1, 1), (3_000, 1), (3_000, 2), (120_000, 2)] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let options = RunOptions::new(Plan::whole(11, paths)).keep(waterfall::ranking(y));
        let outcome = pool.install(|| breakeven::simulation::run(&s, &options).unwrap());
        let kept = outcome.summary.first_paths().unwrap();
        let indexed = kept.indexed().unwrap();
        assert_eq!(indexed.len() as u64, paths.min(waterfall::MAX_RANKED));
        assert!(indexed.iter().zip(0..).all(|(&(_, i), k)| i == k));
        let from_run = pool.install(|| {
            waterfall::median_path_of_run(&s, &options, &outcome.summary, y)
                .unwrap()
                .unwrap()
        });
        let again = pool.install(|| waterfall::median_path(&s, &options, y).unwrap().unwrap());
        assert_eq!(from_run, again, "{paths} paths, {threads} threads");
    }
}
