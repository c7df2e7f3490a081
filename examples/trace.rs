//! Prints a relation's held-out metrics every 50 steps while a config trains (CPU): how
//! early the keep tests are met and when the loss stops improving.
//!
//!   cargo run --release --example trace -- "m=ellipse"
// Native only (it trains on the native backends); empty on wasm32 so clippy can check all targets.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

use aml_playground::backend::Backend;
use aml_playground::core::block_on;
use aml_playground::core::config::Config;
use aml_playground::core::dataset::Dataset;
use aml_playground::core::report::Event;
use aml_playground::core::session::Session;

fn main() {
    let (config, notes) = Config::from_query(&std::env::args().nth(1).unwrap_or_default());
    notes.iter().for_each(|n| eprintln!("note: {n}"));
    let data = Dataset::synthetic(&config);
    let mut session = Session::new(config, data, &Backend::cpu().device);
    let started = std::time::Instant::now();
    loop {
        let event = block_on(session.work(50)).unwrap();
        match event {
            Event::Progress { relation, phase, step, of, loss } => {
                let m = block_on(session.probe_current()).unwrap();
                if let Some(m) = m {
                    println!(
                        "{:6.2}s g{} {:<14} {step:>5}/{of:<5} loss {} on {:.5} ratio {:>7.1} near {:>6.2} sin {:.3}",
                        started.elapsed().as_secs_f64(),
                        relation + 1,
                        phase.label(),
                        loss.map_or("-".into(), |l| format!("{l:>8.4}")),
                        m.on_residual,
                        m.ratio,
                        m.near_ratio,
                        m.sin_span
                    );
                }
            }
            Event::RelationFinished { relation } => {
                let r = &session.reports()[relation];
                println!("g{}: {} fidelity {:?}", relation + 1, r.verdict.describe(), r.fidelity.as_ref().map(|f| f.within));
            }
            Event::Finished => break,
        }
    }
    println!("total {:.1} s", started.elapsed().as_secs_f64());
}
