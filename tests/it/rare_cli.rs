//! `simulate rare` and `simulate FILE --rare` on the real binary (its help examples run in
//! `examples`): the formats carry the estimate, the JSON is the same for any thread
//! count, a run's report gains its rare thresholds, a replay of it is byte-identical, and a
//! threshold that does not exist is a usage error.

use assert_cmd::Command;

fn simulate() -> Command {
    let mut c = Command::cargo_bin("simulate").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = simulate().args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `simulate replay FILE --format json` writes `file` again, byte for byte.
fn replays_byte_for_byte(file: &std::path::Path) {
    let again = simulate()
        .arg("replay")
        .arg(file)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert_eq!(text(&again.stdout), std::fs::read_to_string(file).unwrap());
}

/// The JSON of `args`, checked to be the same on one thread and on two.
fn json_whatever_the_threads(args: &[&str]) -> serde_json::Value {
    let one = json(&[args, &["--format", "json", "--threads", "1"]].concat());
    let two = json(&[args, &["--format", "json", "--threads", "2"]].concat());
    assert_eq!(one, two, "{args:?}");
    one
}

#[test]
fn every_format_carries_the_estimate_and_the_json_ignores_threads() {
    let args = [
        "rare",
        "scenarios/openai.toml",
        "--threshold",
        "operating_break_even_by_2030",
    ];
    let one = json_whatever_the_threads(&args);
    let t = &one["thresholds"][0];
    assert_eq!(t["name"], "operating_break_even_by_2030");
    let p = t["rare"]["probability"].as_f64().unwrap();
    let [low, high] = [0, 1].map(|i| t["rare"]["ci95"][i].as_f64().unwrap());
    assert!(0.0 < low && low < p && p < high && high < 1e-4, "{t}");
    assert!(
        t["in_words"].as_str().unwrap().starts_with("about 1 in "),
        "{t}"
    );
    assert!(t["rare"]["evaluations"].as_u64().unwrap() <= 100_000);
    for (format, needle) in [
        ("table", "about 1 in "),
        ("csv", "estimated,"),
        ("markdown", "| estimated |"),
    ] {
        let out = simulate()
            .args(args)
            .args(["--format", format])
            .output()
            .unwrap();
        assert!(out.status.success());
        assert!(
            text(&out.stdout).contains(needle),
            "{format}:\n{}",
            text(&out.stdout)
        );
    }
}

#[test]
fn a_run_with_rare_adds_its_rare_thresholds_and_replays_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("run.json");
    let out = simulate()
        .args([
            "scenarios/openai.toml",
            "--paths",
            "20000",
            "--rare",
            "--format",
            "json",
            "--out",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let rare = report["rare"].as_array().unwrap();
    // Every threshold below 0.1% in 20,000 paths, and only those.
    let below: Vec<&str> = report["thresholds"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["probability"].as_f64().unwrap() < 1e-3)
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    let names: Vec<&str> = rare.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, below);
    assert!(rare.iter().all(|t| t["plain"]["probability"].is_number()));
    replays_byte_for_byte(&file);
}

#[test]
fn an_unknown_threshold_or_bad_settings_are_usage_errors() {
    let out = simulate()
        .args(["rare", "scenarios/openai.toml", "--threshold", "bain_3t"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("bain_3t") && err.contains("bain_2t_2030"),
        "{err}"
    );
    let out = simulate()
        .args(["rare", "scenarios/openai.toml", "--samples", "1234"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("multiple of 10"),
        "{}",
        text(&out.stderr)
    );
}

/// A network file's events by name: the JSON is the same for any thread count, an event the
/// network decides is reported as impossible, and an unknown name lists the events.
#[test]
fn a_network_files_events_are_estimated_by_name() {
    let args = [
        "rare",
        "scenarios/network.toml",
        "--threshold",
        "microsoft.default",
        "--samples",
        "500",
    ];
    let one = json_whatever_the_threads(&args);
    let t = &one["thresholds"][0];
    assert_eq!(t["name"], "microsoft.default");
    assert_eq!(t["rare"]["status"], "estimated", "{t}");
    assert!(t["label"].as_str().unwrap().contains("defaults"), "{t}");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("two.toml");
    std::fs::write(&file, super::network::TWO_FIRMS).unwrap();
    let out = simulate()
        .arg("rare")
        .arg(&file)
        .args(["--threshold", "chips.default"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("impossible under the scenario's inputs"),
        "{}",
        text(&out.stdout)
    );

    let out = simulate()
        .args([
            "rare",
            "scenarios/network.toml",
            "--threshold",
            "openai.bankrupt",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("openai.bankrupt") && err.contains("openai.default"),
        "{err}"
    );
}

/// `--rare` on a network run estimates every event whose plain estimate is below 0.1%, and
/// only those, and a replay of the report is byte-identical.
#[test]
fn a_network_run_with_rare_adds_its_rare_events_and_replays_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("lab.toml");
    std::fs::write(&scenario, super::rare_network::lognormal_network(2e11)).unwrap();
    let file = dir.path().join("run.json");
    let out = simulate()
        .arg(&scenario)
        .args(["--paths", "20000", "--rare", "--format", "json", "--out"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let names: Vec<&str> = report["rare"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"network.big_first_year"), "{names:?}");
    let mut below = Vec::new();
    for t in report["thresholds"].as_array().unwrap() {
        if t["probability"].as_f64().unwrap() < 1e-3 {
            below.push(format!("network.{}", t["name"].as_str().unwrap()));
        }
    }
    for (name, e) in report["entities"].as_object().unwrap() {
        for event in ["break_even", "payback", "default"] {
            if e[event]["probability"].as_f64().unwrap() < 1e-3 {
                below.push(format!("{name}.{event}"));
            }
        }
    }
    below.sort();
    let mut sorted: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    sorted.sort();
    assert_eq!(sorted, below);
    replays_byte_for_byte(&file);
    for (format, needle) in [
        ("table", "Rare events"),
        ("csv", "rare,,network.big_first_year"),
    ] {
        let out = simulate()
            .arg("replay")
            .arg(&file)
            .args(["--format", format])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains(needle),
            "{format}:\n{}",
            text(&out.stdout)
        );
    }
}
