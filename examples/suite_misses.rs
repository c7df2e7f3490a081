//! Where a suite case's learned intersection misses the true set: trains the case (as
//! tests/suite learns it), projects the fidelity's box points onto the joint zero set and
//! sorts the misses by how far they lie from the data: loose (near the data, off the set)
//! or stray (far from every data point).
//!
//!   cargo run --release --example suite_misses -- NAME [QUERY]
// Native only (it trains on the native backends); empty on wasm32 so clippy can check all targets.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

#[path = "../tests/suite/mod.rs"]
mod suite;

use aml_playground::core::config::Config;

fn main() {
    let name = std::env::args().nth(1).expect("a case name (or part of one)");
    let (config, notes) = Config::from_query(&std::env::args().nth(2).unwrap_or_default());
    assert!(notes.is_empty(), "{notes:?}");
    let case = suite::all().into_iter().find(|c| c.name.contains(&name)).expect("a suite case");
    let misses = suite::misses(&case, config);
    for line in misses {
        println!("{line}");
    }
}
