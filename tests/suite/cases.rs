//! The point clouds the project does not ship, each generated in the tests from its
//! equations or parametrisation, with its exact distance: curves and surfaces closed and
//! open, R² to R⁹, in the data's own units and in others, crossing themselves, knotted,
//! in pieces, and groups of matrices.

use super::shapes::*;
use super::{Case, Units};
use std::f64::consts::TAU;

/// The suite's first cases: unit-sized sets in one piece each.
pub fn first() -> Vec<Case> {
    vec![
        saddle_loop_case(),
        moment_curve_case(),
        flat_torus_case(),
        paraboloid_patch_case(),
        circle_times_sphere_case(),
        rank_1_matrices_case(),
        two_link_arm_case(),
        noisy_ellipsoid_case(),
        sphere_times_sphere_case(),
    ]
}

fn saddle_loop_case() -> Case {
    Case {
        name: "saddle loop".into(),
        equations: "x²+y²−1, z−x²+y² (R³)".into(),
        dim: 3,
        codim: 2,
        closed: true,
        noise: 0.0,
        sample: |r| saddle_loop(r.range(0.0, TAU)).to_vec(),
        distance: |p| curve_distance(p, saddle_loop, (0.0, TAU)),
        relations: Some(|p| vec![p[0] * p[0] + p[1] * p[1] - 1.0, p[2] - p[0] * p[0] + p[1] * p[1]]),
        ..Case::default()
    }
}

fn moment_curve_case() -> Case {
    Case {
        name: "moment curve".into(),
        equations: "y−x², z−x³, w−x⁴, x∈[−1,1] (R⁴)".into(),
        dim: 4,
        codim: 3,
        closed: false,
        noise: 0.0,
        sample: |r| moment(r.range(-1.0, 1.0)).to_vec(),
        distance: |p| curve_distance(p, moment, (-1.0, 1.0)),
        relations: Some(|p| vec![p[1] - p[0].powi(2), p[2] - p[0].powi(3), p[3] - p[0].powi(4)]),
        ..Case::default()
    }
}

fn flat_torus_case() -> Case {
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
        relations: Some(|p| vec![sq(&p[..2]) - 1.0, sq(&p[2..]) - 1.0]),
        ..Case::default()
    }
}

fn paraboloid_patch_case() -> Case {
    Case {
        name: "paraboloid patch".into(),
        equations: "z−x²−y², |x|,|y|≤1 (R³)".into(),
        dim: 3,
        codim: 1,
        closed: false,
        noise: 0.0,
        sample: |r| paraboloid([r.range(-1.0, 1.0), r.range(-1.0, 1.0)]).to_vec(),
        distance: |p| surface_distance(p, |[u, v]| paraboloid([u, v]).to_vec(), [(-1.0, 1.0), (-1.0, 1.0)], false),
        relations: Some(|p| vec![p[2] - p[0] * p[0] - p[1] * p[1]]),
        ..Case::default()
    }
}

fn circle_times_sphere_case() -> Case {
    Case {
        name: "circle × sphere".into(),
        equations: "x₁²+x₂²−1, x₃²+x₄²+x₅²−1 (R⁵)".into(),
        dim: 5,
        codim: 2,
        closed: true,
        noise: 0.0,
        sample: |r| [circle_point(r), sphere_point(r, 3)].concat(),
        distance: |p| (radial(&p[..2]).powi(2) + radial(&p[2..]).powi(2)).sqrt(),
        relations: Some(|p| vec![sq(&p[..2]) - 1.0, sq(&p[2..]) - 1.0]),
        ..Case::default()
    }
}

fn rank_1_matrices_case() -> Case {
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
        relations: Some(|p| vec![p[0] * p[3] - p[1] * p[2], sq(p) - 1.0]),
        ..Case::default()
    }
}

fn two_link_arm_case() -> Case {
    Case {
        name: "two-link arm".into(),
        equations: "cᵢ²+sᵢ²−1 (i=1,2), x−c₁−0.6(c₁c₂−s₁s₂), y−s₁−0.6(s₁c₂+c₁s₂) (R⁶)".into(),
        dim: 6,
        codim: 4,
        closed: true,
        noise: 0.0,
        sample: |r| arm([r.range(0.0, TAU), r.range(0.0, TAU)]).to_vec(),
        distance: |p| surface_distance(p, |q| arm(q).to_vec(), [(0.0, TAU), (0.0, TAU)], true),
        relations: Some(|p| {
            let (c1, s1, c2, s2) = (p[0], p[1], p[2], p[3]);
            vec![c1 * c1 + s1 * s1 - 1.0, c2 * c2 + s2 * s2 - 1.0, p[4] - c1 - 0.6 * (c1 * c2 - s1 * s2), p[5] - s1 - 0.6 * (s1 * c2 + c1 * s2)]
        }),
        ..Case::default()
    }
}

fn noisy_ellipsoid_case() -> Case {
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
        relations: Some(|p| vec![p[0] * p[0] / 2.25 + p[1] * p[1] + p[2] * p[2] / 0.36 - 1.0]),
        ..Case::default()
    }
}

fn sphere_times_sphere_case() -> Case {
    Case {
        name: "sphere × sphere".into(),
        equations: "x₁²+x₂²+x₃²−1, x₄²+…+x₇²−1 (R⁷)".into(),
        dim: 7,
        codim: 2,
        closed: true,
        noise: 0.0,
        sample: |r| [sphere_point(r, 3), sphere_point(r, 4)].concat(),
        distance: |p| (radial(&p[..3]).powi(2) + radial(&p[3..]).powi(2)).sqrt(),
        relations: Some(|p| vec![sq(&p[..3]) - 1.0, sq(&p[3..]) - 1.0]),
        ..Case::default()
    }
}

/// Data as people bring it: in its own units (large, or mixed), curves that cross
/// themselves, a knot, sets in several pieces, groups of matrices, a scikit-learn-style roll.
pub fn brought() -> Vec<Case> {
    vec![
        swiss_roll_case(),
        ellipse_in_centimetres_case(),
        ellipse_in_mixed_units_case(),
        figure_eight_case(),
        vivianis_curve_case(),
        figure_eight_knot_case(),
        three_stacked_circles_case(),
        two_spheres_case(),
        nested_spheres_case(),
        linked_circles_case(),
        rotations_so3_case(),
        orthogonal_o2_case(),
    ]
}

fn swiss_roll_case() -> Case {
    Case {
        name: "swiss roll (scikit-learn units)".into(),
        equations: "sin((r−θ)/2), (r, θ) polar in (x, z); x, z to ±14, y∈[0,21] (R³)".into(),
        dim: 3,
        codim: 1,
        closed: false,
        sample: |r| swiss_roll(r.range(SWISS_T.0, SWISS_T.1), r.range(0.0, 21.0)).to_vec(),
        distance: swiss_roll_distance,
        relations: Some(|p| {
            let radius = SWISS * p[0].hypot(p[2]);
            vec![(0.5 * (radius - p[2].atan2(p[0]))).sin()]
        }),
        units: Some(Units { offset: vec![0.0; 3], scale: vec![SWISS; 3] }),
        ..Case::default()
    }
}

fn ellipse_in_centimetres_case() -> Case {
    Case {
        name: "ellipse in centimetres".into(),
        equations: "the built-in ellipse ×100, moved by (−40, 300, 120) (R³)".into(),
        dim: 3,
        codim: 2,
        closed: true,
        sample: |r| ellipse(r.range(0.0, TAU)).to_vec(),
        distance: |p| curve_distance(p, ellipse, (0.0, TAU)),
        relations: Some(ellipse_relations),
        units: Some(Units { offset: vec![-40.0, 300.0, 120.0], scale: vec![100.0; 3] }),
        ..Case::default()
    }
}

fn ellipse_in_mixed_units_case() -> Case {
    Case {
        name: "ellipse in mixed units".into(),
        equations: "the built-in ellipse, x in m, y in mm, z in cm (R³)".into(),
        dim: 3,
        codim: 2,
        closed: true,
        sample: |r| ellipse(r.range(0.0, TAU)).to_vec(),
        distance: |p| curve_distance(p, ellipse, (0.0, TAU)),
        relations: Some(ellipse_relations),
        units: Some(Units { offset: vec![0.0; 3], scale: vec![1.0, 1000.0, 100.0] }),
        ..Case::default()
    }
}

fn figure_eight_case() -> Case {
    Case {
        name: "figure eight (Gerono)".into(),
        equations: "x⁴−x²+y², crossing itself at 0 (R²)".into(),
        dim: 2,
        codim: 1,
        closed: true,
        sample: |r| gerono(r.range(0.0, TAU)).to_vec(),
        distance: |p| curve_distance(p, gerono, (0.0, TAU)),
        relations: Some(|p| vec![p[0].powi(4) - p[0] * p[0] + p[1] * p[1]]),
        ..Case::default()
    }
}

fn vivianis_curve_case() -> Case {
    Case {
        name: "Viviani's curve".into(),
        equations: "x²+y²+z²−4, (x−1)²+y²−1, crossing itself at (2,0,0) (R³)".into(),
        dim: 3,
        codim: 2,
        closed: true,
        sample: |r| viviani(r.range(0.0, 2.0 * TAU)).to_vec(),
        distance: |p| curve_distance(p, viviani, (0.0, 2.0 * TAU)),
        relations: Some(|p| vec![sq(p) - 4.0, (p[0] - 1.0).powi(2) + p[1] * p[1] - 1.0]),
        ..Case::default()
    }
}

fn figure_eight_knot_case() -> Case {
    Case {
        name: "figure-eight knot".into(),
        equations: "((2+cos 2t)cos 3t, (2+cos 2t)sin 3t, sin 4t)/2 (R³)".into(),
        dim: 3,
        codim: 2,
        closed: true,
        sample: |r| figure_eight_knot(r.range(0.0, TAU)).to_vec(),
        distance: |p| curve_distance(p, figure_eight_knot, (0.0, TAU)),
        ..Case::default()
    }
}

fn three_stacked_circles_case() -> Case {
    Case {
        name: "three stacked circles".into(),
        equations: "x²+y²−1, z³−z: three pieces (R³)".into(),
        dim: 3,
        codim: 2,
        closed: true,
        sample: |r| {
            let (t, level) = (r.range(0.0, TAU), r.below(3) as f64 - 1.0);
            vec![t.cos(), t.sin(), level]
        },
        distance: |p| radial(&p[..2]).hypot(p[2] - p[2].round().clamp(-1.0, 1.0)),
        relations: Some(|p| vec![p[0] * p[0] + p[1] * p[1] - 1.0, p[2].powi(3) - p[2]]),
        ..Case::default()
    }
}

fn two_spheres_case() -> Case {
    Case {
        name: "two spheres".into(),
        equations: "((x−1.5)²+y²+z²−1)((x+1.5)²+y²+z²−1): two pieces (R³)".into(),
        dim: 3,
        codim: 1,
        closed: true,
        sample: |r| {
            let s = sphere_point(r, 3);
            let side = if r.below(2) == 0 { -1.5 } else { 1.5 };
            vec![s[0] + side, s[1], s[2]]
        },
        distance: |p| radial(&[p[0] - 1.5, p[1], p[2]]).min(radial(&[p[0] + 1.5, p[1], p[2]])),
        relations: Some(|p| vec![(sq(&[p[0] - 1.5, p[1], p[2]]) - 1.0) * (sq(&[p[0] + 1.5, p[1], p[2]]) - 1.0)]),
        ..Case::default()
    }
}

fn nested_spheres_case() -> Case {
    Case {
        name: "nested spheres".into(),
        equations: "(x²+y²+z²−1)(x²+y²+z²−4): a sphere inside another (R³)".into(),
        dim: 3,
        codim: 1,
        closed: true,
        sample: |r| {
            let s = sphere_point(r, 3);
            let radius = if r.below(2) == 0 { 1.0 } else { 2.0 };
            s.iter().map(|v| radius * v).collect()
        },
        distance: |p| radial(p).min((sq(p).sqrt() - 2.0).abs()),
        relations: Some(|p| vec![(sq(p) - 1.0) * (sq(p) - 4.0)]),
        ..Case::default()
    }
}

/// Two circles through each other's discs (a Hopf link): radius 1 about the origin in the
/// xy-plane, radius 0.8 about (0.9, 0, 0) in the xz-plane. Not a complete intersection
/// that two products cut out alone: (x²+y²−1)((x−0.9)²+z²−0.64) and yz also vanish on
/// four lines (x = ±1 with y = 0, x = 0.1 and x = 1.7 with z = 0), which the exact
/// relations' fidelity counts against them.
fn linked_circles_case() -> Case {
    Case {
        name: "linked circles".into(),
        equations: "x²+y²−1 with z, (x−0.9)²+z²−0.64 with y: two pieces, linked (R³)".into(),
        dim: 3,
        codim: 2,
        closed: true,
        sample: |r| {
            let t = r.range(0.0, TAU);
            if r.below(2) == 0 { vec![t.cos(), t.sin(), 0.0] } else { vec![0.9 + 0.8 * t.cos(), 0.0, 0.8 * t.sin()] }
        },
        distance: |p| {
            let a = (p[0].hypot(p[1]) - 1.0).hypot(p[2]);
            let b = ((p[0] - 0.9).hypot(p[2]) - 0.8).hypot(p[1]);
            a.min(b)
        },
        relations: Some(|p| vec![(p[0] * p[0] + p[1] * p[1] - 1.0) * ((p[0] - 0.9).powi(2) + p[2] * p[2] - 0.64), p[1] * p[2]]),
        ..Case::default()
    }
}

fn rotations_so3_case() -> Case {
    Case {
        name: "rotations SO(3)".into(),
        equations: "RᵀR − I: 6 equations (3×3 matrices, R⁹)".into(),
        dim: 9,
        codim: 6,
        closed: true,
        sample: rotation,
        distance: rotation_distance,
        relations: Some(|p| {
            let col = |j: usize| [p[j], p[3 + j], p[6 + j]];
            let dot = |a: [f64; 3], b: [f64; 3]| a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
            let (a, b, c) = (col(0), col(1), col(2));
            vec![dot(a, a) - 1.0, dot(b, b) - 1.0, dot(c, c) - 1.0, dot(a, b), dot(a, c), dot(b, c)]
        }),
        samples: Some(1500),
        ..Case::default()
    }
}

fn orthogonal_o2_case() -> Case {
    Case {
        name: "orthogonal O(2)".into(),
        equations: "a²+c²−1, b²+d²−1, ab+cd: rotations and reflections, two pieces (2×2, R⁴)".into(),
        dim: 4,
        codim: 3,
        closed: true,
        sample: |r| {
            let t = r.range(0.0, TAU);
            let flip = if r.below(2) == 0 { 1.0 } else { -1.0 };
            vec![t.cos(), -flip * t.sin(), t.sin(), flip * t.cos()]
        },
        distance: orthogonal_2_distance,
        relations: Some(|p| vec![p[0] * p[0] + p[2] * p[2] - 1.0, p[1] * p[1] + p[3] * p[3] - 1.0, p[0] * p[1] + p[2] * p[3]]),
        ..Case::default()
    }
}

/// The built-in ellipse and its equations, as the cases in other units take them.
fn ellipse(t: f64) -> [f64; 3] {
    let z = -1.0 + t.sin();
    [2f64.sqrt() * t.cos(), 2.0 * z + 1.0, z]
}

fn ellipse_relations(p: &[f64]) -> Vec<f64> {
    vec![p[0] * p[0] + p[1] * p[1] - 2.0 * p[2] * p[2] - 1.0, p[1] - 2.0 * p[2] - 1.0]
}
