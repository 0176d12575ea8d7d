//! Pure-Rust `exp`, `ln` and the standard normal quantile used on every path, so that a path's
//! numbers do not depend on the machine's libm (glibc picks FMA or non-FMA variants per CPU,
//! and two shards on different machines could otherwise differ). Plain multiplies and adds
//! only: no fused multiply-add, no table, so the compiler may vectorise callers' loops and the
//! result is the same on every IEEE-754 machine.
//!
//! * [`exp`]: Cody and Waite's reduction `x = k ln 2 + r`, `|r| <= ln 2 / 2`, a degree-13
//!   Taylor polynomial of `e^r` (truncation below 5e-18, Estrin's scheme for its higher terms), and exact scaling by `2^k`; within
//!   [`EXP_MAX_ULPS`] units in the last place of the correctly rounded result over the whole
//!   range of normal results (tested against `f64::exp`).
//! * [`ln`]: fdlibm's `__ieee754_log` reduction `x = 2^e (1 + f)`, `1 + f` in
//!   [sqrt(2)/2, sqrt(2)), and its minimax polynomial in `s = f / (2 + f)`; within
//!   [`LN_MAX_ULPS`] ulp.
//! * [`normal_quantile`]: Acklam's rational approximation (relative error below 1.15e-9) in
//!   the centre (`p` in [0.02425, 0.97575]), and in the tails Wichura's AS241 rational
//!   functions of `sqrt(-ln p)` (relative error about 1e-16); within
//!   [`NORMAL_QUANTILE_MAX_ERROR`] (absolute, for `p` in [1e-300, 1 - 2^-53]).
//! * [`normal_cdf`]: through an `erfc` built on [`exp`] (W. J. Cody's rational
//!   approximations, 1969).
//! * [`ln_1p`] and [`exp_m1`]: `ln(1 + x)` and `e^x - 1` without cancellation near zero:
//!   [`ln`] with Goldberg's (1991) correction, and [`exp`]'s reduction with the polynomial
//!   of `e^r - 1`; within [`EXPM1_LN1P_MAX_ULPS`] ulp.

// The published coefficients are kept digit for digit as printed.
#![allow(clippy::excessive_precision)]

/// The largest error of [`exp`] in units in the last place, as tested.
pub const EXP_MAX_ULPS: f64 = 2.0;
/// The largest error of [`ln`] in units in the last place, as tested.
pub const LN_MAX_ULPS: f64 = 2.0;
/// The largest error of [`ln_1p`] and [`exp_m1`] in units in the last place, as tested.
pub const EXPM1_LN1P_MAX_ULPS: f64 = 4.0;
/// The largest absolute error of [`normal_quantile`], as tested.
pub const NORMAL_QUANTILE_MAX_ERROR: f64 = 3e-9;

const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-01;
const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
const LOG2_E: f64 = std::f64::consts::LOG2_E;
/// 1.5 * 2^52: adding and subtracting it rounds a double of magnitude below 2^51 to an integer.
const ROUND: f64 = 6_755_399_441_055_744.0;

/// The largest argument of [`exp`] with a finite result, and the one below which it is zero.
const EXP_HI: f64 = 709.782_712_893_384;
const EXP_LO: f64 = -745.133_219_101_941_1;

/// `e^x`, within [`EXP_MAX_ULPS`] ulp; `exp(NaN)` is NaN, overflow gives infinity and
/// underflow zero (results below the smallest normal lose precision gradually).
///
/// Branch-free, so that a loop calling it over a slice vectorises: every step is computed for
/// a clamped argument and the special cases are selected at the end. The scaling by `2^k` is
/// two exact multiplications by powers of two within the normal range and at most one
/// rounding, so subnormal and overflowing results round as a single multiplication would.
#[inline]
pub fn exp(x: f64) -> f64 {
    let clamped = x.clamp(EXP_LO, EXP_HI);
    let (k, r) = reduce(clamped);
    // e^r by Horner's rule on 1 + r + r^2/2! + ... + r^13/13!.
    let p = (taylor_from_half(r) * r + 1.0) * r + 1.0;
    // k is in -1075..=1024; a = floor(k / 2) and k - a are both within the normal exponents.
    let a = ((k + 2048) as u64 >> 1) as i64 - 1024;
    let scaled = p * pow2(a) * pow2(k - a);
    if x.is_nan() {
        x
    } else if x > EXP_HI {
        f64::INFINITY
    } else if x < EXP_LO {
        0.0
    } else {
        scaled
    }
}

/// Cody and Waite's reduction of `x` (at most [`EXP_HI`] in magnitude): the integer `k` and
/// `r = x - k ln 2`, `|r| <= ln 2 / 2`, for [`exp`] and [`exp_m1`].
#[inline(always)]
fn reduce(x: f64) -> (i64, f64) {
    // t = k + 1.5 * 2^52 exactly: its low bits hold the integer k.
    let t = x * LOG2_E + ROUND;
    let kf = t - ROUND;
    let r = (x - kf * LN2_HI) - kf * LN2_LO;
    (t.to_bits().wrapping_sub(ROUND.to_bits()) as i64, r)
}

/// `1/2! + r/3! + ... + r^11/13!`: the Taylor polynomial of `e^r` from its quadratic term
/// on, divided by `r^2`, which [`exp`] and [`exp_m1`] finish differently. By Estrin's scheme
/// (pairs of terms in `r`, then pairs of pairs in `r^2`, and so on) rather than Horner's
/// rule: the same number of operations, but a chain of four multiply-adds instead of eleven,
/// so that a lane's exponential does not wait on itself. Its rounding errors are multiplied
/// by `r^2 <= 0.12` in the result.
#[inline(always)]
fn taylor_from_half(r: f64) -> f64 {
    const C: [f64; 12] = [
        1.0 / 2.0,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5_040.0,
        1.0 / 40_320.0,
        1.0 / 362_880.0,
        1.0 / 3_628_800.0,
        1.0 / 39_916_800.0,
        1.0 / 479_001_600.0,
        1.0 / 6_227_020_800.0,
    ];
    let r2 = r * r;
    let r4 = r2 * r2;
    let pair = |i: usize| C[i] + C[i + 1] * r;
    let low = (pair(0) + pair(2) * r2) + (pair(4) + pair(6) * r2) * r4;
    let high = pair(8) + pair(10) * r2;
    low + high * (r4 * r4)
}

/// `ln(1 + x)`, accurate near zero: `ln(u) * x / (u - 1)` with `u = 1 + x` rounded, which
/// cancels the rounding of `u` (Goldberg 1991); within [`EXPM1_LN1P_MAX_ULPS`] ulp.
#[inline]
pub fn ln_1p(x: f64) -> f64 {
    let u = 1.0 + x;
    if u == 1.0 {
        x
    } else if u == f64::INFINITY {
        u
    } else {
        ln(u) * (x / (u - 1.0))
    }
}

/// `e^x - 1`, accurate near zero: with [`exp`]'s reduction `x = k ln 2 + r`, it is
/// `2^k (e^r - 1) + (2^k - 1)`, where `e^r - 1` is the Taylor polynomial without its leading
/// one (exact for `k = 0`, one rounding of the sum otherwise); within [`EXPM1_LN1P_MAX_ULPS`]
/// ulp. Overflow gives infinity, and `-1` below about -37.
#[inline]
pub fn exp_m1(x: f64) -> f64 {
    if x.is_nan() || x > EXP_HI {
        return if x.is_nan() { x } else { f64::INFINITY };
    }
    if x < -40.0 {
        return -1.0;
    }
    let (k, r) = reduce(x);
    // e^r - 1 = r (1 + r/2! + r^2/3! + ... + r^12/13!).
    let q = (taylor_from_half(r) * r) * r + r;
    if k == 0 {
        q
    } else if k > 1023 {
        (q + 1.0) * 2.0 * pow2(k - 1)
    } else {
        // 2^k - 1 is exact for k from -40 / ln 2 up to 53; beyond, -1 is below rounding.
        let scale = pow2(k);
        scale * q + (scale - 1.0)
    }
}

/// `2^k` for `k` in -1022..=1023.
#[inline(always)]
fn pow2(k: i64) -> f64 {
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// `x^n` by binary powering, with exactly the multiplications (in the same order) of the
/// compiler's `powi` for a non-negative exponent, so that it gives the same bits; inlined, so
/// that a loop over lanes with one `n` vectorises.
#[inline(always)]
pub fn powi(mut x: f64, mut n: u32) -> f64 {
    let mut r = 1.0;
    loop {
        if n & 1 == 1 {
            r *= x;
        }
        n >>= 1;
        if n == 0 {
            return r;
        }
        x *= x;
    }
}

const LG1: f64 = 6.666_666_666_666_735_130e-01;
const LG2: f64 = 3.999_999_999_940_941_908e-01;
const LG3: f64 = 2.857_142_874_366_239_149e-01;
const LG4: f64 = 2.222_219_843_214_978_396e-01;
const LG5: f64 = 1.818_357_216_161_805_012e-01;
const LG6: f64 = 1.531_383_769_920_937_332e-01;
const LG7: f64 = 1.479_819_860_511_658_591e-01;

/// The natural logarithm, within [`LN_MAX_ULPS`] ulp; `ln(0)` is minus infinity, `ln` of a
/// negative number or NaN is NaN, `ln(inf)` is infinity.
///
/// Branch-free, as [`exp`] is: the subnormal scaling and the special cases are selected, so
/// that a loop calling it over a slice vectorises.
#[inline(always)]
pub fn ln(x: f64) -> f64 {
    let raw = x.to_bits();
    // Subnormal (or zero, whose result is selected below): scale into the normal range first.
    let subnormal = raw < 1 << 52;
    let bits = if subnormal {
        (x * 18_014_398_509_481_984.0).to_bits() // 2^54
    } else {
        raw
    };
    let e = if subnormal { -54 } else { 0 } + (bits >> 52) as i64 - 1023;
    let m = f64::from_bits((bits & ((1u64 << 52) - 1)) | (1023u64 << 52));
    let halve = m > std::f64::consts::SQRT_2;
    let (m, e) = if halve { (m * 0.5, e + 1) } else { (m, e) };
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let r = z * (LG1 + z * (LG2 + z * (LG3 + z * (LG4 + z * (LG5 + z * (LG6 + z * LG7))))));
    let hfsq = 0.5 * f * f;
    let dk = e as f64;
    let value = dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f);
    if x.is_nan() || x < 0.0 {
        f64::NAN
    } else if x == 0.0 {
        f64::NEG_INFINITY
    } else if x == f64::INFINITY {
        x
    } else {
        value
    }
}

const A: [f64; 6] = [
    -3.969_683_028_665_376e1,
    2.209_460_984_245_205e2,
    -2.759_285_104_469_687e2,
    1.383_577_518_672_690e2,
    -3.066_479_806_614_716e1,
    2.506_628_277_459_239,
];
const B: [f64; 5] = [
    -5.447_609_879_822_406e1,
    1.615_858_368_580_409e2,
    -1.556_989_798_598_866e2,
    6.680_131_188_771_972e1,
    -1.328_068_155_288_572e1,
];
/// AS241's tail coefficients for r = sqrt(-ln p) up to 5 (numerator from degree 0, and the
/// denominator's from degree 1), then beyond 5: Wichura (1988), Applied Statistics 37, 477-484.
const C: [f64; 8] = [
    1.423_437_110_749_683_577_34,
    4.630_337_846_156_545_295_90,
    5.769_497_221_460_691_405_50,
    3.647_848_324_763_204_605_04,
    1.270_458_252_452_368_382_58,
    2.417_807_251_774_506_117_70e-1,
    2.272_384_498_926_918_458_33e-2,
    7.745_450_142_783_414_076_40e-4,
];
const D: [f64; 7] = [
    2.053_191_626_637_758_821_87,
    1.676_384_830_183_803_849_40,
    6.897_673_349_851_000_045_50e-1,
    1.481_039_764_274_800_745_90e-1,
    1.519_866_656_361_645_719_66e-2,
    5.475_938_084_995_344_946_00e-4,
    1.050_750_071_644_416_843_24e-9,
];
const E: [f64; 8] = [
    6.657_904_643_501_103_777_20,
    5.463_784_911_164_114_369_90,
    1.784_826_539_917_291_335_80,
    2.965_605_718_285_048_912_30e-1,
    2.653_218_952_657_612_309_30e-2,
    1.242_660_947_388_078_438_60e-3,
    2.711_555_568_743_487_578_15e-5,
    2.010_334_399_292_288_132_65e-7,
];
const F: [f64; 7] = [
    5.998_322_065_558_879_376_90e-1,
    1.369_298_809_227_358_053_10e-1,
    1.487_536_129_085_061_485_25e-2,
    7.868_691_311_456_132_591_00e-4,
    1.846_318_317_510_054_681_80e-5,
    1.421_511_758_316_445_888_70e-7,
    2.044_263_103_389_939_785_64e-15,
];
const P_LOW: f64 = 0.024_25;

/// The standard normal quantile `Phi^-1(p)` for `p` in (0, 1), within
/// [`NORMAL_QUANTILE_MAX_ERROR`]: Acklam's approximation (relative error below 1.15e-9) in
/// the centre, Wichura's AS241 in the tails, where one logarithm and one square root replace
/// the rational function's argument.
/// `p` outside (0, 1) gives minus or plus infinity.
#[inline(always)]
pub fn normal_quantile(p: f64) -> f64 {
    if (P_LOW..=1.0 - P_LOW).contains(&p) {
        central_quantile(p)
    } else {
        tail_quantile(p)
    }
}

/// [`normal_quantile`] outside the centre (and of 0, 1, and what lies beyond them), without a
/// branch: both of AS241's ranges are computed and one is selected.
#[inline(always)]
fn tail_quantile(p: f64) -> f64 {
    let (tail, sign) = if p < P_LOW { (p, -1.0) } else { (1.0 - p, 1.0) };
    // Wichura's AS241 (PPND16) in r = sqrt(-ln(tail)): r is at least 1.93 here.
    let r = (-ln(tail)).sqrt();
    let near = {
        let r = r - 1.6;
        let num =
            ((((((C[7] * r + C[6]) * r + C[5]) * r + C[4]) * r + C[3]) * r + C[2]) * r + C[1]) * r
                + C[0];
        let den =
            ((((((D[6] * r + D[5]) * r + D[4]) * r + D[3]) * r + D[2]) * r + D[1]) * r + D[0]) * r
                + 1.0;
        num / den
    };
    let far = {
        let r = r - 5.0;
        let num =
            ((((((E[7] * r + E[6]) * r + E[5]) * r + E[4]) * r + E[3]) * r + E[2]) * r + E[1]) * r
                + E[0];
        let den =
            ((((((F[6] * r + F[5]) * r + F[4]) * r + F[3]) * r + F[2]) * r + F[1]) * r + F[0]) * r
                + 1.0;
        num / den
    };
    let quantile = sign * if r <= 5.0 { near } else { far };
    if p <= 0.0 {
        f64::NEG_INFINITY
    } else if p >= 1.0 {
        f64::INFINITY
    } else {
        quantile
    }
}

/// Acklam's approximation of `Phi^-1(p)` in the centre, `p` in [`P_LOW`, 1 - `P_LOW`].
#[inline(always)]
fn central_quantile(p: f64) -> f64 {
    let q = p - 0.5;
    let r = q * q;
    let num = ((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5];
    let den = ((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0;
    q * num / den
}

/// [`normal_quantile`] of each of `p`, into `out` (of the same length), bit for bit: the
/// centre's rational function for every element in one pass (which vectorises), then the
/// tails (about one element in twenty), gathered into a buffer, computed together (which
/// vectorises too) and put back.
#[inline(always)]
pub fn normal_quantiles(p: &[f64], out: &mut [f64]) {
    const PIECE: usize = 128;
    let out = &mut out[..p.len()];
    for (x, &u) in out.iter_mut().zip(p) {
        *x = central_quantile(u);
    }
    let (mut at, mut tails) = ([0u8; PIECE], [0.0; PIECE]);
    for (p, out) in p.chunks(PIECE).zip(out.chunks_mut(PIECE)) {
        let mut n = 0;
        for (i, &u) in p.iter().enumerate() {
            // Written for every element (n <= i), kept (n moves on) for the tails'.
            at[n] = i as u8;
            tails[n] = u;
            n += usize::from(!(P_LOW..=1.0 - P_LOW).contains(&u));
        }
        for t in &mut tails[..n] {
            *t = tail_quantile(*t);
        }
        for (&i, &t) in at[..n].iter().zip(&tails[..n]) {
            out[usize::from(i)] = t;
        }
    }
}

/// The standard normal CDF `Phi(z)`, through [`erfc`]: within 1e-9 of the smaller tail
/// probability (plus one ulp of 1 above the median), as tested, for `|z| <= 37` (beyond, the
/// tail is subnormal).
#[inline(always)]
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z * std::f64::consts::FRAC_1_SQRT_2)
}

/// The complementary error function, by W. J. Cody's rational approximations (1969), for
/// [`normal_cdf`] (relative error near 1e-16 for arguments up to 26, where it reaches the
/// smallest doubles).
#[inline(always)]
fn erfc(x: f64) -> f64 {
    // Every range's formula is computed and the right one selected, without a branch, so that
    // a loop over a slice vectorises (a branch on |x| < 0.5 would go either way half the time).
    let ax = x.abs();
    let x2 = ax * ax;
    let small = 1.0 - x * horner(&ERF_P, x2) / horner(&ERF_Q, x2);
    let e = exp(-ax * ax);
    let middle = e * horner(&ERFC_P, ax) / horner(&ERFC_Q, ax);
    let z = 1.0 / x2;
    let r = z * horner(&ERFC_TAIL_P, z) / horner(&ERFC_TAIL_Q, z);
    let tail = e / ax * (std::f64::consts::FRAC_2_SQRT_PI / 2.0 - r);
    let value = if ax < 4.0 { middle } else { tail };
    let value = if x < 0.0 { 2.0 - value } else { value };
    if ax < 0.5 { small } else { value }
}

/// The polynomial with coefficients `c` (highest degree first) at `x`.
#[inline(always)]
fn horner(c: &[f64], x: f64) -> f64 {
    c.iter().fold(0.0, |acc, &k| acc * x + k)
}

const ERF_P: [f64; 5] = [
    1.857_777_061_846_031_53e-1,
    3.161_123_743_870_565_60,
    1.138_641_541_510_501_73e2,
    3.774_852_376_853_020_21e2,
    3.209_377_589_138_469_47e3,
];
const ERF_Q: [f64; 5] = [
    1.0,
    2.360_129_095_234_412_09e1,
    2.440_246_379_344_441_73e2,
    1.282_616_526_077_372_28e3,
    2.844_236_833_439_170_62e3,
];
const ERFC_P: [f64; 9] = [
    2.153_115_354_744_038_46e-8,
    5.641_884_969_886_700_89e-1,
    8.883_149_794_388_375_94,
    6.611_919_063_714_162_95e1,
    2.986_351_381_974_001_31e2,
    8.819_522_212_417_690_90e2,
    1.712_047_612_634_070_58e3,
    2.051_078_377_826_071_46e3,
    1.230_339_354_797_997_25e3,
];
const ERFC_Q: [f64; 9] = [
    1.0,
    1.574_492_611_070_983_47e1,
    1.176_939_508_913_124_99e2,
    5.371_811_018_620_098_58e2,
    1.621_389_574_566_690_19e3,
    3.290_799_235_733_459_60e3,
    4.362_619_090_143_247_24e3,
    3.439_367_674_143_721_64e3,
    1.230_339_354_803_749_42e3,
];
const ERFC_TAIL_P: [f64; 6] = [
    1.630_153_882_698_677_36e-2,
    3.053_266_349_612_323_44e-1,
    3.603_448_999_498_044_39e-1,
    1.257_817_261_112_292_46e-1,
    1.608_378_514_874_227_66e-2,
    6.587_491_615_298_378_48e-4,
];
const ERFC_TAIL_Q: [f64; 6] = [
    1.0,
    2.568_520_192_289_822_42,
    1.872_952_849_923_460_33,
    5.279_051_029_514_284_12e-1,
    6.051_834_131_244_131_91e-2,
    2.335_204_976_268_691_85e-3,
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The distance from `reference` in units of its last place.
    fn ulps(x: f64, reference: f64) -> f64 {
        if x == reference {
            return 0.0;
        }
        let ulp = f64::from_bits(reference.abs().to_bits() + 1) - reference.abs();
        (x - reference).abs() / ulp
    }

    #[test]
    fn exp_is_within_its_stated_error_over_its_domain() {
        let mut worst: f64 = 0.0;
        let n = 2_000_000;
        for i in 0..=n {
            // Every normal result: x from -708 to 709.7, plus a dense walk near zero.
            let x = -708.0 + 1417.7 * i as f64 / n as f64;
            worst = worst.max(ulps(exp(x), x.exp()));
            let small = (i as f64 / n as f64 - 0.5) * 1e-3;
            worst = worst.max(ulps(exp(small), small.exp()));
        }
        assert!(worst <= EXP_MAX_ULPS, "{worst} ulp");
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
        assert_eq!(exp(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp(710.0), f64::INFINITY);
        assert!(exp(f64::NAN).is_nan());
        // Subnormal results, to within their (coarser) absolute spacing.
        for x in [-709.0, -720.0, -740.0, -745.0] {
            assert!((exp(x) - x.exp()).abs() <= 4.0 * f64::from_bits(1), "{x}");
        }
    }

    #[test]
    fn ln_1p_and_exp_m1_are_within_their_stated_error() {
        let mut worst: f64 = 0.0;
        let n = 1_000_000;
        for i in 0..=n {
            let t = i as f64 / n as f64;
            // Dense near zero (down to 1e-300), and across the ranges a hurdle rate and an
            // annuity's exponent take.
            let tiny = 10f64.powf(-300.0 + 299.0 * t);
            for x in [tiny, -tiny, 20.0 * t - 0.999_999, 60.0 * t - 40.0] {
                worst = worst.max(ulps(ln_1p(x), x.ln_1p()));
                if x > -745.0 && x < 709.0 {
                    worst = worst.max(ulps(exp_m1(x), x.exp_m1()));
                }
            }
        }
        assert!(worst <= EXPM1_LN1P_MAX_ULPS, "{worst} ulp");
        assert_eq!(ln_1p(0.0), 0.0);
        assert_eq!(ln_1p(-1.0), f64::NEG_INFINITY);
        assert!(ln_1p(-2.0).is_nan() && ln_1p(f64::NAN).is_nan());
        assert_eq!(ln_1p(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp_m1(0.0), 0.0);
        assert_eq!(exp_m1(-800.0), -1.0);
        assert_eq!(exp_m1(800.0), f64::INFINITY);
        assert!(exp_m1(f64::NAN).is_nan());
    }

    #[test]
    fn ln_is_within_its_stated_error_over_its_domain() {
        let mut worst: f64 = 0.0;
        let n = 2_000_000;
        for i in 1..=n {
            // Magnitudes 1e-300 to 1e300, and a dense walk around 1 where ln is small.
            let x = 10f64.powf(-300.0 + 600.0 * i as f64 / n as f64);
            worst = worst.max(ulps(ln(x), x.ln()));
            let near = 0.5 + i as f64 / n as f64;
            worst = worst.max(ulps(ln(near), near.ln()));
        }
        assert!(worst <= LN_MAX_ULPS, "{worst} ulp");
        assert_eq!(ln(1.0), 0.0);
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
        assert!(ln(-1.0).is_nan() && ln(f64::NAN).is_nan());
        assert_eq!(ln(f64::INFINITY), f64::INFINITY);
        // Subnormals, scaled into the normal range first.
        for x in [5e-324, 1e-310, f64::MIN_POSITIVE / 3.0] {
            assert!(ulps(ln(x), x.ln()) <= LN_MAX_ULPS, "{x}");
        }
        let tiny = f64::from_bits(3);
        assert!(ulps(ln(tiny), tiny.ln()) <= LN_MAX_ULPS);
    }

    #[test]
    fn normal_quantiles_of_a_slice_are_those_of_each_element() {
        let mut p: Vec<f64> = (0..=100_000).map(|i| i as f64 / 100_000.0).collect();
        p.extend([
            -1.0,
            1e-300,
            5e-324,
            P_LOW,
            1.0 - P_LOW,
            1.0 - 1e-16,
            2.0,
            f64::NAN,
        ]);
        // A run of tails longer than the buffer they are gathered in, and one at its end.
        p.extend((0..300).map(|i| 1e-3 * f64::from(i + 1) / 300.0));
        p.push(0.999);
        let mut out = vec![0.0; p.len()];
        normal_quantiles(&p, &mut out);
        for (&u, &x) in p.iter().zip(&out) {
            let one = normal_quantile(u);
            assert!(
                x.to_bits() == one.to_bits() || (x.is_nan() && one.is_nan()),
                "{u}"
            );
        }
    }

    #[test]
    fn normal_quantile_is_within_its_stated_error() {
        // Against statrs's inverse erfc (the exact quantile the library's Dist::quantile uses).
        let reference = crate::dist::normal_quantile;
        let mut worst: f64 = 0.0;
        let n = 1_000_000;
        for i in 1..n {
            let p = i as f64 / n as f64;
            worst = worst.max((normal_quantile(p) - reference(p)).abs());
        }
        for k in 1..=300 {
            let p = 10f64.powi(-k);
            worst = worst.max((normal_quantile(p) - reference(p)).abs());
            let upper = 1.0 - p.max(1.2e-16);
            worst = worst.max((normal_quantile(upper) - reference(upper)).abs());
        }
        assert!(worst <= NORMAL_QUANTILE_MAX_ERROR, "{worst}");
        assert_eq!(normal_quantile(0.5), 0.0);
        // The CDF against statrs's, relative to the smaller tail: 1e-9 (both lose digits to the
        // rounding of z^2 far out in the tails).
        for i in -3700..=3700 {
            let z = i as f64 / 100.0;
            let (ours, theirs) = (normal_cdf(z), crate::dist::normal_cdf(z));
            let tail = theirs.min(1.0 - theirs);
            assert!(
                (ours - theirs).abs() <= 1e-9 * tail + f64::EPSILON,
                "{z}: {ours} vs {theirs}"
            );
        }
        assert_eq!(normal_quantile(0.0), f64::NEG_INFINITY);
        assert_eq!(normal_quantile(1.0), f64::INFINITY);
    }
}
