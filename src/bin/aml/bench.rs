//! `aml bench`: the training step's speed on each backend (its own step and burn's graph,
//! side by side) and the time to verdict of whole runs.

use crate::native::{Failure, take_option};
use aml_playground::backend::{Backend, BackendKind};
use aml_playground::core::block_on;
use aml_playground::core::config::{Choice, Config, Init, Stopping};
use aml_playground::core::dataset::Dataset;
use aml_playground::core::manifold::ManifoldKind;
use aml_playground::core::relation::{Activation, NetSpec, Relation};
use aml_playground::core::report::Event;
use aml_playground::core::rng::Rng;
use aml_playground::core::session::Session;
use std::time::Instant;

/// Two benchmarks per backend. Steps/s: one step of g_2 with g_1 frozen (the
/// transversality loss with negatives), batch `--batch`, MLP 3-64-64-1. Time to verdict:
/// whole default runs, with early stopping and with every relation running its steps.
pub(super) fn bench(args: &[String]) -> Result<(), Failure> {
    let mut args = args.to_vec();
    let which = take_option(&mut args, "--backend")?.unwrap_or_else(|| "all".into());
    let number = |v: Option<String>, what: &str, default: usize| -> Result<usize, String> {
        v.map(|s| s.parse().map_err(|_| format!("{what} needs a number"))).transpose().map(|n| n.unwrap_or(default))
    };
    let steps = number(take_option(&mut args, "--steps")?, "--steps", 200)?;
    let batch = number(take_option(&mut args, "--batch")?, "--batch", 1024)?;
    let verdicts = !args.iter().any(|a| a == "--no-verdicts");
    let chosen = take_option(&mut args, "--cases")?;
    let cases: Vec<&str> = match &chosen {
        Some(links) => links.split_whitespace().collect(),
        None => vec!["m=ellipse", "m=ellipse&alg=syzygy", "m=circle", "m=sphere"],
    };
    let names: Vec<&str> = if which == "all" { vec!["cpu", "gpu"] } else { vec![which.as_str()] };
    let mut backends = Vec::new();
    for name in names {
        match block_on(Backend::by_name(name)) {
            Ok(b) => backends.push(b),
            Err(e) => println!("{name:>4}: skipped ({e})"),
        }
    }
    println!("steps/s: batch {batch}, MLP 3-64-64-1 tanh, training g2 with g1 frozen, {steps} timed steps");
    for backend in &backends {
        // The backend's own step (the fused host step on the CPU, core::fused; the step
        // kernels on the GPU, core::gpu) and burn's graph, side by side.
        let own = if backend.kind == BackendKind::Cpu { ", fused step" } else { ", step kernels" };
        let ways: &[(bool, &str)] = &[(false, own), (true, ", burn graph")];
        for &(graph, way) in ways {
            let timed = step_seconds(backend, batch, steps, graph)?;
            let per_step = |n: usize| n as f64 / steps as f64;
            // Kernel dispatches exist only on the GPU (the CPU backend is not cubecl).
            let dispatches = if backend.kind == BackendKind::Gpu { format!("{:.1}", per_step(timed.dispatches)) } else { "-".into() };
            println!(
                "  {:<40} {:>8.1} steps/s  {:>7.2} ms/step  {:>5.2} reads/step  {:>6} dispatches/step",
                format!("{}{way}", backend.description),
                steps as f64 / timed.seconds,
                1e3 * timed.seconds / steps as f64,
                per_step(timed.reads),
                dispatches
            );
        }
    }
    if !verdicts {
        return Ok(());
    }
    println!("\ntime to verdict: default settings, wall time from the first step to the last verdict");
    println!("  {:<28} {:<7} {:<6} {:>8}  {:<9} {:<24} steps/s by phase", "case", "stop", "dev", "seconds", "kept", "steps per relation");
    for backend in &backends {
        // On the GPU the step kernels and, for comparison, burn's graph throughout.
        let ways: &[(bool, &str)] = if backend.kind == BackendKind::Gpu { &[(false, "gpu"), (true, "graph")] } else { &[(false, "cpu")] };
        for &case in &cases {
            // The default stopping rule (the page's), and every step for comparison.
            for stop in [Config::default().stopping.key(), Stopping::Steps.key()] {
                for &(graph, dev) in ways {
                    let (config, _) = Config::from_query(&format!("{case}&stop={stop}"));
                    let row = time_to_verdict(backend, config, graph)?;
                    println!("  {case:<28} {stop:<7} {dev:<6} {row}");
                }
            }
        }
    }
    Ok(())
}

/// Counts the GPU kernels launched while it is installed (cubecl's launch observer).
#[derive(Default)]
struct Dispatches(std::sync::atomic::AtomicUsize);

impl cubecl_runtime::logging::LaunchObserver for Dispatches {
    fn launched(&self, _kernel: &'static str) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// What `steps` timed training steps cost: wall time, device-to-host reads, GPU kernels.
struct Timed {
    seconds: f64,
    reads: usize,
    dispatches: usize,
}

fn step_seconds(backend: &Backend, batch: usize, steps: usize, graph: bool) -> Result<Timed, Failure> {
    let config = Config {
        manifold: ManifoldKind::Ellipse,
        samples: 4096,
        batch,
        hidden: vec![64, 64],
        steps: 1_000_000,
        // Time the fit's steps: no warm start, no early stop.
        init: Init::Plain,
        stopping: Stopping::Steps,
        ..Config::default()
    };
    let mut session = Session::new(config.clone(), Dataset::synthetic(&config), &backend.device);
    if graph {
        session.use_graph_steps();
    }
    let spec = NetSpec { input: 3, hidden: vec![64, 64], activation: Activation::Tanh };
    session.keep(Relation::init(&spec, &mut Rng::new(5), &backend.device));
    block_on(session.work(20))?; // warm-up: kernels compiled, memory pools filled
    let dispatches = std::sync::Arc::new(Dispatches::default());
    let observing = cubecl_runtime::logging::LaunchObservation::new(dispatches.clone());
    let reads = aml_playground::core::relation::reads_so_far();
    let started = Instant::now();
    let mut done = 0;
    while done < steps {
        block_on(session.work(50.min(steps - done)))?; // each call ends with a read, so timings include the device
        done += 50.min(steps - done);
    }
    let seconds = started.elapsed().as_secs_f64();
    drop(observing);
    Ok(Timed { seconds, reads: aml_playground::core::relation::reads_so_far() - reads, dispatches: dispatches.0.load(std::sync::atomic::Ordering::Relaxed) })
}

/// One whole run: "seconds  kept  steps per relation  steps/s by phase".
fn time_to_verdict(backend: &Backend, config: Config, graph: bool) -> Result<String, Failure> {
    let mut session = Session::new(config.clone(), Dataset::synthetic(&config), &backend.device);
    if graph {
        session.use_graph_steps();
    }
    let mut phases: Vec<(String, usize, f64)> = Vec::new();
    let started = Instant::now();
    loop {
        let steps_before: usize = session.history().last().map_or(0, |p| p.step);
        let t = Instant::now();
        let event = block_on(session.work(50))?;
        let took = t.elapsed().as_secs_f64();
        let Some(last) = session.history().last() else { break };
        let steps = last.step - steps_before;
        let phase = last.phase.label().split(' ').next().unwrap_or("").to_string(); // "syzygy test 2": "syzygy"
        match phases.iter_mut().find(|p| p.0 == phase) {
            Some(p) => {
                p.1 += steps;
                p.2 += took;
            }
            None => phases.push((phase, steps, took)),
        }
        if event == Event::Finished || session.is_finished() {
            break;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let kept = format!("{} of {}", session.kept().len(), session.reports().len());
    // A relation trained again from random weights shows both attempts: "650+800".
    let per_relation: Vec<String> =
        session.reports().iter().map(|r| r.retried.as_ref().map_or(String::new(), |first| format!("{}+", first.steps)) + &r.steps.to_string()).collect();
    let rates: Vec<String> = phases.iter().filter(|p| p.1 > 0).map(|(name, steps, secs)| format!("{name} {:.0}", *steps as f64 / secs)).collect();
    Ok(format!("{seconds:>8.1}  {kept:<9} {:<24} {}", per_relation.join(" + "), rates.join(", ")))
}
