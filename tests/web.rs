//! In-browser tests on the page's main thread (headless Chromium via wasm-bindgen-test;
//! see webdriver.json): backend choice, the URL, and the App component. The heavy
//! computations are tested in a worker (tests/compute.rs).
#![cfg(target_arch = "wasm32")]

use aml_playground::backend::BackendKind;
use aml_playground::core::config::Config;
use aml_playground::core::manifold::ManifoldKind;
use aml_playground::web::browser::{choose_backend, has_webgpu};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn webgpu_is_found_and_chosen() {
    aml_playground::web::init();
    assert!(has_webgpu(), "navigator.gpu missing: is Chromium started with --enable-unsafe-webgpu?");
    let (backend, fallback) = choose_backend(None).await;
    assert_eq!(fallback, None);
    assert_eq!(backend.kind, BackendKind::Gpu);
    assert!(backend.description.starts_with("WebGPU: "), "{}", backend.description);
}

#[wasm_bindgen_test]
fn config_round_trips_in_the_browser() {
    aml_playground::web::init();
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
    aml_playground::web::init();
    use wasm_bindgen::JsCast;
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    let _app = leptos::mount::mount_to(host.clone().unchecked_into(), aml_playground::web::App);

    let select: web_sys::HtmlSelectElement = host.query_selector("[data-field=m]").unwrap().expect("manifold select").unchecked_into();
    assert_eq!(select.value(), "ellipse");
    select.set_value("sphere");
    select.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();

    let equations = || host.query_selector(".data-source").unwrap().and_then(|e| e.text_content()).unwrap_or_default();
    assert!(eventually(|| equations().contains("x² + y² + z² − 1 = 0")).await, "equations shown: {}", equations());
    let search = || web_sys::window().unwrap().location().search().unwrap_or_default();
    assert!(eventually(|| search().contains("m=sphere")).await, "URL: {}", search());
}

/// The page and its training worker talk in typed values through serde-wasm-bindgen: a
/// Reset carrying an uploaded cloud and a Picture must arrive exactly as sent.
#[wasm_bindgen_test]
fn worker_messages_cross_the_boundary_unchanged() {
    aml_playground::web::init();
    use aml_playground::core::dataset::Dataset;
    use aml_playground::core::picture::{Picture, ZeroSet};
    use aml_playground::core::rng::Rng;
    use aml_playground::web::protocol::{Command, Tagged, Update, from_js, to_js};
    let cloud = ManifoldKind::Sphere.sample(50, 0.01, &mut Rng::new(3));
    let sent = Command::Reset { generation: 7, query: Config::default().to_query(), upload: Some(cloud.clone()) };
    let Command::Reset { generation, query, upload } = from_js(to_js(&sent).unwrap()).unwrap() else { panic!("not a Reset") };
    assert_eq!((generation, query, upload.as_ref()), (7, Config::default().to_query(), Some(&cloud)));

    // Its point sets and heatmap cross as bytes (one Uint8Array each), exactly.
    let mut picture = Picture::of_data(&Dataset::synthetic(&Config::default()));
    picture.zero_sets = vec![ZeroSet::Points(cloud.clone()), ZeroSet::Lines(vec![[[0.5, -1.25], [3e-8, 7.0]]])];
    picture.intersection = cloud;
    picture.heat = vec![-0.0, 1.5e-39, 2.0, f32::MAX];
    let tagged: Tagged = from_js(to_js(&Tagged { generation: 3, update: Update::Picture(picture.clone()) }).unwrap()).unwrap();
    assert_eq!(tagged.generation, 3);
    assert!(matches!(tagged.update, Update::Picture(p) if p == picture));
    assert!(from_js::<Command>(wasm_bindgen::JsValue::from_str("Reset")).is_err(), "a malformed message is refused, not guessed");
}
