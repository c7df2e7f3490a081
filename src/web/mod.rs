//! Everything that touches the browser: the Leptos page, WebGPU detection, drawing on
//! canvas, and the training worker that runs the core off the page's main thread. The
//! core never imports it.

mod app;
pub mod browser;
pub mod files;
mod plots;
pub mod protocol;
mod results;
mod runner;
mod worker;

pub use app::App;

/// Runs the module's static constructors, once. burn's kernel compiler (cubecl) registers
/// its IR dialects through `inventory`, which on wasm needs this call. Referencing
/// `__wasm_call_ctors` here also stops wasm-ld from wrapping *every* export in a call to
/// it: with that wrapping each call from JavaScript re-ran all constructors (seconds of a
/// training step went there) and could re-link a registry node to itself, so iterating
/// the registry never ended. Call it first, before any other Rust code.
#[allow(unsafe_code)]
pub fn init() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    unsafe extern "C" {
        fn __wasm_call_ctors();
    }
    // SAFETY: the linker-made constructor list, run exactly once (guarded by ONCE).
    ONCE.call_once(|| unsafe { __wasm_call_ctors() });
}

/// The module's `main`, on the page and in its training worker alike: mounts the page, or
/// in the worker listens for the page's commands. Panics go to the console with a
/// readable message (never silently).
pub fn start() {
    init();
    if browser::in_worker() {
        return worker::run();
    }
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
