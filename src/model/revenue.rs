//! Revenue: subscriptions, generic growth streams, and competitive price shocks.
//!
//! Subscriptions: users follow a logistic curve toward a ceiling (the exact one-year step of
//! the continuous logistic, so it never overshoots) with a mean-one lognormal shock each year.
//! Paying users are a stock: each year a share `churn` of them cancel and a share `conversion`
//! of the users who are not paying start to pay, so the paying share converges to
//! `conversion / (conversion + churn - conversion * churn)` when users are steady. Price
//! follows a yearly trend, and a price change moves paying users by the constant elasticity
//! `(1 + price_growth) ^ -price_elasticity`.
//!
//! Streams (API, enterprise, ads...) start at a given revenue in their first year and grow at
//! a rate that fades geometrically toward a terminal rate, with a mean-one lognormal shock.
//!
//! Shocks: each year after the first, each shock happens with its probability; when it does,
//! the price level of the streams it affects is multiplied by
//! `1 - exposure * (1 - price_factor)`, for good.

use super::{ParamId, YearlyNumbers};
use crate::math;

/// The compiled subscription stream.
#[derive(Debug, Clone)]
pub struct Subscriptions {
    pub users: ParamId,
    pub user_ceiling: ParamId,
    pub user_growth: ParamId,
    pub user_volatility: ParamId,
    pub paying_share: ParamId,
    pub conversion: ParamId,
    pub churn: ParamId,
    pub price: ParamId,
    pub price_growth: ParamId,
    pub price_elasticity: ParamId,
}

/// A compiled generic growth stream.
#[derive(Debug, Clone)]
pub struct Stream {
    pub name: String,
    /// Salt of this stream's yearly shocks (see `model::stream_salt`).
    pub salt: u64,
    /// First year with revenue, as an offset from the scenario's start year.
    pub start: usize,
    pub revenue: ParamId,
    pub growth: ParamId,
    pub terminal_growth: ParamId,
    pub growth_fade: ParamId,
    pub volatility: ParamId,
}

/// A compiled competitive price shock.
#[derive(Debug, Clone)]
pub struct Shock {
    pub name: String,
    /// Salt of this shock's yearly draws (see `model::stream_salt`).
    pub salt: u64,
    /// First year the shock can happen, as an offset (at least 1).
    pub start: usize,
    pub probability: ParamId,
    pub price_factor: ParamId,
    pub exposure: ParamId,
    /// Whether subscriptions are affected.
    pub subscriptions: bool,
    /// Indices of the affected streams.
    pub streams: Vec<usize>,
}

/// Per-year revenue results for one path.
#[derive(Debug, Clone)]
pub struct RevenueYears {
    pub users: Vec<f64>,
    pub paying_users: Vec<f64>,
    pub subscription_revenue: Vec<f64>,
    /// Revenue of all streams other than subscriptions.
    pub stream_revenue: Vec<f64>,
    /// Price level of subscriptions (index 0) and each stream (1..), after shocks.
    price_level: Vec<f64>,
    /// Each stream's underlying revenue before price shocks.
    stream_base: Vec<f64>,
    stream_growth: Vec<f64>,
    subscription_path: SubscriptionPath,
}

impl RevenueYears {
    /// Zeroed arrays for `years` years and `streams` streams.
    pub fn new(years: usize, streams: usize) -> RevenueYears {
        RevenueYears {
            users: vec![0.0; years],
            paying_users: vec![0.0; years],
            subscription_revenue: vec![0.0; years],
            stream_revenue: vec![0.0; years],
            price_level: vec![1.0; streams + 1],
            stream_base: vec![0.0; streams],
            stream_growth: vec![0.0; streams],
            subscription_path: SubscriptionPath {
                decay: 1.0,
                response: 1.0,
            },
        }
    }
}

/// A mean-one lognormal multiplier with log-sd `sigma` at the standard normal `z`.
#[inline]
fn lognormal_shock(z: f64, sigma: f64) -> f64 {
    math::exp(sigma * z - 0.5 * sigma * sigma)
}

/// Simulates every revenue line for one path whose inputs are `v` and whose yearly random
/// numbers are `yearly`.
#[cfg(test)]
fn simulate(
    subscriptions: Option<&Subscriptions>,
    streams: &[Stream],
    shocks: &[Shock],
    v: &[f64],
    yearly: &YearlyNumbers,
    out: &mut RevenueYears,
) {
    begin(subscriptions, v, out);
    for y in 0..out.users.len() {
        year(subscriptions, streams, shocks, v, yearly, y, out);
    }
}

/// Starts a path whose inputs are `v`: prices at their level before any shock, and what the
/// subscriptions compute once per path.
pub fn begin(subscriptions: Option<&Subscriptions>, v: &[f64], out: &mut RevenueYears) {
    out.price_level.fill(1.0);
    if let Some(s) = subscriptions {
        out.subscription_path = SubscriptionPath::new(s, v);
    }
}

/// Simulates year index `y` of every revenue line (after years `0..y`).
pub fn year(
    subscriptions: Option<&Subscriptions>,
    streams: &[Stream],
    shocks: &[Shock],
    v: &[f64],
    yearly: &YearlyNumbers,
    y: usize,
    out: &mut RevenueYears,
) {
    if y > 0 {
        for (k, shock) in shocks.iter().enumerate() {
            let u = yearly.shock(k)[y - 1];
            if y >= shock.start && u < shock.probability.get(v) {
                let factor = 1.0 - shock.exposure.get(v) * (1.0 - shock.price_factor.get(v));
                if shock.subscriptions {
                    out.price_level[0] *= factor;
                }
                for &s in &shock.streams {
                    out.price_level[s + 1] *= factor;
                }
            }
        }
    }
    match subscriptions {
        Some(s) => subscription_year(s, v, y, yearly.users(), out),
        None => {
            out.users[y] = 0.0;
            out.paying_users[y] = 0.0;
            out.subscription_revenue[y] = 0.0;
        }
    }
    let mut total = 0.0;
    for (k, stream) in streams.iter().enumerate() {
        let z = if y > 0 {
            lognormal_shock(yearly.stream(k)[y - 1], stream.volatility.get(v))
        } else {
            1.0
        };
        if y < stream.start {
            out.stream_base[k] = 0.0;
        } else if y == stream.start {
            out.stream_base[k] = stream.revenue.get(v);
            out.stream_growth[k] = stream.growth.get(v);
        } else {
            let g = out.stream_growth[k];
            out.stream_base[k] *= (1.0 + g) * z;
            let terminal = stream.terminal_growth.get(v);
            out.stream_growth[k] = terminal + (g - terminal) * (1.0 - stream.growth_fade.get(v));
        }
        total += out.stream_base[k] * out.price_level[k + 1];
    }
    out.stream_revenue[y] = total;
}

/// What a path's subscriptions compute once rather than every year.
#[derive(Debug, Clone)]
struct SubscriptionPath {
    /// `exp(-user_growth)`: the logistic step's decay over one year.
    decay: f64,
    /// `(1 + price_growth) ^ -price_elasticity`: paying users' response to a year's price change.
    response: f64,
}

impl SubscriptionPath {
    fn new(s: &Subscriptions, v: &[f64]) -> SubscriptionPath {
        SubscriptionPath {
            decay: math::exp(-s.user_growth.get(v)),
            response: math::exp(-s.price_elasticity.get(v) * math::ln(1.0 + s.price_growth.get(v))),
        }
    }
}

fn subscription_year(
    s: &Subscriptions,
    v: &[f64],
    y: usize,
    user_normals: &[f64],
    out: &mut RevenueYears,
) {
    let price_growth = s.price_growth.get(v);
    if y == 0 {
        out.users[0] = s.users.get(v);
        out.paying_users[0] = s.paying_share.get(v) * out.users[0];
    } else {
        let shock = lognormal_shock(user_normals[y - 1], s.user_volatility.get(v));
        let ceiling = s.user_ceiling.get(v);
        let previous = out.users[y - 1];
        // The logistic step c / (1 + (c / u - 1) e^-g), multiplied through by u so that a
        // tiny u or a huge g cannot form inf * 0: the denominator is at least min(u, c) > 0.
        let decay = out.subscription_path.decay;
        let logistic = if previous > 0.0 {
            ceiling * previous / (previous + (ceiling - previous) * decay)
        } else {
            0.0
        };
        let users = logistic * shock;
        let retained = out.paying_users[y - 1] * (1.0 - s.churn.get(v));
        let converted = s.conversion.get(v) * (users - retained).max(0.0);
        out.users[y] = users;
        out.paying_users[y] = ((retained + converted) * out.subscription_path.response).min(users);
    }
    let price = s.price.get(v) * (1.0 + price_growth).powi(y as i32);
    out.subscription_revenue[y] = out.paying_users[y] * price * out.price_level[0];
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subs() -> Subscriptions {
        Subscriptions {
            users: ParamId(0),
            user_ceiling: ParamId(1),
            user_growth: ParamId(2),
            user_volatility: ParamId(3),
            paying_share: ParamId(4),
            conversion: ParamId(5),
            churn: ParamId(6),
            price: ParamId(7),
            price_growth: ParamId(8),
            price_elasticity: ParamId(9),
        }
    }

    #[test]
    fn paying_share_converges_to_its_long_run_level() {
        // Users at the ceiling, no volatility; conversion 0.1, churn 0.3.
        let v = [1e6, 1e6, 0.5, 0.0, 0.01, 0.1, 0.3, 100.0, 0.0, 0.0];
        let r = YearlyNumbers::with_counts(60, true, 0, 0);
        let mut out = RevenueYears::new(60, 0);
        simulate(Some(&subs()), &[], &[], &v, &r, &mut out);
        let long_run = 0.1 / (0.1 + 0.3 - 0.03);
        assert!((out.paying_users[59] / 1e6 - long_run).abs() < 1e-9);
        assert!((out.subscription_revenue[0] - 1e4 * 100.0).abs() < 1e-6);
    }

    #[test]
    fn users_follow_the_logistic_curve_without_overshoot() {
        let v = [1e8, 1e9, 3.0, 0.0, 0.05, 0.0, 0.0, 240.0, 0.0, 0.0];
        let r = YearlyNumbers::with_counts(10, true, 0, 0);
        let mut out = RevenueYears::new(10, 0);
        simulate(Some(&subs()), &[], &[], &v, &r, &mut out);
        for y in 1..10 {
            let t = y as f64;
            let exact = 1e9 / (1.0 + (1e9 / 1e8 - 1.0) * (-3.0 * t).exp());
            assert!((out.users[y] - exact).abs() < 1e-6 * exact);
            assert!(out.users[y] <= 1e9);
        }
    }

    #[test]
    fn stream_growth_fades_and_a_certain_shock_cuts_prices() {
        let stream = Stream {
            name: "api".into(),
            salt: 1,
            start: 0,
            revenue: ParamId(0),
            growth: ParamId(1),
            terminal_growth: ParamId(2),
            growth_fade: ParamId(3),
            volatility: ParamId(4),
        };
        let shock = Shock {
            name: "open weights".into(),
            salt: 2,
            start: 2,
            probability: ParamId(5),
            price_factor: ParamId(6),
            exposure: ParamId(7),
            subscriptions: false,
            streams: vec![0],
        };
        let v = [100.0, 1.0, 0.0, 0.5, 0.0, 1.0, 0.1, 0.5];
        let r = YearlyNumbers::with_counts(4, true, 1, 1);
        let mut out = RevenueYears::new(4, 1);
        simulate(None, &[stream], &[shock], &v, &r, &mut out);
        // Growth 100%, then 50%, then 25%; prices cut to 55% from year 2, again in year 3.
        assert!((out.stream_revenue[1] - 200.0).abs() < 1e-9);
        assert!((out.stream_revenue[2] - 300.0 * 0.55).abs() < 1e-9);
        assert!((out.stream_revenue[3] - 375.0 * 0.55 * 0.55).abs() < 1e-9);
    }
}
