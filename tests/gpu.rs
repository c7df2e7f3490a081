//! The wgpu backend natively (Mesa's lavapipe software Vulkan on a machine without a GPU):
//! same numbers as the CPU, and training runs. scripts/test sets AML_REQUIRE_GPU=1 so a
//! missing adapter fails there; elsewhere a machine without Vulkan skips with a message.
#![cfg(not(target_arch = "wasm32"))]

use aml_playground::backend::{Backend, BackendKind};
use aml_playground::core::block_on;
use aml_playground::core::config::Config;
use aml_playground::core::dataset::Dataset;
use aml_playground::core::manifold::ManifoldKind;
use aml_playground::core::phase::Phase;
use aml_playground::core::relation::{Activation, NetSpec, Relation, read_vec};
use aml_playground::core::report::Event;
use aml_playground::core::rng::Rng;
use aml_playground::core::session::Session;
use burn::tensor::{Tensor, TensorData};

fn gpu_or_skip() -> Option<Backend> {
    match block_on(Backend::gpu()) {
        Ok(b) => Some(b),
        Err(e) if std::env::var_os("AML_REQUIRE_GPU").is_some() => panic!("AML_REQUIRE_GPU is set but {e}"),
        Err(e) => {
            eprintln!("skipping the wgpu test: {e}");
            None
        }
    }
}

#[test]
fn wgpu_matches_the_cpu_and_trains() {
    let Some(gpu) = gpu_or_skip() else { return };
    assert_eq!(gpu.kind, BackendKind::Gpu);
    println!("wgpu adapter: {}", gpu.description);
    let t = block_on(gpu.self_test()).unwrap();
    assert!(t.max_error < 1e-3, "{t:?}");

    let spec = NetSpec { input: 3, hidden: vec![8, 8], activation: Activation::Tanh };
    let points = vec![0.1f32, 0.2, 0.3, -0.5, 0.4, 1.0];
    let eval = |b: &Backend| {
        let rel = Relation::init(&spec, &mut Rng::new(3), &b.device);
        let (g, v) = rel.value_and_grad(Tensor::from_data(TensorData::new(points.clone(), [2, 3]), &b.device));
        (block_on(read_vec(g)).unwrap(), block_on(read_vec(v)).unwrap())
    };
    let (gg, vg) = eval(&gpu);
    let (gc, vc) = eval(&Backend::cpu());
    for (a, b) in gg.iter().chain(&vg).zip(gc.iter().chain(&vc)) {
        assert!((a - b).abs() < 1e-4, "wgpu {a} vs cpu {b}");
    }

    let config =
        Config { manifold: ManifoldKind::Circle, samples: 256, hidden: vec![16, 16], batch: 64, steps: 40, max_relations: Some(1), ..Config::default() };
    let mut session = Session::new(config.clone(), Dataset::synthetic(&config), &gpu.device);
    let mut losses = Vec::new();
    while let Event::Progress { phase, loss, .. } = block_on(session.work(10)).unwrap() {
        // The fit's losses (the warm start before it minimises another loss).
        if let (Phase::Fit, Some(loss)) = (phase, loss) {
            losses.push(loss);
        }
    }
    assert!(losses.last().unwrap() < &losses[0], "{losses:?}");
}

/// The losses of the first `steps` steps, one a chunk, with `kept` relations kept first.
fn first_losses(backend: &Backend, kept: usize, steps: usize) -> Vec<f64> {
    let config =
        Config { manifold: ManifoldKind::Circle, samples: 256, hidden: vec![16, 16], batch: 64, steps: 20, max_relations: Some(1), ..Config::default() };
    let mut session = Session::new(config.clone(), Dataset::synthetic(&config), &backend.device);
    let spec = NetSpec { input: 2, hidden: vec![16, 16], activation: Activation::Tanh };
    for k in 0..kept {
        session.keep(Relation::init(&spec, &mut Rng::new(40 + k as u64), &backend.device));
    }
    (0..steps)
        .filter_map(|_| match block_on(session.work(1)).unwrap() {
            Event::Progress { loss, .. } => loss,
            _ => None,
        })
        .collect()
}

/// The step kernels (core::gpu) take the CPU's fused steps, step for step, through the warm
/// start and fits with each hinge (the browser test in tests/compute.rs does the same on
/// WebGPU; the per-term comparison is src/core/session/kernel_steps.rs).
#[test]
fn wgpu_step_kernels_train_as_the_cpu_does() {
    let Some(gpu) = gpu_or_skip() else { return };
    for kept in [0, 1] {
        let (on_gpu, on_cpu) = (first_losses(&gpu, kept, 24), first_losses(&Backend::cpu(), kept, 24));
        assert_eq!(on_gpu.len(), on_cpu.len());
        assert!(on_gpu.len() >= 20, "{on_gpu:?}");
        for (step, (a, b)) in on_gpu.iter().zip(&on_cpu).enumerate() {
            assert!((a - b).abs() <= 1e-4 * b.abs().max(1e-2), "{kept} kept, step {step}: wgpu {a} vs cpu {b}");
        }
    }
}
