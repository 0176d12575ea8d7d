//! Finding the line of a key path (`capex.partner_share.mode`) in the scenario text, so every
//! error can point at the line to fix.

use toml::de::{DeTable, DeValue};

/// The 1-based line of `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The line where the deepest existing prefix of `key_path` is written, if the text parses.
/// Array indices written as `[i]` are followed into arrays.
pub fn line_of_key(text: &str, key_path: &str) -> Option<usize> {
    let root = DeTable::parse(text).ok()?;
    let mut table = root.get_ref();
    let mut found = None;
    let mut segments = key_path.split('.').peekable();
    while let Some(segment) = segments.next() {
        let (name, index) = match segment.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (segment, None),
        };
        let Some((key, value)) = table.iter().find(|(k, _)| k.get_ref().as_ref() == name) else {
            break;
        };
        found = Some(value.span().start.max(key.span().start));
        let mut value = value;
        if let (Some(i), DeValue::Array(array)) = (index, value.get_ref()) {
            match array.get(i) {
                Some(item) => {
                    found = Some(item.span().start);
                    value = item;
                }
                None => break,
            }
        }
        match value.get_ref() {
            DeValue::Table(t) if segments.peek().is_some() => table = t,
            _ => break,
        }
    }
    found.map(|offset| line_of(text, offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "[scenario]\nname = \"x\"\n\n[capex]\ntotal = 1\npartner_share = { dist = \"pert\",\n  min = 0.1, mode = 0.2, max = 0.3 }\nweights = [1, 2,\n 3]\n";

    #[test]
    fn finds_keys_in_tables_inline_tables_and_arrays() {
        assert_eq!(line_of_key(TEXT, "scenario.name"), Some(2));
        assert_eq!(line_of_key(TEXT, "capex.total"), Some(5));
        assert_eq!(line_of_key(TEXT, "capex.partner_share.mode"), Some(7));
        assert_eq!(line_of_key(TEXT, "capex.weights[2]"), Some(9));
        // A missing key points at its deepest existing parent.
        assert_eq!(line_of_key(TEXT, "capex.nothing"), Some(4));
        assert_eq!(line_of_key(TEXT, "nowhere.at_all"), None);
    }
}
