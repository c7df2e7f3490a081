//! Everything that touches the browser: the Leptos page, WebGPU detection, drawing on
//! canvas, and the loop that drives training between frames. The core never imports it.

mod app;
pub mod browser;
mod plots;
mod runner;

pub use app::App;

/// Mounts the page. Panics go to the console with a readable message (never silently).
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
