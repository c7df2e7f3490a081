//! The phases of a relation's training, each with its facts in one place: what a person
//! reads, how long it runs, its loss terms, whether early stopping checks it, its
//! learning-rate schedule and its share of the page's progress bar. The session moves a
//! relation from phase to phase (`session`); a new phase is a variant and its facts here.

use super::config::{Algorithm, Conditioning, Config, Init};
use super::loops::LoopTargets;
use super::loss::fit::Fit;
use super::loss::negatives::Negatives;
use super::loss::push::Push;
use super::loss::sides::Sides;
use super::loss::warm::Warm;
use super::loss::{Points, Term};
use super::syzygy::{ADVERSARY_STEPS, Adversary};
use burn::optim::{AdamConfig, ModuleOptimizer};
use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Phase {
    /// Fitting g_k to a sphere around the data before it learns (init=sphere, and init=loops
    /// where the data are not loops off a plane).
    Warm,
    /// Fitting g_k to one of the data's loops' two functions before it learns (init=loops,
    /// the first two relations of closed curves in R³ off a plane: `core::loops`).
    Loops,
    /// Training g_k to vanish on the data.
    Fit,
    /// Training the syzygy adversary f to rebuild g_k.
    Adversary { round: usize },
    /// Pushing g_k away from the frozen adversary.
    Push { round: usize },
    /// Making g_k, which the adversary could not rebuild, transverse to the earlier
    /// relations (syzygy, cond=transverse).
    Condition,
    /// Training the last kept relation off stray pieces of the joint zero set (prune=strays).
    Prune,
}

/// Adam's ε for every network a run trains (burn's default 1e-5 is coarse for fits this
/// tight); the GPU kernels' own Adam (`core::gpu`) uses it too.
pub const ADAM_EPSILON: f32 = 1e-8;

/// The optimiser every network of a run trains with: burn's Adam, β's at their defaults.
pub fn optimiser() -> ModuleOptimizer {
    AdamConfig::new().with_epsilon(ADAM_EPSILON).init()
}

/// How many push-away rounds a dependent relation gets before the verdict stands.
pub const SYZYGY_ROUNDS: usize = 3;
/// The warm start lasts 1/WARM_SHARE of the fitting steps.
const WARM_SHARE: usize = 10;
/// Transversality's independence term grows from 0 to full weight over this many fitting
/// steps (why: docs/decisions.md, "A ramped independence term").
const INDEPENDENCE_RAMP: usize = 500;
/// Weight of g_1's sides term, times the negatives' weight. Measured on the torus at
/// seeds 1-5: 1.5 gave 80-100% of the intersection on the torus, 3 85-100% (mean 91%),
/// 6 65-100%.
const SIDES_WEIGHT: f64 = 3.0;
const PUSH_WEIGHT: f64 = 1.0;
/// Weight of the loops' functions after their warm start (init=loops). On the knot over
/// seeds 1-5 (median fidelity, transversality / syzygy): 10 89.1 / 89.2% (seeds 1-3), 30
/// 92.0 / 91.0% (seeds 1-3), 50 91.6 / 91.9%, 100 91.2 / 91.5%, 250 88.8 / 88.7% (seeds
/// 1-3); dropped, the fit moves the surfaces back to ones meeting beside the knot.
const LOOPS_WEIGHT: f32 = 50.0;

/// What a phase's loss terms are made from: the run's settings and what it holds now.
pub struct TermsOf<'a> {
    pub config: &'a Config,
    /// Steps taken in this phase so far.
    pub step: usize,
    /// Relations kept before this one.
    pub kept: usize,
    /// The relation trained has sides to keep to (`core::orientation`).
    pub sides: bool,
    /// The data's scale, and the centre of the warm start's sphere (device, host).
    pub data_scale: f64,
    pub centre: (&'a Tensor<2>, &'a [f32]),
    /// Where the data are closed curves in R³, the warm start's targets of the first two
    /// relations at each row of the data and of the off-manifold points (`core::loops`).
    pub loops: Option<&'a LoopTargets>,
    /// The frozen adversary and the relations' RMS, in a push phase.
    pub adversary: Option<(&'a Adversary, &'a [f64])>,
}

impl Phase {
    /// A relation's first phase; `loops`: the data's loops give this relation a function
    /// (only ever under init=loops).
    pub fn first(init: Init, loops: bool) -> Self {
        match init {
            _ if loops => Phase::Loops,
            Init::Loops | Init::Sphere => Phase::Warm,
            Init::Plain => Phase::Fit,
        }
    }

    pub fn label(self) -> String {
        match self {
            Phase::Warm => "warm start".into(),
            Phase::Loops => "warm start from the data's loops".into(),
            Phase::Fit => "fit".into(),
            Phase::Adversary { round } => format!("syzygy test {}", round + 1),
            Phase::Push { round } => format!("push away {}", round + 1),
            Phase::Condition => "conditioning".into(),
            Phase::Prune => "pruning stray pieces".into(),
        }
    }

    /// Its steps, given the configuration's steps per relation (a fit's extension aside).
    pub fn length(self, steps: usize) -> usize {
        match self {
            Phase::Warm => (steps / WARM_SHARE).max(1),
            Phase::Loops | Phase::Fit | Phase::Condition => steps,
            Phase::Adversary { .. } => ADVERSARY_STEPS,
            Phase::Push { .. } | Phase::Prune => (steps / 2).max(1),
        }
    }

    /// Whether early stopping checks it: a fit, and conditioning, which trains on like one.
    pub fn checked_early(self) -> bool {
        matches!(self, Phase::Fit | Phase::Condition)
    }

    /// Whether its steps train the relation (the adversary's train f).
    pub fn trains_relation(self) -> bool {
        !matches!(self, Phase::Adversary { .. })
    }

    /// Whether its learning rate follows the cosine schedule (the warm starts' is constant).
    pub fn decays(self) -> bool {
        !self.warms()
    }

    /// Whether it is a warm start: a regression onto a target, not yet learning the data.
    pub fn warms(self) -> bool {
        matches!(self, Phase::Warm | Phase::Loops)
    }

    /// The independence term's weight at `step` of this phase: 0 where the phase has no such
    /// term (syzygy's fit and push), else ramped up from the phase's first step.
    pub fn independence_weight(self, config: &Config, step: usize) -> f64 {
        if self == Phase::Prune {
            // Trained on from where it was, transverse already (or, under cond=off, as it was).
            let was_transverse = config.algorithm == Algorithm::Transversality || config.conditioning == Conditioning::Transverse;
            return if was_transverse { 1.0 } else { 0.0 };
        }
        let transverse = config.algorithm == Algorithm::Transversality || self == Phase::Condition;
        if transverse { (step as f64 / INDEPENDENCE_RAMP as f64).min(1.0) } else { 0.0 }
    }

    /// Its loss terms, in the order they are summed (an adversary phase trains f, not g_k:
    /// none). The training sets they read are drawn from in `Points` order.
    pub fn terms<'a>(self, of: &TermsOf<'a>) -> Vec<Box<dyn Term + 'a>> {
        let config = of.config;
        let (centre, centre_host) = of.centre;
        let loops = of.loops.and_then(|t| t.of(of.kept));
        match self {
            Phase::Warm => return vec![Box::new(Warm { centre, centre_host, radius: of.data_scale, loops: None, weight: 1.0 })],
            Phase::Loops => return vec![Box::new(Warm { centre, centre_host, radius: of.data_scale, loops, weight: 1.0 })],
            _ => {}
        }
        if !self.trains_relation() {
            return Vec::new();
        }
        let mut terms: Vec<Box<dyn Term + 'a>> =
            vec![Box::new(Fit { scale: config.scale_term, independence: config.independence, ramp: self.independence_weight(config, of.step) })];
        if of.sides {
            terms.push(Box::new(Sides { weight: SIDES_WEIGHT * config.negatives }));
        }
        if config.negatives > 0.0 && of.kept > 0 {
            terms.push(Box::new(Negatives { points: Points::Off, weight: config.negatives, data_scale: of.data_scale }));
        }
        if let (Phase::Push { .. }, Some((adversary, rms))) = (self, of.adversary) {
            terms.push(Box::new(Push { adversary, rms, weight: PUSH_WEIGHT }));
        }
        if loops.is_some() {
            // The loops' functions stay a term: without it the fit moved the surfaces
            // back to ones that meet beside the knot (docs/suite.md).
            terms.push(Box::new(Warm { centre, centre_host, radius: of.data_scale, loops, weight: LOOPS_WEIGHT }));
        }
        if self == Phase::Prune {
            terms.push(Box::new(Negatives { points: Points::Strays, weight: config.negatives, data_scale: of.data_scale }));
        }
        terms
    }

    /// How far a whole run is, 0..1, for the page's one progress bar: relation `relation`
    /// of at most `limit`, `within` of the way through this phase. Within a relation the
    /// warm start has the first tenth, the fit the next eight, under syzygy the adversary's
    /// rounds and the conditioning the last tenth (half each); pruning, at the end of the
    /// run, the bar's last twentieth. An early stop jumps ahead.
    pub fn run_progress(self, relation: usize, limit: usize, within: f64) -> f64 {
        let share = match self {
            Phase::Warm | Phase::Loops => 0.1 * within,
            Phase::Fit => 0.1 + 0.8 * within,
            Phase::Adversary { round } | Phase::Push { round } => 0.9 + 0.05 * ((round as f64 + within) / SYZYGY_ROUNDS as f64).min(1.0),
            Phase::Condition => 0.95 + 0.05 * within,
            Phase::Prune => return 0.95 + 0.05 * within,
        };
        ((relation as f64 + share) / limit.max(1) as f64).min(1.0)
    }
}
