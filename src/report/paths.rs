//! Per-path export (`--paths-out`): one CSV row per path, written as the paths are visited,
//! so the file is streamed and never held in memory.
//!
//! Columns: `path` (the path's index in the run), then each uncertain input's drawn value
//! (named by its key path), then for each threshold `met_NAME` (1 or 0), `break_even_year`
//! and `payback_year` (empty when not within the horizon), `funding_gap`, `npv`, and each
//! chosen metric by year (`revenue_2030`). Numbers are written in their shortest exact form,
//! so a reader gets the simulator's values bit for bit. Rows come in path order, and path `i`
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

/// Writes paths as CSV rows.
pub struct PathsCsv<W: Write> {
    writer: csv::Writer<W>,
    /// Indices of the uncertain inputs, in the scenario's order.
    inputs: Vec<usize>,
    metrics: Vec<Metric>,
    row: Vec<String>,
}

impl<W: Write> PathsCsv<W> {
    /// A writer of `scenario`'s paths with `metrics` by year; writes the header.
    pub fn new(out: W, scenario: &Scenario, metrics: &[Metric]) -> csv::Result<PathsCsv<W>> {
        let inputs: Vec<usize> = (0..scenario.inputs.len())
            .filter(|&i| !scenario.inputs[i].dist.is_fixed())
            .collect();
        let mut header = vec!["path".to_string()];
        header.extend(inputs.iter().map(|&i| scenario.inputs[i].key.clone()));
        header.extend(
            scenario
                .thresholds
                .iter()
                .map(|t| format!("met_{}", t.name)),
        );
        header.extend(["break_even_year", "payback_year", "funding_gap", "npv"].map(String::from));
        for m in metrics {
            for y in 0..scenario.years() {
                header.push(format!("{}_{}", m.name(), scenario.year(y)));
            }
        }
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(&header)?;
        Ok(PathsCsv {
            writer,
            inputs,
            metrics: metrics.to_vec(),
            row: Vec::with_capacity(header.len()),
        })
    }

    /// Writes one path of `scenario`.
    pub fn write(&mut self, scenario: &Scenario, path: &PathView) -> csv::Result<()> {
        let t = path.trajectory;
        let year = |y: Option<usize>| y.map_or(String::new(), |y| scenario.year(y).to_string());
        self.row.clear();
        self.row.push(path.index.to_string());
        self.row
            .extend(self.inputs.iter().map(|&i| path.inputs[i].to_string()));
        self.row.extend(scenario.thresholds.iter().map(|th| {
            if th.is_met(t, scenario.start_year) {
                "1".to_string()
            } else {
                "0".to_string()
            }
        }));
        self.row.push(year(t.break_even));
        self.row.push(year(t.payback));
        self.row.push(t.funding_gap.to_string());
        self.row.push(t.npv.to_string());
        for &m in &self.metrics {
            self.row.extend(t.series(m).iter().map(|x| x.to_string()));
        }
        self.writer.write_record(&self.row)
    }

    /// Flushes the rows and returns the destination.
    pub fn finish(self) -> Result<W, std::io::Error> {
        self.writer
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))
    }
}
