//! Orientation on shapes whose sides are known: a torus, spheres side by side and nested,
//! a figure eight crossing itself, circles stacked on a cylinder.

use super::*;
use std::f64::consts::TAU;

fn cloud(dim: usize, n: usize, mut sample: impl FnMut(&mut Rng) -> Vec<f64>) -> PointCloud {
    let mut rng = Rng::new(3);
    PointCloud::new(dim, (0..n).flat_map(|_| sample(&mut rng)).map(|v| v as f32).collect()).unwrap()
}

/// A torus in R³ (tube 0.4 around the unit circle) and its outward normal at a point.
fn torus(rng: &mut Rng) -> Vec<f64> {
    let (u, v) = (rng.range(0.0, TAU), rng.range(0.0, TAU));
    let rho = 1.0 + 0.4 * v.cos();
    vec![rho * u.cos(), rho * u.sin(), 0.4 * v.sin()]
}

fn torus_outward(p: &[f64]) -> Vec<f64> {
    let rho = p[0].hypot(p[1]);
    let d = [p[0] - p[0] / rho, p[1] - p[1] / rho, p[2]];
    let l = norm(&d);
    d.iter().map(|v| v / l).collect()
}

#[test]
fn a_torus_gets_outward_normals_everywhere_and_its_hole_counts_as_outside() {
    let data = cloud(3, 2048, torus);
    let normals = oriented_normals(&data).expect("a surface in R³");
    let agree = data.rows_f64().zip(&normals).filter(|(p, n)| dot(&torus_outward(p), n) > 0.9).count();
    assert_eq!(agree, data.len(), "every normal outward, the inner equator's towards the axis too");
    let signed = signed_points(&data, &normals, data.scale(), &mut Rng::new(4));
    // Offsets inwards past the tube's core are dropped, the rest kept.
    assert!(signed.offsets.len() > data.len() * 6 / 10, "{}", signed.offsets.len());
    // The sign says the side: outside the tube for t > 0, inside for t < 0.
    for (p, t) in signed.points.rows_f64().zip(&signed.offsets) {
        let inside = (p[0].hypot(p[1]) - 1.0).hypot(p[2]) < 0.4;
        assert_eq!(inside, *t < 0.0, "{p:?} at {t}");
    }
}

#[test]
fn a_large_cloud_gets_sides_beside_a_strided_share_only() {
    let sphere = cloud(3, 10_000, |rng| {
        let v: Vec<f64> = (0..3).map(|_| rng.normal()).collect();
        let l = norm(&v);
        v.iter().map(|a| a / l).collect()
    });
    let signed = sides(&sphere, SidesRule::Within, sphere.scale(), &mut Rng::new(4)).expect("a surface");
    assert!(signed.offsets.len() <= MOST && signed.offsets.len() > MOST / 2, "{}", signed.offsets.len());
    // Outside the unit sphere for t > 0, inside for t < 0.
    assert!(signed.points.rows_f64().zip(&signed.offsets).all(|(p, t)| (norm(&p) > 1.0) == (*t > 0.0)));
}

#[test]
fn curves_and_surfaces_of_higher_codimension_have_no_sides() {
    let circle_in_r3 = cloud(3, 1024, |rng| {
        let a = rng.range(0.0, TAU);
        vec![a.cos(), a.sin(), 0.5 * a.cos()]
    });
    assert!(oriented_normals(&circle_in_r3).is_none());
    let flat_torus = cloud(4, 2048, |rng| {
        let (a, b) = (rng.range(0.0, TAU), rng.range(0.0, TAU));
        vec![a.cos(), a.sin(), b.cos(), b.sin()]
    });
    assert!(oriented_normals(&flat_torus).is_none());
    let blob = cloud(3, 1024, |rng| (0..3).map(|_| rng.normal()).collect());
    assert!(oriented_normals(&blob).is_none(), "a solid cloud is thin in no direction");
    assert!(oriented_normals(&cloud(3, 5, torus)).is_none(), "too few points");
}

#[test]
fn an_ellipsoid_and_a_circle_in_the_plane_are_hypersurfaces() {
    let ellipsoid = cloud(3, 4096, |rng| {
        let v: Vec<f64> = (0..3).map(|_| rng.normal()).collect();
        let l = norm(&v);
        let axes = [1.5, 1.0, 0.6];
        (0..3).map(|i| axes[i] * v[i] / l).collect()
    });
    let normals = oriented_normals(&ellipsoid).expect("a surface");
    let outward = ellipsoid.rows_f64().zip(&normals).filter(|(p, n)| dot(p, n) > 0.0).count();
    assert!(outward >= ellipsoid.len() * 99 / 100, "{outward}");
    let circle = cloud(2, 512, |rng| {
        let a = rng.range(0.0, TAU);
        vec![a.cos(), a.sin()]
    });
    assert!(oriented_normals(&circle).is_some());
}

/// Gerono's figure eight x = cos t, y = sin t cos t: its zero set's gradient
/// (4x³ − 2x, 2y) points out of both lobes, and along a branch through the double point
/// that direction turns over. Five samplings (the neighbour graph's clumps differ).
#[test]
fn a_curve_crossing_itself_gets_outward_normals_on_both_lobes_and_none_at_the_crossing() {
    for seed in 1..=5 {
        let mut rng = Rng::new(seed);
        let data = PointCloud::new(
            2,
            (0..2048)
                .flat_map(|_| {
                    let t = rng.range(0.0, TAU);
                    [t.cos(), t.sin() * t.cos()]
                })
                .map(|v| v as f32)
                .collect(),
        )
        .unwrap();
        let normals = oriented_normals(&data).expect("a curve in the plane");
        let gradient = |p: &[f64]| vec![4.0 * p[0].powi(3) - 2.0 * p[0], 2.0 * p[1]];
        let away: Vec<(Vec<f64>, &Vec<f64>)> = data.rows_f64().zip(&normals).filter(|(p, _)| norm(&gradient(p)) >= 0.2).collect();
        let outward = away.iter().filter(|(p, n)| dot(&gradient(p), n) > 0.0).count();
        assert_eq!(outward, away.len(), "sampling {seed}: every normal out of its lobe");
        // The crossing's points have none, so no signed point is made there.
        let none: Vec<Vec<f64>> = data.rows_f64().zip(&normals).filter(|(_, n)| norm(n) == 0.0).map(|(p, _)| p).collect();
        assert!(!none.is_empty() && none.len() < 60, "sampling {seed}: {} without a normal", none.len());
        assert!(none.iter().all(|p| norm(p) < 0.05), "sampling {seed}: only at the double point");
    }
}

/// Points on spheres of radius `radii`, centred at `centres` (in turn).
fn spheres(radii: &'static [f64], centres: &'static [[f64; 3]]) -> impl FnMut(&mut Rng) -> Vec<f64> {
    let mut turn = 0;
    move |rng| {
        let v: Vec<f64> = (0..3).map(|_| rng.normal()).collect();
        let l = norm(&v);
        let (r, c) = (radii[turn % radii.len()], centres[turn % centres.len()]);
        turn += 1;
        (0..3).map(|i| c[i] + r * v[i] / l).collect()
    }
}

#[test]
fn pieces_are_turned_so_that_the_space_between_them_is_one_side_of_both() {
    // Nested: the inner sphere's normals point out, the outer one's in (or the
    // other way round), so that the shell between is one side of g.
    let nested = cloud(3, 4096, spheres(&[1.0, 2.0], &[[0.0; 3]]));
    let normals = oriented_normals(&nested).expect("surfaces in R³");
    let (mut inner, mut outer) = ((0, 0), (0, 0));
    for (p, n) in nested.rows_f64().zip(&normals) {
        let side = if norm(&p) < 1.5 { &mut inner } else { &mut outer };
        if dot(&p, n) > 0.0 { side.0 += 1 } else { side.1 += 1 }
    }
    assert!((inner.0 == 0 && outer.1 == 0) || (inner.1 == 0 && outer.0 == 0), "inner {inner:?}, outer {outer:?} (outwards, inwards)");
    // Side by side: both outwards, the space around them one side.
    let apart = cloud(3, 4096, spheres(&[1.0], &[[-1.5, 0.0, 0.0], [1.5, 0.0, 0.0]]));
    let normals = oriented_normals(&apart).expect("surfaces in R³");
    let outwards = apart.rows_f64().zip(&normals).filter(|(p, n)| dot(&[p[0] - 1.5 * p[0].signum(), p[1], p[2]], n) > 0.0).count();
    assert_eq!(outwards, apart.len());
}

/// Three circles on the cylinder x² + y² = 1, at z = −1, 0, 1: within the cylinder each
/// is a hypersurface, and its normal there is ±z. The pieces are turned so that g₂'s
/// sign alternates as z³ − z's does (gradient 3z² − 1: up at ±1, down at 0), up to an
/// overall sign, rather than each outwards (which asks for a fourth circle between).
#[test]
fn within_a_kept_zero_set_the_pieces_alternate_as_one_function_s_sides_do() {
    let circles = cloud(3, 3000, |rng| {
        let a = rng.range(0.0, TAU);
        vec![a.cos(), a.sin(), rng.below(3) as f64 - 1.0]
    });
    let cylinder: Vec<Vec<Vec<f64>>> = circles.rows_f64().map(|p| vec![vec![2.0 * p[0], 2.0 * p[1], 0.0]]).collect();
    assert!(oriented_normals(&circles).is_none(), "curves in R³ have no sides of their own");
    let normals = normals_within(&circles, &cylinder, SidesRule::Within).expect("curves on a surface");
    let along: Vec<f64> = circles.rows_f64().zip(&normals).map(|(p, n)| n[2] * (3.0 * p[2] * p[2] - 1.0).signum()).collect();
    assert!(along.iter().all(|a| a.abs() > 0.99), "every normal is ±z");
    let up = along.iter().filter(|&&a| a > 0.0).count();
    assert!(up == 0 || up == along.len(), "{up} of {} agree with z³ − z", along.len());
    // Sides are given within the cylinder for the pieces, not for one circle alone.
    let pieces = pieces_within(&circles, &cylinder).expect("three pieces");
    let votes = pieces.chord_votes(&circles);
    let signed = pieces.signed_points(&circles, &votes, 1.0, &mut Rng::new(5));
    assert!(signed.offsets.len() > circles.len() / 2, "{}", signed.offsets.len());
    let one: Vec<usize> = (0..circles.len()).filter(|&r| circles.row(r)[2] == 0.0).collect();
    let circle = circles.select(&one);
    let on_cylinder: Vec<Vec<Vec<f64>>> = one.iter().map(|&r| cylinder[r].clone()).collect();
    assert!(normals_within(&circle, &on_cylinder, SidesRule::Within).is_some(), "a hypersurface of the cylinder");
    assert!(pieces_within(&circle, &on_cylinder).is_none(), "one piece: no sides");
    // The kept relation must be transverse: a gradient along the data gives no normal.
    let along_data: Vec<Vec<Vec<f64>>> = circles.rows_f64().map(|p| vec![vec![-p[1], p[0], 0.0]]).collect();
    let none = normals_within(&circles, &along_data, SidesRule::Within).expect("a piece count");
    assert!(none.iter().all(|n| norm(n) == 0.0));
}
