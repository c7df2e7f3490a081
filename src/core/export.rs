//! The relations file: configuration, verdicts, metrics and weights of a run, as JSON.

use super::equations::{Equations, ReadOut};
use super::error::FileError;
use super::frame::Frame;
use super::relation::{Activation, LayerWeights, Relation};
use super::session::Session;
use super::transfer::Source;
use super::verdict::Verdict;
use burn::tensor::Device;
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
    /// The run's outcome in words: "estimated dimension 1 in R^3", or, when the relation
    /// limit ended it, "stopped at the relation limit …: the dimension is at most …"
    /// (files written before it lack it).
    #[serde(default)]
    pub conclusion: Option<String>,
    /// What each relation's `fidelity` is measured against, and how near counts.
    #[serde(default)]
    pub fidelity_measured_against: Option<String>,
    /// The coordinates the relations read: the data's own, centred (x − centre) and
    /// scaled (/ scale) coordinate by coordinate. Files without it read the data's own.
    #[serde(default)]
    pub frame: Option<Frame>,
    pub relations: Vec<ExportedRelation>,
    /// The kept relations read as polynomials in the data's own coordinates, with the
    /// data-only baseline (`core::equations`); files written before lack it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equations: Option<Equations>,
    /// What that read-out says beyond its equations (what is not polynomial, and why
    /// there are more generators than relations).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub equations_notes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportedRelation {
    pub index: usize,
    pub kept: bool,
    pub verdict: String,
    /// Which test rejected it ("vanishing test", "rank test", "syzygy adversary"); None
    /// when it was kept.
    #[serde(default)]
    pub decided_by: Option<String>,
    /// Why its training ended (files written before early stopping lack it).
    #[serde(default)]
    pub stopped: Option<String>,
    // Metrics are null when not finite (a diverged relation), so the file stays readable.
    pub on_residual: Option<f64>,
    pub off_residual: Option<f64>,
    pub sin_span: Option<f64>,
    pub syzygy_error: Option<f64>,
    pub fidelity: Option<f64>,
    /// "learned" here, or "imported" from another file (files before imports were
    /// judged lack it: learned).
    #[serde(default = "learned")]
    pub origin: String,
    /// An imported relation's file and its run's configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// How an imported relation fared on this run's data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer: Option<TransferJson>,
    pub layers: Vec<LayerWeights>,
}

fn learned() -> String {
    "learned".into()
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TransferJson {
    pub kept: bool,
    pub decided_by: Option<String>,
    pub on_residual: Option<f64>,
    /// Trained on from its weights here (import=tune).
    #[serde(default)]
    pub tuned: bool,
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
                decided_by: match &r.verdict {
                    Verdict::Dependent { test, .. } => Some(test.label().into()),
                    _ => None,
                },
                stopped: Some(r.how_trained()),
                on_residual: finite(r.metrics.on_residual),
                off_residual: finite(r.metrics.off_residual),
                sin_span: finite(r.metrics.sin_span),
                syzygy_error: r.syzygy_error.and_then(finite),
                fidelity: r.fidelity.as_ref().and_then(|f| finite(f.within)),
                origin: if r.transfer.is_some() { "imported" } else { "learned" }.into(),
                source: r.transfer.as_ref().map(|t| t.source.clone()),
                transfer: r.transfer.as_ref().map(|t| TransferJson {
                    kept: r.verdict.is_kept(),
                    decided_by: t.decided_by.map(|d| d.label().into()),
                    on_residual: finite(t.metrics.on_residual),
                    tuned: t.tuned,
                }),
                // A diverged relation's weights are not numbers: left out.
                layers: if r.weights.iter().all(|l| l.weight.iter().chain(&l.bias).all(|v| v.is_finite())) { r.weights.clone() } else { Vec::new() },
            })
            .collect();
        Self {
            format: FORMAT.into(),
            version: FORMAT_VERSION,
            config: session.config().to_query(),
            activation: session.config().activation,
            estimated_dimension: session.estimated_dimension(),
            conclusion: Some(session.conclusion().describe()),
            fidelity_measured_against: session.reports().iter().rev().find_map(|r| r.fidelity.as_ref()).map(|f| f.meaning()),
            frame: Some(session.dataset().frame.clone()),
            relations,
            equations: None,
            equations_notes: Vec::new(),
        }
    }

    /// The same file with the run's equations.
    pub fn with_equations(mut self, read_out: &ReadOut) -> Self {
        self.equations = Some(read_out.equations.clone());
        self.equations_notes = read_out.notes.clone();
        self
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("plain data serialises")
    }

    /// Reads a file written by `to_json`, checking everything a relation is built from.
    pub fn from_json(text: &str) -> Result<Self, FileError> {
        if text.len() > MAX_BYTES {
            return Err(FileError::TooLarge(format!(
                "the file is {:.1} MB; a relations file is at most {} MB",
                text.len() as f64 / (1 << 20) as f64,
                MAX_BYTES >> 20
            )));
        }
        if text.trim().is_empty() {
            return Err(FileError::Empty);
        }
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| match e.classify() {
            serde_json::error::Category::Eof => FileError::NotJson(format!("the file ends early, at line {} (cut short?)", e.line())),
            _ if text.contains("NaN") || text.contains("Infinity") => FileError::Invalid("a weight is not a number (NaN or infinite)".into()),
            _ => FileError::NotJson(format!("not a relations file: not JSON ({e})")),
        })?;
        match value.get("format").and_then(|f| f.as_str()) {
            Some(FORMAT) => {}
            Some(other) => return Err(FileError::NotRelations(format!("format is '{other}', expected '{FORMAT}'"))),
            None => return Err(FileError::NotRelations(format!("not a relations file: JSON without the '{FORMAT}' format"))),
        }
        let file: Self = serde_json::from_value(value).map_err(|e| {
            if e.to_string().contains("null") {
                FileError::Invalid("a weight is not a number (null, as JSON writes NaN)".into())
            } else {
                FileError::NotRelations(format!("not a relations file: {e}"))
            }
        })?;
        if file.version != FORMAT_VERSION {
            return Err(FileError::NotRelations(format!("version {} is not supported (this page reads version {FORMAT_VERSION})", file.version)));
        }
        for r in file.relations.iter().filter(|r| r.kept || !r.layers.is_empty()) {
            check_layers(&r.layers).map_err(|e| FileError::Invalid(format!("relation g{}: {e}", r.index + 1)))?;
        }
        let dims: Vec<usize> = file.relations.iter().filter(|r| !r.layers.is_empty()).map(|r| r.layers[0].inputs).collect();
        if dims.windows(2).any(|w| w[0] != w[1]) {
            return Err(FileError::Invalid(format!("the relations take different numbers of inputs: {dims:?}")));
        }
        if let (Some(frame), Some(&dim)) = (&file.frame, dims.first()) {
            let usable = |v: &[f64], positive: bool| v.len() == dim && v.iter().all(|x| x.is_finite() && (!positive || *x > 0.0));
            if !usable(&frame.centre, false) || !usable(&frame.scale, true) {
                return Err(FileError::Invalid(format!("the frame must give {dim} finite centres and {dim} positive scales")));
            }
        }
        Ok(file)
    }

    /// Input dimension of the relations (None when the file has none).
    pub fn input_dim(&self) -> Option<usize> {
        self.relations.iter().find(|r| !r.layers.is_empty()).map(|r| r.layers[0].inputs)
    }

    /// The kept relations, rebuilt on `device` to read the working coordinates `frame` (of
    /// the data they are taken to).
    pub fn kept_relations(&self, frame: &Frame, device: &Device) -> Vec<Relation> {
        let own = self.frame.clone().unwrap_or_else(|| Frame::identity(frame.dim()));
        self.relations
            .iter()
            .filter(|r| r.kept)
            .map(|r| {
                let mut layers = r.layers.clone();
                // (Relations of another dimension are refused by the run they are taken to.)
                if own != *frame && own.dim() == layers[0].inputs && frame.dim() == layers[0].inputs {
                    let first = &mut layers[0];
                    own.first_layer_for(frame, &mut first.weight, &mut first.bias);
                }
                Relation::from_weights(&layers, self.activation, device)
            })
            .collect()
    }
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Largest relations file read (bytes): 8 relations of 4×256-wide layers fit many times over.
pub const MAX_BYTES: usize = 32 << 20;

/// Layers chain (each takes the previous one's outputs), end in one output, have weights
/// of the stated shapes and only finite numbers.
fn check_layers(layers: &[LayerWeights]) -> Result<(), String> {
    let (first, last) = match (layers.first(), layers.last()) {
        (Some(f), Some(l)) => (f, l),
        _ => return Err("no layers".into()),
    };
    if !(crate::core::csv::DIMS.0..=crate::core::csv::DIMS.1).contains(&first.inputs) {
        return Err(format!("{} inputs; relations take 2 to 16", first.inputs));
    }
    if last.outputs != 1 {
        return Err(format!("the last layer has {} outputs, expected 1", last.outputs));
    }
    if layers.len() > 8 {
        return Err(format!("{} layers; at most 8 are read", layers.len()));
    }
    for (i, l) in layers.iter().enumerate() {
        let at = format!("layer {}", i + 1);
        if l.inputs == 0 || l.outputs == 0 || l.inputs > 1024 || l.outputs > 1024 {
            return Err(format!("{at}: {}×{} is not a usable size", l.inputs, l.outputs));
        }
        if i > 0 && l.inputs != layers[i - 1].outputs {
            return Err(format!("{at} takes {} inputs but layer {i} gives {}", l.inputs, layers[i - 1].outputs));
        }
        if l.weight.len() != l.inputs * l.outputs || l.bias.len() != l.outputs {
            return Err(format!("{at}: {} weights and {} biases for a {}×{} layer", l.weight.len(), l.bias.len(), l.inputs, l.outputs));
        }
        if l.weight.iter().chain(&l.bias).any(|v| !v.is_finite()) {
            return Err(format!("{at}: a weight is not a finite number"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> RelationsFile {
        let layer = |inputs, outputs| LayerWeights { inputs, outputs, weight: vec![0.5; inputs * outputs], bias: vec![0.0; outputs] };
        RelationsFile {
            format: FORMAT.into(),
            version: FORMAT_VERSION,
            config: "m=ellipse".into(),
            activation: Activation::Tanh,
            estimated_dimension: 2,
            conclusion: None,
            fidelity_measured_against: None,
            frame: Some(Frame { centre: vec![0.0, -1.0, -1.0], scale: vec![1.9; 3] }),
            equations: None,
            equations_notes: Vec::new(),
            relations: vec![ExportedRelation {
                index: 0,
                kept: true,
                verdict: "independent: kept".into(),
                decided_by: None,
                stopped: None,
                on_residual: Some(0.01),
                off_residual: None,
                sin_span: Some(1.0),
                syzygy_error: None,
                fidelity: None,
                origin: "learned".into(),
                source: None,
                transfer: None,
                layers: vec![layer(3, 4), layer(4, 1)],
            }],
        }
    }

    #[test]
    fn a_file_round_trips_and_every_corruption_is_named() {
        let good = file();
        assert_eq!(RelationsFile::from_json(&good.to_json()).unwrap(), good);
        let json = good.to_json();
        let broken = |f: &dyn Fn(&mut RelationsFile)| {
            let mut bad = good.clone();
            f(&mut bad);
            RelationsFile::from_json(&bad.to_json()).unwrap_err()
        };
        let cases = [
            (RelationsFile::from_json(&json[..json.len() / 2]).unwrap_err(), "the file ends early"),
            (RelationsFile::from_json("").unwrap_err(), "the file is empty"),
            (RelationsFile::from_json("[1,2]").unwrap_err(), "not a relations file"),
            (RelationsFile::from_json("{\"points\": 3}").unwrap_err(), "JSON without the"),
            (RelationsFile::from_json("x,y\n1,2").unwrap_err(), "not JSON"),
            (RelationsFile::from_json(&json.replace("0.5", "null")).unwrap_err(), "a weight is not a number"),
            (RelationsFile::from_json(&json.replace("0.5", "NaN")).unwrap_err(), "a weight is not a number"),
            (broken(&|f| f.format = "other".into()), "format is 'other'"),
            (broken(&|f| f.version = 9), "version 9"),
            (broken(&|f| f.relations[0].layers[1].inputs = 5), "layer 2 takes 5 inputs but layer 1 gives 4"),
            (broken(&|f| f.relations[0].layers[0].weight.pop().map(|_| ()).unwrap()), "11 weights"),
            (broken(&|f| f.relations[0].layers[1].outputs = 2), "2 outputs"),
            (broken(&|f| f.relations[0].layers.clear()), "no layers"),
            (broken(&|f| f.frame.as_mut().unwrap().scale[1] = 0.0), "3 positive scales"),
            (broken(&|f| f.frame.as_mut().unwrap().centre.pop().map(|_| ()).unwrap()), "3 finite centres"),
            (RelationsFile::from_json(&"x".repeat(MAX_BYTES + 1)).unwrap_err(), "at most 32 MB"),
        ];
        for (err, needle) in cases {
            assert!(err.to_string().contains(needle), "expected '{needle}' in '{err}'");
        }
        assert_eq!(RelationsFile::from_json(" ").unwrap_err(), FileError::Empty);
        assert!(matches!(RelationsFile::from_json("{\"format\": "), Err(FileError::NotJson(_))));
        assert!(matches!(RelationsFile::from_json("{\"points\": 3}"), Err(FileError::NotRelations(_))));
        assert!(matches!(broken(&|f| f.relations[0].layers.clear()), FileError::Invalid(_)));
    }
}
