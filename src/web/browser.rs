//! Browser facts and helpers: WebGPU presence, backend choice with CPU fallback, yielding.
//! Everything here works on the page and in its training worker alike (the global scope,
//! not `window`).

use crate::backend::{Backend, BackendKind};
use crate::core::config::BackendChoice;
use crate::core::config::{Config, Init};
use crate::core::dataset::Dataset;
use crate::core::error::DeviceError;
use crate::core::session::Session;
use std::future::Future;
use std::task::Poll;
use wasm_bindgen::{JsCast, JsValue};

/// Whether this code runs in a dedicated worker (the training worker) rather than a page.
pub fn in_worker() -> bool {
    js_sys::global().is_instance_of::<web_sys::DedicatedWorkerGlobalScope>()
}

/// `name` of the global scope (`navigator`, `performance`, ...), page or worker.
fn global(name: &str) -> Option<JsValue> {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str(name)).ok().filter(|v| !v.is_undefined())
}

/// Whether `navigator.gpu` exists (WebGPU exposed by this browser, in pages and workers).
pub fn has_webgpu() -> bool {
    global("navigator").is_some_and(|n| js_sys::Reflect::has(&n, &JsValue::from_str("gpu")).unwrap_or(false))
}

/// WebGPU if it is there and passes the self-test, otherwise the CPU, with the reason.
/// A preference for the CPU skips WebGPU on purpose.
pub async fn choose_backend(preference: Option<BackendChoice>) -> (Backend, Option<String>) {
    if preference == Some(BackendChoice::Cpu) {
        return (Backend::cpu(), Some("CPU chosen in the link (backend=cpu)".into()));
    }
    if !has_webgpu() {
        return (Backend::cpu(), Some("this browser does not expose WebGPU".into()));
    }
    let mut gpu = match Backend::gpu().await {
        Ok(gpu) => gpu,
        Err(e) => return (Backend::cpu(), Some(e.to_string())),
    };
    // Browsers often blank wgpu's adapter name; ask WebGPU itself.
    if let Some(label) = adapter_label().await {
        gpu.description = format!("WebGPU: {label}");
    }
    match gpu.self_test().await {
        Ok(t) if t.max_error < 1e-3 => (gpu, None),
        Ok(t) => (Backend::cpu(), Some(format!("WebGPU gave wrong numbers (error {:.2e})", t.max_error))),
        Err(e) => (Backend::cpu(), Some(e.to_string())),
    }
}

/// How long the CPU trains during calibration, after its warm-up.
const CALIBRATE_CPU_MS: f64 = 300.0;
/// Steps the GPU times during calibration, after its warm-up.
const CALIBRATE_GPU_STEPS: usize = 10;
/// The GPU's whole calibration (kernel compilation included) must end within this. A
/// software adapter needs far longer (SwiftShader here: ~0.4 s a step, so the default run
/// would take half an hour) and loses without being waited for.
const CALIBRATE_GPU_DEADLINE_MS: i32 = 4000;

/// The faster of WebGPU and the CPU, measured: a short training run of the default ellipse
/// on each (calibration). Returns the backend, why the CPU was chosen if it was, and the
/// measured rates for the backend card (None when there was no GPU to compare).
pub async fn choose_on_merit() -> (Backend, Option<String>, Option<String>) {
    let (gpu, why_not) = choose_backend(Some(BackendChoice::Gpu)).await;
    if gpu.kind == BackendKind::Cpu {
        return (gpu, why_not, None);
    }
    let cpu = Backend::cpu();
    let config = Config { init: Init::Plain, ..Config::default() };
    let data = Dataset::synthetic(&config);
    let cpu_rate = match training_rate(&cpu, &config, data.clone()).await {
        Ok(rate) => rate,
        Err(e) => return (gpu, None, Some(format!("Calibration failed on the CPU ({e}): WebGPU kept."))),
    };
    let rates = |gpu: &str| Some(format!("Calibration, default ellipse: CPU {cpu_rate:.0} steps/s, WebGPU {gpu}."));
    let slower = || Some("the CPU trains faster here than this WebGPU adapter".to_string());
    match within(CALIBRATE_GPU_DEADLINE_MS, training_rate(&gpu, &config, data)).await {
        Some(Ok(gpu_rate)) if gpu_rate > cpu_rate => (gpu, None, rates(&format!("{gpu_rate:.0} steps/s"))),
        Some(Ok(gpu_rate)) => (cpu, slower(), rates(&format!("{gpu_rate:.1} steps/s"))),
        Some(Err(e)) => (cpu, Some(format!("WebGPU failed to train ({e})")), rates("failed")),
        None => {
            let most = CALIBRATE_GPU_STEPS as f64 * 1000.0 / CALIBRATE_GPU_DEADLINE_MS as f64;
            (cpu, slower(), rates(&format!("under {most:.1} steps/s (stopped after {} s)", CALIBRATE_GPU_DEADLINE_MS / 1000)))
        }
    }
}

/// Training steps per second of `config` (a random start, so no warm-up phase) on `data`
/// on `backend`, after two steps that compile its kernels.
async fn training_rate(backend: &Backend, config: &Config, data: Dataset) -> Result<f64, DeviceError> {
    let mut session = Session::new(config.clone(), data, &backend.device);
    let steps = |s: &Session| s.history().last().map_or(0, |p| p.step);
    session.work(2).await?;
    let (before, started) = (steps(&session), now_ms());
    match backend.kind {
        BackendKind::Cpu => session.work_while(usize::MAX, || now_ms() - started < CALIBRATE_CPU_MS).await?,
        BackendKind::Gpu => session.work(CALIBRATE_GPU_STEPS).await?,
    };
    Ok((steps(&session) - before) as f64 * 1000.0 / (now_ms() - started).max(1.0))
}

/// `work`'s result, or None when `ms` milliseconds pass first (the work is dropped).
async fn within<T>(ms: i32, work: impl Future<Output = T>) -> Option<T> {
    let mut work = std::pin::pin!(work);
    let mut timer = std::pin::pin!(sleep_ms(ms));
    std::future::poll_fn(|cx| {
        if let Poll::Ready(value) = work.as_mut().poll(cx) {
            return Poll::Ready(Some(value));
        }
        timer.as_mut().poll(cx).map(|()| None)
    })
    .await
}

/// "vendor architecture (description)" from `GPUAdapterInfo`, whatever the browser reveals.
async fn adapter_label() -> Option<String> {
    let get = |o: &JsValue, k: &str| js_sys::Reflect::get(o, &JsValue::from_str(k)).ok();
    let gpu = get(&global("navigator")?, "gpu")?;
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

/// Lets the browser paint and handle input (in a worker: messages) before the next chunk of work.
pub async fn yield_now() {
    sleep_ms(0).await;
}

/// Milliseconds since the page (or worker) started.
pub fn now_ms() -> f64 {
    global("performance").map(|p| p.unchecked_into::<web_sys::Performance>().now()).unwrap_or(0.0)
}

/// The page's query string without '?'.
pub fn query() -> String {
    web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default().trim_start_matches('?').to_string()
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
        if let Some(set_timeout) = global("setTimeout").and_then(|f| f.dyn_into::<js_sys::Function>().ok()) {
            let _ = set_timeout.call2(&JsValue::NULL, &resolve, &JsValue::from(ms));
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
