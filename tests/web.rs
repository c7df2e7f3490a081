//! In-browser tests (headless Chromium via wasm-bindgen-test; see webdriver.json):
//! the CPU fallback and the real WebGPU backend (SwiftShader on a machine without a GPU).
#![cfg(target_arch = "wasm32")]

use aml_playground::backend::{Backend, BackendKind};
use aml_playground::core::config::Config;
use aml_playground::core::dataset::Dataset;
use aml_playground::core::manifold::ManifoldKind;
use aml_playground::core::relation::{Activation, NetSpec, Relation, read_vec};
use aml_playground::core::rng::Rng;
use aml_playground::core::session::{Event, Session};
use aml_playground::web::browser::{choose_backend, has_webgpu};
use burn::tensor::{Tensor, TensorData};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn tiny_config() -> Config {
    Config { manifold: ManifoldKind::Circle, samples: 256, hidden: vec![16, 16], batch: 64, steps: 40, max_relations: 1, ..Config::default() }
}

/// The loss after `steps` steps of g_1 on the circle, and the first loss seen.
async fn train_briefly(backend: &Backend) -> (f64, f64) {
    let config = tiny_config();
    let mut session = Session::new(config.clone(), Dataset::synthetic(&config), &backend.device);
    let mut losses = Vec::new();
    while let Event::Progress { loss, .. } = session.work(10).await.expect("training step") {
        losses.push(loss);
    }
    (losses[0], *losses.last().unwrap())
}

#[wasm_bindgen_test]
async fn cpu_backend_computes_and_trains_in_the_browser() {
    let cpu = Backend::cpu();
    let t = cpu.self_test().await.unwrap();
    assert!(t.max_on < 1e-4 && t.min_off > 0.1, "{t:?}");
    let (first, last) = train_briefly(&cpu).await;
    assert!(last < first, "loss went from {first} to {last}");
}

#[wasm_bindgen_test]
async fn webgpu_is_found_and_chosen() {
    assert!(has_webgpu(), "navigator.gpu missing: is Chromium started with --enable-unsafe-webgpu?");
    let (backend, fallback) = choose_backend(None).await;
    assert_eq!(fallback, None);
    assert_eq!(backend.kind, BackendKind::Gpu);
    assert!(backend.description.starts_with("WebGPU: "), "{}", backend.description);
}

#[wasm_bindgen_test]
async fn webgpu_relation_matches_the_cpu_and_trains() {
    let gpu = Backend::gpu().await.expect("WebGPU backend");
    let t = gpu.self_test().await.unwrap();
    assert!(t.max_on < 1e-3 && t.min_off > 0.1, "{t:?}");

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

#[wasm_bindgen_test]
fn config_round_trips_in_the_browser() {
    let c = Config { manifold: ManifoldKind::Torus, seed: 42, hidden: vec![8, 4], ..Config::default() };
    let (back, notes) = Config::from_query(&c.to_query());
    assert_eq!(back, c);
    assert!(notes.is_empty());
}

/// Waits (yielding to the browser) until `ready` holds, up to ~30 s.
async fn eventually(mut ready: impl FnMut() -> bool) -> bool {
    for _ in 0..300 {
        if ready() {
            return true;
        }
        aml_playground::web::browser::sleep_ms(100).await;
    }
    false
}

#[wasm_bindgen_test]
async fn app_component_reacts_to_a_changed_field_and_writes_the_url() {
    use wasm_bindgen::JsCast;
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    let _app = leptos::mount::mount_to(host.clone().unchecked_into(), aml_playground::web::App);

    let select: web_sys::HtmlSelectElement = host.query_selector("[data-field=m]").unwrap().expect("manifold select").unchecked_into();
    assert_eq!(select.value(), "ellipse");
    select.set_value("sphere");
    select.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();

    let equations = || host.query_selector(".equations").unwrap().and_then(|e| e.text_content()).unwrap_or_default();
    assert!(eventually(|| equations().contains("x² + y² + z² − 1 = 0")).await, "equations shown: {}", equations());
    let search = || web_sys::window().unwrap().location().search().unwrap_or_default();
    assert!(eventually(|| search().contains("m=sphere")).await, "URL: {}", search());
}
