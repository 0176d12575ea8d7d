//! `--set key.path=VALUE`: overriding any input of a scenario before it is validated.
//!
//! Overrides edit the parsed TOML document, so they go through exactly the same validation as
//! the file. A value is parsed as TOML (`0.4`, `5`, `true`, `"flat"`, `[1, 2]`,
//! `{ dist = "uniform", min = 0.3, max = 0.6 }`); a bare word is taken as a string only where
//! the key already holds a string. A path may reach into a distribution
//! (`capex.partner_share.mode=0.4`) or replace a distribution by a number
//! (`capex.partner_share=0.4`).

use std::fmt;
use std::str::FromStr;

use toml::{Table, Value};

use super::schema;

/// One `key.path=VALUE` override.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    pub key: String,
    pub value: String,
}

impl FromStr for Override {
    type Err = String;

    fn from_str(s: &str) -> Result<Override, String> {
        let (key, value) = s
            .split_once('=')
            .ok_or_else(|| format!("expected key.path=VALUE, got '{s}'"))?;
        let key = key.trim();
        if key.is_empty() || key.split('.').any(str::is_empty) {
            return Err(format!(
                "'{key}' is not a key path like capex.partner_share"
            ));
        }
        Ok(Override {
            key: key.to_string(),
            value: value.trim().to_string(),
        })
    }
}

impl fmt::Display for Override {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.key, self.value)
    }
}

/// Why an override could not be applied.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OverrideError {
    #[error("no such key in the scenario{}", suggest(.suggestions))]
    UnknownKey { suggestions: Vec<String> },
    #[error("cannot parse '{value}' as a TOML value ({reason})")]
    BadValue { value: String, reason: String },
    #[error("'{parent}' is a {kind}, not a table, so it has no key '{child}'")]
    NotATable {
        parent: String,
        kind: &'static str,
        child: String,
    },
}

fn suggest(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!("; nearest valid keys: {}", suggestions.join(", "))
    }
}

fn parse_value(text: &str) -> Result<Value, String> {
    let doc = format!("value = {text}");
    match toml::from_str::<Table>(&doc) {
        Ok(mut t) => t.remove("value").ok_or_else(|| "empty value".to_string()),
        Err(e) => Err(e.message().trim().to_string()),
    }
}

/// Every key path in the document, tables and leaves, for suggestions.
pub fn key_paths(table: &Table) -> Vec<String> {
    fn walk(prefix: &str, table: &Table, out: &mut Vec<String>) {
        for (k, v) in table {
            let path = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            out.push(path.clone());
            if let Value::Table(t) = v {
                walk(&path, t, out);
            }
        }
    }
    let mut out = Vec::new();
    walk("", table, &mut out);
    out
}

/// Up to five known keys closest to `key` by edit distance.
pub fn nearest_keys(key: &str, known: &[String]) -> Vec<String> {
    let mut scored: Vec<(f64, &String)> = known
        .iter()
        .map(|k| (strsim::normalized_damerau_levenshtein(key, k), k))
        .filter(|(score, _)| *score > 0.5)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.into_iter().take(5).map(|(_, k)| k.clone()).collect()
}

/// An unknown key, with the nearest keys the document has or the schema allows.
fn unknown_key(document: &Table, key: &str) -> OverrideError {
    let mut known = key_paths(document);
    known.extend(schema::valid_keys(document));
    known.sort();
    known.dedup();
    OverrideError::UnknownKey {
        suggestions: nearest_keys(key, &known),
    }
}

/// Applies one override to the document. New keys may be added to existing tables when the
/// schema allows them; whether their values are valid is decided by the same validation as
/// the file.
pub fn apply(document: &mut Table, o: &Override) -> Result<(), OverrideError> {
    let segments: Vec<&str> = o.key.split('.').collect();
    let (last, parents) = segments.split_last().expect("a key path has a segment");

    // Check the parents first, without borrowing the document mutably.
    let mut table: &Table = document;
    for (depth, segment) in parents.iter().enumerate() {
        match table.get(*segment) {
            Some(Value::Table(t)) => table = t,
            Some(other) => {
                return Err(OverrideError::NotATable {
                    parent: segments[..=depth].join("."),
                    kind: other.type_str(),
                    child: segments[depth + 1].to_string(),
                });
            }
            None => return Err(unknown_key(document, &o.key)),
        }
    }
    if !table.contains_key(*last) && !schema::allows(document, &o.key) {
        return Err(unknown_key(document, &o.key));
    }
    let value = match parse_value(&o.value) {
        Ok(v) => v,
        Err(reason) => match table.get(*last) {
            Some(Value::String(_)) if !o.value.is_empty() => Value::String(o.value.clone()),
            _ => {
                return Err(OverrideError::BadValue {
                    value: o.value.clone(),
                    reason,
                });
            }
        },
    };

    let mut table: &mut Table = document;
    for segment in parents {
        let Some(Value::Table(t)) = table.get_mut(*segment) else {
            unreachable!("every parent was checked to be a table");
        };
        table = t;
    }
    table.insert((*last).to_string(), value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Table {
        toml::from_str(
            "[capex]\ntotal = 1.4e12\npartner_share = { dist = \"pert\", min = 0.3, mode = 0.5, max = 0.6 }\n[scenario]\nname = \"x\"\n",
        )
        .unwrap()
    }

    fn set(d: &mut Table, s: &str) -> Result<(), OverrideError> {
        apply(d, &s.parse().unwrap())
    }

    #[test]
    fn sets_numbers_distribution_parameters_and_whole_distributions() {
        let mut d = doc();
        set(&mut d, "capex.partner_share.mode=0.4").unwrap();
        assert_eq!(d["capex"]["partner_share"]["mode"].as_float(), Some(0.4));
        set(&mut d, "capex.partner_share=0.25").unwrap();
        assert_eq!(d["capex"]["partner_share"].as_float(), Some(0.25));
        set(
            &mut d,
            "capex.total={ dist = \"uniform\", min = 1e12, max = 2e12 }",
        )
        .unwrap();
        assert_eq!(d["capex"]["total"]["dist"].as_str(), Some("uniform"));
        set(&mut d, "scenario.name=Bull case").unwrap();
        assert_eq!(d["scenario"]["name"].as_str(), Some("Bull case"));
    }

    #[test]
    fn unknown_paths_suggest_nearby_keys() {
        let mut d = doc();
        let err = set(&mut d, "capx.partner_share=0.3").unwrap_err();
        assert!(err.to_string().contains("capex.partner_share"), "{err}");
        let err = set(&mut d, "capex.total.mode=3").unwrap_err();
        assert!(matches!(err, OverrideError::NotATable { .. }), "{err}");
    }

    #[test]
    fn keys_absent_from_the_file_are_suggested_from_the_schema() {
        let mut d = doc();
        let err = set(&mut d, "capex.ops_shar=0.03").unwrap_err();
        assert!(
            matches!(&err, OverrideError::UnknownKey { suggestions } if suggestions[0] == "capex.ops_share"),
            "{err}"
        );
        let err = set(&mut d, "capex.partner_share.mdoe=0.4").unwrap_err();
        assert!(
            err.to_string().contains("capex.partner_share.mode"),
            "{err}"
        );
        // A valid key the file does not have is added; a new named entry too.
        set(&mut d, "capex.ops_share=0.03").unwrap();
        set(&mut d, "capex.partner_margin.min=0.1").unwrap_err();
    }

    #[test]
    fn unparsable_values_are_errors() {
        let mut d = doc();
        assert!(matches!(
            set(&mut d, "capex.total=1.2.3"),
            Err(OverrideError::BadValue { .. })
        ));
        assert!("no_equals_sign".parse::<Override>().is_err());
        assert!("a..b=1".parse::<Override>().is_err());
    }
}
