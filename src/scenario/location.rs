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

/// The key path being written at 1-based `line` of text that may not parse: the last table
/// header at or before the line, joined with the key of the top-level assignment that the
/// line belongs to (a value may span lines). For errors in text that is not TOML, which the
/// parser can place only by line.
pub fn key_at_line(text: &str, line: usize) -> Option<String> {
    let header_at = |l: &str| {
        let l = l.trim();
        let inner = l.strip_prefix("[[").and_then(|r| r.split("]]").next());
        let inner = inner.or_else(|| l.strip_prefix('[').and_then(|r| r.split(']').next()));
        inner.map(|h| h.trim().to_string())
    };
    let assignment_at = |l: &str| {
        let (key, _) = l.split_once('=')?;
        let key = key.trim();
        let bare = |c: char| c.is_ascii_alphanumeric() || "_-.\"' ".contains(c);
        (!key.is_empty() && key.chars().all(bare)).then(|| key.replace(['"', '\'', ' '], ""))
    };
    let mut table = None;
    let mut key = None;
    // Open brackets and braces of a value still being written, outside strings and comments.
    let mut depth = 0i64;
    for l in text.lines().take(line) {
        if depth == 0 {
            if let Some(h) = header_at(l) {
                table = Some(h);
                key = None;
                continue;
            }
            key = assignment_at(l);
        }
        depth = (depth + bracket_balance(l)).max(0);
    }
    match (table, key) {
        (Some(t), Some(k)) => Some(format!("{t}.{k}")),
        (t, k) => k.or(t),
    }
}

/// Opening minus closing brackets and braces on a line, ignoring strings and comments.
fn bracket_balance(line: &str) -> i64 {
    let mut balance = 0;
    let mut quote = None;
    let mut escaped = false;
    for c in line.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '"' | '\'' => quote = Some(c),
                '#' => break,
                '[' | '{' => balance += 1,
                ']' | '}' => balance -= 1,
                _ => {}
            },
        }
    }
    balance
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

    #[test]
    fn names_the_key_at_a_line_of_text_that_does_not_parse() {
        let text = "[scenario]\nname = \"x\"\nname = \"y\"\n[capex]\ntotal = { dist = \"pert\",\n  min = [[[ }\n";
        assert_eq!(key_at_line(text, 3).as_deref(), Some("scenario.name"));
        assert_eq!(key_at_line(text, 6).as_deref(), Some("capex.total"));
        assert_eq!(key_at_line(text, 4).as_deref(), Some("capex"));
        assert_eq!(
            key_at_line("[a]\nx = 1\ngarbage\n", 3).as_deref(),
            Some("a")
        );
        assert_eq!(key_at_line("a = [1,\n", 1).as_deref(), Some("a"));
    }
}
