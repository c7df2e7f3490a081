use aml_playground::backend::Backend;
use aml_playground::core::block_on;
use aml_playground::core::config::Config;
use aml_playground::core::dataset::Dataset;
use aml_playground::core::metrics;
use aml_playground::core::session::Session;
fn main() {
    let q = std::env::args().nth(1).unwrap_or_default();
    let (config, _) = Config::from_query(&q);
    let data = Dataset::synthetic(&config);
    let mut s = Session::new(config.clone(), data.clone(), &Backend::cpu().device);
    block_on(s.run(100, |_, _| {})).unwrap();
    let (pts, tried) = block_on(metrics::intersection_points(s.kept(), &data, config.seed, &Backend::cpu().device)).unwrap();
    let mut d: Vec<(f64, Vec<f64>)> = pts.iter().map(|p| (data.distance_to_truth(p), p.clone())).collect();
    d.sort_by(|a, b| a.0.total_cmp(&b.0));
    println!("converged {} of {tried}", d.len());
    for q in [0.5, 0.8, 0.85, 0.9, 0.95, 0.99] { print!("q{q}: {:.3}  ", d[(q * (d.len() - 1) as f64) as usize].0); }
    println!();
    for (dist, p) in d.iter().rev().take(12) { println!("miss {dist:.3} at {:.2?}", p); }
    for r in s.reports() { println!("{:?}", r.metrics); }
}
