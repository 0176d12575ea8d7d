//! `--paths-out`: one CSV row per path, the same whatever the threads, agreeing with the
//! run's report, and a limited export being the first rows of the full one.

use assert_cmd::Command;
use serde_json::Value;

fn simulate() -> Command {
    let mut c = Command::cargo_bin("simulate").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

/// Runs openai.toml with `extra` arguments, writing the paths to `file`; returns the JSON.
fn run(file: &std::path::Path, extra: &[&str]) -> Value {
    let out = simulate()
        .args(["scenarios/openai.toml", "--paths", "3000", "--seed", "11"])
        .args(["--format", "json", "--paths-out"])
        .arg(file)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn every_path_is_a_row_that_agrees_with_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one.csv"), dir.path().join("two.csv"));
    let json = run(&one, &["--threads", "1"]);
    run(&two, &["--threads", "2"]);
    let bytes = std::fs::read(&one).unwrap();
    assert_eq!(
        bytes,
        std::fs::read(&two).unwrap(),
        "thread count changed the file"
    );

    let mut reader = csv::Reader::from_reader(&bytes[..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 3000);
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name} in {header:?}"))
    };
    // Rows in path order.
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r[0].parse::<usize>().unwrap(), i);
    }
    // Each threshold's count of 1s is the report's count of paths that met it.
    for t in json["thresholds"].as_array().unwrap() {
        let c = column(&format!("met_{}", t["name"].as_str().unwrap()));
        let met = rows.iter().filter(|r| &r[c] == "1").count() as u64;
        assert_eq!(met, t["paths"].as_u64().unwrap(), "{}", t["name"]);
    }
    // Break-even within the horizon: the rows with a year.
    let c = column("break_even_year");
    let broke_even = rows.iter().filter(|r| !r[c].is_empty()).count() as u64;
    assert_eq!(
        broke_even,
        json["break_even"]["operating"]["paths"].as_u64().unwrap()
    );
    // The mean of a metric column is the report's mean of that metric (to rounding of the
    // summation order: the report sums exactly).
    let c = column("revenue_2030");
    let mean: f64 = rows
        .iter()
        .map(|r| r[c].parse::<f64>().unwrap())
        .sum::<f64>()
        / 3000.0;
    let years = json["metrics"][0]["years"].as_array().unwrap();
    let reported = years.iter().find(|y| y["year"] == 2030).unwrap()["mean"]
        .as_f64()
        .unwrap();
    assert!(
        (mean / reported - 1.0).abs() < 1e-12,
        "{mean} against {reported}"
    );
    // The uncertain inputs are columns, the constants are not.
    assert!(header.contains(&"capex.partner_share".to_string()));
}

#[test]
fn a_limited_export_is_the_first_rows_of_the_full_one() {
    let dir = tempfile::tempdir().unwrap();
    let (full, part) = (dir.path().join("full.csv"), dir.path().join("part.csv"));
    run(&full, &[]);
    run(
        &part,
        &[
            "--paths-out-max",
            "1500",
            "--paths-out-metrics",
            "revenue,ebit,free_cash_flow,cash",
        ],
    );
    let full = std::fs::read_to_string(full).unwrap();
    let part = std::fs::read_to_string(part).unwrap();
    assert_eq!(part.lines().count(), 1501);
    assert!(full.starts_with(&part));
}

#[test]
fn an_unknown_metric_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.csv");
    simulate()
        .args(["scenarios/openai.toml", "--paths", "100", "--paths-out"])
        .arg(&file)
        .args(["--paths-out-metrics", "revenu"])
        .assert()
        .code(2);
    assert!(!file.exists());
}
