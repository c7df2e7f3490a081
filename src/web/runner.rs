//! The page's side of training: `RunState`, the signals the page draws from, fed by the
//! training worker (`worker.rs`) through typed messages (`protocol.rs`). The page never
//! computes, so its main thread stays free to draw and to listen.

use super::browser::sleep_ms;
use super::files;
use super::protocol::{self, BackendState, Command, Export, MetricPoint, Tagged, Update};
use crate::core::config::BackendChoice;
use crate::core::config::Config;
use crate::core::dataset::Dataset;
use crate::core::equations::ReadOut;
use crate::core::error::DataError;
use crate::core::picture::Picture;
use crate::core::report::{Conclusion, LossPoint, RelationReport};
use crate::core::transfer::Transfer;
use leptos::prelude::*;
// The worker's `Update` message shadows leptos's trait of that name; its methods stay usable.
use leptos::prelude::Update as _;
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// A worker that has not answered a Reset within this is busy with one long piece of work
/// (a huge sample, a single enormous step): it is replaced by a fresh one, which cancels it.
const RESET_ANSWER_MS: i32 = 500;

#[derive(Clone, Copy)]
pub struct RunState {
    pub backend: RwSignal<BackendState>,
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
    pub dimension: RwSignal<Option<Conclusion>>,
    /// The kept relations as polynomials, with the data-only baseline.
    pub equations: RwSignal<Option<ReadOut>>,
    /// How each imported relation fared on this run's data.
    pub transfers: RwSignal<Vec<Transfer>>,
    pub error: RwSignal<Option<String>>,
    /// The current run's number: updates from older runs are dropped.
    generation: RwSignal<u64>,
}

/// The worker and what it must be told again if it is replaced.
#[derive(Default)]
struct Channel {
    worker: Option<web_sys::Worker>,
    /// Commands wait here until the worker's module is running.
    started: bool,
    queue: Vec<Command>,
    /// The last Reset and the commands since, replayed to a replacement worker.
    last_reset: Option<Command>,
    since_reset: Vec<Command>,
    /// Whether the worker has said anything for the last Reset.
    answered: bool,
    /// File names for the downloads asked of the worker.
    downloads: Vec<(Export, String)>,
    /// The listeners, kept alive with the worker.
    _listeners: Vec<Closure<dyn FnMut(JsValue)>>,
}

thread_local! {
    static CHANNEL: RefCell<Channel> = RefCell::new(Channel::default());
}

fn channel<T>(f: impl FnOnce(&mut Channel) -> T) -> T {
    CHANNEL.with(|c| f(&mut c.borrow_mut()))
}

impl RunState {
    pub fn new() -> Self {
        Self {
            backend: RwSignal::new(BackendState::Probing),
            running: RwSignal::new(false),
            finished: RwSignal::new(false),
            status: RwSignal::new("Starting the training worker…".into()),
            progress: RwSignal::new(0.0),
            reports: RwSignal::new(Vec::new()),
            history: RwSignal::new(Vec::new()),
            metric_history: RwSignal::new(Vec::new()),
            picture: RwSignal::new(Picture::default()),
            dimension: RwSignal::new(None),
            equations: RwSignal::new(None),
            transfers: RwSignal::new(Vec::new()),
            error: RwSignal::new(None),
            generation: RwSignal::new(0),
        }
    }

    /// Starts the training worker, which chooses the backend (the link's `preference`,
    /// else on merit). Without a worker nothing trains, and the backend card says why.
    pub fn connect(&self, preference: Option<BackendChoice>) {
        if let Err(e) = self.spawn(Command::Start { preference }) {
            self.backend.set(BackendState::Failed(format!("the training worker could not start: {e}")));
            self.status.set("Nothing can train on this page.".into());
        }
    }

    /// Whether a backend is chosen (until then there is no run to act on).
    pub fn has_backend(&self) -> bool {
        matches!(self.backend.get_untracked(), BackendState::Ready { .. })
    }

    fn spawn(&self, start: Command) -> Result<(), String> {
        let worker = spawn_worker()?;
        let state = *self;
        let on_message = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| state.hear(e.unchecked_into::<web_sys::MessageEvent>().data()));
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let on_error = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            let message = js_sys::Reflect::get(&e, &"message".into()).ok().and_then(|m| m.as_string()).unwrap_or_else(|| "an unknown error".into());
            state.backend.set(BackendState::Failed(format!("the training worker failed: {message}")));
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        worker.post_message(&wasm_bindgen::module()).map_err(|_| "the module could not be sent to the worker".to_string())?;
        channel(|c| {
            if let Some(old) = c.worker.replace(worker) {
                old.terminate();
            }
            c._listeners = vec![on_message, on_error];
            c.started = false;
            c.queue = vec![start];
        });
        Ok(())
    }

    /// Sends a command, or queues it until the worker runs.
    fn send(&self, command: Command) {
        let ready = channel(|c| {
            match &command {
                Command::Reset { .. } => {
                    c.last_reset = Some(command.clone());
                    c.since_reset.clear();
                    c.answered = false;
                }
                Command::Export(_) => {}
                _ => c.since_reset.push(command.clone()),
            }
            if !c.started {
                c.queue.push(command.clone());
            }
            c.started.then(|| c.worker.clone()).flatten()
        });
        if let Some(worker) = ready {
            post(&worker, &command);
        }
    }

    /// One message from the worker.
    fn hear(&self, message: JsValue) {
        // The worker's bootstrap reports a module that would not start as plain text.
        if let Some(text) = message.as_string() {
            return self.backend.set(BackendState::Failed(text));
        }
        let Tagged { generation, update } = match protocol::from_js(message) {
            Ok(tagged) => tagged,
            Err(e) => return self.error.set(Some(e)),
        };
        match update {
            Update::Started => {
                let (worker, queue) = channel(|c| {
                    c.started = true;
                    (c.worker.clone(), std::mem::take(&mut c.queue))
                });
                if let Some(worker) = worker {
                    queue.iter().for_each(|command| post(&worker, command));
                }
                return;
            }
            Update::Backend(state) => return self.backend.set(self.keep_calibration(state)),
            _ => {}
        }
        if generation != self.generation.get_untracked() {
            return; // an older run's
        }
        channel(|c| c.answered = true);
        match update {
            Update::Started | Update::Backend(_) => {}
            Update::Running(on) => self.running.set(on),
            Update::Status(s) => self.status.set(s),
            Update::Progress(p) => self.progress.set(p),
            Update::History { from, points } => self.history.update(|h| {
                h.truncate(from);
                h.extend(points);
            }),
            Update::Metric(point) => self.metric_history.update(|h| h.push(point)),
            Update::Reports(reports) => self.reports.set(reports),
            Update::Picture(picture) => self.picture.set(picture),
            Update::Dimension(c) => self.dimension.set(Some(c)),
            Update::Equations(read_out) => self.equations.set(Some(*read_out)),
            Update::Transfers(transfers) => self.transfers.set(transfers),
            Update::Finished(done) => self.finished.set(done),
            Update::Error(e) => self.error.set(Some(e)),
            Update::GpuLost => self.error.set(None), // a read that failed with the device is not the person's concern
            Update::Exported { what, text } => {
                let name = channel(|c| c.downloads.iter().position(|d| d.0 == what).map(|i| c.downloads.remove(i).1));
                if let Some(name) = name {
                    let mime = if what == Export::Points { "text/csv" } else { "application/json" };
                    if let Err(e) = files::download(&name, mime, &text) {
                        self.error.set(Some(e));
                    }
                }
            }
        }
    }

    /// A replacement worker skips calibration (it was told the backend chosen before):
    /// the card keeps the figures measured then.
    fn keep_calibration(&self, mut next: BackendState) -> BackendState {
        if let BackendState::Ready { calibration: measured @ Some(_), gpu: was_gpu, .. } = self.backend.get_untracked()
            && let BackendState::Ready { calibration, gpu, .. } = &mut next
            && calibration.is_none()
            && *gpu == was_gpu
        {
            *calibration = measured;
        }
        next
    }

    /// A fresh run of `config`: same data and initial networks for the same config.
    /// Fails, changing nothing, when the config names uploaded data this page does not have.
    pub fn reset(&self, config: &Config) -> Result<(), DataError> {
        let upload = config.upload.as_ref().and_then(files::uploaded);
        Dataset::uploaded_cloud(config, upload.as_ref())?;
        self.generation.update(|g| *g += 1);
        let generation = self.generation.get_untracked();
        self.running.set(false);
        self.status.set(format!("Preparing {} points…", config.samples));
        self.reports.set(Vec::new());
        self.history.set(Vec::new());
        self.metric_history.set(Vec::new());
        self.equations.set(None);
        self.transfers.set(Vec::new());
        self.finished.set(false);
        self.progress.set(0.0);
        self.dimension.set(None);
        self.error.set(None);
        self.send(Command::Reset { generation, query: config.to_query(), upload });
        // Relations the link imports, which this browser kept: judged on the new run's data.
        if let Some(label) = &config.imported
            && let Some(file) = files::imported(label)
        {
            self.send(Command::Import { file, name: label.name().to_string() });
        }
        if self.has_backend() {
            self.replace_if_silent(generation);
        }
        Ok(())
    }

    /// Replaces the worker when it has not answered the Reset of `generation` in time: it is
    /// stuck in one long piece of work for an older run, which the replacement cancels.
    fn replace_if_silent(&self, generation: u64) {
        let state = *self;
        leptos::task::spawn_local(async move {
            sleep_ms(RESET_ANSWER_MS).await;
            let silent = channel(|c| !c.answered && c.started);
            if !silent || state.generation.get_untracked() != generation {
                return;
            }
            let Some(kind) = (match state.backend.get_untracked() {
                BackendState::Ready { gpu, .. } => Some(if gpu { BackendChoice::Gpu } else { BackendChoice::Cpu }),
                _ => None,
            }) else {
                return;
            };
            let replay = channel(|c| c.last_reset.iter().chain(&c.since_reset).cloned().collect::<Vec<_>>());
            match state.spawn(Command::Start { preference: Some(kind) }) {
                Ok(()) => channel(|c| c.queue.extend(replay)),
                Err(e) => state.error.set(Some(format!("the training worker could not be restarted: {e}"))),
            }
        });
    }

    /// Asks the worker for the run's points or relations, saved as `name` when they come.
    pub fn save(&self, what: Export, name: String) {
        channel(|c| c.downloads.push((what, name)));
        self.send(Command::Export(what));
    }

    pub fn toggle(&self) {
        if self.running.get_untracked() {
            self.running.set(false); // at once: the worker stops at the end of its slice
            self.send(Command::Pause);
        } else {
            self.running.set(true);
            self.send(Command::Play { chunks: None });
        }
    }

    pub fn step(&self) {
        if !self.running.get_untracked() {
            self.running.set(true);
            self.send(Command::Play { chunks: Some(1) });
        }
    }

    /// "Add relation": look for one more after the run stopped.
    pub fn add_relation(&self) {
        self.finished.set(false);
        self.running.set(true);
        self.send(Command::AddRelation);
    }
}

fn post(worker: &web_sys::Worker, command: &Command) {
    match protocol::to_js(command) {
        Ok(message) => {
            let _ = worker.post_message(&message);
        }
        Err(e) => web_sys::console::error_1(&e.into()),
    }
}

/// A module worker running this very page's wasm: a tiny bootstrap imports the page's
/// JavaScript glue (named by trunk's `<link rel=modulepreload>`) and instantiates the
/// module the page sends it, whose `main` then sees it runs in a worker.
fn spawn_worker() -> Result<web_sys::Worker, String> {
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let glue = document
        .query_selector("link[rel=modulepreload]")
        .ok()
        .flatten()
        .map(|l| l.unchecked_into::<web_sys::HtmlLinkElement>().href())
        .filter(|href| href.ends_with(".js"))
        .ok_or("the page's script is not named in it (is the page built by trunk?)")?;
    let glue = serde_json::to_string(&glue).map_err(|e| e.to_string())?;
    // `gpuDevices` lets the console (and the page tests) reach the worker's WebGPU devices.
    let source = format!(
        r#"self.gpuDevices = [];
if (self.GPUAdapter) {{
  const request = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = async function (...args) {{
    const device = await request.apply(this, args);
    self.gpuDevices.push(device);
    return device;
  }};
}}
self.onmessage = async (e) => {{
  self.onmessage = null;
  try {{
    const glue = await import({glue});
    await glue.default({{ module_or_path: e.data }});
  }} catch (err) {{
    self.postMessage(`the training worker could not start: ${{err}}`);
  }}
}};
"#
    );
    let fail = |_| "the browser refused to create a worker".to_string();
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&js_sys::Array::of1(&source.into()), &options).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let options = web_sys::WorkerOptions::new();
    options.set_type(web_sys::WorkerType::Module);
    // The URL stays valid: a replacement worker loads it again.
    web_sys::Worker::new_with_options(&url, &options).map_err(fail)
}
