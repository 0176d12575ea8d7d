//! The unit a number is measured in, carried with it from the model and the analyses to the
//! exporters, which format every number through one function (`report::format::value`).

use serde::{Deserialize, Serialize};

/// What a number counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Unit {
    /// US dollars.
    #[serde(rename = "USD")]
    Usd,
    /// A count of people (users, subscribers).
    #[serde(rename = "people")]
    People,
    /// A probability, between 0 and 1.
    #[serde(rename = "probability")]
    Probability,
    /// A share of a whole, between 0 and 1 (a margin, a conversion rate).
    #[serde(rename = "share")]
    Share,
}

impl Unit {
    /// The name outputs use: `USD`, `people`, `probability`, `share`.
    pub fn name(self) -> &'static str {
        match self {
            Unit::Usd => "USD",
            Unit::People => "people",
            Unit::Probability => "probability",
            Unit::Share => "share",
        }
    }

    /// Whether numbers in this unit are fractions of one, shown as percentages.
    pub fn is_fraction(self) -> bool {
        matches!(self, Unit::Probability | Unit::Share)
    }
}
