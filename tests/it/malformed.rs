//! Scenario validation through the binary: every malformed file in `tests/malformed/` must be
//! rejected by `simulate check` with exit code 2 and one clear line naming the file, line, key
//! path and reason (as listed in `tests/malformed/expected.toml`), and every bundled scenario in
//! `scenarios/` must pass `simulate check` with a source on every input.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde::Deserialize;

/// `tests/malformed/expected.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    cases: BTreeMap<String, Case>,
}

/// What the error for one malformed file must say.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// The 1-based line the error points at.
    line: Option<usize>,
    /// The key path; absent for TOML syntax errors, which have none.
    key: Option<String>,
    /// A substring of the message.
    message: String,
}

/// `seeds/figures.toml`, for the seed file names a source may cite.
#[derive(Debug, Deserialize)]
struct Figures {
    figure: Vec<Figure>,
}

#[derive(Debug, Deserialize)]
struct Figure {
    source: String,
}

const EXPECTED: &str = "expected.toml";

/// Inputs that may keep the source `"default"`: a custom capex profile takes its length from
/// its weights, and the file cannot give `capex.years` at the same time.
const DERIVED_INPUTS: &[&str] = &["capex.years"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn malformed_dir() -> PathBuf {
    root().join("tests").join("malformed")
}

/// The `.toml` files of a folder, sorted by name.
fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .expect("a file name")
        .to_string_lossy()
        .into_owned()
}

fn expected() -> Expected {
    let path = malformed_dir().join(EXPECTED);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{} is not valid: {e}", path.display()))
}

/// The malformed scenario files, without `expected.toml`.
fn corpus() -> Vec<PathBuf> {
    toml_files(&malformed_dir())
        .into_iter()
        .filter(|p| file_name(p) != EXPECTED)
        .collect()
}

fn simulate() -> Command {
    Command::cargo_bin("simulate").expect("the simulate binary is built")
}

#[test]
fn corpus_and_expected_list_the_same_files() {
    let files: BTreeSet<String> = corpus().iter().map(|p| file_name(p)).collect();
    let listed: BTreeSet<String> = expected().cases.into_keys().collect();
    let unlisted: Vec<_> = files.difference(&listed).collect();
    let missing: Vec<_> = listed.difference(&files).collect();
    assert!(
        unlisted.is_empty(),
        "files in tests/malformed/ without an entry in {EXPECTED}: {unlisted:?}"
    );
    assert!(
        missing.is_empty(),
        "entries in {EXPECTED} without a file in tests/malformed/: {missing:?}"
    );
    assert!(
        files.len() >= 24,
        "the corpus has shrunk to {} files",
        files.len()
    );
}

#[test]
fn every_malformed_scenario_is_rejected_with_one_clear_line() {
    let expected = expected();
    let mut failures = Vec::new();
    for path in corpus() {
        let name = file_name(&path);
        let Some(case) = expected.cases.get(&name) else {
            // Reported by corpus_and_expected_list_the_same_files.
            continue;
        };
        let output = simulate()
            .arg("check")
            .arg(&path)
            .output()
            .expect("simulate runs");
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let mut problems = Vec::new();
        if output.status.code() != Some(2) {
            problems.push(format!("exit code {:?}, expected 2", output.status.code()));
        }
        if stderr.contains("panicked") {
            problems.push("panicked".to_string());
        }
        let lines: Vec<&str> = stderr.lines().collect();
        if lines.len() != 1 {
            problems.push(format!("{} lines on stderr, expected 1", lines.len()));
        }
        let first = lines.first().copied().unwrap_or("");
        if !first.starts_with("error: ") {
            problems.push("stderr does not start with 'error: '".to_string());
        }
        let location = match case.line {
            Some(line) => format!("{name}:{line}: "),
            None => name.clone(),
        };
        if !first.contains(&location) {
            problems.push(format!("does not name the file and line as '{location}'"));
        }
        if let Some(key) = &case.key {
            let key = format!(": {key}: ");
            if !first.contains(&key) {
                problems.push(format!("does not name the key as '{key}'"));
            }
        }
        if !first.contains(&case.message) {
            problems.push(format!("does not contain '{}'", case.message));
        }
        if !output.stdout.is_empty() {
            problems.push("wrote to stdout".to_string());
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{name}: {}\n    stderr: {}",
                problems.join("; "),
                stderr.trim_end()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "malformed scenarios not rejected as expected:\n  {}",
        failures.join("\n  ")
    );
}

/// One input line of `simulate check`: `  KEY  DIST  [SOURCE]`.
#[derive(Debug)]
struct ListedInput {
    key: String,
    source: String,
}

fn parse_input_line(line: &str) -> Option<ListedInput> {
    let line = line.trim();
    let (key, rest) = line.split_once(char::is_whitespace)?;
    let (_dist, source) = rest.trim_start().split_once("  [")?;
    let source = source.strip_suffix(']')?;
    Some(ListedInput {
        key: key.to_string(),
        source: source.to_string(),
    })
}

/// The number of inputs the `ok:` line announces ("..., 41 inputs of which ...").
fn announced_inputs(header: &str) -> Option<usize> {
    let before = &header[..header.find(" inputs of which")?];
    before.rsplit([' ', ',']).next()?.parse().ok()
}

/// The seeds `seeds/figures.toml` cites, e.g. `seed 004`.
fn seed_files() -> BTreeSet<String> {
    let path = root().join("seeds").join("figures.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let figures: Figures =
        toml::from_str(&text).unwrap_or_else(|e| panic!("{} is not valid: {e}", path.display()));
    figures.figure.into_iter().map(|f| f.source).collect()
}

#[test]
fn every_bundled_scenario_passes_check_with_every_input_sourced() {
    let scenarios = toml_files(&root().join("scenarios"));
    assert!(!scenarios.is_empty(), "no scenarios in scenarios/");
    let seeds = seed_files();
    let mut failures = Vec::new();
    for path in &scenarios {
        let name = file_name(path);
        let output = simulate()
            .arg("check")
            .arg(path)
            .output()
            .expect("simulate runs");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        if output.status.code() != Some(0) {
            failures.push(format!(
                "{name}: exit code {:?}: {}",
                output.status.code(),
                stderr.trim_end()
            ));
            continue;
        }
        let mut lines = stdout.lines();
        let header = lines.next().unwrap_or("");
        if !header.starts_with("ok: ") {
            failures.push(format!("{name}: first line is not 'ok: ...': {header}"));
            continue;
        }
        // The inputs, then a blank line and the citations of the seeds they name.
        let inputs: Vec<&str> = lines
            .by_ref()
            .skip_while(|l| l.trim().is_empty())
            .take_while(|l| !l.trim().is_empty())
            .collect();
        let citations: Vec<&str> = lines.collect();
        if announced_inputs(header) != Some(inputs.len()) {
            failures.push(format!(
                "{name}: listed {} inputs but the header says: {header}",
                inputs.len()
            ));
        }
        for line in inputs {
            let Some(input) = parse_input_line(line) else {
                failures.push(format!("{name}: cannot read the input line '{line}'"));
                continue;
            };
            let cites_seed = seeds.iter().any(|s| input.source.starts_with(s.as_str()));
            let ok = match input.source.as_str() {
                "no source" => false,
                "default" => DERIVED_INPUTS.contains(&input.key.as_str()),
                // A public document (a filing, a company's announcement) cited by name.
                s => s.starts_with("assumption") || s.starts_with("public: ") || cites_seed,
            };
            if !ok {
                failures.push(format!(
                    "{name}: {} has source '{}'; give a seed (\"seed 004: ...\", as \
                     seeds/figures.toml names them), \"public: DOCUMENT\" or \"assumption: why\"",
                    input.key, input.source
                ));
            }
            let cited = input.source.get(..8).filter(|_| cites_seed);
            if let Some(seed) = cited {
                let listed = citations
                    .iter()
                    .any(|c| c.trim_start().starts_with(&format!("{seed}: ")));
                if !listed {
                    failures.push(format!(
                        "{name}: {} cites {seed}, which is not among the citations:\n{}",
                        input.key,
                        citations.join("\n")
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "bundled scenarios with problems:\n  {}",
        failures.join("\n  ")
    );
}

#[test]
fn every_bundled_scenario_runs() {
    for path in toml_files(&root().join("scenarios")) {
        let output = simulate()
            .arg(&path)
            .args(["--paths", "2000", "--threads", "2"])
            .output()
            .expect("simulate runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{} failed to run: {stderr}",
            path.display()
        );
        assert!(
            !output.stdout.is_empty(),
            "{} wrote no report",
            path.display()
        );
    }
}

#[test]
fn input_lines_of_check_are_parsed() {
    let line = "  capex.partner_share   pert(0.35, 0.5, 0.65)  [seed 004: about half]";
    let input = parse_input_line(line).expect("parses");
    assert_eq!(input.key, "capex.partner_share");
    assert_eq!(input.source, "seed 004: about half");
    let truncated = "  x  normal(mean 0.5, sd 0.1) truncated to [0, 1]  [assumption: [a] b]";
    let input = parse_input_line(truncated).expect("parses");
    assert_eq!(input.source, "assumption: [a] b");
    assert_eq!(
        announced_inputs("ok: f.toml — n (2025–2035), 41 inputs of which 33 uncertain"),
        Some(41)
    );
}
