//! The page's entry point (wasm32, built by trunk). Natively, use the `aml` CLI instead.

#[cfg(target_arch = "wasm32")]
fn main() {
    aml_playground::web::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("aml-playground is the browser build: run `scripts/serve`. Natively, use `cargo run --release --bin aml -- --help`.");
    std::process::exit(2);
}
