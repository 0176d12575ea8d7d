//! Rank correlations between inputs, imposed with a Gaussian copula.
//!
//! A scenario's `[correlations]` gives Spearman rank correlations between pairs of uncertain
//! inputs. Inputs linked by pairs form groups. For each group the Spearman correlations are
//! turned into the Pearson correlations of normal scores that produce them,
//! `r = 2 sin(pi rho / 6)` (Pearson 1907; Kruskal 1958, "Ordinal measures of association"),
//! and the matrix is factored once: `R = A A^T`. A path then turns its independent uniforms
//! `u` into normal scores `z = Phi^-1(u)`, correlates them, `y = A z`, and gives each input
//! `quantile(Phi(y))`. Each input keeps its exact marginal distribution, truncation included,
//! because the last step is its own inverse CDF; ranks, and so Spearman correlations, are
//! those of the normal scores. The factor comes from the symmetric eigendecomposition
//! (`A = V sqrt(L)`), which also accepts positive semi-definite matrices such as a
//! correlation of exactly 1, and detects matrices that are not positive semi-definite.

use nalgebra::{DMatrix, SymmetricEigen};

use crate::math::{normal_cdf, normal_quantiles};

/// Eigenvalues above this (negative) level count as zero rather than as a matrix that is not
/// positive semi-definite: rounding in a valid matrix gives about 1e-16.
const EIGENVALUE_TOLERANCE: f64 = -1e-9;

/// One requested rank correlation between two inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// Input indices.
    pub a: usize,
    pub b: usize,
    /// The Spearman rank correlation, in [-1, 1].
    pub rho: f64,
    pub source: Option<String>,
}

/// Inputs whose draws are correlated, and the square root of their normal-score correlation.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Input indices, ascending.
    pub inputs: Vec<usize>,
    /// The Pearson correlation of the normal scores, `m x m` (symmetric).
    matrix: Vec<f64>,
    /// `A`, row-major `m x m`, with `A A^T` the matrix.
    factor: Vec<f64>,
}

/// All correlations of a scenario.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Correlations {
    pub pairs: Vec<Pair>,
    pub groups: Vec<Group>,
}

/// Why a set of correlations cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CorrelationError {
    #[error(
        "the rank correlations between {} are not consistent: their normal-score matrix is not \
         positive semi-definite (smallest eigenvalue {smallest:.3e}); weaken some of them",
        .inputs.join(", ")
    )]
    NotPositiveSemiDefinite { inputs: Vec<String>, smallest: f64 },
}

/// The Pearson correlation of normal scores whose Spearman correlation is `rho`.
pub fn pearson_of_spearman(rho: f64) -> f64 {
    2.0 * (std::f64::consts::PI * rho / 6.0).sin()
}

impl Correlations {
    /// Groups the pairs and factors each group's matrix. `keys` names inputs in errors.
    /// Pairs must name distinct, uncertain inputs, at most once each (the scenario compiler
    /// checks this, with file lines).
    pub fn new(pairs: Vec<Pair>, keys: &[&str]) -> Result<Correlations, CorrelationError> {
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for p in &pairs {
            let find = |groups: &Vec<Vec<usize>>, i| groups.iter().position(|g| g.contains(&i));
            match (find(&groups, p.a), find(&groups, p.b)) {
                (Some(x), Some(y)) if x == y => {}
                (Some(x), Some(y)) => {
                    let moved = groups.remove(x.max(y));
                    groups[x.min(y)].extend(moved);
                }
                (Some(x), None) => groups[x].push(p.b),
                (None, Some(y)) => groups[y].push(p.a),
                (None, None) => groups.push(vec![p.a, p.b]),
            }
        }
        let groups = groups
            .into_iter()
            .map(|mut inputs| {
                inputs.sort_unstable();
                factor_group(inputs, &pairs, keys)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Correlations { pairs, groups })
    }
}

fn factor_group(
    inputs: Vec<usize>,
    pairs: &[Pair],
    keys: &[&str],
) -> Result<Group, CorrelationError> {
    let m = inputs.len();
    let position = |i: usize| inputs.iter().position(|&x| x == i);
    let mut matrix = DMatrix::<f64>::identity(m, m);
    for p in pairs {
        if let (Some(a), Some(b)) = (position(p.a), position(p.b)) {
            let r = pearson_of_spearman(p.rho);
            matrix[(a, b)] = r;
            matrix[(b, a)] = r;
        }
    }
    let factor =
        square_root(&matrix).map_err(|smallest| CorrelationError::NotPositiveSemiDefinite {
            inputs: inputs.iter().map(|&i| keys[i].to_string()).collect(),
            smallest,
        })?;
    Ok(Group {
        inputs,
        matrix: matrix.as_slice().to_vec(),
        factor,
    })
}

/// `A` (row-major) with `A A^T = matrix`, or the smallest eigenvalue when the matrix is not
/// positive semi-definite.
fn square_root(matrix: &DMatrix<f64>) -> Result<Vec<f64>, f64> {
    let m = matrix.nrows();
    let eigen = SymmetricEigen::new(matrix.clone());
    let smallest = eigen.eigenvalues.min();
    if smallest < EIGENVALUE_TOLERANCE {
        return Err(smallest);
    }
    let mut factor = vec![0.0; m * m];
    for row in 0..m {
        for col in 0..m {
            factor[row * m + col] =
                eigen.eigenvectors[(row, col)] * eigen.eigenvalues[col].max(0.0).sqrt();
        }
    }
    Ok(factor)
}

impl Group {
    /// The group of `keep` (some of its inputs, ascending) alone, as when the others are fixed
    /// by `--set` or by an analysis: the correlations among the kept inputs are unchanged. A
    /// principal sub-matrix of a positive semi-definite matrix is one too, so this cannot fail.
    pub fn restricted(&self, keep: &[usize]) -> Group {
        let m = self.inputs.len();
        let rows: Vec<usize> = keep
            .iter()
            .map(|i| self.inputs.iter().position(|x| x == i).expect("a member"))
            .collect();
        let sub = DMatrix::from_fn(rows.len(), rows.len(), |r, c| {
            self.matrix[rows[r] + rows[c] * m]
        });
        Group {
            inputs: keep.to_vec(),
            matrix: sub.as_slice().to_vec(),
            factor: square_root(&sub).expect("a principal sub-matrix stays semi-definite"),
        }
    }

    /// Turns the group's independent uniforms of a block of `width` paths into correlated ones
    /// in place: `inputs[k]`'s uniforms are the row `rows[k]` of `uniforms` (lane-minor: row
    /// `r` of path `l` at `r * width + l`). `z` is scratch of at least the group's size times
    /// `width`. Each step runs across the block's paths: their normal scores (see
    /// [`normal_quantiles`]), the factor's combinations of them, and their CDFs. Allocates
    /// nothing.
    #[inline(always)]
    pub fn correlate_block(
        &self,
        uniforms: &mut [f64],
        rows: &[usize],
        width: usize,
        z: &mut [f64],
    ) {
        let m = self.inputs.len();
        let z = &mut z[..m * width];
        for (k, &r) in rows.iter().enumerate().take(m) {
            normal_quantiles(
                &uniforms[r * width..(r + 1) * width],
                &mut z[k * width..(k + 1) * width],
            );
        }
        for (k, &r) in rows.iter().enumerate().take(m) {
            let factor = &self.factor[k * m..(k + 1) * m];
            let u = &mut uniforms[r * width..(r + 1) * width];
            // The combination of the scores, term by term across the lanes, held in the row
            // until its CDF replaces it. (Starting from the first term instead of a zero can
            // change a zero's sign only, which Phi maps to 1/2 either way.)
            for (c, &a) in factor.iter().enumerate() {
                let z = &z[c * width..(c + 1) * width];
                if c == 0 {
                    for (y, &z) in u.iter_mut().zip(z) {
                        *y = a * z;
                    }
                } else {
                    for (y, &z) in u.iter_mut().zip(z) {
                        *y += a * z;
                    }
                }
            }
            for y in u.iter_mut() {
                *y = normal_cdf(*y);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(a: usize, b: usize, rho: f64) -> Pair {
        Pair {
            a,
            b,
            rho,
            source: None,
        }
    }

    const KEYS: [&str; 5] = ["a", "b", "c", "d", "e"];

    #[test]
    fn pairs_that_share_an_input_form_one_group() {
        let c = Correlations::new(
            vec![pair(0, 1, 0.5), pair(3, 4, -0.2), pair(1, 2, 0.3)],
            &KEYS,
        )
        .unwrap();
        assert_eq!(c.groups.len(), 2);
        assert_eq!(c.groups[0].inputs, vec![0, 1, 2]);
        assert_eq!(c.groups[1].inputs, vec![3, 4]);
    }

    #[test]
    fn the_factor_reproduces_the_normal_score_correlations() {
        let c = Correlations::new(vec![pair(0, 1, 0.5), pair(1, 2, -0.3)], &KEYS).unwrap();
        let g = &c.groups[0];
        let a = |r: usize, k: usize| g.factor[r * 3 + k];
        let product = |r: usize, s: usize| (0..3).map(|k| a(r, k) * a(s, k)).sum::<f64>();
        assert!((product(0, 0) - 1.0).abs() < 1e-12);
        assert!((product(0, 1) - pearson_of_spearman(0.5)).abs() < 1e-12);
        assert!((product(1, 2) - pearson_of_spearman(-0.3)).abs() < 1e-12);
        assert!(product(0, 2).abs() < 1e-12);
    }

    #[test]
    fn perfect_correlation_is_accepted_and_gives_equal_uniforms() {
        let c = Correlations::new(vec![pair(0, 1, 1.0)], &KEYS).unwrap();
        let mut u = [0.3, 0.9];
        let mut z = [0.0; 2];
        c.groups[0].correlate_block(&mut u, &[0, 1], 1, &mut z);
        assert!((u[0] - u[1]).abs() < 1e-6, "{u:?}");
    }

    #[test]
    fn a_block_of_paths_correlates_each_as_it_would_alone() {
        let c = Correlations::new(vec![pair(0, 2, 0.5), pair(2, 4, -0.3)], &KEYS).unwrap();
        let g = &c.groups[0];
        // Five uniforms of five paths, tails included; the group's inputs on rows 0, 2, 4.
        let width = 5;
        let mut block: Vec<f64> = (0..5 * width)
            .map(|i| [1e-12, 0.01, 0.3, 0.5, 0.97, 1.0 - 1e-9, 0.7][i % 7])
            .collect();
        let alone: Vec<Vec<f64>> = (0..width)
            .map(|l| {
                let mut u: Vec<f64> = (0..5).map(|r| block[r * width + l]).collect();
                let mut z = vec![0.0; 5];
                g.correlate_block(&mut u, &[0, 2, 4], 1, &mut z);
                u
            })
            .collect();
        let mut z = vec![0.0; 3 * width];
        g.correlate_block(&mut block, &[0, 2, 4], width, &mut z);
        for (l, u) in alone.iter().enumerate() {
            for r in 0..5 {
                assert_eq!(
                    block[r * width + l].to_bits(),
                    u[r].to_bits(),
                    "path {l} row {r}"
                );
            }
        }
    }

    #[test]
    fn a_restricted_group_keeps_the_correlations_of_its_members() {
        let c = Correlations::new(
            vec![pair(0, 1, 0.5), pair(1, 2, -0.3), pair(0, 2, 0.2)],
            &KEYS,
        )
        .unwrap();
        let g = c.groups[0].restricted(&[0, 2]);
        assert_eq!(g.inputs, vec![0, 2]);
        let product: f64 = (0..2).map(|k| g.factor[k] * g.factor[2 + k]).sum();
        assert!((product - pearson_of_spearman(0.2)).abs() < 1e-12);
    }

    #[test]
    fn inconsistent_correlations_name_their_inputs() {
        // a and b move together, b and c together, but a and c opposite: impossible.
        let err = Correlations::new(
            vec![pair(0, 1, 0.9), pair(1, 2, 0.9), pair(0, 2, -0.9)],
            &KEYS,
        )
        .unwrap_err();
        let message = err.to_string();
        assert!(message.contains("a, b, c"), "{message}");
        assert!(message.contains("not positive semi-definite"), "{message}");
    }

    #[test]
    fn spearman_to_pearson_fixes_the_ends_and_zero() {
        assert_eq!(pearson_of_spearman(0.0), 0.0);
        assert!((pearson_of_spearman(1.0) - 1.0).abs() < 1e-15);
        assert!((pearson_of_spearman(-1.0) + 1.0).abs() < 1e-15);
        assert!((pearson_of_spearman(0.5) - 0.517_638).abs() < 1e-6);
    }
}
