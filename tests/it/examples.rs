//! Every example in `--help` and in the README runs.
//!
//! The examples are read from the binary's own help (the top level and every subcommand it
//! lists, so new subcommands are covered) and from the README's code blocks. Each help page's
//! examples, and each README code block, run as one shell script (`set -e`, in order, so a
//! block may write a file that its next line reads) in a fresh folder holding copies of
//! `scenarios/` and `seeds/`, with `simulate` on the `PATH`. To keep the suite fast the copies
//! run 2,000 paths by default, `--paths` is capped at 4,000, and the commands whose default is
//! not the scenario's (`solve`, `sensitivity`, `report`'s analyses) are given small counts.
//! `cargo run --release --` runs the same binary. Exempt, with the reason beside each in
//! [`exemption`]: the usage synopses (placeholders such as `FILE`), `cargo test` itself, and
//! `pip install ./python` (scripts/python-test.sh tests the package), and
//! `scripts/screenshot.sh` and `scripts/browser-test.sh` (they need Chromium; the browser test
//! runs in `.ci/run` and the pictures are looked at), and the build for this processor and its
//! binary (`target-cpu=native`, `target/native/`: `native_build.rs` builds it and checks its
//! results against this binary's). A README line ending in
//! `# exits with code 2` must fail with exactly that code. `simulate serve` runs in the
//! background on a free port until the end of its block, its later lines (`curl`) talking to
//! that port instead of 8080.
//!
//! The help's examples must also survive copy and paste: no example line is wider than 80
//! columns, and the help after the options reads the same at 80 columns as at 1,000, so clap
//! never wraps one mid-argument.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin("simulate")
}

fn help(args: &[&str], columns: usize) -> String {
    let out = Command::new(binary())
        .args(args)
        .arg("--help")
        .env("COLUMNS", columns.to_string())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?} --help failed");
    String::from_utf8(out.stdout).unwrap()
}

/// The subcommands `simulate --help` lists.
fn subcommands() -> Vec<String> {
    let top = help(&[], 1000);
    let section = top.split("Commands:\n").nth(1).expect("commands listed");
    section
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|name| name != "help")
        .collect()
}

/// Every help page: its name and its text.
fn help_pages(columns: usize) -> Vec<(String, String)> {
    let mut pages = vec![("simulate".to_string(), help(&[], columns))];
    for name in subcommands() {
        pages.push((format!("simulate {name}"), help(&[&name], columns)));
    }
    pages
}

/// The lines of the `Examples:` block of a help page.
fn example_lines(page: &str) -> Vec<String> {
    page.split("Examples:\n")
        .nth(1)
        .unwrap_or("")
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// The README's code blocks that hold commands (not TOML, not the layout listing).
fn readme_blocks() -> Vec<(String, Vec<String>)> {
    let text = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut blocks = Vec::new();
    let mut current: Option<(String, usize, Vec<String>)> = None;
    for (n, line) in text.lines().enumerate() {
        if let Some(fence) = line.strip_prefix("```") {
            match current.take() {
                Some((lang, start, lines)) => {
                    let commands = lines.iter().any(|l| {
                        let l = l.trim_start();
                        l.starts_with("simulate ")
                            || l.starts_with("cargo ")
                            || l.contains("| simulate")
                            || l.contains("xargs")
                    });
                    if lang != "toml" && commands {
                        blocks.push((format!("README.md:{start}"), lines));
                    }
                }
                None => current = Some((fence.trim().to_string(), n + 1, Vec::new())),
            }
        } else if let Some((_, _, lines)) = current.as_mut() {
            lines.push(line.to_string());
        }
    }
    blocks
}

/// Why a command is not run, or `None` when it is.
fn exemption(command: &str) -> Option<&'static str> {
    let c = command.trim();
    if c.starts_with("cargo test") || c.contains(" cargo test ") {
        return Some("runs this test suite");
    }
    if c.contains("target-cpu=native") || c.starts_with("target/native/") {
        return Some(
            "a build for this processor; tests/it/native_build.rs builds it and checks it",
        );
    }
    if c.starts_with("pip install ") {
        return Some("installs the Python package; scripts/python-test.sh tests it");
    }
    if c.starts_with("scripts/screenshot.sh") || c.starts_with("scripts/browser-test.sh") {
        return Some("needs Chromium; the picture is looked at, see README");
    }
    let placeholder = [
        "FILE",
        "PART",
        "RESULT.json",
        "KEY",
        "[--",
        " | solve",
        "--help |",
    ];
    if placeholder.iter().any(|p| c.contains(p)) {
        return Some("a usage synopsis with placeholders");
    }
    None
}

/// `value` capped at `cap` where the flag `flag` is followed by a count.
fn cap(command: &str, flag: &str, cap: u64) -> String {
    let mut words: Vec<String> = command.split(' ').map(str::to_string).collect();
    for i in 1..words.len() {
        if words[i - 1] == flag {
            let n: f64 = words[i].replace('_', "").parse().unwrap_or(f64::INFINITY);
            if n > cap as f64 {
                words[i] = cap.to_string();
            }
        }
    }
    words.join(" ")
}

/// The command as the test runs it: the same binary for `cargo run`, fewer paths.
fn shrink(command: &str) -> String {
    let mut c = command.replace("cargo run --release -- ", "simulate ");
    c = cap(&c, "--paths", 4000);
    c = cap(&c, "--analysis-paths", 300);
    c = cap(&c, "--max-paths", 70_000);
    // The web API's `paths=N` (curl -d paths=N), as for --paths.
    c = c
        .split(' ')
        .map(|w| {
            match w
                .strip_prefix("paths=")
                .map(|n| n.replace('_', "").parse::<f64>())
            {
                Some(Ok(n)) if n > 4000.0 => "paths=4000".to_string(),
                _ => w.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    for (sub, flags) in [
        ("solve", "--paths 2000"),
        ("sensitivity", "--paths 1000"),
        ("report", "--analysis-paths 300"),
    ] {
        let call = format!("simulate {sub} ");
        let flag = flags.split(' ').next().unwrap();
        if c.contains(&call) && !c.contains(&format!("{flag} ")) {
            c = c.replace(&call, &format!("{call}{flags} "));
        }
    }
    c
}

/// `simulate serve ARGS` as a script runs it: in the background on a free port, waiting until
/// it listens, with `$port` set and the server stopped (Ctrl-C) when the block ends.
fn serve_in_background(args: &str) -> String {
    let args = args.split(" #").next().unwrap_or("").trim();
    let args = args.trim_end_matches('&').trim();
    let mut words: Vec<&str> = Vec::new();
    let mut skip = false;
    for w in args.split(' ') {
        if std::mem::take(&mut skip) {
            continue;
        }
        if w == "--port" {
            skip = true;
            continue;
        }
        words.push(w);
    }
    format!(
        "simulate serve {} --port 0 2>serve.log &\n\
         server=$!\n\
         trap 'kill -INT $server; wait $server' EXIT\n\
         for i in $(seq 600); do grep -q '^serving' serve.log && break; sleep 0.1; done\n\
         port=$(sed -n 's|^serving http://[^/]*:\\([0-9]*\\)/.*|\\1|p' serve.log)\n\
         test -n \"$port\"\n",
        words.join(" ")
    )
}

/// Joins `\` continuations into one line each.
fn join_continuations(lines: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut pending = String::new();
    for line in lines {
        let trimmed = line.trim();
        if let Some(head) = trimmed.strip_suffix('\\') {
            pending.push_str(head.trim_end());
            pending.push(' ');
        } else {
            pending.push_str(trimmed);
            out.push(std::mem::take(&mut pending));
        }
    }
    out
}

/// A fresh folder with copies of the scenarios (2,000 paths by default) and the seeds, and a
/// `bin/simulate`.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("examples")
        .tempdir()
        .unwrap();
    for folder in ["scenarios", "seeds"] {
        copy_tree(&root().join(folder), &dir.path().join(folder));
    }
    std::fs::create_dir(dir.path().join("bin")).unwrap();
    std::os::unix::fs::symlink(binary(), dir.path().join("bin").join("simulate")).unwrap();
    dir
}

/// Copies the folder `from` to `to`, scenarios set to 2,000 paths by default.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            let text = std::fs::read_to_string(&path).unwrap();
            let text = text.replace("\npaths = 100000\n", "\npaths = 2000\n");
            std::fs::write(target, text).unwrap();
        }
    }
}

/// Runs one block of examples as a shell script; returns a failure message, if any.
fn run_block(origin: &str, lines: &[String], exempt: &mut Vec<String>) -> Option<String> {
    let dir = workspace();
    let mut script = String::from("set -e\n");
    let mut ran = 0;
    let mut serving = false;
    for command in join_continuations(lines) {
        if let Some(why) = exemption(&command) {
            exempt.push(format!("{origin}: `{command}`: {why}"));
            continue;
        }
        let mut command = shrink(&command);
        if serving {
            command = command.replace("127.0.0.1:8080", "127.0.0.1:$port");
        }
        if let Some(args) = command.trim().strip_prefix("simulate serve ") {
            script.push_str(&serve_in_background(args));
            serving = true;
            ran += 1;
            continue;
        }
        if command.trim_end().ends_with("# exits with code 2") {
            script.push_str(&format!(
                "if {command}\nthen echo 'expected exit code 2' >&2; exit 1\nelse test $? -eq 2\nfi\n"
            ));
        } else {
            script.push_str(&command);
            script.push('\n');
        }
        ran += 1;
    }
    if ran == 0 {
        return None;
    }
    let path = format!(
        "{}:{}",
        dir.path().join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("sh")
        .arg("-x")
        .arg("-c")
        .arg(&script)
        .current_dir(dir.path())
        .env("PATH", path)
        .output()
        .unwrap();
    (!out.status.success()).then(|| {
        format!(
            "{origin} failed (exit {:?}):\n{script}\n--- stderr (last lines):\n{}",
            out.status.code(),
            tail(&String::from_utf8_lossy(&out.stderr), 15)
        )
    })
}

fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[test]
fn every_help_example_runs() {
    let mut failures = Vec::new();
    let mut exempt = Vec::new();
    let pages = help_pages(1000);
    assert!(pages.len() > 5, "{pages:?}");
    for (name, page) in &pages {
        let lines = example_lines(page);
        assert!(!lines.is_empty(), "{name} --help has no examples");
        if let Some(f) = run_block(&format!("{name} --help"), &lines, &mut exempt) {
            failures.push(f);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(
        exempt.is_empty(),
        "help examples cannot be exempt: {exempt:?}"
    );
}

#[test]
fn every_readme_example_runs() {
    let mut failures = Vec::new();
    let mut exempt = Vec::new();
    let blocks = readme_blocks();
    assert!(blocks.len() > 5, "{blocks:?}");
    for (origin, lines) in &blocks {
        if let Some(f) = run_block(origin, lines, &mut exempt) {
            failures.push(f);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // The exemptions are the ones the module documents, and no more.
    for e in &exempt {
        assert!(
            e.contains("usage synopsis")
                || e.contains("test suite")
                || e.contains("Chromium")
                || e.contains("Python package")
                || e.contains("build for this processor"),
            "{e}"
        );
    }
}

#[test]
fn help_examples_fit_80_columns_and_never_wrap() {
    for ((name, wide), (_, narrow)) in help_pages(1000).iter().zip(help_pages(80)) {
        for line in example_lines(wide) {
            assert!(
                line.chars().count() <= 80,
                "{name}: example wider than 80 columns:\n{line}"
            );
        }
        let after = |page: &str| page.split("Examples:\n").nth(1).unwrap_or("").to_string();
        assert_eq!(
            after(wide),
            after(&narrow),
            "{name}: the help after the options is wrapped at 80 columns"
        );
    }
}

/// The README's own example: `cargo run` is the binary, counts are capped, flags are added
/// once, and synopses are exempt.
#[test]
fn the_example_runner_rewrites_as_documented() {
    assert_eq!(
        shrink("cargo run --release -- report scenarios/openai.toml -o report.html"),
        "simulate report --analysis-paths 300 scenarios/openai.toml -o report.html"
    );
    assert_eq!(
        shrink("simulate solve f.toml --param k=0..1 --target 0.5 --paths 100000"),
        "simulate solve f.toml --param k=0..1 --target 0.5 --paths 4000"
    );
    assert_eq!(
        shrink("simulate x.toml --paths 1_000"),
        "simulate x.toml --paths 1_000"
    );
    assert_eq!(
        shrink("curl -sG 127.0.0.1:8080/api/run -d paths=20000"),
        "curl -sG 127.0.0.1:8080/api/run -d paths=4000"
    );
    let serve = serve_in_background("scenarios/openai.toml --port 8081 &   # then open it");
    assert!(serve.starts_with("simulate serve scenarios/openai.toml --port 0 2>serve.log &\n"));
    assert!(serve.contains("trap 'kill -INT $server; wait $server' EXIT"));
    assert!(exemption("simulate FILE [--paths N]").is_some());
    assert!(exemption("simulate scenarios/openai.toml").is_none());
    let joined = join_continuations(&["a \\".into(), "    b".into(), "c".into()]);
    assert_eq!(joined, ["a b", "c"]);
    assert!(Path::new(&root().join("README.md")).exists());
}
