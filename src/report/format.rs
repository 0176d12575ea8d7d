//! Number formatting shared by the human-readable exporters: money as `$1.23T` (`$1.58e27`
//! beyond a thousand trillion), people as `850M`, probabilities as `12.3%`.

/// Money with a scale suffix and three significant digits: `$1.40T`, `-$312B`, `$4.30B`.
pub fn usd(x: f64) -> String {
    scaled(x, "$")
}

/// A count of people with a scale suffix: `700M`, `1.20B`.
pub fn people(x: f64) -> String {
    scaled(x, "")
}

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
    let (value, suffix) = if m >= 1e12 {
        (m / 1e12, "T")
    } else if m >= 1e9 {
        (m / 1e9, "B")
    } else if m >= 1e6 {
        (m / 1e6, "M")
    } else if m >= 1e3 {
        (m / 1e3, "K")
    } else {
        (m, "")
    };
    let digits = if value >= 100.0 || suffix.is_empty() && value == value.trunc() {
        0
    } else if value >= 10.0 {
        1
    } else {
        2
    };
    format!("{sign}{prefix}{value:.digits$}{suffix}")
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
        assert_eq!(usd(1.4e12), "$1.40T");
        assert_eq!(usd(-3.12e11), "-$312B");
        assert_eq!(usd(4.3e9), "$4.30B");
        assert_eq!(usd(0.0), "$0");
        assert_eq!(usd(12.5), "$12.5");
        assert_eq!(people(7e8), "700M");
        assert_eq!(usd(-1.5846e27), "-$1.58e27");
        assert_eq!(usd(999e12), "$999T");
        assert_eq!(percent(0.123), "12.3%");
        assert_eq!(percent(0.0004), "0.040%");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(year(None), "never");
    }
}
