//! Everything that touches the browser: the Leptos page, WebGPU detection, drawing on
//! canvas, and the loop that drives training between frames. The core never imports it.

mod app;
pub mod files;
pub mod browser;
mod plots;
mod runner;

pub use app::App;

/// Runs the module's static constructors, once. burn's kernel compiler (cubecl) registers
/// its IR dialects through `inventory`, which on wasm needs this call. Referencing
/// `__wasm_call_ctors` here also stops wasm-ld from wrapping *every* export in a call to
/// it: with that wrapping each call from JavaScript re-ran all constructors (seconds of a
/// training step went there) and could re-link a registry node to itself, so iterating
/// the registry never ended. Call it first, before any other Rust code.
pub fn init() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    unsafe extern "C" {
        fn __wasm_call_ctors();
    }
    // SAFETY: the linker-made constructor list, run exactly once (guarded by ONCE).
    ONCE.call_once(|| unsafe { __wasm_call_ctors() });
}

/// Mounts the page. Panics go to the console with a readable message (never silently).
pub fn start() {
    init();
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
