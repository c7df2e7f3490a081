//! Where the learned intersection misses the manifold: trains a config (URL query) on the
//! CPU, projects random box points onto the joint zero set and prints the distribution of
//! their distances to the true manifold, and how many misses lie inside the sampled box.
//!
//!   cargo run --release --example intersection_misses -- "m=ellipse&rel=2"
// Native only (it trains on the native backends); empty on wasm32 so clippy can check all targets.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

use aml_playground::backend::Backend;
use aml_playground::core::block_on;
use aml_playground::core::config::Config;
use aml_playground::core::dataset::Dataset;
use aml_playground::core::metrics::{self, FIDELITY_TOLERANCE, Projection};
use aml_playground::core::points::in_bounds;
use aml_playground::core::session::Session;

fn main() {
    let (config, notes) = Config::from_query(&std::env::args().nth(1).unwrap_or_default());
    notes.iter().for_each(|n| eprintln!("note: {n}"));
    let data = Dataset::synthetic(&config);
    let device = Backend::cpu().device;
    let mut session = Session::new(config.clone(), data.clone(), &device);
    block_on(session.run(100, |_, _| {})).expect("training runs");
    for r in session.reports() {
        let m = &r.metrics;
        println!(
            "g{}: {} (ratio {:.1}, near/on {:.1}, on {:.4}, off {:.3}, sin {:.2})",
            r.index + 1,
            r.verdict.describe(),
            m.ratio,
            m.near_ratio,
            m.on_residual,
            m.off_residual,
            m.sin_span
        );
    }
    let (points, tried) = block_on(metrics::intersection_points(session.kept(), &data, Projection::evaluation(config.seed), &device)).unwrap();
    let distances = data.distances_to_truth(&points, session.estimated_dimension());
    let mut d = distances.clone();
    d.sort_by(f64::total_cmp);
    if d.is_empty() {
        println!("no projection converged (of {tried})");
        return;
    }
    println!("{} of {tried} projections converged", d.len());
    for q in [0.5, 0.8, 0.85, 0.9, 0.95, 0.99] {
        print!("q{q}: {:.3}  ", d[(q * (d.len() - 1) as f64) as usize]);
    }
    let bounds = data.train.bounds();
    let in_box = |p: &[f64]| in_bounds(&bounds, p, 0.5);
    let misses: Vec<&Vec<f64>> = points.iter().zip(&distances).filter(|(_, d)| **d >= FIDELITY_TOLERANCE).map(|(p, _)| p).collect();
    println!(
        "\nmisses: {} ({} inside the sampled box); fidelity {:.1}%",
        misses.len(),
        misses.iter().filter(|p| in_box(p)).count(),
        100.0 * (d.len() - misses.len()) as f64 / d.len() as f64
    );
    // An open set's relations go on past the sampled piece, where the data says nothing:
    // how faithful the intersection is where the data lies (its own bounding box).
    let [_, (share, landed)] = metrics::shares_within(&points, &distances, &bounds, FIDELITY_TOLERANCE);
    println!("inside the data's bounding box: {landed} of {} landed points, {:.1}% of them within {FIDELITY_TOLERANCE}", d.len(), 100.0 * share);
}
