//! The worker's backend: chosen at start (by the link, else on merit), described to the
//! page, and watched: a lost GPU device moves the run to the CPU with its relations.

use super::{Run, fresh_session, play, post, with};
use crate::backend::{Backend, BackendKind};
use crate::core::config::BackendChoice;
use crate::core::dataset::Dataset;
use crate::core::session::Session;
use crate::web::browser::{self, sleep_ms};
use crate::web::protocol::{BackendState, Update};
use wasm_bindgen_futures::spawn_local;

/// Chooses the backend (by the link's preference, else on merit), describes it to the
/// page, and starts the run the page asked for meanwhile.
pub(super) async fn start(preference: Option<BackendChoice>) {
    let (backend, fallback, calibration) = match preference {
        Some(choice) => {
            let (backend, fallback) = browser::choose_backend(Some(choice)).await;
            (backend, fallback, None)
        }
        None => browser::choose_on_merit().await,
    };
    let state = describe(&backend, fallback, calibration).await;
    post(0, Update::Backend(state));
    let gpu = backend.kind == BackendKind::Gpu;
    with(|w| w.backend = Some(backend));
    if gpu {
        spawn_local(watch_gpu());
    }
    fresh_session();
}

pub(super) async fn describe(backend: &Backend, fallback: Option<String>, calibration: Option<String>) -> BackendState {
    match backend.self_test().await {
        Ok(t) => {
            BackendState::Ready { gpu: backend.kind == BackendKind::Gpu, description: backend.description.clone(), fallback, check: t.describe(), calibration }
        }
        Err(e) => BackendState::Failed(e.to_string()),
    }
}

pub(super) fn on_gpu() -> bool {
    with(|w| w.backend.as_ref().is_some_and(|b| b.kind == BackendKind::Gpu))
}

/// Watches for the device's lost callback from a task of its own: work in flight on a
/// lost device may never complete, so nothing else would notice.
pub(super) async fn watch_gpu() {
    while on_gpu() {
        if let Some(reason) = crate::backend::gpu_lost() {
            return move_to_cpu(reason).await;
        }
        sleep_ms(250).await;
    }
}

/// The GPU is lost (`reason`: the device's lost callback, or a read that failed on it,
/// which often comes first): the run is rebuilt on the CPU from the worker's current
/// configuration and what the page was sent (reports with their weights, loss history).
/// Training goes on if it was on. Once: a second call finds the CPU in place.
pub(super) async fn move_to_cpu(reason: String) {
    if !on_gpu() {
        return;
    }
    let cpu = Backend::cpu();
    let (was_training, config, upload, reports, history, run) = with(|w| {
        w.run += 1; // the stuck chunk's session is dropped
        w.backend = Some(cpu.clone());
        w.session = None;
        let was_training = w.running;
        w.running = false;
        w.looping = None;
        (was_training, w.config.clone(), w.upload.clone(), w.reports.clone(), w.history.clone(), Run { generation: w.generation, id: w.run })
    });
    // The card says what happened in a line; the driver's whole error chain (causes,
    // backtrace notes) goes to the console for whoever debugs it.
    web_sys::console::warn_1(&format!("GPU device lost: {reason}").into());
    let first = reason.split(['\n', '\r']).next().unwrap_or_default().split(" Caused by").next().unwrap_or_default().trim();
    let first: String = if first.chars().count() > 80 { first.chars().take(79).chain(['…']).collect() } else { first.to_string() };
    let why = format!("the GPU device was lost ({first}); training moved to the CPU with every kept relation");
    post(run.generation, Update::Backend(describe(&cpu, Some(why), None).await));
    run.say(Update::GpuLost);
    let Some(config) = config else { return };
    let dataset = match Dataset::for_config(&config, upload.as_ref()) {
        Ok(dataset) => dataset,
        Err(e) => return run.say(Update::Error(e.to_string())),
    };
    let session = Session::resume(config, dataset, &cpu.device, reports, history);
    let finished = session.is_finished();
    with(|w| w.session = Some(session));
    let kept = with(|w| w.reports.iter().filter(|r| r.verdict.is_kept()).count());
    run.say(Update::Finished(finished));
    run.say(Update::Status(format!("The GPU was lost: the run moved to the CPU with its {kept} kept relation(s).")));
    if was_training && !finished {
        play(usize::MAX);
    }
}
