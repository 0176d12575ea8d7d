//! The key paths a scenario file may hold, read from the [`raw`](super::raw) serde types
//! themselves so that the list cannot drift from what the parser accepts.
//!
//! A derived `Deserialize` for a struct hands its field names to
//! [`Deserializer::deserialize_struct`]; [`fields_of`] runs it against a deserializer that
//! records that list and stops. The schema is then: the top-level tables of
//! [`RawScenario`], the fields of each table, the fields of each named entry of the named
//! tables (`streams.NAME`, ...), and the parameters of a distribution table. An entity of a
//! network file (`entities.NAME`) holds the same firm tables again under its own prefix.
//!
//! [`SPECS`] adds what the types cannot say about a single-firm file: each key's unit, allowed
//! values ([`Domain`]) and default. The template `simulate init` writes is generated from it;
//! tests check that it lists exactly the fields the parser accepts, and that every default and
//! allowed range it states is the one validation applies, so the two cannot drift apart.

use serde::de::{self, Deserialize, Deserializer, Visitor};

pub use super::compile::Domain;
use toml::{Table, Value};

use super::raw::{
    RawCapex, RawCommitment, RawCorrelations, RawCosts, RawDist, RawEntity, RawFinance,
    RawFinancing, RawFlow, RawMeta, RawRun, RawScenario, RawShock, RawStream, RawSubscriptions,
    RawThreshold, RawTranche,
};

/// The field names of a struct with a derived `Deserialize`, in declaration order.
pub fn fields_of<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    let mut fields: &'static [&'static str] = &[];
    // The probe always stops with an error once it has the list; nothing is deserialized.
    let _ = T::deserialize(FieldProbe {
        fields: &mut fields,
    });
    fields
}

/// A deserializer that records the field list of the struct asked of it.
struct FieldProbe<'a> {
    fields: &'a mut &'static [&'static str],
}

#[derive(Debug)]
struct Stop;

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("field names recorded")
    }
}

impl std::error::Error for Stop {}

impl de::Error for Stop {
    fn custom<M: std::fmt::Display>(_: M) -> Stop {
        Stop
    }
}

impl<'de> Deserializer<'de> for FieldProbe<'_> {
    type Error = Stop;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Stop> {
        *self.fields = fields;
        Err(Stop)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// What a top-level table of the file holds.
enum Section {
    /// A table with fixed fields, e.g. `[capex]`.
    Fixed(&'static [&'static str]),
    /// A table of named entries with fixed fields, e.g. `[streams.NAME]`.
    Named(&'static [&'static str]),
}

/// The layout of a top-level table, `None` for a name that is not one.
fn section(name: &str) -> Option<Section> {
    Some(match name {
        "scenario" => Section::Fixed(fields_of::<RawMeta>()),
        "run" => Section::Fixed(fields_of::<RawRun>()),
        "finance" => Section::Fixed(fields_of::<RawFinance>()),
        "capex" => Section::Fixed(fields_of::<RawCapex>()),
        "subscriptions" => Section::Fixed(fields_of::<RawSubscriptions>()),
        "costs" => Section::Fixed(fields_of::<RawCosts>()),
        "commitments" => Section::Named(fields_of::<RawCommitment>()),
        "streams" => Section::Named(fields_of::<RawStream>()),
        "shocks" => Section::Named(fields_of::<RawShock>()),
        "thresholds" => Section::Named(fields_of::<RawThreshold>()),
        "correlations" => Section::Fixed(fields_of::<RawCorrelations>()),
        "flows" => Section::Named(fields_of::<RawFlow>()),
        "financing" => Section::Fixed(fields_of::<RawFinancing>()),
        "tranche" => Section::Fixed(fields_of::<RawTranche>()),
        _ => return None,
    })
}

/// Every key path the schema allows in `document`: each table and field, for the named
/// tables each entry the document has, and the distribution parameters of every input the
/// document writes as a table.
pub fn valid_keys(document: &Table) -> Vec<String> {
    let mut keys = Vec::new();
    tables_under(&mut keys, "", fields_of::<RawScenario>(), document);
    if let Some(Value::Table(entities)) = document.get("entities") {
        for (name, entity) in entities {
            let prefix = format!("entities.{name}");
            if let Value::Table(entity) = entity {
                tables_under(
                    &mut keys,
                    &format!("{prefix}."),
                    fields_of::<RawEntity>(),
                    entity,
                );
            }
            keys.push(prefix);
        }
    }
    // A flow's tranche is a table of fixed fields inside a named entry.
    if let Some(Value::Table(flows)) = document.get("flows") {
        for (name, flow) in flows {
            let tranche = flow.get("tranche");
            fields_under(
                &mut keys,
                &format!("flows.{name}.tranche"),
                fields_of::<RawTranche>(),
                tranche,
            );
        }
    }
    keys
}

/// The keys of a field list, with the distribution parameters of every field the document
/// writes as a table.
fn fields_under(keys: &mut Vec<String>, prefix: &str, fields: &[&str], present: Option<&Value>) {
    for field in fields {
        let path = format!("{prefix}.{field}");
        if let Some(Value::Table(_)) = present.and_then(|t| t.get(field)) {
            keys.extend(fields_of::<RawDist>().iter().map(|d| format!("{path}.{d}")));
        }
        keys.push(path);
    }
}

/// The keys of every table of `tables` at `prefix` (empty or `entities.NAME.`).
fn tables_under(keys: &mut Vec<String>, prefix: &str, tables: &[&str], document: &Table) {
    for &name in tables {
        let present = document.get(name);
        let path = format!("{prefix}{name}");
        match section(name) {
            Some(Section::Fixed(fields)) => fields_under(keys, &path, fields, present),
            Some(Section::Named(fields)) => {
                if let Some(Value::Table(entries)) = present {
                    for (entry, value) in entries {
                        let entry_path = format!("{path}.{entry}");
                        fields_under(keys, &entry_path, fields, Some(value));
                        keys.push(entry_path);
                    }
                }
            }
            None => {}
        }
        keys.push(path);
    }
}

/// Whether the schema allows `key` in `document`: a path from [`valid_keys`], or a new
/// entry of a named table (`streams.video`).
pub fn allows(document: &Table, key: &str) -> bool {
    let segments: Vec<&str> = key.split('.').collect();
    let new_entry = match segments.as_slice() {
        [table, _entry] => matches!(section(table), Some(Section::Named(_))),
        // A new entry of a named table of an existing entity: entities.NAME.streams.video.
        ["entities", entity, table, _entry] => {
            matches!(document.get("entities"), Some(Value::Table(t)) if t.contains_key(*entity))
                && fields_of::<RawEntity>().contains(table)
                && matches!(section(table), Some(Section::Named(_)))
        }
        _ => false,
    };
    new_entry || valid_keys(document).iter().any(|k| k == key)
}

/// What a key's value measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// US dollars, an amount.
    Usd,
    /// US dollars a year.
    UsdPerYear,
    /// US dollars per paying user per year.
    UsdPerUserPerYear,
    People,
    /// A share or probability, 0 to 1.
    Share,
    /// A yearly rate: 0.3 is +30% a year.
    RatePerYear,
    /// A log-sd or an elasticity, with no unit.
    Number,
    /// A threshold's number, in the unit of the metric it tests.
    MetricUnit,
    /// A threshold's multiple of another metric.
    Multiple,
    Years,
    CalendarYear,
    /// A count of paths, or a seed.
    Count,
    Text,
    Flag,
    List,
}

impl Unit {
    /// The unit in words.
    pub fn name(self) -> &'static str {
        match self {
            Unit::Usd => "USD",
            Unit::UsdPerYear => "USD a year",
            Unit::UsdPerUserPerYear => "USD per paying user per year",
            Unit::People => "people",
            Unit::Share => "share (0.3 = 30%)",
            Unit::RatePerYear => "rate per year (0.3 = +30% a year)",
            Unit::Number => "number",
            Unit::MetricUnit => "the metric's unit",
            Unit::Multiple => "multiple",
            Unit::Years => "years",
            Unit::CalendarYear => "calendar year",
            Unit::Count => "whole number",
            Unit::Text => "text",
            Unit::Flag => "true or false",
            Unit::List => "list",
        }
    }

    /// Whether a key of this unit holds a number or a distribution (an input of the model).
    pub fn is_input(self) -> bool {
        matches!(
            self,
            Unit::Usd
                | Unit::UsdPerYear
                | Unit::UsdPerUserPerYear
                | Unit::People
                | Unit::Share
                | Unit::RatePerYear
                | Unit::Number
                | Unit::Years
        )
    }
}

/// What an omitted key means.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Omitted {
    /// The key must be given.
    Required,
    /// This number (a fixed input listed with the source `default`).
    Value(f64),
    /// The same draw as another key of the same table (e.g. `terminal_growth` = `growth`).
    SameAs(&'static str),
    /// Described in words (`the scenario's start year`).
    Described(&'static str),
    /// Optional, with no value when omitted.
    Absent,
}

/// Everything the schema says about one key: what validation applies and what the template
/// (`simulate init`) writes.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// The key path; `NAME` stands for an entry of a named table (`streams.NAME.growth`).
    pub path: &'static str,
    pub unit: Unit,
    /// The values allowed (inputs only; `Any` elsewhere, where the parser checks the type).
    pub domain: Domain,
    pub default: Omitted,
    /// The value the template writes: a TOML value, or for an input the inside of its table
    /// (`value = 0.5` or `dist = "pert", min = 0.3, mode = 0.5, max = 0.7`).
    pub example: &'static str,
    /// What the key is, in one line.
    pub doc: &'static str,
}

const fn spec(
    path: &'static str,
    unit: Unit,
    domain: Domain,
    default: Omitted,
    example: &'static str,
    doc: &'static str,
) -> Spec {
    Spec {
        path,
        unit,
        domain,
        default,
        example,
        doc,
    }
}

use Domain::{Any, Life, NonNegative, Positive, Rate, Share, WholeYears};
use Omitted::{Absent, Described, Required, SameAs};

/// Every key of a single-firm scenario file, table by table in the order of the raw types,
/// with its unit, allowed values and default, as validation applies them (tested: the
/// defaults against what an omitted key compiles to, the allowed values against what is
/// refused), so the template cannot say one thing while validation does another.
pub const SPECS: &[Spec] = &[
    spec(
        "scenario.name",
        Unit::Text,
        Any,
        Required,
        "\"My build-out\"",
        "a short name, shown in reports",
    ),
    spec(
        "scenario.description",
        Unit::Text,
        Any,
        Described("empty"),
        "\"What question the scenario answers, and for whom.\"",
        "one or two sentences",
    ),
    spec(
        "scenario.start_year",
        Unit::CalendarYear,
        Any,
        Required,
        "2025",
        "the first simulated year (1900 to 2500)",
    ),
    spec(
        "scenario.horizon",
        Unit::CalendarYear,
        Any,
        Required,
        "2035",
        "the last simulated year, at most 199 years after the start",
    ),
    spec(
        "scenario.subject",
        Unit::Text,
        Any,
        Absent,
        "\"openai\"",
        "whose figures in seeds/figures.toml `simulate calibrate` compares it with",
    ),
    spec(
        "run.paths",
        Unit::Count,
        Any,
        Omitted::Value(100_000.0),
        "100000",
        "Monte Carlo paths when the command line does not say",
    ),
    spec(
        "run.seed",
        Unit::Count,
        Any,
        Omitted::Value(20_251_123.0),
        "20251123",
        "random seed when the command line does not say",
    ),
    spec(
        "finance.starting_cash",
        Unit::Usd,
        Any,
        Omitted::Value(0.0),
        "value = 10e9",
        "cash at the start of the first year",
    ),
    spec(
        "finance.discount_rate",
        Unit::RatePerYear,
        Rate,
        Omitted::Value(0.08),
        "value = 0.08",
        "the rate the NPV of free cash flow is discounted at",
    ),
    spec(
        "finance.hurdle_rate",
        Unit::RatePerYear,
        Rate,
        SameAs("discount_rate"),
        "value = 0.1",
        "the return on own capital that required_revenue_for_return earns",
    ),
    spec(
        "capex.total",
        Unit::Usd,
        NonNegative,
        Required,
        "dist = \"triangular\", min = 0.8e12, mode = 1.0e12, max = 1.3e12",
        "the build-out programme's total spending, own and partner",
    ),
    spec(
        "capex.start_year",
        Unit::CalendarYear,
        Any,
        Described("the scenario's start year"),
        "2026",
        "the programme's first year",
    ),
    spec(
        "capex.years",
        Unit::Years,
        WholeYears,
        Required,
        "dist = \"discrete\", values = [5, 6], weights = [0.5, 0.5]",
        "the programme's length (not with profile = \"custom\", which takes it from weights)",
    ),
    spec(
        "capex.profile",
        Unit::Text,
        Any,
        Described("\"flat\""),
        "\"flat\"",
        "how the total is spread over the years: \"flat\", \"ramp\" (1, 2, ..., n) or \"custom\"",
    ),
    spec(
        "capex.weights",
        Unit::List,
        Any,
        Absent,
        "[1, 2, 3, 2, 1]",
        "with profile = \"custom\" only: the weight of each year, normalised",
    ),
    spec(
        "capex.partner_share",
        Unit::Share,
        Share,
        Omitted::Value(0.0),
        "dist = \"pert\", min = 0.3, mode = 0.5, max = 0.6",
        "the share built and owned by partners and charged back as rent",
    ),
    spec(
        "capex.gpu_share",
        Unit::Share,
        Share,
        Omitted::Value(1.0),
        "value = 0.6",
        "the share spent on GPUs and servers (the rest is facilities)",
    ),
    spec(
        "capex.gpu_life_years",
        Unit::Years,
        Life,
        Required,
        "dist = \"uniform\", min = 3.0, max = 5.0",
        "the GPUs' and servers' depreciation life",
    ),
    spec(
        "capex.facility_life_years",
        Unit::Years,
        Life,
        Omitted::Value(20.0),
        "value = 20.0",
        "the facilities' depreciation life",
    ),
    spec(
        "capex.refresh",
        Unit::Flag,
        Any,
        Described("true"),
        "true",
        "whether assets are bought again at the end of their life",
    ),
    spec(
        "capex.gpu_cost_decline",
        Unit::Share,
        Share,
        Omitted::Value(0.0),
        "value = 0.1",
        "the yearly fall in the cost of replacing GPUs",
    ),
    spec(
        "capex.partner_margin",
        Unit::Share,
        NonNegative,
        Omitted::Value(0.0),
        "value = 0.15",
        "the partners' markup on their depreciation and operations",
    ),
    spec(
        "capex.ops_share",
        Unit::Share,
        NonNegative,
        Omitted::Value(0.0),
        "value = 0.03",
        "power and operations a year, as a share of the original cost of capacity in service",
    ),
    spec(
        "commitments.NAME.total",
        Unit::Usd,
        NonNegative,
        Required,
        "value = 20e9",
        "a fixed contract's total, paid evenly over its years",
    ),
    spec(
        "commitments.NAME.start_year",
        Unit::CalendarYear,
        Any,
        Required,
        "2025",
        "its first year of payments (not before the start)",
    ),
    spec(
        "commitments.NAME.years",
        Unit::Count,
        Any,
        Required,
        "2",
        "its number of yearly payments, at least 1",
    ),
    spec(
        "commitments.NAME.source",
        Unit::Text,
        Any,
        Absent,
        "\"TODO: seed NNN: what it says, or assumption: why\"",
        "where the contract comes from (used when total gives none)",
    ),
    spec(
        "subscriptions.users",
        Unit::People,
        Positive,
        Required,
        "value = 500e6",
        "users (free and paying) in the start year",
    ),
    spec(
        "subscriptions.user_ceiling",
        Unit::People,
        Positive,
        Required,
        "dist = \"uniform\", min = 1.5e9, max = 2.5e9",
        "the level the logistic curve of users approaches",
    ),
    spec(
        "subscriptions.user_growth",
        Unit::RatePerYear,
        NonNegative,
        Required,
        "dist = \"uniform\", min = 0.3, max = 0.6",
        "the logistic growth rate of users",
    ),
    spec(
        "subscriptions.user_volatility",
        Unit::Number,
        NonNegative,
        Omitted::Value(0.0),
        "value = 0.1",
        "the log-sd of a yearly mean-one shock to users",
    ),
    spec(
        "subscriptions.paying_share",
        Unit::Share,
        Share,
        Required,
        "value = 0.05",
        "the share of users paying in the start year",
    ),
    spec(
        "subscriptions.conversion",
        Unit::Share,
        Share,
        Required,
        "dist = \"uniform\", min = 0.02, max = 0.05",
        "the share of free users who start paying each year",
    ),
    spec(
        "subscriptions.churn",
        Unit::Share,
        Share,
        Required,
        "dist = \"uniform\", min = 0.2, max = 0.35",
        "the share of paying users who cancel each year",
    ),
    spec(
        "subscriptions.price",
        Unit::UsdPerUserPerYear,
        NonNegative,
        Required,
        "value = 240.0",
        "the subscription price in the start year",
    ),
    spec(
        "subscriptions.price_growth",
        Unit::RatePerYear,
        Rate,
        Omitted::Value(0.0),
        "value = 0.0",
        "the yearly change of the price",
    ),
    spec(
        "subscriptions.price_elasticity",
        Unit::Number,
        NonNegative,
        Omitted::Value(0.0),
        "value = 0.0",
        "paying users move by (1 + price_growth)^-elasticity each year",
    ),
    spec(
        "streams.NAME.revenue",
        Unit::UsdPerYear,
        NonNegative,
        Required,
        "dist = \"triangular\", min = 2e9, mode = 3e9, max = 4e9",
        "the stream's revenue in its first year",
    ),
    spec(
        "streams.NAME.start_year",
        Unit::CalendarYear,
        Any,
        Described("the scenario's start year"),
        "2025",
        "the stream's first year",
    ),
    spec(
        "streams.NAME.growth",
        Unit::RatePerYear,
        Rate,
        Required,
        "dist = \"pert\", min = 0.4, mode = 0.8, max = 1.2",
        "its growth in its second year, fading toward terminal_growth",
    ),
    spec(
        "streams.NAME.terminal_growth",
        Unit::RatePerYear,
        Rate,
        SameAs("growth"),
        "value = 0.05",
        "the growth it fades toward",
    ),
    spec(
        "streams.NAME.growth_fade",
        Unit::Share,
        Share,
        Omitted::Value(0.0),
        "value = 0.25",
        "the share of the gap to terminal_growth closed each year",
    ),
    spec(
        "streams.NAME.volatility",
        Unit::Number,
        NonNegative,
        Omitted::Value(0.0),
        "value = 0.15",
        "the log-sd of a yearly mean-one shock to its revenue",
    ),
    spec(
        "shocks.NAME.probability",
        Unit::Share,
        Share,
        Required,
        "value = 0.2",
        "its chance in each year from start_year",
    ),
    spec(
        "shocks.NAME.price_factor",
        Unit::Share,
        Share,
        Required,
        "dist = \"uniform\", min = 0.5, max = 0.9",
        "what prices are multiplied by when it hits, for good",
    ),
    spec(
        "shocks.NAME.exposure",
        Unit::Share,
        Share,
        Omitted::Value(1.0),
        "value = 1.0",
        "the share of the affected revenue exposed to the price cut",
    ),
    spec(
        "shocks.NAME.streams",
        Unit::List,
        Any,
        Required,
        "[\"api\"]",
        "the streams it affects, by name, or \"subscriptions\"",
    ),
    spec(
        "shocks.NAME.start_year",
        Unit::CalendarYear,
        Any,
        Described("the year after the start"),
        "2026",
        "the first year it can happen",
    ),
    spec(
        "shocks.NAME.source",
        Unit::Text,
        Any,
        Absent,
        "\"TODO: seed NNN: what it says, or assumption: why\"",
        "where the shock comes from (used when probability gives none)",
    ),
    spec(
        "costs.cost_of_revenue_share",
        Unit::Share,
        Share,
        Omitted::Value(0.0),
        "value = 0.3",
        "serving and other variable costs as a share of revenue, in the start year",
    ),
    spec(
        "costs.cost_of_revenue_share_long_run",
        Unit::Share,
        Share,
        SameAs("cost_of_revenue_share"),
        "value = 0.15",
        "the share it moves toward",
    ),
    spec(
        "costs.cost_of_revenue_speed",
        Unit::Share,
        Share,
        Omitted::Value(0.0),
        "value = 0.2",
        "the share of the gap to the long-run share closed each year",
    ),
    spec(
        "costs.rnd",
        Unit::UsdPerYear,
        NonNegative,
        Omitted::Value(0.0),
        "value = 5e9",
        "R&D and staff in the start year",
    ),
    spec(
        "costs.rnd_growth",
        Unit::RatePerYear,
        Rate,
        Omitted::Value(0.0),
        "value = 0.1",
        "the yearly growth of R&D and staff",
    ),
    spec(
        "costs.sga_share",
        Unit::Share,
        Share,
        Omitted::Value(0.0),
        "value = 0.1",
        "sales, general and administrative costs as a share of revenue",
    ),
    spec(
        "thresholds.NAME.label",
        Unit::Text,
        Any,
        Described("a description made from the test"),
        "\"Operating profit in 2030\"",
        "how reports name the test",
    ),
    spec(
        "thresholds.NAME.metric",
        Unit::Text,
        Any,
        Required,
        "\"ebit\"",
        "a per-year metric (revenue, ebit, cash, ...) or funding_gap, npv, break_even_year, payback_year",
    ),
    spec(
        "thresholds.NAME.year",
        Unit::CalendarYear,
        Any,
        Absent,
        "2030",
        "test the metric in this year (or give by)",
    ),
    spec(
        "thresholds.NAME.by",
        Unit::CalendarYear,
        Any,
        Absent,
        "2030",
        "test it in any year up to this one (instead of year)",
    ),
    spec(
        "thresholds.NAME.op",
        Unit::Text,
        Any,
        Required,
        "\">=\"",
        "the comparison: >=, >, <= or <",
    ),
    spec(
        "thresholds.NAME.value",
        Unit::MetricUnit,
        Any,
        Absent,
        "0.0",
        "the number compared with (or give times and of)",
    ),
    spec(
        "thresholds.NAME.times",
        Unit::Multiple,
        Any,
        Absent,
        "4.0",
        "with of: compare with this multiple of another metric of the same path and year",
    ),
    spec(
        "thresholds.NAME.of",
        Unit::Text,
        Any,
        Absent,
        "\"capex\"",
        "the metric that times multiplies",
    ),
    spec(
        "thresholds.NAME.source",
        Unit::Text,
        Any,
        Absent,
        "\"TODO: seed NNN: what it says, or assumption: why\"",
        "where the test comes from",
    ),
    spec(
        "correlations.pairs",
        Unit::List,
        Any,
        Described("none"),
        "[\n  { a = \"subscriptions.user_growth\", b = \"streams.api.growth\", rho = 0.5, source = \"TODO: assumption: why they move together\" },\n]",
        "Spearman rank correlations between uncertain inputs, one { a, b, rho, source } per pair",
    ),
];

/// The spec of a key path (`streams.api.growth` finds `streams.NAME.growth`).
pub fn spec_of(path: &str) -> Option<&'static Spec> {
    let mut parts: Vec<&str> = path.split('.').collect();
    if parts.len() == 3 && matches!(section(parts[0]), Some(Section::Named(_))) {
        parts[1] = "NAME";
    }
    let pattern = parts.join(".");
    SPECS.iter().find(|s| s.path == pattern)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_top_level_table_has_a_layout() {
        let tables = fields_of::<RawScenario>();
        assert_eq!(tables.len(), 13);
        for name in tables {
            assert!(
                section(name).is_some() || *name == "entities",
                "no layout for [{name}]"
            );
        }
        for name in fields_of::<RawEntity>() {
            assert!(
                section(name).is_some() || *name == "label",
                "no layout for [entities.NAME.{name}]"
            );
        }
    }

    #[test]
    fn field_lists_are_what_the_parser_accepts() {
        // Every listed field parses where it is listed, and a field not listed is refused:
        // checked through serde's own unknown-field error on the real types.
        for (name, fields) in [
            ("capex", fields_of::<RawCapex>()),
            ("costs", fields_of::<RawCosts>()),
            ("finance", fields_of::<RawFinance>()),
        ] {
            for field in fields {
                let text = format!("[{name}]\n{field} = \"x\"\n");
                let err = toml::from_str::<RawScenario>(&text)
                    .unwrap_err()
                    .to_string();
                assert!(!err.contains("unknown field"), "{name}.{field}: {err}");
            }
            let text = format!("[{name}]\nnot_a_field = 1\n");
            let err = toml::from_str::<RawScenario>(&text)
                .unwrap_err()
                .to_string();
            assert!(err.contains("unknown field"), "{err}");
        }
        assert!(fields_of::<RawDist>().contains(&"mode"));
        assert!(fields_of::<RawCapex>().contains(&"ops_share"));
    }

    #[test]
    fn the_specs_list_exactly_the_fields_the_parser_accepts() {
        // The tables of a single-firm file; a network's entities and flows are not templated.
        let mut fields: Vec<String> = Vec::new();
        for &table in fields_of::<RawScenario>() {
            if matches!(table, "entities" | "flows") {
                continue;
            }
            match section(table).unwrap() {
                Section::Fixed(f) => fields.extend(f.iter().map(|f| format!("{table}.{f}"))),
                Section::Named(f) => fields.extend(f.iter().map(|f| format!("{table}.NAME.{f}"))),
            }
        }
        let specs: Vec<String> = SPECS.iter().map(|s| s.path.to_string()).collect();
        assert_eq!(specs, fields);
        for s in SPECS {
            assert!(!s.doc.is_empty() && !s.example.is_empty(), "{}", s.path);
            if s.unit.is_input() {
                assert!(!matches!(s.default, Described(_)), "{}", s.path);
            }
        }
        assert_eq!(
            spec_of("streams.api.growth").unwrap().path,
            "streams.NAME.growth"
        );
        assert_eq!(
            spec_of("capex.ops_share").unwrap().default,
            Omitted::Value(0.0)
        );
        assert!(spec_of("capex.nope").is_none());
    }

    #[test]
    fn omitted_inputs_take_the_defaults_the_specs_give() {
        let text = r#"
            [scenario]
            name = "minimal"
            start_year = 2025
            horizon = 2030
            [capex]
            total = 1e9
            years = 2
            gpu_life_years = 3
            [subscriptions]
            users = 1e6
            user_ceiling = 2e6
            user_growth = 0.5
            paying_share = 0.1
            conversion = 0.1
            churn = 0.2
            price = 100
            [streams.a]
            revenue = 1e9
            growth = 0.2
            [shocks.s]
            probability = 0.1
            price_factor = 0.5
            streams = ["a"]
        "#;
        let scenario = crate::scenario::parse(text, "t", &[]).unwrap();
        let defaults: Vec<_> = scenario
            .inputs
            .iter()
            .filter(|i| i.source.as_deref() == Some("default"))
            .collect();
        assert!(defaults.len() >= 15, "{}", defaults.len());
        for input in defaults {
            let Omitted::Value(x) = spec_of(&input.key).unwrap().default else {
                panic!("{} has no numeric default", input.key);
            };
            assert_eq!(input.dist.support(), (x, x), "{}", input.key);
        }
    }

    #[test]
    fn keys_cover_absent_fields_named_entries_and_distribution_parameters() {
        let doc: Table = toml::from_str(
            "[capex]\ntotal = { dist = \"uniform\", min = 1, max = 2 }\n[streams.api]\nrevenue = 1\n",
        )
        .unwrap();
        let keys = valid_keys(&doc);
        for k in [
            "capex.ops_share",
            "capex.total.mode",
            "streams.api.growth",
            "subscriptions.price",
            "thresholds",
        ] {
            assert!(keys.iter().any(|x| x == k), "{k} missing");
        }
        assert!(!keys.iter().any(|x| x == "capex.partner_share.mode"));
        assert!(allows(&doc, "streams.video"));
        assert!(!allows(&doc, "capex.ops_shar"));
    }
}
