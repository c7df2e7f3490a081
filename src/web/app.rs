//! The page.

use super::browser::{choose_backend, now_ms, query};
use crate::backend::{Backend, BackendKind};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[derive(Clone, Debug, PartialEq)]
enum BackendState {
    Probing,
    Ready { description: String, gpu: bool, fallback: Option<String>, check: String },
    Failed(String),
}

#[component]
pub fn App() -> impl IntoView {
    let state = RwSignal::new(BackendState::Probing);
    let preference = query()
        .split('&')
        .find_map(|kv| kv.strip_prefix("backend=").map(str::to_string));
    spawn_local(async move {
        let (backend, fallback) = choose_backend(preference.as_deref()).await;
        state.set(describe(backend, fallback).await);
    });
    view! {
        <header class="top">
            <h1>"AML Playground"</h1>
            <p class="tagline">"Watch a neural network discover the equations that cut out a manifold."</p>
        </header>
        <main>
            <section class="card" data-testid="backend">
                {move || match state.get() {
                    BackendState::Probing => view! { <p class="muted">"Looking for WebGPU…"</p> }.into_any(),
                    BackendState::Ready { description, gpu, fallback, check } => view! {
                        <p>
                            <span class=if gpu { "badge gpu" } else { "badge cpu" }>{if gpu { "GPU" } else { "CPU" }}</span>
                            " Backend: " <strong data-testid="backend-name">{description}</strong>
                        </p>
                        {fallback.map(|why| view! { <p class="notice">"Using the CPU fallback: " {why}</p> })}
                        <p data-testid="self-test">{check}</p>
                    }.into_any(),
                    BackendState::Failed(e) => view! { <p class="error">"No backend works: " {e}</p> }.into_any(),
                }}
            </section>
        </main>
    }
}

async fn describe(backend: Backend, fallback: Option<String>) -> BackendState {
    let started = now_ms();
    match backend.self_test().await {
        Ok(t) => BackendState::Ready {
            gpu: backend.kind == BackendKind::Gpu,
            description: backend.description.clone(),
            fallback,
            check: format!(
                "Self-test: the ellipse's two true equations on {} sampled points, max residual {:.1e} (off the ellipse ≥ {:.2}), {:.0} ms.",
                t.points,
                t.max_on,
                t.min_off,
                now_ms() - started
            ),
        },
        Err(e) => BackendState::Failed(e),
    }
}
