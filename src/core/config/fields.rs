//! The configuration's query-string form as one table, as TensorFlow Playground's state
//! table: each field's key, the words the panel shows, how it reads and how it writes.
//! Reading never fails: a bad, unknown or out-of-range value falls back (the value in use,
//! or the nearest bound) with a message saying what was changed.

use super::{Algorithm, BackendChoice, Choice, Conditioning, Config, Independence, Init, Pruning, ScaleTerm, Stopping, limits};
use crate::core::manifold::ManifoldKind;
use crate::core::relation::Activation;
use crate::core::upload::UploadLabel;
use std::fmt::Display;
use std::str::FromStr;

/// Bumped when a field changes meaning; older links still load, with a notice.
pub const QUERY_VERSION: u32 = 7;

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
    read: fn(&mut Reading, &str),
    /// The value that reproduces the configuration; None leaves the field out of the link.
    pub write: fn(&Config) -> Option<String>,
}

impl Field {
    /// The value the panel shows: what the link says, or "auto" for a cap left out.
    pub fn shown(&self, config: &Config) -> String {
        (self.write)(config).unwrap_or_else(|| "auto".into())
    }
}

/// A link being read: the configuration so far, a message per value not taken as written.
struct Reading {
    config: Config,
    notes: Vec<String>,
    version: u32,
    /// The keys the link gave.
    seen: Vec<&'static str>,
}

fn options<T: Choice>() -> Vec<(&'static str, &'static str)> {
    T::ALL.iter().map(|c| (c.key(), c.label())).collect()
}

/// Takes a choice by its key; an unknown key keeps the value in use, with a message.
fn choose<T: Choice>(slot: &mut T, what: &str, value: &str, notes: &mut Vec<String>) {
    match T::from_key(value) {
        Some(choice) => *slot = choice,
        None => notes.push(format!("unknown {what} '{}': using {}", clip(value), slot.key())),
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

impl Config {
    /// The query string that reproduces this configuration (without a leading '?').
    pub fn to_query(&self) -> String {
        let fields = FIELDS.iter().filter_map(|f| (f.write)(self).map(|value| format!("{}={value}", f.key)));
        fields.collect::<Vec<_>>().join("&")
    }

    /// Reads a query string ('?' optional). Returns the configuration and one message per
    /// field that could not be taken as written.
    pub fn from_query(query: &str) -> (Config, Vec<String>) {
        let mut r = Reading { config: Config::default(), notes: Vec::new(), version: QUERY_VERSION, seen: Vec::new() };
        for pair in query.trim().trim_start_matches('?').split('&').filter(|p| !p.is_empty()) {
            let (key, raw) = pair.split_once('=').unwrap_or((pair, ""));
            match FIELDS.iter().find(|f| f.key == key) {
                Some(field) => {
                    r.seen.push(field.key);
                    (field.read)(&mut r, percent_decode(raw).trim());
                }
                None => r.notes.push(format!("unknown field '{}' ignored", clip(key))),
            }
        }
        r.as_its_version_trained();
        (r.config, r.notes)
    }
}

impl Reading {
    /// Older links train as they did then, unless they say otherwise: version 1 had no
    /// warm start, versions 1 and 2 ran every relation for all its steps, versions 1 to 3
    /// capped a run at 3 relations, versions 1 to 4 kept a syzygy relation as Eq. 3 left it,
    /// versions 3 to 5 never gave a loose fit more steps, versions 1 to 6 left stray pieces.
    fn as_its_version_trained(&mut self) {
        let given = |key| self.seen.contains(&key);
        if self.version == 1 && !given("init") {
            self.config.init = Init::Plain;
        }
        if self.version <= 2 && !given("stop") {
            self.config.stopping = Stopping::Steps;
        } else if self.version <= 5 && !given("stop") {
            self.config.stopping = Stopping::Early;
        }
        if self.version <= 3 && !given("rel") {
            self.config.max_relations = Some(3);
        }
        if self.version <= 4 && !given("cond") {
            self.config.conditioning = Conditioning::Off;
        }
        if self.version <= 6 && !given("prune") {
            self.config.pruning = Pruning::Off;
        }
    }
}

fn clip(value: &str) -> String {
    value.chars().take(40).collect()
}

/// Parses a number, clamping it into `range`; on failure keeps `current`.
fn number<T>(notes: &mut Vec<String>, what: &str, value: &str, current: T, range: (T, T)) -> T
where
    T: FromStr + PartialOrd + Copy + Display,
{
    let (lo, hi) = range;
    let out_of_range = |notes: &mut Vec<String>, above: bool| {
        let clamped = if above { hi } else { lo };
        notes.push(format!("{what} {value} is out of range {lo}..{hi}: using {clamped}"));
        clamped
    };
    match value.parse::<T>() {
        // NaN compares with nothing: it is not a number, not a bound.
        Ok(v) if v.partial_cmp(&v).is_none() => {
            notes.push(format!("{what} '{value}' is not a number: using {current}"));
            current
        }
        Ok(v) if v < lo || v > hi => out_of_range(notes, v > hi),
        Ok(v) => v,
        // A number the type cannot hold (-5 or 1e12 samples) is out of range, not "not a number".
        Err(_) => match value.parse::<f64>() {
            Ok(f) if !f.is_nan() => {
                let (lo_f, hi_f) = (lo.to_string().parse::<f64>(), hi.to_string().parse::<f64>());
                match (lo_f, hi_f) {
                    (Ok(l), _) if f < l => out_of_range(notes, false),
                    (_, Ok(h)) if f > h => out_of_range(notes, true),
                    _ => {
                        notes.push(format!("{what} '{value}' is not a whole number: using {current}"));
                        current
                    }
                }
            }
            _ => {
                notes.push(format!("{what} '{value}' is not a number: using {current}"));
                current
            }
        },
    }
}

fn parse_hidden(value: &str) -> Result<Vec<usize>, String> {
    let widths: Vec<usize> =
        value.split(['-', ',']).map(|w| w.trim().parse::<usize>().map_err(|_| format!("'{w}' is not a width"))).collect::<Result<_, _>>()?;
    let (lo, hi) = limits::HIDDEN_LAYERS;
    if widths.len() < lo || widths.len() > hi {
        return Err(format!("{} layers, expected {lo} to {hi}", widths.len()));
    }
    let (wlo, whi) = limits::HIDDEN_WIDTH;
    if let Some(w) = widths.iter().find(|&&w| w < wlo || w > whi) {
        return Err(format!("width {w} is outside {wlo}..{whi}"));
    }
    Ok(widths)
}

fn join(h: &[usize]) -> String {
    h.iter().map(|x| x.to_string()).collect::<Vec<_>>().join("-")
}

pub fn percent_decode(s: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%' && i + 2 < bytes.len()).then(|| Some(hex(bytes[i + 1])? * 16 + hex(bytes[i + 2])?)).flatten();
        match (bytes[i], escaped) {
            (_, Some(b)) => {
                out.push(b);
                i += 2;
            }
            (b'+', None) => out.push(b' '),
            (b, None) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
