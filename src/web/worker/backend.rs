//! The worker's backend: chosen at start (by the link, else on merit), described to the
//! page, and watched: a lost GPU device moves the run to the CPU with its relations.

use super::{Run, fresh_session, play, post, with};
use crate::backend::{Backend, BackendKind};
use crate::core::dataset::Dataset;
use crate::core::session::Session;
use crate::web::browser::{self, sleep_ms};
use crate::web::protocol::{BackendState, Update};
use wasm_bindgen_futures::spawn_local;

/// Chooses the backend (by the link's preference, else on merit), describes it to the
/// page, and starts the run the page asked for meanwhile.
pub(super) async fn start(preference: Option<String>) {
    let (backend, fallback, calibration) = match preference.as_deref() {
        Some(p @ ("cpu" | "gpu")) => {
            let (backend, fallback) = browser::choose_backend(Some(p)).await;
            (backend, fallback, None)
        }
        _ => browser::choose_on_merit().await,
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
        Err(e) => BackendState::Failed(e),
    }
}

/// Whether the GPU device is lost. A failed GPU read often comes before the device's
/// lost callback, so on the GPU this waits a moment for it.
pub(super) async fn lost_gpu() -> bool {
    if with(|w| w.backend.as_ref().is_some_and(|b| b.kind == BackendKind::Gpu)) && crate::backend::gpu_lost().is_none() {
        sleep_ms(500).await;
    }
    crate::backend::gpu_lost().is_some()
}

/// Watches for a lost GPU device from a task of its own: work in flight on a lost device
/// fails or never completes, so the run is rebuilt on the CPU from the worker's current
/// configuration and what the page was sent (reports with their weights, loss history).
/// Training goes on if it was on.
pub(super) async fn watch_gpu() {
    let reason = loop {
        if let Some(reason) = crate::backend::gpu_lost() {
            break reason;
        }
        sleep_ms(250).await;
    };
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
    let why = format!("the GPU device was lost ({reason}); training moved to the CPU with every kept relation");
    post(run.generation, Update::Backend(describe(&cpu, Some(why), None).await));
    run.say(Update::GpuLost);
    let Some(config) = config else { return };
    let dataset = match Dataset::for_config(&config, upload.as_ref()) {
        Ok(dataset) => dataset,
        Err(e) => return run.say(Update::Error(e)),
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
