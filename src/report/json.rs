//! The JSON document: the [`Report`] serialised with serde, pretty-printed, keys in a fixed
//! order. Top-level keys: `simulator`, `scenario`, `seed`, `paths`, `partial`,
//! `paths_requested`, `sampler`, `quantile_relative_error`, `thresholds` (objects with `name`,
//! `label`, `probability`, `ci95`, `paths`, `source`), `break_even`, `metrics`, `inputs`.

use super::Report;

/// The report as pretty JSON, ending in a newline.
pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("a report always serialises");
    s.push('\n');
    s
}
