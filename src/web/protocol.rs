//! The messages between the page and its training worker: typed Rust values, converted
//! with serde-wasm-bindgen at `postMessage` (never hand-built JS objects).

use crate::core::config::BackendChoice;
use crate::core::equations::ReadOut;
use crate::core::export::RelationsFile;
use crate::core::picture::Picture;
use crate::core::points::PointCloud;
use crate::core::report::{Conclusion, LossPoint, RelationReport};
use crate::core::transfer::Transfer;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

/// Training steps in one Step of the page, and in one chunk on the GPU (where steps are
/// queued and one read waits for them all).
pub const CHUNK: usize = 25;

/// What the page asks of the worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Command {
    /// Choose a backend (the link's, or on merit where None) and describe it.
    Start {
        preference: Option<BackendChoice>,
    },
    /// A fresh run of this configuration (a link's query) on `upload` when it names one.
    /// Everything the worker says afterwards carries `generation`.
    Reset {
        generation: u64,
        query: String,
        upload: Option<PointCloud>,
    },
    /// Take a relations file's kept relations as g_1, g_2, ... of the fresh run (the page
    /// has read and checked the file).
    Import {
        file: RelationsFile,
        name: String,
    },
    /// Train until done or paused (`chunks` None), or for that many chunks (Step).
    Play {
        chunks: Option<usize>,
    },
    Pause,
    /// Look for one more relation after the run stopped.
    AddRelation,
    /// Send the run's points (CSV) or relations (JSON) back as text.
    Export(Export),
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Export {
    Points,
    Relations,
}

/// What the worker tells the page.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Update {
    /// The module is running in the worker: commands are heard from now on.
    Started,
    Backend(BackendState),
    /// Training is going on (or not).
    Running(bool),
    Status(String),
    /// 0..1 of the current phase's steps.
    Progress(f64),
    /// The loss history from index `from` on (earlier points are unchanged).
    History {
        from: usize,
        points: Vec<LossPoint>,
    },
    Metric(MetricPoint),
    Reports(Vec<RelationReport>),
    Picture(Picture),
    /// What the run has found so far (the dimension, and whether a limit ended it).
    Dimension(Conclusion),
    /// The kept relations read as polynomials (interim until the run finishes).
    Equations(Box<ReadOut>),
    /// How each imported relation fared on this run's data.
    Transfers(Vec<Transfer>),
    Finished(bool),
    Error(String),
    /// The GPU device was lost and the run moved to the CPU (the backend update says why).
    GpuLost,
    Exported {
        what: Export,
        text: String,
    },
}

/// An update from the run of one `Reset` (older ones are dropped by the page).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Tagged {
    pub generation: u64,
    pub update: Update,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum BackendState {
    Probing,
    Ready { description: String, gpu: bool, fallback: Option<String>, check: String, calibration: Option<String> },
    Failed(String),
}

/// A relation's metrics at one step of its training.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricPoint {
    pub relation: usize,
    pub step: usize,
    /// Off/on residual ratio on held-out points (kept only if ≥ 5).
    pub ratio: f64,
    /// Median sine of ∇g to the span of the kept gradients (kept only if ≥ 0.1).
    pub sin_span: f64,
}

pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, String> {
    serde_wasm_bindgen::to_value(value).map_err(|e| format!("message not sent: {e}"))
}

pub fn from_js<T: for<'de> Deserialize<'de>>(value: JsValue) -> Result<T, String> {
    serde_wasm_bindgen::from_value(value).map_err(|e| format!("message not understood: {e}"))
}
