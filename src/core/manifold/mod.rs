//! Synthetic manifolds: seeded samplers, their true defining equations (for evaluation
//! only; training never sees them) and the distance of a point to the true set. Each is
//! one [`Manifold`] descriptor in `catalogue.rs`.

mod catalogue;
pub mod pendulum;

use super::config::Choice;
use super::linalg::squared_distance;
use super::points::PointCloud;
use super::rng::Rng;

/// Everything the program knows about one built-in manifold.
pub struct Manifold {
    /// The short name used in URLs and on the command line.
    pub key: &'static str,
    /// What a person reads in the panel.
    pub label: &'static str,
    /// Ambient dimension N.
    pub dim: usize,
    /// Compact without boundary (a closed curve or surface); an open set (with ends, or
    /// sampled in ranges) has relations that go on past the sampled piece.
    pub closed: bool,
    /// The true equations, as printed for the user: one per independent relation.
    pub equations: &'static [&'static str],
    /// Advice for a manifold the default network does not learn.
    pub hint: Option<&'static str>,
    /// The true equations evaluated at a point (zero on the manifold).
    pub residuals: fn(&[f64]) -> Vec<f64>,
    /// A noise-free point at parameters drawn from the generator.
    pub sample: fn(&mut Rng) -> Vec<f64>,
    /// Euclidean distance from a point to the true manifold: exact where a formula exists,
    /// against a dense noise-free reference curve for the curves (error well under 0.01),
    /// by a least-squares fit of the state for the pendulum set.
    pub distance: fn(&[f64]) -> f64,
}

/// The built-in manifolds by name (what a configuration holds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ManifoldKind {
    /// The flagship: x²+y²−2z²−1 = 0 and y−2z−1 = 0, an ellipse in R³.
    Ellipse,
    Circle,
    Sphere,
    SphereCircle,
    Torus,
    Helix,
    TwistedCubic,
    Pendulum,
}

impl ManifoldKind {
    pub const ALL: [ManifoldKind; 8] =
        [Self::Ellipse, Self::Circle, Self::Sphere, Self::SphereCircle, Self::Torus, Self::Helix, Self::TwistedCubic, Self::Pendulum];

    /// Its descriptor.
    pub fn spec(self) -> &'static Manifold {
        use catalogue::*;
        match self {
            Self::Ellipse => &ELLIPSE,
            Self::Circle => &CIRCLE,
            Self::Sphere => &SPHERE,
            Self::SphereCircle => &SPHERE_CIRCLE,
            Self::Torus => &TORUS,
            Self::Helix => &HELIX,
            Self::TwistedCubic => &TWISTED_CUBIC,
            Self::Pendulum => &PENDULUM,
        }
    }

    pub fn dim(self) -> usize {
        self.spec().dim
    }

    /// How many independent equations cut the manifold out: N minus its dimension.
    pub fn codim(self) -> usize {
        self.spec().equations.len()
    }

    pub fn equations(self) -> &'static [&'static str] {
        self.spec().equations
    }

    pub fn hint(self) -> Option<&'static str> {
        self.spec().hint
    }

    pub fn residuals(self, p: &[f64]) -> Vec<f64> {
        (self.spec().residuals)(p)
    }

    pub fn distance(self, p: &[f64]) -> f64 {
        (self.spec().distance)(p)
    }

    /// `n` points with isotropic Gaussian noise of standard deviation `noise`.
    pub fn sample(self, n: usize, noise: f64, rng: &mut Rng) -> PointCloud {
        let spec = self.spec();
        let mut values = Vec::with_capacity(n * spec.dim);
        for _ in 0..n {
            for x in (spec.sample)(rng) {
                values.push((x + noise * rng.normal()) as f32);
            }
        }
        PointCloud::new(spec.dim, values).expect("samplers produce finite rows of the right width")
    }
}

impl Choice for ManifoldKind {
    const ALL: &'static [Self] = &ManifoldKind::ALL;
    fn key(self) -> &'static str {
        self.spec().key
    }
    fn label(self) -> &'static str {
        self.spec().label
    }
}

/// Distance from `p` to the curve t ↦ at(t), t in `range`: a grid of 2,001 points along
/// it, then a golden-section search between the grid's neighbours of each grid point that
/// is a local minimum within half again of the nearest (a curve that crosses itself has
/// another branch nearly as near). The one curve distance of the built-in manifolds and
/// the tests' suite.
pub fn curve_distance<const N: usize>(p: &[f64], at: impl Fn(f64) -> [f64; N], (lo, hi): (f64, f64)) -> f64 {
    const GRID: usize = 2000;
    let h = (hi - lo) / GRID as f64;
    let d = |t: f64| squared_distance(p, &at(t.clamp(lo, hi))).sqrt();
    let grid: Vec<f64> = (0..=GRID).map(|i| d(lo + i as f64 * h)).collect();
    let nearest = grid.iter().copied().fold(f64::INFINITY, f64::min);
    let mut best = nearest;
    for i in 0..=GRID {
        let local = (i == 0 || grid[i] <= grid[i - 1]) && (i == GRID || grid[i] <= grid[i + 1]);
        if !local || grid[i] > 1.5 * nearest + 1e-12 {
            continue;
        }
        let t = lo + i as f64 * h;
        // The bracket stays inside the range: past an end the distance is flat, which
        // would lead the search off the minimum.
        let (mut a, mut b) = ((t - h).max(lo), (t + h).min(hi));
        let g = 0.5 * (5f64.sqrt() - 1.0);
        for _ in 0..60 {
            let (x1, x2) = (b - g * (b - a), a + g * (b - a));
            if d(x1) < d(x2) { b = x2 } else { a = x1 }
        }
        best = best.min(d(0.5 * (a + b)));
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_samples_satisfy_their_equations_and_lie_on_the_set() {
        for kind in ManifoldKind::ALL {
            let mut rng = Rng::new(11);
            let cloud = kind.sample(200, 0.0, &mut rng);
            assert_eq!(cloud.dim(), kind.dim());
            assert_eq!(kind.residuals(&vec![0.0; kind.dim()]).len(), kind.equations().len());
            for p in cloud.rows_f64() {
                for r in kind.residuals(&p) {
                    assert!(r.abs() < 1e-4, "{kind:?}: residual {r} at {p:?}");
                }
                let d = kind.distance(&p);
                assert!(d < 0.01, "{kind:?}: distance {d} at {p:?}");
            }
        }
    }

    #[test]
    fn points_off_the_set_are_far_and_violate_an_equation() {
        let far = [0.3, 2.5, -1.7];
        for kind in [ManifoldKind::Ellipse, ManifoldKind::Sphere, ManifoldKind::Helix] {
            assert!(kind.distance(&far) > 0.5, "{kind:?}");
            assert!(kind.residuals(&far).iter().any(|r| r.abs() > 0.1), "{kind:?}");
        }
    }

    #[test]
    fn sampling_is_reproducible_and_noise_moves_points() {
        let a = ManifoldKind::Torus.sample(50, 0.05, &mut Rng::new(5));
        let b = ManifoldKind::Torus.sample(50, 0.05, &mut Rng::new(5));
        let c = ManifoldKind::Torus.sample(50, 0.05, &mut Rng::new(6));
        assert_eq!(a, b);
        assert_ne!(a, c);
        let mean_d: f64 = a.rows_f64().map(|p| ManifoldKind::Torus.distance(&p)).sum::<f64>() / 50.0;
        assert!(mean_d > 0.01 && mean_d < 0.15, "mean distance {mean_d}");
    }

    #[test]
    fn keys_round_trip() {
        for kind in ManifoldKind::ALL {
            assert_eq!(ManifoldKind::from_key(kind.key()), Some(kind));
        }
        assert_eq!(ManifoldKind::from_key("klein-bottle"), None);
    }
}
