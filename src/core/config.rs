//! The whole run configuration and its query-string form, shared by the page URL and the
//! CLI. Parsing never fails: a bad, unknown or out-of-range field falls back (default or
//! clamp) and yields a message saying what was changed.

use super::manifold::ManifoldKind;
use super::relation::Activation;
use std::fmt::Display;
use std::str::FromStr;

/// Bumped when a field changes meaning; older links still load, with a notice.
pub const QUERY_VERSION: u32 = 4;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    /// Eq. 2: transversality of each new gradient to the earlier ones.
    Transversality,
    /// Eq. 3: restricted syzygies, an adversary f(x, g_1..g_{k-1}) that tries to rebuild g_k.
    Syzygy,
}

/// The scale term of the vanishing loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScaleTerm {
    /// −log‖v‖ as printed: unbounded below (g can grow forever).
    Paper,
    /// −log min(‖v‖, 1): the project's default.
    Bounded,
}

/// How transversality to earlier relations is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Independence {
    /// Σ_j log sin²(v_j, v_k) as printed: blind to a v_k inside span(v_j).
    Pairwise,
    /// log sin² of the angle between v_k and span(v_1..v_{k-1}): the project's default.
    Span,
}

/// How each relation network starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Init {
    /// A short warm start fits g to a sphere around the data first, so its zero set
    /// starts closed and consistently oriented: the project's default.
    Sphere,
    /// Random weights only, as in the paper (and in links of version 1).
    Plain,
}

/// When a relation's training ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stopping {
    /// As soon as it clearly passes its keep tests on held-out points and its fit stops
    /// improving, or clearly cannot vanish; `steps` is the cap: the project's default.
    Early,
    /// After all `steps` (links of versions 1 and 2).
    Steps,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub manifold: ManifoldKind,
    pub samples: usize,
    pub noise: f64,
    pub seed: u64,
    pub algorithm: Algorithm,
    pub hidden: Vec<usize>,
    pub activation: Activation,
    pub lr: f64,
    pub steps: usize,
    /// An optional cap on the relations tried; None: up to N − 1, so only a rejected
    /// relation ends the run (a cap would decide the dimension silently).
    pub max_relations: Option<usize>,
    pub batch: usize,
    pub scale_term: ScaleTerm,
    pub independence: Independence,
    /// Weight of the near-manifold negatives that keep the joint zero set tight.
    pub negatives: f64,
    pub init: Init,
    pub stopping: Stopping,
    /// The label of an uploaded point cloud to learn from instead of `manifold`
    /// ("name~rows x dims~fingerprint"). A link carries only the label, never the data.
    pub upload: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            manifold: ManifoldKind::Ellipse,
            samples: 2048,
            noise: 0.0,
            seed: 1,
            algorithm: Algorithm::Transversality,
            hidden: vec![64, 64],
            activation: Activation::Tanh,
            lr: 3e-3,
            steps: 1500,
            max_relations: None,
            batch: 512,
            scale_term: ScaleTerm::Bounded,
            independence: Independence::Span,
            negatives: 1.0,
            init: Init::Sphere,
            stopping: Stopping::Early,
            upload: None,
        }
    }
}

/// Accepted ranges: generous, but small enough that a link cannot hang a browser tab.
pub mod limits {
    pub const SAMPLES: (usize, usize) = (32, 50_000);
    pub const NOISE: (f64, f64) = (0.0, 1.0);
    pub const HIDDEN_LAYERS: (usize, usize) = (1, 4);
    pub const HIDDEN_WIDTH: (usize, usize) = (2, 256);
    pub const LR: (f64, f64) = (1e-5, 0.1);
    pub const STEPS: (usize, usize) = (1, 50_000);
    /// Up to N − 1 for the widest upload (16 columns).
    pub const RELATIONS: (usize, usize) = (1, 15);
    pub const BATCH: (usize, usize) = (8, 8192);
    pub const NEGATIVES: (f64, f64) = (0.0, 100.0);
}

impl Algorithm {
    pub fn key(self) -> &'static str {
        match self {
            Self::Transversality => "transversality",
            Self::Syzygy => "syzygy",
        }
    }
}

impl ScaleTerm {
    pub fn key(self) -> &'static str {
        match self {
            Self::Paper => "paper",
            Self::Bounded => "bounded",
        }
    }
}

impl Independence {
    pub fn key(self) -> &'static str {
        match self {
            Self::Pairwise => "pairwise",
            Self::Span => "span",
        }
    }
}

impl Init {
    pub fn key(self) -> &'static str {
        match self {
            Self::Sphere => "sphere",
            Self::Plain => "plain",
        }
    }
}

impl Stopping {
    pub fn key(self) -> &'static str {
        match self {
            Self::Early => "early",
            Self::Steps => "steps",
        }
    }
}

impl Config {
    /// The query string that reproduces this configuration (without a leading '?').
    pub fn to_query(&self) -> String {
        let hidden: Vec<String> = self.hidden.iter().map(|h| h.to_string()).collect();
        [
            ("v", QUERY_VERSION.to_string()),
            // With uploaded data, the manifold a link falls back to when the data is missing.
            ("m", self.manifold.key().to_string()),
            ("n", self.samples.to_string()),
            ("noise", self.noise.to_string()),
            ("seed", self.seed.to_string()),
            ("alg", self.algorithm.key().to_string()),
            ("hidden", hidden.join("-")),
            ("act", self.activation.key().to_string()),
            ("lr", self.lr.to_string()),
            ("steps", self.steps.to_string()),
            ("batch", self.batch.to_string()),
            ("scale", self.scale_term.key().to_string()),
            ("indep", self.independence.key().to_string()),
            ("neg", self.negatives.to_string()),
            ("init", self.init.key().to_string()),
            ("stop", self.stopping.key().to_string()),
        ]
        .into_iter()
        .chain(self.max_relations.map(|r| ("rel", r.to_string())))
        .chain(self.upload.clone().map(|u| ("data", u)))
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
    }

    /// Reads a query string ('?' optional). Returns the configuration and one message per
    /// field that could not be taken as written.
    pub fn from_query(query: &str) -> (Config, Vec<String>) {
        let mut c = Config::default();
        let mut notes = Vec::new();
        let query = query.trim().trim_start_matches('?');
        let mut version = QUERY_VERSION;
        let mut init_given = false;
        let mut stop_given = false;
        let mut rel_given = false;
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, raw) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_decode(raw);
            let value = value.trim();
            let n = &mut notes;
            match key {
                "v" => match value.parse::<u32>() {
                    Ok(v @ 1..=QUERY_VERSION) => version = v,
                    _ => n.push(format!("link version '{value}' is not {QUERY_VERSION}: read as version {QUERY_VERSION}")),
                },
                "m" => match ManifoldKind::from_key(value) {
                    Some(m) => c.manifold = m,
                    None => n.push(format!("unknown manifold '{value}': using {}", c.manifold.key())),
                },
                "n" => c.samples = number(n, "samples", value, c.samples, limits::SAMPLES),
                "noise" => c.noise = number(n, "noise", value, c.noise, limits::NOISE),
                "seed" => match value.parse::<u64>() {
                    Ok(s) => c.seed = s,
                    Err(_) => n.push(format!("seed '{value}' is not a whole number ≥ 0: using {}", c.seed)),
                },
                "alg" => match value {
                    "transversality" => c.algorithm = Algorithm::Transversality,
                    "syzygy" => c.algorithm = Algorithm::Syzygy,
                    _ => n.push(format!("unknown algorithm '{value}': using {}", c.algorithm.key())),
                },
                "hidden" => match parse_hidden(value) {
                    Ok(h) => c.hidden = h,
                    Err(e) => n.push(format!("hidden layers '{value}': {e}: using {}", join(&c.hidden))),
                },
                "act" => match Activation::from_key(value) {
                    Some(a) => c.activation = a,
                    None => n.push(format!("unknown activation '{value}': using {}", c.activation.key())),
                },
                "lr" => c.lr = number(n, "learning rate", value, c.lr, limits::LR),
                "steps" => c.steps = number(n, "steps per relation", value, c.steps, limits::STEPS),
                "rel" => {
                    rel_given = true;
                    c.max_relations = match (value, c.max_relations) {
                        ("" | "auto", _) => None,
                        (_, Some(cap)) => Some(number(n, "relations", value, cap, limits::RELATIONS)),
                        // Not a number, and no cap before: stay uncapped rather than take the largest.
                        _ if value.parse::<f64>().is_err() => {
                            n.push(format!("relations '{value}' is not a number: using auto"));
                            None
                        }
                        _ => Some(number(n, "relations", value, limits::RELATIONS.1, limits::RELATIONS)),
                    }
                }
                "batch" => c.batch = number(n, "batch size", value, c.batch, limits::BATCH),
                "scale" => match value {
                    "paper" => c.scale_term = ScaleTerm::Paper,
                    "bounded" => c.scale_term = ScaleTerm::Bounded,
                    _ => n.push(format!("unknown scale term '{value}': using {}", c.scale_term.key())),
                },
                "indep" => match value {
                    "pairwise" => c.independence = Independence::Pairwise,
                    "span" => c.independence = Independence::Span,
                    _ => n.push(format!("unknown independence term '{value}': using {}", c.independence.key())),
                },
                "neg" => c.negatives = number(n, "negatives weight", value, c.negatives, limits::NEGATIVES),
                "init" => {
                    init_given = true;
                    match value {
                        "sphere" => c.init = Init::Sphere,
                        "plain" => c.init = Init::Plain,
                        _ => n.push(format!("unknown initialisation '{value}': using {}", c.init.key())),
                    }
                }
                "stop" => {
                    stop_given = true;
                    match value {
                        "early" => c.stopping = Stopping::Early,
                        "steps" => c.stopping = Stopping::Steps,
                        _ => n.push(format!("unknown stopping rule '{value}': using {}", c.stopping.key())),
                    }
                }
                "data" => match is_upload_label(value) {
                    true => c.upload = Some(value.to_string()),
                    false => n.push(format!("uploaded-data label '{}' is malformed: using the {} instead", clip(value), c.manifold.key())),
                },
                _ => n.push(format!("unknown field '{key}' ignored")),
            }
        }
        // Older links train as they did then: version 1 had no warm start, versions 1
        // and 2 ran every relation for all its steps.
        if version == 1 && !init_given {
            c.init = Init::Plain;
        }
        if version <= 2 && !stop_given {
            c.stopping = Stopping::Steps;
        }
        // Versions 1 to 3 capped a run at 3 relations unless the link said otherwise.
        if version <= 3 && !rel_given {
            c.max_relations = Some(3);
        }
        (c, notes)
    }
}

/// Labels are short and URL-safe, so they go into a link unescaped.
fn is_upload_label(value: &str) -> bool {
    (1..=120).contains(&value.len()) && value.chars().all(|c| c.is_ascii_alphanumeric() || "._~-".contains(c))
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
    let widths: Vec<usize> = value
        .split(['-', ','])
        .map(|w| w.trim().parse::<usize>().map_err(|_| format!("'{w}' is not a width")))
        .collect::<Result<_, _>>()?;
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
        let escaped = (bytes[i] == b'%' && i + 2 < bytes.len())
            .then(|| Some(hex(bytes[i + 1])? * 16 + hex(bytes[i + 2])?))
            .flatten();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_round_trips_without_messages() {
        let c = Config::default();
        let (back, notes) = Config::from_query(&c.to_query());
        assert_eq!(back, c);
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn every_field_round_trips() {
        let c = Config {
            manifold: ManifoldKind::Helix,
            samples: 777,
            noise: 0.02,
            seed: 99,
            algorithm: Algorithm::Syzygy,
            hidden: vec![32, 16, 8],
            activation: Activation::Silu,
            lr: 0.0005,
            steps: 321,
            max_relations: Some(5),
            batch: 128,
            scale_term: ScaleTerm::Paper,
            independence: Independence::Pairwise,
            negatives: 0.25,
            init: Init::Plain,
            stopping: Stopping::Steps,
            upload: Some("points.csv~300x4~0123abcd".into()),
        };
        let (back, notes) = Config::from_query(&format!("?{}", c.to_query()));
        assert_eq!(back, c);
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn bad_fields_fall_back_with_a_message_each() {
        let (c, notes) = Config::from_query("m=klein&n=abc&noise=5&hidden=64-0&lr=-1&zzz=1&v=7&seed=-3");
        let d = Config::default();
        assert_eq!(c.manifold, d.manifold);
        assert_eq!(c.samples, d.samples);
        assert_eq!(c.noise, limits::NOISE.1);
        assert_eq!(c.hidden, d.hidden);
        assert_eq!(c.lr, limits::LR.0);
        assert_eq!(c.seed, d.seed);
        assert_eq!(notes.len(), 8, "{notes:#?}");
        for needle in ["klein", "abc", "out of range", "width 0", "zzz", "version", "seed"] {
            assert!(notes.iter().any(|m| m.contains(needle)), "no message mentions {needle}: {notes:#?}");
        }
    }

    #[test]
    fn numbers_out_of_range_say_so_and_use_the_bound() {
        // -5 and 1e12 do not fit a count, but they are numbers: out of range, not "not a number".
        for (query, field, expected) in [("n=-5", "samples", limits::SAMPLES.0), ("n=1e12", "samples", limits::SAMPLES.1)] {
            let (c, notes) = Config::from_query(query);
            assert_eq!(c.samples, expected, "{query}");
            assert_eq!(notes, [format!("{field} {} is out of range {}..{}: using {expected}", &query[2..], limits::SAMPLES.0, limits::SAMPLES.1)]);
        }
        let (c, notes) = Config::from_query("batch=1e9");
        assert_eq!(c.batch, limits::BATCH.1);
        assert!(notes[0].contains("out of range"), "{notes:?}");
        let (c, notes) = Config::from_query("n=100.5&steps=NaN");
        assert_eq!((c.samples, c.steps), (Config::default().samples, Config::default().steps));
        assert!(notes[0].contains("'100.5' is not a whole number") && notes[1].contains("'NaN' is not a number"), "{notes:?}");
    }

    #[test]
    fn version_1_links_train_as_they_did_then() {
        // Version 1 had no warm start; it can still be asked for explicitly.
        let (old, notes) = Config::from_query("v=1&m=circle");
        assert_eq!((old.init, old.manifold), (Init::Plain, ManifoldKind::Circle));
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(Config::from_query("init=sphere&v=1").0.init, Init::Sphere);
        assert_eq!(Config::from_query("m=circle").0.init, Init::Sphere, "no version: today's defaults");
        // Versions 1 and 2 ran every relation for all its steps.
        assert_eq!(Config::from_query("v=2&m=circle").0.stopping, Stopping::Steps);
        assert_eq!(Config::from_query("v=2&stop=early").0.stopping, Stopping::Early);
        assert_eq!(Config::from_query("m=circle").0.stopping, Stopping::Early);
        // Versions 1 to 3 stopped at 3 relations; today a run goes on until one is rejected.
        assert_eq!(Config::from_query("v=3&m=torus").0.max_relations, Some(3));
        assert_eq!(Config::from_query("v=3&rel=5").0.max_relations, Some(5));
        assert_eq!(Config::from_query("m=torus").0.max_relations, None);
        assert_eq!(Config::from_query("rel=4&rel=auto").0.max_relations, None);
        // A bad value keeps what was there: no cap stays no cap, with a message.
        let (bad, notes) = Config::from_query("rel=lots");
        assert_eq!((bad.max_relations, notes.len()), (None, 1), "{notes:?}");
        assert_eq!(Config::from_query("rel=4&rel=lots").0.max_relations, Some(4));
    }

    #[test]
    fn nan_and_garbage_never_panic() {
        for q in ["lr=NaN", "noise=inf", "%", "a%2", "&&&=&", "hidden=", "n=99999999999999999999999", "m=%E2%82"] {
            let (c, _) = Config::from_query(q);
            assert!(c.lr.is_finite() && c.noise.is_finite(), "{q}");
        }
        // NaN is not a number, not a bound: the value in use stays.
        assert_eq!(Config::from_query("lr=NaN").0.lr, Config::default().lr);
    }
}
