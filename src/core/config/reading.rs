//! Reading a link: the state of one reading, the parsers its fields share, and the
//! rules that make an older link train as it did when it was made.

use super::fields::{FIELDS, QUERY_VERSION};
use super::{Choice, Conditioning, Config, Init, Pruning, Retry, SidesRule, Stopping, limits};
use crate::core::frame::Normalise;
use std::fmt::Display;
use std::str::FromStr;

/// A link being read: the configuration so far, a message per value not taken as written.
pub(super) struct Reading {
    pub(super) config: Config,
    pub(super) notes: Vec<String>,
    pub(super) version: u32,
    /// The keys the link gave.
    pub(super) seen: Vec<&'static str>,
}

pub(super) fn options<T: Choice>() -> Vec<(&'static str, &'static str)> {
    T::ALL.iter().map(|c| (c.key(), c.label())).collect()
}

/// Takes a choice by its key; an unknown key keeps the value in use, with a message.
pub(super) fn choose<T: Choice>(slot: &mut T, what: &str, value: &str, notes: &mut Vec<String>) {
    match T::from_key(value) {
        Some(choice) => *slot = choice,
        None => notes.push(format!("unknown {what} '{}': using {}", clip(value), slot.key())),
    }
}

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
    /// versions 3 to 5 never gave a loose fit more steps, versions 6 and 7 gave one more only
    /// to a loose fit and only once, versions 1 to 6 left stray pieces,
    /// versions 1 to 7 trained in the data's own coordinates, versions 1 to 8 rejected a
    /// relation the warm start led nowhere, versions 1 to 9 gave only the first relation
    /// sides, versions 7 to 10 pruned no lone relation, versions 2 to 11 started every
    /// relation from a sphere.
    fn as_its_version_trained(&mut self) {
        let given = |key| self.seen.contains(&key);
        if self.version == 1 && !given("init") {
            self.config.init = Init::Plain;
        } else if self.version <= 11 && !given("init") {
            self.config.init = Init::Sphere;
        }
        if self.version <= 2 && !given("stop") {
            self.config.stopping = Stopping::Steps;
        } else if self.version <= 5 && !given("stop") {
            self.config.stopping = Stopping::Early;
        } else if self.version <= 7 && !given("stop") {
            self.config.stopping = Stopping::Tighten;
        }
        if self.version <= 3 && !given("rel") {
            self.config.max_relations = Some(3);
        }
        if self.version <= 4 && !given("cond") {
            self.config.conditioning = Conditioning::Off;
        }
        if self.version <= 6 && !given("prune") {
            self.config.pruning = Pruning::Off;
        } else if self.version <= 10 && !given("prune") {
            self.config.pruning = Pruning::Several;
        }
        if self.version <= 7 && !given("norm") {
            self.config.normalise = Normalise::Off;
        }
        if self.version <= 8 && !given("retry") {
            self.config.retry = Retry::Off;
        }
        if self.version <= 9 && !given("sides") {
            self.config.sides = SidesRule::First;
        }
    }
}

pub(super) fn clip(value: &str) -> String {
    value.chars().take(40).collect()
}

/// Parses a number, clamping it into `range`; on failure keeps `current`.
pub(super) fn number<T>(notes: &mut Vec<String>, what: &str, value: &str, current: T, range: (T, T)) -> T
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

pub(super) fn parse_hidden(value: &str) -> Result<Vec<usize>, String> {
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

pub(super) fn join(h: &[usize]) -> String {
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
