//! Published analyses reproduced: every figure of `seeds/publications.toml` names the scenario
//! that reproduces it with every input fixed at the publication's values; that scenario is run
//! (the real binary, JSON output) and its result compared with the published figure within the
//! figure's tolerance (the publication's own rounding). A drift fails naming the scenario and
//! both numbers. Each uncertain version (`NAME-uncertain.toml`) must be its deterministic
//! twin with distributions put on some inputs: with those inputs set back to the published
//! values it gives the same metrics, and `simulate calibrate` places each publication figure
//! inside its twin's distribution (the twins are centred on the publications).

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const PUBLICATIONS: &str = "seeds/publications.toml";

fn simulate() -> Command {
    let mut c = Command::cargo_bin("simulate").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A figure of the publications file, as far as the reproduction needs it.
#[derive(Debug, Clone)]
struct Figure {
    id: String,
    value: f64,
    tolerance: f64,
    metric: String,
    year: i64,
    scenario: String,
}

fn figures() -> Vec<Figure> {
    let text = std::fs::read_to_string(root().join(PUBLICATIONS)).unwrap();
    let doc: toml::Table = toml::from_str(&text).unwrap();
    let number = |f: &toml::Table, key: &str| -> f64 {
        match f.get(key) {
            Some(toml::Value::Float(x)) => *x,
            Some(toml::Value::Integer(i)) => *i as f64,
            other => panic!("{PUBLICATIONS}: {key} is {other:?}"),
        }
    };
    let string = |f: &toml::Table, key: &str| -> String {
        f.get(key)
            .and_then(toml::Value::as_str)
            .unwrap_or_else(|| panic!("{PUBLICATIONS}: a figure has no {key}"))
            .to_string()
    };
    doc["figure"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let f = f.as_table().unwrap();
            assert_eq!(string(f, "kind"), "publication", "{f:?}");
            Figure {
                id: string(f, "id"),
                value: number(f, "value"),
                tolerance: number(f, "tolerance"),
                metric: string(f, "metric"),
                year: f["year"].as_integer().unwrap(),
                scenario: string(f, "reproduced_by"),
            }
        })
        .collect()
}

/// Runs a scenario (with `--set` overrides) and returns its JSON report.
fn run(scenario: &str, sets: &[String]) -> Value {
    let mut cmd = simulate();
    cmd.args([scenario, "--format", "json", "--paths", "256"]);
    for s in sets {
        cmd.args(["--set", s]);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{scenario}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The statistics (mean, min, max...) of `metric` in `year`, or of a path-level quantity.
fn statistics<'a>(report: &'a Value, metric: &str, year: i64) -> Option<&'a Value> {
    if metric == "funding_gap" || metric == "npv" {
        return report["break_even"].get(metric);
    }
    report["metrics"]
        .as_array()?
        .iter()
        .find(|m| m["name"] == metric)?["years"]
        .as_array()?
        .iter()
        .find(|y| y["year"] == year)
}

fn billions(x: f64) -> String {
    format!("${:.3}B", x / 1e9)
}

/// The reproduction of one figure, or why it fails: the message names the scenario, the
/// figure and both numbers.
fn reproduce(figure: &Figure, sets: &[String]) -> Result<f64, String> {
    let report = run(&figure.scenario, sets);
    let s = statistics(&report, &figure.metric, figure.year).ok_or_else(|| {
        format!(
            "{}: {} has no {} in {}",
            figure.scenario, figure.id, figure.metric, figure.year
        )
    })?;
    let (mean, min, max) = (
        s["mean"].as_f64().unwrap(),
        s["min"].as_f64().unwrap(),
        s["max"].as_f64().unwrap(),
    );
    // Fixed inputs give every path the same value (up to summation rounding).
    if (max - min).abs() > 1e-9 * mean.abs().max(1.0) {
        return Err(format!(
            "{}: {} is not deterministic ({} from {} to {}): an input is uncertain",
            figure.scenario,
            figure.id,
            figure.metric,
            billions(min),
            billions(max)
        ));
    }
    if (mean - figure.value).abs() > figure.tolerance {
        return Err(format!(
            "{}: {} {} {} reproduces as {}, the publication says {} (tolerance {}, {PUBLICATIONS})",
            figure.scenario,
            figure.id,
            figure.metric,
            figure.year,
            billions(mean),
            billions(figure.value),
            billions(figure.tolerance)
        ));
    }
    Ok(mean)
}

#[test]
fn every_published_figure_is_reproduced_within_its_rounding() {
    let figures = figures();
    assert!(figures.len() >= 4, "{figures:?}");
    let failures: Vec<String> = figures
        .iter()
        .filter_map(|f| reproduce(f, &[]).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_drift_from_the_published_figure_names_the_scenario_and_both_numbers() {
    let figure = figures()
        .into_iter()
        .find(|f| f.id == "sequoia_600b_question")
        .unwrap();
    let err = reproduce(&figure, &["capex.total=210e9".into()]).unwrap_err();
    assert!(
        err.contains("scenarios/published/sequoia.toml")
            && err.contains("$630.000B")
            && err.contains("$600.000B"),
        "{err}"
    );
    let err = reproduce(
        &figure,
        &["capex.total={ dist = \"uniform\", min = 1.9e11, max = 2.1e11 }".into()],
    )
    .unwrap_err();
    assert!(err.contains("not deterministic"), "{err}");
}

/// The value of a key path in a TOML document: a number or a `{ value = ... }` table.
fn fixed_value(doc: &toml::Table, key: &str) -> Option<f64> {
    let mut parts = key.split('.');
    let mut table = doc;
    let last = parts.next_back()?;
    for p in parts {
        table = table.get(p)?.as_table()?;
    }
    match table.get(last)? {
        toml::Value::Float(x) => Some(*x),
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Table(t) => t.get("value").and_then(|v| match v {
            toml::Value::Float(x) => Some(*x),
            toml::Value::Integer(i) => Some(*i as f64),
            _ => None,
        }),
        _ => None,
    }
}

#[test]
fn each_uncertain_version_is_its_publication_with_distributions() {
    let dir = root().join("scenarios/published");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let Some(base) = name.strip_suffix("-uncertain.toml") else {
            continue;
        };
        let deterministic = format!("scenarios/published/{base}.toml");
        let uncertain = format!("scenarios/published/{name}");
        let doc: toml::Table =
            toml::from_str(&std::fs::read_to_string(root().join(&deterministic)).unwrap()).unwrap();
        let report = run(&uncertain, &[]);
        // Every input the uncertain file draws is set back to the publication's value.
        let sets: Vec<String> = report["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["distribution"].as_str().unwrap().contains('('))
            .map(|i| {
                let key = i["key"].as_str().unwrap();
                let value = fixed_value(&doc, key)
                    .unwrap_or_else(|| panic!("{deterministic} has no fixed {key}"));
                format!("{key}={value:e}")
            })
            .collect();
        assert!(!sets.is_empty(), "{uncertain} has no uncertain input");
        let pinned = run(&uncertain, &sets);
        let published = run(&deterministic, &[]);
        assert_eq!(
            pinned["metrics"], published["metrics"],
            "{uncertain} with {sets:?} differs from {deterministic}"
        );
        checked += 1;
    }
    assert!(checked >= 1);
}

/// An amount as the README's table writes it: `$2.00T`, `$600.0B`.
fn amount(x: f64) -> String {
    if x.abs() >= 1e12 {
        format!("${:.2}T", x / 1e12)
    } else {
        format!("${:.1}B", x / 1e9)
    }
}

/// What one backticked name of a table cell claims, checked against a report: a threshold's
/// probability (`` `name`: 45.3% ``), a metric's statistic in a year (`` `m` 2024: $600.0B ``
/// for the mean, `` `m` 2024 p50: $486.9B ``), or a path-level quantity (`` `funding_gap`: ``).
fn check_claim(report: &Value, name: &str, claim: &str) -> Result<(), String> {
    let claim = claim.trim();
    let (spec, written) = claim
        .split_once(':')
        .ok_or_else(|| format!("`{name}` {claim}: no ':'"))?;
    let written = written
        .trim()
        .split([',', ';', ' ', ')'])
        .next()
        .unwrap_or_default();
    let thresholds = report["thresholds"].as_array().unwrap();
    if let Some(t) = thresholds.iter().find(|t| t["name"] == name) {
        let actual = format!("{:.1}%", 100.0 * t["probability"].as_f64().unwrap());
        return (actual == written)
            .then_some(())
            .ok_or_else(|| format!("`{name}`: the README says {written}, the run gives {actual}"));
    }
    // `2024`, `2024 p50`, `p50` (a path-level quantity) or nothing.
    let mut words = spec.split_whitespace().peekable();
    let year = match words.peek().map(|w| w.parse::<i64>()) {
        Some(Ok(y)) => {
            words.next();
            y
        }
        _ => 0,
    };
    let stat = words.next();
    let s = statistics(report, name, year)
        .ok_or_else(|| format!("`{name}` {year}: not in the report"))?;
    let actual = amount(s[stat.unwrap_or("mean")].as_f64().unwrap());
    (actual == written).then_some(()).ok_or_else(|| {
        format!("`{name}` {spec}: the README says {written}, the run gives {actual}")
    })
}

/// The backticked names of a cell, each with the text that follows it.
fn claims(cell: &str) -> Vec<(&str, &str)> {
    let parts: Vec<&str> = cell.split('`').collect();
    (1..parts.len())
        .step_by(2)
        .filter(|&i| !parts[i].starts_with("simulate "))
        .map(|i| (parts[i], parts.get(i + 1).copied().unwrap_or_default()))
        .filter(|(_, after)| {
            let after = after.trim_start();
            after.starts_with(|c: char| c == ':' || c.is_ascii_digit())
                || (after.starts_with('p') && after.contains(':'))
        })
        .collect()
}

#[test]
fn the_readme_table_of_published_analyses_matches_its_commands() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme
        .split("\n## Published analyses, reproduced\n")
        .nth(1)
        .expect("README has the section")
        .split("\n## ")
        .next()
        .unwrap();
    let mut rows = 0;
    let mut failures = Vec::new();
    for line in section.lines().filter(|l| l.starts_with("| ")).skip(1) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if cells.len() < 6 || cells[0].starts_with("---") {
            continue;
        }
        let commands: Vec<&str> = cells[5]
            .split('`')
            .filter(|c| c.starts_with("simulate "))
            .collect();
        assert!(!commands.is_empty(), "a row without a command: {line}");
        let reports: Vec<Value> = commands
            .iter()
            .map(|c| {
                let args: Vec<&str> = c.split_whitespace().skip(1).collect();
                let out = simulate()
                    .args(&args)
                    .args(["--format", "json"])
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{c}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                serde_json::from_slice(&out.stdout).unwrap()
            })
            .collect();
        // The reproduction is the first command's, the uncertain result the last one's.
        for (column, report) in [(2, &reports[0]), (4, reports.last().unwrap())] {
            for (name, claim) in claims(cells[column]) {
                if let Err(e) = check_claim(report, name, claim) {
                    failures.push(format!("{}: {e}", cells[0]));
                }
            }
        }
        rows += 1;
    }
    assert!(rows >= 2, "no rows in the README table");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn calibrate_places_each_publication_figure_inside_its_uncertain_twin() {
    let publications = figures();
    let dir = root().join("scenarios/published");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if !name.ends_with("-uncertain.toml") {
            continue;
        }
        let file = format!("scenarios/published/{name}");
        let doc: toml::Table =
            toml::from_str(&std::fs::read_to_string(root().join(&file)).unwrap()).unwrap();
        let subject = doc["scenario"]["subject"].as_str().unwrap().to_string();
        let out = simulate()
            .args(["calibrate", &file, "--format", "json", "--paths", "4000"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        let checks = json["checks"].as_array().unwrap();
        // Every figure of the subject is compared, each marked as a publication's.
        let expected: Vec<&str> = publications
            .iter()
            .filter(|f| {
                f.scenario.starts_with(&format!(
                    "scenarios/published/{}",
                    name.trim_end_matches("-uncertain.toml")
                ))
            })
            .map(|f| f.id.as_str())
            .collect();
        let ids: Vec<&str> = checks.iter().map(|c| c["id"].as_str().unwrap()).collect();
        assert_eq!(ids, expected, "{file} (subject {subject})");
        for c in checks {
            assert_eq!(c["kind"], "publication", "{file}: {c}");
            // The uncertain version is centred on the publication: its figure lies inside.
            let p = c["percentile"].as_f64().unwrap();
            assert!(
                p > 0.1 && p < 0.9,
                "{file}: {} at P{:.0}",
                c["id"],
                100.0 * p
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 4);
}

#[test]
fn a_one_year_scenario_still_draws_its_revenue_chart() {
    // Bain's scenario is the year 2030 alone: no band to fill between years, so the revenue
    // percentiles are drawn as bars and a point at that year (before, the chart was empty).
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("bain.html");
    let out = simulate()
        .args(["report", "scenarios/published/bain-uncertain.toml", "-o"])
        .arg(&html)
        .args(["--paths", "2000", "--analysis-paths", "500"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&html).unwrap();
    let chart = text
        .split("Revenue by year: percentile bands")
        .nth(1)
        .and_then(|rest| rest.split("</svg>").next())
        .expect("the report has the revenue chart");
    assert!(
        chart.contains("<circle"),
        "no median point in the one-year chart"
    );
    assert!(
        chart.contains("\n2030\n</text>"),
        "the year is not labelled"
    );
}
