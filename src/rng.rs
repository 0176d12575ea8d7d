//! Random numbers below the engine, the samplers and the model: the 64-bit mixer, named
//! stream salts, per-path streams, chunk generators and counter-based uniforms.
//!
//! Everything here is a pure function of its arguments, so the numbers a path sees depend only
//! on (seed, path, what is drawn), never on threads or on the order of work.

use rand::SeedableRng;
use rand_xoshiro::{SplitMix64, Xoshiro256PlusPlus};

/// A well-mixed 64-bit hash (the SplitMix64 finaliser).
#[inline(always)]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The salt of the random stream named `name` (an input's key path, or a yearly process
/// such as `streams.api`): FNV-1a, then mixed. Naming streams rather than numbering them keeps
/// every draw of a path unchanged when inputs are added to or removed from a scenario.
pub fn stream_salt(name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    mix64(h)
}

/// The random stream with salt `salt` of the path whose key is `path_key`.
#[inline]
pub fn path_stream(path_key: u64, salt: u64) -> SplitMix64 {
    SplitMix64::seed_from_u64(mix64(
        path_key ^ mix64(salt.wrapping_add(0x9e37_79b9_7f4a_7c15)),
    ))
}

/// The generator of one chunk of paths.
pub type ChunkRng = Xoshiro256PlusPlus;

/// The generator for chunk `chunk` of a run seeded with `seed`.
pub fn chunk_rng(seed: u64, chunk: u64) -> ChunkRng {
    Xoshiro256PlusPlus::seed_from_u64(mix64(
        seed ^ mix64(chunk.wrapping_add(0x632b_e59b_d9b4_e019)),
    ))
}

/// The salt-specific part of [`uniform`], computed once per salt: `uniform(key, salt, i)` is
/// `uniform_salted(key, salted(salt), i)`.
#[inline(always)]
pub fn salted(salt: u64) -> u64 {
    mix64(salt.wrapping_add(0x9e37_79b9_7f4a_7c15))
}

/// A counter-based uniform in (0, 1): a pure function of the path's key, the salt of what is
/// drawn, and the draw's index (a year, say). Two rounds of [`mix64`] over the three words;
/// the 52 high bits are centred in their cell, so the result is never 0 or 1: it lies in
/// [2^-53, 1 - 2^-53].
#[inline(always)]
pub fn uniform(key: u64, salt: u64, index: u64) -> f64 {
    uniform_salted(key, salted(salt), index)
}

/// [`uniform`] with the salt already passed through [`salted`].
#[inline(always)]
pub fn uniform_salted(key: u64, salted: u64, index: u64) -> f64 {
    let bits = mix64(key ^ salted ^ mix64(index.wrapping_add(0xd1b5_4a32_d192_ed03)));
    to_open01(bits)
}

/// The 52 high bits of `bits` as a number in (0, 1), centred in their cell of width 2^-52
/// (with 53 bits the top cell's centre would round to 1): `(b + 1/2) 2^-52` for the top bits
/// `b`, exactly. Formed without an integer-to-float conversion (several instructions for a
/// `u64` on x86-64): the bits as the mantissa of a number in [1, 2), `1 + b 2^-52`, minus
/// `1 - 2^-53`, a subtraction Sterbenz's lemma makes exact.
#[inline(always)]
pub fn to_open01(bits: u64) -> f64 {
    f64::from_bits(0x3ff0_0000_0000_0000 | (bits >> 12)) - (1.0 - 0.5 / (1u64 << 52) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniforms_are_open_and_deterministic() {
        assert_eq!(to_open01(0), 0.5 / (1u64 << 52) as f64);
        assert_eq!(to_open01(u64::MAX), 1.0 - 0.5 / (1u64 << 52) as f64);
        assert!(to_open01(u64::MAX) < 1.0);
        // The centre of every cell, as the plain formula gives it.
        for i in 0..100_000u64 {
            let bits = mix64(i);
            let plain = ((bits >> 12) as f64 + 0.5) * (1.0 / (1u64 << 52) as f64);
            assert_eq!(to_open01(bits).to_bits(), plain.to_bits());
        }
        assert_eq!(uniform(1, 2, 3).to_bits(), uniform(1, 2, 3).to_bits());
        assert_ne!(uniform(1, 2, 3), uniform(1, 2, 4));
        assert_ne!(uniform(1, 2, 3), uniform(1, 3, 3));
        assert_ne!(uniform(1, 2, 3), uniform(2, 2, 3));
    }

    #[test]
    fn uniforms_have_the_moments_of_a_uniform() {
        // Mean 1/2 and variance 1/12: over n = 10^6 draws the standard error of the mean is
        // sqrt(1/12 / n) = 2.9e-4 and that of the mean square about 3e-4; 5 SE bounds.
        let n = 1_000_000u64;
        let (mut s, mut s2) = (0.0, 0.0);
        for i in 0..n {
            let u = uniform(i / 16, 77 + i % 16, i % 5);
            s += u;
            s2 += u * u;
        }
        let mean = s / n as f64;
        let msq = s2 / n as f64;
        assert!((mean - 0.5).abs() < 5.0 * 2.9e-4, "{mean}");
        assert!((msq - 1.0 / 3.0).abs() < 5.0 * 3.0e-4, "{msq}");
    }
}
