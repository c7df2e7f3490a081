//! The training worker: a dedicated Web Worker that owns the backend and the session,
//! trains in slices and tells the page what changed (`protocol::Update`). The page's main
//! thread only draws, so it never freezes (on the main thread a 25-step chunk of the
//! default run was a 0.5–2.7 s task on a 2-core machine, and a 50,000-point link 206 s).

use super::browser::{now_ms, sleep_ms, yield_now};
use super::protocol::{self, Command, Export, MetricPoint, Tagged, Update};
use crate::backend::{Backend, BackendKind};
use crate::core::config::Config;
use crate::core::dataset::Dataset;
use crate::core::equations::ReadOut;
use crate::core::error::{DeviceError, ImportError};
use crate::core::export::RelationsFile;
use crate::core::picture::{Picture, ZeroSet};
use crate::core::points::PointCloud;
use crate::core::report::{Event, LossPoint, RelationReport};
use crate::core::session::Session;
use crate::core::transfer::Transfer;
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;

mod backend;
mod updates;

use backend::{move_to_cpu, start};
use updates::{finish, publish, redraw, send_history};

use super::protocol::CHUNK;
/// On the CPU steps run as they are issued, so a chunk ends after this many milliseconds
/// (the worker then hears the page's commands: Pause lands within one slice).
const CPU_SLICE_MS: f64 = 30.0;
/// Redraw the zero sets this often while a relation trains.
const PICTURE_EVERY: usize = 300;
/// How often the loss chart follows the training (the page redraws it on every change).
const CHART_EVERY_MS: f64 = 250.0;

#[derive(Default)]
struct Worker {
    backend: Option<Backend>,
    /// The run the page asked for last: its configuration and uploaded cloud.
    config: Option<Config>,
    upload: Option<PointCloud>,
    /// The current session; taken out while a chunk of work holds it.
    session: Option<Session>,
    /// The page's number for the current run; every update carries it.
    generation: u64,
    /// Ours: bumped by every new session (a reset, or moving off a lost GPU), so work
    /// still in flight for an older one is dropped.
    run: u64,
    /// The run whose training loop is going, if any.
    looping: Option<u64>,
    running: bool,
    /// Chunks left to train (Step asks for one).
    budget: usize,
    /// What the page has been sent, to rebuild the run if the GPU is lost while a chunk
    /// holds the session.
    reports: Vec<RelationReport>,
    history: Vec<LossPoint>,
    last_chart: f64,
    /// The kept relations' zero sets of the last picture, for the run with this id.
    kept_zero_sets: Option<(u64, Vec<ZeroSet>)>,
    /// The progress bar's last value, for the run with this id and relation limit.
    bar: Option<(u64, usize, f64)>,
    /// The latest equations read, for the run with this id (the relations file takes them).
    equations: Option<(u64, ReadOut)>,
}

thread_local! {
    static WORKER: RefCell<Worker> = RefCell::new(Worker::default());
}

fn with<T>(f: impl FnOnce(&mut Worker) -> T) -> T {
    WORKER.with(|w| f(&mut w.borrow_mut()))
}

fn post(generation: u64, update: Update) {
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    match protocol::to_js(&Tagged { generation, update }) {
        Ok(message) => {
            let _ = scope.post_message(&message);
        }
        Err(e) => web_sys::console::error_1(&e.into()),
    }
}

/// One run's voice: says nothing once a newer run has begun.
#[derive(Clone, Copy)]
struct Run {
    generation: u64,
    id: u64,
}

impl Run {
    fn current() -> Self {
        with(|w| Run { generation: w.generation, id: w.run })
    }

    fn is_current(self) -> bool {
        with(|w| w.run == self.id)
    }

    fn say(self, update: Update) {
        if self.is_current() {
            post(self.generation, update);
        }
    }
}

/// The worker's entry point: listen to the page, then say so.
pub fn run() {
    // A panic leaves the module unusable: tell the page, not only the console.
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let generation = WORKER.with(|w| w.try_borrow().map(|w| w.generation).unwrap_or(0));
        post(generation, Update::Error(format!("the training worker stopped ({info}); reload the page to go on")));
    }));
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let listener = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(|e: web_sys::MessageEvent| match protocol::from_js::<Command>(e.data()) {
        Ok(command) => handle(command),
        Err(e) => Run::current().say(Update::Error(e)),
    });
    scope.set_onmessage(Some(listener.as_ref().unchecked_ref()));
    listener.forget(); // listens for the worker's whole life
    post(0, Update::Started);
}

fn handle(command: Command) {
    match command {
        Command::Start { preference } => spawn_local(start(preference)),
        Command::Reset { generation, query, upload } => {
            let (config, _) = Config::from_query(&query); // the page already clamped and said why
            with(|w| {
                w.generation = generation;
                w.config = Some(config);
                w.upload = upload;
            });
            fresh_session();
        }
        Command::Import { file, name } => spawn_local(import(file, name)),
        Command::Play { chunks } => play(chunks.unwrap_or(usize::MAX)),
        Command::Pause => {
            with(|w| w.running = false);
            Run::current().say(Update::Running(false));
        }
        Command::AddRelation => {
            with(|w| {
                if let Some(session) = w.session.as_mut() {
                    session.allow_more();
                    w.config = Some(session.config().clone());
                }
            });
            Run::current().say(Update::Finished(false));
            play(usize::MAX);
        }
        Command::Export(what) => spawn_local(export(what)),
    }
}

/// A fresh session for the configuration the page asked for last (once a backend is
/// chosen): same data and initial networks for the same configuration.
fn fresh_session() {
    let Some((backend, config, upload)) = with(|w| Some((w.backend.clone()?, w.config.clone()?, w.upload.clone()))) else { return };
    let run = with(|w| {
        w.run += 1;
        w.session = None;
        w.running = false;
        w.reports.clear();
        w.history.clear();
        Run { generation: w.generation, id: w.run }
    });
    run.say(Update::Running(false));
    run.say(Update::Status(format!("Sampling {} points…", config.samples)));
    match Dataset::for_config(&config, upload.as_ref()) {
        Ok(dataset) => {
            run.say(Update::Picture(Picture::of_data(&dataset)));
            let notes: String = dataset.notes().iter().map(|n| format!(" Note: {n}.")).collect();
            let ready = format!("Ready: {}.{notes}", dataset.describe(&config));
            let session = Session::new(config, dataset, &backend.device);
            with(|w| w.session = Some(session));
            run.say(Update::Status(ready));
        }
        Err(e) => run.say(Update::Error(e.to_string())),
    }
}

/// Takes the session out for async work; None while another task holds it (or before a run).
fn take_session() -> Option<Session> {
    with(|w| w.session.take())
}

/// Puts the session back, unless a newer run began meanwhile (then it is dropped). Its
/// configuration is the live one (an import or "+ Add relation" raises the relation
/// limit): a run rebuilt after a lost GPU starts from it, not from the last Reset's.
fn put_back(run: Run, session: Session) {
    with(|w| {
        if w.run == run.id {
            w.config = Some(session.config().clone());
            w.session = Some(session);
        }
    });
}

/// Waits (a few seconds at most) for the session a chunk of work holds.
async fn wait_for_session() -> Option<Session> {
    for _ in 0..500 {
        if let Some(s) = take_session() {
            return Some(s);
        }
        sleep_ms(10).await;
    }
    None
}

/// Takes the kept relations of a relations file as g_1, g_2, ... of the current (fresh)
/// run, measured on its data; training then looks for the next one.
async fn import(file: RelationsFile, name: String) {
    let run = Run::current();
    let (Some(_), Some(mut session)) = (with(|w| w.backend.clone()), wait_for_session().await) else {
        return run.say(Update::Error(format!("{name}: the run is not ready yet; try again in a moment")));
    };
    run.say(Update::Running(true));
    run.say(Update::Status(format!("Judging the relations of {name} on this data…")));
    let outcome = match session.import_file(&file, &name).await {
        Ok(transfers) => {
            run.say(Update::Transfers(transfers.clone()));
            publish(run, &session).await.map(|()| transfers).map_err(ImportError::from)
        }
        Err(e) => Err(e),
    };
    put_back(run, session);
    run.say(Update::Running(false));
    match outcome {
        Ok(transfers) => run.say(Update::Status(transfer_summary(&name, &transfers))),
        Err(e) => run.say(Update::Error(format!("{name}: {e}"))),
    }
}

/// "From sphere.json: relation 1 kept, relation 2 dropped (does not vanish here). Train to …"
fn transfer_summary(name: &str, transfers: &[Transfer]) -> String {
    let kept = transfers.iter().filter(|t| t.kept).count();
    if kept == 0 {
        return format!("None of the {} relation(s) of {name} holds on this data: the run learns from scratch. Train to begin.", transfers.len());
    }
    let each: Vec<String> = transfers.iter().map(|t| format!("relation {} {}", t.position + 1, if t.kept { "kept" } else { "dropped" })).collect();
    format!("From {name}: {} ({kept} of {} hold here). Train to learn what is still missing.", each.join(", "), transfers.len())
}

/// Sends the run's points (CSV) or relations (JSON) to the page.
async fn export(what: Export) {
    let run = Run::current();
    let Some(session) = wait_for_session().await else {
        return run.say(Update::Error("nothing to save yet: the run is still being prepared".into()));
    };
    let text = match what {
        Export::Points => session.dataset().all_points().to_csv(),
        Export::Relations => {
            let file = RelationsFile::from_session(&session);
            match with(|w| w.equations.clone()).filter(|(id, _)| *id == run.id) {
                Some((_, read_out)) => file.with_equations(&read_out).to_json(),
                None => file.to_json(),
            }
        }
    };
    put_back(run, session);
    run.say(Update::Exported { what, text });
}

/// Trains for `chunks` chunks, or until paused, finished or reset.
fn play(chunks: usize) {
    let run = Run::current();
    let start = with(|w| {
        w.running = true;
        w.budget = chunks;
        let start = w.looping != Some(run.id);
        w.looping = Some(run.id);
        start
    });
    run.say(Update::Running(true));
    if !start {
        return; // the loop that is going takes the new budget
    }
    spawn_local(async move {
        while run.is_current() && with(|w| w.running && w.budget > 0) {
            let Some(mut session) = take_session() else { break };
            // Step (a budget of one chunk) runs exactly CHUNK steps, as its button says.
            let exact = with(|w| w.budget) != usize::MAX;
            let outcome = chunk(run, &mut session, exact).await;
            if !run.is_current() {
                break; // reset (or moved off a lost GPU) while we were busy: drop this session
            }
            put_back(run, session);
            match outcome {
                Ok(true) => {}
                Ok(false) => break,
                // A read that fails on the GPU is a lost (or failing) device: the run moves
                // to the CPU, says so, and trains on if this loop was training (so
                // `running` stays as it is).
                Err(DeviceError::Read(reason)) if backend::on_gpu() => {
                    return move_to_cpu(format!("a read failed: {reason}")).await;
                }
                Err(e) => {
                    run.say(Update::Error(e.to_string()));
                    break;
                }
            }
            with(|w| w.budget -= 1);
            yield_now().await; // hear Pause, Reset, ...
        }
        with(|w| {
            if w.looping == Some(run.id) {
                w.looping = None;
                w.running = false;
            }
        });
        run.say(Update::Running(false));
    });
}

/// One chunk of work and the updates it causes (`exact`: CHUNK steps, whatever the
/// backend). Ok(false) when the run is over.
async fn chunk(run: Run, session: &mut Session, exact: bool) -> Result<bool, DeviceError> {
    let before = session.history().last().map_or(0, |p| p.step);
    let on_cpu = with(|w| w.backend.as_ref().is_none_or(|b| b.kind == BackendKind::Cpu));
    let event = if on_cpu && !exact {
        let started = now_ms();
        session.work_while(usize::MAX, || now_ms() - started < CPU_SLICE_MS).await?
    } else {
        session.work(CHUNK).await?
    };
    if !run.is_current() {
        return Ok(false);
    }
    let chart_due = now_ms() - with(|w| w.last_chart) > CHART_EVERY_MS;
    if chart_due || !matches!(event, Event::Progress { .. }) {
        send_history(run, session);
    }
    let after = session.history().last().map_or(0, |p| p.step);
    match event {
        Event::Progress { relation, phase, step, of, loss } => {
            let limit = session.relation_limit().max(relation + 1);
            let progress = phase.run_progress(relation, limit, step as f64 / of.max(1) as f64);
            // The bar does not move back: a fit given more steps (stop=tighten) has a smaller
            // share done than before it had them, and the bar holds until it catches up.
            // A new run or relation limit (+ Add relation) starts it afresh.
            let progress = with(|w| {
                let shown = match w.bar {
                    Some((id, most, last)) if id == run.id && most == limit => progress.max(last),
                    _ => progress,
                };
                w.bar = Some((run.id, limit, shown));
                shown
            });
            run.say(Update::Progress(progress));
            let loss = loss.filter(|l| l.is_finite()).map(|l| format!(" · loss {l:.4}")).unwrap_or_default();
            let again = if session.retrying() { " again from random weights (the warm start led nowhere)," } else { "" };
            run.say(Update::Status(format!(
                "Training g{} of at most {limit}: {}{again} step {step}/{of} · run step {after}{loss}",
                relation + 1,
                phase.label()
            )));
            if before / PICTURE_EVERY != after / PICTURE_EVERY {
                redraw(run, session, true).await?;
                if let Some(m) = session.probe_current().await? {
                    run.say(Update::Metric(MetricPoint { relation, step: after, ratio: m.ratio, sin_span: m.sin_span }));
                }
            }
            Ok(true)
        }
        Event::RelationFinished { relation } => {
            if let Some(r) = session.reports().get(relation) {
                run.say(Update::Metric(MetricPoint { relation, step: after, ratio: r.metrics.ratio, sin_span: r.metrics.sin_span }));
                run.say(Update::Status(format!("g{}: {} ({}).", relation + 1, r.verdict.describe(), r.how_trained())));
            }
            publish(run, session).await?;
            if session.is_finished() {
                finish(run, session);
                return Ok(false);
            }
            Ok(true)
        }
        Event::Finished => {
            finish(run, session);
            Ok(false)
        }
    }
}
