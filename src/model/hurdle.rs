//! The revenue a build-out needs to earn a hurdle rate on its capital, not merely to cover its
//! depreciation: the annuity on each vintage's cost at the hurdle rate over the vintage's life.
//!
//! Straight-line depreciation charges a vintage of cost C and life L at C / L a year, which
//! returns the capital but earns nothing on it. The level yearly charge that also pays the
//! hurdle rate r on what is still invested is the annuity C a(r, L), with
//! a(r, L) = r / (1 - (1 + r)^-L): L such payments, discounted at r, are worth exactly C. With
//! refresh, every vintage is bought again at the end of its life and charged again, so the
//! charge of a steady programme is paid in perpetuity (JPMorgan's "revenue into perpetuity").
//! The model keeps the depreciation schedule of each asset class and scales it by
//! L a(r, L) (the charge per unit of straight-line depreciation), which spreads a fractional
//! life's last part-year the same way.

/// The annuity factor a(r, L) = r / (1 - (1 + r)^-L): the level payment at the end of each of
/// `life` years, per unit of cost, whose value discounted at `rate` is the cost. `1 / life` at a
/// rate of zero. `rate` must be above -1 and `life` at least one year.
#[inline(always)]
pub fn annuity_factor(rate: f64, life: f64) -> f64 {
    if rate == 0.0 {
        return 1.0 / life;
    }
    // 1 - (1 + r)^-L without cancellation for small r.
    rate / -crate::math::exp_m1(-life * crate::math::ln_1p(rate))
}

/// The capital charge per unit of straight-line depreciation of an asset of life `life` at the
/// hurdle rate `rate`: L a(r, L), one at a rate of zero.
#[inline]
pub fn charge_per_depreciation(rate: f64, life: f64) -> f64 {
    life * annuity_factor(rate, life)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_annuity_repays_its_cost_at_the_rate() {
        for (rate, life) in [
            (0.1, 15.0),
            (0.1, 5.0),
            (0.08, 20.0),
            (0.25, 1.0),
            (-0.02, 7.0),
        ] {
            let a = annuity_factor(rate, life);
            let pv: f64 = (1..=life as i32).map(|t| a / (1.0 + rate).powi(t)).sum();
            assert!((pv - 1.0).abs() < 1e-12, "r {rate} L {life}: {pv}");
        }
        // Closed forms: one year repays cost and return; a long life tends to the perpetuity.
        assert!((annuity_factor(0.1, 1.0) - 1.1).abs() < 1e-12);
        assert!((annuity_factor(0.1, 1e6) - 0.1).abs() < 1e-12);
        assert!((annuity_factor(0.1, 15.0) - 0.131_473_776_887).abs() < 1e-12);
    }

    #[test]
    fn a_zero_rate_is_straight_line_and_small_rates_are_continuous() {
        assert_eq!(annuity_factor(0.0, 4.0), 0.25);
        assert_eq!(charge_per_depreciation(0.0, 4.0), 1.0);
        assert!((annuity_factor(1e-12, 4.0) - 0.25).abs() < 1e-12);
        assert!(charge_per_depreciation(0.1, 15.0) > 1.0);
    }
}
