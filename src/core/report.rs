//! What a run tells a person and the page: why a relation stopped, each relation's
//! report, the loss history, progress events and the run's conclusion.

use super::metrics::{FIDELITY_POINTS, Fidelity, RelationMetrics};
use super::phase::Phase;
use super::relation::LayerWeights;
use super::transfer::Transfer;
use super::verdict::Verdict;
use serde::{Deserialize, Serialize};

/// Why a relation's training ended (`of`: the `steps` cap).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Stop {
    /// Its fit met every keep test with margin on held-out points, lies close to its
    /// zero set there, and stopped improving.
    Done { step: usize, of: usize },
    /// Its fit stayed far from vanishing on the data and stopped improving.
    CannotVanish { step: usize, of: usize },
    /// It ran all its steps.
    Cap { of: usize },
    /// Its loss became NaN or infinite.
    Diverged,
    /// It was read from a relations file.
    Imported,
}

impl Stop {
    /// What a person reads: "fit done at step 450 of at most 1500: …", ...
    pub fn describe(self) -> String {
        match self {
            Stop::Done { step, of } => format!("fit stopped at step {step} of at most {of}: keep tests met, fit tight, no longer improving"),
            Stop::CannotVanish { step, of } => format!("stopped at step {step} of at most {of}: far from vanishing, no longer improving"),
            Stop::Cap { of } => format!("ran all {of} steps"),
            Stop::Diverged => "loss became NaN or infinite".into(),
            Stop::Imported => "imported".into(),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RelationReport {
    pub index: usize,
    pub verdict: Verdict,
    pub stop: Stop,
    /// Optimiser steps this relation took, all phases together.
    pub steps: usize,
    pub metrics: RelationMetrics,
    /// Held-out relative error of the last syzygy adversary (syzygy algorithm only).
    pub syzygy_error: Option<f64>,
    pub weights: Vec<LayerWeights>,
    /// Fidelity of the intersection of all kept relations, after this one.
    pub fidelity: Option<Fidelity>,
    /// Steps it was trained on to be transverse after the syzygy test, if it was.
    pub conditioned: Option<usize>,
    /// Steps its fit was given on top of `steps` because they ran out while it was still
    /// loose (stop=tighten), if it was.
    pub extended: Option<usize>,
    /// Training against stray pieces of the joint zero set at the end of the run, if any.
    #[serde(default)]
    pub pruned: Option<Pruned>,
    /// Where it came from, when it was imported, and how it fared on this run's data.
    #[serde(default)]
    pub transfer: Option<Transfer>,
    /// The fit from the warm start that was not kept, when the relation was then trained
    /// again from random weights (`session::retry`).
    #[serde(default)]
    pub retried: Option<Retried>,
}

/// A warm-started fit that was not kept: its steps and what its verdict said.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Retried {
    pub steps: usize,
    pub why: String,
}

/// What pruning stray pieces did (`session::prune`): steps trained, and how many of the
/// projected points landed far from the data before and after (the same points).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pruned {
    pub steps: usize,
    pub strays: usize,
    pub left: usize,
}

impl RelationReport {
    /// How its training ended: the fit's stop, with its extension and conditioning where
    /// there were any.
    pub fn how_trained(&self) -> String {
        let mut how = match &self.retried {
            Some(r) => format!(
                "from the warm start it failed the vanishing test after {} steps ({}), so it was trained again from random weights: {}",
                r.steps,
                r.why,
                self.stop.describe()
            ),
            None => self.stop.describe(),
        };
        if let Some(steps) = self.extended {
            how += &format!(", {steps} of them given because the fit was still loose or improving when its own steps ran out");
        }
        if let Some(steps) = self.conditioned {
            how += &format!("; then trained {steps} steps to be transverse");
        }
        if let Some(p) = self.pruned {
            how += &if p.left < p.strays {
                format!(
                    "; at the end trained {} steps against stray pieces of the zero set, far from the data ({} of {FIDELITY_POINTS} projected points landed on them; now {})",
                    p.steps, p.strays, p.left
                )
            } else {
                format!(
                    "; at the end trained {} steps against stray pieces of the zero set, far from the data ({} of {FIDELITY_POINTS} projected points landed on them), which did not halve them and was undone",
                    p.steps, p.strays
                )
            };
        }
        how
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LossPoint {
    pub relation: usize,
    pub step: usize,
    pub phase: Phase,
    pub loss: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// `loss`: the last step's loss; None at the start of a phase, before any step.
    Progress {
        relation: usize,
        phase: Phase,
        step: usize,
        of: usize,
        loss: Option<f64>,
    },
    RelationFinished {
        relation: usize,
    },
    Finished,
}

/// The outcome of a run as a person reads it (page, CLI and relations file alike).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Conclusion {
    pub kept: usize,
    pub ambient: usize,
    /// N minus the kept relations: the dimension, or (at_limit) an upper bound on it.
    pub dimension: usize,
    /// The relation limit, not a rejected relation, ended the run: more relations may hold.
    pub at_limit: bool,
}

impl Conclusion {
    fn relations(&self) -> String {
        match self.kept {
            1 => "1 relation".into(),
            k => format!("{k} relations"),
        }
    }

    /// The page's one line: "Estimated dimension: 1 (in R^3)", or "Dimension at most 3
    /// (in R^6): stopped at the relation limit".
    pub fn headline(&self) -> String {
        let (d, n) = (self.dimension, self.ambient);
        match self.at_limit {
            true => format!("Dimension at most {d} (in R^{n}): stopped at the relation limit ({})", self.relations()),
            false => format!("Estimated dimension: {d} (in R^{n})"),
        }
    }

    /// "estimated dimension 1 in R^3", or "stopped at the relation limit: the dimension
    /// is at most 3 in R^6".
    pub fn describe(&self) -> String {
        let (d, n) = (self.dimension, self.ambient);
        if self.at_limit {
            format!("stopped at the relation limit ({}): the dimension is at most {d} in R^{n}", self.relations())
        } else {
            format!("estimated dimension {d} in R^{n}")
        }
    }
}
