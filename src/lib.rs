//! AML Playground: learn the equations that cut out a manifold (Analytic Manifold
//! Learning, Antonova et al., arXiv 2006.08718).
//!
//! - [`core`]: manifolds, relations, training, metrics, config; plain Rust over burn.
//! - [`backend`]: choosing a burn device (WebGPU/wgpu or the CPU fallback).
//! - `web` (wasm32 only): the Leptos page and everything that touches the browser.

pub mod backend;
pub mod core;
#[cfg(target_arch = "wasm32")]
pub mod web;
