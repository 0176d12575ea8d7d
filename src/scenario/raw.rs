//! The scenario file as written: serde types that mirror the TOML and check only its syntax
//! and types. Unknown keys are errors. Meaning (ranges, shares, which parameters a
//! distribution takes) is checked when these are compiled into a [`super::Scenario`].

use std::fmt;

use indexmap::IndexMap;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// Declares a raw table that holds the tables describing one firm (finance, capex,
/// commitments, subscriptions, streams, shocks, costs, thresholds: the top level of a
/// single-firm file, or one `[entities.NAME]`), between fields of its own. Keys keep the order
/// written here, which is the order error messages list them in.
macro_rules! with_firm_tables {
    (
        $(#[$meta:meta])*
        pub struct $name:ident { $($before:tt)* }
        firm tables,
        { $($after:tt)* }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $($before)*
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
            $($after)*
        }
    };
}

with_firm_tables! {
    /// A whole scenario file.
    #[derive(Debug, Clone, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct RawScenario {
        pub scenario: RawMeta,
        #[serde(default)]
        pub run: RawRun,
    }
    firm tables,
    {
        #[serde(default)]
        pub correlations: RawCorrelations,
        /// `[entities.NAME]`: the firms of a network file. A file without them is one firm.
        #[serde(default)]
        pub entities: IndexMap<String, RawEntity>,
        /// `[flows.NAME]`: money moving between entities.
        #[serde(default)]
        pub flows: IndexMap<String, RawFlow>,
    }
}

with_firm_tables! {
    /// `[entities.NAME]`: one firm of a network, with the tables a single-firm file has at its
    /// top level, and its financing limits.
    #[derive(Debug, Clone, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct RawEntity {
        /// A readable name for reports (e.g. `OpenAI`); the key is used otherwise.
        pub label: Option<String>,
    }
    firm tables,
    {
        pub financing: Option<RawFinancing>,
    }
}

/// `[entities.NAME.financing]`: how much outside money the entity can raise over the horizon.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFinancing {
    /// Total outside equity it can raise.
    pub equity_capacity: Option<RawParam>,
    /// Total outside debt it can borrow.
    pub debt_capacity: Option<RawParam>,
    /// Yearly interest on drawn debt.
    pub debt_rate: Option<RawParam>,
    /// A government backstop, drawn after equity and debt, at no interest.
    pub backstop: Option<RawParam>,
    pub source: Option<String>,
}

/// `[flows.NAME]`: money from one entity to another.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFlow {
    pub from: String,
    pub to: String,
    /// `equity`, `purchase` or `loan`.
    pub kind: String,
    /// For a purchase: `opex` (services, compute rental) or `capex` (chips, buildings).
    #[serde(rename = "as")]
    pub booked_as: Option<String>,
    /// For equity: the ownership share it buys, reported only.
    pub stake: Option<f64>,
    /// For a loan: the yearly interest rate.
    pub rate: Option<RawParam>,
    /// For a loan: whole years from each disbursement to its repayment.
    pub term: Option<RawParam>,
    /// For a purchase booked as capex: the payer's depreciation life, when the payer has no
    /// `[capex]` to take it from.
    pub life_years: Option<RawParam>,
    /// A schedule: the total paid, spread over `years` from `start_year` by `profile`.
    pub total: Option<RawParam>,
    pub start_year: Option<i32>,
    pub years: Option<RawParam>,
    pub profile: Option<String>,
    pub weights: Option<Vec<f64>>,
    /// Or each year a share of another entity's metric (`of = "oracle.capex"`).
    pub share: Option<RawParam>,
    pub of: Option<String>,
    /// Or tranches released against the receiver's progress.
    pub tranche: Option<RawTranche>,
    pub source: Option<String>,
}

/// `tranche = { per = 5e10, of = "openai.capex", amount = 1e10, cap = 1e11 }`: `amount` is
/// paid for every whole `per` units of the receiver's cumulative metric, up to `cap` in all.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTranche {
    pub per: RawParam,
    pub of: String,
    pub amount: RawParam,
    pub cap: Option<RawParam>,
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
