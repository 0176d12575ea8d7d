//! The key paths a scenario file may hold, read from the [`raw`](super::raw) serde types
//! themselves so that the list cannot drift from what the parser accepts.
//!
//! A derived `Deserialize` for a struct hands its field names to
//! [`Deserializer::deserialize_struct`]; [`fields_of`] runs it against a deserializer that
//! records that list and stops. The schema is then: the top-level tables of
//! [`RawScenario`], the fields of each table, the fields of each named entry of the named
//! tables (`streams.NAME`, ...), and the parameters of a distribution table. An entity of a
//! network file (`entities.NAME`) holds the same firm tables again under its own prefix.

use serde::de::{self, Deserialize, Deserializer, Visitor};
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
