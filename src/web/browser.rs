//! Browser facts and helpers: WebGPU presence, backend choice with CPU fallback, yielding.

use crate::backend::Backend;
use wasm_bindgen::{JsCast, JsValue};

/// Whether `navigator.gpu` exists (WebGPU exposed by this browser).
pub fn has_webgpu() -> bool {
    web_sys::window()
        .map(|w| js_sys::Reflect::has(&w.navigator(), &JsValue::from_str("gpu")).unwrap_or(false))
        .unwrap_or(false)
}

/// WebGPU if it is there and passes the self-test, otherwise the CPU, with the reason.
/// `preference` "cpu" skips WebGPU on purpose.
pub async fn choose_backend(preference: Option<&str>) -> (Backend, Option<String>) {
    if preference == Some("cpu") {
        return (Backend::cpu(), Some("CPU chosen in the link (backend=cpu)".into()));
    }
    if !has_webgpu() {
        return (Backend::cpu(), Some("this browser does not expose WebGPU".into()));
    }
    let mut gpu = match Backend::gpu().await {
        Ok(gpu) => gpu,
        Err(e) => return (Backend::cpu(), Some(e)),
    };
    // Browsers often blank wgpu's adapter name; ask WebGPU itself.
    if let Some(label) = adapter_label().await {
        gpu.description = format!("WebGPU: {label}");
    }
    match gpu.self_test().await {
        Ok(t) if t.max_on < 1e-3 => (gpu, None),
        Ok(t) => (Backend::cpu(), Some(format!("WebGPU gave wrong numbers (residual {:.2e})", t.max_on))),
        Err(e) => (Backend::cpu(), Some(e)),
    }
}

/// "vendor architecture (description)" from `GPUAdapterInfo`, whatever the browser reveals.
async fn adapter_label() -> Option<String> {
    let get = |o: &JsValue, k: &str| js_sys::Reflect::get(o, &JsValue::from_str(k)).ok();
    let navigator = web_sys::window()?.navigator();
    let gpu = get(&navigator, "gpu")?;
    let request = get(&gpu, "requestAdapter")?.dyn_into::<js_sys::Function>().ok()?;
    let promise = request.call0(&gpu).ok()?.dyn_into::<js_sys::Promise>().ok()?;
    let adapter = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    let info = get(&adapter, "info")?;
    let text = |k: &str| get(&info, k).and_then(|v| v.as_string()).filter(|s| !s.is_empty());
    let mut label: Vec<String> = ["vendor", "architecture"].iter().filter_map(|k| text(k)).collect();
    if let Some(d) = text("description") {
        label.push(format!("({d})"));
    }
    (!label.is_empty()).then(|| label.join(" "))
}

/// Lets the browser paint and handle input before the next chunk of work.
pub async fn yield_now() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Milliseconds since page load.
pub fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

/// The page's query string without '?'.
pub fn query() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
        .trim_start_matches('?')
        .to_string()
}

/// Replaces the page's query string without a reload or a history entry.
pub fn set_query(query: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&format!("?{query}")));
    }
}

/// Resolves after `ms` milliseconds.
pub async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
