//! What the report's charts mark, read from the HTML: the sweep's base case at the value the
//! scenario gives the input (the median of growth_fade's uniform(0.2, 0.35) is 0.275), the
//! heatmap's base-case cell, the tornado's readable labels, and the rank correlations, which
//! `simulate check` lists too.

use assert_cmd::Command;

fn simulate() -> Command {
    let mut c = Command::cargo_bin("simulate").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

#[test]
fn the_report_marks_base_cases_labels_inputs_and_lists_correlations() {
    let out = simulate()
        .args(["report", "scenarios/openai.toml", "--paths", "2000"])
        .args(["--analysis-paths", "300"])
        .args(["--curve", "streams.api.growth_fade=0.2..0.35:4"])
        .args(["--grid", "streams.api.growth_fade=0.2..0.35:4"])
        .args(["--grid", "capex.partner_share=0.35..0.65:3"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = String::from_utf8_lossy(&out.stdout);
    assert!(html.contains("base case: streams.api.growth_fade = 0.275"));
    // The heatmap's outlined cell: an orange stroke, no fill.
    assert!(html.contains("stroke=\"#E67814\"") || html.contains("stroke=\"#e67814\""));
    // Tornado rows read as words, not key paths.
    assert!(html.contains("Build-out: partner share") || html.contains("api stream: growth"));
    let correlations = &html[html
        .find("id=\"correlations\"")
        .expect("a correlations table")..];
    for key in ["subscriptions.conversion", "streams.api.growth"] {
        let row = correlations
            .lines()
            .find(|l| l.contains(&format!("<code>{key}</code>")) && l.contains("+0."))
            .unwrap_or_else(|| panic!("no correlation row for {key}"));
        assert!(row.contains("subscriptions.user_growth"), "{row}");
    }
}

#[test]
fn check_lists_the_rank_correlations() {
    let out = simulate()
        .args(["check", "scenarios/openai.toml"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Rank correlations"), "{text}");
    assert!(text.contains("subscriptions.user_growth ~ streams.api.growth"));
    assert!(text.contains("rho +0.50"));
    assert!(text.contains("rho +0.40"));
}
