//! The amounts flows carry, year by year: schedules spread by a profile, tranches released
//! against a receiver's progress, loan service, and the depreciation of purchased capex.
//! Pure functions of their arguments; the year loop that calls them owns the state.

use crate::model::Profile;

/// The payment in year index `y` of `total` spread over `years` whole years from year index
/// `start` by `profile`, exactly as a capex programme is spread.
pub fn scheduled(total: f64, start: usize, years: f64, profile: &Profile, y: usize) -> f64 {
    schedule_weight(start, years, profile, y).map_or(0.0, |weight| total * weight)
}

/// The share of its total a schedule of `years` whole years from year index `start` pays in
/// year index `y` by `profile`, or `None` outside its years: [`scheduled`] is the total times
/// it.
pub fn schedule_weight(start: usize, years: f64, profile: &Profile, y: usize) -> Option<f64> {
    let n = match profile {
        Profile::Custom(w) => w.len() as f64,
        _ => years,
    };
    if y < start || (y - start) as f64 >= n {
        return None;
    }
    Some(profile.weight(y - start, n))
}

/// The total released by tranches once the receiver's cumulative metric is `progress`:
/// `amount` for every whole `per` units (`per > 0`), at most `cap`.
#[inline(always)]
pub fn released(progress: f64, per: f64, amount: f64, cap: f64) -> f64 {
    let tranches = (progress.max(0.0) / per).floor();
    (tranches * amount).min(cap)
}

/// A loan's service in year index `y`: interest at `rate` on what was outstanding at the end
/// of the previous year, and the principal of the disbursement made `term` years before
/// (each disbursement is repaid in one payment). `disbursed` holds what was lent in each year
/// before `y`, lane-minor: year `t` of path `l` of a block of `width` at `t * width + l`.
/// Returns `(interest, principal)`.
pub fn loan_service(
    disbursed: &[f64],
    width: usize,
    l: usize,
    term: usize,
    rate: f64,
    y: usize,
) -> (f64, f64) {
    if y == 0 {
        return (0.0, 0.0);
    }
    // Outstanding at the end of year y - 1: disbursements of years t <= y - 1 not yet repaid,
    // i.e. with t + term > y - 1.
    let first = y.saturating_sub(term);
    let outstanding: f64 = (first..y).map(|t| disbursed[t * width + l]).sum();
    let principal = if y >= term {
        disbursed[(y - term) * width + l]
    } else {
        0.0
    };
    (rate * outstanding, principal)
}

/// Adds the straight-line depreciation of `spent` in year index `y`, over `life` years, to
/// path `l` of `depreciation` (lane-minor, of a block of `width` paths): a full `1 / life` of
/// the cost in each whole year from the year of purchase (full-year convention), and what is
/// left in a final fractional year, as the capex model depreciates its own vintages.
pub fn depreciate(
    spent: f64,
    life: f64,
    y: usize,
    width: usize,
    l: usize,
    depreciation: &mut [f64],
) {
    let years = depreciation.len() / width;
    let whole = life.floor().min(years as f64) as usize;
    let span = life.ceil().min(years as f64) as usize;
    for k in 0..span.min(years.saturating_sub(y)) {
        depreciation[(y + k) * width + l] += if k < whole {
            spent / life
        } else {
            spent * (life - k as f64) / life
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_spread_the_total_like_a_capex_programme() {
        let flat: Vec<f64> = (0..6)
            .map(|y| scheduled(100.0, 1, 4.0, &Profile::Flat, y))
            .collect();
        assert_eq!(flat, vec![0.0, 25.0, 25.0, 25.0, 25.0, 0.0]);
        let ramp: Vec<f64> = (0..3)
            .map(|y| scheduled(60.0, 0, 3.0, &Profile::Ramp, y))
            .collect();
        assert_eq!(ramp, vec![10.0, 20.0, 30.0]);
        let custom = Profile::Custom(vec![0.25, 0.75]);
        assert_eq!(scheduled(8.0, 2, 1.0, &custom, 3), 6.0);
    }

    #[test]
    fn tranches_release_whole_units_up_to_the_cap() {
        // $10B per 50B of capex, at most $100B.
        assert_eq!(released(49e9, 50e9, 10e9, 100e9), 0.0);
        assert_eq!(released(120e9, 50e9, 10e9, 100e9), 20e9);
        assert_eq!(released(1e13, 50e9, 10e9, 100e9), 100e9);
        assert_eq!(released(-5.0, 1.0, 1.0, f64::INFINITY), 0.0);
    }

    #[test]
    fn a_loan_pays_interest_on_the_outstanding_and_principal_after_its_term() {
        // 100 lent in year 0 and 50 in year 1, term 2, rate 10%.
        let lent = [100.0, 50.0, 0.0, 0.0, 0.0];
        let service: Vec<(f64, f64)> = (0..5)
            .map(|y| loan_service(&lent, 1, 0, 2, 0.1, y))
            .collect();
        assert_eq!(
            service,
            vec![
                (0.0, 0.0),
                (10.0, 0.0),
                (15.0, 100.0),
                (5.0, 50.0),
                (0.0, 0.0)
            ]
        );
    }

    #[test]
    fn depreciation_spreads_the_cost_over_a_fractional_life() {
        let mut d = vec![0.0; 5];
        depreciate(100.0, 2.5, 1, 1, 0, &mut d);
        assert_eq!(d, vec![0.0, 40.0, 40.0, 20.0, 0.0]);
        // Cut at the horizon.
        let mut d = vec![0.0; 3];
        depreciate(90.0, 3.0, 2, 1, 0, &mut d);
        assert_eq!(d, vec![0.0, 0.0, 30.0]);
    }
}
