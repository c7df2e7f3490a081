//! Drives a training session from the page: chunks of steps, then a yield to the browser,
//! so the page never freezes. The session lives here (wasm is single-threaded); the page
//! sees it only through the signals in `RunState`.

use super::browser::{now_ms, sleep_ms, yield_now};
use super::files;
use crate::backend::{Backend, BackendKind};
use crate::core::config::Config;
use crate::core::dataset::Dataset;
use crate::core::picture::Picture;
use crate::core::export::RelationsFile;
use crate::core::session::{Event, LossPoint, RelationReport, Session, Verdict};
use leptos::prelude::*;
use std::cell::RefCell;

/// Steps per chunk between yields on the GPU, where steps are queued and one read waits
/// for them all.
const CHUNK: usize = 25;
/// On the CPU steps run as they are issued, so a chunk ends after this many milliseconds
/// instead (a 25-step chunk of the default run was a 0.5-2.7 s task on this 2-core machine).
const CPU_SLICE_MS: f64 = 30.0;
/// Redraw the zero sets this often while a relation trains.
const PICTURE_EVERY: usize = 300;

thread_local! {
    static SESSION: RefCell<Option<Session>> = const { RefCell::new(None) };
    static BACKEND: RefCell<Option<Backend>> = const { RefCell::new(None) };
    /// The configuration of the current run (to rebuild it after a lost GPU).
    static CONFIG: RefCell<Option<Config>> = const { RefCell::new(None) };
    /// When the loss chart was last given new points (ms since page load).
    static LAST_CHART: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
}

/// How often the loss chart follows the training (it redraws on every change).
const CHART_EVERY_MS: f64 = 250.0;

/// The data `config` names, with an upload from this tab or an earlier one.
fn dataset_for(config: &Config) -> Result<Dataset, String> {
    let uploaded = config.upload.as_deref().and_then(files::uploaded);
    Dataset::for_config(config, uploaded.as_ref())
}

#[derive(Clone, Copy)]
pub struct RunState {
    pub running: RwSignal<bool>,
    pub finished: RwSignal<bool>,
    pub status: RwSignal<String>,
    /// 0..1 within the current phase.
    pub progress: RwSignal<f64>,
    pub reports: RwSignal<Vec<RelationReport>>,
    pub history: RwSignal<Vec<LossPoint>>,
    /// Metrics of each relation while it trains (and when it finishes), for the charts.
    pub metric_history: RwSignal<Vec<MetricPoint>>,
    pub picture: RwSignal<Picture>,
    pub dimension: RwSignal<Option<(usize, usize)>>,
    pub error: RwSignal<Option<String>>,
    /// Set when the GPU device was lost and the run moved to the CPU.
    pub gpu_lost: RwSignal<Option<String>>,
    /// The person paused (or has not started) this run.
    paused: RwSignal<bool>,
    generation: RwSignal<u64>,
}

/// A relation's metrics at one step of its training.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MetricPoint {
    pub relation: usize,
    pub step: usize,
    /// Off/on residual ratio on held-out points (kept only if ≥ 5).
    pub ratio: f64,
    /// Median sine of ∇g to the span of the kept gradients (kept only if ≥ 0.1).
    pub sin_span: f64,
}

impl RunState {
    pub fn new() -> Self {
        Self {
            running: RwSignal::new(false),
            finished: RwSignal::new(false),
            status: RwSignal::new("Starting: looking for WebGPU…".into()),
            progress: RwSignal::new(0.0),
            reports: RwSignal::new(Vec::new()),
            history: RwSignal::new(Vec::new()),
            metric_history: RwSignal::new(Vec::new()),
            picture: RwSignal::new(Picture::default()),
            dimension: RwSignal::new(None),
            error: RwSignal::new(None),
            gpu_lost: RwSignal::new(None),
            paused: RwSignal::new(true),
            generation: RwSignal::new(0),
        }
    }

    /// Whether a backend was chosen (until then there is no run to act on).
    pub fn has_backend(&self) -> bool {
        BACKEND.with(|b| b.borrow().is_some())
    }

    pub fn set_backend(&self, backend: Backend) {
        let gpu = backend.kind == BackendKind::Gpu;
        BACKEND.with(|b| *b.borrow_mut() = Some(backend));
        if gpu {
            self.watch_gpu();
        }
    }

    /// Watches for a lost GPU device from a task of its own: work in flight on a lost
    /// device fails or never completes, so the run is rebuilt on the CPU from what the
    /// page holds: the config, the reports with their weights, and the loss history.
    /// Training goes on if it was on.
    fn watch_gpu(&self) {
        let state = *self;
        leptos::task::spawn_local(async move {
            let reason = loop {
                if let Some(reason) = crate::backend::gpu_lost() {
                    break reason;
                }
                sleep_ms(250).await;
            };
            // The run was training unless it was paused or finished (its task may have
            // already stopped on the failed work).
            let was_training = !state.paused.get_untracked();
            state.generation.update(|g| *g += 1); // the stuck task's session is dropped
            state.running.set(false);
            state.error.set(None); // a read that failed with the device is not the person's concern
            let cpu = Backend::cpu();
            if let Some(config) = CONFIG.with(|c| c.borrow().clone()) {
                match dataset_for(&config) {
                    Ok(dataset) => {
                        let session = Session::resume(config, dataset, &cpu.device, state.reports.get_untracked(), state.history.get_untracked());
                        state.finished.set(session.is_finished());
                        SESSION.with(|s| *s.borrow_mut() = Some(session));
                    }
                    Err(e) => state.error.set(Some(e)),
                }
            }
            BACKEND.with(|b| *b.borrow_mut() = Some(cpu));
            let kept = state.reports.get_untracked().iter().filter(|r| r.verdict.is_kept()).count();
            state.status.set(format!("The GPU was lost: the run moved to the CPU with its {kept} kept relation(s)."));
            state.gpu_lost.set(Some(reason));
            if was_training && !state.finished.get_untracked() {
                state.play(usize::MAX);
            }
        });
    }

    /// A fresh session for `config`: same data and initial networks for the same config.
    /// Fails, changing nothing, when the config names uploaded data this page does not have.
    pub fn reset(&self, config: &Config) -> Result<(), String> {
        let dataset = dataset_for(config)?;
        self.generation.update(|g| *g += 1);
        self.running.set(false);
        self.paused.set(true);
        let Some(backend) = BACKEND.with(|b| b.borrow().clone()) else { return Ok(()) };
        CONFIG.with(|c| *c.borrow_mut() = Some(config.clone()));
        self.status.set(format!("Ready: {}.", dataset.describe(config)));
        self.picture.set(Picture::of_data(&dataset));
        let session = Session::new(config.clone(), dataset, &backend.device);
        SESSION.with(|s| *s.borrow_mut() = Some(session));
        self.reports.set(Vec::new());
        self.history.set(Vec::new());
        self.metric_history.set(Vec::new());
        self.finished.set(false);
        self.progress.set(0.0);
        self.dimension.set(None);
        self.error.set(None);
        Ok(())
    }

    /// Takes the kept relations of a relations file as g_1, g_2, ... of the current (fresh)
    /// run, measured on its data; training then looks for the next one.
    pub fn import(&self, file: RelationsFile, name: String) {
        let state = *self;
        let generation = self.generation.get_untracked();
        let Some(backend) = BACKEND.with(|b| b.borrow().clone()) else { return };
        let Some(mut session) = SESSION.with(|s| s.borrow_mut().take()) else { return };
        state.running.set(true);
        state.status.set(format!("Importing relations from {name}…"));
        leptos::task::spawn_local(async move {
            let outcome = session.import(file.kept_relations(&backend.device)).await;
            if state.generation.get_untracked() != generation {
                return;
            }
            let outcome = match outcome {
                Ok(()) => state.publish(&session).await.map(|()| session.reports().len()),
                Err(e) => Err(e),
            };
            SESSION.with(|s| *s.borrow_mut() = Some(session));
            state.running.set(false);
            match outcome {
                Ok(n) => state.status.set(format!("Imported {n} relation(s) from {name}. Train to look for the next one.")),
                Err(e) => state.error.set(Some(format!("{name}: {e}"))),
            }
        });
    }

    /// The current run's points as CSV (None while a chunk of work holds the session).
    pub fn points_csv(&self) -> Option<String> {
        SESSION.with(|s| Some(s.borrow().as_ref()?.dataset().all_points().to_csv()))
    }

    /// The current run's relations as JSON (None while a chunk of work holds the session).
    pub fn relations_json(&self) -> Option<String> {
        SESSION.with(|s| Some(RelationsFile::from_session(s.borrow().as_ref()?).to_json()))
    }

    /// Shows a session's reports, dimension and zero sets.
    async fn publish(&self, session: &Session) -> Result<(), String> {
        self.reports.set(session.reports().to_vec());
        self.dimension.set(Some((session.estimated_dimension(), session.dataset().dim())));
        self.finished.set(session.is_finished());
        self.redraw(session, false).await
    }

    pub fn toggle(&self) {
        if self.running.get_untracked() {
            self.running.set(false);
            self.paused.set(true);
        } else {
            self.play(usize::MAX);
        }
    }

    pub fn step(&self) {
        if !self.running.get_untracked() {
            self.play(1);
        }
    }

    /// "Add relation": look for one more after the run stopped.
    pub fn add_relation(&self) {
        SESSION.with(|s| {
            if let Some(s) = s.borrow_mut().as_mut() {
                s.allow_more();
            }
        });
        self.finished.set(false);
        self.play(usize::MAX);
    }

    /// Runs up to `chunks` chunks, yielding to the browser between them.
    fn play(&self, chunks: usize) {
        let state = *self;
        let generation = self.generation.get_untracked();
        state.running.set(true);
        state.paused.set(chunks != usize::MAX);
        leptos::task::spawn_local(async move {
            let mut done = 0;
            while done < chunks && state.running.get_untracked() && state.generation.get_untracked() == generation {
                let Some(mut session) = SESSION.with(|s| s.borrow_mut().take()) else { break };
                let outcome = state.chunk(&mut session).await;
                if state.generation.get_untracked() != generation {
                    break; // reset (or moved off a lost GPU) while we were busy: drop this session
                }
                SESSION.with(|s| *s.borrow_mut() = Some(session));
                match outcome {
                    Ok(true) => {}
                    Ok(false) => break,
                    // Work on a lost GPU fails; the GPU watcher moves the run and says so.
                    Err(_) if crate::backend::gpu_lost().is_some() => break,
                    Err(e) => {
                        state.error.set(Some(e));
                        break;
                    }
                }
                done += 1;
                yield_now().await;
            }
            if state.generation.get_untracked() == generation {
                state.running.set(false);
            }
        });
    }

    /// One chunk of work and the page updates it causes. Ok(false) when the run is over.
    async fn chunk(&self, session: &mut Session) -> Result<bool, String> {
        let before = session.history().last().map(|p| p.step).unwrap_or(0);
        let on_cpu = BACKEND.with(|b| b.borrow().as_ref().is_none_or(|b| b.kind == BackendKind::Cpu));
        let event = if on_cpu {
            let started = now_ms();
            session.work_while(usize::MAX, || now_ms() - started < CPU_SLICE_MS).await?
        } else {
            session.work(CHUNK).await?
        };
        // The loss chart redraws on every change: a few times a second is plenty.
        let chart_due = now_ms() - LAST_CHART.get() > CHART_EVERY_MS;
        if chart_due || !matches!(event, Event::Progress { .. }) {
            LAST_CHART.set(now_ms());
            self.history.set(session.history().to_vec());
        }
        let after = session.history().last().map(|p| p.step).unwrap_or(0);
        match event {
            Event::Progress { relation, phase, step, of, loss } => {
                self.progress.set(step as f64 / of.max(1) as f64);
                let loss = if loss.is_finite() { format!("{loss:.4}") } else { "…".into() };
                self.status.set(format!("Training g{}: {} step {step}/{of}, loss {loss}", relation + 1, phase.label()));
                if before / PICTURE_EVERY != after / PICTURE_EVERY {
                    self.redraw(session, true).await?;
                    if let Some(m) = session.probe_current().await? {
                        self.metric_history.update(|h| h.push(MetricPoint { relation, step: after, ratio: m.ratio, sin_span: m.sin_span }));
                    }
                }
                Ok(true)
            }
            Event::RelationFinished { relation } => {
                if let Some(r) = session.reports().get(relation) {
                    let point = MetricPoint { relation, step: after, ratio: r.metrics.ratio, sin_span: r.metrics.sin_span };
                    self.metric_history.update(|h| h.push(point));
                    self.status.set(format!("g{}: {} ({}).", relation + 1, r.verdict.describe(), r.stop.describe()));
                }
                self.publish(session).await?;
                if session.is_finished() {
                    self.finish(session);
                    return Ok(false);
                }
                Ok(true)
            }
            Event::Finished => {
                self.finish(session);
                Ok(false)
            }
        }
    }

    fn finish(&self, session: &Session) {
        self.finished.set(true);
        self.progress.set(1.0);
        let mut status = format!(
            "Done: {} relation(s) kept, estimated dimension {} in R^{}.",
            session.kept().len(),
            session.estimated_dimension(),
            session.dataset().dim()
        );
        if let Some(r) = session.reports().last().filter(|r| r.verdict == Verdict::Diverged) {
            status += &format!(" g{} diverged (its loss became NaN or infinite) and was dropped; the earlier relations are kept. A lower learning rate may help: + Add relation tries again.", r.index + 1);
        }
        self.status.set(status);
    }

    /// Recomputes the zero sets (kept relations, plus the one in training if asked).
    async fn redraw(&self, session: &Session, with_current: bool) -> Result<(), String> {
        let Some(backend) = BACKEND.with(|b| b.borrow().clone()) else { return Ok(()) };
        let mut relations = session.kept().to_vec();
        if with_current && let Some((_, _, net)) = session.current() {
            use burn::module::Module;
            relations.push(net.valid());
        }
        let picture = Picture::compute(session.dataset(), &relations, session.config().seed, &backend.device).await?;
        self.picture.set(picture);
        Ok(())
    }
}
