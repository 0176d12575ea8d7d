//! Counts of paths as people write them, on the command line and in the web API's queries:
//! `1000000`, `1_000_000` or `1e6`.

/// A whole, positive count of paths: digits with optional `_` between them (`1000000`,
/// `1_000_000`), or a whole mantissa with a power of ten (`1e6`, `25E4`). A decimal point
/// (`1.5e3`, `2.0`) is refused, as is zero.
pub fn parse(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let digits = |s: &str| -> Option<u64> {
        let ok = !s.is_empty()
            && !s.starts_with('_')
            && !s.ends_with('_')
            && !s.contains("__")
            && s.chars().all(|c| c.is_ascii_digit() || c == '_');
        if !ok {
            return None;
        }
        s.replace('_', "").parse().ok()
    };
    let too_large = || format!("{t} is larger than the largest count ({})", u64::MAX);
    let value = match t.split_once(['e', 'E']) {
        None => digits(t),
        Some((mantissa, exponent)) => match (digits(mantissa), exponent.parse::<u32>()) {
            (Some(m), Ok(e)) => {
                let scaled = 10u64.checked_pow(e).and_then(|p| m.checked_mul(p));
                Some(scaled.ok_or_else(too_large)?)
            }
            _ => None,
        },
    };
    match value {
        Some(0) => Err("must be at least 1".into()),
        Some(n) => Ok(n),
        None if t.contains('.') => Err(format!(
            "{t} has a decimal point; a count is written as digits (1500, 1_000_000) or as a \
             whole number times a power of ten (15e2, 1e6)"
        )),
        None if t.chars().all(|c| c.is_ascii_digit() || c == '_') && !t.is_empty() => {
            Err(too_large())
        }
        None => Err(format!(
            "{t} is not a whole number; a count is written as digits (1000000, 1_000_000) or \
             as a whole number times a power of ten (1e6)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_in_every_whole_form() {
        for (text, n) in [
            ("1000000", 1_000_000),
            ("1_000_000", 1_000_000),
            ("1e6", 1_000_000),
            ("1E6", 1_000_000),
            ("25e4", 250_000),
            ("7", 7),
            ("1e0", 1),
        ] {
            assert_eq!(parse(text), Ok(n), "{text}");
        }
    }

    #[test]
    fn fractions_zero_junk_and_overflow_are_refused() {
        assert!(parse("1.5e3").unwrap_err().contains("decimal point"));
        assert!(parse("2.0").unwrap_err().contains("decimal point"));
        assert!(parse("0").unwrap_err().contains("at least 1"));
        assert!(parse("0e5").unwrap_err().contains("at least 1"));
        assert!(parse("1e20").unwrap_err().contains("larger"));
        assert!(
            parse("99999999999999999999")
                .unwrap_err()
                .contains("larger")
        );
        for bad in [
            "", "-5", "1e-3", "_1", "1__0", "1_", "abc", "1e", "e6", "0x10",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
