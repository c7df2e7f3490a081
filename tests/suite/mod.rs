//! Point clouds the project does not ship, generated from their equations: the suite that
//! checks both algorithms find the true relation count and a faithful zero set on data
//! they were not tuned on. Each case knows its exact distance function, so fidelity is
//! measured against the true set (not the local fit uploads are measured against).
//! Used by tests/unseen_manifolds.rs and examples/suite_table.rs (the README's table).

#![allow(dead_code)]

use aml_playground::backend::Backend;
use aml_playground::core::block_on;
use aml_playground::core::config::{Algorithm, Choice, Config};
use aml_playground::core::dataset::{Dataset, Truth};
use aml_playground::core::manifold::ManifoldKind;
use aml_playground::core::metrics::{self, FIDELITY_TOLERANCE, GaussNewton, Projection};
use aml_playground::core::points::PointCloud;
use aml_playground::core::rng::Rng;
use aml_playground::core::session::Session;
use std::f64::consts::TAU;
use std::time::Instant;

/// The fidelity bars: a closed set (compact, no boundary), an open one.
pub const CLOSED_BAR: f64 = 0.95;
pub const OPEN_BAR: f64 = 0.80;

pub struct Case {
    pub name: String,
    /// The defining equations, as printed in the table.
    pub equations: String,
    pub dim: usize,
    /// The true number of independent relations: N minus the manifold's dimension.
    pub codim: usize,
    /// A closed set (compact, no boundary) must reach 95% fidelity, an open one 80%.
    pub closed: bool,
    pub noise: f64,
    sample: fn(&mut Rng) -> Vec<f64>,
    distance: fn(&[f64]) -> f64,
    /// The true relations (zero exactly on the set), for the fidelity they would reach.
    relations: fn(&[f64]) -> Vec<f64>,
    /// A built-in manifold learns from its own data (`Dataset::synthetic`), as the page
    /// shows it; the others from `cloud`, as an upload.
    pub builtin: Option<ManifoldKind>,
}

impl Case {
    /// A built-in manifold with its sampler, distance and equations. Open sets: the helix
    /// and twisted cubic (curves with ends) and the pendulum (ω and the torque in ranges).
    pub fn builtin(kind: ManifoldKind) -> Self {
        let spec = kind.spec();
        Case {
            name: format!("built-in {}", spec.key),
            equations: format!("{} (R{})", spec.equations.iter().map(|e| e.trim_end_matches(" = 0")).collect::<Vec<_>>().join(", "), superscript(spec.dim)),
            dim: spec.dim,
            codim: kind.codim(),
            closed: !matches!(kind, ManifoldKind::Helix | ManifoldKind::TwistedCubic | ManifoldKind::Pendulum),
            noise: 0.0,
            sample: spec.sample,
            distance: spec.distance,
            relations: spec.residuals,
            builtin: Some(kind),
        }
    }

    /// 95% for a closed set, 80% for an open one; where the true relations themselves
    /// reach less (`exact`, see [`Case::exact_fidelity`]), 90% of what they reach.
    pub fn fidelity_bar(&self, exact: f64) -> f64 {
        let bar = if self.closed { CLOSED_BAR } else { OPEN_BAR };
        if exact < bar { 0.9 * exact } else { bar }
    }

    /// `n` points, with Gaussian noise of the case's σ on every coordinate.
    pub fn cloud(&self, n: usize, seed: u64) -> PointCloud {
        let mut rng = Rng::new(seed).fork(50);
        let values = (0..n)
            .flat_map(|_| {
                let p = (self.sample)(&mut rng);
                assert!((self.distance)(&p) < 1e-4, "{}: a clean sample lies on the set: {p:?} at {}", self.name, (self.distance)(&p));
                p.into_iter().map(|v| v + self.noise * rng.normal()).collect::<Vec<_>>()
            })
            .map(|v| v as f32)
            .collect();
        PointCloud::new(self.dim, values).expect("finite")
    }

    pub fn distance(&self, p: &[f64]) -> f64 {
        (self.distance)(p)
    }

    /// The fidelity the true relations themselves reach under the same projection: the
    /// ceiling for a learned run. Below 100% for an open set, whose relations' zero set
    /// goes on past the sampled piece (the paraboloid patch's z = x² + y² beyond |x|, |y| ≤ 1).
    pub fn exact_fidelity(&self, data: &Dataset, seed: u64) -> Faithful {
        let how = Projection::evaluation(seed);
        let mut projection = GaussNewton::start(data, how);
        for _ in 0..how.iterations {
            let at: Vec<(Vec<f64>, Vec<Vec<f64>>)> = projection.x.chunks(self.dim).map(|p| self.relations_and_gradients(p)).collect();
            projection.step(at.into_iter());
        }
        let (points, _) = projection.landed();
        self.faithful(&points, data)
    }

    /// How many of `points` (projected onto some relations) lie within the fidelity
    /// tolerance of the true set: of all of them, and of those inside the data's bounding box.
    pub fn faithful(&self, points: &[Vec<f64>], data: &Dataset) -> Faithful {
        let distances: Vec<f64> = points.iter().map(|p| self.distance(p)).collect();
        let [(whole, landed), (inside, landed_inside)] = metrics::shares_within(points, &distances, &data.train.bounds(), FIDELITY_TOLERANCE);
        Faithful { whole, landed, inside, landed_inside }
    }

    /// The true relations at p and their gradients (central differences).
    fn relations_and_gradients(&self, p: &[f64]) -> (Vec<f64>, Vec<Vec<f64>>) {
        const H: f64 = 1e-6;
        let g = (self.relations)(p);
        let mut j = vec![vec![0.0; self.dim]; g.len()];
        for c in 0..self.dim {
            let mut up = p.to_vec();
            let mut down = p.to_vec();
            up[c] += H;
            down[c] -= H;
            let (gu, gd) = ((self.relations)(&up), (self.relations)(&down));
            for (r, row) in j.iter_mut().enumerate() {
                row[c] = (gu[r] - gd[r]) / (2.0 * H);
            }
        }
        (g, j)
    }
}

fn sq(p: &[f64]) -> f64 {
    p.iter().map(|x| x * x).sum()
}

/// The built-in manifolds, as cases.
pub fn builtins() -> Vec<Case> {
    ManifoldKind::ALL.into_iter().map(Case::builtin).collect()
}

fn superscript(n: usize) -> String {
    n.to_string().chars().map(|c| "⁰¹²³⁴⁵⁶⁷⁸⁹".chars().nth(c.to_digit(10).expect("a digit") as usize).expect("ten digits")).collect()
}

/// The point clouds the project does not ship.
pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "saddle loop".into(),
            equations: "x²+y²−1, z−x²+y² (R³)".into(),
            dim: 3,
            codim: 2,
            closed: true,
            noise: 0.0,
            sample: |r| saddle_loop(r.range(0.0, TAU)).to_vec(),
            distance: |p| curve_distance(p, |t| saddle_loop(t).to_vec(), (0.0, TAU)),
            relations: |p| vec![p[0] * p[0] + p[1] * p[1] - 1.0, p[2] - p[0] * p[0] + p[1] * p[1]],
            builtin: None,
        },
        Case {
            name: "moment curve".into(),
            equations: "y−x², z−x³, w−x⁴, x∈[−1,1] (R⁴)".into(),
            dim: 4,
            codim: 3,
            closed: false,
            noise: 0.0,
            sample: |r| moment(r.range(-1.0, 1.0)).to_vec(),
            distance: |p| curve_distance(p, |t| moment(t).to_vec(), (-1.0, 1.0)),
            relations: |p| vec![p[1] - p[0].powi(2), p[2] - p[0].powi(3), p[3] - p[0].powi(4)],
            builtin: None,
        },
        Case {
            name: "flat torus".into(),
            equations: "x₁²+x₂²−1, x₃²+x₄²−1 (R⁴)".into(),
            dim: 4,
            codim: 2,
            closed: true,
            noise: 0.0,
            sample: |r| {
                let (a, b) = (r.range(0.0, TAU), r.range(0.0, TAU));
                vec![a.cos(), a.sin(), b.cos(), b.sin()]
            },
            distance: |p| (radial(&p[..2]).powi(2) + radial(&p[2..]).powi(2)).sqrt(),
            relations: |p| vec![sq(&p[..2]) - 1.0, sq(&p[2..]) - 1.0],
            builtin: None,
        },
        Case {
            name: "paraboloid patch".into(),
            equations: "z−x²−y², |x|,|y|≤1 (R³)".into(),
            dim: 3,
            codim: 1,
            closed: false,
            noise: 0.0,
            sample: |r| paraboloid([r.range(-1.0, 1.0), r.range(-1.0, 1.0)]).to_vec(),
            distance: |p| surface_distance(p, |[u, v]| paraboloid([u, v]).to_vec(), [(-1.0, 1.0), (-1.0, 1.0)], false),
            relations: |p| vec![p[2] - p[0] * p[0] - p[1] * p[1]],
            builtin: None,
        },
        Case {
            name: "circle × sphere".into(),
            equations: "x₁²+x₂²−1, x₃²+x₄²+x₅²−1 (R⁵)".into(),
            dim: 5,
            codim: 2,
            closed: true,
            noise: 0.0,
            sample: |r| [circle_point(r), sphere_point(r, 3)].concat(),
            distance: |p| (radial(&p[..2]).powi(2) + radial(&p[2..]).powi(2)).sqrt(),
            relations: |p| vec![sq(&p[..2]) - 1.0, sq(&p[2..]) - 1.0],
            builtin: None,
        },
        Case {
            name: "rank-1 matrices".into(),
            equations: "ad−bc, a²+b²+c²+d²−1 (2×2, R⁴)".into(),
            dim: 4,
            codim: 2,
            closed: true,
            noise: 0.0,
            sample: |r| {
                let (u, v) = (circle_point(r), circle_point(r));
                vec![u[0] * v[0], u[0] * v[1], u[1] * v[0], u[1] * v[1]]
            },
            distance: rank_one_distance,
            relations: |p| vec![p[0] * p[3] - p[1] * p[2], sq(p) - 1.0],
            builtin: None,
        },
        Case {
            name: "two-link arm".into(),
            equations: "cᵢ²+sᵢ²−1 (i=1,2), x−c₁−0.6(c₁c₂−s₁s₂), y−s₁−0.6(s₁c₂+c₁s₂) (R⁶)".into(),
            dim: 6,
            codim: 4,
            closed: true,
            noise: 0.0,
            sample: |r| arm([r.range(0.0, TAU), r.range(0.0, TAU)]).to_vec(),
            distance: |p| surface_distance(p, |q| arm(q).to_vec(), [(0.0, TAU), (0.0, TAU)], true),
            relations: |p| {
                let (c1, s1, c2, s2) = (p[0], p[1], p[2], p[3]);
                vec![c1 * c1 + s1 * s1 - 1.0, c2 * c2 + s2 * s2 - 1.0, p[4] - c1 - 0.6 * (c1 * c2 - s1 * s2), p[5] - s1 - 0.6 * (s1 * c2 + c1 * s2)]
            },
            builtin: None,
        },
        Case {
            name: "noisy ellipsoid σ=0.02".into(),
            equations: "x²/1.5²+y²+z²/0.6²−1 (R³)".into(),
            dim: 3,
            codim: 1,
            closed: true,
            noise: 0.02,
            sample: |r| {
                let s = sphere_point(r, 3);
                vec![1.5 * s[0], s[1], 0.6 * s[2]]
            },
            distance: |p| surface_distance(p, |q| ellipsoid(q).to_vec(), [(0.0, TAU), (0.0, std::f64::consts::PI)], true),
            relations: |p| vec![p[0] * p[0] / 2.25 + p[1] * p[1] + p[2] * p[2] / 0.36 - 1.0],
            builtin: None,
        },
        Case {
            name: "sphere × sphere".into(),
            equations: "x₁²+x₂²+x₃²−1, x₄²+…+x₇²−1 (R⁷)".into(),
            dim: 7,
            codim: 2,
            closed: true,
            noise: 0.0,
            sample: |r| [sphere_point(r, 3), sphere_point(r, 4)].concat(),
            distance: |p| (radial(&p[..3]).powi(2) + radial(&p[3..]).powi(2)).sqrt(),
            relations: |p| vec![sq(&p[..3]) - 1.0, sq(&p[3..]) - 1.0],
            builtin: None,
        },
    ]
}

fn saddle_loop(t: f64) -> [f64; 3] {
    [t.cos(), t.sin(), (2.0 * t).cos()]
}

fn moment(t: f64) -> [f64; 4] {
    [t, t * t, t.powi(3), t.powi(4)]
}

fn paraboloid([u, v]: [f64; 2]) -> [f64; 3] {
    [u, v, u * u + v * v]
}

fn arm([q1, q2]: [f64; 2]) -> [f64; 6] {
    let (c1, s1, c2, s2) = (q1.cos(), q1.sin(), q2.cos(), q2.sin());
    [c1, s1, c2, s2, c1 + 0.6 * (q1 + q2).cos(), s1 + 0.6 * (q1 + q2).sin()]
}

fn ellipsoid([phi, theta]: [f64; 2]) -> [f64; 3] {
    [1.5 * theta.sin() * phi.cos(), theta.sin() * phi.sin(), 0.6 * theta.cos()]
}

fn circle_point(r: &mut Rng) -> Vec<f64> {
    let a = r.range(0.0, TAU);
    vec![a.cos(), a.sin()]
}

/// A uniform point of the unit sphere in R^n.
fn sphere_point(r: &mut Rng, n: usize) -> Vec<f64> {
    let v: Vec<f64> = (0..n).map(|_| r.normal()).collect();
    let len = v.iter().map(|x| x * x).sum::<f64>().sqrt().max(1e-12);
    v.into_iter().map(|x| x / len).collect()
}

/// Distance from p to the unit sphere of its own coordinates: | |p| − 1 |.
fn radial(p: &[f64]) -> f64 {
    (p.iter().map(|x| x * x).sum::<f64>().sqrt() - 1.0).abs()
}

/// Distance to {u vᵀ : |u| = |v| = 1} for p = [a, b; c, d]: the nearest such matrix keeps
/// p's singular vectors and sets σ₁ = 1, σ₂ = 0, so the distance² is (σ₁ − 1)² + σ₂².
fn rank_one_distance(p: &[f64]) -> f64 {
    let (a, b, c, d) = (p[0], p[1], p[2], p[3]);
    let frob = a * a + b * b + c * c + d * d;
    let det = a * d - b * c;
    let disc = (frob * frob - 4.0 * det * det).max(0.0).sqrt();
    let s1 = ((frob + disc) / 2.0).sqrt();
    let s2 = ((frob - disc) / 2.0).max(0.0).sqrt();
    ((s1 - 1.0).powi(2) + s2 * s2).sqrt()
}

fn dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum::<f64>().sqrt()
}

/// Distance to a curve t ↦ f(t), t in `range`: a fine grid, then golden-section search
/// around the best grid point.
fn curve_distance(p: &[f64], f: impl Fn(f64) -> Vec<f64>, (lo, hi): (f64, f64)) -> f64 {
    const GRID: usize = 2000;
    let h = (hi - lo) / GRID as f64;
    let at = |t: f64| dist(p, &f(t.clamp(lo, hi)));
    let best = (0..=GRID).map(|i| lo + i as f64 * h).min_by(|&a, &b| at(a).total_cmp(&at(b))).expect("grid");
    let (mut a, mut b) = (best - h, best + h);
    let g = 0.5 * (5f64.sqrt() - 1.0);
    for _ in 0..60 {
        let (x1, x2) = (b - g * (b - a), a + g * (b - a));
        if at(x1) < at(x2) { b = x2 } else { a = x1 }
    }
    at(0.5 * (a + b)).min(at(best))
}

/// Distance to a surface (u, v) ↦ f(u, v) over a box: a grid, then pattern search. A
/// periodic f (a closed surface) is searched past the box's edges, a patch within them.
fn surface_distance(p: &[f64], f: impl Fn([f64; 2]) -> Vec<f64>, box_: [(f64, f64); 2], periodic: bool) -> f64 {
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

/// How faithful an intersection is: the share of random box points projected onto it
/// that land within 0.05 of the true set.
#[derive(Clone, Copy, Debug)]
pub struct Faithful {
    /// Of all points that landed (the figure).
    pub whole: f64,
    pub landed: usize,
    /// Of those that landed inside the data's bounding box. An open set's relations go on
    /// past the sampled piece, where the data says nothing of them: the pendulum's exact
    /// relations are 35% faithful in the whole box, since most points land at an ω or a
    /// torque outside the sampled ranges. Here the data decides what is right.
    pub inside: f64,
    pub landed_inside: usize,
}

/// What one run found on one case.
pub struct Outcome {
    pub kept: usize,
    pub fidelity: Faithful,
    /// The figure the run itself reports: for an upload, against a local linear fit of the
    /// data with the estimated dimension; for a built-in, against its true set.
    pub reported_fidelity: Option<f64>,
    /// What the true relations reach (see [`Case::exact_fidelity`]).
    pub exact_fidelity: Faithful,
    pub seconds: f64,
    pub verdicts: Vec<String>,
    pub conclusion: String,
}

/// Learns `case` with the default configuration (and `algorithm`), as an upload would.
pub fn run(case: &Case, algorithm: Algorithm, seed: u64) -> Outcome {
    run_with(case, Config { algorithm, seed, ..Config::default() })
}

/// Learns `case` with `config`: a built-in manifold from its own data, any other case
/// from its cloud as an upload (`config`'s manifold is ignored).
pub fn run_with(case: &Case, config: Config) -> Outcome {
    let seed = config.seed;
    let config = Config { manifold: case.builtin.unwrap_or(config.manifold), ..config };
    let data = match case.builtin {
        Some(_) => Dataset::synthetic(&config),
        None => Dataset::from_cloud(case.cloud(config.samples, seed), Truth::Cloud, seed),
    };
    let device = Backend::cpu().device;
    let started = Instant::now();
    let mut session = Session::new(config, data.clone(), &device);
    block_on(session.run(100, |_, _| {})).expect("training runs");
    let seconds = started.elapsed().as_secs_f64();
    let (points, _) = block_on(metrics::intersection_points(session.kept(), &data, Projection::evaluation(seed), &device)).expect("projection");
    Outcome {
        kept: session.kept().len(),
        fidelity: case.faithful(&points, &data),
        reported_fidelity: session.reports().iter().rev().find_map(|r| r.fidelity.as_ref()).map(|f| f.within),
        exact_fidelity: case.exact_fidelity(&data, seed),
        seconds,
        verdicts: session.reports().iter().map(|r| format!("g{}: {} ({}; {} steps)", r.index + 1, r.verdict.describe(), r.how_trained(), r.steps)).collect(),
        conclusion: session.conclusion().describe(),
    }
}

/// What a test asks of a case under one algorithm.
pub enum Expect {
    /// The bar: the true relation count and the fidelity bar.
    Bar,
    /// Short of the bar today: this many relations and at least this fidelity.
    Short { kept: usize, fidelity: f64 },
    /// The bar, but an open set short of it inside the data's box: at least this there.
    ShortInside { inside: f64 },
}

pub const fn short(kept: usize, fidelity: f64) -> Expect {
    Expect::Short { kept, fidelity }
}

pub const fn short_inside(inside: f64) -> Expect {
    Expect::ShortInside { inside }
}

/// Learns the case named `name` of `cases` at seed 1 and holds it to `expect`.
pub fn check(cases: &[Case], name: &str, algorithm: Algorithm, expect: Expect) {
    let case = cases.iter().find(|c| c.name == name).expect("a suite case");
    let o = run(case, algorithm, 1);
    let report = format!("{name} ({}): {} in {:.1} s\n{}", algorithm.key(), o.conclusion, o.seconds, o.verdicts.join("\n"));
    let (f, exact) = (o.fidelity, o.exact_fidelity);
    eprintln!(
        "{report}\nfidelity {:.3} of {} landed, {:.3} of the {} inside the data's box (exact relations: {:.3}, {:.3}; as the run reports it: {:?})",
        f.whole, f.landed, f.inside, f.landed_inside, exact.whole, exact.inside, o.reported_fidelity
    );
    let (kept, bar, inside_bar) = match expect {
        Expect::Bar => (case.codim, case.fidelity_bar(exact.whole), OPEN_BAR),
        Expect::Short { kept, fidelity } => (kept, fidelity, OPEN_BAR),
        Expect::ShortInside { inside } => (case.codim, case.fidelity_bar(exact.whole), inside),
    };
    assert_eq!(o.kept, kept, "relations kept (true: {})\n{report}", case.codim);
    assert!(f.whole >= bar, "fidelity {:.3} < {bar:.3}\n{report}", f.whole);
    // Where the data lies, an open set is held to the issue's own bar: there the exact
    // relations reach 100% on every open case, where in the whole box they reach 35-92%.
    if !case.closed {
        assert!(f.inside >= inside_bar, "inside the data's box: fidelity {:.3} < {inside_bar}\n{report}", f.inside);
    }
}

/// A test module per case, one test per algorithm: `$cases` is where the names are looked up.
#[allow(unused_macros)]
macro_rules! suite_tests {
    ($cases:expr; $($test:ident: $name:literal, $transversality:expr, $syzygy:expr;)*) => {$(
        mod $test {
            use super::*;
            use aml_playground::core::config::Algorithm;
            #[test]
            fn transversality() {
                suite::check(&$cases, $name, Algorithm::Transversality, $transversality);
            }
            #[test]
            fn syzygy() {
                suite::check(&$cases, $name, Algorithm::Syzygy, $syzygy);
            }
        }
    )*};
}
