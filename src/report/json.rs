//! JSON: a result serialised with serde, pretty-printed, keys in a fixed order. A run's
//! top-level keys: `simulator`, `scenario`, `seed`, `paths`, `partial`, `paths_requested`,
//! `sampler`, `quantile_relative_error`, `thresholds` (objects with `name`, `label`,
//! `probability`, `ci95`, `paths`, `source`), `break_even`, `metrics`, `inputs`.

use serde::Serialize;

/// A result as pretty JSON, ending in a newline.
pub fn render<T: Serialize + ?Sized>(result: &T) -> String {
    let mut s = serde_json::to_string_pretty(result).expect("a result always serialises");
    s.push('\n');
    s
}
