//! The configuration's query-string form as one table, as TensorFlow Playground's state
//! table: each field's key, the words the panel shows, how it reads and how it writes.
//! Reading never fails: a bad, unknown or out-of-range value falls back (the value in use,
//! or the nearest bound) with a message saying what was changed.

use super::reading::{Reading, choose, clip, join, number, options, parse_hidden};
use super::{Algorithm, BackendChoice, Choice, Conditioning, Config, Independence, Init, Pruning, Retry, ScaleTerm, SidesRule, Stopping, limits};
use crate::core::equations::{DEGREES, Degree};
use crate::core::frame::Normalise;
use crate::core::manifold::ManifoldKind;
use crate::core::relation::Activation;
use crate::core::transfer::{ImportMode, RelationsLabel};
use crate::core::upload::UploadLabel;

/// Bumped when a field changes meaning; older links still load, with a notice.
pub const QUERY_VERSION: u32 = 12;

/// Where a field sits in the page's panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Data,
    Relations,
    Training,
    Loss,
    /// Only in the link: the page sets it another way (a file upload, the backend card).
    LinkOnly,
}

/// How the panel asks for a field.
#[derive(Clone, Copy)]
pub enum Input {
    /// One of a fixed set, as (key, label) pairs.
    Choice(fn() -> Vec<(&'static str, &'static str)>),
    /// Typed text: a number, or numbers joined by '-'.
    Text,
}

pub struct Field {
    pub key: &'static str,
    /// What the panel calls it.
    pub label: &'static str,
    pub section: Section,
    pub input: Input,
    /// The accepted range of its number(s), for a field that holds numbers.
    pub range: Option<(f64, f64)>,
    pub(super) read: fn(&mut Reading, &str),
    /// The value that reproduces the configuration; None leaves the field out of the link.
    pub write: fn(&Config) -> Option<String>,
}

impl Field {
    /// The value the panel shows: what the link says, or "auto" for a cap left out.
    pub fn shown(&self, config: &Config) -> String {
        (self.write)(config).unwrap_or_else(|| "auto".into())
    }
}

const fn range((lo, hi): (f64, f64)) -> Option<(f64, f64)> {
    Some((lo, hi))
}

const fn counts((lo, hi): (usize, usize)) -> Option<(f64, f64)> {
    Some((lo as f64, hi as f64))
}

/// Every field of a link, in the order the panel shows them and a link writes them.
pub const FIELDS: &[Field] = &[
    Field {
        key: "v",
        label: "link version",
        section: Section::LinkOnly,
        input: Input::Text,
        range: None,
        read: |r, value| match value.parse::<u32>() {
            Ok(v @ 1..=QUERY_VERSION) => r.version = v,
            _ => r.notes.push(format!("link version '{}' is not {QUERY_VERSION}: read as version {QUERY_VERSION}", clip(value))),
        },
        write: |_| Some(QUERY_VERSION.to_string()),
    },
    Field {
        key: "m",
        label: "manifold",
        section: Section::Data,
        input: Input::Choice(options::<ManifoldKind>),
        range: None,
        read: |r, value| choose(&mut r.config.manifold, "manifold", value, &mut r.notes),
        // With uploaded data, the manifold a link falls back to when the data is missing.
        write: |c| Some(c.manifold.key().into()),
    },
    Field {
        key: "n",
        label: "samples",
        section: Section::Data,
        input: Input::Text,
        range: counts(limits::SAMPLES),
        read: |r, value| r.config.samples = number(&mut r.notes, "samples", value, r.config.samples, limits::SAMPLES),
        write: |c| Some(c.samples.to_string()),
    },
    Field {
        key: "noise",
        label: "noise (std)",
        section: Section::Data,
        input: Input::Text,
        range: range(limits::NOISE),
        read: |r, value| r.config.noise = number(&mut r.notes, "noise", value, r.config.noise, limits::NOISE),
        write: |c| Some(c.noise.to_string()),
    },
    Field {
        key: "seed",
        label: "seed",
        section: Section::Data,
        input: Input::Text,
        range: None,
        read: |r, value| match value.parse::<u64>() {
            Ok(s) => r.config.seed = s,
            Err(_) => r.notes.push(format!("seed '{}' is not a whole number ≥ 0: using {}", clip(value), r.config.seed)),
        },
        write: |c| Some(c.seed.to_string()),
    },
    Field {
        key: "norm",
        label: "coordinates for training",
        section: Section::Data,
        input: Input::Choice(options::<Normalise>),
        range: None,
        read: |r, value| choose(&mut r.config.normalise, "coordinate scaling", value, &mut r.notes),
        write: |c| Some(c.normalise.key().into()),
    },
    Field {
        key: "alg",
        label: "algorithm",
        section: Section::Relations,
        input: Input::Choice(options::<Algorithm>),
        range: None,
        read: |r, value| choose(&mut r.config.algorithm, "algorithm", value, &mut r.notes),
        write: |c| Some(c.algorithm.key().into()),
    },
    Field {
        key: "hidden",
        label: "hidden layers",
        section: Section::Relations,
        input: Input::Text,
        range: counts(limits::HIDDEN_WIDTH),
        read: |r, value| match parse_hidden(value) {
            Ok(h) => r.config.hidden = h,
            Err(e) => r.notes.push(format!("hidden layers '{}': {e}: using {}", clip(value), join(&r.config.hidden))),
        },
        write: |c| Some(join(&c.hidden)),
    },
    Field {
        key: "act",
        label: "activation",
        section: Section::Relations,
        input: Input::Choice(options::<Activation>),
        range: None,
        read: |r, value| choose(&mut r.config.activation, "activation", value, &mut r.notes),
        write: |c| Some(c.activation.key().into()),
    },
    Field {
        key: "init",
        label: "initialisation",
        section: Section::Relations,
        input: Input::Choice(options::<Init>),
        range: None,
        read: |r, value| choose(&mut r.config.init, "initialisation", value, &mut r.notes),
        write: |c| Some(c.init.key().into()),
    },
    Field {
        key: "retry",
        label: "when the warm start leads nowhere",
        section: Section::Relations,
        input: Input::Choice(options::<Retry>),
        range: None,
        read: |r, value| choose(&mut r.config.retry, "retry", value, &mut r.notes),
        write: |c| Some(c.retry.key().into()),
    },
    Field {
        key: "rel",
        label: "max relations (auto: N − 1)",
        section: Section::Relations,
        input: Input::Text,
        range: counts(limits::RELATIONS),
        read: |r, value| {
            r.config.max_relations = match (value, r.config.max_relations) {
                ("" | "auto", _) => None,
                (_, Some(cap)) => Some(number(&mut r.notes, "relations", value, cap, limits::RELATIONS)),
                // Not a number, and no cap before: stay uncapped rather than take the largest.
                _ if value.parse::<f64>().is_err() => {
                    r.notes.push(format!("relations '{}' is not a number: using auto", clip(value)));
                    None
                }
                _ => Some(number(&mut r.notes, "relations", value, limits::RELATIONS.1, limits::RELATIONS)),
            }
        },
        write: |c| c.max_relations.map(|r| r.to_string()),
    },
    Field {
        key: "lr",
        label: "learning rate (Adam)",
        section: Section::Training,
        input: Input::Text,
        range: range(limits::LR),
        read: |r, value| r.config.lr = number(&mut r.notes, "learning rate", value, r.config.lr, limits::LR),
        write: |c| Some(c.lr.to_string()),
    },
    Field {
        key: "steps",
        label: "steps per relation",
        section: Section::Training,
        input: Input::Text,
        range: counts(limits::STEPS),
        read: |r, value| r.config.steps = number(&mut r.notes, "steps per relation", value, r.config.steps, limits::STEPS),
        write: |c| Some(c.steps.to_string()),
    },
    Field {
        key: "stop",
        label: "stop a relation",
        section: Section::Training,
        input: Input::Choice(options::<Stopping>),
        range: None,
        read: |r, value| choose(&mut r.config.stopping, "stopping rule", value, &mut r.notes),
        write: |c| Some(c.stopping.key().into()),
    },
    Field {
        key: "batch",
        label: "batch size",
        section: Section::Training,
        input: Input::Text,
        range: counts(limits::BATCH),
        read: |r, value| r.config.batch = number(&mut r.notes, "batch size", value, r.config.batch, limits::BATCH),
        write: |c| Some(c.batch.to_string()),
    },
    Field {
        key: "scale",
        label: "scale term",
        section: Section::Loss,
        input: Input::Choice(options::<ScaleTerm>),
        range: None,
        read: |r, value| choose(&mut r.config.scale_term, "scale term", value, &mut r.notes),
        write: |c| Some(c.scale_term.key().into()),
    },
    Field {
        key: "indep",
        label: "independence",
        section: Section::Loss,
        input: Input::Choice(options::<Independence>),
        range: None,
        read: |r, value| choose(&mut r.config.independence, "independence term", value, &mut r.notes),
        write: |c| Some(c.independence.key().into()),
    },
    Field {
        key: "neg",
        label: "negatives weight",
        section: Section::Loss,
        input: Input::Text,
        range: range(limits::NEGATIVES),
        read: |r, value| r.config.negatives = number(&mut r.notes, "negatives weight", value, r.config.negatives, limits::NEGATIVES),
        write: |c| Some(c.negatives.to_string()),
    },
    Field {
        key: "sides",
        label: "sides of the data (with the negatives)",
        section: Section::Loss,
        input: Input::Choice(options::<SidesRule>),
        range: None,
        read: |r, value| choose(&mut r.config.sides, "sides", value, &mut r.notes),
        write: |c| Some(c.sides.key().into()),
    },
    Field {
        key: "cond",
        label: "syzygy: kept relations",
        section: Section::Loss,
        input: Input::Choice(options::<Conditioning>),
        range: None,
        read: |r, value| choose(&mut r.config.conditioning, "conditioning", value, &mut r.notes),
        write: |c| Some(c.conditioning.key().into()),
    },
    Field {
        key: "prune",
        label: "stray pieces of the zero set",
        section: Section::Loss,
        input: Input::Choice(options::<Pruning>),
        range: None,
        read: |r, value| choose(&mut r.config.pruning, "pruning", value, &mut r.notes),
        write: |c| Some(c.pruning.key().into()),
    },
    Field {
        key: "degree",
        label: "equations: degree (auto: the lowest that explains the relations)",
        section: Section::Relations,
        input: Input::Text,
        range: counts(DEGREES),
        read: |r, value| {
            r.config.degree = match value {
                "" | "auto" => Degree::Auto,
                _ if value.parse::<f64>().is_err() => {
                    r.notes.push(format!("equations degree '{}' is not a number: using auto (or 1 to 6)", clip(value)));
                    Degree::Auto
                }
                _ => {
                    let current = match r.config.degree {
                        Degree::Fixed(d) => d,
                        Degree::Auto => DEGREES.1,
                    };
                    Degree::Fixed(number(&mut r.notes, "equations degree", value, current, DEGREES))
                }
            }
        },
        write: |c| match c.degree {
            Degree::Auto => Some("auto".into()),
            Degree::Fixed(d) => Some(d.to_string()),
        },
    },
    Field {
        key: "import",
        label: "imported relations",
        section: Section::Relations,
        input: Input::Choice(options::<ImportMode>),
        range: None,
        read: |r, value| choose(&mut r.config.import_mode, "import mode", value, &mut r.notes),
        write: |c| Some(c.import_mode.key().into()),
    },
    Field {
        key: "data",
        label: "uploaded data",
        section: Section::LinkOnly,
        input: Input::Text,
        range: None,
        read: |r, value| match UploadLabel::parse(value) {
            Some(label) => r.config.upload = Some(label),
            None => r.notes.push(format!("uploaded-data label '{}' is malformed: using the {} instead", clip(value), r.config.manifold.key())),
        },
        write: |c| c.upload.as_ref().map(|label| label.to_string()),
    },
    Field {
        key: "relations",
        label: "imported relations file",
        section: Section::LinkOnly,
        input: Input::Text,
        range: None,
        read: |r, value| match RelationsLabel::parse(value) {
            Some(label) => r.config.imported = Some(label),
            None => r.notes.push(format!("imported-relations label '{}' is malformed: running without an import", clip(value))),
        },
        write: |c| c.imported.as_ref().map(|label| label.to_string()),
    },
    Field {
        key: "backend",
        label: "backend",
        section: Section::LinkOnly,
        input: Input::Choice(options::<BackendChoice>),
        range: None,
        read: |r, value| match BackendChoice::from_key(value) {
            Some(choice) => r.config.backend = Some(choice),
            None => r.notes.push(format!("unknown backend '{}': choosing on merit (backend=cpu or backend=gpu choose one)", clip(value))),
        },
        write: |c| c.backend.map(|b| b.key().into()),
    },
];
