//! Parsers for argument values that clap does not provide: path counts written as `1e6` or
//! `1_000_000`, and output files whose folder must exist before anything runs.
//!
//! Both run while the command line is parsed, so a bad value is a usage error (exit code 2)
//! before a single path is simulated.

use std::path::{Path, PathBuf};

/// A whole, positive count of paths: digits with optional `_` between them (`1000000`,
/// `1_000_000`), or a whole mantissa with a power of ten (`1e6`, `25E4`). A decimal point
/// (`1.5e3`, `2.0`) is refused, as is zero.
pub fn count(text: &str) -> Result<u64, String> {
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

/// An output file whose folder exists (`report.html` is in the current folder).
pub fn destination(text: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(text);
    if text.is_empty() {
        return Err("give a file name".into());
    }
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !folder.is_dir() {
        return Err(if folder.exists() {
            format!("{} is not a folder", folder.display())
        } else {
            format!("the folder {} does not exist", folder.display())
        });
    }
    if path.is_dir() {
        return Err(format!("{} is a folder, not a file", path.display()));
    }
    Ok(path)
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
            assert_eq!(count(text), Ok(n), "{text}");
        }
    }

    #[test]
    fn fractions_zero_junk_and_overflow_are_refused() {
        assert!(count("1.5e3").unwrap_err().contains("decimal point"));
        assert!(count("2.0").unwrap_err().contains("decimal point"));
        assert!(count("0").unwrap_err().contains("at least 1"));
        assert!(count("0e5").unwrap_err().contains("at least 1"));
        assert!(count("1e20").unwrap_err().contains("larger"));
        assert!(
            count("99999999999999999999")
                .unwrap_err()
                .contains("larger")
        );
        for bad in [
            "", "-5", "1e-3", "_1", "1__0", "1_", "abc", "1e", "e6", "0x10",
        ] {
            assert!(count(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_destination_needs_an_existing_folder() {
        assert!(destination("report.html").is_ok());
        let err = destination("no-such-folder-here/report.html").unwrap_err();
        assert!(err.contains("no-such-folder-here"), "{err}");
        assert!(destination("src").unwrap_err().contains("is a folder"));
        assert!(
            destination("Cargo.toml/x")
                .unwrap_err()
                .contains("not a folder")
        );
    }
}
