//! The page's controls: every uncertain input, ranked by how much it moves operating
//! break-even (the tornado of [`crate::analysis::sensitivity`]), each with the range its
//! slider spans (the input's own 5th to 95th percentile). The page shows the first few and
//! offers the rest.

use serde::Serialize;

use crate::analysis::sensitivity::{self, Output};
use crate::analysis::{AnalysisError, Event};
use crate::engine::{NoProgress, Plan};
use crate::scenario::Scenario;

/// The lowest and highest percentile a slider reaches.
pub const SLIDER_RANGE: (f64, f64) = (0.05, 0.95);

/// One control of the page.
#[derive(Debug, Clone, Serialize)]
pub struct Control {
    /// The input's key path, as `set=` takes it.
    pub key: String,
    /// Its distribution in the scenario.
    pub distribution: String,
    pub source: Option<String>,
    /// The slider's ends: the input's 5th and 95th percentiles.
    pub low: f64,
    pub high: f64,
    /// The input's median, where a slider starts.
    pub median: f64,
    /// Whether the input only takes whole values (the slider steps by one).
    pub whole: bool,
    /// The tornado swing of P(operating break-even) between the input's P10 and P90.
    pub swing: f64,
}

/// The uncertain inputs of `scenario`, largest tornado swing of operating break-even first,
/// estimated with `plan` on the current rayon pool.
pub fn rank(scenario: &Scenario, plan: &Plan) -> Result<Vec<Control>, AnalysisError> {
    let tornado = sensitivity::analyse(
        scenario,
        Output::Probability(Event::Firm(crate::summary::Event::BreakEven)),
        plan,
        &NoProgress,
    )?;
    Ok(tornado
        .inputs
        .iter()
        .filter_map(|effect| {
            let input = &scenario.inputs[scenario.input_index(&effect.key)?];
            let (low, high) = SLIDER_RANGE;
            Some(Control {
                key: effect.key.clone(),
                distribution: effect.distribution.clone(),
                source: effect.source.clone(),
                low: input.dist.quantile(low),
                high: input.dist.quantile(high),
                median: input.dist.quantile(0.5),
                whole: input.dist.is_integer_valued(),
                swing: effect.swing,
            })
        })
        .collect())
}
