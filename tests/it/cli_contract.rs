//! The command line's contract, tested on the real binary: help with examples on every
//! subcommand, `--version`, exit codes, results on stdout and diagnostics on stderr, a broken
//! pipe, `NO_COLOR`, `-` for standard input, `--set` suggestions, the version stamp and
//! `replay`, and Ctrl-C (a real SIGINT sent to a running child).

use std::io::Read;
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;

const OPENAI: &str = "scenarios/openai.toml";

fn simulate() -> Command {
    let mut c = Command::cargo_bin("simulate").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    c
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The subcommands clap lists in `simulate --help`, so new ones are covered automatically.
fn subcommands() -> Vec<String> {
    let out = simulate().arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = text(&out.stdout);
    let section = help
        .split("Commands:\n")
        .nth(1)
        .expect("the help lists commands");
    section
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|name| name != "help")
        .collect()
}

#[test]
fn every_subcommand_has_help_with_examples() {
    let names = subcommands();
    assert!(names.contains(&"run".to_string()) && names.contains(&"check".to_string()));
    assert!(names.contains(&"replay".to_string()));
    let top = simulate().arg("--help").output().unwrap();
    assert!(text(&top.stdout).contains("Examples:") && text(&top.stdout).contains("Exit codes"));
    for name in names {
        let out = simulate().args([name.as_str(), "--help"]).output().unwrap();
        assert!(out.status.success(), "{name} --help failed");
        let help = text(&out.stdout);
        assert!(
            help.contains("Examples:"),
            "{name} --help has no examples:\n{help}"
        );
        assert!(
            help.contains(&format!("simulate {name}")) || name == "run",
            "{name}:\n{help}"
        );
    }
}

#[test]
fn version_is_the_crate_version() {
    let out = simulate().arg("--version").output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout),
        format!("simulate {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn exit_codes_are_zero_one_and_two() {
    simulate()
        .args([OPENAI, "--paths", "1000"])
        .assert()
        .code(0);
    // Usage errors and bad input: 2, one line.
    for args in [
        vec!["--no-such-flag"],
        vec![OPENAI, "--paths", "0"],
        vec!["no-such-file.toml"],
        vec![OPENAI, "--set", "capex.partner_share=2"],
    ] {
        let out = simulate().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    let out = simulate()
        .args([OPENAI, "--set", "capex.partner_share=2"])
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("capex.partner_share"), "{stderr}");
    // An --out folder that does not exist is a usage error, found before the run: 2.
    let out = simulate()
        .args([OPENAI, "--out", "/nonexistent-dir/x.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("the folder /nonexistent-dir does not exist"));
    // A folder that exists but takes no files is not the input's fault: 1.
    let out = simulate()
        .args([OPENAI, "--paths", "1000", "--out", "/proc/x.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stderr).lines().count(), 1);
}

#[test]
fn results_go_to_stdout_and_diagnostics_to_stderr() {
    let out = simulate()
        .args([OPENAI, "--paths", "2000", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stderr.is_empty());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["paths"], 2000);
    // Replaying a report of another version warns on stderr; stdout stays pure JSON.
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.json");
    let mut doc = json.clone();
    doc["simulator"]["version"] = "0.0.1".into();
    std::fs::write(&old, serde_json::to_string(&doc).unwrap()).unwrap();
    let out = simulate()
        .args(["replay", "--any-version", "--format", "json"])
        .arg(&old)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        text(&out.stderr).contains("warning"),
        "{}",
        text(&out.stderr)
    );
    let again: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(again["metrics"], json["metrics"]);
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let mut child = Process::new(env!("CARGO_BIN_EXE_simulate"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([OPENAI, "--paths", "2000", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Like `| head -c 10`: read ten bytes of a report far larger than a pipe's buffer, close.
    let mut head = [0u8; 10];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(&head[..1], b"{");
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}

#[test]
fn no_color_turns_off_colour_even_when_forced() {
    // CLICOLOR_FORCE makes clap colour its errors and help without a terminal, which shows
    // the test would see colour; NO_COLOR must still win.
    let coloured = simulate()
        .arg("--no-such-flag")
        .env("CLICOLOR_FORCE", "1")
        .output()
        .unwrap();
    assert!(text(&coloured.stderr).contains('\u{1b}'));
    for args in [
        vec!["--no-such-flag"],
        vec!["--help"],
        vec!["check", "--help"],
    ] {
        let out = simulate()
            .args(&args)
            .env("CLICOLOR_FORCE", "1")
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let all = text(&out.stdout) + &text(&out.stderr);
        assert!(!all.contains('\u{1b}'), "{args:?}: colour despite NO_COLOR");
    }
}

#[test]
fn a_dash_reads_the_scenario_from_stdin() {
    let scenario =
        std::fs::read_to_string(format!("{}/{OPENAI}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let out = simulate()
        .args(["check", "-"])
        .write_stdin(scenario.clone())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(text(&out.stdout).starts_with("ok: -"));
    let out = simulate()
        .args(["-", "--paths", "1000", "--format", "json"])
        .write_stdin(scenario)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["scenario"]["file"], "-");
}

#[test]
fn set_errors_name_the_key_and_suggest_valid_keys_absent_from_the_file() {
    let scenario = "[scenario]\nname = \"x\"\nstart_year = 2025\nhorizon = 2030\n\
        [capex]\ntotal = 1e12\nyears = 5\ngpu_life_years = 3\n";
    let out = simulate()
        .args(["check", "-", "--set", "capex.ops_shar=0.03"])
        .write_stdin(scenario)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("capex.ops_shar:")
            && stderr.contains("nearest valid keys: capex.ops_share"),
        "{stderr}"
    );
    // The key the suggestion names is valid: it is added and validated.
    simulate()
        .args(["check", "-", "--set", "capex.ops_share=0.03"])
        .write_stdin(scenario)
        .assert()
        .success();
}

#[test]
fn outputs_carry_the_version_and_fingerprint_and_replay_reproduces_json_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let result = dir.path().join("result.json");
    let args = [
        OPENAI,
        "--paths",
        "3000",
        "--seed",
        "9",
        "--set",
        "capex.years=8",
    ];
    simulate()
        .args(args)
        .args(["--format", "json", "--out"])
        .arg(&result)
        .assert()
        .success();
    let recorded = std::fs::read_to_string(&result).unwrap();
    let json: serde_json::Value = serde_json::from_str(&recorded).unwrap();
    assert_eq!(json["simulator"]["version"], env!("CARGO_PKG_VERSION"));
    let fingerprint = json["scenario"]["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        json["scenario"]["document"]
            .as_str()
            .unwrap()
            .contains("years = 8")
    );

    let csv = simulate()
        .args(args)
        .args(["--format", "csv"])
        .output()
        .unwrap();
    let csv = text(&csv.stdout);
    assert!(
        csv.contains(&format!("run,scenario,,fingerprint,{fingerprint}")),
        "{csv}"
    );
    assert!(csv.contains(&format!(
        "run,simulator,,version,{}",
        env!("CARGO_PKG_VERSION")
    )));

    let replayed = simulate()
        .args(["replay", "--format", "json", "--threads", "1"])
        .arg(&result)
        .output()
        .unwrap();
    assert!(replayed.status.success(), "{}", text(&replayed.stderr));
    assert!(replayed.stderr.is_empty());
    assert_eq!(
        text(&replayed.stdout),
        recorded,
        "replay differs from the recorded run"
    );

    // Another version is refused with one line naming both versions.
    let old = dir.path().join("old.json");
    std::fs::write(
        &old,
        recorded.replace(
            &format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION")),
            "\"version\": \"0.0.1\"",
        ),
    )
    .unwrap();
    let out = simulate().arg("replay").arg(&old).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("0.0.1") && stderr.contains(env!("CARGO_PKG_VERSION")),
        "{stderr}"
    );
    // Not a report at all: 2, one line.
    let out = simulate().args(["replay", OPENAI]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stderr).lines().count(), 1);
}

#[test]
fn ctrl_c_stops_within_a_second_with_a_partial_report_and_no_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("report.json");
    let mut child = Process::new(env!("CARGO_BIN_EXE_simulate"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([OPENAI, "--paths", "1000000000", "--format", "json", "--out"])
        .arg(&out_file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Drain both pipes while the child runs: the partial report is larger than a pipe holds.
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let stdout = std::thread::spawn(move || {
        let mut s = String::new();
        out_pipe.read_to_string(&mut s).map(|_| s)
    });
    let stderr = std::thread::spawn(move || {
        let mut s = String::new();
        err_pipe.read_to_string(&mut s).map(|_| s)
    });
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the run ended before the signal"
    );
    let status = Process::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let signalled = Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        assert!(
            signalled.elapsed() < Duration::from_secs(10),
            "still running 10 s after SIGINT"
        );
        std::thread::sleep(Duration::from_millis(2));
    };
    let latency = signalled.elapsed();
    let stdout = stdout.join().unwrap().unwrap();
    let stderr = stderr.join().unwrap().unwrap();
    eprintln!("SIGINT to exit: {latency:?}");
    assert!(latency < Duration::from_secs(1), "took {latency:?} to stop");
    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("stdout is the JSON report");
    assert_eq!(json["partial"], true);
    let paths = json["paths"].as_u64().unwrap();
    assert!(paths > 0 && paths < 1_000_000_000, "{paths}");
    assert_eq!(json["paths_requested"], 1_000_000_000u64);
    for t in json["thresholds"].as_array().unwrap() {
        let p = t["probability"].as_f64().unwrap();
        let ci = t["ci95"].as_array().unwrap();
        assert!(ci[0].as_f64().unwrap() <= p && p <= ci[1].as_f64().unwrap());
    }
    // No output file, and no temporary file left behind.
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "files left: {left:?}");
}
