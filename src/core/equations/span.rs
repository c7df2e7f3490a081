//! The polynomials of degree ≤ d that vanish where the kept relations do, as the null
//! space of one symmetric matrix. Near the data a learned relation is g = h·p with h not
//! vanishing, so values alone would say little: a polynomial p is in the read-out when it
//! vanishes on the data (its values) and its gradient lies in the span of the relations'
//! gradients there (its tangential derivative vanishes too, along the directions the
//! relations leave free). Without the gradient term it is an approximate vanishing ideal
//! of the data alone (the baseline; ABM and Breiding et al. compute the same null space).

use super::monomials::Monomials;
use crate::core::linalg::{dot, symmetric_eigen, symmetric_eigen_large};

/// Points (working coordinates) with an orthonormal basis of the tangent space the kept
/// relations leave there (the complement of their gradients' span).
pub struct Sample {
    pub points: Vec<Vec<f64>>,
    pub tangents: Vec<Vec<Vec<f64>>>,
    /// The relations' gradients there, orthonormalised.
    pub normals: Vec<Vec<Vec<f64>>>,
}

impl Sample {
    /// From each point's relation gradients (any number, any lengths).
    pub fn new(points: Vec<Vec<f64>>, gradients: Vec<Vec<Vec<f64>>>) -> Self {
        let dim = points.first().map_or(0, Vec::len);
        let normals: Vec<Vec<Vec<f64>>> = gradients.into_iter().map(|g| orthonormal(g, 1e-6)).collect();
        let tangents = normals
            .iter()
            .map(|n| {
                let axes = (0..dim).map(|j| (0..dim).map(|i| if i == j { 1.0 } else { 0.0 }).collect::<Vec<f64>>());
                let mut basis = n.clone();
                let before = basis.len();
                for axis in axes {
                    extend_orthonormal(&mut basis, axis, 1e-6);
                }
                basis.split_off(before)
            })
            .collect();
        Self { points, tangents, normals }
    }
}

/// Gram-Schmidt, dropping vectors whose part outside the span of the earlier ones is
/// under `tolerance` of their length.
pub fn orthonormal(vectors: Vec<Vec<f64>>, tolerance: f64) -> Vec<Vec<f64>> {
    let mut basis = Vec::new();
    for v in vectors {
        extend_orthonormal(&mut basis, v, tolerance);
    }
    basis
}

fn extend_orthonormal(basis: &mut Vec<Vec<f64>>, mut v: Vec<f64>, tolerance: f64) {
    let before = dot(&v, &v).sqrt();
    for q in basis.iter() {
        let along = dot(&v, q);
        v.iter_mut().zip(q).for_each(|(a, b)| *a -= along * b);
    }
    let after = dot(&v, &v).sqrt();
    if after > tolerance * before.max(1e-300) && after > 1e-12 {
        basis.push(v.into_iter().map(|a| a / after).collect());
    }
}

/// The null space found: polynomials (coefficients over `monomials`, working coordinates)
/// and the gap to the first one left out.
pub struct Found {
    pub polynomials: Vec<Vec<f64>>,
    /// How precisely their coefficients are known, relative: √(λ of the last one taken /
    /// the largest λ), at least 10⁻⁷ (noise of 0.01 on the ellipse: about 10⁻²).
    pub precision: f64,
    /// Null vectors left out for vanishing far less tightly than the tightest.
    pub loose: usize,
    /// λ(first left out) / λ(last taken), over the largest λ: how clearly they stand apart.
    pub gap: f64,
}

/// Eigenvalues of the values' matrix at most this share of the largest are taken: a
/// polynomial in the ideal measures about its residual² (noise σ = 0.01 on the ellipse:
/// 10⁻⁵ to 10⁻⁴), products of members far less (ℓ²: 10⁻⁹), one outside it O(0.1) and up.
/// No gap rule: squares of members open gaps inside the null space. Members that only
/// nearly vanish on a sample (quartics on two exact turns of the helix, 10⁻¹⁵ to 10⁻⁴)
/// are left for `minimal` to judge by their residuals. Below FLOOR they count as zero.
const TAKEN_BELOW: f64 = 1e-3;
const FLOOR: f64 = 1e-14;
/// A polynomial is explained by the relations where at most this share of its gradient's
/// square lies outside their gradients' span on the data (sin² of about 13°: the torus's
/// learned g₁ measures 0.03 against its true quartic; a quadric outside the twisted
/// cubic's ideal 0.1).
const TANGENTIAL_AT_MOST: f64 = 0.05;
/// A null vector this many times looser (residual) than the tightest is left out.
pub const LOOSER_THAN_TIGHTEST: f64 = 1e3;
/// The points' precision relative to their scale (f32).
pub const DATA_PRECISION: f64 = f32::EPSILON as f64;
/// Null vectors this many times apart in eigenvalue are judged apart.
const GROUP_GAP: f64 = 1e3;

/// The read-out at `monomials`' degree, in two steps. The values' null space: the
/// polynomials that vanish on the points (A = mean e eᵀ, e the monomials' values, each
/// scaled to unit RMS), exact to the data's precision (this alone is the data-only
/// baseline, the first of the pair returned). Then, within it, those whose gradients lie in the
/// relations' span: the generalised eigenvectors of mean Jᵀ T Tᵀ J (the gradients' part
/// along the tangent directions T the relations leave free) against mean JᵀJ (the whole
/// gradient), with eigenvalue (that part's share) at most TANGENTIAL_AT_MOST. The
/// learned gradients, good to about 10⁻², only select; the coefficients stay the data's.
/// `now` (seconds) times the values' part, which is the baseline's own work.
pub fn null_space(monomials: &Monomials, sample: &Sample, now: &dyn Fn() -> f64) -> (Found, Found, f64) {
    let started = now();
    let m = monomials.len();
    let n = sample.points.len().max(1) as f64;
    let (mut values, mut gradients) = (vec![0.0; m], vec![0.0; monomials.dim * m]);
    let mut rms = vec![0.0; m];
    for p in &sample.points {
        monomials.evaluate(p, &mut values, &mut gradients);
        values.iter().zip(rms.iter_mut()).for_each(|(v, r)| *r += v * v / n);
    }
    let scale: Vec<f64> = rms.iter().map(|r| r.sqrt().max(1e-12)).collect();
    let (mut a_values, mut a_tangent, mut a_gradient) = (vec![0.0; m * m], vec![0.0; m * m], vec![0.0; m * m]);
    for (p, tangent) in sample.points.iter().zip(&sample.tangents) {
        monomials.evaluate(p, &mut values, &mut gradients);
        let row: Vec<f64> = values.iter().zip(&scale).map(|(v, s)| v / s).collect();
        accumulate(&mut a_values, &row, n);
        let along = |d: &[f64]| -> Vec<f64> { (0..m).map(|k| (0..monomials.dim).map(|j| d[j] * gradients[j * m + k]).sum::<f64>() / scale[k]).collect() };
        for t in tangent {
            accumulate(&mut a_tangent, &along(t), n);
        }
        for j in 0..monomials.dim {
            // The whole gradient: each coordinate's derivative row, its values.
            let row: Vec<f64> = (0..m).map(|k| gradients[j * m + k] / scale[k]).collect();
            accumulate(&mut a_gradient, &row, n);
        }
    }
    let (eigenvalues, vectors) = symmetric_eigen_large(flat(&a_values, m), m);
    let largest = eigenvalues.last().copied().unwrap_or(0.0).max(1e-300);
    let at = |i: usize| eigenvalues[i].max(FLOOR * largest);
    let taken = (0..m).take_while(|&i| eigenvalues[i] <= TAKEN_BELOW * largest).count();
    let gap = if taken == 0 || taken == m { 0.0 } else { at(taken) / at(taken - 1) };
    let precision = if taken == 0 { 1.0 } else { (at(taken - 1) / largest).sqrt().max(1e-7) };
    // Held to the precision of the tightest before anything combines them: on an exact
    // sample a polynomial can nearly vanish without being in the ideal (the pendulum's
    // angle relation in Taylor quadrics at 10⁴ times its circles' residual), and would
    // leak into the members' combinations.
    // (As RMS |p| over RMS ‖∇p‖, from the two quadratic forms at hand.)
    let gradient = flat(&a_gradient, m);
    let residuals: Vec<f64> = (0..taken)
        .map(|i| {
            let v = &vectors[i];
            let energy: f64 = gradient.chunks_exact(m).zip(v).map(|(row, vi)| vi * dot(row, v)).sum();
            // (Eigenvalues under FLOOR are rounding: taken as FLOOR, all alike.)
            (at(i) / energy.max(1e-300)).sqrt()
        })
        .collect();
    // Not tighter than the data's own precision (f32 points: a polynomial with a constant
    // term vanishes to ~1e-8 where a homogeneous identity such as O(2)'s ab + cd cancels
    // exactly, and would push a²+c²−1 out).
    let tightest = residuals.iter().copied().fold(f64::INFINITY, f64::min).max(DATA_PRECISION);
    let kept: Vec<usize> = (0..taken).filter(|&i| residuals[i] <= LOOSER_THAN_TIGHTEST * tightest).collect();
    let loose = taken - kept.len();
    let in_monomials = |basis: &[Vec<f64>]| -> Vec<Vec<f64>> { basis.iter().map(|v| v.iter().zip(&scale).map(|(c, s)| c / s).collect()).collect() };
    let basis: Vec<Vec<f64>> = kept.iter().map(|&i| vectors[i].clone()).collect();
    let baseline = Found { polynomials: in_monomials(&basis), precision, gap, loose };
    // (The tangent and gradient matrices were gathered in the same pass: a third of it.)
    let values_seconds = now() - started;
    let mut read = Vec::new();
    if !basis.is_empty() {
        // Grouped by clear gaps, so that a polynomial that only nearly vanishes (the
        // twisted cubic's fourth quadric at 7·10⁻⁴ against its three members at 10⁻¹⁶) is
        // judged apart and does not leak into the members' combinations.
        let mut groups: Vec<Vec<Vec<f64>>> = Vec::new();
        for (n, &i) in kept.iter().enumerate() {
            if n == 0 || at(i) > GROUP_GAP * at(kept[n - 1]) {
                groups.push(Vec::new());
            }
            groups.last_mut().expect("one pushed").push(vectors[i].clone());
        }
        let tangent = flat(&a_tangent, m);
        read = groups.iter().flat_map(|g| explained_part(g, &tangent, &gradient, m)).collect();
    }
    (Found { polynomials: in_monomials(&read), precision, gap, loose }, baseline, values_seconds)
}

/// Adds row·rowᵀ/n into the upper triangle of the m×m matrix `a`.
fn accumulate(a: &mut [f64], row: &[f64], n: f64) {
    let m = row.len();
    for i in 0..m {
        if row[i] == 0.0 {
            continue;
        }
        let ri = row[i] / n;
        for (j, rj) in row.iter().enumerate().skip(i) {
            a[i * m + j] += ri * rj;
        }
    }
}

/// The full symmetric matrix of an upper triangle, row-major.
fn flat(a: &[f64], m: usize) -> Vec<f64> {
    (0..m * m).map(|k| if k % m >= k / m { a[k] } else { a[(k % m) * m + k / m] }).collect()
}

/// Bᵀ X B for the basis rows B and the full matrix X (row-major).
fn restricted_full(basis: &[Vec<f64>], x: &[f64], m: usize) -> Vec<f64> {
    let xb: Vec<Vec<f64>> = basis.iter().map(|b| x.chunks_exact(m).map(|row| dot(row, b)).collect()).collect();
    basis.iter().flat_map(|b| xb.iter().map(|v| dot(b, v)).collect::<Vec<f64>>()).collect()
}

/// The combinations of `basis` whose gradients lie (nearly) in the relations' span: the
/// generalised eigenvectors of the tangential part against the whole gradient (full
/// matrices), with eigenvalue (the tangential share) at most TANGENTIAL_AT_MOST.
fn explained_part(basis: &[Vec<f64>], tangent: &[f64], gradient: &[f64], m: usize) -> Vec<Vec<f64>> {
    let r = basis.len();
    let (g_values, g_vectors) = symmetric_eigen_large(restricted_full(basis, gradient, m), r);
    // Whitening against the whole gradient (a constant has none: it is dropped).
    let top = g_values.last().copied().unwrap_or(0.0).max(1e-300);
    let whiten: Vec<Vec<f64>> =
        g_values.iter().zip(&g_vectors).filter(|(v, _)| **v > 1e-12 * top).map(|(v, u)| u.iter().map(|x| x / v.sqrt()).collect()).collect();
    let in_basis = |w: &[f64]| -> Vec<f64> { (0..m).map(|k| basis.iter().zip(w).map(|(b, c)| b[k] * c).sum()).collect() };
    let whitened: Vec<Vec<f64>> = whiten.iter().map(|w| in_basis(w)).collect();
    let (t_values, t_vectors) = symmetric_eigen_large(restricted_full(&whitened, tangent, m), whitened.len());
    t_values
        .iter()
        .zip(&t_vectors)
        .filter(|(v, _)| **v <= TANGENTIAL_AT_MOST)
        .map(|(_, d)| {
            let c: Vec<f64> = (0..m).map(|k| whitened.iter().zip(d).map(|(b, x)| b[k] * x).sum()).collect();
            let length = dot(&c, &c).sqrt().max(1e-300);
            c.into_iter().map(|x| x / length).collect()
        })
        .collect()
}

/// How many of the relations' normal directions the polynomials' gradients span, at the
/// median point: the count of principal angles between the two spans with cosine ≥ 0.9.
pub fn explained(monomials: &Monomials, polynomials: &[Vec<f64>], sample: &Sample) -> usize {
    let m = monomials.len();
    let (mut values, mut gradients) = (vec![0.0; m], vec![0.0; monomials.dim * m]);
    let mut counts: Vec<usize> = sample
        .points
        .iter()
        .zip(&sample.normals)
        .map(|(p, normals)| {
            monomials.evaluate(p, &mut values, &mut gradients);
            let grads: Vec<Vec<f64>> = polynomials.iter().map(|c| (0..monomials.dim).map(|j| dot(c, &gradients[j * m..(j + 1) * m])).collect()).collect();
            // The read-out's polynomials carry their eigen-solve's noise: a direction under a
            // thousandth of a gradient is that noise, not a new one.
            let q = orthonormal(grads, 1e-3);
            // Cosines of the principal angles: singular values of normals · qᵀ.
            let cross: Vec<Vec<f64>> = normals.iter().map(|g| q.iter().map(|v| dot(g, v)).collect()).collect();
            let gram: Vec<Vec<f64>> = cross.iter().map(|a| cross.iter().map(|b| dot(a, b)).collect()).collect();
            let (values, _) = symmetric_eigen(gram);
            values.iter().filter(|&&v| v >= 0.81).count()
        })
        .collect();
    counts.sort_unstable();
    counts.get(counts.len() / 2).copied().unwrap_or(0)
}

/// RMS of |p|/‖∇p‖ at `points`: their first-order distance to p's zero set.
pub fn residual(monomials: &Monomials, c: &[f64], points: &[Vec<f64>]) -> f64 {
    let m = monomials.len();
    let (mut values, mut gradients) = (vec![0.0; m], vec![0.0; monomials.dim * m]);
    let mut sum = 0.0;
    for p in points {
        monomials.evaluate(p, &mut values, &mut gradients);
        let value: f64 = c.iter().zip(&values).map(|(a, b)| a * b).sum();
        let grad_sq: f64 = (0..monomials.dim).map(|j| c.iter().zip(&gradients[j * m..(j + 1) * m]).map(|(a, b)| a * b).sum::<f64>().powi(2)).sum();
        sum += value * value / grad_sq.max(1e-300);
    }
    (sum / points.len().max(1) as f64).sqrt()
}
