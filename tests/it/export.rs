//! Every result type in every format: a run, a sweep, a goal seek, a sensitivity analysis and
//! a calibration each render as a table, JSON, CSV, Markdown and an Excel workbook; the
//! workbook is read back (calamine) and its numbers checked against the JSON.

use std::path::Path;

use assert_cmd::Command;
use calamine::{Data, DataType, Reader, Xlsx, open_workbook};
use serde_json::Value;

fn simulate() -> Command {
    let mut c = Command::cargo_bin("simulate").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn stdout(args: &[&str]) -> String {
    let out = simulate().args(args).assert().success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

/// The commands under test, each with a small number of paths.
fn commands() -> Vec<Vec<&'static str>> {
    vec![
        vec!["scenarios/openai.toml", "--paths", "2000"],
        vec![
            "sweep",
            "scenarios/openai.toml",
            "--param",
            "capex.partner_share=0.4..0.6:3",
            "--paths",
            "1000",
        ],
        vec![
            "solve",
            "scenarios/openai.toml",
            "--param",
            "capex.partner_share=0..1",
            "--target",
            "0.2",
            "--paths",
            "1000",
        ],
        vec!["sensitivity", "scenarios/openai.toml", "--paths", "500"],
        vec!["calibrate", "scenarios/openai.toml", "--paths", "2000"],
    ]
}

/// Reads every worksheet of a workbook: its name and its cells.
fn read_workbook(path: &Path) -> Vec<(String, Vec<Vec<Data>>)> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).unwrap();
            let rows = range.rows().map(|r| r.to_vec()).collect();
            (name, rows)
        })
        .collect()
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[test]
fn every_result_renders_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    for args in commands() {
        for format in ["table", "json", "csv", "markdown"] {
            let mut a = args.clone();
            a.extend(["--format", format]);
            let out = stdout(&a);
            assert!(!out.trim().is_empty(), "{a:?}");
            match format {
                "json" => {
                    serde_json::from_str::<Value>(&out).unwrap();
                }
                "csv" => {
                    let mut reader = csv::Reader::from_reader(out.as_bytes());
                    let width = reader.headers().unwrap().len();
                    let rows: Vec<_> = reader.records().map(|r| r.unwrap()).collect();
                    assert!(!rows.is_empty(), "{a:?}");
                    assert!(rows.iter().all(|r| r.len() == width), "{a:?}");
                }
                "markdown" => {
                    assert!(out.starts_with("# "), "{a:?}: {out}");
                    assert!(out.contains("\n| "), "{a:?}: {out}");
                }
                _ => {}
            }
        }
        let file = dir.path().join("out.xlsx");
        let mut a = args.clone();
        a.extend(["--format", "xlsx", "--out", file.to_str().unwrap()]);
        simulate().args(&a).assert().success();
        let sheets = read_workbook(&file);
        assert!(sheets.len() >= 2, "{a:?}");
        for (name, rows) in &sheets {
            assert!(!rows.is_empty(), "{a:?}: sheet {name} is empty");
        }
    }
}

#[test]
fn a_run_workbook_holds_the_json_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("run.xlsx");
    let base = ["scenarios/openai.toml", "--paths", "3000", "--seed", "5"];
    let json: Value =
        serde_json::from_str(&stdout(&[&base[..], &["--format", "json"]].concat())).unwrap();
    simulate()
        .args(base)
        .args(["--format", "xlsx", "--out", file.to_str().unwrap()])
        .assert()
        .success();
    let sheets = read_workbook(&file);
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    for expected in [
        "headline",
        "thresholds",
        "break-even",
        "revenue",
        "ebit",
        "inputs",
        "run",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    let sheet = |name: &str| &sheets.iter().find(|(n, _)| n == name).unwrap().1;

    // Thresholds: each row's name, probability and interval are the JSON's, exactly.
    let thresholds = sheet("thresholds");
    let header: Vec<String> = thresholds
        .iter()
        .find(|r| text(&r[0]) == "name")
        .unwrap()
        .iter()
        .map(text)
        .collect();
    assert_eq!(
        &header[..5],
        ["name", "threshold", "P(met)", "ci95 low", "ci95 high"]
    );
    let rows: Vec<&Vec<Data>> = thresholds
        .iter()
        .skip_while(|r| text(&r[0]) != "name")
        .skip(1)
        .collect();
    let expected = json["thresholds"].as_array().unwrap();
    assert_eq!(rows.len(), expected.len());
    for (row, t) in rows.iter().zip(expected) {
        assert_eq!(text(&row[0]), t["name"].as_str().unwrap());
        assert_eq!(row[2].as_f64().unwrap(), t["probability"].as_f64().unwrap());
        assert_eq!(row[3].as_f64().unwrap(), t["ci95"][0].as_f64().unwrap());
        assert_eq!(row[4].as_f64().unwrap(), t["ci95"][1].as_f64().unwrap());
    }

    // Metrics in wide form: a row per year, the median in its column.
    let revenue = sheet("revenue");
    let header: Vec<String> = revenue[0].iter().map(text).collect();
    assert_eq!(
        &header[..7],
        ["year", "P5", "P10", "median", "P90", "P95", "mean"]
    );
    let years = json["metrics"][0]["years"].as_array().unwrap();
    assert_eq!(revenue.len() - 1, years.len());
    for (row, y) in revenue[1..].iter().zip(years) {
        assert_eq!(row[0].as_f64().unwrap(), y["year"].as_f64().unwrap());
        assert_eq!(row[3].as_f64().unwrap(), y["p50"].as_f64().unwrap());
        assert_eq!(row[6].as_f64().unwrap(), y["mean"].as_f64().unwrap());
    }

    // Inputs with their distributions and sources.
    let inputs = sheet("inputs");
    assert_eq!(inputs.len() - 1, json["inputs"].as_array().unwrap().len());
    assert_eq!(
        text(&inputs[1][0]),
        json["inputs"][0]["key"].as_str().unwrap()
    );
}

#[test]
fn a_workbook_goes_through_a_pipe_but_the_terminal_check_comes_first() {
    // Standard output is a pipe here, so the workbook is written to it.
    let out = simulate()
        .args([
            "scenarios/openai.toml",
            "--paths",
            "500",
            "--format",
            "xlsx",
        ])
        .assert()
        .success();
    let bytes = &out.get_output().stdout;
    assert_eq!(&bytes[..2], b"PK", "an xlsx file is a zip archive");
}
