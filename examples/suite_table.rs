//! The README's suite table: every case of tests/suite (point clouds the project does not
//! ship) learned by both algorithms at default settings, plus the built-in manifolds.
//!
//!   cargo run --release --example suite_table [-- NAME-FILTER]
//!
//! A second argument, a query string, changes the configuration (for experiments:
//! `-- "saddle" "stop=steps"`, or `"seed=2"` for another draw of every case); the
//! table's figures are for the defaults.
//!
//! Prints one Markdown row per case: relations found vs true, intersection fidelity
//! against the true set (bar: 95% closed, 80% open), seconds.
// Native only (it trains on the native backends); empty on wasm32 so clippy can check all targets.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

#[path = "../tests/suite/mod.rs"]
mod suite;

use aml_playground::backend::Backend;
use aml_playground::core::block_on;
use aml_playground::core::config::{Algorithm, Choice, Config};
use aml_playground::core::dataset::Dataset;
use aml_playground::core::manifold::ManifoldKind;
use aml_playground::core::session::Session;
use std::time::Instant;

const ALGORITHMS: [Algorithm; 2] = [Algorithm::Transversality, Algorithm::Syzygy];

fn main() {
    let filter = std::env::args().nth(1).unwrap_or_default();
    let (base, notes) = Config::from_query(&std::env::args().nth(2).unwrap_or_default());
    assert!(notes.is_empty(), "{notes:?}");
    let seed = base.seed;
    println!("| case | N | true | exact relations' fidelity | transversality: found, fidelity, s | syzygy: found, fidelity, s |");
    println!("|---|---|---|---|---|---|");
    for case in suite::cases().iter().filter(|c| c.name.contains(&filter)) {
        let mut exact = 0.0;
        let cells: Vec<String> = ALGORITHMS
            .iter()
            .map(|&alg| {
                let o = suite::run_with(case, Config { algorithm: alg, seed, ..base.clone() });
                for v in &o.verdicts {
                    eprintln!("  {} {}: {v}", case.name, alg.key());
                }
                eprintln!("  {} {}: {}; upload-path fidelity {:?}", case.name, alg.key(), o.conclusion, o.upload_fidelity);
                exact = o.exact_fidelity;
                cell(o.kept, case.codim, o.fidelity, case.fidelity_bar(o.exact_fidelity), o.seconds)
            })
            .collect();
        println!("| {} ({}) | {} | {} | {:.1}% | {} | {} |", case.name, case.equations, case.dim, case.codim, 100.0 * exact, cells[0], cells[1]);
    }
    for kind in ManifoldKind::ALL.into_iter().filter(|k| k.key().contains(&filter)) {
        let cells: Vec<String> = ALGORITHMS
            .iter()
            .map(|&algorithm| {
                let config = Config { manifold: kind, algorithm, ..base.clone() };
                let started = Instant::now();
                let mut session = Session::new(config.clone(), Dataset::synthetic(&config), &Backend::cpu().device);
                block_on(session.run(100, |_, _| {})).expect("training runs");
                let fidelity = session.reports().iter().rev().find_map(|r| r.fidelity.as_ref()).map_or(0.0, |f| f.within);
                // Built-ins: closed sets except the helix and the twisted cubic (open curves).
                let bar = if matches!(kind, ManifoldKind::Helix | ManifoldKind::TwistedCubic) { 0.80 } else { 0.95 };
                let bar = if kind == ManifoldKind::Pendulum { 0.80 } else { bar };
                cell(session.kept().len(), kind.codim(), fidelity, bar, started.elapsed().as_secs_f64())
            })
            .collect();
        println!("| built-in {} | {} | {} | – | {} | {} |", kind.key(), kind.dim(), kind.codim(), cells[0], cells[1]);
    }
}

/// "2/2, 99.7%, 5.1" with a mark where a bar is missed.
fn cell(found: usize, truth: usize, fidelity: f64, bar: f64, seconds: f64) -> String {
    let count = if found == truth { format!("{found}") } else { format!("**{found}** (✗)") };
    let fid = if fidelity >= bar { format!("{:.1}%", 100.0 * fidelity) } else { format!("**{:.1}%** (✗)", 100.0 * fidelity) };
    format!("{count}, {fid}, {seconds:.1}")
}
