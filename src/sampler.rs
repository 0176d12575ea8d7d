//! How a path's uncertain inputs are drawn: plain Monte Carlo, Latin hypercube sampling, or an
//! Owen-scrambled Sobol sequence, with rank correlations applied on top.
//!
//! * `mc`: each input of the path with key `k` takes the counter-based uniform
//!   `uniform(k, salt, 0)` (see [`crate::rng::uniform`]) with a salt from the input's key path,
//!   so changing one input, or any of its parameters, leaves every other draw unchanged and
//!   moves that input only through its quantile function (common random numbers).
//! * `lhs`: Latin hypercube sampling (McKay, Beckman & Conover 1979) within each chunk of
//!   paths: for each input, the chunk's `n` paths take the `n` equal-probability strata in a
//!   random order (a permutation per input per chunk, from the chunk's generator), each at a
//!   uniform position within its stratum (the path's uniform for that input).
//! * `sobol`: the path with global index `i` is point `i` of a Sobol sequence with Owen
//!   scrambling (Owen 1995), via the `sobol_burley` crate (Burley 2020, "Practical hash-based
//!   Owen scrambling"). Dimension `d` is the `d`-th uncertain input in file order (at most 256).
//!   The crate serves 2^16 points per scramble, so paths come in blocks of 2^16 consecutive
//!   indices, each block an independently scrambled sequence seeded from (seed, block): the
//!   estimate averages independent randomised QMC replicates. The crate's `f32` points lie on
//!   a 2^-23 grid; a uniform jitter within that cell (the path's uniform for the input)
//!   restores full precision and keeps every point strictly inside (0, 1).
//!
//! Only the inputs drawn once per path are stratified; the yearly shocks (user and stream
//! volatility, competitive shocks) stay on their own counter-based uniforms.
//!
//! Every sampler is a source of uniforms, one per uncertain input: each input gets its value
//! from its inverse CDF at its uniform ([`crate::dist::Dist::sampling_quantile`]). Correlated
//! inputs (see [`crate::correlation`]) pass their uniforms through the Gaussian copula before
//! the inverse CDF, whatever the sampler.

use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::correlation::Group;
use crate::engine::{BLOCK_PATHS, CHUNK_PATHS};
use crate::rng::{ChunkRng, mix64, salted, uniform_salted};
use crate::scenario::Scenario;

/// How the inputs of the paths are spread over their distributions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sampler {
    /// Independent pseudo-random draws.
    #[default]
    Mc,
    /// Latin hypercube: each input stratified within each chunk of 1,024 paths.
    Lhs,
    /// Owen-scrambled Sobol points.
    Sobol,
}

impl Sampler {
    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Sampler::Mc => "mc",
            Sampler::Lhs => "lhs",
            Sampler::Sobol => "sobol",
        }
    }
}

/// Paths per independently scrambled Sobol block: the most `sobol_burley` serves per seed.
pub const SOBOL_BLOCK: u64 = 1 << 16;

/// Why a scenario cannot be drawn with a sampler.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SamplerError {
    #[error(
        "the sobol sampler supports at most {max} uncertain inputs; this scenario has {inputs} \
         (use --sampler mc or lhs)"
    )]
    TooManyDimensions { inputs: usize, max: usize },
}

/// The compiled plan for drawing every uncertain input of a path.
#[derive(Debug, Clone)]
pub struct InputDraw<'a> {
    scenario: &'a Scenario,
    sampler: Sampler,
    seed: u64,
    /// Indices of the uncertain inputs, in file order; position = Sobol dimension and LHS column.
    random: Vec<usize>,
    /// The correlation groups among the uncertain inputs (inputs fixed by `--set` or by an
    /// analysis leave their groups), and the positions of their inputs.
    groups: Vec<Group>,
    group_positions: Vec<Vec<usize>>,
    /// Each uncertain input's salt through [`salted`], in the order of `random`.
    salts: Vec<u64>,
}

/// Per-worker scratch space for drawing inputs, allocated once.
#[derive(Debug, Clone)]
pub struct DrawScratch {
    /// A correlation group's normal scores for a block: `inputs x BLOCK_PATHS`, input-major.
    scores: Vec<f64>,
    /// LHS strata: `positions x CHUNK_PATHS`, position-major.
    strata: Vec<u32>,
    /// Paths in the current chunk.
    chunk_paths: usize,
    /// A block's uniforms: `positions x BLOCK_PATHS`, position-major.
    block: Vec<f64>,
}

impl<'a> InputDraw<'a> {
    /// The draw plan for `scenario` with `sampler`; `seed` scrambles Sobol points.
    pub fn new(
        scenario: &'a Scenario,
        sampler: Sampler,
        seed: u64,
    ) -> Result<InputDraw<'a>, SamplerError> {
        let random: Vec<usize> = (0..scenario.inputs.len())
            .filter(|&j| !scenario.inputs[j].dist.is_fixed())
            .collect();
        let max = sobol_burley::NUM_DIMENSIONS as usize;
        if sampler == Sampler::Sobol && random.len() > max {
            return Err(SamplerError::TooManyDimensions {
                inputs: random.len(),
                max,
            });
        }
        let groups: Vec<Group> = scenario
            .correlations
            .groups
            .iter()
            .filter_map(|g| {
                let keep: Vec<usize> = g
                    .inputs
                    .iter()
                    .copied()
                    .filter(|&j| !scenario.inputs[j].dist.is_fixed())
                    .collect();
                match keep.len() {
                    n if n == g.inputs.len() => Some(g.clone()),
                    0 | 1 => None,
                    _ => Some(g.restricted(&keep)),
                }
            })
            .collect();
        let position = |j: usize| random.iter().position(|&r| r == j).expect("uncertain");
        let group_positions: Vec<Vec<usize>> = groups
            .iter()
            .map(|g| g.inputs.iter().map(|&j| position(j)).collect())
            .collect();
        let salts = random
            .iter()
            .map(|&j| salted(scenario.inputs[j].salt))
            .collect();
        Ok(InputDraw {
            scenario,
            sampler,
            seed,
            random,
            groups,
            group_positions,
            salts,
        })
    }

    /// Input values before any draw: fixed inputs hold their value, uncertain ones zero.
    pub fn initial_values(&self) -> Vec<f64> {
        self.initial_block(1)
    }

    /// [`InputDraw::initial_values`] for a block of `width` paths, input-major and lane-minor
    /// (input `j` of path `l` at `j * width + l`).
    pub fn initial_block(&self, width: usize) -> Vec<f64> {
        self.scenario
            .inputs
            .iter()
            .flat_map(|i| {
                let value = if i.dist.is_fixed() {
                    i.dist.quantile(0.5)
                } else {
                    0.0
                };
                std::iter::repeat_n(value, width)
            })
            .collect()
    }

    /// Scratch space for one worker.
    pub fn scratch(&self) -> DrawScratch {
        let strata = if self.sampler == Sampler::Lhs {
            self.random.len() * CHUNK_PATHS as usize
        } else {
            0
        };
        let largest = self
            .groups
            .iter()
            .map(|g| g.inputs.len())
            .max()
            .unwrap_or(0);
        DrawScratch {
            scores: vec![0.0; largest * BLOCK_PATHS],
            strata: vec![0; strata],
            chunk_paths: 0,
            block: vec![0.0; self.random.len() * BLOCK_PATHS],
        }
    }

    /// Prepares a chunk of `paths` paths. With `lhs` this deals the strata, from a generator
    /// derived from the chunk's (its jump), so the path keys are the same for every sampler.
    pub fn begin_chunk(&self, paths: usize, rng: &ChunkRng, scratch: &mut DrawScratch) {
        scratch.chunk_paths = paths;
        if self.sampler != Sampler::Lhs {
            return;
        }
        let mut shuffler = rng.clone();
        shuffler.jump();
        let stride = CHUNK_PATHS as usize;
        for p in 0..self.random.len() {
            let strata = &mut scratch.strata[p * stride..p * stride + paths];
            for (k, s) in strata.iter_mut().enumerate() {
                *s = k as u32;
            }
            strata.shuffle(&mut shuffler);
        }
    }

    /// Draws every uncertain input of a path into `values` (which starts from
    /// [`InputDraw::initial_values`]). `in_chunk` is the path's position in its chunk,
    /// `global` its index in the run, `key` its key. Allocates nothing.
    #[inline]
    pub fn draw(
        &self,
        in_chunk: usize,
        global: u64,
        key: u64,
        scratch: &mut DrawScratch,
        values: &mut [f64],
    ) {
        self.draw_block(in_chunk, global, &[key], scratch, values);
    }

    /// Draws every uncertain input of a block of paths into `values` (input-major, lane-minor,
    /// starting from [`InputDraw::initial_block`]): the paths whose keys are `keys`, the first
    /// of which is the `in_chunk`-th of its chunk and the `global`-th of the run, the others
    /// following it. Each path gets exactly what [`InputDraw::draw`] gives it alone. At most
    /// [`BLOCK_PATHS`] paths; allocates nothing.
    pub fn draw_block(
        &self,
        in_chunk: usize,
        global: u64,
        keys: &[u64],
        scratch: &mut DrawScratch,
        values: &mut [f64],
    ) {
        // Compiled a second time for AVX2, as `Model::simulate_block` is: the same
        // operations, so the same bits.
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2.
            return unsafe { self.draw_block_avx2(in_chunk, global, keys, scratch, values) };
        }
        self.draw_block_inline(in_chunk, global, keys, scratch, values)
    }

    /// [`InputDraw::draw_block`] compiled for AVX2: what it calls is `#[inline(always)]`
    /// down to the families' loops.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn draw_block_avx2(
        &self,
        in_chunk: usize,
        global: u64,
        keys: &[u64],
        scratch: &mut DrawScratch,
        values: &mut [f64],
    ) {
        self.draw_block_inline(in_chunk, global, keys, scratch, values)
    }

    /// [`InputDraw::draw_block`]'s body, inlined into each of its two compilations.
    #[inline(always)]
    fn draw_block_inline(
        &self,
        in_chunk: usize,
        global: u64,
        keys: &[u64],
        scratch: &mut DrawScratch,
        values: &mut [f64],
    ) {
        let w = keys.len();
        let uniforms = &mut scratch.block[..self.random.len() * w];
        for (p, lanes) in uniforms.chunks_exact_mut(w).enumerate() {
            let salt = self.salts[p];
            for (u, &key) in lanes.iter_mut().zip(keys) {
                *u = uniform_salted(key, salt, 0);
            }
        }
        match self.sampler {
            Sampler::Mc => {}
            Sampler::Lhs => {
                let n = scratch.chunk_paths as f64;
                let stride = CHUNK_PATHS as usize;
                for (p, lanes) in uniforms.chunks_exact_mut(w).enumerate() {
                    let strata = &scratch.strata[p * stride + in_chunk..][..w];
                    for (u, &stratum) in lanes.iter_mut().zip(strata) {
                        *u = (f64::from(stratum) + *u) / n;
                    }
                }
            }
            Sampler::Sobol => {
                for l in 0..w {
                    let global = global + l as u64;
                    let block = global / SOBOL_BLOCK;
                    let index = (global % SOBOL_BLOCK) as u32;
                    let scramble =
                        mix64(self.seed ^ mix64(block.wrapping_add(0x5851_f42d_4c95_7f2d)));
                    let seed = (scramble >> 32) as u32;
                    for set in 0..self.random.len().div_ceil(4) {
                        let points = sobol_burley::sample_4d(index, set as u32, seed);
                        let dimensions = (self.random.len() - set * 4).min(4);
                        for (k, &cell) in points.iter().enumerate().take(dimensions) {
                            let u = &mut uniforms[(set * 4 + k) * w + l];
                            *u = f64::from(cell) + *u * SOBOL_CELL;
                        }
                    }
                }
            }
        }
        self.transform_block(w, scratch, values);
    }

    /// Passes the block's uniforms (`w` paths, in `scratch.block`) through the correlation
    /// groups' Gaussian copulas and every uncertain input's quantile function, into `values`.
    #[inline(always)]
    fn transform_block(&self, w: usize, scratch: &mut DrawScratch, values: &mut [f64]) {
        let inputs = &self.scenario.inputs;
        let uniforms = &mut scratch.block[..self.random.len() * w];
        for (g, positions) in self.groups.iter().zip(&self.group_positions) {
            g.correlate_block(uniforms, positions, w, &mut scratch.scores);
        }
        for (lanes, &j) in uniforms.chunks_exact(w).zip(&self.random) {
            inputs[j]
                .dist
                .sampling_quantiles(lanes, &mut values[j * w..(j + 1) * w]);
        }
    }

    /// The uncertain inputs (indices into the scenario's inputs), in file order: what each
    /// uniform of [`InputDraw::from_uniforms`] stands for.
    pub fn uncertain(&self) -> &[usize] {
        &self.random
    }

    /// Sets every uncertain input in `values` from its uniform in `uniforms` (one per
    /// uncertain input, in the order of [`InputDraw::uncertain`], each in (0, 1)), through the
    /// correlations and the inputs' quantile functions, as the samplers do. Allocates nothing.
    pub fn from_uniforms(&self, uniforms: &[f64], scratch: &mut DrawScratch, values: &mut [f64]) {
        scratch.block[..uniforms.len()].copy_from_slice(uniforms);
        self.transform_block(1, scratch, values);
    }
}

/// The width of the grid of `sobol_burley`'s `f32` points in [0, 1).
const SOBOL_CELL: f64 = 1.0 / (1u64 << 23) as f64;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::chunk_rng;
    use crate::scenario;
    use rand::Rng;

    fn scenario(extra: &str) -> Scenario {
        let text = format!(
            r#"
            [scenario]
            name = "draws"
            start_year = 2025
            horizon = 2025
            [streams.a]
            revenue = {{ dist = "uniform", min = 0.0, max = 1.0 }}
            growth = {{ dist = "normal", mean = 0.1, sd = 0.05, truncate = [0.0, 0.2] }}
            {extra}
            "#
        );
        scenario::parse(&text, "t.toml", &[]).unwrap()
    }

    fn draws(s: &Scenario, sampler: Sampler, paths: usize) -> Vec<Vec<f64>> {
        let d = InputDraw::new(s, sampler, 9).unwrap();
        let mut scratch = d.scratch();
        let mut values = d.initial_values();
        let mut rng = chunk_rng(9, 0);
        d.begin_chunk(paths, &rng, &mut scratch);
        (0..paths)
            .map(|i| {
                let key = rng.next_u64();
                d.draw(i, i as u64, key, &mut scratch, &mut values);
                values.clone()
            })
            .collect()
    }

    /// Where the processor has AVX2, `draw_block` runs its AVX2 compilation: it must give the
    /// bits of the plain one, for every family, truncated or not, with a correlation group,
    /// with every sampler, over a whole block.
    #[test]
    fn both_compilations_of_a_block_of_draws_give_the_same_bits() {
        let s = scenario(
            r#"
            [streams.b]
            revenue = { dist = "pert", min = 1.0, mode = 2.0, max = 9.0 }
            growth = { dist = "lognormal", mu = 0.0, sigma = 0.5 }
            volatility = { dist = "beta", alpha = 2.0, beta = 5.0 }
            terminal_growth = { dist = "triangular", min = 0.0, mode = 0.01, max = 0.05 }
            [streams.c]
            revenue = { dist = "normal", mean = 5.0, sd = 1.0, truncate = [0.0, 20.0] }
            growth = { dist = "discrete", values = [0.1, 0.2, 0.3] }
            volatility = { dist = "pert", min = 0.0, mode = 0.1, max = 0.5, truncate = [0.05, 0.4] }
            [correlations]
            pairs = [
              { a = "streams.b.revenue", b = "streams.c.revenue", rho = 0.6 },
              { a = "streams.b.revenue", b = "streams.a.growth", rho = -0.3 },
            ]
            "#,
        );
        let w = BLOCK_PATHS;
        for sampler in [Sampler::Mc, Sampler::Lhs, Sampler::Sobol] {
            let d = InputDraw::new(&s, sampler, 9).unwrap();
            let mut scratch = d.scratch();
            let rng = chunk_rng(9, 0);
            d.begin_chunk(CHUNK_PATHS as usize, &rng, &mut scratch);
            let keys: Vec<u64> = (0..w as u64).map(mix64).collect();
            let (mut dispatched, mut plain) = (d.initial_block(w), d.initial_block(w));
            d.draw_block(128, 5, &keys, &mut scratch, &mut dispatched);
            d.draw_block_inline(128, 5, &keys, &mut scratch, &mut plain);
            let bits = |v: &[f64]| -> Vec<u64> { v.iter().map(|x| x.to_bits()).collect() };
            assert_eq!(bits(&dispatched), bits(&plain), "{sampler:?}");
        }
    }

    #[test]
    fn lhs_puts_one_path_in_each_stratum_of_each_input() {
        let s = scenario("");
        let j = s.input_index("streams.a.revenue").unwrap();
        let n = 1000;
        let mut strata: Vec<usize> = draws(&s, Sampler::Lhs, n)
            .iter()
            .map(|v| (v[j] * n as f64) as usize)
            .collect();
        strata.sort_unstable();
        assert_eq!(strata, (0..n).collect::<Vec<_>>());
    }

    #[test]
    fn sobol_points_are_balanced_in_every_dyadic_interval() {
        // The first 2^10 points of a (scrambled) Sobol sequence put exactly 2^10 / 2^k points
        // in each interval [i / 2^k, (i + 1) / 2^k) of each dimension, for k <= 10.
        let s = scenario("");
        let j = s.input_index("streams.a.revenue").unwrap();
        let n = 1024;
        let mut counts = [0usize; 64];
        for v in draws(&s, Sampler::Sobol, n) {
            counts[(v[j] * 64.0) as usize] += 1;
        }
        assert!(counts.iter().all(|&c| c == 16), "{counts:?}");
    }

    #[test]
    fn every_sampler_keeps_truncated_draws_inside_and_is_reproducible() {
        let s = scenario("");
        let j = s.input_index("streams.a.growth").unwrap();
        for sampler in [Sampler::Mc, Sampler::Lhs, Sampler::Sobol] {
            let a = draws(&s, sampler, 500);
            assert!(a.iter().all(|v| (0.0..=0.2).contains(&v[j])), "{sampler:?}");
            assert_eq!(a, draws(&s, sampler, 500), "{sampler:?}");
        }
    }
}
