//! The whole run configuration, shared by the page URL and the CLI. Its query-string form
//! is one table of fields (`fields.rs`): parsing, writing, the page's panel and the
//! property tests all read it.

mod fields;
mod reading;
#[cfg(test)]
mod tests;

pub use fields::{FIELDS, Field, Input, QUERY_VERSION, Section};
pub use reading::percent_decode;

use super::equations::Degree;
use super::frame::Normalise;
use super::manifold::ManifoldKind;
use super::relation::Activation;
use super::transfer::{ImportMode, RelationsLabel};
use super::upload::UploadLabel;

/// An option with a fixed set of values: the key a link writes and the words a panel shows.
pub trait Choice: Copy + PartialEq + Sized + 'static {
    const ALL: &'static [Self];
    fn key(self) -> &'static str;
    fn label(self) -> &'static str;
    fn from_key(key: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.key() == key)
    }
}

/// Implements [`Choice`] from one line per variant: `Variant => "key", "label";`.
macro_rules! choice {
    ($name:ty { $($variant:ident => $key:literal, $label:literal;)+ }) => {
        impl $crate::core::config::Choice for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            fn key(self) -> &'static str {
                match self { $(Self::$variant => $key),+ }
            }
            fn label(self) -> &'static str {
                match self { $(Self::$variant => $label),+ }
            }
        }
    };
}
pub(crate) use choice;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    /// Eq. 2: transversality of each new gradient to the earlier ones.
    Transversality,
    /// Eq. 3: restricted syzygies, an adversary f(x, g_1..g_{k-1}) that tries to rebuild g_k.
    Syzygy,
}
choice!(Algorithm {
    Transversality => "transversality", "transversality (Eq. 2)";
    Syzygy => "syzygy", "restricted syzygies (Eq. 3)";
});

/// The scale term of the vanishing loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScaleTerm {
    /// −log‖v‖ as printed: unbounded below (g can grow forever).
    Paper,
    /// −log min(‖v‖, 1): the project's default.
    Bounded,
}
choice!(ScaleTerm {
    Bounded => "bounded", "−log min(‖∇g‖,1) (default)";
    Paper => "paper", "−log ‖∇g‖ (paper)";
});

/// How transversality to earlier relations is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Independence {
    /// Σ_j log sin²(v_j, v_k) as printed: blind to a v_k inside span(v_j).
    Pairwise,
    /// log sin² of the angle between v_k and span(v_1..v_{k-1}): the project's default.
    Span,
}
choice!(Independence {
    Span => "span", "sine to the span (default)";
    Pairwise => "pairwise", "pairwise sines (paper)";
});

/// How each relation network starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Init {
    /// As `Sphere`, but where the data are closed curves in R³ off a plane (a knot), the
    /// first two relations start from, and keep to, a pair of functions that vanish on
    /// the curves and nowhere else (`core::loops`): the project's default.
    Loops,
    /// A short warm start fits g to a sphere around the data first, so its zero set
    /// starts closed and consistently oriented (links of versions 2 to 11).
    Sphere,
    /// Random weights only, as in the paper (and in links of version 1).
    Plain,
}
choice!(Init {
    Loops => "loops", "the data's loops, else a sphere (default)";
    Sphere => "sphere", "sphere warm start";
    Plain => "plain", "random weights (paper)";
});

/// What happens to a relation whose fit from the warm start does not vanish on the data
/// (`session::retry`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retry {
    /// It is trained once more from random weights, and that verdict stands: the
    /// project's default.
    Plain,
    /// It is rejected (links of versions 1 to 8).
    Off,
}
choice!(Retry {
    Plain => "plain", "train again from random weights (default)";
    Off => "off", "reject it";
});

/// Which relations keep to the data's sides: points beside it that say which side of the
/// zero set they lie on (`core::orientation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SidesRule {
    /// The first relation where the data is a hypersurface, and the last where the kept
    /// ones leave it a hypersurface of their joint zero set; normals are not carried
    /// through a crossing, and pieces are turned to agree: the project's default.
    Within,
    /// The first relation only, normals carried through crossings and each piece turned
    /// outwards (links of versions 1 to 9).
    First,
}
choice!(SidesRule {
    Within => "within", "first relation, and the last within the others (default)";
    First => "first", "first relation only";
});

/// What happens to a relation the syzygy adversary could not rebuild (Eq. 3 ends there).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conditioning {
    /// It trains on with the span term of transversality until its gradient is
    /// transverse to the earlier ones, then the keep tests judge it: the project's default.
    Transverse,
    /// Kept as Eq. 3 left it, as in the paper (and in links of versions 1 to 4).
    Off,
}
choice!(Conditioning {
    Transverse => "transverse", "made transverse (default)";
    Off => "off", "as Eq. 3 leaves it (paper)";
});

/// What happens, at the end of a run, to stray pieces of the joint zero set: pieces far
/// from every data point (`session::prune`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pruning {
    /// The last kept relation trains on against them, kept so where fewer landings stray,
    /// a lone relation too: the project's default.
    Strays,
    /// As [`Pruning::Strays`] where two or more relations are kept; a lone relation's
    /// stray sheets are left (links of versions 7 to 10).
    Several,
    /// Left as training made them (links of versions 1 to 6).
    Off,
}
choice!(Pruning {
    Strays => "strays", "train the last relation off stray pieces (default)";
    Several => "several", "the same, only where two or more relations are kept";
    Off => "off", "leave them";
});

/// When a relation's training ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stopping {
    /// As [`Stopping::Tighten`], and patient with a fit that is slow rather than hopeless:
    /// a relation's last fit (g_k's fit, or under syzygy its conditioning) that is still
    /// loose or still improving when its steps run out gets two thirds more, up to three
    /// times, and a fit is rejected early only after a third of its steps (the project's
    /// default; why: docs/decisions.md).
    Patient,
    /// As [`Stopping::Early`], but a fit that its keep tests would pass and that is not
    /// yet tight when its `steps` run out gets two thirds more steps (`steps` · 2/3, its
    /// schedule stretched to match), once (links of versions 6 and 7).
    Tighten,
    /// As soon as it clearly passes its keep tests on held-out points and its fit stops
    /// improving, or clearly cannot vanish; `steps` is the cap (links of versions 3-5).
    Early,
    /// After all `steps` (links of versions 1 and 2).
    Steps,
}
choice!(Stopping {
    Patient => "patient", "when it is clearly done; a loose or improving fit gets more steps (default)";
    Tighten => "tighten", "when it is clearly done; a loose fit gets more steps, once";
    Early => "early", "when it is clearly done, within its steps";
    Steps => "steps", "after all its steps";
});

/// Which backend a link asks the page for (absent: chosen on merit at startup).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum BackendChoice {
    Cpu,
    Gpu,
}
choice!(BackendChoice {
    Cpu => "cpu", "CPU";
    Gpu => "gpu", "WebGPU";
});

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub manifold: ManifoldKind,
    pub samples: usize,
    pub noise: f64,
    pub seed: u64,
    /// How the data's coordinates are centred and scaled for training (`core::frame`).
    pub normalise: Normalise,
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
    /// What happens to a relation the warm start led nowhere.
    pub retry: Retry,
    pub stopping: Stopping,
    /// Under syzygy: whether a relation Eq. 3 keeps is then made transverse.
    pub conditioning: Conditioning,
    /// Whether stray pieces of the joint zero set are pruned at the end of a run.
    pub pruning: Pruning,
    /// Which relations keep to the data's sides.
    pub sides: SidesRule,
    /// The degree the equations are read to (`core::equations`).
    pub degree: Degree,
    /// What happens to imported relations the keep tests keep (`core::transfer`).
    pub import_mode: ImportMode,
    /// The relations file a link imports. A link carries only its label.
    pub imported: Option<RelationsLabel>,
    /// The uploaded point cloud to learn from instead of `manifold`. A link carries only
    /// its label, never the data.
    pub upload: Option<UploadLabel>,
    /// The page's backend, when the link names one (the CLI has `--backend`).
    pub backend: Option<BackendChoice>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            manifold: ManifoldKind::Ellipse,
            samples: 2048,
            noise: 0.0,
            seed: 1,
            normalise: Normalise::Auto,
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
            init: Init::Loops,
            retry: Retry::Plain,
            stopping: Stopping::Patient,
            conditioning: Conditioning::Transverse,
            pruning: Pruning::Strays,
            sides: SidesRule::Within,
            degree: Degree::Auto,
            import_mode: ImportMode::Frozen,
            imported: None,
            upload: None,
            backend: None,
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
