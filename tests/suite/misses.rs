//! Where a case's learned intersection misses the true set (examples/suite_misses.rs).

use super::Case;
use aml_playground::backend::Backend;
use aml_playground::core::block_on;
use aml_playground::core::config::Config;
use aml_playground::core::metrics::{self, FIDELITY_TOLERANCE, Projection};
use aml_playground::core::nearest::NearestIndex;
use aml_playground::core::points::PointCloud;

/// Trains `case` under `config` and describes its misses, a line each.
pub fn misses(case: &Case, config: Config) -> Vec<String> {
    let seed = config.seed;
    let (session, data, _) = super::trained(case, config);
    let device = Backend::cpu().device;
    let mut lines: Vec<String> = session
        .reports()
        .iter()
        .map(|r| {
            let m = &r.metrics;
            format!(
                "g{}: {} (ratio {:.1}, near/on {:.1}, on {:.4}, sin {:.2}; {})",
                r.index + 1,
                r.verdict.describe(),
                m.ratio,
                m.near_ratio,
                m.on_residual,
                m.sin_span,
                r.how_trained()
            )
        })
        .collect();
    let (points, tried) = block_on(metrics::intersection_points(session.kept(), &data, Projection::evaluation(seed), &device)).expect("projection");
    let own = case.own(&points, &data);
    let train: Vec<Vec<f32>> = data.train_in_data_units().rows_f64().map(|p| case.in_own_units(&p).into_iter().map(|v| v as f32).collect()).collect();
    let train = PointCloud::from_rows(case.dim, train);
    let index = NearestIndex::new(&train);
    let mut rows: Vec<(f64, f64, Vec<f64>)> = own.iter().map(|p| (case.distance(p), index.distance(p), p.clone())).collect();
    lines.push(format!("{} of {tried} projections converged", rows.len()));
    let (near, stray): (Vec<_>, Vec<_>) = rows.iter().filter(|r| r.0 >= FIDELITY_TOLERANCE).partition(|r| r.1 < 0.25);
    lines.push(format!("misses: {} near the data (nearest sample < 0.25), {} stray (farther)", near.len(), stray.len()));
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let quantile = |q: f64| rows[((rows.len() - 1) as f64 * q) as usize].0;
    if !rows.is_empty() {
        lines.push(format!(
            "distance to the set: q50 {:.3} q80 {:.3} q90 {:.3} q95 {:.3} q99 {:.3}",
            quantile(0.5),
            quantile(0.8),
            quantile(0.9),
            quantile(0.95),
            quantile(0.99)
        ));
    }
    for (d, nearest, p) in rows.iter().rev().take(12) {
        lines.push(format!(
            "  miss {d:.3} from the set, {nearest:.3} from the data, at {:?}",
            p.iter().map(|v| (v * 1000.0).round() / 1000.0).collect::<Vec<_>>()
        ));
    }
    lines
}
