//! The built-in manifolds, one descriptor each: what a person reads, the sampler, the true
//! equations and the distance to the true set. Adding one is adding a descriptor here and
//! its name to `ManifoldKind`.

use super::{Manifold, curve_distance, pendulum};
use crate::core::linalg::dot;
use std::f64::consts::{PI, TAU};

const TORUS_R: f64 = 1.0;
const TORUS_TUBE: f64 = 0.4;

pub const ELLIPSE: Manifold = Manifold {
    key: "ellipse",
    label: "Ellipse: hyperboloid ∩ plane (R³)",
    dim: 3,
    closed: true,
    equations: &["x² + y² − 2z² − 1 = 0", "y − 2z − 1 = 0"],
    hint: None,
    residuals: |p| vec![p[0] * p[0] + p[1] * p[1] - 2.0 * p[2] * p[2] - 1.0, p[1] - 2.0 * p[2] - 1.0],
    sample: |rng| ellipse_at(rng.range(0.0, TAU)).to_vec(),
    distance: |p| curve_distance(p, ellipse_at, (0.0, TAU)),
};

pub const CIRCLE: Manifold = Manifold {
    key: "circle",
    label: "Circle (R²)",
    dim: 2,
    closed: true,
    equations: &["x² + y² − 1 = 0"],
    hint: None,
    residuals: |p| vec![p[0] * p[0] + p[1] * p[1] - 1.0],
    sample: |rng| {
        let t = rng.range(0.0, TAU);
        vec![t.cos(), t.sin()]
    },
    distance: |p| (dot(p, p).sqrt() - 1.0).abs(),
};

pub const SPHERE: Manifold = Manifold {
    key: "sphere",
    label: "Sphere (R³)",
    dim: 3,
    closed: true,
    equations: &["x² + y² + z² − 1 = 0"],
    hint: None,
    residuals: |p| vec![dot(p, p) - 1.0],
    sample: |rng| {
        let v = [rng.normal(), rng.normal(), rng.normal()];
        let n = dot(&v, &v).sqrt().max(1e-12);
        v.iter().map(|x| x / n).collect()
    },
    distance: |p| (dot(p, p).sqrt() - 1.0).abs(),
};

/// The unit sphere cut by the plane x+y+z = 0.5.
pub const SPHERE_CIRCLE: Manifold = Manifold {
    key: "sphere-circle",
    label: "Sphere ∩ plane circle (R³)",
    dim: 3,
    closed: true,
    equations: &["x² + y² + z² − 1 = 0", "x + y + z − 0.5 = 0"],
    hint: None,
    residuals: |p| vec![dot(p, p) - 1.0, p[0] + p[1] + p[2] - 0.5],
    sample: |rng| sphere_circle_at(rng.range(0.0, TAU)).to_vec(),
    distance: |p| curve_distance(p, sphere_circle_at, (0.0, TAU)),
};

pub const TORUS: Manifold = Manifold {
    key: "torus",
    label: "Torus (R³)",
    dim: 3,
    closed: true,
    equations: &["(√(x²+y²) − 1)² + z² − 0.16 = 0"],
    // Seeds 1-5: one relation with either algorithm (g_1 learns the surface's sides,
    // `core::orientation`; syzygy's loose second relation is rejected once made
    // transverse). Within 1,500 steps (stop=early) 85-100% of the intersection lies on the
    // torus; g_1 is still loose when they run out at 4 seeds of 5, and with the 1,000 more
    // that stop=tighten gives it, 97-100% at those 4 (the 5th stops early, 92.2%). Centred
    // and scaled (link version 8) it stops early at seeds 1-4 (1,200-1,500 steps with the
    // warm start) and is given more at seed 5 (3,150 in all).
    hint: Some(
        "The torus needs one relation, and both algorithms find it. Its fit is usually done within the default 1,500 \
         steps; where it is still loose or improving when they run out, it is given more to tighten the surface \
         (stop=patient).",
    ),
    residuals: |p| {
        let rho = p[0].hypot(p[1]) - TORUS_R;
        vec![rho * rho + p[2] * p[2] - TORUS_TUBE * TORUS_TUBE]
    },
    sample: |rng| {
        let (u, v) = (rng.range(0.0, TAU), rng.range(0.0, TAU));
        let rho = TORUS_R + TORUS_TUBE * v.cos();
        vec![rho * u.cos(), rho * u.sin(), TORUS_TUBE * v.sin()]
    },
    distance: |p| ((p[0].hypot(p[1]) - TORUS_R).hypot(p[2]) - TORUS_TUBE).abs(),
};

pub const HELIX: Manifold = Manifold {
    key: "helix",
    label: "Helix (R³)",
    dim: 3,
    closed: false,
    equations: &["x − cos(2π(z+1)) = 0", "y − sin(2π(z+1)) = 0"],
    hint: None,
    residuals: |p| {
        let t = TAU * (p[2] + 1.0);
        vec![p[0] - t.cos(), p[1] - t.sin()]
    },
    sample: |rng| helix_at(rng.range(-1.0, 1.0)).to_vec(),
    distance: |p| curve_distance(p, helix_at, (-1.0, 1.0)),
};

pub const TWISTED_CUBIC: Manifold = Manifold {
    key: "twisted-cubic",
    label: "Twisted cubic (R³)",
    dim: 3,
    closed: false,
    equations: &["y − x² = 0", "z − x³ = 0"],
    hint: None,
    residuals: |p| vec![p[1] - p[0] * p[0], p[2] - p[0] * p[0] * p[0]],
    sample: |rng| twisted_cubic_at(rng.range(-1.0, 1.0)).to_vec(),
    distance: |p| curve_distance(p, twisted_cubic_at, (-1.0, 1.0)),
};

/// Pendulum transitions [cos θ, sin θ, ω, a, cos θ', sin θ', ω'] in R⁷.
pub const PENDULUM: Manifold = Manifold {
    key: "pendulum",
    label: "Pendulum transitions (R⁷)",
    dim: 7,
    closed: false,
    equations: &["c² + s² − 1 = 0", "c'² + s'² − 1 = 0", "ω' − ω − dt(a − 9.81 s) = 0", "angle(c', s') − angle(c, s) − dt ω' = 0"],
    hint: None,
    residuals: |p| {
        let (c, s, w, a, c1, s1, w1) = (p[0], p[1], p[2], p[3], p[4], p[5], p[6]);
        let dtheta = (s1.atan2(c1) - s.atan2(c) - pendulum::DT * w1 + PI).rem_euclid(TAU) - PI;
        vec![c * c + s * s - 1.0, c1 * c1 + s1 * s1 - 1.0, w1 - w - pendulum::DT * (a - 9.81 * s), dtheta]
    },
    sample: |rng| {
        let theta = rng.range(-PI, PI);
        let w = rng.range(pendulum::OMEGA.0, pendulum::OMEGA.1);
        let a = rng.range(pendulum::TORQUE.0, pendulum::TORQUE.1);
        pendulum::transition([theta, w, a]).0.to_vec()
    },
    distance: pendulum::distance,
};

fn ellipse_at(t: f64) -> [f64; 3] {
    // y = 2z + 1 turns the hyperboloid into x² + 2(z+1)² = 2.
    let z = -1.0 + t.sin();
    [2f64.sqrt() * t.cos(), 2.0 * z + 1.0, z]
}

fn sphere_circle_at(t: f64) -> [f64; 3] {
    let d = 0.5 / 3f64.sqrt(); // distance of the plane from the origin
    let r = (1.0 - d * d).sqrt();
    let n = [1.0 / 3f64.sqrt(); 3];
    let u = [1.0 / 2f64.sqrt(), -1.0 / 2f64.sqrt(), 0.0];
    let w = [1.0 / 6f64.sqrt(), 1.0 / 6f64.sqrt(), -2.0 / 6f64.sqrt()];
    std::array::from_fn(|i| d * n[i] + r * (t.cos() * u[i] + t.sin() * w[i]))
}

fn helix_at(z: f64) -> [f64; 3] {
    let t = TAU * (z + 1.0);
    [t.cos(), t.sin(), z]
}

fn twisted_cubic_at(t: f64) -> [f64; 3] {
    [t, t * t, t * t * t]
}
