//! docs/suite.md's table: every case of tests/suite (point clouds the project does not
//! ship, data as people bring it, the built-in manifolds) learned by both algorithms at
//! default settings over several seeds.
//!
//!   cargo run --release --example suite_table [-- NAME-FILTER [QUERY]]
//!
//! The seeds are AML_SUITE_SEEDS ("1-5", "1,3"; default 1-5). A second argument, a query
//! string, changes the configuration (for experiments: `-- "saddle" "stop=steps"`); the
//! table's figures are for the defaults.
//!
//! Prints one Markdown row per case: relations found per seed against the true count,
//! intersection fidelity against the true set at the median and the worst seed (bar: 95%
//! closed, 80% open, or 90% of the exact relations' where that is less), mean seconds.
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
    let seeds = if std::env::var("AML_SUITE_SEEDS").is_ok() { suite::seeds() } else { (1..=5).collect() };
    println!("seeds {seeds:?}; fidelity: median / worst seed");
    println!(
        "| case | N | true | exact relations' fidelity | transversality: found, fidelity, s | syzygy: found, fidelity, s | open sets, inside the data's box (median): exact / transversality / syzygy |"
    );
    println!("|---|---|---|---|---|---|---|");
    for case in suite::all().into_iter().filter(|c| c.name.contains(&filter)) {
        let runs: Vec<suite::OverSeeds> = ALGORITHMS
            .iter()
            .map(|&algorithm| {
                let runs = suite::OverSeeds::learn(&case, &Config { algorithm, ..base.clone() }, &seeds);
                for o in &runs.outcomes {
                    for v in &o.verdicts {
                        eprintln!("  {} {} seed {}: {v}", case.name, algorithm.key(), o.seed);
                    }
                    eprintln!(
                        "  {} {} seed {}: {}; fidelity {:.3} (as the run reports it {:?}), {} steps, {:.1} s",
                        case.name,
                        algorithm.key(),
                        o.seed,
                        o.conclusion,
                        o.fidelity.whole,
                        o.reported_fidelity,
                        o.steps,
                        o.seconds
                    );
                }
                runs
            })
            .collect();
        let exact = runs[0].exact();
        let bar = case.fidelity_bar(exact);
        let cells: Vec<String> = runs.iter().map(|r| cell(r, case.codim, bar)).collect();
        let exact_cell = exact.map_or("—".to_string(), |e| format!("{:.1}%", 100.0 * e.whole));
        let open = if case.closed {
            "—".to_string()
        } else {
            let inside = |r: &suite::OverSeeds| share(r.inside().0);
            format!("{} / {} / {}", exact.map_or("—".to_string(), |e| share(e.inside)), inside(&runs[0]), inside(&runs[1]))
        };
        println!("| {} ({}) | {} | {} | {exact_cell} | {} | {} | {open} |", case.name, case.equations, case.dim, case.codim, cells[0], cells[1]);
    }
}

/// "2 2 2, 99.7% / 98.1%, 5.1" with a mark where a bar is missed.
fn cell(runs: &suite::OverSeeds, truth: usize, bar: f64) -> String {
    let counts: Vec<String> = runs.counts().iter().map(|&k| if k == truth { k.to_string() } else { format!("**{k}**") }).collect();
    let (median, worst) = runs.fidelity();
    let mark = |f: f64, bar: f64| if f >= bar { format!("{:.1}%", 100.0 * f) } else { format!("**{:.1}%** (✗)", 100.0 * f) };
    format!("{}, {} / {}, {:.1}", counts.join(" "), mark(median, bar), mark(worst, bar - suite::WORST_SLACK), runs.seconds())
}

/// "100.0%": the share of the points that landed inside the data's box; marked where it
/// is under the bar for open sets.
fn share(inside: f64) -> String {
    let share = format!("{:.1}%", 100.0 * inside);
    if inside >= suite::OPEN_BAR { share } else { format!("**{share}** (✗)") }
}
