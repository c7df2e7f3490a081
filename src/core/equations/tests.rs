//! The read-out of exact relations: relations g = h·p (h not vanishing) are given by
//! their gradients at the data, which near the data point along ∇p.

use super::*;
use crate::core::config::Config;
use crate::core::dataset::Truth;
use crate::core::frame::Normalise;
use crate::core::manifold::ManifoldKind;
use crate::core::points::PointCloud;
use crate::core::rng::Rng;

/// Polynomials in the data's own coordinates, as (coefficient, exponents) terms.
type Poly = &'static [(f64, [u32; 3])];

fn gradient(p: Poly, x: &[f64]) -> Vec<f64> {
    (0..3)
        .map(|j| {
            p.iter()
                .filter(|(_, e)| e[j] > 0)
                .map(|(c, e)| c * e[j] as f64 * (0..3).map(|i| x[i].powi(if i == j { e[i] as i32 - 1 } else { e[i] as i32 })).product::<f64>())
                .sum()
        })
        .collect()
}

/// The read-out of relations that are `mix` (rows: weights of `polys`) of the polynomials
/// `polys`, each scaled at each point by a positive factor of its own (g = h·p).
fn read(data: &Dataset, polys: &[Poly], mix: &[Vec<f64>], degree: Degree) -> ReadOut {
    let every = data.train.len().div_ceil(SAMPLE_POINTS).max(1);
    let points: Vec<Vec<f64>> = data.train.rows_f64().step_by(every).collect();
    let mut rng = Rng::new(9);
    let gradients = points
        .iter()
        .map(|w| {
            let x = data.frame.to_data(w);
            let grads: Vec<Vec<f64>> = polys.iter().map(|p| gradient(p, &x)).collect();
            mix.iter()
                .map(|weights| {
                    let h = rng.range(0.5, 2.0);
                    // ∂/∂w = s ∂/∂x: gradients of the working coordinates.
                    (0..3).map(|j| h * data.frame.scale[j] * weights.iter().zip(&grads).map(|(a, g)| a * g[j]).sum::<f64>()).collect()
                })
                .collect()
        })
        .collect();
    let most = match degree {
        Degree::Auto => AUTO_DEGREE,
        Degree::Fixed(d) => d,
    };
    read_sample(&Sample::new(points, gradients), mix.len(), data, degree, most, Vec::new(), &|| 0.0, 0.0)
}

fn texts(r: &ReadOut) -> Vec<String> {
    r.equations.generators.iter().map(|g| g.text.clone()).collect()
}

const QUADRIC: Poly = &[(1.0, [2, 0, 0]), (1.0, [0, 2, 0]), (-2.0, [0, 0, 2]), (-1.0, [0, 0, 0])];
const PLANE: Poly = &[(1.0, [0, 1, 0]), (-2.0, [0, 0, 1]), (-1.0, [0, 0, 0])];

#[test]
fn the_ellipse_reads_as_its_plane_and_its_quadric() {
    let data = Dataset::synthetic(&Config::default());
    let r = read(&data, &[QUADRIC, PLANE], &[vec![1.0, 0.5], vec![0.2, 1.0]], Degree::Auto);
    assert_eq!(r.equations.degree, 2, "{r:?}");
    assert_eq!(texts(&r), ["y - 2*z - 1 = 0", "x^2 + 2*z^2 + 4*z = 0"], "{r:?}");
    assert_eq!((r.relations, r.explained), (2, 2));
    assert!(r.confidence >= 10.0, "{r:?}");
    assert!(r.equations.generators.iter().all(|g| g.residual < 1e-6), "{r:?}");
    assert_eq!(r.equations.generators[1].latex, "x^{2} + 2 z^{2} + 4 z = 0");
    // The data alone gives the same ideal here.
    let baseline = r.equations.baseline.as_ref().expect("a baseline");
    assert_eq!(baseline.generators.iter().map(|g| g.text.clone()).collect::<Vec<_>>(), texts(&r));
    // One relation kept so far (the quadric): the plane does not explain it.
    let first = read(&data, &[QUADRIC], &[vec![1.0]], Degree::Auto);
    assert_eq!((first.equations.degree, first.explained), (2, 1), "{first:?}");
    assert!(!texts(&first).contains(&"y - 2*z - 1 = 0".to_string()), "{:?}", texts(&first));
}

#[test]
fn noisy_data_reads_as_the_same_equations_to_its_noise() {
    let data = Dataset::synthetic(&Config { noise: 0.01, ..Config::default() });
    let r = read(&data, &[QUADRIC, PLANE], &[vec![1.0, 0.5], vec![0.2, 1.0]], Degree::Auto);
    assert_eq!((r.equations.degree, r.explained), (2, 2), "{r:?}");
    assert_eq!(r.equations.generators.len(), 2, "{:?}", texts(&r));
    for (g, want) in r.equations.generators.iter().zip([PLANE, &[(1.0, [2, 0, 0]), (2.0, [0, 0, 2]), (4.0, [0, 0, 1])]]) {
        assert!(g.residual < 0.03, "{g:?}");
        for (c, e) in want.iter() {
            let got = g.terms.iter().find(|t| t.exponents == e).map_or(0.0, |t| t.coefficient);
            assert!((got - c).abs() < 0.05 * c.abs().max(1.0), "{}: {e:?} {got} vs {c}", g.text);
        }
    }
}

#[test]
fn data_in_other_units_reads_as_the_same_equations_mapped_back() {
    // The ellipse in centimetres, moved: x' = 100x − 40, y' = 100y + 300, z' = 100z + 120.
    let ellipse = ManifoldKind::Ellipse.sample(2048, 0.0, &mut Rng::new(4));
    let moved = PointCloud::from_rows(3, ellipse.rows().map(|p| [100.0 * p[0] - 40.0, 100.0 * p[1] + 300.0, 100.0 * p[2] + 120.0]));
    let data = Dataset::from_cloud(moved, Truth::Cloud, 1, Normalise::Auto);
    // y − 2z − 1 = 0 becomes y' − 2z' − 160 = 0 (y = (y' − 300)/100, z = (z' − 120)/100).
    const PLANE_CM: Poly = &[(1.0, [0, 1, 0]), (-2.0, [0, 0, 1]), (-160.0, [0, 0, 0])];
    const QUADRIC_CM: Poly =
        &[(1.0, [2, 0, 0]), (80.0, [1, 0, 0]), (1.0, [0, 2, 0]), (-600.0, [0, 1, 0]), (-2.0, [0, 0, 2]), (480.0, [0, 0, 1]), (53600.0, [0, 0, 0])];
    let r = read(&data, &[QUADRIC_CM, PLANE_CM], &[vec![1.0, 0.0], vec![0.0, 1.0]], Degree::Auto);
    assert_eq!(r.equations.degree, 2);
    assert_eq!(texts(&r)[0], "y - 2*z - 160 = 0", "{r:?}");
    // The reduced quadric vanishes on the data, in the data's units.
    let q = &r.equations.generators[1];
    assert!(q.residual < 1e-6 * 100.0, "{q:?}");
    assert_eq!(q.terms[0].exponents, [2, 0, 0], "led by x²: {}", q.text);
}

#[test]
fn more_generators_than_relations_are_said_to_be_so() {
    // The twisted cubic (t, t², t³): 2 relations, 3 quadrics (y − x², z − xy, xz − y²).
    let cubic = PointCloud::from_rows(
        3,
        (0..2048).map(|i| {
            let t = -1.0 + 2.0 * i as f32 / 2047.0;
            [t, t * t, t * t * t]
        }),
    );
    let data = Dataset::from_cloud(cubic, Truth::Cloud, 1, Normalise::Auto);
    const Y: Poly = &[(1.0, [0, 1, 0]), (-1.0, [2, 0, 0])];
    const Z: Poly = &[(1.0, [0, 0, 1]), (-1.0, [3, 0, 0])];
    let r = read(&data, &[Y, Z], &[vec![1.0, 0.0], vec![0.3, 1.0]], Degree::Auto);
    assert_eq!((r.equations.degree, r.equations.generators.len()), (2, 3), "{:?}", texts(&r));
    assert!(r.notes.iter().any(|n| n.contains("3 generators for 2 relations")), "{:?}", r.notes);
}

#[test]
fn a_relation_no_polynomial_explains_reads_as_none_and_says_so() {
    // The helix (cos 2πz, sin 2πz, z): its cylinder x² + y² − 1 is polynomial, its twist is not.
    let helix = PointCloud::from_rows(
        3,
        (0..2048).map(|i| {
            let z = -1.0 + 2.0 * i as f64 / 2047.0;
            let t = std::f64::consts::TAU * (z + 1.0);
            [t.cos() as f32, t.sin() as f32, z as f32]
        }),
    );
    let data = Dataset::from_cloud(helix, Truth::Cloud, 1, Normalise::Auto);
    let every = data.train.len().div_ceil(SAMPLE_POINTS).max(1);
    let points: Vec<Vec<f64>> = data.train.rows_f64().step_by(every).collect();
    let gradients = points
        .iter()
        .map(|w| {
            let x = data.frame.to_data(w);
            let t = std::f64::consts::TAU * (x[2] + 1.0);
            // x − cos t and y − sin t, in working coordinates.
            let g1 = [1.0, 0.0, std::f64::consts::TAU * t.sin()];
            let g2 = [0.0, 1.0, -std::f64::consts::TAU * t.cos()];
            [g1, g2].iter().map(|g| (0..3).map(|j| g[j] * data.frame.scale[j]).collect()).collect()
        })
        .collect();
    // (At degree 4, exact samples of two turns admit quartics that vanish on them to 10⁻⁷:
    // learned relations, whose gradients are good to 10⁻², do not select them; tests/
    // equations.rs reads a trained helix at the automatic degree.)
    let r = read_sample(&Sample::new(points, gradients), 2, &data, Degree::Fixed(3), 3, Vec::new(), &|| 0.0, 0.0);
    assert_eq!(r.explained, 1, "only the cylinder: {r:?}");
    assert_eq!(texts(&r), ["x^2 + y^2 - 1 = 0"], "{r:?}");
    assert!(r.notes.iter().any(|n| n.contains("explain 1 of the 2 directions")), "{:?}", r.notes);
}

#[test]
fn the_equations_cross_json_and_back() {
    let data = Dataset::synthetic(&Config::default());
    let r = read(&data, &[QUADRIC, PLANE], &[vec![1.0, 0.0], vec![0.0, 1.0]], Degree::Fixed(2));
    let text = serde_json::to_string(&r.equations).unwrap();
    assert!(text.starts_with("{\"degree\":2,\"variables\":[\"x\",\"y\",\"z\"],\"generators\":[{\"text\":"), "{text}");
    assert!(text.contains("\"terms\":[{\"coefficient\":1.0,\"exponents\":[0,1,0]}"), "{text}");
    assert!(text.contains("\"baseline\":{\"degree\":2,\"variables\""), "{text}");
    let back: Equations = serde_json::from_str(&text).unwrap();
    assert_eq!(back, r.equations);
}

#[test]
fn generators_left_out_as_looser_than_the_tightest_are_said_in_one_note() {
    use super::text::looser_note;
    assert_eq!(looser_note(4, &[]), None);
    assert!(looser_note(4, &[5611.0]).unwrap().starts_with("a polynomial of degree ≤ 4 vanishes on the data 5611 times"));
    let note = looser_note(4, &[14850.0, 57601.0, 5611.0]).unwrap();
    assert!(note.starts_with("3 polynomials of degree ≤ 4 vanish on the data 5611 to 57601 times"), "{note}");
}
