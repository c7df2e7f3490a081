//! In-browser computation tests (headless Chromium via wasm-bindgen-test; see webdriver.json):
//! the CPU backend and the real WebGPU backend (SwiftShader on a machine without a GPU).
//! They run in a dedicated worker: a SwiftShader training step keeps its thread busy for
//! seconds, and on the main thread that starves chromedriver's polling of the test page
//! ("Timed out receiving message from renderer").
#![cfg(target_arch = "wasm32")]

use aml_playground::backend::Backend;
use aml_playground::core::config::Config;
use aml_playground::core::dataset::Dataset;
use aml_playground::core::manifold::ManifoldKind;
use aml_playground::core::phase::Phase;
use aml_playground::core::relation::{Activation, NetSpec, Relation, read_vec};
use aml_playground::core::report::Event;
use aml_playground::core::rng::Rng;
use aml_playground::core::session::Session;
use burn::tensor::{Tensor, TensorData};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

fn tiny_config() -> Config {
    Config { manifold: ManifoldKind::Circle, samples: 256, hidden: vec![16, 16], batch: 64, steps: 20, max_relations: Some(1), ..Config::default() }
}

/// The first and the last loss of fitting g_1 on the circle (after its warm start).
async fn train_briefly(backend: &Backend) -> (f64, f64) {
    let config = tiny_config();
    let mut session = Session::new(config.clone(), Dataset::synthetic(&config), &backend.device);
    let mut losses = Vec::new();
    while let Event::Progress { phase, loss, .. } = session.work(4).await.expect("training step") {
        if let (Phase::Fit, Some(loss)) = (phase, loss) {
            losses.push(loss);
        }
    }
    (losses[0], *losses.last().unwrap())
}

#[wasm_bindgen_test]
async fn cpu_backend_computes_and_trains_in_the_browser() {
    aml_playground::web::init();
    let cpu = Backend::cpu();
    let t = cpu.self_test().await.unwrap();
    assert!(t.max_error < 1e-4, "{t:?}");
    let (first, last) = train_briefly(&cpu).await;
    assert!(last < first, "loss went from {first} to {last}");
}

#[wasm_bindgen_test]
async fn webgpu_relation_matches_the_cpu_and_trains() {
    aml_playground::web::init();
    let gpu = Backend::gpu().await.expect("WebGPU backend");
    let t = gpu.self_test().await.unwrap();
    assert!(t.max_error < 1e-3, "{t:?}");

    // Same seed → same weights on both backends (drawn on the host), so same g and ∇g.
    let spec = NetSpec { input: 3, hidden: vec![8, 8], activation: Activation::Tanh };
    let points = vec![0.1f32, 0.2, 0.3, -0.5, 0.4, 1.0];
    let eval = |backend: &Backend| {
        let rel = Relation::init(&spec, &mut Rng::new(3), &backend.device);
        let x = Tensor::<2>::from_data(TensorData::new(points.clone(), [2, 3]), &backend.device);
        let (g, v) = rel.value_and_grad(x);
        async move { (read_vec(g).await.unwrap(), read_vec(v).await.unwrap()) }
    };
    let (g_gpu, v_gpu) = eval(&gpu).await;
    let (g_cpu, v_cpu) = eval(&Backend::cpu()).await;
    for (a, b) in g_gpu.iter().chain(&v_gpu).zip(g_cpu.iter().chain(&v_cpu)) {
        assert!((a - b).abs() < 1e-4, "gpu {a} vs cpu {b}");
    }

    let (first, last) = train_briefly(&gpu).await;
    assert!(last < first, "loss went from {first} to {last}");
}

/// The losses of the first `steps` steps, one a chunk, with `kept` relations kept first.
async fn first_losses(backend: &Backend, kept: usize, steps: usize) -> Vec<f64> {
    let config = tiny_config();
    let mut session = Session::new(config.clone(), Dataset::synthetic(&config), &backend.device);
    let spec = NetSpec { input: 2, hidden: vec![16, 16], activation: Activation::Tanh };
    for k in 0..kept {
        session.keep(Relation::init(&spec, &mut Rng::new(40 + k as u64), &backend.device));
    }
    let mut losses = Vec::new();
    for _ in 0..steps {
        if let Event::Progress { loss: Some(loss), .. } = session.work(1).await.expect("training step") {
            losses.push(loss);
        }
    }
    losses
}

/// The GPU's step kernels (core::gpu) on WebGPU take the CPU's fused steps, step for step:
/// the warm start and the fit with the sides' hinge (g_1 of a curve), then the fit with a
/// kept relation (independence and the negatives' hinge). Natively every loss configuration
/// is compared term by term (src/core/session/kernel_steps.rs).
#[wasm_bindgen_test]
async fn webgpu_step_kernels_train_as_the_cpu_does() {
    aml_playground::web::init();
    let gpu = Backend::gpu().await.expect("WebGPU backend");
    for kept in [0, 1] {
        let on_gpu = first_losses(&gpu, kept, 24).await;
        let on_cpu = first_losses(&Backend::cpu(), kept, 24).await;
        assert_eq!(on_gpu.len(), on_cpu.len());
        for (step, (a, b)) in on_gpu.iter().zip(&on_cpu).enumerate() {
            assert!((a - b).abs() <= 1e-4 * b.abs().max(1e-2), "{kept} kept, step {step}: WebGPU {a} vs CPU {b}");
        }
    }
}

#[wasm_bindgen_test]
fn simd_sigmoid_is_the_scalar_one_bit_for_bit() {
    use aml_playground::core::sigmoid::{one, sigmoid_of_twice};
    // Every length and start modulo the four lanes, so the unaligned head and tail run too.
    let xs: Vec<f32> = (0..4099).map(|i| -50.0 + i as f32 * 0.0249).chain([f32::NAN, 1e30, -1e30, 0.0, -0.0]).collect();
    for start in 0..4 {
        let mut got = xs[start..].to_vec();
        sigmoid_of_twice(&mut got);
        for (x, s) in xs[start..].iter().zip(&got) {
            let want = one(*x);
            assert!(s.to_bits() == want.to_bits() || (s.is_nan() && want.is_nan()), "σ(2·{x}): lanes {s}, scalar {want}");
        }
    }
    assert!((one(0.25) - 1.0 / (1.0 + (-0.5f32).exp())).abs() < 1e-7);
}
