//! A build for the machine's own processor (`target-cpu=native`: AVX2, AVX-512 where there is
//! one) gives the same results, bit for bit, as the portable build the README's first command
//! makes: the model has no fused multiply-adds (Rust never turns `a * b + c` into one), its
//! `exp` and `ln` are its own, and its sums run in a fixed order. The README recommends that
//! build for speed; this is what lets it.

use std::path::Path;
use std::process::Command;

/// The JSON of `simulate ARGS` from the binary `simulate`, without the lines that time the run.
fn json(simulate: &Path, args: &[&str]) -> String {
    let out = Command::new(simulate)
        .args(args)
        .args(["--format", "json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.contains("\"elapsed") && !l.contains("\"threads"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_build_for_this_processor_gives_the_same_results() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = root.join("target").join("native");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "--bin", "simulate", "--target-dir"])
        .arg(&target)
        .args([
            "--config",
            "build.rustflags = [\"-C\", \"target-cpu=native\"]",
        ])
        .current_dir(root)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .status()
        .unwrap();
    assert!(status.success(), "the build for this processor failed");
    let native = target.join("release").join("simulate");
    let portable = Path::new(env!("CARGO_BIN_EXE_simulate"));
    for args in [
        &["scenarios/openai.toml", "--paths", "20000"][..],
        &[
            "scenarios/openai.toml",
            "--paths",
            "20000",
            "--sampler",
            "sobol",
        ],
        &[
            "scenarios/published/bain-uncertain.toml",
            "--paths",
            "20000",
            "--sampler",
            "lhs",
        ],
        &["scenarios/network.toml", "--paths", "3000"],
    ] {
        assert!(json(portable, args) == json(&native, args), "{args:?}");
    }
}
