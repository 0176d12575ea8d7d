//! Rare-event probabilities by subset simulation, down to about 1e-12, with honest intervals.
//!
//! The event is `{score(z) >= 0}` for a point `z` of `d` independent standard normals. A
//! [`Score`] says how far a point is from the event: negative short of it, zero or more once
//! it is met, continuous where it can be so that levels between "far" and "met" exist. A
//! ratio test such as "revenue >= 2e12" scores `ln(revenue / 2e12)`, so the score is zero at
//! the threshold and the ratio reads off as `exp(score)`.
//!
//! [`estimate`] runs independent repetitions of [`subset`] simulation (Au & Beck 2001) and
//! combines them ([`Estimate`]): the mean of the repetitions' estimates, a 95% interval from
//! their spread, the evaluations used, and the gain over plain Monte Carlo at the same
//! relative error. Repetition `r` draws only from generators seeded from `(seed, r, level,
//! index)`, so the answer is the same for any thread count.
//!
//! What is scored: a firm's threshold ([`scenario`]) or a network's event ([`network`]), both
//! found by name as a [`target::Target`]; [`decide`] answers without sampling when the
//! scenario's inputs decide the outcome.

pub mod estimate;
pub mod network;
pub mod scenario;
pub mod subset;
pub mod target;

use std::sync::atomic::AtomicBool;

pub use estimate::{Estimate, Settings, SettingsError, Status};

/// The uniform `Phi(z)` of a standard-normal score, kept strictly inside (0, 1) so that
/// every inverse CDF gives a finite value: beyond |z| = 8.2 the normal CDF rounds to 1.
#[inline]
pub fn uniform(z: f64) -> f64 {
    crate::dist::normal_cdf(z).clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON / 2.0)
}

/// A continuous measure of how far a point of standard-normal space is from an event.
pub trait Score: Sync {
    /// Per-worker scratch space, created a few times per level and reused.
    type Scratch: Send;
    /// Why a point cannot be scored.
    type Error: Send;
    /// The dimension `d` of the points.
    fn dimension(&self) -> usize;
    /// Fresh scratch space.
    fn scratch(&self) -> Self::Scratch;
    /// The score of `z` (length [`Score::dimension`]): `>= 0` exactly when the event occurs.
    /// Should allocate nothing.
    fn score(&self, z: &[f64], scratch: &mut Self::Scratch) -> Result<f64, Self::Error>;
}

/// Observes the progress of [`estimate`]. Every method does nothing by default.
pub trait Progress: Sync {
    /// Repetition `done` (counting from 1) of `of` has finished with `evaluations` so far.
    fn repetition(&self, _done: usize, _of: usize, _evaluations: u64) {}
}

/// A progress observer that ignores everything.
pub struct NoProgress;

impl Progress for NoProgress {}

/// Estimates `P(score(z) >= 0)` for `z ~ N(0, I)` with `settings`, seeded by `seed`, on the
/// current rayon pool. Setting `cancel` stops at the next evaluation; the answer then holds
/// the repetitions completed and is marked partial.
pub fn estimate<S: Score>(
    score: &S,
    settings: &Settings,
    seed: u64,
    progress: &dyn Progress,
    cancel: &AtomicBool,
) -> Result<Estimate, S::Error> {
    let size = settings.run_size();
    let mut buffers = subset::Buffers::new(size.samples, score.dimension());
    let mut runs = Vec::with_capacity(settings.repetitions());
    let mut evaluations = 0;
    for r in 0..settings.repetitions() {
        let run = subset::run(score, size, seed, r as u64, &mut buffers, cancel)?;
        evaluations += run.evaluations;
        if run.end == subset::End::Cancelled {
            return Ok(Estimate::from_runs(&runs, settings, evaluations, true));
        }
        runs.push(run);
        progress.repetition(r + 1, settings.repetitions(), evaluations);
    }
    Ok(Estimate::from_runs(&runs, settings, evaluations, false))
}

/// The outcome every point shares, when it is known without sampling: `Some(false)` when no
/// point can meet the event (its score at the origin is minus infinity, which a score gives
/// only for an event impossible by construction, such as a break-even year before the
/// start), and, when the score has no coordinate (every input fixed, no volatility, no
/// uncertain shock: a single deterministic path), whether that path meets it; `None` when it
/// depends on the point.
pub fn certain_outcome<S: Score>(score: &S) -> Result<Option<bool>, S::Error> {
    let mut scratch = score.scratch();
    let z = vec![0.0; score.dimension()];
    let margin = score.score(&z, &mut scratch)?;
    if margin == f64::NEG_INFINITY {
        return Ok(Some(false));
    }
    Ok((score.dimension() == 0).then_some(margin >= 0.0))
}

/// The answer for `score`: known from one evaluation when [`certain_outcome`] gives it
/// ([`Estimate::known`]), else [`estimate`]d.
pub fn decide<S: Score>(
    score: &S,
    settings: &Settings,
    seed: u64,
    progress: &dyn Progress,
    cancel: &AtomicBool,
) -> Result<Estimate, S::Error> {
    if let Some(certain) = certain_outcome(score)? {
        return Ok(Estimate::known(certain, settings));
    }
    estimate(score, settings, seed, progress, cancel)
}
