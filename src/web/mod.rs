//! Everything that touches the browser: the Leptos page, WebGPU detection, timers.
//! The core never imports from here.

mod app;
pub mod browser;

pub use app::App;

/// Mounts the page. Panics go to the console with a readable message (never silently).
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
