//! The scenario file as written: serde types that mirror the TOML and check only its syntax
//! and types. Unknown keys are errors. Meaning (ranges, shares, which parameters a
//! distribution takes) is checked when these are compiled into a [`super::Scenario`].

use std::fmt;

use indexmap::IndexMap;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// A whole scenario file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub scenario: RawMeta,
    #[serde(default)]
    pub run: RawRun,
    #[serde(default)]
    pub finance: RawFinance,
    pub capex: Option<RawCapex>,
    #[serde(default)]
    pub commitments: IndexMap<String, RawCommitment>,
    pub subscriptions: Option<RawSubscriptions>,
    #[serde(default)]
    pub streams: IndexMap<String, RawStream>,
    #[serde(default)]
    pub shocks: IndexMap<String, RawShock>,
    #[serde(default)]
    pub costs: RawCosts,
    #[serde(default)]
    pub thresholds: IndexMap<String, RawThreshold>,
    #[serde(default)]
    pub correlations: RawCorrelations,
}

/// `[scenario]`: what the file is and the years it covers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub start_year: i32,
    /// The last simulated year.
    pub horizon: i32,
    /// What the scenario models (e.g. `openai`): `simulate calibrate` compares it with the
    /// figures of the same subject.
    pub subject: Option<String>,
}

/// `[run]`: defaults for the command line.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRun {
    pub paths: Option<u64>,
    pub seed: Option<u64>,
}

/// `[finance]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFinance {
    pub starting_cash: Option<RawParam>,
    pub discount_rate: Option<RawParam>,
    pub hurdle_rate: Option<RawParam>,
}

/// `[capex]`: the build-out programme.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCapex {
    pub total: RawParam,
    pub start_year: Option<i32>,
    pub years: Option<RawParam>,
    pub profile: Option<String>,
    pub weights: Option<Vec<f64>>,
    pub partner_share: Option<RawParam>,
    pub gpu_share: Option<RawParam>,
    pub gpu_life_years: Option<RawParam>,
    pub facility_life_years: Option<RawParam>,
    pub refresh: Option<bool>,
    pub gpu_cost_decline: Option<RawParam>,
    pub partner_margin: Option<RawParam>,
    pub ops_share: Option<RawParam>,
}

/// `[commitments.NAME]`: a fixed contract.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCommitment {
    pub total: RawParam,
    pub start_year: i32,
    pub years: u32,
    pub source: Option<String>,
}

/// `[subscriptions]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSubscriptions {
    pub users: RawParam,
    pub user_ceiling: RawParam,
    pub user_growth: RawParam,
    pub user_volatility: Option<RawParam>,
    pub paying_share: RawParam,
    pub conversion: RawParam,
    pub churn: RawParam,
    pub price: RawParam,
    pub price_growth: Option<RawParam>,
    pub price_elasticity: Option<RawParam>,
}

/// `[streams.NAME]`: a generic growth stream.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStream {
    pub revenue: RawParam,
    pub start_year: Option<i32>,
    pub growth: RawParam,
    pub terminal_growth: Option<RawParam>,
    pub growth_fade: Option<RawParam>,
    pub volatility: Option<RawParam>,
}

/// `[shocks.NAME]`: a competitive price shock.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawShock {
    pub probability: RawParam,
    pub price_factor: RawParam,
    pub exposure: Option<RawParam>,
    pub streams: Vec<String>,
    pub start_year: Option<i32>,
    pub source: Option<String>,
}

/// `[costs]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCosts {
    pub cost_of_revenue_share: Option<RawParam>,
    pub cost_of_revenue_share_long_run: Option<RawParam>,
    pub cost_of_revenue_speed: Option<RawParam>,
    pub rnd: Option<RawParam>,
    pub rnd_growth: Option<RawParam>,
    pub sga_share: Option<RawParam>,
}

/// `[thresholds.NAME]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawThreshold {
    pub label: Option<String>,
    pub metric: String,
    pub year: Option<i32>,
    pub by: Option<i32>,
    pub op: String,
    pub value: Option<f64>,
    pub times: Option<f64>,
    pub of: Option<String>,
    pub source: Option<String>,
}

/// `[correlations]`: rank correlations between uncertain inputs.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCorrelations {
    #[serde(default)]
    pub pairs: Vec<RawPair>,
}

/// One entry of `correlations.pairs`: `{ a = "key.path", b = "key.path", rho = 0.4 }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPair {
    pub a: String,
    pub b: String,
    /// Spearman rank correlation.
    pub rho: f64,
    pub source: Option<String>,
}

/// A numeric input: a plain number or a distribution table.
#[derive(Debug, Clone, PartialEq)]
pub enum RawParam {
    Number(f64),
    Dist(Box<RawDist>),
}

/// A distribution table, e.g. `{ dist = "pert", min = 0.35, mode = 0.5, max = 0.65 }`.
/// Which fields a family takes is checked at compile time.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDist {
    pub dist: Option<String>,
    pub value: Option<f64>,
    pub min: Option<f64>,
    pub mode: Option<f64>,
    pub max: Option<f64>,
    pub shape: Option<f64>,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub mu: Option<f64>,
    pub sigma: Option<f64>,
    pub ci90: Option<Vec<f64>>,
    pub alpha: Option<f64>,
    pub beta: Option<f64>,
    pub values: Option<Vec<f64>>,
    pub weights: Option<Vec<f64>>,
    pub truncate: Option<Vec<f64>>,
    pub source: Option<String>,
}

impl<'de> Deserialize<'de> for RawParam {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<RawParam, D::Error> {
        struct ParamVisitor;

        impl<'de> Visitor<'de> for ParamVisitor {
            type Value = RawParam;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a number or a distribution table such as { dist = \"uniform\", min = 1, max = 2 }",
                )
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawParam, E> {
                Ok(RawParam::Number(v))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawParam, E> {
                Ok(RawParam::Number(v as f64))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawParam, E> {
                Ok(RawParam::Number(v as f64))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawParam, A::Error> {
                RawDist::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|d| RawParam::Dist(Box::new(d)))
            }
        }

        deserializer.deserialize_any(ParamVisitor)
    }
}
