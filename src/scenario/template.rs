//! The commented scenario template that `simulate init` writes, generated from the schema
//! ([`schema::SPECS`]): every table and key in the parser's order, each with what it is, its
//! unit, the values allowed and its default, example values that pass validation, and a
//! `source` placeholder on every input; then, commented, the keys of a network of firms
//! (`[entities.NAME]` with its financing, `[flows.NAME]`), which the schema does not cover.

use std::fmt::Write;

use super::schema::{self, Omitted, Spec};

/// The entry the template gives each named table.
const ENTRIES: [(&str, &str); 4] = [
    ("commitments", "compute"),
    ("streams", "api"),
    ("shocks", "open_weights"),
    ("thresholds", "operating_profit_2030"),
];

/// Keys the template writes as comments: optional keys that exclude another key it writes, or
/// that would tie the scenario to someone's figures.
const COMMENTED: [&str; 5] = [
    "scenario.subject",
    "capex.weights",
    "thresholds.NAME.by",
    "thresholds.NAME.times",
    "thresholds.NAME.of",
];

/// The widest a comment line is written.
const WIDTH: usize = 95;

/// The placeholder every input's `source` starts as.
pub const SOURCE_PLACEHOLDER: &str = "TODO: seed NNN: what it says, or assumption: why";

const HEADER: &str = "\
# A scenario template, written by `simulate init` from the schema that validates scenarios:
# every table and key, with its unit, the values allowed and its default. Replace the example
# values and every source (\"TODO: ...\"), delete what you do not need (an omitted optional key
# takes its default; an omitted table is not modelled), then run `simulate check FILE`.
#
# A numeric input is a number or a distribution table, and may carry a source:
#   { value = 0.5 }                                   a constant
#   { dist = \"uniform\", min = 1, max = 2 }            also: triangular (min, mode, max),
#   pert (min, mode, max, optional shape), normal (mean, sd), lognormal (mu and sigma of the
#   log, or ci90 = [low, high]), beta (alpha, beta, optional min, max), discrete (values,
#   optional weights). Any distribution takes truncate = [low, high].
# Cite a seed article as \"seed 004: ...\" (seeds/sources.toml), or say \"assumption: why\".
# Money is in US dollars, shares and rates are fractions (0.3 = 30%).
";

/// The network keys, commented: a file with `[entities.NAME]` is a network, each entity
/// holding the tables above under `entities.NAME.`, with `[entities.NAME.financing]` and
/// `[flows.NAME]` between entities. Uncommented on their own below `[scenario]`, they compile
/// (tested).
const NETWORK: &str = "
# ---- A network of firms (instead of the single firm above): see scenarios/network.toml.
# A file with [entities.NAME] tables is a network. Each entity holds the tables above under its
# own name (entities.NAME.finance, .capex, .subscriptions, .streams.NAME, .costs, .thresholds
# ...), plus how much outside money it can raise; [flows.NAME] move money between entities.
# To use it, delete the single-firm tables above (keep [scenario] and [run]), uncomment this
# and give every input a source as above.
#
# [entities.lab]
# label: a readable name for reports. Unit: text; default the key.
# label = \"AI lab\"
# [entities.lab.streams.api]
# revenue = { value = 10e9, source = \"TODO\" }
# growth = { dist = \"pert\", min = 0.3, mode = 0.6, max = 1.0, source = \"TODO\" }
# [entities.lab.costs]
# rnd = { value = 5e9, source = \"TODO\" }
# [entities.lab.financing]
# equity_capacity: total outside equity it can raise over the horizon. Unit: USD; default 0.
# equity_capacity = { value = 50e9, source = \"TODO\" }
# debt_capacity: total outside debt it can borrow. Unit: USD; default 0.
# debt_capacity = { value = 20e9, source = \"TODO\" }
# debt_rate: yearly interest on drawn debt. Unit: rate per year; default 0.
# debt_rate = { value = 0.1, source = \"TODO\" }
# backstop: a government backstop, drawn after equity and debt, at no interest. Unit: USD;
#   default 0.
# backstop = { value = 0, source = \"TODO\" }
#
# [entities.cloud]
# label = \"Cloud\"
# [entities.cloud.capex]
# total = { value = 100e9, source = \"TODO\" }
# start_year = 2026
# years = 4
# gpu_life_years = { value = 5, source = \"TODO\" }
#
# [flows.lab_rents_compute]
# from, to: the paying and the receiving entity. kind: equity, purchase or loan. as (for a
#   purchase): opex (services, compute rental) or capex (chips, buildings). The amount is a
#   schedule (total, start_year, years, optional profile and weights), or each year a share of
#   another entity's metric (share, of = \"ENTITY.METRIC\"), or tranches (tranche = { per, of,
#   amount, cap }). A loan takes rate and term (years to repayment); equity an optional stake.
# from = \"lab\"
# to = \"cloud\"
# kind = \"purchase\"
# as = \"opex\"
# total = { value = 40e9 }
# start_year = 2027
# years = 4
# source = \"TODO: seed NNN: what it says, or assumption: why\"
#
# [flows.cloud_invests_in_lab]
# from = \"cloud\"
# to = \"lab\"
# kind = \"equity\"
# share = { value = 0.1 }
# of = \"cloud.capex\"
# source = \"TODO: seed NNN: what it says, or assumption: why\"
";

/// The template's text.
pub fn template() -> String {
    let mut out = String::from(HEADER);
    let mut table = String::new();
    for spec in schema::SPECS {
        let parts: Vec<&str> = spec.path.split('.').collect();
        let (header, field) = match parts.as_slice() {
            [t, f] => (t.to_string(), *f),
            [t, "NAME", f] => {
                let entry = ENTRIES
                    .iter()
                    .find(|(name, _)| name == t)
                    .map(|(_, e)| *e)
                    .expect("every named table has an entry");
                (format!("{t}.{entry}"), *f)
            }
            _ => unreachable!("key paths have two or three parts"),
        };
        if header != table {
            let _ = write!(out, "\n[{header}]\n");
            table = header;
        }
        for line in wrap(&format!("{field}: {}", describe(spec))) {
            let _ = writeln!(out, "{line}");
        }
        let commented = if COMMENTED.contains(&spec.path) {
            "# "
        } else {
            ""
        };
        if spec.unit.is_input() {
            let _ = writeln!(
                out,
                "{commented}{field} = {{ {}, source = \"{SOURCE_PLACEHOLDER}\" }}",
                spec.example
            );
        } else {
            let _ = writeln!(out, "{commented}{field} = {}", spec.example);
        }
    }
    out.push_str(NETWORK);
    out
}

/// A comment of several lines at most [`WIDTH`] columns wide, continuation lines indented.
fn wrap(text: &str) -> Vec<String> {
    let mut lines = vec![String::from("#")];
    for word in text.split(' ') {
        let last = lines.last_mut().expect("never empty");
        if last.len() > 4 && last.chars().count() + 1 + word.chars().count() > WIDTH {
            lines.push(format!("#   {word}"));
        } else {
            last.push(' ');
            last.push_str(word);
        }
    }
    lines
}

/// What a key is, its unit, the values allowed and its default, in one comment line.
fn describe(spec: &Spec) -> String {
    let mut text = format!("{}. Unit: {}", spec.doc, spec.unit.name());
    if spec.unit.is_input() {
        let _ = write!(text, "; allowed: {}", spec.domain.describe());
    }
    let default = match spec.default {
        Omitted::Required => "required".to_string(),
        Omitted::Value(x) => format!("default {x}"),
        Omitted::SameAs(key) => format!("default: the same draw as {key}"),
        Omitted::Described(what) => format!("default {what}"),
        Omitted::Absent => "optional".to_string(),
    };
    let _ = write!(text, "; {default}.");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The start of the first line of [`NETWORK`].
    const NETWORK_START: &str = "# ---- A network of firms";

    #[test]
    fn the_template_compiles_and_every_input_has_a_source_placeholder() {
        let text = template();
        let scenario = crate::scenario::parse(&text, "template.toml", &[])
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        for input in &scenario.inputs {
            let source = input.source.as_deref().unwrap_or("none");
            assert!(
                source == SOURCE_PLACEHOLDER || source == "default",
                "{}: {source}",
                input.key
            );
        }
        // Every uncertain input the file sets carries the placeholder.
        assert!(
            scenario
                .inputs
                .iter()
                .filter(|i| i.source.as_deref() == Some(SOURCE_PLACEHOLDER))
                .count()
                >= 30
        );
        assert_eq!(scenario.thresholds.len(), 1);
        assert_eq!(scenario.correlations.pairs.len(), 1);
    }

    /// The template with each wrapped comment joined into one line.
    fn unwrapped() -> String {
        template().replace("\n#   ", " ")
    }

    #[test]
    fn the_template_writes_every_key_of_the_schema_with_its_unit_and_default() {
        let text = unwrapped();
        assert!(
            template()
                .lines()
                .all(|l| l.chars().count() <= WIDTH || !l.starts_with('#'))
        );
        for spec in schema::SPECS {
            let field = spec.path.rsplit('.').next().unwrap();
            let comment = format!("# {field}: {}", describe(spec));
            assert!(text.contains(&comment), "{} undocumented", spec.path);
            let line = text
                .lines()
                .skip_while(|l| *l != comment)
                .nth(1)
                .unwrap_or_default();
            let set = line
                .trim_start_matches("# ")
                .starts_with(&format!("{field} = "));
            assert!(set, "{}: the line after its comment is '{line}'", spec.path);
        }
        assert!(text.contains("# ops_share: power and operations"));
        assert!(text.contains("Unit: share (0.3 = 30%); allowed: 0 or more; default 0."));
        assert!(
            text.contains("# terminal_growth: the growth it fades toward. Unit: rate per year")
        );
    }

    #[test]
    fn the_allowed_values_the_template_states_are_the_ones_validation_applies() {
        use crate::scenario::schema::Domain;
        let text = template();
        let parse = |key: &str, value: &str| {
            let o: crate::scenario::Override = format!("{key}={value}").parse().unwrap();
            crate::scenario::parse(&text, "t", &[o])
        };
        let mut checked = 0;
        for spec in schema::SPECS.iter().filter(|s| s.unit.is_input()) {
            let mut key = spec.path.to_string();
            for (table, entry) in ENTRIES {
                key = key.replace(&format!("{table}.NAME."), &format!("{table}.{entry}."));
            }
            // A value just outside the allowed range, and one at its edge.
            let (bad, good) = match spec.domain {
                Domain::Any => (None, "-1e9"),
                Domain::Share => (Some("1.5"), "0.0"),
                Domain::NonNegative => (Some("-1"), "0.0"),
                Domain::Positive => (Some("0.0"), "1.0"),
                Domain::Rate => (Some("-1.0"), "-0.5"),
                Domain::Life => (Some("0.5"), "1.0"),
                Domain::WholeYears => (Some("2.5"), "1"),
            };
            if let Some(bad) = bad {
                let err = parse(&key, bad).expect_err(&format!("{key} = {bad} accepted"));
                assert_eq!(err.key.as_deref(), Some(key.as_str()), "{err}");
            }
            parse(&key, good).unwrap_or_else(|e| panic!("{key} = {good} refused: {e}"));
            checked += 1;
        }
        assert!(checked >= 35, "{checked}");
    }

    #[test]
    fn the_network_block_compiles_when_uncommented() {
        let text = template();
        let block = &text[text.find(NETWORK_START).expect("a network block")..];
        for table in [
            "[entities.lab.financing]",
            "[flows.lab_rents_compute]",
            "equity_capacity",
        ] {
            assert!(block.contains(table), "{table}");
        }
        // Every non-comment-only line, uncommented, under the template's own [scenario].
        let scenario = &text[text.find("[scenario]").unwrap()..text.find("[run]").unwrap()];
        let uncommented: String = block
            .lines()
            .filter_map(|l| l.strip_prefix("# "))
            .filter(|l| {
                l.starts_with('[')
                    || l.split_once(" = ")
                        .is_some_and(|(k, _)| k.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            })
            .map(|l| format!("{l}\n"))
            .collect();
        let network = format!("{scenario}\n{uncommented}");
        let s = crate::scenario::parse(&network, "network.toml", &[])
            .unwrap_or_else(|e| panic!("{e}\n{network}"));
        let n = s.network.expect("a network");
        assert_eq!(n.entities.len(), 2);
    }

    #[test]
    fn commented_keys_are_accepted_when_uncommented_alone() {
        // Each commented key is valid where it stands once the key it excludes is removed.
        let text = template();
        let text = &text[..text.find(NETWORK_START).unwrap()];
        let uncomment = |text: &str, field: &str| {
            text.replace(&format!("# {field} = "), &format!("{field} = "))
        };
        let with_subject = uncomment(text, "subject");
        assert!(crate::scenario::parse(&with_subject, "t", &[]).is_ok());
        let by = uncomment(text, "by").replace("\nyear = 2030\n", "\n");
        assert!(crate::scenario::parse(&by, "t", &[]).is_ok(), "{by}");
        let times = uncomment(&uncomment(text, "times"), "of").replace("\nvalue = 0.0\n", "\n");
        assert!(crate::scenario::parse(&times, "t", &[]).is_ok());
        let weights = uncomment(text, "weights")
            .replace("profile = \"flat\"", "profile = \"custom\"")
            .replace(
                "years = { dist = \"discrete\", values = [5, 6], weights = [0.5, 0.5], source = \"TODO: seed NNN: what it says, or assumption: why\" }\n",
                "",
            );
        assert!(
            crate::scenario::parse(&weights, "t", &[]).is_ok(),
            "{weights}"
        );
    }
}
