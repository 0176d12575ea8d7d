//! One run of subset simulation (Au & Beck 2001; Zuev 2015, arXiv 1505.03506) in
//! standard-normal space.
//!
//! A rare event `{score(z) >= 0}` is reached through nested levels `{score(z) > b_j}`, each
//! holding about a fraction [`P0`] of the one before. Level 0 is plain Monte Carlo from
//! `N(0, I)`. Each next level starts from the samples of the current one at or above its
//! `N P0`-th largest score (the seeds) and grows them into Markov chains by conditional
//! sampling, the preconditioned Crank-Nicolson move of Papaioannou et al. (2015, "MCMC
//! algorithms for subset simulation"): `z' = rho z + s xi`, `xi ~ N(0, I)`, per coordinate
//! `s_i = min(1, lambda sd_i)` with `sd_i` the seeds' spread and `rho_i = sqrt(1 - s_i^2)`.
//! The move leaves `N(0, I)` invariant, so a candidate is accepted exactly when it stays in
//! the level. `lambda` adapts group by group of chains toward an acceptance rate of 0.44; it
//! starts at 1 and carries from one level to the next. (Papaioannou et al. restart it at 0.6
//! every level; on a one-dimensional normal tail at 1e-6 that left each level's upper tail
//! undersampled, and the mean of 100 x 10 runs of N = 1000 was 12% low, against 3% high, the
//! bias of the adaptive levels themselves, with this choice.) The estimate is the product of
//! the levels' conditional fractions. A score of NaN counts as minus infinity.
//!
//! Determinism: level-0 sample `i` and chain `c` of level `j` draw from their own generators,
//! seeded from `(seed, repetition, level, index)`; results go to fixed slots and level
//! statistics are computed in index order, so any thread count gives the same bits. The
//! buffers are allocated once per run (`N x d` states, twice); evaluating a point allocates
//! nothing. Cancellation is checked before every evaluation.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use super::Score;
use crate::rng::mix64;

/// The conditional probability aimed at by each level.
pub const P0: f64 = 0.1;

/// The acceptance rate the proposal spread adapts toward (Papaioannou et al. 2015).
const TARGET_ACCEPTANCE: f64 = 0.44;
/// The starting scale of the proposal relative to the seeds' spread.
const INITIAL_LAMBDA: f64 = 1.0;
/// Groups of chains per level between adaptations of the proposal.
const ADAPTATION_GROUPS: usize = 10;
/// The smallest seed spread a coordinate's proposal is scaled from, so that a coordinate on
/// which every seed agrees can still move.
const MIN_SPREAD: f64 = 0.05;

/// One conditional level of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    /// The score its samples exceed (`-inf` for level 0).
    pub threshold: f64,
    /// The fraction of its samples that go on to the next level (or meet the event, for the
    /// last level).
    pub fraction: f64,
    /// Share of the chain moves accepted (1 for level 0).
    pub acceptance: f64,
    /// Au and Beck's correlation factor `gamma` of the level's chains (0 for level 0).
    pub gamma: f64,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The last level holds at least `N P0` samples meeting the event.
    Reached,
    /// The levels reached the run's limit before the event.
    Floor,
    /// At least `N (1 - P0)` samples of a level share its top score: the score does not
    /// separate them, so no higher level can be formed.
    Stalled,
    /// Cancelled before the end.
    Cancelled,
}

/// What one run found.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub end: End,
    /// The product of the levels' fractions: the estimate when [`End::Reached`]; otherwise
    /// the probability of the last level formed, an estimate of an upper bound.
    pub probability: f64,
    pub levels: Vec<Level>,
    /// Score evaluations made.
    pub evaluations: u64,
    /// Au and Beck's squared coefficient of variation, the sum over levels of
    /// `(1 - P_j) / (N P_j) (1 + gamma_j)`.
    pub formula_cov2: f64,
    /// The largest score seen.
    pub max_score: f64,
}

/// How a run is sized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunSize {
    /// Samples per level, `N`: a multiple of 10 (`1 / P0`), at least 100.
    pub samples: usize,
    /// Conditional levels after level 0 at most: the run stops at probabilities of about
    /// `P0^max_levels`.
    pub max_levels: usize,
}

/// Buffers of a run, allocated once and reused for every level and repetition.
pub struct Buffers {
    d: usize,
    states: Vec<f64>,
    next_states: Vec<f64>,
    scores: Vec<f64>,
    next_scores: Vec<f64>,
    select: Vec<f64>,
    seeds: Vec<usize>,
    spread: Vec<f64>,
    step: Vec<f64>,
    rho: Vec<f64>,
}

impl Buffers {
    /// Buffers for `samples` points of dimension `d`.
    pub fn new(samples: usize, d: usize) -> Buffers {
        Buffers {
            d,
            states: vec![0.0; samples * d],
            next_states: vec![0.0; samples * d],
            scores: vec![0.0; samples],
            next_scores: vec![0.0; samples],
            select: vec![0.0; samples],
            seeds: Vec::with_capacity(samples),
            spread: vec![0.0; d],
            step: vec![0.0; d],
            rho: vec![0.0; d],
        }
    }
}

/// The generator for item `index` of level `level` in repetition `repetition`.
fn generator(seed: u64, repetition: u64, level: u64, index: u64) -> Xoshiro256PlusPlus {
    let mut h = mix64(seed ^ 0x2545_f491_4f6c_dd1d);
    for x in [repetition, level, index] {
        h = mix64(h ^ mix64(x.wrapping_add(0x9e37_79b9_7f4a_7c15)));
    }
    Xoshiro256PlusPlus::seed_from_u64(h)
}

/// Where the chains of a level lie: `n` chains share `N` samples, the first `N mod n` one
/// sample longer.
#[derive(Debug, Clone, Copy)]
struct Chains {
    n: usize,
    base: usize,
    extra: usize,
}

impl Chains {
    fn new(samples: usize, n: usize) -> Chains {
        Chains {
            n,
            base: samples / n,
            extra: samples % n,
        }
    }

    fn len(&self, c: usize) -> usize {
        self.base + usize::from(c < self.extra)
    }

    fn start(&self, c: usize) -> usize {
        c * self.base + c.min(self.extra)
    }
}

/// What a chain or a block of samples did.
#[derive(Debug, Clone, Copy, Default)]
struct Work {
    evaluations: u64,
    accepted: u64,
    cancelled: bool,
}

impl Work {
    fn add(self, other: Work) -> Work {
        Work {
            evaluations: self.evaluations + other.evaluations,
            accepted: self.accepted + other.accepted,
            cancelled: self.cancelled || other.cancelled,
        }
    }
}

/// The first error by index, so that which error is reported does not depend on threads.
fn first_error<E>(
    a: Result<Work, (usize, E)>,
    b: Result<Work, (usize, E)>,
) -> Result<Work, (usize, E)> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok(a.add(b)),
        (Err(a), Err(b)) => Err(if a.0 <= b.0 { a } else { b }),
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

/// Runs one repetition of subset simulation.
pub fn run<S: Score>(
    score: &S,
    size: RunSize,
    seed: u64,
    repetition: u64,
    buffers: &mut Buffers,
    cancel: &AtomicBool,
) -> Result<Run, S::Error> {
    let n = size.samples;
    let keep = (n as f64 * P0).round() as usize;
    let mut levels = Vec::new();
    let mut evaluations = 0u64;
    let mut probability = 1.0;
    let mut formula_cov2 = 0.0;
    let mut max_score = f64::NEG_INFINITY;

    let work = sample_level_zero(score, seed, repetition, buffers, cancel).map_err(|(_, e)| e)?;
    evaluations += work.evaluations;
    let mut threshold = f64::NEG_INFINITY;
    let mut chains: Option<Chains> = None;
    let mut acceptance = 1.0;
    let mut lambda = INITIAL_LAMBDA;
    let end = loop {
        if work.cancelled {
            break End::Cancelled;
        }
        let scores = &buffers.scores;
        max_score = scores.iter().copied().fold(max_score, f64::max);
        let hits = scores.iter().filter(|&&s| s >= 0.0).count();
        let hit_fraction = hits as f64 / n as f64;
        let mut level = Level {
            threshold,
            fraction: hit_fraction,
            acceptance,
            gamma: 0.0,
        };
        // The next level's threshold: between the `keep`-th largest score and the largest
        // score below it.
        let next = if hits >= keep || levels.len() == size.max_levels {
            None
        } else {
            buffers.select.copy_from_slice(scores);
            let (_, &mut top, _) = buffers
                .select
                .select_nth_unstable_by(keep - 1, |a, b| b.total_cmp(a));
            let below = scores
                .iter()
                .copied()
                .filter(|&s| s < top)
                .fold(f64::NEG_INFINITY, f64::max);
            if below == f64::NEG_INFINITY && scores.iter().all(|&s| s >= top) {
                None
            } else if below.is_finite() {
                Some(below + 0.5 * (top - below))
            } else {
                Some(top - top.abs().max(1.0))
            }
        };
        let Some(b) = next else {
            let end = if hits >= keep {
                probability *= hit_fraction;
                End::Reached
            } else if levels.len() == size.max_levels {
                End::Floor
            } else {
                End::Stalled
            };
            if end == End::Reached {
                level.gamma = chains.map_or(0.0, |c| {
                    chain_correlation(scores, c, |s| s >= 0.0, hit_fraction)
                });
                formula_cov2 += level_cov2(hit_fraction, n, level.gamma);
            }
            levels.push(level);
            break end;
        };
        let fraction = scores.iter().filter(|&&s| s > b).count() as f64 / n as f64;
        level.fraction = fraction;
        level.gamma = chains.map_or(0.0, |c| chain_correlation(scores, c, |s| s > b, fraction));
        formula_cov2 += level_cov2(fraction, n, level.gamma);
        levels.push(level);
        probability *= fraction;

        buffers.seeds.clear();
        buffers
            .seeds
            .extend((0..n).filter(|&i| buffers.scores[i] > b));
        let layout = Chains::new(n, buffers.seeds.len());
        let index = levels.len() as u64;
        let work = grow_chains(
            score,
            b,
            layout,
            seed,
            repetition,
            index,
            buffers,
            &mut lambda,
            cancel,
        )
        .map_err(|(_, e)| e)?;
        evaluations += work.evaluations;
        std::mem::swap(&mut buffers.states, &mut buffers.next_states);
        std::mem::swap(&mut buffers.scores, &mut buffers.next_scores);
        if work.cancelled {
            break End::Cancelled;
        }
        acceptance = work.accepted as f64 / work.evaluations.max(1) as f64;
        threshold = b;
        chains = Some(layout);
    };
    Ok(Run {
        end,
        probability,
        levels,
        evaluations,
        formula_cov2,
        max_score,
    })
}

/// Level 0: `N` independent standard-normal points and their scores.
fn sample_level_zero<S: Score>(
    score: &S,
    seed: u64,
    repetition: u64,
    buffers: &mut Buffers,
    cancel: &AtomicBool,
) -> Result<Work, (usize, S::Error)> {
    let d = buffers.d;
    let per_piece = (buffers.scores.len() / (4 * rayon::current_num_threads())).max(1);
    buffers
        .states
        .par_chunks_mut(d)
        .zip(buffers.scores.par_iter_mut())
        .enumerate()
        .with_min_len(per_piece)
        .map_init(
            || score.scratch(),
            |scratch, (i, (z, s))| {
                if cancel.load(Ordering::Relaxed) {
                    return Ok(Work {
                        cancelled: true,
                        ..Work::default()
                    });
                }
                let mut rng = generator(seed, repetition, 0, i as u64);
                for x in z.iter_mut() {
                    *x = StandardNormal.sample(&mut rng);
                }
                *s = not_nan(score.score(z, scratch).map_err(|e| (i, e))?);
                Ok(Work {
                    evaluations: 1,
                    accepted: 1,
                    cancelled: false,
                })
            },
        )
        .reduce(|| Ok(Work::default()), first_error)
}

/// Grows the seeds of the current level into chains of the next, whose samples exceed `b`,
/// writing them to the buffers' next states and scores.
#[allow(clippy::too_many_arguments)]
fn grow_chains<S: Score>(
    score: &S,
    b: f64,
    layout: Chains,
    seed: u64,
    repetition: u64,
    level: u64,
    buffers: &mut Buffers,
    lambda: &mut f64,
    cancel: &AtomicBool,
) -> Result<Work, (usize, S::Error)> {
    let d = buffers.d;
    let Buffers {
        states,
        next_states,
        scores,
        next_scores,
        seeds,
        spread,
        step,
        rho,
        ..
    } = buffers;
    // The seeds' spread per coordinate.
    let m = seeds.len() as f64;
    for (i, sd) in spread.iter_mut().enumerate() {
        let mean = seeds.iter().map(|&k| states[k * d + i]).sum::<f64>() / m;
        let var = seeds
            .iter()
            .map(|&k| (states[k * d + i] - mean).powi(2))
            .sum::<f64>()
            / (m - 1.0).max(1.0);
        *sd = var.sqrt().max(MIN_SPREAD);
    }
    let mut total = Work::default();
    let groups = ADAPTATION_GROUPS.min(layout.n);
    for g in 0..groups {
        for ((s, r), sd) in step.iter_mut().zip(rho.iter_mut()).zip(spread.iter()) {
            *s = (*lambda * sd).min(1.0);
            *r = (1.0 - *s * *s).sqrt();
        }
        let chains = (g * layout.n / groups)..((g + 1) * layout.n / groups);
        let start = layout.start(chains.start);
        let end = layout.start(chains.end);
        let slices = split_chains(
            &mut next_states[start * d..end * d],
            &mut next_scores[start..end],
            d,
            layout,
            chains.clone(),
        );
        let (states, scores, seeds, step, rho) = (&*states, &*scores, &*seeds, &*step, &*rho);
        let work = slices
            .into_par_iter()
            .map_init(
                || score.scratch(),
                |scratch, (c, chain_states, chain_scores)| {
                    let k = seeds[c];
                    chain_states[..d].copy_from_slice(&states[k * d..(k + 1) * d]);
                    chain_scores[0] = scores[k];
                    let mut rng = generator(seed, repetition, level, c as u64);
                    run_chain(
                        score,
                        b,
                        (step, rho),
                        chain_states,
                        chain_scores,
                        &mut rng,
                        scratch,
                        cancel,
                    )
                    .map_err(|e| (c, e))
                },
            )
            .reduce(|| Ok(Work::default()), first_error)?;
        total = total.add(work);
        if work.cancelled {
            break;
        }
        // Robbins-Monro step on log lambda (Papaioannou et al. 2015, algorithm 5).
        let rate = work.accepted as f64 / work.evaluations.max(1) as f64;
        *lambda = (lambda.ln() + (rate - TARGET_ACCEPTANCE) / ((g + 1) as f64).sqrt())
            .exp()
            .clamp(1e-3, 1e3);
    }
    Ok(total)
}

/// Splits the samples of `chains` (starting at the first of them) into one `(chain, states,
/// scores)` per chain.
fn split_chains<'a>(
    mut states: &'a mut [f64],
    mut scores: &'a mut [f64],
    d: usize,
    layout: Chains,
    chains: Range<usize>,
) -> Vec<(usize, &'a mut [f64], &'a mut [f64])> {
    let mut out = Vec::with_capacity(chains.len());
    for c in chains {
        let len = layout.len(c);
        let (s, rest) = std::mem::take(&mut states).split_at_mut(len * d);
        let (y, rest_y) = std::mem::take(&mut scores).split_at_mut(len);
        states = rest;
        scores = rest_y;
        out.push((c, s, y));
    }
    out
}

/// Runs one chain from its seed (already in slot 0): each step proposes a move and keeps it
/// when its score exceeds `b`.
#[allow(clippy::too_many_arguments)]
fn run_chain<S: Score>(
    score: &S,
    b: f64,
    (step, rho): (&[f64], &[f64]),
    states: &mut [f64],
    scores: &mut [f64],
    rng: &mut Xoshiro256PlusPlus,
    scratch: &mut S::Scratch,
    cancel: &AtomicBool,
) -> Result<Work, S::Error> {
    let d = step.len();
    let mut work = Work::default();
    for k in 1..scores.len() {
        if cancel.load(Ordering::Relaxed) {
            work.cancelled = true;
            return Ok(work);
        }
        let (done, rest) = states.split_at_mut(k * d);
        let previous = &done[(k - 1) * d..];
        let candidate = &mut rest[..d];
        for i in 0..d {
            let xi: f64 = StandardNormal.sample(rng);
            candidate[i] = rho[i] * previous[i] + step[i] * xi;
        }
        let s = not_nan(score.score(candidate, scratch)?);
        work.evaluations += 1;
        if s > b {
            scores[k] = s;
            work.accepted += 1;
        } else {
            candidate.copy_from_slice(previous);
            scores[k] = scores[k - 1];
        }
    }
    Ok(work)
}

/// A score, with NaN as minus infinity.
#[inline]
fn not_nan(s: f64) -> f64 {
    if s.is_nan() { f64::NEG_INFINITY } else { s }
}

/// A level's share of the squared coefficient of variation (Au & Beck 2001, eq. 28).
fn level_cov2(fraction: f64, samples: usize, gamma: f64) -> f64 {
    if fraction > 0.0 {
        (1.0 - fraction) / (samples as f64 * fraction) * (1.0 + gamma)
    } else {
        0.0
    }
}

/// Au and Beck's (2001, eq. 29) factor `gamma = 2 sum_{t=1}^{L-1} (1 - t/L) rho(t)` from the
/// lag correlations `rho(t)` of the indicator `passing` along the chains of a level.
fn chain_correlation(
    scores: &[f64],
    layout: Chains,
    passing: impl Fn(f64) -> bool,
    fraction: f64,
) -> f64 {
    let variance = fraction * (1.0 - fraction);
    if variance <= 0.0 {
        return 0.0;
    }
    let longest = layout.len(0);
    let mut gamma = 0.0;
    for lag in 1..longest {
        let (mut sum, mut pairs) = (0.0, 0usize);
        for c in 0..layout.n {
            let start = layout.start(c);
            let len = layout.len(c);
            for k in 0..len.saturating_sub(lag) {
                let a = passing(scores[start + k]);
                let b = passing(scores[start + k + lag]);
                sum += f64::from(u8::from(a && b));
                pairs += 1;
            }
        }
        if pairs == 0 {
            break;
        }
        let rho = (sum / pairs as f64 - fraction * fraction) / variance;
        gamma += 2.0 * (1.0 - lag as f64 / layout.base as f64).max(0.0) * rho;
    }
    gamma.max(0.0)
}
