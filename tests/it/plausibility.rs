//! Plausibility warnings: each on standard error without failing the run, and each an input
//! error (exit 2, naming the file, line and key where there is one) under `--strict`; a
//! plausible scenario gives none.

use assert_cmd::Command;

fn simulate() -> Command {
    let mut c = Command::cargo_bin("simulate").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

/// Runs `args` on a file holding `text`; returns (exit code, stdout, stderr, the file's name).
fn run(text: &str, args: &[&str]) -> (Option<i32>, String, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    std::fs::write(&file, text).unwrap();
    let name = file.display().to_string();
    let mut command = simulate();
    if args.first() == Some(&"check") {
        command.arg("check").arg(&file).args(&args[1..]);
    } else {
        command.arg(&file).args(["--paths", "2000"]).args(args);
    }
    let out = command.output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr),
        name,
    )
}

const HEAD: &str = "[scenario]\nname = \"t\"\nstart_year = 2025\nhorizon = 2030\n";

/// Checks that `text` warns with `needle` (and `located`, the file's `:line: key` part, when
/// given) and still runs, and that `--strict` makes it exit 2 with no report.
fn warns(text: &str, needle: &str, located: Option<&str>) {
    let (code, stdout, stderr, name) = run(text, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("THRESHOLDS"), "the report is still written");
    let line = stderr
        .lines()
        .find(|l| l.starts_with("warning: ") && l.contains(needle))
        .unwrap_or_else(|| panic!("no warning with {needle:?} in {stderr}"));
    if let Some(at) = located {
        assert!(
            line.starts_with(&format!("warning: {name}{at}: ")),
            "{line}"
        );
    }
    let (code, stdout, stderr, name) = run(text, &["--strict"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stdout.is_empty(), "no report under --strict");
    assert!(
        stderr.contains(needle) && stderr.contains("--strict"),
        "{stderr}"
    );
    if let Some(at) = located {
        assert!(stderr.contains(&format!("{name}{at}: ")), "{stderr}");
    }
}

#[test]
fn a_growth_rate_above_five_is_probably_a_percentage() {
    let text = format!("{HEAD}[streams.api]\nrevenue = 1e9\ngrowth = 8\n[costs]\nrnd = 1e9\n");
    warns(&text, "800% a year", Some(":7: streams.api.growth"));
    // A distribution whose P99 is above 5 warns too; one below does not.
    let text = format!(
        "{HEAD}[streams.api]\nrevenue = 1e9\ngrowth = {{ dist = \"uniform\", min = 0, max = 10 }}\n[costs]\nrnd = 1e9\n"
    );
    warns(&text, "P99 is 9.9", Some(":7: streams.api.growth"));
    let (_, _, stderr, _) = run(&text.replace("max = 10", "max = 4"), &[]);
    assert!(!stderr.contains("warning"), "{stderr}");
}

#[test]
fn no_revenue_or_no_costs_is_said_instead_of_a_silent_certainty() {
    warns(
        &format!("{HEAD}[costs]\nrnd = 1e9\n"),
        "has no revenue",
        None,
    );
    let text = format!("{HEAD}[streams.api]\nrevenue = 1e9\ngrowth = 0.1\n");
    warns(&text, "has no costs", None);
    // What the warning explains: 100% break-even.
    let (_, stdout, _, _) = run(&text, &[]);
    assert!(stdout.contains("100%"));
    // `check` says it as well.
    let (code, _, stderr, _) = run(&text, &["check"]);
    assert_eq!(code, Some(0));
    assert!(stderr.contains("has no costs"), "{stderr}");
    let (code, _, _, _) = run(&text, &["check", "--strict"]);
    assert_eq!(code, Some(2));
}

#[test]
fn revenue_above_world_gdp_is_flagged() {
    // $1T doubling every year reaches $32T in 2030: below world GDP. Tripling, $81T in 2029
    // and $243T in 2030: above from 2030.
    let text = |g: &str| {
        format!("{HEAD}[streams.api]\nrevenue = 1e12\ngrowth = {g}\n[costs]\nrnd = 1e9\n")
    };
    let (_, _, stderr, _) = run(&text("1.0"), &[]);
    assert!(!stderr.contains("world GDP"), "{stderr}");
    warns(&text("2.0"), "exceeds world GDP", None);
    let (_, _, stderr, _) = run(&text("2.0"), &[]);
    assert!(
        stderr.contains("from 2030") && stderr.contains("$243T"),
        "{stderr}"
    );
}

#[test]
fn percentiles_clipped_at_the_histogram_floor_are_flagged() {
    // Revenue lognormal with sigma 5: P5 and P10 lie more than 65,536 times below the largest
    // of 2,000 paths, so the histogram reports both at its floor.
    let text = format!(
        "{HEAD}[streams.api]\nrevenue = {{ dist = \"lognormal\", mu = 23, sigma = 5 }}\ngrowth = 0\n[costs]\nrnd = 1e9\n"
    );
    warns(&text, "clipped at the percentile histogram's floor", None);
    let (_, _, stderr, _) = run(&text, &[]);
    assert!(stderr.contains(": revenue: P5 and P10"), "{stderr}");
    // sigma 1 spans far less than a factor of 65,536: nothing is clipped.
    let (_, _, stderr, _) = run(&text.replace("sigma = 5", "sigma = 1"), &[]);
    assert!(!stderr.contains("clipped"), "{stderr}");
}

#[test]
fn the_bundled_openai_scenario_warns_of_nothing() {
    let out = simulate()
        .args(["scenarios/openai.toml", "--paths", "2000", "--strict"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
