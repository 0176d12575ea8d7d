//! Clearing a year's payments between entities that may not all pay in full (Eisenberg and
//! Noe, "Systemic Risk in Financial Systems", Management Science 47(2), 2001).
//!
//! Entity `i` owes `L[i][j]` to entity `j` this year, `p̄_i = Σ_j L[i][j]` in all, and has
//! resources `e_i` of its own (cash, its operating cash flow, its unused financing capacity;
//! negative when even those fall short of its outside costs). A defaulting entity pays every
//! counterparty the same share of what it owes. Of each payment the receiver may be able to
//! use only part (`U[i][j] <= L[i][j]`: a purchase's revenue is worth its margin to the payee,
//! net of cost of revenue and SG&A). With `Π[i][j] = U[i][j] / p̄_i` the payments `p` form a
//! *clearing vector* when
//!
//! ```text
//! p_i = min(p̄_i, max(0, e_i + Σ_j Π[j][i] p_j))   for every i.
//! ```
//!
//! With `U = L` and `e >= 0` this is exactly Eisenberg and Noe's model.
//!
//! [`Clearing::clear`] finds the greatest clearing vector by Eisenberg and Noe's fictitious
//! default algorithm: start from everyone paying in full (when everyone who owes anything
//! can, that is the answer, found in one pass); classify each entity as paying in full, partly, or nothing
//! given the others' current payments; solve the linear equations
//! of the partly-paying ones exactly (Gaussian elimination with partial pivoting) with the
//! others' payments fixed; repeat until the classification no longer changes. Payments only
//! fall from round to round, so an entity that defaults stays defaulted and the loop ends
//! within `2n + 1` rounds. If the equations are singular (a closed ring of defaulters owing
//! only each other), the greatest fixed point is reached instead by the monotone iteration
//! `p ← Φ(p)` from the current payments, at most [`MAX_ITERATIONS`] times. Every step runs in
//! a fixed order, so the result is deterministic; the scratch space is allocated once.
//!
//! Obligations are stored only on the pairs of entities that some flow joins ([`Pairs`]): the
//! other entries of `L` are zeros, which change no sum of finite amounts, so the payments are
//! those of the full matrix bit for bit.

/// The most monotone iterations after a singular system.
pub const MAX_ITERATIONS: usize = 10_000;

/// Which entities may owe which: the ordered pairs `(payer, payee)` of a network's
/// obligations, each with its index in the arrays of obligations. Only these pairs are
/// stored and summed: the others owe nothing, and adding their zeros changes no sum of finite
/// amounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pairs {
    n: usize,
    /// `(payer, payee)` of each pair, in the order of the obligation arrays.
    pairs: Vec<(usize, usize)>,
    /// Per entity: its pairs as payer, by payee.
    owes: Vec<Vec<usize>>,
    /// Per entity: `(payer, pair)` of the pairs where it is payee, by payer.
    owed_by: Vec<Vec<(usize, usize)>>,
    /// The pair of `(i, j)` at `i * n + j`.
    index: Vec<Option<usize>>,
}

impl Pairs {
    /// The pairs of `n` entities that `owing` lists (each `(payer, payee)`, payer and payee
    /// different, in any order, repeats allowed), sorted by payer, then payee.
    pub fn new(n: usize, owing: impl IntoIterator<Item = (usize, usize)>) -> Pairs {
        let mut pairs: Vec<(usize, usize)> = owing.into_iter().collect();
        debug_assert!(pairs.iter().all(|&(i, j)| i != j && i < n && j < n));
        pairs.sort_unstable();
        pairs.dedup();
        Pairs::of(n, pairs)
    }

    /// Every pair of `n` entities, the diagonal included: pair `(i, j)` is `i * n + j`, so
    /// that obligations can be given as an `n` by `n` matrix (zero on the diagonal).
    pub fn dense(n: usize) -> Pairs {
        Pairs::of(
            n,
            (0..n).flat_map(|i| (0..n).map(move |j| (i, j))).collect(),
        )
    }

    fn of(n: usize, pairs: Vec<(usize, usize)>) -> Pairs {
        let mut owes = vec![Vec::new(); n];
        let mut owed_by = vec![Vec::new(); n];
        let mut index = vec![None; n * n];
        for (p, &(i, j)) in pairs.iter().enumerate() {
            owes[i].push(p);
            if i != j {
                owed_by[j].push((i, p));
            }
            index[i * n + j] = Some(p);
        }
        Pairs {
            n,
            pairs,
            owes,
            owed_by,
            index,
        }
    }

    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether no entity may owe another.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The index of the pair `(payer, payee)`, if it is one.
    pub fn index(&self, payer: usize, payee: usize) -> Option<usize> {
        self.index[payer * self.n + payee]
    }

    /// `(payer, pair)` of the pairs where entity `payee` is paid, by payer.
    pub fn owed_by(&self, payee: usize) -> &[(usize, usize)] {
        &self.owed_by[payee]
    }
}

/// How an entity pays in the current round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Full,
    Partial,
    Nothing,
}

/// Reusable scratch space for clearing a network whose obligations are on `pairs`.
#[derive(Debug, Clone)]
pub struct Clearing {
    n: usize,
    pairs: Pairs,
    owed: Vec<f64>,
    class: Vec<Class>,
    matrix: Vec<f64>,
    rhs: Vec<f64>,
    partial: Vec<usize>,
    /// Per entity: its resources plus what it can use of the others' current payments, and
    /// whether its payment changed in the last solve (so its payees' values are stale).
    value: Vec<f64>,
    changed: Vec<bool>,
    previous: Vec<f64>,
}

/// How the clearing ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cleared {
    /// Classification rounds run.
    pub rounds: usize,
    /// Monotone iterations after a singular system (zero when the exact step sufficed).
    pub iterations: usize,
    /// Whether some entity paid less than it owed, or had negative resources.
    pub any_default: bool,
}

impl Clearing {
    /// Scratch space for the entities of `pairs`.
    pub fn new(pairs: Pairs) -> Clearing {
        let n = pairs.n;
        Clearing {
            n,
            pairs,
            owed: vec![0.0; n],
            class: vec![Class::Full; n],
            matrix: vec![0.0; n * n],
            rhs: vec![0.0; n],
            partial: Vec::with_capacity(n),
            value: vec![0.0; n],
            changed: vec![false; n],
            previous: vec![0.0; n],
        }
    }

    /// What `i` can use of the others' payments `p`.
    fn inflow(&self, usable: &[f64], p: &[f64], i: usize) -> f64 {
        inflow(&self.pairs.owed_by[i], &self.owed, usable, p)
    }

    /// What `j` owes `i` that `i` can use when paid in full (zero off the pairs).
    fn usable(&self, usable: &[f64], j: usize, i: usize) -> f64 {
        self.pairs.index(j, i).map_or(0.0, |p| usable[p])
    }

    fn classify(&self, value: f64, i: usize) -> Class {
        classify(value, self.owed[i])
    }

    /// [`Clearing::clear_payments`] with `insolvent` (what each entity owes in all, `owed`,
    /// and its value when everyone pays in full, `values`) in its common case, without its
    /// general machinery: at most one entity can pay only part of what it owes against the
    /// others' full payments (any number may pay nothing), the classification does not
    /// change once they pay what the first solve gives, and those payments are a fixed point
    /// to the same tolerance. Then writes the payments that [`Clearing::clear_payments`]
    /// gives, with the same arithmetic on the same numbers (so the same bits), and returns
    /// true; otherwise returns false, leaving `payments` to be set by
    /// [`Clearing::clear_payments`].
    ///
    /// The steps are those of [`Clearing::clear_payments`] in this case: the first
    /// classification; the solve, which pays those who pay nothing nothing and solves one
    /// equation (coefficient 1) for the one who pays partly: its resources plus what it can
    /// use of each full payer's obligation to it, summed over the entities in order (zero
    /// off the pairs), clamped to what it owes; the second classification, which computes
    /// again the values of the entities one of whose payers' payment changed, and finds every
    /// class as before; then the test of the values against the payments.
    #[allow(clippy::needless_range_loop)]
    fn clear_one_short(
        &mut self,
        usable: &[f64],
        resources: &[f64],
        payments: &mut [f64],
        owed: &[f64],
        values: &[f64],
    ) -> bool {
        let n = self.n;
        let (owed, values) = (&owed[..n], &values[..n]);
        let (class, changed) = (&mut self.class[..n], &mut self.changed[..n]);
        let mut partial = None;
        for k in 0..n {
            class[k] = classify(values[k], owed[k]);
            if class[k] == Class::Partial {
                if partial.is_some() {
                    return false;
                }
                partial = Some(k);
            }
        }
        for k in 0..n {
            payments[k] = match class[k] {
                Class::Nothing => 0.0,
                _ => owed[k],
            };
        }
        if let Some(i) = partial {
            let mut rhs = resources[i];
            for j in 0..n {
                if j != i && class[j] == Class::Full && owed[j] > 0.0 {
                    rhs += self.pairs.index(j, i).map_or(0.0, |p| usable[p]);
                }
            }
            payments[i] = (rhs / 1.0).clamp(0.0, owed[i]);
        }
        // The entities whose values the second classification computes again: the payees of
        // those whose payment changed (`changed` marks them).
        changed.fill(false);
        for j in 0..n {
            if payments[j].to_bits() != owed[j].to_bits() {
                for &p in &self.pairs.owes[j] {
                    let payee = self.pairs.pairs[p].1;
                    changed[payee] |= payee != j;
                }
            }
        }
        // The test of the values against the payments, to a tolerance computed only if some
        // difference is not zero. An entity that pays in full and whose value was not
        // computed again passes it: its value is at least what it owes and it pays that.
        let mut tolerance = None;
        for k in 0..n {
            let value = if changed[k] {
                let value = resources[k] + inflow(&self.pairs.owed_by[k], owed, usable, payments);
                if classify(value, owed[k]) != class[k] {
                    return false;
                }
                value
            } else if class[k] == Class::Full {
                continue;
            } else {
                values[k]
            };
            let difference = (value.clamp(0.0, owed[k]) - payments[k]).abs();
            if difference != 0.0 {
                let tolerance = *tolerance.get_or_insert_with(|| {
                    1e-9 * owed
                        .iter()
                        .chain(resources)
                        .fold(1.0f64, |m, x| m.max(x.abs()))
                });
                // Not within it, or not a number.
                if difference > tolerance || difference.is_nan() {
                    return false;
                }
            }
        }
        true
    }

    /// Clears one year: `obligations[p]` is what the payer of pair `p` owes its payee (not
    /// negative), `usable[p]` the part of it the payee can use when it is paid in full (at
    /// most the obligation), and `resources[i]` what `i` has of its own. Writes into
    /// `payments[i]` what `i` pays in all; it pays each counterparty `payments[i] / owed(i)`
    /// of what it owes.
    // Entity indices run over several arrays at once.
    #[allow(clippy::needless_range_loop)]
    pub fn clear(
        &mut self,
        obligations: &[f64],
        usable: &[f64],
        resources: &[f64],
        payments: &mut [f64],
    ) -> Cleared {
        let (rounds, iterations) =
            self.clear_payments(obligations, usable, resources, payments, None);
        let any_default = (0..self.n).any(|i| {
            payments[i] < self.owed[i]
                || resources[i] + self.inflow(usable, payments, i) < self.owed[i]
        });
        Cleared {
            rounds,
            iterations,
            any_default,
        }
    }

    /// The payments of [`Clearing::clear`] alone; returns its rounds and iterations. With
    /// `insolvent`, the caller knows that not everyone who owes anything can pay it in full
    /// when the others do (the common case's test, which is then skipped, would fail), and
    /// gives what each entity owes in all (summed as here) and its resources plus what it can
    /// use of the others' payments in full (as [`Clearing::inflow`] computes them).
    ///
    /// Each entity's value (its resources plus what it can use of the others' current
    /// payments) is computed again only when a payment it receives changed: the same
    /// arithmetic on the same numbers, so the same bits as computing every value every round.
    #[allow(clippy::needless_range_loop)]
    fn clear_payments(
        &mut self,
        obligations: &[f64],
        usable: &[f64],
        resources: &[f64],
        payments: &mut [f64],
        insolvent: Option<(&[f64], &[f64])>,
    ) -> (usize, usize) {
        let n = self.n;
        match insolvent {
            Some((owed, _)) => self.owed[..n].copy_from_slice(&owed[..n]),
            None => {
                debug_assert_eq!(obligations.len(), self.pairs.len());
                for i in 0..n {
                    self.owed[i] = self.pairs.owes[i]
                        .iter()
                        .fold(0.0, |sum, &p| sum + obligations[p]);
                }
            }
        }
        for i in 0..n {
            payments[i] = self.owed[i];
            self.class[i] = Class::Full;
        }
        match insolvent {
            Some((_, values)) => self.value[..n].copy_from_slice(&values[..n]),
            None => {
                for i in 0..n {
                    self.value[i] = resources[i] + self.inflow(usable, payments, i);
                }
                // The common case: everyone who owes anything can pay it in full given that
                // everyone else does. Those payments are then the greatest clearing vector
                // (one who owes nothing pays nothing, whatever its resources).
                let mut solvent = true;
                for i in 0..n {
                    solvent &= self.value[i] >= self.owed[i] || self.owed[i] <= 0.0;
                }
                if solvent {
                    return (1, 0);
                }
            }
        }
        let mut rounds = 0;
        let mut singular = false;
        // Whether the values are those of the current payments.
        let mut current: bool;
        loop {
            rounds += 1;
            // Classify against the current payments.
            let mut changed = false;
            for i in 0..n {
                if rounds > 1 && self.pairs.owed_by[i].iter().any(|&(j, _)| self.changed[j]) {
                    self.value[i] = resources[i] + self.inflow(usable, payments, i);
                }
                let class = self.classify(self.value[i], i);
                if class != self.class[i] {
                    changed = true;
                    self.class[i] = class;
                }
            }
            current = true;
            if rounds > 1 && !changed {
                break;
            }
            self.previous[..n].copy_from_slice(&payments[..n]);
            if !self.solve(usable, resources, payments) {
                singular = true;
                break;
            }
            for j in 0..n {
                self.changed[j] = payments[j].to_bits() != self.previous[j].to_bits();
            }
            current = false;
            if rounds > 2 * n + 1 {
                break;
            }
        }
        let fixed = !singular
            && if current {
                let tolerance = 1e-9 * self.scale(resources);
                (0..n).all(|i| {
                    (self.value[i].clamp(0.0, self.owed[i]) - payments[i]).abs() <= tolerance
                })
            } else {
                self.is_fixed_point(usable, resources, payments)
            };
        let mut iterations = 0;
        if !fixed {
            // Φ is monotone and the payments sit above the greatest fixed point: iterate down.
            while iterations < MAX_ITERATIONS {
                iterations += 1;
                let mut moved = 0.0f64;
                for i in 0..n {
                    let value = resources[i] + self.inflow(usable, payments, i);
                    let next = value.clamp(0.0, self.owed[i]);
                    moved = moved.max((payments[i] - next).abs());
                    payments[i] = next;
                }
                if moved <= 1e-12 * self.scale(resources) {
                    break;
                }
            }
        }
        (rounds, iterations)
    }

    /// The largest amount in play, for a relative tolerance.
    fn scale(&self, resources: &[f64]) -> f64 {
        self.owed
            .iter()
            .chain(resources)
            .fold(1.0f64, |m, x| m.max(x.abs()))
    }

    /// Whether `payments` satisfy the clearing equations to rounding.
    fn is_fixed_point(&self, usable: &[f64], resources: &[f64], payments: &[f64]) -> bool {
        let tolerance = 1e-9 * self.scale(resources);
        (0..self.n).all(|i| {
            let value = resources[i] + self.inflow(usable, payments, i);
            (value.clamp(0.0, self.owed[i]) - payments[i]).abs() <= tolerance
        })
    }

    /// Sets the payments of the current classification: full payers pay what they owe,
    /// non-payers nothing, and the partly paying ones solve
    /// `p_i - Σ_{j partial} Π[j][i] p_j = e_i + Σ_{j full} Π[j][i] p̄_j`.
    /// Returns false when that system is singular.
    #[allow(clippy::needless_range_loop)]
    fn solve(&mut self, usable: &[f64], resources: &[f64], payments: &mut [f64]) -> bool {
        let n = self.n;
        self.partial.clear();
        for i in 0..n {
            match self.class[i] {
                Class::Full => payments[i] = self.owed[i],
                Class::Nothing => payments[i] = 0.0,
                Class::Partial => self.partial.push(i),
            }
        }
        let m = self.partial.len();
        if m == 0 {
            return true;
        }
        // Rows and columns of the partly paying entities only.
        for (r, &i) in self.partial.iter().enumerate() {
            let mut rhs = resources[i];
            for j in 0..n {
                if j != i && self.class[j] == Class::Full && self.owed[j] > 0.0 {
                    rhs += self.usable(usable, j, i);
                }
            }
            self.rhs[r] = rhs;
            for (c, &j) in self.partial.iter().enumerate() {
                self.matrix[r * m + c] = if i == j {
                    1.0
                } else {
                    -self.usable(usable, j, i) / self.owed[j]
                };
            }
        }
        let (a, b) = (&mut self.matrix[..m * m], &mut self.rhs[..m]);
        for col in 0..m {
            let pivot = (col..m)
                .max_by(|&x, &y| a[x * m + col].abs().total_cmp(&a[y * m + col].abs()))
                .expect("a column has rows");
            if a[pivot * m + col].abs() < 1e-12 {
                return false;
            }
            if pivot != col {
                for c in 0..m {
                    a.swap(pivot * m + c, col * m + c);
                }
                b.swap(pivot, col);
            }
            for row in col + 1..m {
                let factor = a[row * m + col] / a[col * m + col];
                if factor != 0.0 {
                    for c in col..m {
                        a[row * m + c] -= factor * a[col * m + c];
                    }
                    b[row] -= factor * b[col];
                }
            }
        }
        for row in (0..m).rev() {
            let mut x = b[row];
            for c in row + 1..m {
                x -= a[row * m + c] * b[c];
            }
            b[row] = x / a[row * m + row];
        }
        for (r, &i) in self.partial.iter().enumerate() {
            payments[i] = b[r].clamp(0.0, self.owed[i]);
        }
        true
    }
}

/// Reusable scratch space for clearing a year of each path of a block of `width` paths of a
/// network whose obligations are on `pairs`.
#[derive(Debug, Clone)]
pub struct BlockClearing {
    width: usize,
    pairs: Pairs,
    one: Clearing,
    /// Each entity's inflow when everyone pays in full, and its resources plus that inflow
    /// (row `i`), lane-minor.
    inflow: Vec<f64>,
    values: Vec<f64>,
    /// Per path: whether everyone who owes anything can pay it in full (1) or not (0).
    solvent: Vec<u8>,
    /// One path's arrays, for [`Clearing::clear`].
    owed: Vec<f64>,
    usable: Vec<f64>,
    resources: Vec<f64>,
    value: Vec<f64>,
    payments: Vec<f64>,
}

impl BlockClearing {
    /// Scratch space for blocks of `width` paths of the entities of `pairs`.
    pub fn new(pairs: Pairs, width: usize) -> BlockClearing {
        let (n, k) = (pairs.n, pairs.len());
        BlockClearing {
            width,
            one: Clearing::new(pairs.clone()),
            pairs,
            inflow: vec![0.0; width],
            values: vec![0.0; n * width],
            solvent: vec![1; width],
            owed: vec![0.0; n],
            usable: vec![0.0; k],
            resources: vec![0.0; n],
            value: vec![0.0; n],
            payments: vec![0.0; n],
        }
    }

    /// Clears one year of each of the block's first `lanes` paths, every array lane-minor:
    /// `obligations[p * width + l]` and `usable` as [`Clearing::clear`] takes them for path
    /// `l`, `resources[i * width + l]`. Writes what each entity owes in all into `owed` and
    /// what it pays into `payments` (both `[i * width + l]`), exactly as [`Clearing::clear`]
    /// gives them path by path: the paths where everyone who owes anything can pay in full
    /// are found for the block at once (their payments are what is owed), the others are
    /// cleared one by one.
    #[allow(clippy::needless_range_loop)]
    #[inline(always)]
    pub fn clear(
        &mut self,
        lanes: usize,
        obligations: &[f64],
        usable: &[f64],
        resources: &[f64],
        owed: &mut [f64],
        payments: &mut [f64],
    ) {
        let (n, w) = (self.pairs.n, self.width);
        for i in 0..n {
            let owed = &mut owed[i * w..i * w + lanes];
            owed.fill(0.0);
            for &p in &self.pairs.owes[i] {
                add_into(owed, lane(obligations, p, w, lanes));
            }
        }
        self.solvent[..lanes].fill(1);
        for i in 0..n {
            let inflow = &mut self.inflow[..lanes];
            inflow.fill(0.0);
            for &(j, p) in &self.pairs.owed_by[i] {
                add_inflow(inflow, lane(usable, p, w, lanes), lane(owed, j, w, lanes));
            }
            keep_solvent(
                &mut self.solvent[..lanes],
                &mut self.values[i * w..i * w + lanes],
                lane(resources, i, w, lanes),
                inflow,
                lane(owed, i, w, lanes),
            );
        }
        // Everyone pays what it owes, except on the paths cleared one by one below.
        for i in 0..n {
            payments[i * w..i * w + lanes].copy_from_slice(lane(owed, i, w, lanes));
        }
        for l in 0..lanes {
            if self.solvent[l] == 1 {
                continue;
            }
            for p in 0..self.pairs.len() {
                self.usable[p] = usable[p * w + l];
            }
            for i in 0..n {
                self.resources[i] = resources[i * w + l];
                self.value[i] = self.values[i * w + l];
                self.owed[i] = owed[i * w + l];
            }
            // The block's test above is the one `Clearing::clear` starts with, in the same
            // arithmetic: this path fails it, and its sums owed and values are the ones the
            // test computed (the obligations summed from zero pair by pair, as there).
            if !self.one.clear_one_short(
                &self.usable,
                &self.resources,
                &mut self.payments,
                &self.owed,
                &self.value,
            ) {
                self.one.clear_payments(
                    &[],
                    &self.usable,
                    &self.resources,
                    &mut self.payments,
                    Some((&self.owed, &self.value)),
                );
            }
            for i in 0..n {
                payments[i * w + l] = self.payments[i];
            }
        }
    }
}

/// What an entity can use of its payers' payments `p`: `owed_by` its `(payer, pair)`s,
/// `owed` what each entity owes in all.
#[inline(always)]
fn inflow(owed_by: &[(usize, usize)], owed: &[f64], usable: &[f64], p: &[f64]) -> f64 {
    let mut sum = 0.0;
    for &(j, pair) in owed_by {
        if owed[j] > 0.0 {
            sum += usable[pair] / owed[j] * p[j];
        }
    }
    sum
}

/// How an entity of `value` (its resources and what it can use of the others' payments)
/// pays what it owes.
#[inline(always)]
fn classify(value: f64, owed: f64) -> Class {
    if value >= owed {
        Class::Full
    } else if value > 0.0 {
        Class::Partial
    } else {
        Class::Nothing
    }
}

/// Adds `x` to `to`, lane by lane.
#[inline(always)]
fn add_into(to: &mut [f64], x: &[f64]) {
    for (t, x) in to.iter_mut().zip(x) {
        *t += x;
    }
}

/// Adds to `sum` what a payee can use of a payer's payments when everyone pays in full,
/// lane by lane: `usable / owed * owed` of the payer's `owed` in all (as [`Clearing`]
/// computes it), nothing when the payer owes nothing. The sum is never -0.0, so adding 0.0
/// leaves it as it is.
#[inline(always)]
fn add_inflow(sum: &mut [f64], usable: &[f64], owed: &[f64]) {
    for ((s, &u), &o) in sum.iter_mut().zip(usable).zip(owed) {
        *s += if o > 0.0 { u / o * o } else { 0.0 };
    }
}

/// Sets `value` to an entity's own resources plus its inflow, and clears `solvent` on the
/// lanes where it owes something and cannot pay it in full from that.
#[inline(always)]
fn keep_solvent(solvent: &mut [u8], value: &mut [f64], own: &[f64], inflow: &[f64], owes: &[f64]) {
    let lanes = solvent.len();
    let (value, own, inflow, owes) = (
        &mut value[..lanes],
        &own[..lanes],
        &inflow[..lanes],
        &owes[..lanes],
    );
    for l in 0..lanes {
        value[l] = own[l] + inflow[l];
        solvent[l] &= u8::from((value[l] >= owes[l]) | (owes[l] <= 0.0));
    }
}

/// The first `lanes` values of row `row` of a lane-minor array of `width` lanes.
fn lane(array: &[f64], row: usize, width: usize, lanes: usize) -> &[f64] {
    &array[row * width..row * width + lanes]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clear(n: usize, obligations: &[f64], resources: &[f64]) -> (Vec<f64>, Cleared) {
        let mut p = vec![0.0; n];
        let outcome =
            Clearing::new(Pairs::dense(n)).clear(obligations, obligations, resources, &mut p);
        (p, outcome)
    }

    fn close(a: &[f64], b: &[f64]) -> bool {
        a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-9)
    }

    #[test]
    fn solvent_entities_pay_in_full() {
        let l = [0.0, 10.0, 5.0, 0.0];
        let (p, c) = clear(2, &l, &[20.0, 20.0]);
        assert_eq!(p, vec![10.0, 5.0]);
        assert!(!c.any_default);
    }

    #[test]
    fn a_three_firm_cascade_matches_the_hand_computed_vector() {
        // A owes B 100; B owes C 80; C owes nothing. A has 40, B has 10, C has 0.
        // A pays all it has: 40. B then has 10 + 40 = 50 < 80 and pays 50. C receives 50.
        let l = [0.0, 100.0, 0.0, 0.0, 0.0, 80.0, 0.0, 0.0, 0.0];
        let (p, c) = clear(3, &l, &[40.0, 10.0, 0.0]);
        assert!(close(&p, &[40.0, 50.0, 0.0]), "{p:?}");
        assert!(c.any_default);
    }

    #[test]
    fn a_ring_with_pro_rata_payments_solves_the_linear_system() {
        // A owes B 60 and C 40; B owes A 50; C owes A 30. A has 10, B 20, C 0.
        // If all default: pA = 10 + pB + pC, pB = 20 + 0.6 pA, pC = 0.4 pA
        //   -> pA = 30 + pA  : impossible, so A pays in full (100) if B and C pay enough.
        // With A full: B gets 60 -> 80 >= 50 pays 50; C gets 40 >= 30 pays 30; A has
        // 10 + 50 + 30 = 90 < 100, so A defaults: pA = 10 + pB + pC with
        // pB = min(50, 20 + 0.6 pA), pC = min(30, 0.4 pA). Try B, C full: pA = 90,
        // then B has 74 >= 50, C has 36 >= 30: consistent. Clearing vector (90, 50, 30).
        let l = [0.0, 60.0, 40.0, 50.0, 0.0, 0.0, 30.0, 0.0, 0.0];
        let (p, c) = clear(3, &l, &[10.0, 20.0, 0.0]);
        assert!(close(&p, &[90.0, 50.0, 30.0]), "{p:?}");
        assert_eq!(c.iterations, 0);
    }

    #[test]
    fn a_chain_of_partial_defaults_is_solved_exactly() {
        // A owes B 100, B owes A 100 and C 100. A has 0, B has 0.
        // Both partial: pA = pB/2, pB = pA -> only zero; so both pay nothing? No: with
        // resources zero the greatest solution of pA = 0.5 pB, pB = pA is 0.
        let l = [0.0, 100.0, 0.0, 100.0, 0.0, 100.0, 0.0, 0.0, 0.0];
        let (p, _) = clear(3, &l, &[0.0, 0.0, 0.0]);
        assert!(close(&p, &[0.0, 0.0, 0.0]), "{p:?}");
        // With A holding 30: pA = 30 + 0.5 pB, pB = pA -> pA = pB = 60.
        let (p, _) = clear(3, &l, &[30.0, 0.0, 0.0]);
        assert!(close(&p, &[60.0, 60.0, 0.0]), "{p:?}");
    }

    #[test]
    fn a_closed_ring_without_resources_keeps_the_greatest_vector() {
        // A and B owe each other 10 and hold nothing: paying in full clears (greatest
        // fixed point); no one defaults.
        let l = [0.0, 10.0, 10.0, 0.0];
        let (p, c) = clear(2, &l, &[0.0, 0.0]);
        assert_eq!(p, vec![10.0, 10.0]);
        assert!(!c.any_default);
    }

    #[test]
    fn negative_resources_pay_nothing_and_default() {
        let l = [0.0, 10.0, 0.0, 0.0];
        let (p, c) = clear(2, &l, &[-5.0, 0.0]);
        assert_eq!(p, vec![0.0, 0.0]);
        assert!(c.any_default);
        // An entity that owes nothing but is short of its own costs defaults too.
        let (_, c) = clear(2, &[0.0; 4], &[-1.0, 3.0]);
        assert!(c.any_default);
    }

    #[test]
    fn the_result_is_a_clearing_vector_on_random_networks() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        for _ in 0..2000 {
            let n = rng.random_range(1..7);
            let mut l = vec![0.0; n * n];
            for i in 0..n {
                for j in 0..n {
                    if i != j && rng.random::<f64>() < 0.6 {
                        l[i * n + j] = rng.random_range(0.0..100.0);
                    }
                }
            }
            let e: Vec<f64> = (0..n).map(|_| rng.random_range(-50.0..80.0)).collect();
            let mut clearing = Clearing::new(Pairs::dense(n));
            let mut p = vec![0.0; n];
            // What reaches the receiver: all of it, or a margin of it.
            let u: Vec<f64> = l.iter().map(|x| x * rng.random_range(0.2..1.0)).collect();
            clearing.clear(&l, &u, &e, &mut p);
            assert!(
                clearing.is_fixed_point(&u, &e, &p),
                "{l:?} {u:?} {e:?} {p:?}"
            );
            clearing.clear(&l, &l, &e, &mut p);
            assert!(clearing.is_fixed_point(&l, &e, &p), "{l:?} {e:?} {p:?}");
            // The greatest one: no entity could pay more while the others pay theirs.
            let owed: Vec<f64> = (0..n).map(|i| l[i * n..(i + 1) * n].iter().sum()).collect();
            for i in 0..n {
                assert!(p[i] <= owed[i] + 1e-9 && p[i] >= 0.0);
            }
        }
    }

    /// Fictitious default with every entity's value computed again every round, as
    /// [`Clearing::clear_payments`] did before it kept the values whose payers' payments did
    /// not change.
    #[allow(clippy::needless_range_loop)]
    fn reference_payments(
        c: &mut Clearing,
        obligations: &[f64],
        usable: &[f64],
        resources: &[f64],
        payments: &mut [f64],
    ) {
        let n = c.n;
        for i in 0..n {
            c.owed[i] = c.pairs.owes[i]
                .iter()
                .fold(0.0, |sum, &p| sum + obligations[p]);
            payments[i] = c.owed[i];
            c.class[i] = Class::Full;
        }
        let mut solvent = true;
        for i in 0..n {
            let value = resources[i] + c.inflow(usable, payments, i);
            solvent &= value >= c.owed[i] || c.owed[i] <= 0.0;
        }
        if solvent {
            return;
        }
        let (mut rounds, mut singular) = (0, false);
        loop {
            rounds += 1;
            let mut changed = false;
            for i in 0..n {
                let class = c.classify(resources[i] + c.inflow(usable, payments, i), i);
                if class != c.class[i] {
                    changed = true;
                    c.class[i] = class;
                }
            }
            if rounds > 1 && !changed {
                break;
            }
            if !c.solve(usable, resources, payments) {
                singular = true;
                break;
            }
            if rounds > 2 * n + 1 {
                break;
            }
        }
        if singular || !c.is_fixed_point(usable, resources, payments) {
            for _ in 0..MAX_ITERATIONS {
                let mut moved = 0.0f64;
                for i in 0..n {
                    let next = (resources[i] + c.inflow(usable, payments, i)).clamp(0.0, c.owed[i]);
                    moved = moved.max((payments[i] - next).abs());
                    payments[i] = next;
                }
                if moved <= 1e-12 * c.scale(resources) {
                    break;
                }
            }
        }
    }

    /// Keeping the values whose payers' payments did not change gives the payments of
    /// computing them all every round, bit for bit, on random networks with defaults, chains
    /// of defaults and rings.
    #[test]
    fn kept_values_give_the_payments_of_values_computed_every_round() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(17);
        let mut cascades = 0;
        for _ in 0..5000 {
            let n = rng.random_range(2..9);
            let mut l = vec![0.0; n * n];
            let mut u = vec![0.0; n * n];
            for i in 0..n {
                for j in (0..n).filter(|&j| j != i) {
                    if rng.random::<f64>() < 0.4 {
                        l[i * n + j] = rng.random_range(0.0..100.0);
                        u[i * n + j] = l[i * n + j] * rng.random_range(0.2..1.0);
                    }
                }
            }
            let e: Vec<f64> = (0..n).map(|_| rng.random_range(-60.0..80.0)).collect();
            let mut c = Clearing::new(Pairs::dense(n));
            let (mut kept, mut every) = (vec![0.0; n], vec![0.0; n]);
            let cleared = c.clear(&l, &u, &e, &mut kept);
            reference_payments(&mut c, &l, &u, &e, &mut every);
            cascades += usize::from(cleared.rounds > 2);
            for i in 0..n {
                assert_eq!(kept[i].to_bits(), every[i].to_bits(), "{l:?} {u:?} {e:?}");
            }
        }
        assert!(
            cascades > 100,
            "{cascades} clearings of more than two rounds"
        );
    }

    /// Where the common case's shortcut applies, it gives the payments of the general
    /// algorithm bit for bit; on random networks with several entities short, some owing
    /// nothing (as a defaulted entity's stopped contracts do) and some with negative
    /// resources, it applies often and declines the rest.
    #[test]
    fn the_shortcut_of_one_short_gives_the_general_payments() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(23);
        let (mut applied, mut declined) = (0, 0);
        for _ in 0..20_000 {
            let n = rng.random_range(2..9);
            let mut owing = Vec::new();
            for i in 0..n {
                for j in (0..n).filter(|&j| j != i) {
                    if rng.random::<f64>() < 0.3 {
                        owing.push((i, j));
                    }
                }
            }
            let pairs = Pairs::new(n, owing);
            // Some entities owe nothing this year.
            let stopped: Vec<bool> = (0..n).map(|_| rng.random::<f64>() < 0.3).collect();
            let (mut l, mut u) = (vec![0.0; pairs.len()], vec![0.0; pairs.len()]);
            for (p, &(i, _)) in pairs.pairs.iter().enumerate() {
                if !stopped[i] {
                    l[p] = rng.random_range(0.0..100.0);
                    u[p] = l[p] * rng.random_range(0.2..1.0);
                }
            }
            let e: Vec<f64> = (0..n).map(|_| rng.random_range(-80.0..120.0)).collect();
            let owed: Vec<f64> = (0..n)
                .map(|i| pairs.owes[i].iter().fold(0.0, |sum, &p| sum + l[p]))
                .collect();
            let values: Vec<f64> = (0..n)
                .map(|i| e[i] + inflow(&pairs.owed_by[i], &owed, &u, &owed))
                .collect();
            if (0..n).all(|i| values[i] >= owed[i] || owed[i] <= 0.0) {
                continue;
            }
            let mut c = Clearing::new(pairs);
            let (mut short, mut general) = (vec![0.0; n], vec![0.0; n]);
            let shortcut = c.clear_one_short(&u, &e, &mut short, &owed, &values);
            c.clear_payments(&[], &u, &e, &mut general, Some((&owed, &values)));
            if shortcut {
                applied += 1;
                for i in 0..n {
                    assert_eq!(
                        short[i].to_bits(),
                        general[i].to_bits(),
                        "{l:?} {u:?} {e:?}"
                    );
                }
            } else {
                declined += 1;
            }
        }
        assert!(
            applied > 3000 && declined > 1000,
            "{applied} applied, {declined} declined"
        );
    }

    #[test]
    fn a_block_clears_each_path_as_it_clears_alone() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
        let (n, w, lanes) = (4, 16, 13);
        for _ in 0..200 {
            let mut obligations = vec![0.0; n * n * w];
            let mut usable = vec![0.0; n * n * w];
            let mut resources = vec![0.0; n * w];
            for l in 0..w {
                for i in 0..n {
                    resources[i * w + l] = rng.random_range(-50.0..150.0);
                    for j in (0..n).filter(|&j| j != i) {
                        if rng.random::<f64>() < 0.5 {
                            let x = rng.random_range(0.0..100.0);
                            obligations[(i * n + j) * w + l] = x;
                            usable[(i * n + j) * w + l] = x * rng.random_range(0.2..1.0);
                        }
                    }
                }
            }
            let (mut owed, mut payments) = (vec![0.0; n * w], vec![0.0; n * w]);
            BlockClearing::new(Pairs::dense(n), w).clear(
                lanes,
                &obligations,
                &usable,
                &resources,
                &mut owed,
                &mut payments,
            );
            let mut one = Clearing::new(Pairs::dense(n));
            for l in 0..lanes {
                let column = |a: &[f64], k: usize| (0..k).map(|r| a[r * w + l]).collect::<Vec<_>>();
                let (o, u, e) = (
                    column(&obligations, n * n),
                    column(&usable, n * n),
                    column(&resources, n),
                );
                let mut p = vec![0.0; n];
                one.clear(&o, &u, &e, &mut p);
                for i in 0..n {
                    assert_eq!(payments[i * w + l].to_bits(), p[i].to_bits());
                    let total: f64 = o[i * n..(i + 1) * n].iter().sum();
                    assert_eq!(owed[i * w + l].to_bits(), total.to_bits());
                }
            }
        }
    }

    #[test]
    fn clearing_on_the_pairs_alone_gives_the_dense_payments() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(13);
        for _ in 0..500 {
            let n = rng.random_range(2..7);
            let mut l = vec![0.0; n * n];
            let mut u = vec![0.0; n * n];
            let mut owing = Vec::new();
            for i in 0..n {
                for j in (0..n).filter(|&j| j != i) {
                    if rng.random::<f64>() < 0.4 {
                        l[i * n + j] = rng.random_range(0.0..100.0);
                        u[i * n + j] = l[i * n + j] * rng.random_range(0.2..1.0);
                        owing.push((i, j));
                    }
                }
            }
            let e: Vec<f64> = (0..n).map(|_| rng.random_range(-50.0..80.0)).collect();
            let pairs = Pairs::new(n, owing);
            let on_pairs = |m: &[f64]| -> Vec<f64> {
                (0..n * n)
                    .filter_map(|k| pairs.index(k / n, k % n).map(|p| (p, m[k])))
                    .fold(vec![0.0; pairs.len()], |mut v, (p, x)| {
                        v[p] = x;
                        v
                    })
            };
            let (mut dense, mut sparse) = (vec![0.0; n], vec![0.0; n]);
            let a = Clearing::new(Pairs::dense(n)).clear(&l, &u, &e, &mut dense);
            let b =
                Clearing::new(pairs.clone()).clear(&on_pairs(&l), &on_pairs(&u), &e, &mut sparse);
            assert_eq!(a, b);
            for i in 0..n {
                assert_eq!(dense[i].to_bits(), sparse[i].to_bits(), "{l:?} {e:?}");
            }
        }
    }
}
