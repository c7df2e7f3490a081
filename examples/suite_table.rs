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

use aml_playground::core::config::{Algorithm, Choice, Config};

const ALGORITHMS: [Algorithm; 2] = [Algorithm::Transversality, Algorithm::Syzygy];

fn main() {
    let filter = std::env::args().nth(1).unwrap_or_default();
    let (base, notes) = Config::from_query(&std::env::args().nth(2).unwrap_or_default());
    assert!(notes.is_empty(), "{notes:?}");
    let seed = base.seed;
    println!("| case | N | true | exact relations' fidelity | transversality: found, fidelity, s | syzygy: found, fidelity, s |");
    println!("|---|---|---|---|---|---|");
    for case in suite::cases().into_iter().chain(suite::builtins()).filter(|c| c.name.contains(&filter)) {
        let mut exact = 0.0;
        let cells: Vec<String> = ALGORITHMS
            .iter()
            .map(|&alg| {
                let o = suite::run_with(&case, Config { algorithm: alg, seed, ..base.clone() });
                for v in &o.verdicts {
                    eprintln!("  {} {}: {v}", case.name, alg.key());
                }
                eprintln!("  {} {}: {}; fidelity as the run reports it {:?}", case.name, alg.key(), o.conclusion, o.reported_fidelity);
                exact = o.exact_fidelity;
                cell(o.kept, case.codim, o.fidelity, case.fidelity_bar(o.exact_fidelity), o.seconds)
            })
            .collect();
        println!("| {} ({}) | {} | {} | {:.1}% | {} | {} |", case.name, case.equations, case.dim, case.codim, 100.0 * exact, cells[0], cells[1]);
    }
}

/// "2/2, 99.7%, 5.1" with a mark where a bar is missed.
fn cell(found: usize, truth: usize, fidelity: f64, bar: f64, seconds: f64) -> String {
    let count = if found == truth { format!("{found}") } else { format!("**{found}** (✗)") };
    let fid = if fidelity >= bar { format!("{:.1}%", 100.0 * fidelity) } else { format!("**{:.1}%** (✗)", 100.0 * fidelity) };
    format!("{count}, {fid}, {seconds:.1}")
}
