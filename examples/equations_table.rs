//! docs/equations.md's table: the polynomial read-out (`core::equations`) of every
//! polynomial case of tests/suite, learned by both algorithms at default settings (seed 1),
//! against the true ideal's degree-≤D part, with the data-only baseline beside.
//!
//!   cargo run --release --example equations_table [-- NAME-FILTER [QUERY]]
//!
//! The true part is the null space of the monomials' values on 4,000 exact samples (each
//! monomial scaled to unit RMS). Each span is compared in that scaling: its dimension
//! against the true one's, and the largest sine of the principal angles between them.
// Native only (it trains on the native backends); empty on wasm32 so clippy can check all targets.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

#[path = "../tests/suite/mod.rs"]
mod suite;

use aml_playground::backend::Backend;
use aml_playground::core::block_on;
use aml_playground::core::config::{Algorithm, Choice, Config};
use aml_playground::core::equations::{self, Degree, Generator, Monomials};
use aml_playground::core::linalg::{dot, symmetric_eigen_large};
use aml_playground::core::rng::Rng;
use std::time::Instant;

/// The polynomial cases, and the degree each is read to (the torus's quartic).
const CASES: &[(&str, Option<usize>)] = &[
    ("built-in ellipse", None),
    ("built-in circle", None),
    ("built-in sphere", None),
    ("built-in sphere-circle", None),
    ("built-in torus", Some(4)),
    ("built-in twisted-cubic", None),
    ("built-in pendulum", Some(2)),
    ("saddle loop", None),
    ("flat torus", None),
    ("rank-1 matrices", None),
    ("two-link arm", None),
    ("sphere × sphere", None),
    ("noisy ellipsoid σ=0.02", None),
    ("ellipse in centimetres", None),
    ("rotations SO(3)", None),
    ("orthogonal O(2)", None),
    ("three stacked circles", Some(3)),
];

fn main() {
    let filter = std::env::args().nth(1).unwrap_or_default();
    let (base, notes) = Config::from_query(&std::env::args().nth(2).unwrap_or_default());
    assert!(notes.is_empty(), "{notes:?}");
    println!("| case | algorithm | D | read-out: dim (true), largest sine | baseline: dim, largest sine | read-out ms | baseline ms |");
    println!("|---|---|---|---|---|---|---|");
    let all = suite::all();
    for &(name, degree) in CASES.iter().filter(|(n, _)| n.contains(&filter)) {
        let case = all.iter().find(|c| c.name == name).expect("a suite case");
        for algorithm in [Algorithm::Transversality, Algorithm::Syzygy] {
            let config = Config { algorithm, degree: degree.map_or(Degree::Auto, Degree::Fixed), ..base.clone() };
            let (session, data, _) = suite::trained(case, config.clone());
            let clock = Instant::now();
            let r = block_on(equations::read_out(session.kept(), &data, config.degree, &Backend::cpu().device, &|| clock.elapsed().as_secs_f64()))
                .expect("read-out");
            let d = r.equations.degree;
            let truth = true_ideal(case, d);
            let baseline = r.equations.baseline.as_ref().map_or(&[][..], |b| &b.generators[..]);
            println!(
                "| {name} | {} | {d} | {} | {} | {:.0} | {:.0} |",
                algorithm.key(),
                compare(&r.equations.generators, &truth, case, d),
                compare(baseline, &truth, case, d),
                1e3 * r.seconds,
                1e3 * r.baseline_seconds
            );
            for g in &r.equations.generators {
                eprintln!("  {name} {}: {}", algorithm.key(), g.text);
            }
            for n in &r.notes {
                eprintln!("  {name} {}: note: {n}", algorithm.key());
            }
        }
    }
}

/// The degree-≤d part of the case's ideal: an orthonormal basis (unit-RMS monomial
/// scaling over exact samples) of the null space of their values.
fn true_ideal(case: &suite::Case, degree: usize) -> Vec<Vec<f64>> {
    let monomials = Monomials::new(case.dim, degree);
    let points = exact_points(case);
    let (matrix, _) = gram(&monomials, &points, &[]);
    let (values, vectors) = symmetric_eigen_large(matrix, monomials.len());
    let largest = values.last().copied().unwrap_or(1.0).max(1e-300);
    values.iter().zip(vectors).filter(|(v, _)| **v <= 1e-10 * largest).map(|(_, x)| x).collect()
}

fn exact_points(case: &suite::Case) -> Vec<Vec<f64>> {
    let mut rng = Rng::new(77);
    (0..4000).map(|_| case.in_data_units(&(case.sample)(&mut rng))).collect()
}

/// The monomials' Gram matrix over `points` with each monomial scaled to unit RMS, and
/// the scales; with `span` given, the span's rows in that scaling instead.
fn gram(monomials: &Monomials, points: &[Vec<f64>], span: &[Vec<f64>]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let m = monomials.len();
    let (mut v, mut g) = (vec![0.0; m], vec![0.0; monomials.dim * m]);
    let mut rms = vec![0.0; m];
    let mut rows = Vec::new();
    for p in points {
        monomials.evaluate(p, &mut v, &mut g);
        rms.iter_mut().zip(&v).for_each(|(r, x)| *r += x * x / points.len() as f64);
        rows.push(v.clone());
    }
    let scale: Vec<f64> = rms.iter().map(|r| r.sqrt().max(1e-300)).collect();
    let mut a = vec![0.0; m * m];
    for row in &rows {
        let r: Vec<f64> = row.iter().zip(&scale).map(|(x, s)| x / s).collect();
        for i in 0..m {
            for j in 0..m {
                a[i * m + j] += r[i] * r[j] / points.len() as f64;
            }
        }
    }
    let scaled = span.iter().map(|c| c.iter().zip(&scale).map(|(x, s)| x * s).collect()).collect();
    (a, scaled)
}

/// "5 (5), 3.2e-4": the span the generators give up to degree d against the truth.
fn compare(generators: &[Generator], truth: &[Vec<f64>], case: &suite::Case, degree: usize) -> String {
    let monomials = Monomials::new(case.dim, degree);
    let span = equations::span_of(generators, case.dim, degree);
    let (_, scaled) = gram(&monomials, &exact_points(case), &span);
    let basis = orthonormal(scaled);
    if basis.is_empty() {
        return format!("0 ({})", truth.len());
    }
    // Principal angles: singular values of the cross Gram matrix.
    let cross: Vec<Vec<f64>> = basis.iter().map(|a| truth.iter().map(|b| dot(a, b)).collect()).collect();
    let k = basis.len();
    let mut gram_small = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..k {
            gram_small[i * k + j] = dot(&cross[i], &cross[j]);
        }
    }
    let (cos_sq, _) = symmetric_eigen_large(gram_small, k);
    let smallest = cos_sq.first().copied().unwrap_or(0.0).clamp(0.0, 1.0);
    let sine = (1.0 - smallest).max(0.0).sqrt();
    if k == truth.len() { format!("{k} ({}), {sine:.1e}", truth.len()) } else { format!("**{k}** ({}), {sine:.1e}", truth.len()) }
}

fn orthonormal(vectors: Vec<Vec<f64>>) -> Vec<Vec<f64>> {
    let mut basis: Vec<Vec<f64>> = Vec::new();
    for mut v in vectors {
        let before = dot(&v, &v).sqrt();
        for q in &basis {
            let a = dot(&v, q);
            v.iter_mut().zip(q).for_each(|(x, y)| *x -= a * y);
        }
        let after = dot(&v, &v).sqrt();
        if after > 1e-8 * before.max(1e-300) {
            basis.push(v.into_iter().map(|x| x / after).collect());
        }
    }
    basis
}
