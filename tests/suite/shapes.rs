//! The shapes of the suite's cases: points on them and exact distances to them, written
//! from their equations and parametrisations, independently of anything the core learns.

pub use aml_playground::core::manifold::curve_distance;
use aml_playground::core::rng::Rng;
use std::f64::consts::TAU;

pub fn saddle_loop(t: f64) -> [f64; 3] {
    [t.cos(), t.sin(), (2.0 * t).cos()]
}

pub fn moment(t: f64) -> [f64; 4] {
    [t, t * t, t.powi(3), t.powi(4)]
}

pub fn paraboloid([u, v]: [f64; 2]) -> [f64; 3] {
    [u, v, u * u + v * v]
}

pub fn arm([q1, q2]: [f64; 2]) -> [f64; 6] {
    let (c1, s1, c2, s2) = (q1.cos(), q1.sin(), q2.cos(), q2.sin());
    [c1, s1, c2, s2, c1 + 0.6 * (q1 + q2).cos(), s1 + 0.6 * (q1 + q2).sin()]
}

pub fn ellipsoid([phi, theta]: [f64; 2]) -> [f64; 3] {
    [1.5 * theta.sin() * phi.cos(), theta.sin() * phi.sin(), 0.6 * theta.cos()]
}

pub fn circle_point(r: &mut Rng) -> Vec<f64> {
    let a = r.range(0.0, TAU);
    vec![a.cos(), a.sin()]
}

/// A uniform point of the unit sphere in R^n.
pub fn sphere_point(r: &mut Rng, n: usize) -> Vec<f64> {
    let v: Vec<f64> = (0..n).map(|_| r.normal()).collect();
    let len = v.iter().map(|x| x * x).sum::<f64>().sqrt().max(1e-12);
    v.into_iter().map(|x| x / len).collect()
}

/// Distance from p to the unit sphere of its own coordinates: | |p| − 1 |.
pub fn radial(p: &[f64]) -> f64 {
    (p.iter().map(|x| x * x).sum::<f64>().sqrt() - 1.0).abs()
}

/// Distance to {u vᵀ : |u| = |v| = 1} for p = [a, b; c, d]: the nearest such matrix keeps
/// p's singular vectors and sets σ₁ = 1, σ₂ = 0, so the distance² is (σ₁ − 1)² + σ₂².
pub fn rank_one_distance(p: &[f64]) -> f64 {
    let (s1, s2) = singular_values_2x2(p);
    ((s1 - 1.0).powi(2) + s2 * s2).sqrt()
}

/// The singular values σ₁ ≥ σ₂ of a 2×2 matrix given row by row, from its Frobenius norm
/// and determinant: σ₁² + σ₂² = ‖p‖², σ₁σ₂ = |det p|.
fn singular_values_2x2(p: &[f64]) -> (f64, f64) {
    let (a, b, c, d) = (p[0], p[1], p[2], p[3]);
    let frob = a * a + b * b + c * c + d * d;
    let det = a * d - b * c;
    let disc = (frob * frob - 4.0 * det * det).max(0.0).sqrt();
    let s1 = ((frob + disc) / 2.0).sqrt();
    let s2 = ((frob - disc) / 2.0).max(0.0).sqrt();
    (s1, s2)
}

pub fn dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum::<f64>().sqrt()
}

/// Distance to a surface (u, v) ↦ f(u, v) over a box: a grid, then pattern search. A
/// periodic f (a closed surface) is searched past the box's edges, a patch within them.
pub fn surface_distance(p: &[f64], f: impl Fn([f64; 2]) -> Vec<f64>, box_: [(f64, f64); 2], periodic: bool) -> f64 {
    const GRID: usize = 150;
    let clamp = |q: [f64; 2]| if periodic { q } else { [q[0].clamp(box_[0].0, box_[0].1), q[1].clamp(box_[1].0, box_[1].1)] };
    let at = |q: [f64; 2]| dist(p, &f(clamp(q)));
    let step = [(box_[0].1 - box_[0].0) / GRID as f64, (box_[1].1 - box_[1].0) / GRID as f64];
    let mut best = [box_[0].0, box_[1].0];
    let mut best_d = f64::INFINITY;
    for i in 0..=GRID {
        for j in 0..=GRID {
            let q = [box_[0].0 + i as f64 * step[0], box_[1].0 + j as f64 * step[1]];
            let d = at(q);
            if d < best_d {
                (best, best_d) = (q, d);
            }
        }
    }
    let mut h = step;
    for _ in 0..100 {
        let mut moved = false;
        for (du, dv) in [(1.0, 0.0), (-1.0, 0.0), (0.0, 1.0), (0.0, -1.0), (1.0, 1.0), (-1.0, -1.0), (1.0, -1.0), (-1.0, 1.0)] {
            let q = clamp([best[0] + du * h[0], best[1] + dv * h[1]]);
            let d = at(q);
            if d < best_d {
                (best, best_d, moved) = (q, d, true);
            }
        }
        if !moved {
            h = [h[0] / 2.0, h[1] / 2.0];
        }
    }
    best_d
}

pub fn sq(p: &[f64]) -> f64 {
    p.iter().map(|x| x * x).sum()
}

/// The swiss roll of scikit-learn's `make_swiss_roll`, t ∈ [1.5π, 4.5π], height h ∈ [0, 21],
/// divided by `SWISS` so that it is about unit size.
pub const SWISS: f64 = 10.0;
pub const SWISS_T: (f64, f64) = (1.5 * std::f64::consts::PI, 4.5 * std::f64::consts::PI);

pub fn swiss_roll(t: f64, h: f64) -> [f64; 3] {
    [t * t.cos() / SWISS, h / SWISS, t * t.sin() / SWISS]
}

/// Distance to the swiss roll: the roll is a spiral times a segment, so the nearest point
/// pairs the nearest point of the spiral (in x, z) with the nearest height.
pub fn swiss_roll_distance(p: &[f64]) -> f64 {
    let spiral = curve_distance(&[p[0], p[2]], |t| [t * t.cos() / SWISS, t * t.sin() / SWISS], SWISS_T);
    let height = (p[1] - 21.0 / SWISS).max(-p[1]).max(0.0);
    spiral.hypot(height)
}

/// Lemniscate of Gerono, x⁴ − x² + y² = 0: a figure eight crossing itself at the origin.
pub fn gerono(t: f64) -> [f64; 2] {
    [t.cos(), t.sin() * t.cos()]
}

/// Viviani's curve, sphere x²+y²+z² = 4 ∩ cylinder (x−1)² + y² = 1, t ∈ [0, 4π): a closed
/// space curve crossing itself at (2, 0, 0).
pub fn viviani(t: f64) -> [f64; 3] {
    [1.0 + t.cos(), t.sin(), 2.0 * (t / 2.0).sin()]
}

/// The figure-eight knot (4₁), halved to about unit size.
pub fn figure_eight_knot(t: f64) -> [f64; 3] {
    let r = 2.0 + (2.0 * t).cos();
    [0.5 * r * (3.0 * t).cos(), 0.5 * r * (3.0 * t).sin(), 0.5 * (4.0 * t).sin()]
}

/// A uniform rotation of R³ (from a uniform unit quaternion), row by row.
pub fn rotation(r: &mut Rng) -> Vec<f64> {
    let q = sphere_point(r, 4);
    let (w, x, y, z) = (q[0], q[1], q[2], q[3]);
    vec![
        1.0 - 2.0 * (y * y + z * z),
        2.0 * (x * y - w * z),
        2.0 * (x * z + w * y),
        2.0 * (x * y + w * z),
        1.0 - 2.0 * (x * x + z * z),
        2.0 * (y * z - w * x),
        2.0 * (x * z - w * y),
        2.0 * (y * z + w * x),
        1.0 - 2.0 * (x * x + y * y),
    ]
}

/// Distance from a 3×3 matrix (row by row) to the rotations: to U diag(1, 1, det UVᵀ) Vᵀ,
/// from the singular value decomposition A = U Σ Vᵀ (Σ from the eigenvalues of AᵀA):
/// √(Σ (σᵢ − sᵢ)²) with s = (1, 1, det UVᵀ), σ in decreasing order.
pub fn rotation_distance(p: &[f64]) -> f64 {
    let a = |i: usize, j: usize| p[3 * i + j];
    let ata: Vec<Vec<f64>> = (0..3).map(|i| (0..3).map(|j| (0..3).map(|k| a(k, i) * a(k, j)).sum()).collect()).collect();
    let (values, _) = aml_playground::core::linalg::symmetric_eigen(ata);
    let mut sigma: Vec<f64> = values.iter().map(|v| v.max(0.0).sqrt()).collect();
    sigma.sort_by(|x, y| y.total_cmp(x));
    let det = a(0, 0) * (a(1, 1) * a(2, 2) - a(1, 2) * a(2, 1)) - a(0, 1) * (a(1, 0) * a(2, 2) - a(1, 2) * a(2, 0))
        + a(0, 2) * (a(1, 0) * a(2, 1) - a(1, 1) * a(2, 0));
    // det(UVᵀ) has the sign of det A; a reflection's nearest rotation flips its smallest σ.
    let last = if det < 0.0 { -1.0 } else { 1.0 };
    ((sigma[0] - 1.0).powi(2) + (sigma[1] - 1.0).powi(2) + (sigma[2] - last).powi(2)).sqrt()
}

/// Distance from a 2×2 matrix (row by row) to O(2), the rotations and reflections: the
/// nearest orthogonal matrix keeps the singular vectors and sets both σ to 1.
pub fn orthogonal_2_distance(p: &[f64]) -> f64 {
    let (s1, s2) = singular_values_2x2(p);
    ((s1 - 1.0).powi(2) + (s2 - 1.0).powi(2)).sqrt()
}
