//! The AML core: plain Rust over burn, no UI. Everything runs on whatever burn `Device`
//! it is given (flex on the CPU, wgpu natively or WebGPU in a browser); in burn 0.22 the
//! backend is a run-time property of the device rather than a type parameter.

pub mod config;
pub mod csv;
pub mod dataset;
pub mod equations;
pub mod error;
pub mod export;
pub mod frame;
pub mod fused;
pub mod gpu;
pub mod isosurface;
pub mod linalg;
pub mod local_fit;
pub mod loops;
pub mod loss;
pub mod manifold;
pub mod metrics;
pub mod nearest;
pub mod orientation;
pub mod phase;
pub mod picture;
pub mod points;
pub mod relation;
pub mod report;
pub mod rng;
pub mod session;
pub mod syzygy;
pub mod transfer;
pub mod upload;
pub mod verdict;

/// The host σ (tanh's on the CPU backend), from the kernels crate.
pub use aml_kernels::sigmoid;

/// Drives one of the core's async functions to completion on a native thread.
#[cfg(not(target_arch = "wasm32"))]
pub fn block_on<F: Future>(future: F) -> F::Output {
    pollster::block_on(future)
}
