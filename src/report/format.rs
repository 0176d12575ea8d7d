//! Number formatting for every human-readable exporter, in one place: a number in its
//! [`Unit`] through [`value`] (money as `$1.23T`, people as `850M`, probabilities and shares
//! as `12.3%`), a difference through [`difference`], a plain number (a parameter value, an
//! axis tick) through [`number`], counts through [`thousands`] and years through [`year`].

use crate::unit::Unit;

/// A number in its unit: `$1.40T`, `-$312B`, `700M`, `12.3%`.
pub fn value(unit: Unit, x: f64) -> String {
    match unit {
        Unit::Usd => scaled(x, "$"),
        Unit::People => scaled(x, ""),
        Unit::Probability | Unit::Share => percent(x),
    }
}

/// [`value`], or `–` when there is no number (an empty distribution).
pub fn optional(unit: Unit, x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), |x| value(unit, x))
}

/// A signed difference in a unit: `+1.2 pp` for probabilities and shares, `+$3.00B`, `-5.00M`.
pub fn difference(unit: Unit, x: f64) -> String {
    if unit.is_fraction() {
        let pp = 100.0 * x;
        let digits = if pp != 0.0 && pp.abs() < 0.1 { 3 } else { 1 };
        return format!("{pp:+.digits$} pp");
    }
    let sign = if x >= 0.0 { "+" } else { "" };
    format!("{sign}{}", value(unit, x))
}

/// Three significant digits with a scale suffix: `$1.40T`, `-$312B`, `$4.30B`, `700M`.
fn scaled(x: f64, prefix: &str) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let m = x.abs();
    if m >= 1e15 {
        // Beyond a thousand trillion a suffix no longer helps: scientific, still 3 digits.
        return format!("{sign}{prefix}{m:.2e}");
    }
    let (value, suffix) = suffix(m);
    let digits = if value >= 100.0 || suffix.is_empty() && value == value.trunc() {
        0
    } else if value >= 10.0 {
        1
    } else {
        2
    };
    format!("{sign}{prefix}{value:.digits$}{suffix}")
}

/// A magnitude below 1e15 scaled to thousands, millions, billions or trillions.
fn suffix(m: f64) -> (f64, &'static str) {
    if m >= 1e12 {
        (m / 1e12, "T")
    } else if m >= 1e9 {
        (m / 1e9, "B")
    } else if m >= 1e6 {
        (m / 1e6, "M")
    } else if m >= 1e3 {
        (m / 1e3, "K")
    } else {
        (m, "")
    }
}

/// A plain number (a parameter value, an axis tick) to about `digits` significant digits,
/// trailing zeros dropped: `0.35`, `1.45`, `12.5K`, `1.4T`, `2.5e-5`; with 6 digits
/// `0.369629`, `245.337B`.
pub fn number(x: f64, digits: usize) -> String {
    let digits = digits.max(1);
    if !x.is_finite() {
        return format!("{x}");
    }
    if x == 0.0 {
        return "0".into();
    }
    let m = x.abs();
    let sign = if x < 0.0 { "-" } else { "" };
    if m < 1e-3 {
        let s = format!("{m:.*e}", digits - 1);
        let (mantissa, exponent) = s.split_once('e').expect("scientific notation");
        return format!("{sign}{}e{exponent}", trim(mantissa));
    }
    if m >= 1e15 {
        return format!("{sign}{m:.*e}", digits - 1);
    }
    let (scaled, suffix) = if m >= 1e3 { suffix(m) } else { (m, "") };
    let before_point = scaled.log10().floor() as i64 + 1;
    let decimals = (digits as i64 - before_point).max(0) as usize;
    let text = format!("{scaled:.decimals$}");
    format!("{sign}{}{suffix}", trim(&text))
}

/// A parameter value or axis tick in a few characters: [`number`] to 3 significant digits.
pub fn compact(x: f64) -> String {
    number(x, 3)
}

/// Drops trailing zeros after a decimal point.
fn trim(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// A probability as a percentage with sensible precision: `12.3%`, `0.04%`, `0%`, `100%`.
pub fn percent(p: f64) -> String {
    let x = 100.0 * p;
    if x == 0.0 || x == 100.0 {
        format!("{x:.0}%")
    } else if !(0.1..=99.9).contains(&x) {
        format!("{x:.3}%")
    } else if !(1.0..=99.0).contains(&x) {
        format!("{x:.2}%")
    } else {
        format!("{x:.1}%")
    }
}

/// An integer with thousands separators: `1,000,000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A year, or "never" (not within the horizon).
pub fn year(y: Option<i32>) -> String {
    y.map_or_else(|| "never".to_string(), |y| y.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_read_naturally() {
        assert_eq!(value(Unit::Usd, 1.4e12), "$1.40T");
        assert_eq!(value(Unit::Usd, -3.12e11), "-$312B");
        assert_eq!(value(Unit::Usd, 4.3e9), "$4.30B");
        assert_eq!(value(Unit::Usd, 0.0), "$0");
        assert_eq!(value(Unit::Usd, 12.5), "$12.5");
        assert_eq!(value(Unit::People, 7e8), "700M");
        assert_eq!(value(Unit::Usd, -1.5846e27), "-$1.58e27");
        assert_eq!(value(Unit::Usd, 999e12), "$999T");
        assert_eq!(value(Unit::Probability, 0.123), "12.3%");
        assert_eq!(value(Unit::Share, 0.5), "50.0%");
        assert_eq!(optional(Unit::Usd, None), "–");
        assert_eq!(percent(0.0004), "0.040%");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(year(None), "never");
    }

    #[test]
    fn differences_carry_a_sign() {
        assert_eq!(difference(Unit::Probability, 0.0123), "+1.2 pp");
        assert_eq!(difference(Unit::Probability, -0.0004), "-0.040 pp");
        assert_eq!(difference(Unit::Usd, 3e9), "+$3.00B");
        assert_eq!(difference(Unit::Usd, -3e9), "-$3.00B");
        assert_eq!(difference(Unit::People, 5e6), "+5.00M");
    }

    #[test]
    fn plain_numbers_are_rounded_to_significant_digits() {
        assert_eq!(compact(1.4486), "1.45");
        assert_eq!(compact(0.2076), "0.208");
        assert_eq!(compact(0.35), "0.35");
        assert_eq!(compact(5.0), "5");
        assert_eq!(compact(-2.5e-5), "-2.5e-5");
        assert_eq!(compact(1.4e12), "1.4T");
        assert_eq!(compact(12_500.0), "12.5K");
        assert_eq!(compact(0.0), "0");
        assert_eq!(number(0.369_629_1, 6), "0.369629");
        assert_eq!(number(245.337e9, 6), "245.337B");
        assert_eq!(number(1000.0, 3), "1K");
    }
}
