//! The relations file: configuration, verdicts, metrics and weights of a run, as JSON.

use super::relation::{Activation, LayerWeights};
use super::session::Session;
use serde::{Deserialize, Serialize};

pub const FORMAT: &str = "aml-playground/relations";
pub const FORMAT_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RelationsFile {
    pub format: String,
    pub version: u32,
    /// The configuration as a URL query string.
    pub config: String,
    pub activation: Activation,
    pub estimated_dimension: usize,
    pub relations: Vec<ExportedRelation>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportedRelation {
    pub index: usize,
    pub kept: bool,
    pub verdict: String,
    pub on_residual: f64,
    pub off_residual: f64,
    pub sin_span: f64,
    pub syzygy_error: Option<f64>,
    pub fidelity: Option<f64>,
    pub layers: Vec<LayerWeights>,
}

impl RelationsFile {
    pub fn from_session(session: &Session) -> Self {
        let relations = session
            .reports()
            .iter()
            .map(|r| ExportedRelation {
                index: r.index,
                kept: r.verdict.is_kept(),
                verdict: r.verdict.describe(),
                on_residual: r.metrics.on_residual,
                off_residual: r.metrics.off_residual,
                sin_span: r.metrics.sin_span,
                syzygy_error: r.syzygy_error,
                fidelity: r.fidelity.as_ref().map(|f| f.within),
                layers: r.weights.clone(),
            })
            .collect();
        Self {
            format: FORMAT.into(),
            version: FORMAT_VERSION,
            config: session.config().to_query(),
            activation: session.config().activation,
            estimated_dimension: session.estimated_dimension(),
            relations,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("plain data serialises")
    }
}
