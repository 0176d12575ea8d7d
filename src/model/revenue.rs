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

/// Per-year revenue results for a block of `width` paths: every array is lane-minor (year
/// `y`, or stream `k`, of lane `l` at `y * width + l`).
#[derive(Debug, Clone)]
pub struct RevenueYears {
    width: usize,
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
    /// This year's price factor of each shock, one per lane (1 where it did not happen).
    shock_factor: Vec<f64>,
    /// Each lane's `exp(-user_growth)`: the logistic step's decay over one year.
    decay: Vec<f64>,
    /// Each lane's `(1 + price_growth) ^ -price_elasticity`: paying users' response to a
    /// year's price change.
    response: Vec<f64>,
}

impl RevenueYears {
    /// Zeroed arrays for `years` years and `streams` streams of `width` paths.
    pub fn new(years: usize, streams: usize, width: usize) -> RevenueYears {
        let z = vec![0.0; years * width];
        RevenueYears {
            width,
            users: z.clone(),
            paying_users: z.clone(),
            subscription_revenue: z.clone(),
            stream_revenue: z,
            price_level: vec![1.0; (streams + 1) * width],
            stream_base: vec![0.0; streams * width],
            stream_growth: vec![0.0; streams * width],
            shock_factor: vec![1.0; width],
            decay: vec![1.0; width],
            response: vec![1.0; width],
        }
    }

    /// The lanes of row `i` (a year, or a stream) of `array`.
    #[inline(always)]
    fn row(width: usize, array: &[f64], i: usize) -> &[f64] {
        &array[i * width..(i + 1) * width]
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

/// Starts the block's paths whose inputs are `v` (input-major, lane-minor): prices at their
/// level before any shock, and what the subscriptions compute once per path.
#[inline(always)]
pub fn begin(subscriptions: Option<&Subscriptions>, v: &[f64], out: &mut RevenueYears) {
    let w = out.width;
    out.price_level.fill(1.0);
    if let Some(s) = subscriptions {
        let growth = s.user_growth.lanes(v, w);
        let elasticity = s.price_elasticity.lanes(v, w);
        let price_growth = s.price_growth.lanes(v, w);
        for (l, (decay, response)) in out.decay.iter_mut().zip(&mut out.response).enumerate() {
            *decay = math::exp(-growth[l]);
            *response = math::exp(-elasticity[l] * math::ln(1.0 + price_growth[l]));
        }
    }
}

/// Simulates year index `y` of every revenue line of the block (after years `0..y`).
#[inline(always)]
pub fn year(
    subscriptions: Option<&Subscriptions>,
    streams: &[Stream],
    shocks: &[Shock],
    v: &[f64],
    yearly: &YearlyNumbers,
    y: usize,
    out: &mut RevenueYears,
) {
    let w = out.width;
    if y > 0 {
        for (k, shock) in shocks.iter().enumerate() {
            if y < shock.start {
                continue;
            }
            let u = &yearly.shock_lanes(k, y - 1)[..w];
            let probability = shock.probability.lanes(v, w);
            let exposure = shock.exposure.lanes(v, w);
            let price_factor = shock.price_factor.lanes(v, w);
            let factor = &mut out.shock_factor[..w];
            for l in 0..w {
                // Multiplying by one leaves a price level exactly as it was.
                factor[l] = if u[l] < probability[l] {
                    1.0 - exposure[l] * (1.0 - price_factor[l])
                } else {
                    1.0
                };
            }
            let affected = shock
                .subscriptions
                .then_some(0)
                .into_iter()
                .chain(shock.streams.iter().map(|&s| s + 1));
            for row in affected {
                let level = &mut out.price_level[row * w..(row + 1) * w];
                for (p, f) in level.iter_mut().zip(&*factor) {
                    *p *= f;
                }
            }
        }
    }
    match subscriptions {
        Some(s) => subscription_year(s, v, y, yearly, out),
        None => {
            let lanes = y * w..(y + 1) * w;
            out.users[lanes.clone()].fill(0.0);
            out.paying_users[lanes.clone()].fill(0.0);
            out.subscription_revenue[lanes].fill(0.0);
        }
    }
    let total = &mut out.stream_revenue[y * w..(y + 1) * w];
    total.fill(0.0);
    for (k, stream) in streams.iter().enumerate() {
        let base = &mut out.stream_base[k * w..(k + 1) * w];
        let growth = &mut out.stream_growth[k * w..(k + 1) * w];
        if y < stream.start {
            base.fill(0.0);
        } else if y == stream.start {
            base.copy_from_slice(stream.revenue.lanes(v, w));
            growth.copy_from_slice(stream.growth.lanes(v, w));
        } else {
            // The stream's yearly shock exists from its second year on (`y > start >= 0`).
            let z = &yearly.stream_lanes(k, y - 1)[..w];
            let volatility = stream.volatility.lanes(v, w);
            let terminal = stream.terminal_growth.lanes(v, w);
            let fade = stream.growth_fade.lanes(v, w);
            for l in 0..w {
                let g = growth[l];
                base[l] *= (1.0 + g) * lognormal_shock(z[l], volatility[l]);
                growth[l] = terminal[l] + (g - terminal[l]) * (1.0 - fade[l]);
            }
        }
        let level = RevenueYears::row(w, &out.price_level, k + 1);
        for l in 0..w {
            total[l] += base[l] * level[l];
        }
    }
}

/// What a year of users and paying users starts from, one value per lane.
struct UsersYear<'a> {
    normals: &'a [f64],
    volatility: &'a [f64],
    ceiling: &'a [f64],
    churn: &'a [f64],
    conversion: &'a [f64],
    decay: &'a [f64],
    response: &'a [f64],
    previous_users: &'a [f64],
    previous_paying: &'a [f64],
}

/// The year's users and paying users of every lane, after the year before. A function of its
/// own, whose slices the compiler then knows do not overlap, so that the loop vectorises.
#[inline(always)]
fn users_year(from: UsersYear, users_now: &mut [f64], paying_now: &mut [f64]) {
    let w = users_now.len();
    let UsersYear {
        normals,
        volatility,
        ceiling,
        churn,
        conversion,
        decay,
        response,
        previous_users,
        previous_paying,
    } = from;
    let (normals, volatility, ceiling, churn) =
        (&normals[..w], &volatility[..w], &ceiling[..w], &churn[..w]);
    let (conversion, decay, response) = (&conversion[..w], &decay[..w], &response[..w]);
    let (previous_users, previous_paying, paying_now) = (
        &previous_users[..w],
        &previous_paying[..w],
        &mut paying_now[..w],
    );
    for l in 0..w {
        let shock = lognormal_shock(normals[l], volatility[l]);
        let (ceiling, previous) = (ceiling[l], previous_users[l]);
        // The logistic step c / (1 + (c / u - 1) e^-g), multiplied through by u so that a
        // tiny u or a huge g cannot form inf * 0: the denominator is at least min(u, c) > 0.
        let logistic = if previous > 0.0 {
            ceiling * previous / (previous + (ceiling - previous) * decay[l])
        } else {
            0.0
        };
        let users = logistic * shock;
        let retained = previous_paying[l] * (1.0 - churn[l]);
        let converted = conversion[l] * (users - retained).max(0.0);
        users_now[l] = users;
        paying_now[l] = ((retained + converted) * response[l]).min(users);
    }
}

#[inline(always)]
fn subscription_year(
    s: &Subscriptions,
    v: &[f64],
    y: usize,
    yearly: &YearlyNumbers,
    out: &mut RevenueYears,
) {
    let w = out.width;
    let price_growth = s.price_growth.lanes(v, w);
    let price = s.price.lanes(v, w);
    if y == 0 {
        let users = s.users.lanes(v, w);
        let paying_share = s.paying_share.lanes(v, w);
        for l in 0..w {
            out.users[l] = users[l];
            out.paying_users[l] = paying_share[l] * users[l];
        }
    } else {
        let normals = &yearly.users_lanes(y - 1)[..w];
        let volatility = s.user_volatility.lanes(v, w);
        let ceiling = s.user_ceiling.lanes(v, w);
        let churn = s.churn.lanes(v, w);
        let conversion = s.conversion.lanes(v, w);
        let (before, now) = out.users.split_at_mut(y * w);
        let (previous_users, users_now) = (&before[(y - 1) * w..][..w], &mut now[..w]);
        let (before, now) = out.paying_users.split_at_mut(y * w);
        let (previous_paying, paying_now) = (&before[(y - 1) * w..][..w], &mut now[..w]);
        let (decay, response) = (&out.decay[..w], &out.response[..w]);
        users_year(
            UsersYear {
                normals,
                volatility: &volatility[..w],
                ceiling: &ceiling[..w],
                churn: &churn[..w],
                conversion: &conversion[..w],
                decay,
                response,
                previous_users,
                previous_paying,
            },
            users_now,
            paying_now,
        );
    }
    let level = RevenueYears::row(w, &out.price_level, 0);
    let paying = &out.paying_users[y * w..(y + 1) * w];
    let revenue = &mut out.subscription_revenue[y * w..(y + 1) * w];
    for l in 0..w {
        let p = price[l] * math::powi(1.0 + price_growth[l], y as u32);
        revenue[l] = paying[l] * p * level[l];
    }
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
        let r = YearlyNumbers::with_counts(60, true, 0, 0, 1);
        let mut out = RevenueYears::new(60, 0, 1);
        simulate(Some(&subs()), &[], &[], &v, &r, &mut out);
        let long_run = 0.1 / (0.1 + 0.3 - 0.03);
        assert!((out.paying_users[59] / 1e6 - long_run).abs() < 1e-9);
        assert!((out.subscription_revenue[0] - 1e4 * 100.0).abs() < 1e-6);
    }

    #[test]
    fn users_follow_the_logistic_curve_without_overshoot() {
        let v = [1e8, 1e9, 3.0, 0.0, 0.05, 0.0, 0.0, 240.0, 0.0, 0.0];
        let r = YearlyNumbers::with_counts(10, true, 0, 0, 1);
        let mut out = RevenueYears::new(10, 0, 1);
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
        let r = YearlyNumbers::with_counts(4, true, 1, 1, 1);
        let mut out = RevenueYears::new(4, 1, 1);
        simulate(None, &[stream], &[shock], &v, &r, &mut out);
        // Growth 100%, then 50%, then 25%; prices cut to 55% from year 2, again in year 3.
        assert!((out.stream_revenue[1] - 200.0).abs() < 1e-9);
        assert!((out.stream_revenue[2] - 300.0 * 0.55).abs() < 1e-9);
        assert!((out.stream_revenue[3] - 375.0 * 0.55 * 0.55).abs() < 1e-9);
    }
}
