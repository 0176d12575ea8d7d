//! Per-path export (`--paths-out`): one CSV row per path, written as the paths are visited,
//! so the file is streamed and never held in memory.
//!
//! Columns: `path` (the path's index in the run), then each uncertain input's drawn value
//! (named by its key path), then for each threshold `met_NAME` (1 or 0), `break_even_year`
//! and `payback_year` (empty when not within the horizon), `funding_gap`, `npv`, and each
//! chosen metric by year (`revenue_2030`). Numbers are written in their shortest exact form,
//! so a reader gets the simulator's values bit for bit. [`PathColumns`] defines the columns
//! and their values for the CSV and for the Python package alike. Rows come in path order, and path `i`
//! is path `i` of the run with the same seed and sampler, whatever the number of threads.

use std::io::Write;

use crate::model::Metric;
use crate::scenario::Scenario;
use crate::simulation::PathView;

/// The metrics exported by year unless the user chooses.
pub const DEFAULT_METRICS: [Metric; 4] = [
    Metric::Revenue,
    Metric::Ebit,
    Metric::FreeCashFlow,
    Metric::Cash,
];

/// The columns of the per-path export, shared by the CSV writer and the Python package
/// (`be.paths`), so that both carry the same names in the same order and the same values.
#[derive(Debug, Clone)]
pub struct PathColumns {
    /// Indices of the uncertain inputs, in the scenario's order.
    inputs: Vec<usize>,
    metrics: Vec<Metric>,
}

impl PathColumns {
    /// The columns of `scenario`'s paths with `metrics` by year.
    pub fn new(scenario: &Scenario, metrics: &[Metric]) -> PathColumns {
        PathColumns {
            inputs: (0..scenario.inputs.len())
                .filter(|&i| !scenario.inputs[i].dist.is_fixed())
                .collect(),
            metrics: metrics.to_vec(),
        }
    }

    /// The column names, in order.
    pub fn names(&self, scenario: &Scenario) -> Vec<String> {
        let mut names = vec!["path".to_string()];
        names.extend(self.inputs.iter().map(|&i| scenario.inputs[i].key.clone()));
        names.extend(
            scenario
                .thresholds
                .iter()
                .map(|t| format!("met_{}", t.name)),
        );
        names.extend(["break_even_year", "payback_year", "funding_gap", "npv"].map(String::from));
        for m in &self.metrics {
            for y in 0..scenario.years() {
                names.push(format!("{}_{}", m.name(), scenario.year(y)));
            }
        }
        names
    }

    /// Appends one path's values to `out`, in the order of [`PathColumns::names`]: the path
    /// index, the inputs, 1 or 0 per threshold, the break-even and payback calendar years (NaN
    /// when not within the horizon), the funding gap, the NPV and the metrics by year.
    pub fn values(&self, scenario: &Scenario, path: &PathView, out: &mut Vec<f64>) {
        let t = path.trajectory;
        let year = |y: Option<usize>| y.map_or(f64::NAN, |y| f64::from(scenario.year(y)));
        out.push(path.index as f64);
        out.extend(self.inputs.iter().map(|&i| path.inputs[i]));
        out.extend(
            scenario
                .thresholds
                .iter()
                .map(|th| f64::from(u8::from(th.is_met(t, scenario.start_year)))),
        );
        out.extend([year(t.break_even), year(t.payback), t.funding_gap, t.npv]);
        for &m in &self.metrics {
            out.extend_from_slice(t.series(m));
        }
    }
}

/// Writes paths as CSV rows.
pub struct PathsCsv<W: Write> {
    writer: csv::Writer<W>,
    columns: PathColumns,
    values: Vec<f64>,
    row: Vec<String>,
}

impl<W: Write> PathsCsv<W> {
    /// A writer of `scenario`'s paths with `metrics` by year; writes the header.
    pub fn new(out: W, scenario: &Scenario, metrics: &[Metric]) -> csv::Result<PathsCsv<W>> {
        let columns = PathColumns::new(scenario, metrics);
        let header = columns.names(scenario);
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(&header)?;
        Ok(PathsCsv {
            writer,
            columns,
            values: Vec::with_capacity(header.len()),
            row: Vec::with_capacity(header.len()),
        })
    }

    /// Writes one path of `scenario`; a year not within the horizon is left empty.
    pub fn write(&mut self, scenario: &Scenario, path: &PathView) -> csv::Result<()> {
        self.values.clear();
        self.columns.values(scenario, path, &mut self.values);
        self.row.clear();
        self.row.extend(self.values.iter().map(|x| {
            if x.is_nan() {
                String::new()
            } else {
                x.to_string()
            }
        }));
        self.writer.write_record(&self.row)
    }

    /// Flushes the rows and returns the destination.
    pub fn finish(self) -> Result<W, std::io::Error> {
        self.writer
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))
    }
}
