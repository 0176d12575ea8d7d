//! Validation of a raw scenario and its compilation into a [`Scenario`].
//!
//! Each numeric input becomes an [`Input`] with a ready [`Dist`], checked against the domain
//! its role needs (a share in [0, 1], a positive life, a growth rate above -100%, a whole
//! number of years). The model refers to inputs by [`ParamId`]. Omitted optional inputs get
//! the schema's defaults and allowed values (`Inputs::defaulted`, so the two cannot drift) and
//! appear among the inputs with the source `"default"`.

use crate::correlation::{Correlations, Pair};
use crate::dist::{Dist, Shape};
use crate::model::{
    Capex, Commitment, Costs, Finance, Metric, Model, ParamId, Profile, Shock, Stream,
    Subscriptions,
};
use crate::rng::stream_salt;
use crate::threshold::{Comparison, PathQuantity, Target, Test, Threshold, Years};

use super::overrides::nearest_keys;
use super::schema::{self, Omitted};
use indexmap::IndexMap;

use super::raw::{
    RawCapex, RawCommitment, RawCorrelations, RawCosts, RawDist, RawEntity, RawFinance, RawParam,
    RawScenario, RawShock, RawStream, RawSubscriptions, RawThreshold,
};
use super::{Input, RunDefaults, Scenario};

/// The most years a scenario may simulate.
pub const MAX_YEARS: i32 = 200;
/// The range of calendar years a scenario may start in.
const MIN_YEAR: i32 = 1900;
const MAX_YEAR: i32 = 2500;

/// A problem at a key path.
#[derive(Debug)]
pub(super) struct Problem {
    pub key: String,
    pub message: String,
}

pub(super) fn problem(key: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem {
        key: key.into(),
        message: message.into(),
    }
}

/// The values an input may take, given its role in the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Domain {
    Any,
    /// In [0, 1].
    Share,
    /// At least zero.
    NonNegative,
    /// Strictly positive.
    Positive,
    /// A yearly rate above -100%.
    Rate,
    /// An asset life of at least one year.
    Life,
    /// A whole number of years, at least one.
    WholeYears,
}

impl Domain {
    /// The allowed values, in words, as the template states them.
    pub fn describe(self) -> &'static str {
        match self {
            Domain::Any => "any number",
            Domain::Share => "0 to 1",
            Domain::NonNegative => "0 or more",
            Domain::Positive => "above 0",
            Domain::Rate => "above -1 (a fall of less than 100% a year)",
            Domain::Life => "1 year or more, fractions allowed",
            Domain::WholeYears => "a whole number of years from 1 to 200",
        }
    }

    fn check(self, dist: &Dist) -> Result<(), String> {
        let (lo, hi) = dist.support();
        let lognormal = matches!(dist.shape(), Shape::LogNormal(_));
        let (ok, need) = match self {
            Domain::Any => (true, ""),
            Domain::Share => (lo >= 0.0 && hi <= 1.0, "a share must lie in [0, 1]"),
            Domain::NonNegative => (lo >= 0.0, "must not be negative"),
            Domain::Positive => (lo > 0.0 || (lognormal && lo >= 0.0), "must be positive"),
            Domain::Rate => (lo > -1.0, "a yearly rate must be above -1 (-100%)"),
            Domain::Life => (lo >= 1.0, "an asset life must be at least 1 year"),
            Domain::WholeYears => (
                lo >= 1.0 && hi <= f64::from(MAX_YEARS) && dist.is_integer_valued(),
                "must be a whole number of years from 1 to 200 (a number or a discrete distribution)",
            ),
        };
        if ok {
            Ok(())
        } else if dist.is_fixed() {
            Err(format!("{need}, got {dist}"))
        } else {
            Err(format!(
                "{need}, but {dist} can take values in [{lo}, {hi}]{}",
                if lo.is_infinite() || hi.is_infinite() {
                    "; add truncate = [low, high]"
                } else {
                    ""
                }
            ))
        }
    }
}

/// The parameters each family takes, for error messages and unused-field checks.
fn family_fields(family: &str) -> Option<&'static [&'static str]> {
    Some(match family {
        "fixed" => &["value"],
        "uniform" => &["min", "max"],
        "triangular" => &["min", "mode", "max"],
        "pert" => &["min", "mode", "max", "shape"],
        "normal" => &["mean", "sd"],
        "lognormal" => &["mu", "sigma", "ci90"],
        "beta" => &["alpha", "beta", "min", "max"],
        "discrete" => &["values", "weights"],
        _ => return None,
    })
}

const FAMILIES: &str = "fixed, uniform, triangular, pert, normal, lognormal, beta, discrete";

fn build_dist(key: &str, raw: &RawDist) -> Result<Dist, Problem> {
    let family = match (&raw.dist, raw.value) {
        (Some(d), _) => d.as_str(),
        (None, Some(_)) => "fixed",
        (None, None) => {
            return Err(problem(
                key,
                format!("a distribution table needs 'dist' (one of {FAMILIES}) or 'value'"),
            ));
        }
    };
    let Some(allowed) = family_fields(family) else {
        return Err(problem(
            format!("{key}.dist"),
            format!("unknown distribution '{family}' (expected one of {FAMILIES})"),
        ));
    };
    let given: [(&str, bool); 14] = [
        ("value", raw.value.is_some()),
        ("min", raw.min.is_some()),
        ("mode", raw.mode.is_some()),
        ("max", raw.max.is_some()),
        ("shape", raw.shape.is_some()),
        ("mean", raw.mean.is_some()),
        ("sd", raw.sd.is_some()),
        ("mu", raw.mu.is_some()),
        ("sigma", raw.sigma.is_some()),
        ("ci90", raw.ci90.is_some()),
        ("alpha", raw.alpha.is_some()),
        ("beta", raw.beta.is_some()),
        ("values", raw.values.is_some()),
        ("weights", raw.weights.is_some()),
    ];
    for (field, present) in given {
        if present && !allowed.contains(&field) {
            return Err(problem(
                format!("{key}.{field}"),
                format!(
                    "'{field}' is not a parameter of a {family} distribution (it takes {})",
                    allowed.join(", ")
                ),
            ));
        }
    }
    let need = |field: &str, v: Option<f64>| {
        v.ok_or_else(|| problem(key, format!("a {family} distribution needs '{field}'")))
    };
    let built = match family {
        "fixed" => Dist::fixed(need("value", raw.value)?),
        "uniform" => Dist::uniform(need("min", raw.min)?, need("max", raw.max)?),
        "triangular" => Dist::triangular(
            need("min", raw.min)?,
            need("mode", raw.mode)?,
            need("max", raw.max)?,
        ),
        "pert" => Dist::pert(
            need("min", raw.min)?,
            need("mode", raw.mode)?,
            need("max", raw.max)?,
            raw.shape.unwrap_or(4.0),
        ),
        "normal" => Dist::normal(need("mean", raw.mean)?, need("sd", raw.sd)?),
        "lognormal" => match (&raw.ci90, raw.mu, raw.sigma) {
            (Some(ci), None, None) => match ci.as_slice() {
                [low, high] => Dist::lognormal_ci90(*low, *high),
                _ => {
                    return Err(problem(
                        format!("{key}.ci90"),
                        format!("ci90 needs two numbers [low, high], got {}", ci.len()),
                    ));
                }
            },
            (None, Some(mu), Some(sigma)) => Dist::lognormal(mu, sigma),
            _ => {
                return Err(problem(
                    key,
                    "a lognormal distribution needs either 'mu' and 'sigma' or 'ci90' = [low, high]",
                ));
            }
        },
        "beta" => Dist::beta(
            need("alpha", raw.alpha)?,
            need("beta", raw.beta)?,
            raw.min.unwrap_or(0.0),
            raw.max.unwrap_or(1.0),
        ),
        "discrete" => {
            let values = raw
                .values
                .clone()
                .ok_or_else(|| problem(key, "a discrete distribution needs 'values'"))?;
            Dist::discrete(values, raw.weights.clone())
        }
        _ => unreachable!("family_fields accepted only the families above"),
    };
    let dist = built.map_err(|e| problem(key, e.to_string()))?;
    match raw.truncate.as_deref() {
        None => Ok(dist),
        Some([low, high]) => dist
            .truncate(*low, *high)
            .map_err(|e| problem(format!("{key}.truncate"), e.to_string())),
        Some(other) => Err(problem(
            format!("{key}.truncate"),
            format!(
                "truncate needs two numbers [low, high], got {}",
                other.len()
            ),
        )),
    }
}

/// Collects inputs while the model is built.
pub(super) struct Inputs {
    pub list: Vec<Input>,
}

impl Inputs {
    pub fn add(&mut self, key: String, dist: Dist, source: Option<String>) -> ParamId {
        let salt = stream_salt(&key);
        self.list.push(Input {
            key,
            dist,
            source,
            salt,
        });
        ParamId(self.list.len() - 1)
    }

    /// A required input.
    pub fn required(
        &mut self,
        key: &str,
        raw: &RawParam,
        domain: Domain,
    ) -> Result<ParamId, Problem> {
        let (dist, source) = match raw {
            RawParam::Number(x) => (
                Dist::fixed(*x).map_err(|e| problem(key, e.to_string()))?,
                None,
            ),
            RawParam::Dist(d) => (build_dist(key, d)?, d.source.clone()),
        };
        domain.check(&dist).map_err(|m| problem(key, m))?;
        Ok(self.add(key.to_string(), dist, source))
    }

    /// An optional input with a default value.
    pub fn optional(
        &mut self,
        key: &str,
        raw: Option<&RawParam>,
        default: f64,
        domain: Domain,
    ) -> Result<ParamId, Problem> {
        match raw {
            Some(raw) => self.required(key, raw, domain),
            None => {
                let dist = Dist::fixed(default).expect("defaults are finite");
                Ok(self.add(key.to_string(), dist, Some("default".into())))
            }
        }
    }

    /// An optional input whose default and allowed values are the schema's (the one source of
    /// both, which `simulate init` documents): `key` is its key path, `prefix` the part before
    /// a single firm's key path (an entity's `entities.NAME.`, else empty).
    pub fn defaulted(
        &mut self,
        key: &str,
        prefix: &str,
        raw: Option<&RawParam>,
    ) -> Result<ParamId, Problem> {
        let path = key.strip_prefix(prefix).unwrap_or(key);
        let spec = schema::spec_of(path).unwrap_or_else(|| panic!("{path}: not in the schema"));
        let Omitted::Value(default) = spec.default else {
            panic!("{path}: the schema gives no default value")
        };
        self.optional(key, raw, default, spec.domain)
    }

    /// An optional input that, when omitted, is the same draw as another input.
    fn or_same_as(
        &mut self,
        key: &str,
        raw: Option<&RawParam>,
        same_as: ParamId,
        domain: Domain,
    ) -> Result<ParamId, Problem> {
        match raw {
            Some(raw) => self.required(key, raw, domain),
            None => Ok(same_as),
        }
    }

    pub fn support(&self, id: ParamId) -> (f64, f64) {
        self.list[id.0].dist.support()
    }
}

/// The simulated years.
pub(super) struct Span {
    pub start: i32,
    pub horizon: i32,
}

impl Span {
    /// Number of simulated years.
    pub fn years(&self) -> usize {
        (self.horizon - self.start + 1) as usize
    }

    /// The offset of `year` from the start, which must lie within the simulated years.
    pub fn offset(&self, key: &str, year: i32) -> Result<usize, Problem> {
        if year < self.start || year > self.horizon {
            return Err(problem(
                key,
                format!(
                    "{year} is outside the simulated years {}–{}",
                    self.start, self.horizon
                ),
            ));
        }
        Ok((year - self.start) as usize)
    }
}

/// Compiles a raw scenario; `overridden` lists the key paths set by `--set`.
pub(super) fn compile(
    raw: &RawScenario,
    origin: &str,
    document: toml::Table,
    overridden: &[&str],
) -> Result<Scenario, Problem> {
    let meta = &raw.scenario;
    if meta.horizon < meta.start_year {
        return Err(problem(
            "scenario.horizon",
            format!(
                "the horizon ({}) is before the start year ({})",
                meta.horizon, meta.start_year
            ),
        ));
    }
    if !(MIN_YEAR..=MAX_YEAR).contains(&meta.start_year) {
        return Err(problem(
            "scenario.start_year",
            format!(
                "must be a calendar year between {MIN_YEAR} and {MAX_YEAR}, got {}",
                meta.start_year
            ),
        ));
    }
    // In i64: the difference of two extreme i32 years does not fit an i32.
    if i64::from(meta.horizon) - i64::from(meta.start_year) >= i64::from(MAX_YEARS) {
        return Err(problem(
            "scenario.horizon",
            format!("at most {MAX_YEARS} simulated years are supported"),
        ));
    }
    let span = Span {
        start: meta.start_year,
        horizon: meta.horizon,
    };
    if raw.run.paths == Some(0) {
        return Err(problem(
            "run.paths",
            "the number of paths must be at least 1",
        ));
    }
    let mut inputs = Inputs { list: Vec::new() };
    let (model, thresholds, network) = if raw.entities.is_empty() {
        if document.contains_key("flows") {
            return Err(problem(
                "flows",
                "flows join entities, and this file declares none: add [entities.NAME] tables",
            ));
        }
        let (model, thresholds) =
            compile_firm(&FirmTables::of_scenario(raw), "", &span, &mut inputs)?;
        (model, thresholds, None)
    } else {
        let network = super::network::compile(raw, &document, &span, &mut inputs)?;
        // The first entity stands in for the single firm that code reading `model` expects;
        // a run of a network scenario evaluates `network`.
        let first = &network.entities[0];
        (first.model.clone(), Vec::new(), Some(network))
    };

    let correlations = compile_correlations(&raw.correlations, &inputs.list, overridden)?;

    Ok(Scenario {
        name: meta.name.clone(),
        description: meta.description.clone(),
        subject: meta.subject.clone(),
        origin: origin.to_string(),
        start_year: meta.start_year,
        horizon: meta.horizon,
        inputs: inputs.list,
        model,
        thresholds,
        network,
        correlations,
        defaults: RunDefaults {
            paths: raw.run.paths,
            seed: raw.run.seed,
        },
        document,
    })
}

/// Compiles `[correlations]`. A pair naming a fixed input is an error, unless `--set` fixed it
/// (a sweep or goal seek setting a correlated input): its pairs then no longer apply.
fn compile_correlations(
    raw: &RawCorrelations,
    inputs: &[Input],
    overridden: &[&str],
) -> Result<Correlations, Problem> {
    let keys: Vec<&str> = inputs.iter().map(|i| i.key.as_str()).collect();
    let mut pairs: Vec<Pair> = Vec::new();
    for (n, p) in raw.pairs.iter().enumerate() {
        let at = format!("correlations.pairs[{n}]");
        let input = |field: &str, key: &str| -> Result<usize, Problem> {
            let Some(j) = keys.iter().position(|k| *k == key) else {
                let known: Vec<String> = inputs
                    .iter()
                    .filter(|i| !i.dist.is_fixed())
                    .map(|i| i.key.clone())
                    .collect();
                let near = nearest_keys(key, &known);
                let hint = if near.is_empty() {
                    String::new()
                } else {
                    format!("; did you mean {}?", near.join(" or "))
                };
                return Err(problem(
                    format!("{at}.{field}"),
                    format!("'{key}' is not an input of this scenario{hint}"),
                ));
            };
            let set_by_override = overridden.iter().any(|o| {
                key == *o || key.starts_with(&format!("{o}.")) || o.starts_with(&format!("{key}."))
            });
            if inputs[j].dist.is_fixed() && !set_by_override {
                return Err(problem(
                    format!("{at}.{field}"),
                    format!(
                        "'{key}' is fixed ({}); only uncertain inputs can be correlated",
                        inputs[j].dist
                    ),
                ));
            }
            Ok(j)
        };
        let a = input("a", &p.a)?;
        let b = input("b", &p.b)?;
        if a == b {
            return Err(problem(
                format!("{at}.b"),
                format!("an input cannot be correlated with itself ('{}')", p.b),
            ));
        }
        if !(p.rho.is_finite() && (-1.0..=1.0).contains(&p.rho)) {
            return Err(problem(
                format!("{at}.rho"),
                format!("a rank correlation must lie in [-1, 1], got {}", p.rho),
            ));
        }
        if let Some(k) = pairs
            .iter()
            .position(|q| (q.a, q.b) == (a, b) || (q.a, q.b) == (b, a))
        {
            return Err(problem(
                at.clone(),
                format!(
                    "'{}' and '{}' are already correlated by correlations.pairs[{k}]",
                    p.a, p.b
                ),
            ));
        }
        pairs.push(Pair {
            a,
            b,
            rho: p.rho,
            source: p.source.clone(),
        });
    }
    Correlations::new(pairs, &keys).map_err(|e| problem("correlations.pairs", e.to_string()))
}

fn metric_names() -> Vec<String> {
    Metric::ALL
        .iter()
        .map(|m| m.name().to_string())
        .chain(PathQuantity::ALL.iter().map(|q| q.name().to_string()))
        .collect()
}

/// The error for a metric name a threshold at `key` does not know. A qualified name
/// (`oracle.revenue`) is explained: in an entity's own thresholds (`key` under
/// `entities.NAME.`) metrics are unqualified and the others' belong in the top-level
/// thresholds; in a single-firm file there are no entities to name.
fn unknown_metric(key: String, name: &str) -> Problem {
    if let Some((entity, metric)) = name.split_once('.') {
        let message = match key
            .strip_prefix("entities.")
            .and_then(|rest| rest.split_once('.'))
        {
            Some((own, _)) => format!(
                "'{name}' is qualified, but an entity's own thresholds take its metrics \
                 unqualified: write '{metric}' for {own}'s; a threshold on another entity's \
                 metric or on the network's (such as 'network.end_customer_revenue') goes in \
                 the file's top-level [thresholds]"
            ),
            None => format!(
                "'{name}' names an entity's metric, and this file has no [entities]; write \
                 '{metric}' for this firm's, or declare [entities.{entity}]"
            ),
        };
        return problem(key, message);
    }
    let names = metric_names();
    let near = nearest_keys(name, &names);
    let hint = if near.is_empty() {
        format!("expected one of {}", names.join(", "))
    } else {
        format!("did you mean {}?", near.join(" or "))
    };
    problem(key, format!("unknown metric '{name}'; {hint}"))
}

fn short_number(x: f64) -> String {
    if x.abs() >= 1e5 {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

pub(super) fn compile_threshold(
    key: &str,
    name: &str,
    t: &RawThreshold,
    span: &Span,
) -> Result<Threshold, Problem> {
    let key = key.to_string();
    let comparison = Comparison::parse(&t.op).ok_or_else(|| {
        problem(
            format!("{key}.op"),
            format!("unknown comparison '{}' (expected >=, >, <= or <)", t.op),
        )
    })?;
    if let Some(v) = t.value.filter(|v| !v.is_finite()) {
        return Err(problem(
            format!("{key}.value"),
            format!("must be a finite number, got {v}"),
        ));
    }
    if let Some(v) = t.times.filter(|v| !v.is_finite()) {
        return Err(problem(
            format!("{key}.times"),
            format!("must be a finite number, got {v}"),
        ));
    }
    let (test, description) = if let Some(metric) = Metric::from_name(&t.metric) {
        let years = match (t.year, t.by) {
            (Some(y), None) => Years::In(span.offset(&format!("{key}.year"), y)?),
            (None, Some(y)) => Years::By(span.offset(&format!("{key}.by"), y)?),
            _ => {
                return Err(problem(
                    key,
                    "a per-year metric needs exactly one of 'year' (in that year) or 'by' (in any year up to it)",
                ));
            }
        };
        let target = match (t.value, t.times, &t.of) {
            (Some(v), None, None) => Target::Value(v),
            (None, Some(times), Some(of)) => Target::Times {
                times,
                of: Metric::from_name(of).ok_or_else(|| unknown_metric(format!("{key}.of"), of))?,
            },
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                return Err(problem(
                    key,
                    "give 'value' or 'times' with 'of' (a multiple of another metric), not both",
                ));
            }
            _ => {
                return Err(problem(
                    key,
                    "give either 'value', or 'times' and 'of' (a multiple of another metric)",
                ));
            }
        };
        let rhs = match target {
            Target::Value(v) => short_number(v),
            Target::Times { times, of } => format!("{times}x {}", of.name()),
        };
        let when = match years {
            Years::In(y) => format!("in {}", span.start + y as i32),
            Years::By(y) => format!("by {}", span.start + y as i32),
        };
        (
            Test::Metric {
                metric,
                years,
                target,
            },
            format!("{} {} {rhs} {when}", metric.name(), comparison.symbol()),
        )
    } else if let Some(quantity) = PathQuantity::from_name(&t.metric) {
        if t.year.is_some() || t.by.is_some() {
            return Err(problem(
                key,
                format!(
                    "'{}' is one number per path; remove 'year'/'by'",
                    quantity.name()
                ),
            ));
        }
        let value = match (t.value, t.times, &t.of) {
            (Some(v), None, None) => v,
            _ => {
                return Err(problem(
                    key,
                    format!("'{}' is compared with a 'value'", quantity.name()),
                ));
            }
        };
        (
            Test::Path { quantity, value },
            format!(
                "{} {} {}",
                quantity.name(),
                comparison.symbol(),
                short_number(value)
            ),
        )
    } else {
        return Err(unknown_metric(format!("{key}.metric"), &t.metric));
    };
    Ok(Threshold {
        name: name.to_string(),
        label: t.label.clone().unwrap_or(description),
        test,
        comparison,
        source: t.source.clone(),
    })
}

/// The tables that describe one firm: the top level of a single-firm file, or one
/// `[entities.NAME]` of a network file.
pub(super) struct FirmTables<'a> {
    pub finance: &'a RawFinance,
    pub capex: &'a Option<RawCapex>,
    pub commitments: &'a IndexMap<String, RawCommitment>,
    pub subscriptions: &'a Option<RawSubscriptions>,
    pub streams: &'a IndexMap<String, RawStream>,
    pub shocks: &'a IndexMap<String, RawShock>,
    pub costs: &'a RawCosts,
    pub thresholds: &'a IndexMap<String, RawThreshold>,
}

/// The [`FirmTables`] of a raw table that has them all under their usual names.
macro_rules! firm_tables {
    ($raw:expr) => {
        FirmTables {
            finance: &$raw.finance,
            capex: &$raw.capex,
            commitments: &$raw.commitments,
            subscriptions: &$raw.subscriptions,
            streams: &$raw.streams,
            shocks: &$raw.shocks,
            costs: &$raw.costs,
            thresholds: &$raw.thresholds,
        }
    };
}

impl FirmTables<'_> {
    fn of_scenario(raw: &RawScenario) -> FirmTables<'_> {
        firm_tables!(raw)
    }

    pub(super) fn of_entity(raw: &RawEntity) -> FirmTables<'_> {
        firm_tables!(raw)
    }
}

/// Compiles how a total is spread over the years: `profile` (`flat` unless given, `ramp` or
/// `custom` with `weights`) and the length in whole `years` (a custom profile's is its number
/// of weights; without either, `default_years`, or an error when there is none). Keys are
/// `{key}profile`, `{key}weights` and `{key}years`.
pub(super) fn compile_schedule(
    key: &str,
    profile: Option<&str>,
    weights: Option<&[f64]>,
    years: Option<&RawParam>,
    default_years: Option<f64>,
    inputs: &mut Inputs,
) -> Result<(Profile, ParamId), Problem> {
    let k = |field: &str| format!("{key}{field}");
    let profile = match (profile.unwrap_or("flat"), weights) {
        ("flat", None) => Profile::Flat,
        ("ramp", None) => Profile::Ramp,
        ("custom", Some(w)) => {
            if w.is_empty() {
                return Err(problem(
                    k("weights"),
                    "a custom profile needs at least one weight",
                ));
            }
            if let Some(bad) = w.iter().find(|x| !(x.is_finite() && **x >= 0.0)) {
                return Err(problem(
                    k("weights"),
                    format!("weights must be finite and not negative, got {bad}"),
                ));
            }
            let sum: f64 = w.iter().sum();
            if !(sum > 0.0 && sum.is_finite()) {
                return Err(problem(
                    k("weights"),
                    "weights must have a positive, finite sum",
                ));
            }
            if years.is_some() {
                return Err(problem(
                    k("years"),
                    "a custom profile takes its length from 'weights'; remove 'years'",
                ));
            }
            Profile::Custom(w.iter().map(|x| x / sum).collect())
        }
        ("custom", None) => {
            return Err(problem(
                k("weights"),
                "profile = \"custom\" needs 'weights'",
            ));
        }
        ("flat" | "ramp", Some(_)) => {
            return Err(problem(
                k("weights"),
                "weights are only used with profile = \"custom\"",
            ));
        }
        (other, _) => {
            return Err(problem(
                k("profile"),
                format!("unknown profile '{other}' (expected flat, ramp or custom)"),
            ));
        }
    };
    let years = match (&profile, years, default_years) {
        (Profile::Custom(w), _, _) => {
            inputs.optional(&k("years"), None, w.len() as f64, Domain::WholeYears)?
        }
        (_, Some(y), _) => inputs.required(&k("years"), y, Domain::WholeYears)?,
        (_, None, Some(d)) => inputs.optional(&k("years"), None, d, Domain::WholeYears)?,
        (_, None, None) => {
            return Err(problem(
                k("years"),
                "missing: the number of years the programme runs",
            ));
        }
    };
    Ok((profile, years))
}

/// Compiles one firm's tables into its model and thresholds, adding its inputs. Every key
/// path is written under `prefix` (`""` for a single-firm file, `entities.NAME.` in a
/// network), so errors, `--set`, correlations and random streams all use the qualified key.
pub(super) fn compile_firm(
    raw: &FirmTables,
    prefix: &str,
    span: &Span,
    inputs: &mut Inputs,
) -> Result<(Model, Vec<Threshold>), Problem> {
    let k = |key: &str| format!("{prefix}{key}");
    let starting_cash = inputs.defaulted(
        &k("finance.starting_cash"),
        prefix,
        raw.finance.starting_cash.as_ref(),
    )?;
    let discount_rate = inputs.defaulted(
        &k("finance.discount_rate"),
        prefix,
        raw.finance.discount_rate.as_ref(),
    )?;
    let finance = Finance {
        starting_cash,
        discount_rate,
        hurdle_rate: inputs.or_same_as(
            &k("finance.hurdle_rate"),
            raw.finance.hurdle_rate.as_ref(),
            discount_rate,
            Domain::Rate,
        )?,
    };

    let capex = match &raw.capex {
        None => None,
        Some(c) => {
            let start = span.offset(&k("capex.start_year"), c.start_year.unwrap_or(span.start))?;
            let (profile, years_param) = compile_schedule(
                &k("capex."),
                c.profile.as_deref(),
                c.weights.as_deref(),
                c.years.as_ref(),
                None,
                inputs,
            )?;
            Some(Capex {
                total: inputs.required(&k("capex.total"), &c.total, Domain::NonNegative)?,
                start,
                years: years_param,
                profile,
                partner_share: inputs.defaulted(
                    &k("capex.partner_share"),
                    prefix,
                    c.partner_share.as_ref(),
                )?,
                gpu_share: inputs.defaulted(&k("capex.gpu_share"), prefix, c.gpu_share.as_ref())?,
                gpu_life_years: match &c.gpu_life_years {
                    Some(p) => inputs.required(&k("capex.gpu_life_years"), p, Domain::Life)?,
                    None => {
                        return Err(problem(
                            k("capex.gpu_life_years"),
                            "missing: the GPUs' depreciation life in years",
                        ));
                    }
                },
                facility_life_years: inputs.defaulted(
                    &k("capex.facility_life_years"),
                    prefix,
                    c.facility_life_years.as_ref(),
                )?,
                refresh: c.refresh.unwrap_or(true),
                gpu_cost_decline: inputs.defaulted(
                    &k("capex.gpu_cost_decline"),
                    prefix,
                    c.gpu_cost_decline.as_ref(),
                )?,
                partner_margin: inputs.defaulted(
                    &k("capex.partner_margin"),
                    prefix,
                    c.partner_margin.as_ref(),
                )?,
                ops_share: inputs.defaulted(&k("capex.ops_share"), prefix, c.ops_share.as_ref())?,
            })
        }
    };

    let mut commitments = Vec::new();
    for (name, c) in raw.commitments {
        let key = format!("{prefix}commitments.{name}");
        if c.years == 0 {
            return Err(problem(
                format!("{key}.years"),
                "a commitment runs for at least 1 year",
            ));
        }
        if c.start_year < span.start {
            return Err(problem(
                format!("{key}.start_year"),
                format!("{} is before the start year {}", c.start_year, span.start),
            ));
        }
        let total = inputs.required(&format!("{key}.total"), &c.total, Domain::NonNegative)?;
        if let Some(source) = &c.source {
            inputs.list[total.0]
                .source
                .get_or_insert_with(|| source.clone());
        }
        commitments.push(Commitment {
            name: name.clone(),
            // A contract starting after the horizon is allowed; it simply pays nothing.
            start: (i64::from(c.start_year) - i64::from(span.start)) as usize,
            years: c.years as usize,
            total,
        });
    }

    let subscriptions = match &raw.subscriptions {
        None => None,
        Some(s) => Some(Subscriptions {
            users: inputs.required(&k("subscriptions.users"), &s.users, Domain::Positive)?,
            user_ceiling: inputs.required(
                &k("subscriptions.user_ceiling"),
                &s.user_ceiling,
                Domain::Positive,
            )?,
            user_growth: inputs.required(
                &k("subscriptions.user_growth"),
                &s.user_growth,
                Domain::NonNegative,
            )?,
            user_volatility: inputs.defaulted(
                &k("subscriptions.user_volatility"),
                prefix,
                s.user_volatility.as_ref(),
            )?,
            paying_share: inputs.required(
                &k("subscriptions.paying_share"),
                &s.paying_share,
                Domain::Share,
            )?,
            conversion: inputs.required(
                &k("subscriptions.conversion"),
                &s.conversion,
                Domain::Share,
            )?,
            churn: inputs.required(&k("subscriptions.churn"), &s.churn, Domain::Share)?,
            price: inputs.required(&k("subscriptions.price"), &s.price, Domain::NonNegative)?,
            price_growth: inputs.defaulted(
                &k("subscriptions.price_growth"),
                prefix,
                s.price_growth.as_ref(),
            )?,
            price_elasticity: inputs.defaulted(
                &k("subscriptions.price_elasticity"),
                prefix,
                s.price_elasticity.as_ref(),
            )?,
        }),
    };

    let mut streams = Vec::new();
    for (name, s) in raw.streams {
        let key = format!("{prefix}streams.{name}");
        if name == "subscriptions" {
            return Err(problem(
                key,
                "'subscriptions' is reserved for the [subscriptions] table",
            ));
        }
        let growth = inputs.required(&format!("{key}.growth"), &s.growth, Domain::Rate)?;
        streams.push(Stream {
            name: name.clone(),
            salt: stream_salt(&key),
            start: span.offset(
                &format!("{key}.start_year"),
                s.start_year.unwrap_or(span.start),
            )?,
            revenue: inputs.required(&format!("{key}.revenue"), &s.revenue, Domain::NonNegative)?,
            growth,
            terminal_growth: inputs.or_same_as(
                &format!("{key}.terminal_growth"),
                s.terminal_growth.as_ref(),
                growth,
                Domain::Rate,
            )?,
            growth_fade: inputs.defaulted(
                &format!("{key}.growth_fade"),
                prefix,
                s.growth_fade.as_ref(),
            )?,
            volatility: inputs.defaulted(
                &format!("{key}.volatility"),
                prefix,
                s.volatility.as_ref(),
            )?,
        });
    }

    let mut shocks = Vec::new();
    for (name, s) in raw.shocks {
        let key = format!("{prefix}shocks.{name}");
        if s.streams.is_empty() {
            return Err(problem(
                format!("{key}.streams"),
                "a shock must affect at least one stream",
            ));
        }
        let mut affects_subscriptions = false;
        let mut indices = Vec::new();
        for target in &s.streams {
            if target == "subscriptions" && raw.subscriptions.is_some() {
                affects_subscriptions = true;
            } else if let Some(i) = raw.streams.get_index_of(target.as_str()) {
                indices.push(i);
            } else {
                let mut known: Vec<String> = raw.streams.keys().cloned().collect();
                if raw.subscriptions.is_some() {
                    known.insert(0, "subscriptions".into());
                }
                return Err(problem(
                    format!("{key}.streams"),
                    format!("no stream named '{target}' (streams: {})", known.join(", ")),
                ));
            }
        }
        let start = match s.start_year {
            Some(year) => span.offset(&format!("{key}.start_year"), year)?.max(1),
            // The year after the start, which may lie beyond the horizon (then it never hits).
            None => 1,
        };
        let probability =
            inputs.required(&format!("{key}.probability"), &s.probability, Domain::Share)?;
        if let Some(source) = &s.source {
            inputs.list[probability.0]
                .source
                .get_or_insert_with(|| source.clone());
        }
        shocks.push(Shock {
            name: name.clone(),
            salt: stream_salt(&key),
            start,
            probability,
            price_factor: inputs.required(
                &format!("{key}.price_factor"),
                &s.price_factor,
                Domain::Share,
            )?,
            exposure: inputs.defaulted(&format!("{key}.exposure"), prefix, s.exposure.as_ref())?,
            subscriptions: affects_subscriptions,
            streams: indices,
        });
    }

    let c = &raw.costs;
    let cor_start = inputs.defaulted(
        &k("costs.cost_of_revenue_share"),
        prefix,
        c.cost_of_revenue_share.as_ref(),
    )?;
    let costs = Costs {
        cost_of_revenue_share: cor_start,
        cost_of_revenue_share_long_run: inputs.or_same_as(
            &k("costs.cost_of_revenue_share_long_run"),
            c.cost_of_revenue_share_long_run.as_ref(),
            cor_start,
            Domain::Share,
        )?,
        cost_of_revenue_speed: inputs.defaulted(
            &k("costs.cost_of_revenue_speed"),
            prefix,
            c.cost_of_revenue_speed.as_ref(),
        )?,
        rnd: inputs.defaulted(&k("costs.rnd"), prefix, c.rnd.as_ref())?,
        rnd_growth: inputs.defaulted(&k("costs.rnd_growth"), prefix, c.rnd_growth.as_ref())?,
        sga_share: inputs.defaulted(&k("costs.sga_share"), prefix, c.sga_share.as_ref())?,
    };
    let sga_max = inputs.support(costs.sga_share).1;
    for (key, id) in [
        (
            &k("costs.cost_of_revenue_share"),
            costs.cost_of_revenue_share,
        ),
        (
            &k("costs.cost_of_revenue_share_long_run"),
            costs.cost_of_revenue_share_long_run,
        ),
    ] {
        let cor_max = inputs.support(id).1;
        if cor_max + sga_max >= 1.0 {
            return Err(problem(
                key,
                format!(
                    "cost of revenue ({cor_max}) plus SG&A ({sga_max}) can reach 100% of revenue, \
                     so no revenue could break even; keep their sum below 1"
                ),
            ));
        }
    }

    let model = Model {
        start_year: span.start,
        years: span.years(),
        capex,
        commitments,
        subscriptions,
        streams,
        shocks,
        costs,
        finance,
        users_salt: stream_salt(&k("subscriptions.users (yearly shocks)")),
    };

    let thresholds = raw
        .thresholds
        .iter()
        .map(|(name, t)| compile_threshold(&format!("{prefix}thresholds.{name}"), name, t, span))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((model, thresholds))
}
